"""The result cache (JSON, keyed by content, settings and version; corrupt entries ignored) and the
worker pool (same results as one process, in order)."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from pathlib import Path

from cache_support import signed

from mplint import __version__
from mplint.cache import Cache, clean, diagnostic_from_json, diagnostic_to_json, entry_key
from mplint.engine import check_text, keep_trees_until_exit
from mplint.report.results import FixMode
from mplint.settings import Settings
from mplint.workers import PARALLEL_THRESHOLD, Job, JobQueue, run_jobs
from mplint.workspace.config_file import Selection
from mplint.workspace.selection import default_settings, resolve_layers

ROOT = Path(__file__).resolve().parent.parent
TRAP = (ROOT / "fixtures" / "documents" / "trap_buggy.py").read_bytes()


def test_entries_round_trip_with_fixes(tmp_path: Path) -> None:
    settings = default_settings()
    diagnostics = check_text(TRAP.decode(), "trap.py", settings)
    assert any(d.fix is not None for d in diagnostics)
    cache = Cache(tmp_path / ".mplint_cache")
    key = entry_key(TRAP, settings, "trap.py")
    assert cache.get(key, "trap.py", TRAP) is None
    cache.put(key, "trap.py", diagnostics)
    cached = cache.get(key, "trap.py", TRAP)
    assert cached is not None and cached.diagnostics == diagnostics
    assert cached.source is not None and cached.source.text == TRAP.decode()
    assert (tmp_path / ".mplint_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d")
    assert (tmp_path / ".mplint_cache" / ".gitignore").read_text() == "*\n"
    assert [diagnostic_from_json(diagnostic_to_json(d)) for d in diagnostics] == diagnostics


def test_keys_change_with_content_settings_and_version() -> None:
    default = default_settings()
    only_mpl003 = Settings(select=resolve_layers([Selection(select=("MPL003",))]))
    assert entry_key(TRAP, default, "a.py") != entry_key(TRAP + b"\n", default, "a.py")
    assert entry_key(TRAP, default, "a.py") != entry_key(TRAP, only_mpl003, "a.py")
    assert entry_key(TRAP, default, "a.py") != entry_key(TRAP, default, "b.py")
    assert entry_key(TRAP, default, "a.py") == entry_key(TRAP, default_settings(), "a.py")


def test_corrupt_or_foreign_entries_are_ignored(tmp_path: Path) -> None:
    """Entries this user's mplint signed, but which do not hold, are ignored like unsigned ones
    (tests/test_cache_trust.py covers entries signed by anyone else)."""
    cache = Cache(tmp_path)
    settings = default_settings()
    key = entry_key(TRAP, settings, "trap.py")
    cache.put(key, "trap.py", check_text(TRAP.decode(), "trap.py", settings))
    path = tmp_path / __version__ / key[:2] / f"{key}.json"
    entry = {"version": __version__, "key": key, "path": os.path.abspath("trap.py")}
    for broken in (
        b"{not json",
        b"[]",
        json.dumps({**entry, "key": "other", "diagnostics": []}).encode(),
        json.dumps({**entry, "version": "0.0.0", "diagnostics": []}).encode(),
        json.dumps({**entry, "diagnostics": [{"code": 1}]}).encode(),
        json.dumps({**entry, "diagnostics": "x"}).encode(),
        b"\xff\xfe\x00",
    ):
        path.write_bytes(signed(broken))
        assert cache.get(key, "trap.py", TRAP) is None, broken
        path.write_bytes(broken)
        assert cache.get(key, "trap.py", TRAP) is None, broken


def test_clean_removes_only_a_cache_directory(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    cache.put("ab" * 32, "a.py", [])
    assert clean(tmp_path / "c")
    assert not (tmp_path / "c").exists()
    (tmp_path / "not-a-cache").mkdir()
    assert not clean(tmp_path / "not-a-cache")
    assert (tmp_path / "not-a-cache").exists()


def test_workers_give_the_same_results_in_order() -> None:
    files = sorted((ROOT / "fixtures").rglob("*.py"))
    assert len(files) >= PARALLEL_THRESHOLD
    settings = default_settings()
    jobs = [Job(str(p), p.read_bytes(), settings, FixMode.GENERATE) for p in files]
    parallel = run_jobs(jobs, workers=2)
    serial = run_jobs(jobs, workers=1)
    assert [o.error for o in parallel] == [None] * len(jobs)
    assert [o.processed.result.path for o in parallel if o.processed] == [str(p) for p in files]
    assert [o.processed.result.diagnostics for o in parallel if o.processed] == [
        o.processed.result.diagnostics for o in serial if o.processed
    ]


def test_the_job_queue_starts_workers_only_for_enough_jobs() -> None:
    files = sorted((ROOT / "fixtures").rglob("*.py"))
    settings = default_settings()
    jobs = [Job(str(p), p.read_bytes(), settings, FixMode.GENERATE) for p in files]
    with JobQueue(workers=2) as few:
        for job in jobs[: PARALLEL_THRESHOLD - 1]:
            few.add(job)
        assert few.executor is None
        assert [o.processed.result.path for o in few.outcomes() if o.processed] == [
            job.path for job in jobs[: PARALLEL_THRESHOLD - 1]
        ]
    with JobQueue(workers=2) as many:
        for index, job in enumerate(jobs):
            many.add(job)
            # the workers take jobs from the moment enough have arrived, before the last is added
            assert (many.executor is not None) == (index + 1 >= PARALLEL_THRESHOLD)
        outcomes = many.outcomes()
    assert many.executor is not None and many.executor._shutdown_thread
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform == "linux":
        # forked workers keep their trees instead of freeing them (see mplint.engine.keep_trees_until_exit)
        assert many.executor._initializer is keep_trees_until_exit
    assert [o.processed.result.path for o in outcomes if o.processed] == [job.path for job in jobs]
