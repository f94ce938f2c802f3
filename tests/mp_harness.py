"""Run fixture programs for real under each multiprocessing start method, and read their manifest.

A program is run unchanged, as ``python program.py`` would run it, except that a small launcher
first calls ``multiprocessing.set_start_method(method, force=True)``. The launcher runs the file
with ``runpy.run_path(path, run_name="__main__")``, so the program's ``__main__`` module has the
program's ``__file__`` and no ``__spec__``: under spawn and forkserver every child re-imports the
program as ``__mp_main__``, exactly as it does for a script. After the program's code has run, its
globals stay installed as ``__main__`` until the interpreter exits, as a script's do, so that
finalizers and exit handlers (pool termination, manager shutdown) see the same world.

Every run has a timeout and its own session: on timeout, or once the program has exited, the whole
process group is killed, so that no child, pool worker, manager server or fork server outlives it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

START_METHODS: tuple[str, ...] = ("fork", "spawn", "forkserver")
StrPath = str | os.PathLike[str]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
MANIFEST = FIXTURES / "rules" / "expectations.toml"

# How long a program that should finish may take (generous: the machine may be busy), and how long
# a program that should hang is watched before it is declared hung.
RUN_TIMEOUT = 60.0
HANG_TIMEOUT = 7.0
FIXED_TIMEOUT = 30.0

LAUNCHER = """\
import multiprocessing, os, runpy, sys, types
_method, _path = sys.argv[1], os.path.abspath(sys.argv[2])
multiprocessing.set_start_method(_method, force=True)
sys.argv = sys.argv[2:]
sys.path[0] = os.path.dirname(_path)
_globals = runpy.run_path(_path, run_name="__main__")
_main = types.ModuleType("__main__")
_main.__dict__.update(_globals)
sys.modules["__main__"] = _main
"""


@dataclass(frozen=True)
class RunResult:
    """What one run of a program did."""

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool

    def describe(self) -> str:
        state = "timed out" if self.timed_out else f"exit code {self.returncode}"
        return f"{state}\n--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}"


def program_env() -> dict[str, str]:
    """A program's environment: fixed hash seed, no bytecode files, unbuffered UTF-8 output."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONSTARTUP", "PYTHONWARNINGS", "PYTHONINSPECT"}
    }
    env.update(
        {
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "PYTHONIOENCODING": "utf-8",
        }
    )
    return env


