"""Atomic writing of fixed files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mplint.writing import write_atomic


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
