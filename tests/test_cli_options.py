"""The configuration options of ``mplint check``, run for real in temporary projects."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import PROXY, UNGUARDED, run_cli

NO_COLOR_ENV = {"NO_COLOR": "", "FORCE_COLOR": ""}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def found(project: Path, *args: str, cwd: Path | None = None) -> list[tuple[str, str]]:
    """(path relative to the project, code) of every diagnostic of ``mplint check ARGS``."""
    result = run_cli("check", "--output-format", "json", *args, cwd=cwd or project)
    assert result.returncode in (0, 1), result.stderr
    return sorted(
        (Path(item["filename"]).relative_to(project).as_posix(), item["code"])
        for item in json.loads(result.stdout)
    )


def assert_error(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2
    assert result.stderr == f"error: {message}\n"
    assert "Traceback" not in result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "app.py", PROXY)
    write(tmp_path / "script.py", UNGUARDED)
    return tmp_path


# -- configuration files ------------------------------------------------------------------------------


def test_hierarchical_configuration(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.mplint]\nselect = ["MPL001"]\n')
    write(project / "sub" / "mplint.toml", 'select = ["MPL002"]\n')
    write(project / "sub" / "a.py", PROXY)
    write(project / "sub" / "b.py", UNGUARDED)
    write(project / "other" / "pyproject.toml", "[tool.black]\n")  # not a config file: the root one applies
    write(project / "other" / "c.py", PROXY)
    assert found(project) == [("app.py", "MPL001"), ("other/c.py", "MPL001"), ("sub/b.py", "MPL002")]
    # checked from the subdirectory, the same files get the same settings
    assert found(project, "..", cwd=project / "sub") == found(project)


def test_extend_inherits_from_another_file(project: Path) -> None:
    write(
        project / "shared" / "base.toml", 'select = ["MPL001", "MPL002"]\nextend-exclude = ["skipped.py"]\n'
    )
    write(project / "mplint.toml", 'extend = "shared/base.toml"\nignore = ["MPL002"]\n')
    write(project / "shared" / "skipped.py", PROXY)
    assert found(project) == [("app.py", "MPL001")]


def test_config_option_uses_exactly_that_file(project: Path) -> None:
    write(project / "mplint.toml", 'select = ["MPL001"]\n')
    write(project / "sub" / "mplint.toml", 'select = ["MPL001"]\n')
    write(project / "sub" / "b.py", UNGUARDED)
    write(project / "ci.toml", 'select = ["MPL002"]\n')
    assert found(project, "--config", "ci.toml") == [("script.py", "MPL002"), ("sub/b.py", "MPL002")]


def test_isolated_ignores_configuration_files(project: Path) -> None:
    write(project / "mplint.toml", 'select = ["MPL001"]\n')
    assert found(project, "--isolated") == [("app.py", "MPL001"), ("script.py", "MPL002")]


def test_command_line_beats_configuration(project: Path) -> None:
    write(project / "mplint.toml", 'select = ["MPL001"]\noutput-format = "concise"\n')
    assert found(project, "--select", "MPL002") == [("script.py", "MPL002")]  # replaces the selection
    assert found(project, "--extend-select", "MPL002") == [("app.py", "MPL001"), ("script.py", "MPL002")]
    assert found(project, "--ignore", "MPL001") == []
    concise = run_cli("check", cwd=project)
    assert concise.stdout.startswith("app.py:5:5: MPL001 [*] ")  # the configured output format


def test_unsafe_fixes_and_fix_safety_from_configuration(project: Path) -> None:
    write(project / "mplint.toml", 'unsafe-fixes = true\nextend-unsafe-fixes = ["MPL001"]\n')
    result = run_cli("check", "--fix", cwd=project)
    assert result.returncode == 0, result.stdout
    assert 'if __name__ == "__main__":' in (project / "script.py").read_text()
    assert "tmp = m[0]" in (project / "app.py").read_text()
    write(project / "app.py", PROXY)
    write(project / "mplint.toml", 'extend-unsafe-fixes = ["MPL001"]\n')
    result = run_cli("check", "--output-format", "concise", "--select", "MPL001", cwd=project)
    assert "MPL001 [*]" not in result.stdout
    assert "1 hidden fix can be enabled with the --unsafe-fixes option" in result.stdout
    write(project / "script.py", UNGUARDED)
    write(project / "mplint.toml", 'extend-safe-fixes = ["missing-main-guard"]\n')
    result = run_cli("check", "--fix", "--select", "MPL002", cwd=project)
    assert result.stdout == "Found 1 error (1 fixed, 0 remaining).\n"


def test_start_methods_from_configuration(project: Path) -> None:
    write(project / "mplint.toml", 'start-methods = ["fork"]\n')
    assert found(project) == [("app.py", "MPL001")]  # only spawn and forkserver re-import the module
    assert found(project, "--start-methods", "spawn") == [("app.py", "MPL001"), ("script.py", "MPL002")]


def test_per_file_ignores_with_negation(project: Path) -> None:
    write(
        project / "pyproject.toml",
        '[tool.mplint.per-file-ignores]\n"tests/*" = ["MPL001"]\n"!tests/*" = ["missing-main-guard"]\n',
    )
    write(project / "tests" / "deep" / "test_a.py", PROXY + UNGUARDED.replace("from multiprocessing", "#"))
    assert found(project) == [("app.py", "MPL001"), ("tests/deep/test_a.py", "MPL002")]
    # on the command line the glob is relative to the working directory, and replaces the configured ones
    assert found(project, "--per-file-ignores", "app.py:MPL001", "--per-file-ignores", "!app.py:MPL002") == [
        ("tests/deep/test_a.py", "MPL001"),
    ]


# -- which files are checked ----------------------------------------------------------------------------


def test_exclude_and_extend_exclude(project: Path) -> None:
    write(project / "build" / "gen.py", PROXY)
    write(project / "vendor" / "lib.py", PROXY)
    write(project / "vendor" / "keep.py", PROXY)
    assert found(project, "--select", "MPL001") == [
        ("app.py", "MPL001"),
        ("vendor/keep.py", "MPL001"),
        ("vendor/lib.py", "MPL001"),
    ]
    write(project / "mplint.toml", 'extend-exclude = ["vendor/*", "!vendor/keep.py"]\n')
    assert found(project, "--select", "MPL001") == [("app.py", "MPL001"), ("vendor/keep.py", "MPL001")]
    # --exclude replaces the default exclusions, so build/ is checked
    assert found(project, "--select", "MPL001", "--exclude", "app.py") == [
        ("build/gen.py", "MPL001"),
        ("vendor/keep.py", "MPL001"),
    ]
    assert found(project, "--select", "MPL001", "--extend-exclude", "app.py,vendor") == []


def test_gitignore_is_respected_inside_a_git_work_tree(project: Path) -> None:
    write(project / ".gitignore", "generated/\n*_gen.py\n")
    write(project / "generated" / "a.py", PROXY)
    write(project / "pkg" / "x_gen.py", PROXY)
    write(project / "pkg" / ".gitignore", "!x_gen.py\n")
    everything = [
        ("app.py", "MPL001"),
        ("generated/a.py", "MPL001"),
        ("pkg/x_gen.py", "MPL001"),
    ]
    assert found(project, "--select", "MPL001") == everything  # not a git work tree yet
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, timeout=60)
    assert found(project, "--select", "MPL001") == [("app.py", "MPL001"), ("pkg/x_gen.py", "MPL001")]
    assert found(project, "--select", "MPL001", "--no-respect-gitignore") == everything
    write(project / "mplint.toml", "respect-gitignore = false\n")
    assert found(project, "--select", "MPL001") == everything
    assert found(project, "--select", "MPL001", "--respect-gitignore") == everything[::2]
    # a file named on the command line is checked even when git ignores it
    assert found(project, "--select", "MPL001", "generated/a.py") == [("generated/a.py", "MPL001")]


def test_force_exclude_applies_to_named_paths(project: Path) -> None:
    write(project / "mplint.toml", 'extend-exclude = ["migrations"]\n')
    write(project / "migrations" / "m1.py", PROXY)
    named = ("--select", "MPL001", "migrations/m1.py", "app.py")
    assert found(project, *named) == [("app.py", "MPL001"), ("migrations/m1.py", "MPL001")]
    assert found(project, "--force-exclude", *named) == [("app.py", "MPL001")]
    write(project / "mplint.toml", 'extend-exclude = ["migrations"]\nforce-exclude = true\n')
    assert found(project, *named) == [("app.py", "MPL001")]
    assert found(project, "--no-force-exclude", *named) == [
        ("app.py", "MPL001"),
        ("migrations/m1.py", "MPL001"),
    ]
    # standard input named as an excluded file is passed through untouched
    stdin = run_cli(
        "check", "--fix", "--stdin-filename", "migrations/m1.py", cwd=project, stdin=PROXY.encode()
    )
    assert (stdin.returncode, stdin.stdout) == (0, PROXY)


def test_show_files(project: Path) -> None:
    write(project / "build" / "gen.py", PROXY)
    result = run_cli("check", "--show-files", cwd=project)
    assert result.returncode == 0
    assert result.stdout == f"{project / 'app.py'}\n{project / 'script.py'}\n"


def test_show_settings(project: Path) -> None:
    write(
        project / "pyproject.toml",
        '[tool.mplint]\nignore = ["MPL00"]\nextend-select = ["MPL001"]\nexclude = ["old"]\n'
        'unsafe-fixes = false\noutput-format = "concise"\nstart-methods = ["spawn"]\n'
        'extend-safe-fixes = ["MPL002"]\n[tool.mplint.per-file-ignores]\n"scripts/*" = ["MPL003"]\n',
    )
    result = run_cli("check", "--show-settings", "app.py", cwd=project)
    assert result.returncode == 0, result.stderr
    settings = result.stdout.splitlines()
    assert settings[:4] == [
        "Resolved settings for: app.py",
        "Settings path: pyproject.toml",
        "Project root: .",
        "",
    ]
    assert settings[4].startswith('select = ["MPL001", "MPL010", "MPL011", "MPL100"')
    assert settings[5:] == [
        'per-file-ignores = { "scripts/*" = ["MPL003"] }',
        'exclude = ["old"]',
        "respect-gitignore = true",
        "force-exclude = false",
        "unsafe-fixes = false",
        'extend-safe-fixes = ["MPL002"]',
        "extend-unsafe-fixes = []",
        'output-format = "concise"',
        'start-methods = ["spawn"]',
        'fixable = ["MPL000", "MPL001", "MPL002", "MPL003", "MPL004", "MPL005", "MPL006", "MPL007", '
        '"MPL008", "MPL009", "MPL010", "MPL011", "MPL100"]',
        "fix = false",
        'severity = { MPL000 = "error", MPL001 = "error", MPL002 = "error", MPL003 = "warning", '
        'MPL004 = "error", MPL005 = "error", MPL006 = "error", MPL007 = "error", MPL008 = "error", '
        'MPL009 = "error", MPL010 = "error", MPL011 = "warning", MPL100 = "warning" }',
        "# baseline is not set: every diagnostic is reported",
        "max-file-size = 10000000",
    ]
    isolated = run_cli("check", "--show-settings", "--isolated", "app.py", cwd=project)
    assert "Settings path: none (default settings)" in isolated.stdout
    empty = write(project / "empty" / "notes.txt", "")
    assert_error(
        run_cli("check", "--show-settings", str(empty.parent), cwd=project),
        "no files found under the given paths",
    )


def test_verbose_says_which_configuration_and_what_is_skipped(project: Path) -> None:
    write(project / "sub" / "mplint.toml", "")
    write(project / "sub" / "b.py", PROXY)
    write(project / "build" / "gen.py", PROXY)
    write(project / "mplint.toml", 'extend-exclude = ["script.py"]\n')
    result = run_cli("check", "-v", "--select", "MPL001", cwd=project)
    assert result.stderr.splitlines() == [
        "debug: build: skipped, excluded by 'build' in the default exclusions",
        "debug: script.py: skipped, excluded by 'script.py' in mplint.toml",
        "debug: app.py: checked with mplint.toml",
        f"debug: {os.path.join('sub', 'b.py')}: checked with {os.path.join('sub', 'mplint.toml')}",
    ]
    quiet = run_cli("check", "--select", "MPL001", cwd=project)
    assert quiet.stderr == ""


# -- --add-noqa --------------------------------------------------------------------------------------


def test_add_noqa_suppresses_everything_once(project: Path) -> None:
    first = run_cli("check", "--add-noqa", cwd=project)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "Added 2 noqa directives.\n")
    assert '    m[0]["id"] = 2  # noqa: MPL001\n' in (project / "app.py").read_text()
    assert "p.start()  # noqa: MPL002\n" in (project / "script.py").read_text()
    again = run_cli("check", "--add-noqa", cwd=project)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    check = run_cli("check", cwd=project)
    assert (check.returncode, check.stdout) == (0, "All checks passed!\n")


def test_add_noqa_merges_with_existing_directives_and_keeps_bytes(project: Path) -> None:
    source = UNGUARDED.replace("p.start()\n", "p.start()  # noqa: E501 long line\n").replace("\n", "\r\n")
    (project / "script.py").write_bytes(source.encode())
    (project / "app.py").unlink()
    result = run_cli("check", "--add-noqa", cwd=project)
    assert result.stderr == "Added 1 noqa directive.\n"
    assert (project / "script.py").read_bytes() == source.replace("E501", "E501, MPL002").encode()


def test_add_noqa_leaves_lines_a_comment_cannot_end(project: Path) -> None:
    inside = PROXY.replace(
        'm[0]["id"] = 2', 'm[0]["id"] = """two\nlines"""\n    m[0]["x"] = 1 + \\\n        2'
    )
    write(project / "app.py", inside)
    result = run_cli("check", "--add-noqa", "app.py", cwd=project)
    assert (result.returncode, result.stderr) == (0, "")
    assert (project / "app.py").read_text() == inside
    assert [code for _, code in found(project, "app.py")] == ["MPL001", "MPL001"]


def test_add_noqa_with_a_reason(project: Path) -> None:
    result = run_cli("check", "--add-noqa=legacy code", "script.py", cwd=project)
    assert result.returncode == 0
    assert "p.start()  # noqa: MPL002 legacy code\n" in (project / "script.py").read_text()
    assert (project / "app.py").read_text() == PROXY


def test_add_noqa_conflicts(project: Path) -> None:
    assert_error(run_cli("check", "--add-noqa", "--fix", cwd=project), "--add-noqa cannot be used with --fix")
    assert_error(
        run_cli("check", "--add-noqa", "-", cwd=project, stdin=b""), "--add-noqa cannot be used with -"
    )
    # the reason is only taken with '=': a path after a bare --add-noqa stays a path
    result = run_cli("check", "--add-noqa", "script.py", cwd=project)
    assert (result.returncode, result.stderr) == (0, "Added 1 noqa directive.\n")
    assert (project / "app.py").read_text() == PROXY


# -- colours --------------------------------------------------------------------------------------------


def test_color_always_and_never(project: Path) -> None:
    always = run_cli("check", "--color", "always", "--select", "MPL001", cwd=project, env=NO_COLOR_ENV)
    assert always.stdout.startswith("\x1b[1mapp.py\x1b[0m\x1b[36m:\x1b[0m5\x1b[36m:\x1b[0m5")
    assert "\x1b[1;31mMPL001\x1b[0m \x1b[36m[*]\x1b[0m" in always.stdout
    concise = run_cli("check", "--color=always", "--output-format", "concise", cwd=project, env=NO_COLOR_ENV)
    assert "\x1b[1;31mMPL002\x1b[0m" in concise.stdout
    never = run_cli("check", "--color", "never", cwd=project, env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in never.stdout
    as_json = run_cli("check", "--color", "always", "--output-format", "json", cwd=project)
    assert "\x1b[" not in as_json.stdout


def test_color_auto_follows_the_environment(project: Path) -> None:
    assert "\x1b[" not in run_cli("check", cwd=project, env=NO_COLOR_ENV).stdout  # a pipe
    assert "\x1b[" in run_cli("check", cwd=project, env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout
    assert "\x1b[" not in run_cli("check", cwd=project, env={"FORCE_COLOR": "0", "NO_COLOR": ""}).stdout
    report = project / "report.txt"
    run_cli("check", "--color", "always", "-o", str(report), cwd=project)
    assert "\x1b[" not in report.read_text()


def run_on_terminal(project: Path, env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "mplint", "check", "--output-format", "concise"],
            cwd=project,
            stdin=subprocess.DEVNULL,
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **env},
            timeout=120,
            check=False,
        )
        os.close(follower)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything is read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(not hasattr(pty, "openpty") or sys.platform == "win32", reason="needs a pseudo-terminal")
def test_color_auto_on_a_terminal(project: Path) -> None:
    assert "\x1b[1;31mMPL001" in run_on_terminal(project, NO_COLOR_ENV)
    assert "\x1b[" not in run_on_terminal(project, {"NO_COLOR": "1", "FORCE_COLOR": ""})


# -- errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "pyproject.toml",
            "[tool.mplint]\nselect = 3\n",
            "pyproject.toml: [tool.mplint] select: expected a list of strings, got int",
        ),
        ("mplint.toml", "sellect = []\n", "mplint.toml: sellect: unknown key (did you mean 'select'?)"),
        (
            ".mplint.toml",
            'extend-select = ["MPL9"]\n',
            ".mplint.toml: extend-select: unknown rule selector: 'MPL9'",
        ),
        (
            "pyproject.toml",
            '[tool.mplint]\nper-file-ignores = { "*.py" = ["nope"] }\n',
            "pyproject.toml: [tool.mplint] per-file-ignores.\"*.py\": unknown rule selector: 'nope'",
        ),
        ("mplint.toml", "unsafe-fixes = 1\n", "mplint.toml: unsafe-fixes: expected a boolean, got int"),
        ("mplint.toml", "select = [", "mplint.toml: invalid TOML: "),
        ("mplint.toml", 'extend = "mplint.toml"\n', "circular extend: mplint.toml -> mplint.toml"),
    ],
)
def test_configuration_errors(project: Path, name: str, text: str, message: str) -> None:
    write(project / name, text)
    for args in (("check",), ("check", "--show-settings"), ("check", "--add-noqa")):
        result = run_cli(*args, cwd=project)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.startswith(f"error: {message}")
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert (project / "app.py").read_text() == PROXY


def test_a_broken_configuration_deeper_in_the_tree_stops_the_run(project: Path) -> None:
    write(project / "pkg" / "sub" / "mplint.toml", "start-methods = ['thread']\n")
    result = run_cli("check", cwd=project)
    assert_error(
        result,
        f"{os.path.join('pkg', 'sub', 'mplint.toml')}: start-methods: unknown start method 'thread' "
        "(expected some of fork, spawn, forkserver)",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config", "missing.toml"], "--config: no such file: missing.toml"),
        (
            ["--config", "not a setting"],
            "invalid value 'not a setting' for '--config': a --config flag must either be a path to a "
            "'.toml' configuration file or a TOML 'KEY = VALUE' pair",
        ),
        (["--config", "selct = []"], "--config: selct: unknown key (did you mean 'select'?)"),
        (
            ["--config", 'severity = { MPL003 = "fatal" }'],
            "--config: severity.MPL003: unknown severity 'fatal'",
        ),
        (["--config", "mplint.toml", "--config", "mplint.toml"], "you cannot specify more than one"),
        (["--output-format", "xml"], "invalid value 'xml' for '--output-format'"),
        (["--watch", "--diff"], "--watch cannot be used with --diff"),
        (["--update-baseline", "--fix"], "--update-baseline cannot be used with --fix"),
        (["--fixable", "MPL9"], "unknown rule selector: 'MPL9'"),
        (["--config", "mplint.toml", "--isolated"], "--config cannot be used with --isolated"),
        (["--per-file-ignores", "tests"], "--per-file-ignores: expected GLOB:RULES, got 'tests'"),
        (["--per-file-ignores", "tests/*:MPL9"], "unknown rule selector: 'MPL9'"),
        (["--exclude", "[x"], "--exclude: invalid glob '[x': unclosed '['"),
        (
            ["--color", "sometimes"],
            "argument --color: invalid choice: 'sometimes'",
        ),
    ],
)
def test_command_line_errors(project: Path, args: list[str], message: str) -> None:
    write(project / "mplint.toml", "")
    result = run_cli("check", *args, cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}")
    assert result.stderr.count("\n") == 1
