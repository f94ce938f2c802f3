"""The rule fixtures under fixtures/rules/: real runs, mplint's diagnostics, and fixes.

Each fixture is a small program, run for real under fork, spawn and forkserver; what it must do
and what mplint must report on it are recorded in fixtures/rules/expectations.toml.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import mp_harness as h
import pytest

MANIFEST = h.load_manifest()
RULE_FIXTURES = sorted(key for key in MANIFEST if key.startswith("rules/"))
FIXABLE = sorted(key for key in RULE_FIXTURES if MANIFEST[key].fixed_stdout is not None)


# --------------------------------------------------------------------------------------------------
# The manifest itself


def test_manifest_lists_every_fixture_file() -> None:
    on_disk = {
        str(path.relative_to(h.FIXTURES))
        for folder in ("documents", "rules")
        for path in (h.FIXTURES / folder).rglob("*.py")
    }
    assert on_disk == set(MANIFEST)


@pytest.mark.parametrize("key", RULE_FIXTURES)
def test_manifest_entry_is_consistent(key: str) -> None:
    expectation = MANIFEST[key]
    rule = Path(key).parent.name
    name = Path(key).stem
    assert name.endswith(("_bad", "_good")), "fixtures are named <case>_bad.py or <case>_good.py"
    if name.endswith("_good"):
        assert expectation.diagnostics == ()
        assert expectation.fixed_stdout is None
        assert not expectation.hangs and not expectation.fails
    else:
        assert rule in expectation.codes, f"a {rule} bad fixture must expect a {rule} diagnostic"
        assert (expectation.fixed_stdout is not None) == (rule in h.FIXABLE_CODES)
        good = MANIFEST.get(key.replace("_bad.py", "_good.py"))
        assert good is not None, "every bad fixture has a good counterpart"
        if expectation.fixed_stdout is not None:
            assert set(good.stdout.values()) == {expectation.fixed_stdout}


# --------------------------------------------------------------------------------------------------
# The harness runs programs as scripts are run


def _write(directory: Path, name: str, source: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_real_run_harness_reimports_main_under_spawn_and_forkserver(tmp_path: Path) -> None:
    program = _write(
        tmp_path,
        "names.py",
        """\
        import multiprocessing

        print("imported as", __name__)

        def report():
            print("child sees", multiprocessing.get_start_method())

        if __name__ == "__main__":
            p = multiprocessing.Process(target=report)
            p.start()
            p.join()
        """,
    )
    results = h.run_all_methods(program, timeout=30)
    assert results["fork"].stdout == "imported as __main__\nchild sees fork\n"
    for method in ("spawn", "forkserver"):
        result = results[method]
        assert result.returncode == 0, result.describe()
        expected = f"imported as __main__\nimported as __mp_main__\nchild sees {method}\n"
        assert result.stdout == expected


def test_real_run_harness_unguarded_start_fails_under_spawn_only(tmp_path: Path) -> None:
    program = _write(
        tmp_path,
        "unguarded.py",
        """\
        from multiprocessing import Process

        def work():
            print("worked")

        p = Process(target=work)
        p.start()
        p.join()
        print("exit code", p.exitcode)
        """,
    )
    fork = h.run_program(program, "fork", timeout=30)
    assert (fork.returncode, fork.stdout) == (0, "worked\nexit code 0\n"), fork.describe()
    spawn = h.run_program(program, "spawn", timeout=30)
    assert spawn.stdout == "exit code 1\n", spawn.describe()
    assert "RuntimeError" in spawn.stderr


def test_real_run_harness_kills_every_process_on_timeout(tmp_path: Path) -> None:
    program = _write(
        tmp_path,
        "stuck.py",
        """\
        import time
        from multiprocessing import Process

        def sleep_forever():
            while True:
                time.sleep(1)

        if __name__ == "__main__":
            p = Process(target=sleep_forever)
            p.start()
            print(p.pid)
            p.join()
        """,
    )
    result = h.run_program(program, "spawn", timeout=3)
    assert result.timed_out and result.returncode is None
    child = int(result.stdout.split()[0])
    deadline = time.monotonic() + 5
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(child)


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


# --------------------------------------------------------------------------------------------------
# (a) real runs, (b) diagnostics, (c) fixes


@pytest.mark.parametrize("key", RULE_FIXTURES)
def test_real_run_matches_manifest(key: str) -> None:
    h.assert_real_run_matches(MANIFEST[key])


@pytest.mark.parametrize("key", RULE_FIXTURES)
def test_mplint_diagnostics(key: str) -> None:
    h.assert_diagnostics_match(MANIFEST[key])


@pytest.mark.parametrize("key", FIXABLE)
def test_fixed_program_behaves(key: str, tmp_path: Path) -> None:
    h.assert_fix_repairs(MANIFEST[key], tmp_path)
