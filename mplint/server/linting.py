"""Checking documents off the event loop: one result per document version, debounced re-checks, no
check at all of a version that is outdated before its check starts, and no result for a version (or
settings) that changed while it was being computed."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from mplint.diagnostics import Diagnostic
from mplint.engine import Analysis, FileTooLarge, InternalError, analyse_text
from mplint.fix_safety import adjust_fix_safety
from mplint.server.documents import Document, DocumentStore
from mplint.settings import Settings

_result_ids = itertools.count(1)
# Seconds between a result and freeing its syntax tree: time enough to publish the diagnostics first.
RELEASE_DELAY = 0.02


@dataclass(frozen=True)
class CheckResult:
    """The diagnostics of one document version under one generation of settings."""

    document: Document
    generation: int
    settings: Settings
    diagnostics: tuple[Diagnostic, ...]
    result_id: str
    error: str | None = None


def run_analysis(document: Document, settings: Settings) -> tuple[Analysis, str | None]:
    """The document's analysis (to be released), or an empty one and the error when a rule fails on it."""
    try:
        analysis = analyse_text(document.text, document.path, settings)
    except FileTooLarge as exc:
        return Analysis([]), str(exc)
    except InternalError as exc:
        return Analysis([]), f"internal error while checking {exc}"
    except Exception as exc:  # noqa: BLE001 - one document's failure must not stop the server
        return Analysis([]), f"internal error while checking {document.path}: {type(exc).__name__}: {exc}"
    analysis.diagnostics = adjust_fix_safety(analysis.diagnostics, settings)
    return analysis, None


def run_check(document: Document, settings: Settings) -> tuple[tuple[Diagnostic, ...], str | None]:
    """The document's diagnostics, or none and the error when a rule fails on it."""
    analysis, error = run_analysis(document, settings)
    analysis.release()
    return tuple(analysis.diagnostics), error


class Linter:
    """The open documents, their latest results, and the checks scheduled or running for them.

    Everything here runs on the event loop except ``run_check``, which runs in a worker thread.
    ``generation`` counts settings changes: a result of an older generation is never used.
    """

    def __init__(
        self,
        settings_for: Callable[[Document], Settings],
        publish: Callable[[CheckResult], None],
        debounce: float,
    ) -> None:
        self.settings_for = settings_for
        self.publish = publish
        self.debounce = debounce
        self.documents = DocumentStore()
        self.generation = 0
        self.results: dict[str, CheckResult] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.running: dict[tuple[str, int], tuple[Document, asyncio.Future[CheckResult]]] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mplint-check")

    def is_current(self, document: Document, generation: int) -> bool:
        """Whether ``document`` is still the latest version of its URI, under the same settings."""
        return self.documents.get(document.uri) is document and generation == self.generation

    def cached(self, document: Document) -> CheckResult | None:
        result = self.results.get(document.uri)
        if result is not None and result.document is document and result.generation == self.generation:
            return result
        return None

    async def result(self, document: Document) -> CheckResult:
        """The result for ``document``: cached, shared with a check already running, or computed in the
        worker thread. Stored only if the document and settings did not change meanwhile."""
        cached = self.cached(document)
        if cached is not None:
            return cached
        key = (document.uri, self.generation)
        running = self.running.get(key)
        if running is not None and running[0] is document:
            return await asyncio.shield(running[1])
        future: asyncio.Future[CheckResult] = asyncio.ensure_future(self._compute(document))
        self.running[key] = (document, future)
        future.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(future)

    def _forget(self, key: tuple[str, int], future: asyncio.Future[CheckResult]) -> None:
        running = self.running.get(key)
        if running is not None and running[1] is future:
            del self.running[key]

    async def _compute(self, document: Document) -> CheckResult:
        generation = self.generation
        settings = self.settings_for(document)
        loop = asyncio.get_running_loop()
        outcome = await loop.run_in_executor(
            self.executor, self._analyse_if_current, document, generation, settings
        )
        if outcome is None:
            # a newer version (or new settings) came while this one waited: it is never looked at
            return CheckResult(document, generation, settings, (), str(next(_result_ids)))
        analysis, error = outcome
        result = CheckResult(
            document, generation, settings, tuple(analysis.diagnostics), str(next(_result_ids)), error
        )
        # Freeing the tree waits until the diagnostics are out (``RELEASE_DELAY``), in the checking thread.
        loop.call_later(RELEASE_DELAY, self._release, analysis)
        if self.is_current(document, generation):
            self.results[document.uri] = result
        return result

    def _analyse_if_current(
        self, document: Document, generation: int, settings: Settings
    ) -> tuple[Analysis, str | None] | None:
        """In the checking thread: the analysis of ``document``, or None when it is no longer the
        latest version when its turn comes, so that a burst of changes costs the check of the newest
        version only (plus the one already running), never one check per stale version."""
        if not self.is_current(document, generation):
            return None
        return run_analysis(document, settings)

    def _release(self, analysis: Analysis) -> None:
        try:
            self.executor.submit(analysis.release)
        except RuntimeError:  # the executor is shut down
            analysis.release()

    def schedule(self, uri: str, delay: float | None = None) -> None:
        """Check the document's latest version after ``delay`` seconds (the debounce by default) and
        publish the result, unless a newer change or a settings change comes first."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        wait = self.debounce if delay is None else delay
        self.pending[uri] = asyncio.ensure_future(self._check_later(uri, wait))

    async def _check_later(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        document = self.documents.get(uri)
        if document is None:
            return
        generation = self.generation
        result = await self.result(document)
        if self.is_current(document, generation) and result.generation == generation:
            self.publish(result)
        task = self.pending.get(uri)
        if task is asyncio.current_task():
            del self.pending[uri]

    def invalidate(self) -> None:
        """The settings changed: every result is stale."""
        self.generation += 1
        self.results.clear()

    def close(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.results.pop(uri, None)
        self.documents.close(uri)

    def shutdown(self) -> None:
        for task in self.pending.values():
            task.cancel()
        self.pending.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)
