"""Make the fixture harness importable, give its assertions pytest's detailed messages, and keep the
user's own cache directory (where mplint keeps the key that signs cache entries) out of the tests."""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
pytest.register_assert_rewrite("mp_harness")

# Set before any test runs mplint, in this process or a child: every run of the session shares one key.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="mplint-tests-user-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], True)
