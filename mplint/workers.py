"""Checking many files at once: a pool of worker processes, sized to the cores, fed while the files
are still being filtered.

A handful of files is checked in this process: starting workers would cost more than it saves. Jobs and
results travel by pickle between this process and its own workers only; results come back in the order
of the jobs.

Workers fork where fork exists (Linux); elsewhere they start by spawn or forkserver, running a fresh
interpreter with ``-c``, which puts the working directory first on ``sys.path`` until the worker has
taken this process's path. Run inside the checked project, that would import its ``threading.py`` or
``signal.py`` (and so run it) while the worker starts. So every call that may start a process (the
workers, the fork server, the resource tracker) is made from an empty private directory, which stays
the workers' working directory. ``MPLINT_WORKER_START_METHOD`` (fork, spawn or forkserver) chooses the
start method, for tests.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from mplint.engine import FileTooLarge, InternalError, keep_trees_until_exit
from mplint.processing import Processed, process_source
from mplint.report.results import FixMode
from mplint.settings import Settings

# Below this many files that need parsing, one process is faster than starting workers.
PARALLEL_THRESHOLD = 8
# A forked worker keeps its trees rather than freeing them until its peak memory reaches this.
WORKER_RETENTION_LIMIT = 100 * 1024 * 1024
START_METHOD_VARIABLE = "MPLINT_WORKER_START_METHOD"


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
    except FileTooLarge as exc:
        return Outcome(None, str(exc))
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


def worker_start_method() -> str:
    """fork on Linux, where it starts workers in milliseconds (this process runs no threads then);
    otherwise the platform's default; ``MPLINT_WORKER_START_METHOD`` overrides both."""
    available = multiprocessing.get_all_start_methods()
    chosen = os.environ.get(START_METHOD_VARIABLE, "")
    if chosen in available:
        return chosen
    if "fork" in available and sys.platform == "linux":
        return "fork"
    return multiprocessing.get_context().get_start_method()


@contextmanager
def working_directory(directory: str | None) -> Iterator[None]:
    """Run the block with ``directory`` as the working directory (None: stay where we are)."""
    if directory is None:
        yield
        return
    try:
        previous = os.getcwd()
    except OSError:  # the working directory was removed: nothing can be imported from it
        yield
        return
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


class JobQueue:
    """Jobs added one by one, run in worker processes from the moment there are enough of them to pay
    for starting the workers, so that the workers check files while this process is still finding and
    filtering the rest; with fewer jobs (or one core) they run in this process. Use as a context
    manager: leaving it shuts the workers down. Outcomes come back in the order the jobs were added.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or available_cores()
        self.waiting: list[Job] = []
        self.futures: list[Future[Outcome]] = []
        self.executor: ProcessPoolExecutor | None = None
        # where processes are started from when they run a fresh interpreter (spawn, forkserver)
        self.start_directory: str | None = None

    def __enter__(self) -> JobQueue:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        if self.start_directory is not None:
            shutil.rmtree(self.start_directory, ignore_errors=True)

    def _submit(self, job: Job) -> Future[Outcome]:
        assert self.executor is not None
        # a submission may start a worker (spawn and forkserver start them as jobs arrive)
        with working_directory(self.start_directory):
            return self.executor.submit(run_job, job)

    def add(self, job: Job) -> None:
        if self.executor is not None:
            self.futures.append(self._submit(job))
            return
        self.waiting.append(job)
        if self.workers >= 2 and len(self.waiting) >= PARALLEL_THRESHOLD:
            method = worker_start_method()
            if method != "fork":
                self.start_directory = tempfile.mkdtemp(prefix="mplint-workers-")
            with working_directory(self.start_directory):
                # forked workers end with os._exit, freeing nothing: they need not free trees either
                self.executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context(method),
                    initializer=keep_trees_until_exit,
                    initargs=(WORKER_RETENTION_LIMIT if method == "fork" else 0,),
                )
            self.futures = [self._submit(waiting) for waiting in self.waiting]
            self.waiting = []

    def outcomes(self) -> list[Outcome]:
        """Every job's outcome, in the order the jobs were added."""
        if self.executor is None:
            return [run_job(job) for job in self.waiting]
        return [future.result() for future in self.futures]


def run_jobs(jobs: list[Job], workers: int | None = None) -> list[Outcome]:
    """Every job's outcome, in order; in worker processes when there are enough jobs and cores.

    Largest files first: a big file started last would leave the other cores idle.
    """
    order = sorted(range(len(jobs)), key=lambda index: len(jobs[index].data), reverse=True)
    outcomes: list[Outcome | None] = [None] * len(jobs)
    with JobQueue(min(workers or available_cores(), len(jobs))) as queue:
        for index in order:
            queue.add(jobs[index])
        for index, outcome in zip(order, queue.outcomes(), strict=True):
            outcomes[index] = outcome
    return [outcome for outcome in outcomes if outcome is not None]
