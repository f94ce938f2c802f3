"""Finding the files to check: command-line paths expanded into Python source files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

EXCLUDED_DIRECTORIES: frozenset[str] = frozenset(
    {
        ".bzr",
        ".direnv",
        ".eggs",
        ".git",
        ".git-rewrite",
        ".hg",
        ".ipynb_checkpoints",
        ".mplint_cache",
        ".mypy_cache",
        ".nox",
        ".pants.d",
        ".pyenv",
        ".pytest_cache",
        ".pytype",
        ".ruff_cache",
        ".svn",
        ".tox",
        ".venv",
        ".vscode",
        "__pypackages__",
        "_build",
        "buck-out",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        "venv",
    }
)
"""Directory names never entered while walking (a directory named on the command line is)."""

SOURCE_SUFFIXES: tuple[str, ...] = (".py", ".pyi")


@dataclass
class Discovery:
    """The files found, in order and without duplicates, and the problems met on the way."""

    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set, repr=False)

    def add(self, path: Path) -> None:
        key = os.path.realpath(path)
        if key not in self._seen:
            self._seen.add(key)
            self.files.append(path)


def discover(paths: list[str]) -> Discovery:
    """Expand ``paths``: files are taken as they are, directories are walked for Python sources."""
    found = Discovery()
    for raw in paths:
        path = Path(raw)
        try:
            info = path.stat()
        except FileNotFoundError:
            found.errors.append(f"path does not exist: {raw}")
            continue
        except OSError as exc:
            found.errors.append(f"cannot access {raw}: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(info.st_mode):
            _walk(path, found)
        else:
            found.add(path)
    return found


def _walk(root: Path, found: Discovery) -> None:
    """Walk ``root`` in sorted order, depth first, never leaving the tree through a symlink."""
    root_real = os.path.realpath(root)
    visited: set[str] = {root_real}
    stack: list[Iterator[Path]] = [iter(_children(root, found))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        try:
            info = child.stat()
        except OSError:
            continue  # a broken symlink or a vanished entry is not a source file
        if stat.S_ISDIR(info.st_mode):
            real = os.path.realpath(child)
            if child.name in EXCLUDED_DIRECTORIES or real in visited:
                continue
            if child.is_symlink() and not _inside(real, root_real):
                continue
            visited.add(real)
            stack.append(iter(_children(child, found)))
        elif stat.S_ISREG(info.st_mode) and child.name.endswith(SOURCE_SUFFIXES):
            found.add(child)


def _children(directory: Path, found: Discovery) -> list[Path]:
    try:
        with os.scandir(directory) as entries:
            names = sorted(entry.name for entry in entries)
    except OSError as exc:
        found.errors.append(f"cannot read directory {directory}: {exc.strerror or exc}")
        return []
    return [directory / name for name in names]


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
