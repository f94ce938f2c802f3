"""The command line run for real: exit codes, rule selection, errors, stdin and output files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_support import run_cli, run_main

import mplint
from mplint.engine import InternalError

MP = "import multiprocessing\n"  # the rules only look at files that can involve multiprocessing
UNCLOSED = MP.encode() + b"(\n"
SYNTAX_ERROR = MP + "def broken(:\n    pass\n"
CLEAN = "import multiprocessing\n\nx = 1\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


def test_version() -> None:
    result = run_cli("--version", cwd=Path.cwd())
    assert result.returncode == 0
    assert result.stdout == f"mplint {mplint.__version__}\n"


def test_clean_project_exits_zero(project: Path) -> None:
    result = run_cli("check", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "All checks passed!\n"
    assert result.stderr == ""


def test_diagnostics_exit_one_and_exit_zero(project: Path) -> None:
    (project / "bad.py").write_text(SYNTAX_ERROR)
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert "bad.py:2:12: MPL000 SyntaxError:" in result.stdout
    assert result.stdout.endswith("Found 1 error.\n")
    assert run_cli("check", "--exit-zero", cwd=project).returncode == 0
    assert run_cli("check", "-e", cwd=project).returncode == 0


def test_default_path_is_the_working_directory(project: Path) -> None:
    sub = project / "pkg"
    sub.mkdir()
    (sub / "bad.py").write_text(SYNTAX_ERROR)
    result = run_cli("check", "--output-format", "concise", cwd=project)
    assert result.stdout.splitlines()[0].startswith(os.path.join("pkg", "bad.py") + ":2:12:")


def test_syntax_error_does_not_stop_the_other_files(project: Path) -> None:
    (project / "a_bad.py").write_text(SYNTAX_ERROR)
    (project / "b_bad.py").write_text(MP + "x = (\n")
    (project / "c_bad.py").write_bytes(MP.encode() + b"x = '\xff'\n")  # not UTF-8
    result = run_cli("check", "--output-format", "json", cwd=project)
    assert result.returncode == 1, result.stderr
    found = json.loads(result.stdout)
    assert [Path(d["filename"]).name for d in found] == ["a_bad.py", "b_bad.py", "c_bad.py"]
    assert {d["code"] for d in found} == {"MPL000"}
    assert "Traceback" not in result.stderr


def test_unknown_selector_is_a_usage_error(project: Path) -> None:
    for option in ("--select", "--ignore", "--extend-select"):
        result = run_cli("check", option, "MPL999", cwd=project)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr == "error: unknown rule selector: 'MPL999'\n"


def test_nonexistent_path(project: Path) -> None:
    (project / "bad.py").write_text(SYNTAX_ERROR)
    result = run_cli("check", "missing.py", "bad.py", cwd=project)
    assert result.returncode == 2
    assert "error: path does not exist: missing.py\n" in result.stderr
    assert "bad.py:2:12: MPL000" in result.stdout  # the other paths are still checked
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--no-such-option"],
        ["check", "--output-format", "xml"],
        ["rule"],
        ["rule", "MPL999"],
        ["frobnicate"],
        [],
        ["check", "-", "other.py"],
        ["check", "--start-methods", "thread"],
    ],
)
def test_usage_errors_exit_two_with_one_line(project: Path, args: list[str]) -> None:
    result = run_cli(*args, cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "reported"),
    [
        ([], True),
        (["--select", "MPL000"], True),
        (["--select", "mpl000"], True),
        (["--select", "MPL00"], True),
        (["--select", "MPL"], True),
        (["--select", "syntax-error"], True),
        (["--select", "ALL"], True),
        (["--select", "MPL001"], False),
        (["--select", "MPL001,MPL000"], True),
        (["--select", "MPL001", "--select", "MPL000"], True),
        (["--select", "MPL001", "--extend-select", "syntax-error"], True),
        (["--ignore", "MPL000"], False),
        (["--ignore", "MPL00"], False),
        (["--ignore", "syntax-error"], False),
        (["--ignore", "ALL"], False),
        (["--select", "ALL", "--ignore", "MPL001,MPL000"], False),
    ],
)
def test_rule_selection(project: Path, args: list[str], reported: bool) -> None:
    (project / "bad.py").write_text(SYNTAX_ERROR)
    result = run_cli("check", "--output-format", "json", *args, cwd=project)
    codes = [d["code"] for d in json.loads(result.stdout)]
    assert codes == (["MPL000"] if reported else [])
    assert result.returncode == (1 if reported else 0)


def test_stdin(project: Path) -> None:
    result = run_cli(
        "check", "--stdin-filename", "pkg/mod.py", "-", cwd=project, stdin=MP.encode() + b"x = (\n"
    )
    assert result.returncode == 1
    assert result.stdout.startswith(os.path.join("pkg", "mod.py") + ":2:5: MPL000")
    clean = run_cli("check", "-", cwd=project, stdin=CLEAN.encode())
    assert clean.returncode == 0
    assert clean.stdout == "All checks passed!\n"


def test_stdin_filename_alone_reads_stdin(project: Path) -> None:
    result = run_cli("check", "--stdin-filename", "m.py", cwd=project, stdin=UNCLOSED)
    assert result.returncode == 1
    assert result.stdout.startswith("m.py:2:1: MPL000")
    assert result.stderr == ""
    other = run_cli("check", "--stdin-filename", "m.py", "clean.py", cwd=project, stdin=UNCLOSED)
    assert other.stderr == "warning: ignoring clean.py in favor of standard input\n"
    assert other.stdout.startswith("m.py:2:1: MPL000")


def test_stdin_json_filename_is_absolute(project: Path) -> None:
    result = run_cli(
        "check", "--output-format", "json", "--stdin-filename", "m.py", cwd=project, stdin=UNCLOSED
    )
    (diagnostic,) = json.loads(result.stdout)
    assert diagnostic["filename"] == str(project / "m.py")


def test_output_file(project: Path) -> None:
    (project / "bad.py").write_text(SYNTAX_ERROR)
    out = project / "reports" / "mplint.json"
    result = run_cli("check", "--output-format", "json", "-o", str(out), cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert [d["code"] for d in json.loads(out.read_text())] == ["MPL000"]


def test_json_lines_and_concise(project: Path) -> None:
    (project / "bad.py").write_text(SYNTAX_ERROR)
    lines = run_cli("check", "--output-format", "json-lines", cwd=project).stdout.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["code"] == "MPL000"
    concise = run_cli("check", "--output-format", "concise", "-q", cwd=project).stdout
    assert concise == "bad.py:2:12: MPL000 SyntaxError: invalid syntax\n"


def test_full_format_shows_the_line_and_carets(project: Path) -> None:
    (project / "bad.py").write_text(SYNTAX_ERROR)
    result = run_cli("check", "--output-format", "text", cwd=project)
    assert result.stdout == (
        "bad.py:2:12: MPL000 SyntaxError: invalid syntax\n"
        "  |\n"
        "2 | def broken(:\n"
        "  |            ^\n"
        "  |\n"
        "\n"
        "Found 1 error.\n"
    )


def test_quiet_drops_the_summary(project: Path) -> None:
    result = run_cli("check", "-q", cwd=project)
    assert result.returncode == 0
    assert result.stdout == ""


def test_statistics(project: Path) -> None:
    (project / "a.py").write_text(SYNTAX_ERROR)
    (project / "b.py").write_text(SYNTAX_ERROR)
    result = run_cli("check", "--statistics", cwd=project)
    assert result.returncode == 1
    assert result.stdout == "2\tMPL000\tsyntax-error\n"
    data = json.loads(run_cli("check", "--statistics", "--output-format", "json", cwd=project).stdout)
    assert data == [{"code": "MPL000", "name": "syntax-error", "count": 2, "fixable": False}]


def test_rule_command(project: Path) -> None:
    result = run_cli("rule", "MPL000", cwd=project)
    assert result.returncode == 0
    assert result.stdout.startswith("# syntax-error (MPL000)\n")
    assert "## Why is this bad?" in result.stdout
    by_name = run_cli("rule", "syntax-error", cwd=project)
    assert by_name.stdout == result.stdout
    data = json.loads(run_cli("rule", "MPL000", "--output-format", "json", cwd=project).stdout)
    assert data["code"] == "MPL000"
    assert data["url"].endswith("#syntax-error-mpl000")
    everything = json.loads(run_cli("rule", "--all", "--output-format", "json", cwd=project).stdout)
    assert [rule["code"] for rule in everything][0] == "MPL000"
    assert len(everything) >= 4


def test_unreadable_file_is_reported_and_the_run_goes_on(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "locked.py").write_text(CLEAN)
    (project / "z_bad.py").write_text(SYNTAX_ERROR)
    from mplint.commands import check as check_command

    real_read = check_command.read_regular_file

    def read(path: Path) -> bytes:
        if path.name == "locked.py":
            raise PermissionError(13, "Permission denied")
        return real_read(path)

    monkeypatch.setattr(check_command, "read_regular_file", read)
    monkeypatch.chdir(project)
    result = run_main(monkeypatch, "check", "--output-format", "concise")
    assert result.code == 2
    assert result.stderr == "error: cannot read locked.py: Permission denied\n"
    assert result.out.startswith("z_bad.py:2:12: MPL000")


def test_internal_error_is_reported_and_the_run_goes_on(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "a.py").write_text(CLEAN)
    (project / "b.py").write_text(CLEAN)

    def failing(text: str, path: str, settings: object) -> list[object]:
        if path.endswith("a.py"):
            raise InternalError(f"{path}: ValueError: boom")
        return []

    monkeypatch.setattr("mplint.processing.check_text", failing)
    monkeypatch.chdir(project)
    result = run_main(monkeypatch, "check")
    assert result.code == 2
    assert result.stderr == "error: internal error while checking a.py: ValueError: boom\n"
    assert "All checks passed!" not in result.out


def test_exit_zero_does_not_hide_errors(project: Path) -> None:
    assert run_cli("check", "--exit-zero", "missing", cwd=project).returncode == 2


def test_main_returns_the_code(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    assert run_main(monkeypatch, "check").code == 0
    assert run_main(monkeypatch, "--version").out == f"mplint {mplint.__version__}\n"
    assert run_main(monkeypatch, "check", "--help").code == 0
