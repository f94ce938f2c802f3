"""``mplint clean``: remove every cache directory in the working directory and below, as ``ruff clean``
does, and the one ``--cache-dir`` names; each removal is announced."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mplint.cache import DEFAULT_CACHE_DIR, clean, is_cache
from mplint.report.paths import display_path


def caches_under(root: Path) -> list[Path]:
    """The cache directories named ``.mplint_cache`` at or below ``root``, symlinks not followed."""
    found: list[Path] = []
    for directory, subdirectories, _ in os.walk(root):
        if DEFAULT_CACHE_DIR in subdirectories:
            candidate = Path(directory) / DEFAULT_CACHE_DIR
            if is_cache(candidate):
                found.append(candidate)
                subdirectories.remove(DEFAULT_CACHE_DIR)
        subdirectories.sort()
    return found


def run_clean(root: Path, cache_dir: Path | None = None) -> int:
    """Remove the caches; 0 when every one could be removed (also when there was none), else 2."""
    targets = caches_under(root)
    if cache_dir is not None:
        if is_cache(cache_dir):
            if all(not cache_dir.samefile(target) for target in targets):
                targets.append(cache_dir)
        elif cache_dir.exists():
            print(
                f"warning: not removing {display_path(str(cache_dir))}: it is not an mplint cache "
                "(it has no CACHEDIR.TAG)",
                file=sys.stderr,
            )
    status = 0
    for target in targets:
        print(f"Removing cache at: {display_path(str(target))}", file=sys.stderr)
        try:
            clean(target)
        except OSError as exc:
            print(f"error: cannot remove {display_path(str(target))}: {exc.strerror or exc}", file=sys.stderr)
            status = 2
    if not targets:
        print("No cache found.", file=sys.stderr)
    return status
