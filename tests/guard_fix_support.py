"""Running a program before and after MPL002's fix: the fork run before, the spawn and forkserver runs after,
and their comparison (tests/test_main_guard_fix_runs.py, tests/test_fuzz.py)."""

from __future__ import annotations

import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mp_harness as h
from program_strategies import GuardProgram

from mplint.diagnostics import Applicability
from tests.rule_support import diagnostics

REIMPORTING = ("spawn", "forkserver")
FIXED_TIMEOUT = 30.0


def write(directory: Path, name: str, source: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def apply_fix(path: Path) -> str:
    """Fix ``path`` in place with ``mplint check --fix --unsafe-fixes --select MPL002``; its new text."""
    result = h.run_mplint(
        ["check", "--fix", "--unsafe-fixes", "--select", "MPL002", str(path)], cwd=path.parent
    )
    assert "Traceback" not in result.stderr, result.stderr
    return path.read_text(encoding="utf-8")


def assert_same_behaviour(before: h.RunResult, after: dict[str, h.RunResult], text: str) -> None:
    assert before.returncode == 0 and not before.timed_out, before.describe()
    problems = [
        f"{method}: {result.describe()}"
        for method, result in after.items()
        if (result.returncode, result.stdout) != (0, before.stdout)
    ]
    assert not problems, f"expected {before.stdout!r}:\n" + "\n\n".join(problems) + "\n--- fixed ---\n" + text


def run_guard_program(directory: Path, program: GuardProgram, method: str) -> h.RunResult:
    directory.mkdir(parents=True, exist_ok=True)
    for name, source in program.text(method).items():
        (directory / name).write_text(source, encoding="utf-8")
    script = directory / "main.py"
    if method != "fork":
        apply_fix(script)
    if program.start_method_call:
        return h.run_script(script, FIXED_TIMEOUT)
    return h.run_program(script, "fork" if method == "fork" else method, FIXED_TIMEOUT)


def assert_fix_keeps_behaviour(directory: Path, program: GuardProgram) -> None:
    """Under fork before the fix, and under spawn and forkserver after it, the same output."""
    found = diagnostics(program.text("spawn")["main.py"], "MPL002")
    assert found, "the family's programs all start processes at import time"
    if not program.fixable:
        assert all(d.fix is not None and d.fix.applicability is Applicability.DISPLAY_ONLY for d in found)
        assert all(d.fix is not None and "by hand" in d.fix.message for d in found)
        directory.mkdir(parents=True, exist_ok=True)
        script = directory / "main.py"
        script.write_text(program.text("spawn")["main.py"], encoding="utf-8")
        assert apply_fix(script) == program.text("spawn")["main.py"], "an unfixable program was changed"
        return
    assert all(d.fix is not None and d.fix.applicability is Applicability.UNSAFE for d in found)
    methods = ("fork", *REIMPORTING)
    with ThreadPoolExecutor(len(methods)) as runs:  # each run waits on its own subprocess
        results = dict(
            zip(
                methods,
                runs.map(lambda m: run_guard_program(directory / m, program, m), methods),
                strict=True,
            )
        )
    before = results.pop("fork")
    after = results
    assert_same_behaviour(before, after, program.text("spawn")["main.py"])
