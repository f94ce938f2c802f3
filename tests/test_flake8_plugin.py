"""The flake8 plugin, run through the real ``flake8`` with the installed ``MPL`` entry point."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

DOCUMENTS = Path(__file__).resolve().parent.parent / "fixtures" / "documents"

CLEAN = """\
from multiprocessing import Manager, Process


def test_manager(m):
    tmp = m[0]
    tmp["id"] = 2
    m[0] = tmp


if __name__ == "__main__":
    with Manager() as manager:
        m = manager.list()
        m.append({"id": 1})
        p = Process(target=test_manager, args=(m,))
        p.start()
        p.join()
        print(m[0])
"""

MPL001 = (
    "MPL001 `m[0]` is a copy read out of a manager proxy: this in-place change is lost; "
    "assign it to a variable, change that, and write it back"
)
MPL003 = "MPL003 this manager is never shut down: use `with` or call `.shutdown()`"


def flake8(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "MPL", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def test_plugin_is_registered() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, check=True
    )
    assert "mplint: " in result.stdout


def test_buggy_and_clean_programs(tmp_path: Path) -> None:
    shutil.copy(DOCUMENTS / "trap_buggy.py", tmp_path / "trap_buggy.py")
    (tmp_path / "clean.py").write_text(CLEAN, encoding="utf-8")
    result = flake8("trap_buggy.py", "clean.py", cwd=tmp_path)
    assert result.stderr == ""
    assert result.stdout.splitlines() == [f"trap_buggy.py:4:5: {MPL001}", f"trap_buggy.py:7:9: {MPL003}"]
    assert result.returncode == 1
    clean = flake8("clean.py", cwd=tmp_path)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")


def test_standard_input_and_character_columns(tmp_path: Path) -> None:
    # Non-ASCII text precedes the diagnostic on its line: the column counts characters (14), not
    # UTF-8 bytes (16).
    source = (DOCUMENTS / "trap_buggy.py").read_text(encoding="utf-8")
    source = source.replace('    m[0]["id"] = 2', '    é = "ü"; m[0]["id"] = 2')
    result = flake8("--stdin-display-name", "worker.py", "-", cwd=tmp_path, stdin=source)
    assert result.stdout.splitlines() == [f"worker.py:4:14: {MPL001}", f"worker.py:7:9: {MPL003}"]


def test_noqa_comments_are_honoured(tmp_path: Path) -> None:
    source = (DOCUMENTS / "trap_buggy.py").read_text(encoding="utf-8")
    source = source.replace('m[0]["id"] = 2', 'm[0]["id"] = 2  # noqa: MPL001')
    result = flake8("-", cwd=tmp_path, stdin=source)
    assert result.stdout.splitlines() == [f"stdin:7:9: {MPL003}"]


def test_mplint_configuration_files_are_honoured(tmp_path: Path) -> None:
    shutil.copy(DOCUMENTS / "trap_buggy.py", tmp_path / "trap_buggy.py")
    (tmp_path / "pyproject.toml").write_text('[tool.mplint]\nignore = ["MPL003"]\n', encoding="utf-8")
    assert flake8("trap_buggy.py", cwd=tmp_path).stdout.splitlines() == [f"trap_buggy.py:4:5: {MPL001}"]
    source = (DOCUMENTS / "trap_buggy.py").read_text(encoding="utf-8")
    from_stdin = flake8("-", cwd=tmp_path, stdin=source)
    assert from_stdin.stdout.splitlines() == [f"stdin:4:5: {MPL001}"]
    sub = tmp_path / "workers"
    sub.mkdir()
    shutil.copy(DOCUMENTS / "trap_buggy.py", sub / "trap_buggy.py")
    (sub / "mplint.toml").write_text('[per-file-ignores]\n"trap_*.py" = ["MPL001"]\n', encoding="utf-8")
    assert flake8("workers/trap_buggy.py", cwd=tmp_path).stdout.splitlines() == [
        f"workers/trap_buggy.py:7:9: {MPL003}"
    ]


def test_an_invalid_configuration_file_fails_the_run(tmp_path: Path) -> None:
    shutil.copy(DOCUMENTS / "trap_buggy.py", tmp_path / "trap_buggy.py")
    (tmp_path / "mplint.toml").write_text('select = "MPL001"\n', encoding="utf-8")
    result = flake8("trap_buggy.py", cwd=tmp_path)
    assert result.returncode != 0
    assert "mplint.toml" in result.stdout + result.stderr
    assert "select" in result.stdout + result.stderr
