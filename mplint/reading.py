"""Reading a file to check or a configuration file: regular files only.

A named pipe would block the run until some other process writes to it, and a device such as
``/dev/zero`` never ends: both are refused from their ``stat``, before anything opens them. The file is
then opened without blocking and checked again through the open descriptor, in case it was replaced
in between.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_KINDS: tuple[tuple[int, str], ...] = (
    (stat.S_IFIFO, "a named pipe"),
    (stat.S_IFCHR, "a character device"),
    (stat.S_IFBLK, "a block device"),
    (stat.S_IFSOCK, "a socket"),
    (stat.S_IFDIR, "a directory"),
)

# O_NONBLOCK changes nothing for a regular file; it only keeps a pipe swapped in since the stat from
# blocking the open.
_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)


class NotRegularFile(OSError):
    """The path names something other than a regular file; ``strerror`` says what it is."""

    def __init__(self, mode: int) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({file_kind(mode)})")


def file_kind(mode: int) -> str:
    """What a non-regular file of ``mode`` is, in words."""
    kind = stat.S_IFMT(mode)
    for flag, name in _KINDS:
        if kind == flag:
            return name
    return "a special file"


def require_regular(mode: int) -> None:
    """Raise NotRegularFile unless ``mode`` (a ``st_mode``) is that of a regular file."""
    if not stat.S_ISREG(mode):
        raise NotRegularFile(mode)


def read_regular_file(path: Path) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed).

    Raises NotRegularFile for anything else, or OSError when it cannot be read.
    """
    require_regular(os.stat(path).st_mode)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        require_regular(os.fstat(fd).st_mode)
        with open(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)
