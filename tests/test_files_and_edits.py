"""Files and edits through the real command line, in a subprocess: an edit saved while ``--fix`` runs is
kept, named pipes and devices are refused without being opened, closed standard streams are handled,
and configuration chains of any length are followed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run_cli

PITFALL = (
    "from multiprocessing import Process\n"
    "\n"
    "\n"
    "def work(x):\n"
    "    print(x)\n"
    "\n"
    "\n"
    'if __name__ == "__main__":\n'
    "    p = Process(target=work, args=(1))\n"
    "    p.start()\n"
    "    p.join()\n"
)
FIXED = PITFALL.replace("args=(1))", "args=(1,))")
SAVED = "# saved by the editor\n"


def mplint(*args: str) -> list[str]:
    return [sys.executable, "-m", "mplint", *args]


def run_closed(
    redirection: str, *args: str, cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m mplint ARGS`` from a shell that closes a standard descriptor first
    (``redirection`` is ``<&-``, ``>&-`` or ``2>&-``); the other streams are captured."""
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {redirection}', "sh", *mplint(*args)],
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )


# -- an edit saved during --fix -------------------------------------------------------------------


def test_a_line_appended_while_a_long_fix_runs_is_kept(tmp_path: Path) -> None:
    """The issue's reproduction: ``slow.py`` keeps the run busy, and a line is appended to ``small.py``
    as soon as mplint says it has read it (its ``--verbose`` line). Whether the line lands before
    the fix is written (then mplint must leave the file alone, with a warning) or after (then the
    file is fixed and the line follows), the line is never lost."""
    functions = "".join(f"def f{index}(x):\n    return x + {index}\n\n\n" for index in range(10_000))
    (tmp_path / "slow.py").write_text(PITFALL.replace("def work", functions + "def work"))
    small = tmp_path / "small.py"
    small.write_text(PITFALL)
    process = subprocess.Popen(
        mplint("check", "--isolated", "--no-cache", "--fix", "--verbose", "--output-format", "concise", "."),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        stderr = []
        for line in process.stderr:
            stderr.append(line)
            if line.startswith("debug: small.py: "):
                with small.open("a") as handle:
                    handle.write(SAVED)
                break
        stdout, rest = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    messages = "".join(stderr) + rest
    assert "Traceback" not in messages
    warned = "warning: not fixing small.py: it changed while it was being checked" in messages
    assert small.read_text() == (PITFALL if warned else FIXED) + SAVED
    assert "args=(1,))" in (tmp_path / "slow.py").read_text()
    assert process.returncode == (1 if warned else 0), (stdout, messages)


# -- files that are not regular files ---------------------------------------------------------------


@pytest.mark.parametrize("fix", [False, True], ids=["check", "fix"])
def test_a_named_pipe_on_the_command_line_is_refused(tmp_path: Path, fix: bool) -> None:
    """Reading a named pipe would wait for a writer forever: it is refused from its ``stat``, and the
    other files are still checked (and fixed)."""
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zz_pitfall.py").write_text(PITFALL)
    result = run_cli(
        "check",
        "--isolated",
        "--no-cache",
        *(["--fix"] if fix else []),
        "pipe.py",
        "zz_pitfall.py",
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == "error: cannot read pipe.py: not a regular file (a named pipe)"
    assert "Traceback" not in result.stderr
    assert ("args=(1,))" in (tmp_path / "zz_pitfall.py").read_text()) == fix
    if not fix:
        assert "zz_pitfall.py:9:" in result.stdout


def test_a_device_on_the_command_line_is_refused(tmp_path: Path) -> None:
    """``/dev/zero`` never ends: reading it ended in MemoryError."""
    (tmp_path / "zz_pitfall.py").write_text(PITFALL)
    result = run_cli("check", "--isolated", "--no-cache", "/dev/zero", "zz_pitfall.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: cannot read /dev/zero: not a regular file (a character device)\n"
    assert "zz_pitfall.py:9:" in result.stdout


def test_add_noqa_refuses_a_named_pipe(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    result = run_cli("check", "--isolated", "--no-cache", "--add-noqa", "pipe.py", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "error: cannot read pipe.py: not a regular file (a named pipe)\n",
    )


# -- closed standard streams ------------------------------------------------------------------------


def test_fixing_standard_input_when_it_is_closed_is_an_error(tmp_path: Path) -> None:
    for args in (("--fix", "--stdin-filename", "x.py"), ("-",)):
        result = run_closed("<&-", "check", "--isolated", "--no-cache", *args, cwd=tmp_path)
        assert (result.returncode, result.stdout) == (2, b""), args
        assert result.stderr == b"error: cannot read standard input: it is closed\n", args


def test_a_closed_standard_output_discards_the_report(tmp_path: Path) -> None:
    """As in Ruff, a closed standard output is a sink: no error, and the exit code the diagnostics give;
    fixes are still written."""
    (tmp_path / "zz_pitfall.py").write_text(PITFALL)
    checked = run_closed(">&-", "check", "--isolated", "--no-cache", ".", cwd=tmp_path)
    assert (checked.returncode, checked.stderr) == (1, b"")
    fixed = run_closed(">&-", "check", "--isolated", "--no-cache", "--fix", ".", cwd=tmp_path)
    assert (fixed.returncode, fixed.stderr) == (0, b"")
    assert (tmp_path / "zz_pitfall.py").read_text() == FIXED
    assert sorted(os.listdir(tmp_path)) == ["zz_pitfall.py"]


def test_fixing_standard_input_into_a_closed_standard_output_is_refused(tmp_path: Path) -> None:
    """The fixed source is all that such a run makes: discarding it would lose the edit."""
    result = run_closed(
        ">&-",
        "check",
        "--isolated",
        "--fix",
        "--stdin-filename",
        "x.py",
        cwd=tmp_path,
        stdin=PITFALL.encode(),
    )
    assert result.returncode == 2
    assert result.stderr == b"error: standard output is closed: there is nowhere to write the fixed source\n"


def test_a_closed_standard_error_keeps_errors_out_of_the_diff(tmp_path: Path) -> None:
    """With standard error closed, error messages went to standard output, into the diff."""
    (tmp_path / "zz_pitfall.py").write_text(PITFALL)
    result = run_closed(
        "2>&-", "check", "--isolated", "--no-cache", "--diff", "missing.py", "zz_pitfall.py", cwd=tmp_path
    )
    assert result.returncode == 2
    diff = result.stdout.decode()
    assert diff.startswith("--- zz_pitfall.py\n+++ zz_pitfall.py\n"), diff
    assert "error" not in diff and "Would fix" not in diff
    assert "+    p = Process(target=work, args=(1,))\n" in diff


def test_a_closed_standard_error_does_not_change_the_exit_code(tmp_path: Path) -> None:
    (tmp_path / "zz_pitfall.py").write_text(PITFALL)
    result = run_closed("2>&-", "check", "--isolated", "--no-cache", "--fix", "missing.py", ".", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, b"Found 1 error (1 fixed, 0 remaining).\n")
    assert (tmp_path / "zz_pitfall.py").read_text() == FIXED


# -- configuration chains and deep trees -------------------------------------------------------------


def write_chain(directory: Path, length: int, last: str) -> None:
    """``mplint.toml`` extending ``c0.toml``, which extends ``c1.toml``... up to ``c{length}.toml``,
    which holds ``last``."""
    (directory / "mplint.toml").write_text('extend = "c0.toml"\n')
    for index in range(length):
        (directory / f"c{index}.toml").write_text(f'extend = "c{index + 1}.toml"\n')
    (directory / f"c{length}.toml").write_text(last)


def test_a_three_thousand_file_extend_chain(tmp_path: Path) -> None:
    """Followed in a loop (it was a RecursionError): the last file's selection applies."""
    write_chain(tmp_path, 3000, 'select = ["MPL003"]\n')
    (tmp_path / "zz_pitfall.py").write_text(PITFALL)
    result = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "All checks passed!\n", "")
    (tmp_path / "c3000.toml").write_text('select = ["MPL006"]\n')
    result = run_cli("check", "--no-cache", "--output-format", "concise", ".", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.startswith("zz_pitfall.py:9:36: MPL006 ")


def test_a_cycle_at_the_end_of_a_long_chain(tmp_path: Path) -> None:
    write_chain(tmp_path, 3000, 'extend = "c2000.toml"\n')
    (tmp_path / "zz_pitfall.py").write_text(PITFALL)
    result = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "error: circular extend: c2000.toml -> c2001.toml -> c2002.toml -> c2003.toml -> ... (993 more) "
        "-> c2997.toml -> c2998.toml -> c2999.toml -> c3000.toml -> c2000.toml\n"
    )


def test_a_file_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    """The searches for a file's configuration and git work tree walk up its directories in a loop
    (the directory named on the command line is checked against the ignore files of every parent)."""
    depth = sys.getrecursionlimit() + 100
    relative = Path(*["d"] * depth)
    deepest = tmp_path
    for _ in range(depth):  # Path.mkdir(parents=True) would recurse as deep
        deepest = deepest / "d"
        deepest.mkdir()
    try:
        (deepest / "zz_pitfall.py").write_text(PITFALL)
        (tmp_path / "mplint.toml").write_text('select = ["MPL006"]\n')
        result = run_cli("check", "--no-cache", "--output-format", "concise", str(relative), cwd=tmp_path)
        assert (result.returncode, result.stderr) == (1, "")
        assert result.stdout.startswith(str(relative / "zz_pitfall.py") + ":9:36: MPL006 ")
    finally:  # removed here, bottom up: pytest's own clean-up of old temporary directories recurses
        (deepest / "zz_pitfall.py").unlink(missing_ok=True)
        while deepest != tmp_path:
            deepest.rmdir()
            deepest = deepest.parent
