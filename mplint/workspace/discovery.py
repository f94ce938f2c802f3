"""Finding the files to check: command-line paths expanded into Python source files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

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


class PathFilter(Protocol):
    """Decides which paths are left out."""

    def skip_entry(self, path: Path, is_dir: bool) -> bool:
        """Whether the walk leaves out this source file or directory it came across."""
        ...

    def skip_named(self, path: Path, is_dir: bool) -> bool:
        """Whether a path named on the command line is left out."""
        ...


class DefaultFilter:
    """Leaves out the directories of EXCLUDED_DIRECTORIES while walking, and nothing named."""

    def skip_entry(self, path: Path, is_dir: bool) -> bool:
        return is_dir and path.name in EXCLUDED_DIRECTORIES

    def skip_named(self, path: Path, is_dir: bool) -> bool:
        return False


@dataclass
class Discovery:
    """The files found, in order and without duplicates, and the problems met on the way."""

    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    linked_outside: set[Path] = field(default_factory=set)
    """Files found while walking that are symlinks to a file outside the walked directory: they are
    checked, but never written (a fix must not change a file outside the tree it was given)."""
    _seen: set[str] = field(default_factory=set, repr=False)

    def add(self, path: Path, outside: bool = False) -> None:
        key = os.path.realpath(path)
        if key not in self._seen:
            self._seen.add(key)
            self.files.append(path)
            if outside:
                self.linked_outside.add(path)


def discover(paths: list[str], path_filter: PathFilter | None = None) -> Discovery:
    """Expand ``paths``: files are taken as they are, directories are walked for Python sources.

    ``path_filter`` (by default DefaultFilter) decides what is left out.
    """
    found = Discovery()
    skip = path_filter or DefaultFilter()
    for raw in paths:
        path = Path(raw)
        try:
            info = path.stat()
        except FileNotFoundError:
            found.errors.append(_missing(path, raw))
            continue
        except OSError as exc:
            found.errors.append(f"cannot access {raw}: {exc.strerror or exc}")
            continue
        is_dir = stat.S_ISDIR(info.st_mode)
        if skip.skip_named(path, is_dir):
            continue
        if is_dir:
            _walk(path, found, skip)
        else:
            found.add(path)
    return found


def _missing(path: Path, raw: str) -> str:
    """Why a named path cannot be found: it does not exist, or it is a link to nothing."""
    try:
        target = os.readlink(path)
    except OSError:
        return f"path does not exist: {raw}"
    return f"broken symbolic link: {raw} -> {target}"


def _walk(root: Path, found: Discovery, skip: PathFilter) -> None:
    """Walk ``root`` in sorted order, depth first, never entering a directory outside the tree through
    a symlink (a symlink to a file outside is checked, and marked as such)."""
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
            if real in visited or (child.is_symlink() and not _inside(real, root_real)):
                continue
            if skip.skip_entry(child, True):
                continue
            visited.add(real)
            stack.append(iter(_children(child, found)))
        elif stat.S_ISREG(info.st_mode) and child.name.endswith(SOURCE_SUFFIXES):
            if not skip.skip_entry(child, False):
                outside = child.is_symlink() and not _inside(os.path.realpath(child), root_real)
                found.add(child, outside)


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
