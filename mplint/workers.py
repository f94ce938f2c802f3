"""Checking many files at once: a pool of worker processes, sized to the cores, with files batched.

A handful of files is checked in this process: starting workers would cost more than it saves. Jobs and
results travel by pickle between this process and its own workers only; results come back in the order
of the jobs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from mplint.engine import InternalError
from mplint.processing import Processed, process_source
from mplint.report.results import FixMode
from mplint.settings import Settings

# Below this many files that need parsing, one process is faster than starting workers.
PARALLEL_THRESHOLD = 8


@dataclass(frozen=True)
class Job:
    """One file to check (and fix, with a fix mode other than GENERATE)."""

    path: str
    data: bytes
    settings: Settings
    fix_mode: FixMode


@dataclass(frozen=True)
class Outcome:
    """A job's result, or the one-line error that stopped it."""

    processed: Processed | None
    error: str | None = None


def run_job(job: Job) -> Outcome:
    try:
        return Outcome(
            process_source(job.data, job.path, job.settings, job.fix_mode, job.settings.unsafe_fixes)
        )
    except InternalError as exc:
        return Outcome(None, f"internal error while checking {exc}")
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the run
        return Outcome(None, f"internal error while checking {job.path}: {type(exc).__name__}: {exc}")


def available_cores() -> int:
    counter = getattr(os, "process_cpu_count", None)
    if counter is not None:
        count = counter()
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:
        count = os.cpu_count()
    return max(1, count or 1)


def run_jobs(jobs: list[Job], workers: int | None = None) -> list[Outcome]:
    """Every job's outcome, in order; in worker processes when there are enough jobs and cores."""
    count = min(workers or available_cores(), len(jobs))
    if count < 2 or len(jobs) < PARALLEL_THRESHOLD:
        return [run_job(job) for job in jobs]
    # fork starts workers in milliseconds where it exists (this process runs no threads here)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() and sys.platform == "linux" else None
    context = multiprocessing.get_context(method)
    # Largest files first, one at a time: a big file started last would leave the other cores idle.
    order = sorted(range(len(jobs)), key=lambda index: len(jobs[index].data), reverse=True)
    outcomes: list[Outcome | None] = [None] * len(jobs)
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as executor:
        for index, outcome in zip(order, executor.map(run_job, [jobs[i] for i in order]), strict=True):
            outcomes[index] = outcome
    return [outcome for outcome in outcomes if outcome is not None]
