"""Writing a fixed file back: only over the bytes that were checked, never half-written, keeping the
file's permissions, owner and hard links.

The new contents go to a synced temporary file beside the target first. Then, as late as possible,
the target is opened and read again: if it no longer holds the bytes that were checked (an editor saved
it meanwhile), it is left alone. Otherwise the temporary file is renamed over it, so a reader sees the
old or the new contents and never a mixture. A file with several hard links cannot be replaced by a
rename without cutting it off from its other names, so it is rewritten in place, as Ruff does; should
that write fail, the old contents are put back, and the temporary file, removed only once the file is
complete, keeps a whole copy of the new contents should the machine stop halfway.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from mplint.reading import require_regular


class FileChanged(Exception):
    """The file no longer holds the bytes that were checked; it was left as it is."""


def write_atomic(path: Path, data: bytes, *, expected: bytes) -> None:
    """Replace the contents of ``path`` with ``data``, provided it still holds ``expected`` (a file
    that already holds ``data`` is left as it is).

    A symlink is written through: its target is replaced and the link is kept. Raises FileChanged
    when the file changed since ``expected`` was read, PermissionError (strerror "the file is
    read-only") for a file without write permission bits, NotRegularFile for anything but a regular
    file, and OSError when the file cannot be written; in every case the file is left as it was.
    """
    target = Path(os.path.realpath(path))
    _require_writable(os.stat(target).st_mode)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".mplint-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        renamed = _replace_if_unchanged(target, temporary, data, expected)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if renamed:
        _sync_directory(target.parent)
    else:
        os.unlink(temporary)


def _require_writable(mode: int) -> None:
    """Refuse what is not a regular file, and a file nobody may write (even when root could)."""
    require_regular(mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(errno.EACCES, "the file is read-only")


def _replace_if_unchanged(target: Path, temporary: str, data: bytes, expected: bytes) -> bool:
    """Put ``data`` (already in ``temporary``) in place of ``target`` if it still holds ``expected``.

    True when the temporary file was renamed over the target, False when the target was rewritten
    in place (it has other hard links) or already held ``data``.
    """
    flags = os.O_RDWR | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    current = os.open(target, flags)  # fails for a file this user may not write, as Ruff's write would
    try:
        info = os.fstat(current)
        _require_writable(info.st_mode)
        if info.st_nlink <= 1:
            os.chmod(temporary, stat.S_IMODE(info.st_mode))
            if hasattr(os, "chown"):
                with contextlib.suppress(OSError):  # only the owner or root may give a file away
                    os.chown(temporary, info.st_uid, info.st_gid)
        contents = _contents(current)
        if contents == data:
            return False  # it already holds them: fixed through another of its names, say
        if contents != expected:
            raise FileChanged(str(target))
        if info.st_nlink > 1:
            _overwrite(current, data, expected)
            return False
    finally:
        os.close(current)
    os.replace(temporary, target)
    return True


def _contents(fd: int) -> bytes:
    with open(fd, "rb", closefd=False) as handle:
        return handle.read()


def _overwrite(fd: int, data: bytes, previous: bytes) -> None:
    """Rewrite the file open as ``fd`` with ``data``; on any failure put ``previous`` back."""
    try:
        _write_at_start(fd, data)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            _write_at_start(fd, previous)
            os.ftruncate(fd, len(previous))
            os.fsync(fd)
        raise


def _write_at_start(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _sync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows syncing a directory."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(directory, flags)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
