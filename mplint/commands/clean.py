"""``mplint clean``: remove the cache directory."""

from __future__ import annotations

import sys
from pathlib import Path

from mplint.cache import clean


def run_clean(cache_dir: Path) -> int:
    try:
        removed = clean(cache_dir)
    except OSError as exc:
        print(f"error: cannot remove {cache_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if removed:
        print(f"Removed {cache_dir}", file=sys.stderr)
    return 0