class _Launched:
    """One started program: its process, its output files and its working directory.

    ``start_method`` None runs the file as ``python program.py`` runs it, with the platform's default
    start method, for programs that choose their start method themselves."""

    def __init__(self, path: Path, start_method: str | None) -> None:
        if start_method is not None and start_method not in START_METHODS:
            raise ValueError(f"unknown start method: {start_method!r}")
        self.workdir = tempfile.mkdtemp(prefix=f"mpfixture-{start_method or 'script'}-")
        self.stdout: IO[bytes] = tempfile.TemporaryFile()
        self.stderr: IO[bytes] = tempfile.TemporaryFile()
        program = str(Path(path).resolve())
        launch = ["-c", LAUNCHER, start_method, program] if start_method else [program]
        self.process = subprocess.Popen(
            [sys.executable, *launch],
            stdin=subprocess.DEVNULL,
            stdout=self.stdout,
            stderr=self.stderr,
            cwd=self.workdir,
            env=program_env(),
            start_new_session=True,
        )

    def _kill_group(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def finish(self, deadline: float) -> RunResult:
        """Wait until ``deadline`` (``time.monotonic()``), then kill what is left and collect."""
        timed_out = False
        try:
            self.process.wait(timeout=max(deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            timed_out = True
        # Whether or not the program finished, nothing it started may survive it.
        self._kill_group()
        self.process.wait()
        try:
            return RunResult(
                returncode=None if timed_out else self.process.returncode,
                stdout=_read(self.stdout),
                stderr=_read(self.stderr),
                timed_out=timed_out,
            )
        finally:
            self.stdout.close()
            self.stderr.close()
            shutil.rmtree(self.workdir, ignore_errors=True)


def _read(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode("utf-8", errors="replace")


def run_program(path: StrPath, start_method: str, timeout: float = RUN_TIMEOUT) -> RunResult:
    """Run the program at ``path`` under ``start_method`` in a fresh temporary directory."""
    launched = _Launched(Path(path), start_method)
    return launched.finish(time.monotonic() + timeout)


def run_script(path: StrPath, timeout: float = RUN_TIMEOUT) -> RunResult:
    """Run the program at ``path`` as ``python program.py`` in a fresh temporary directory."""
    launched = _Launched(Path(path), None)
    return launched.finish(time.monotonic() + timeout)


def run_all_methods(
    path: StrPath,
    timeout: float | Mapping[str, float] = RUN_TIMEOUT,
    methods: Sequence[str] = START_METHODS,
) -> dict[str, RunResult]:
    """Run the program under every start method at once; ``timeout`` may differ by method."""
    limits = {m: timeout[m] if isinstance(timeout, Mapping) else timeout for m in methods}
    started = time.monotonic()
    launched = {method: _Launched(Path(path), method) for method in methods}
    # Waiting in order of deadline lets every run use its full time.
    by_deadline = sorted(methods, key=limits.__getitem__)
    finished = {m: launched[m].finish(started + limits[m]) for m in by_deadline}
    return {m: finished[m] for m in methods}


# --------------------------------------------------------------------------------------------------
# The manifest: fixtures/rules/expectations.toml


@dataclass(frozen=True)
class Expectation:
    """What the manifest records of one fixture file (its key is the path relative to fixtures/)."""

    key: str
    about: str
    diagnostics: tuple[str, ...]
    stdout: dict[str, str]
    hangs: frozenset[str]
    fails: frozenset[str]
    stderr_contains: dict[str, str]
    fixed_stdout: str | None

    @property
    def path(self) -> Path:
        return FIXTURES / self.key

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(item.split(":", 1)[0] for item in self.diagnostics)

    @property
    def fix_flags(self) -> list[str]:
        """The flags that apply this file's fix: MPL002's and MPL007's fixes are unsafe."""
        return ["--fix", "--unsafe-fixes"] if self.codes & UNSAFE_FIX_CODES else ["--fix"]

    @property
    def fixed_codes(self) -> frozenset[str]:
        return self.codes & FIXABLE_CODES

    def timeouts(self) -> dict[str, float]:
        return {m: HANG_TIMEOUT if m in self.hangs else RUN_TIMEOUT for m in START_METHODS}


FIXABLE_CODES = frozenset({"MPL001", "MPL002", "MPL006", "MPL007", "MPL009"})
UNSAFE_FIX_CODES = frozenset({"MPL002", "MPL007"})
_KEYS = {
    "about",
    "diagnostics",
    "stdout",
    "hangs",
    "fails",
    "stderr_contains",
    "fixed_stdout",
}


def _per_method(value: object, key: str, where: str) -> dict[str, str]:
    """A string for every start method, or a table keyed by start method."""
    if value is None:
        return {}
    if isinstance(value, str):
        return dict.fromkeys(START_METHODS, value)
    if isinstance(value, dict) and set(value) <= set(START_METHODS):
        if all(isinstance(v, str) for v in value.values()):
            return dict(value)
    raise ValueError(f"{where}: {key} must be a string or a table of start methods to strings")


def _methods(value: object, key: str, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, list) and set(value) <= set(START_METHODS):
        return frozenset(value)
    raise ValueError(f"{where}: {key} must be a list of start methods")


def _is_code_row(item: object) -> bool:
    return isinstance(item, str) and item.count(":") == 1 and item.split(":")[1].isdigit()


def load_manifest(path: Path = MANIFEST) -> dict[str, Expectation]:
    """Every entry of the manifest, checked for shape, by key."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    entries: dict[str, Expectation] = {}
    for key, raw in data.items():
        if not isinstance(raw, dict):
            raise ValueError(f"{key}: an entry must be a table")
        unknown = set(raw) - _KEYS
        if unknown:
            raise ValueError(f"{key}: unknown keys {sorted(unknown)}")
        diagnostics = raw.get("diagnostics")
        if not isinstance(diagnostics, list) or not all(map(_is_code_row, diagnostics)):
            raise ValueError(f'{key}: diagnostics must be a list like ["MPL001:12"]')
        hangs = _methods(raw.get("hangs"), "hangs", key)
        fails = _methods(raw.get("fails"), "fails", key)
        stdout = _per_method(raw.get("stdout"), "stdout", key)
        if hangs & fails:
            raise ValueError(f"{key}: a run cannot both hang and fail")
        if hangs & set(stdout):
            raise ValueError(f"{key}: a hanging run has no final stdout")
        missing = set(START_METHODS) - set(stdout) - hangs - fails
        if missing:
            raise ValueError(f"{key}: no expected behaviour for {sorted(missing)}")
        fixed = raw.get("fixed_stdout")
        if fixed is not None and not isinstance(fixed, str):
            raise ValueError(f"{key}: fixed_stdout must be a string")
        entries[key] = Expectation(
            key=key,
            about=str(raw.get("about", "")),
            diagnostics=tuple(diagnostics),
            stdout=stdout,
            hangs=hangs,
            fails=fails,
            stderr_contains=_per_method(raw.get("stderr_contains"), "stderr_contains", key),
            fixed_stdout=fixed,
        )
    return entries


def behaviour_problems(expectation: Expectation, results: Mapping[str, RunResult]) -> list[str]:
    """How the runs differ from what the manifest records (empty when they match)."""
    problems: list[str] = []
    for method, result in results.items():
        where = f"{expectation.key} under {method}"
        if method in expectation.hangs:
            if not result.timed_out:
                problems.append(f"{where}: expected a hang, got {result.describe()}")
            continue
        if result.timed_out:
            problems.append(f"{where}: expected to finish, got {result.describe()}")
            continue
        if method in expectation.fails:
            if result.returncode == 0:
                problems.append(f"{where}: expected a non-zero exit, got {result.describe()}")
        elif result.returncode != 0:
            problems.append(f"{where}: expected exit code 0, got {result.describe()}")
        if method in expectation.stdout and result.stdout != expectation.stdout[method]:
            problems.append(
                f"{where}: stdout {result.stdout!r} != expected {expectation.stdout[method]!r}\n"
                + result.describe()
            )
        needle = expectation.stderr_contains.get(method)
        if needle is not None and needle not in result.stderr:
            problems.append(f"{where}: stderr lacks {needle!r}\n" + result.describe())
    return problems


# --------------------------------------------------------------------------------------------------
# Running mplint itself


@dataclass(frozen=True)
class MplintResult:
    returncode: int
    stdout: str
    stderr: str


def run_mplint(args: Sequence[str], cwd: Path = ROOT, timeout: float = 120.0) -> MplintResult:
    """``python -m mplint ARGS`` with the interpreter running the tests."""
    completed = subprocess.run(
        [sys.executable, "-m", "mplint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env={**program_env(), "NO_COLOR": "1"},
    )
    return MplintResult(completed.returncode, completed.stdout, completed.stderr)


def mplint_json(path: Path) -> list[dict[str, Any]]:
    """The diagnostics of every rule on one file, from the JSON output format."""
    result = run_mplint(["check", "--output-format", "json", "--select", "ALL", str(path)])
    assert "Traceback" not in result.stderr, result.stderr
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(
            f"mplint gave no JSON (exit {result.returncode}): {exc}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}"
        ) from None
    assert isinstance(data, list), data
    return data


def diagnostic_rows(path: Path) -> list[str]:
    """mplint's diagnostics on ``path`` as sorted ``CODE:ROW`` strings."""
    return sorted(f"{d['code']}:{d['location']['row']}" for d in mplint_json(path))


def fix_copy(expectation: Expectation, directory: Path) -> Path:
    """Copy the fixture into ``directory`` and let ``mplint check --fix`` rewrite the copy."""
    copy = directory / expectation.path.name
    shutil.copyfile(expectation.path, copy)
    result = run_mplint(["check", *expectation.fix_flags, str(copy)], cwd=directory)
    assert "Traceback" not in result.stderr, result.stderr
    return copy


# --------------------------------------------------------------------------------------------------
# The checks shared by the test modules


def assert_real_run_matches(expectation: Expectation) -> None:
    """Run the fixture under every start method and compare with the manifest."""
    results = run_all_methods(expectation.path, expectation.timeouts())
    problems = behaviour_problems(expectation, results)
    assert not problems, "\n\n".join(problems)


def assert_diagnostics_match(expectation: Expectation) -> None:
    """mplint reports exactly the manifest's diagnostics on the fixture."""
    assert diagnostic_rows(expectation.path) == sorted(expectation.diagnostics)


def assert_fix_repairs(expectation: Expectation, directory: Path) -> None:
    """The fixed copy has no diagnostic of the fixed rules and prints ``fixed_stdout``."""
    assert expectation.fixed_stdout is not None
    fixed = fix_copy(expectation, directory)
    text = fixed.read_text(encoding="utf-8")
    fixed_codes = expectation.fixed_codes
    remaining = [row for row in diagnostic_rows(fixed) if row.split(":")[0] in fixed_codes]
    assert not remaining, f"still reported after --fix: {remaining}\n{text}"
    results = run_all_methods(fixed, FIXED_TIMEOUT)
    problems = [
        f"{method}: expected {expectation.fixed_stdout!r}, got {result.describe()}"
        for method, result in results.items()
        if result.timed_out or result.returncode != 0 or result.stdout != expectation.fixed_stdout
    ]
    assert not problems, "the fixed program misbehaves:\n" + "\n\n".join(problems) + "\n" + text
