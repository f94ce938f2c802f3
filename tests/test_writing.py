"""Atomic writing of fixed files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mplint.reading import NotRegularFile
from mplint.writing import FileChanged, write_atomic


def test_replaces_contents_and_keeps_mode(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    path.chmod(0o751)
    write_atomic(path, b"new\r\n", expected=b"old\n")
    assert path.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert os.listdir(tmp_path) == ["m.py"]


def test_writes_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    write_atomic(link, b"new\n", expected=b"old\n")
    assert link.is_symlink()
    assert target.read_bytes() == b"new\n"


def test_failure_leaves_the_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(path, b"new\n", expected=b"old\n")
    assert path.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["m.py"]


def test_a_file_changed_since_it_was_checked_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n# saved by the editor\n")
    with pytest.raises(FileChanged):
        write_atomic(path, b"new\n", expected=b"old\n")
    assert path.read_bytes() == b"old\n# saved by the editor\n"
    assert os.listdir(tmp_path) == ["m.py"]


def test_a_change_keeping_the_size_and_the_mtime_is_seen(tmp_path: Path) -> None:
    """The bytes are compared, not the metadata: an edit of the same length whose modification time
    is set back is still an edit."""
    path = tmp_path / "m.py"
    path.write_bytes(b"x = 1\n")
    before = path.stat()
    path.write_bytes(b"x = 2\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with pytest.raises(FileChanged):
        write_atomic(path, b"x = 3\n", expected=b"x = 1\n")
    assert path.read_bytes() == b"x = 2\n"


def test_the_file_is_compared_after_the_new_contents_are_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit saved while the temporary file is written and synced (the slow part of writing) is
    still seen: the comparison comes after it, right before the rename."""
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    real_fsync = os.fsync

    def save_during_sync(fd: int) -> None:
        if not path.read_bytes().endswith(b"# saved\n"):
            with path.open("ab") as handle:
                handle.write(b"# saved\n")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", save_during_sync)
    with pytest.raises(FileChanged):
        write_atomic(path, b"new\n", expected=b"old\n")
    assert path.read_bytes() == b"old\n# saved\n"
    assert os.listdir(tmp_path) == ["m.py"]


def test_a_file_already_holding_the_new_contents_is_not_an_edit(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"new\n")
    inode = path.stat().st_ino
    write_atomic(path, b"new\n", expected=b"old\n")
    assert path.read_bytes() == b"new\n" and path.stat().st_ino == inode
    assert os.listdir(tmp_path) == ["m.py"]


def test_a_hard_linked_file_is_rewritten_in_place(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"old contents\n")
    path.chmod(0o640)
    other = tmp_path / "other_name.py"
    os.link(path, other)
    inode = path.stat().st_ino
    write_atomic(path, b"new\n", expected=b"old contents\n")
    assert path.read_bytes() == other.read_bytes() == b"new\n"
    info = path.stat()
    assert (info.st_ino, info.st_nlink, stat.S_IMODE(info.st_mode)) == (inode, 2, 0o640)
    assert sorted(os.listdir(tmp_path)) == ["m.py", "other_name.py"]


def test_a_failed_write_in_place_puts_the_old_contents_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up halfway through rewriting a hard-linked file: the file gets its old bytes
    back, whole, and no temporary file is left."""
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    os.link(path, tmp_path / "other_name.py")
    real_write = os.write
    calls: list[int] = []

    def fill_up(fd: int, data: bytes | memoryview) -> int:
        calls.append(fd)
        if len(calls) == 1:
            return real_write(fd, bytes(data[:5]))  # a short write, as a nearly full disk gives
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", fill_up)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(path, b"much longer new contents\n", expected=b"old\n")
    assert path.read_bytes() == b"old\n"
    assert sorted(os.listdir(tmp_path)) == ["m.py", "other_name.py"]


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o000])
def test_a_read_only_file_is_refused(tmp_path: Path, mode: int) -> None:
    """Refused from its mode, so also when root, who could write it, runs the fix."""
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    path.chmod(mode)
    with pytest.raises(PermissionError, match="the file is read-only"):
        write_atomic(path, b"new\n", expected=b"old\n")
    path.chmod(0o600)
    assert path.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["m.py"]


def test_a_named_pipe_is_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    link = tmp_path / "link.py"
    link.symlink_to(fifo)
    for path in (fifo, link):
        with pytest.raises(NotRegularFile, match=r"not a regular file \(a named pipe\)"):
            write_atomic(path, b"new\n", expected=b"")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(os.listdir(tmp_path)) == ["link.py", "pipe.py"]
