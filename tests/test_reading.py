"""Reading files to check: regular files only, and never blocking on a named pipe."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mplint.reading import NotRegularFile, read_regular_file


def test_a_regular_file_and_a_symlink_to_one(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"x = 1\r\n\x00")
    (tmp_path / "link.py").symlink_to(path)
    assert read_regular_file(path) == read_regular_file(tmp_path / "link.py") == b"x = 1\r\n\x00"


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda path: os.mkfifo(path), "a named pipe"),
        (lambda path: path.mkdir(), "a directory"),
        (lambda path: path.symlink_to("/dev/zero"), "a character device"),
    ],
    ids=["fifo", "directory", "device"],
)
def test_anything_else_is_refused(tmp_path: Path, make: object, kind: str) -> None:
    path = tmp_path / "m.py"
    make(path)  # type: ignore[operator]
    with pytest.raises(NotRegularFile) as raised:
        read_regular_file(path)
    assert raised.value.strerror == f"not a regular file ({kind})"


def test_a_named_pipe_swapped_in_after_the_stat_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is replaced by a named pipe between the ``stat`` and the ``open``: the open does not
    block (no writer ever comes), and the descriptor's own ``fstat`` refuses it."""
    path = tmp_path / "m.py"
    path.write_bytes(b"x = 1\n")
    real_open = os.open

    def swap_then_open(name: object, flags: int, *args: object) -> int:
        if Path(str(name)) == path and not path.is_fifo():
            path.unlink()
            os.mkfifo(path)
        return real_open(name, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", swap_then_open)
    with pytest.raises(NotRegularFile, match="a named pipe"):
        read_regular_file(path)
