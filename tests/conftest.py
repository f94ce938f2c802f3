"""Make the fixture harness importable and give its assertions pytest's detailed messages."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
pytest.register_assert_rewrite("mp_harness")
