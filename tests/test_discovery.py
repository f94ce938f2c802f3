"""Expanding command-line paths into the files to check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mplint.workspace.discovery import EXCLUDED_DIRECTORIES, discover


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x = 1\n")
    return path


def names(paths: list[Path], root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in paths]


def test_walks_sorted_python_sources(tmp_path: Path) -> None:
    for name in ("b.py", "a.pyi", "c.txt", "pkg/z.py", "pkg/sub/y.py", "pkg/a.py", "Z.py"):
        touch(tmp_path / name)
    found = discover([str(tmp_path)])
    assert found.errors == []
    assert names(found.files, tmp_path) == [
        "Z.py",
        "a.pyi",
        "b.py",
        "pkg/a.py",
        "pkg/sub/y.py",
        "pkg/z.py",
    ]


def test_skips_excluded_directories_while_walking(tmp_path: Path) -> None:
    for name in sorted(EXCLUDED_DIRECTORIES):
        touch(tmp_path / name / "inside.py")
        touch(tmp_path / "deep" / name / "inside.py")
    touch(tmp_path / "kept.py")
    assert names(discover([str(tmp_path)]).files, tmp_path) == ["kept.py"]
    for name in (".venv", "build", "node_modules", ".mplint_cache", "site-packages"):
        assert name in EXCLUDED_DIRECTORIES


def test_named_paths_are_always_checked(tmp_path: Path) -> None:
    script = touch(tmp_path / "script")
    notes = touch(tmp_path / "notes.txt")
    touch(tmp_path / "build" / "gen.py")
    found = discover([str(script), str(notes), str(tmp_path / "build")])
    assert names(found.files, tmp_path) == ["script", "notes.txt", "build/gen.py"]


def test_directory_named_like_a_file(tmp_path: Path) -> None:
    touch(tmp_path / "x.py" / "inner.py")
    touch(tmp_path / "x.py" / "data.txt")
    assert names(discover([str(tmp_path)]).files, tmp_path) == ["x.py/inner.py"]
    assert names(discover([str(tmp_path / "x.py")]).files, tmp_path) == ["x.py/inner.py"]


def test_missing_path_is_an_error_and_others_still_found(tmp_path: Path) -> None:
    touch(tmp_path / "a.py")
    found = discover([str(tmp_path / "nope.py"), str(tmp_path / "a.py")])
    assert found.errors == [f"path does not exist: {tmp_path / 'nope.py'}"]
    assert names(found.files, tmp_path) == ["a.py"]


def test_duplicates_are_checked_once(tmp_path: Path) -> None:
    touch(tmp_path / "a.py")
    found = discover([str(tmp_path), str(tmp_path / "a.py"), str(tmp_path)])
    assert names(found.files, tmp_path) == ["a.py"]


def test_symlinks_do_not_loop_or_leave_the_tree(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    touch(root / "pkg" / "a.py")
    touch(outside / "secret.py")
    os.symlink(root, root / "pkg" / "loop")  # back to an ancestor
    os.symlink(outside, root / "escape")  # out of the tree
    os.symlink(root / "pkg", root / "alias")  # another name for a directory inside
    os.symlink(root / "missing.py", root / "dangling.py")  # broken link
    found = discover([str(root)])
    assert found.errors == []
    assert names(found.files, root) == ["alias/a.py"]


def test_walked_file_symlinks_are_followed(tmp_path: Path) -> None:
    target = touch(tmp_path / "real" / "impl.py")
    (tmp_path / "tree").mkdir()
    os.symlink(target, tmp_path / "tree" / "link.py")
    found = discover([str(tmp_path / "tree")])
    assert names(found.files, tmp_path) == ["tree/link.py"]
    assert found.linked_outside == {tmp_path / "tree" / "link.py"}  # checked, never written


def test_walked_file_symlinks_inside_the_tree_may_be_written(tmp_path: Path) -> None:
    target = touch(tmp_path / "tree" / "real" / "impl.py")
    os.symlink(target, tmp_path / "tree" / "link.py")
    found = discover([str(tmp_path / "tree")])
    assert names(found.files, tmp_path) == ["tree/link.py"]  # the same file, found once
    assert found.linked_outside == set()


def test_a_named_broken_symlink_says_so(tmp_path: Path) -> None:
    os.symlink("missing.py", tmp_path / "dangling.py")
    found = discover([str(tmp_path / "dangling.py")])
    assert found.errors == [f"broken symbolic link: {tmp_path / 'dangling.py'} -> missing.py"]


def test_relative_paths_stay_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path / "pkg" / "m.py")
    monkeypatch.chdir(tmp_path)
    assert [str(p) for p in discover(["."]).files] == [os.path.join("pkg", "m.py")]
    assert [str(p) for p in discover(["pkg"]).files] == [os.path.join("pkg", "m.py")]
