"""The language server's checking: off the event loop, one check per document version, and no result
for a version or settings that changed while it was computed."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest
from lsprotocol import types

from mplint.engine import Analysis, analyse_text
from mplint.server import linting
from mplint.server.documents import Document
from mplint.server.linting import CheckResult, Linter
from mplint.server.positions import UTF16
from mplint.settings import Settings
from mplint.workspace.selection import default_settings

URI = "untitled:slow.py"


class SlowCheck:
    """Stands in for ``analyse_text``: blocks its thread until released, and counts its calls."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.texts: list[str] = []

    def __call__(self, text: str, path: str, settings: Settings) -> Analysis:
        self.texts.append(text)
        self.started.set()
        assert self.release.wait(10)
        return Analysis([])


async def until(condition: threading.Event | asyncio.Event) -> None:
    for _ in range(1000):
        if condition.is_set():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("timed out")


def whole(text: str) -> list[types.TextDocumentContentChangeEvent]:
    return [types.TextDocumentContentChangeWholeDocument(text=text)]


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> SlowCheck:
    check = SlowCheck()
    monkeypatch.setattr(linting, "analyse_text", check)
    return check


def test_a_slow_check_leaves_the_loop_free_and_an_outdated_result_is_dropped(slow: SlowCheck) -> None:
    published: list[CheckResult] = []

    async def scenario() -> None:
        linter = Linter(lambda document: default_settings(), published.append, debounce=0.01)
        linter.documents.open(URI, "first", 1)
        linter.schedule(URI, delay=0)
        await until(slow.started)
        loop = asyncio.get_running_loop()
        before = loop.time()
        await asyncio.sleep(0.02)  # the loop runs while the check is blocked in its thread
        assert loop.time() - before < 1
        assert linter.documents.change(URI, 2, whole("second"), UTF16) is not None
        linter.schedule(URI)
        slow.release.set()
        for _ in range(1000):
            if published:
                break
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.05)
        linter.shutdown()

    asyncio.run(scenario())
    assert slow.texts == ["first", "second"]
    assert [result.document.version for result in published] == [2]


def test_a_settings_change_during_a_check_drops_its_result(slow: SlowCheck) -> None:
    published: list[CheckResult] = []

    async def scenario() -> None:
        linter = Linter(lambda document: default_settings(), published.append, debounce=0)
        linter.documents.open(URI, "text", 1)
        linter.schedule(URI, delay=0)
        await until(slow.started)
        linter.invalidate()
        slow.release.set()
        await asyncio.sleep(0.1)
        assert published == []
        assert linter.cached(Document(URI, "text", 1)) is None
        linter.shutdown()

    asyncio.run(scenario())


def test_one_version_is_checked_once_however_often_it_is_asked_for(slow: SlowCheck) -> None:
    async def scenario() -> None:
        linter = Linter(lambda document: default_settings(), lambda result: None, debounce=0)
        document = linter.documents.open(URI, "text", 1)
        first = asyncio.ensure_future(linter.result(document))
        second = asyncio.ensure_future(linter.result(document))
        await until(slow.started)
        slow.release.set()
        results = await asyncio.gather(first, second)
        assert results[0] is results[1]
        assert await linter.result(document) is results[0]
        linter.shutdown()

    asyncio.run(scenario())
    assert slow.texts == ["text"]


def test_a_failing_check_gives_no_diagnostics_and_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, path: str, settings: Settings) -> Analysis:
        raise KeyError("boom")

    monkeypatch.setattr(linting, "analyse_text", broken)
    diagnostics, error = linting.run_check(Document(URI, "text", 1), default_settings())
    assert diagnostics == ()
    assert error is not None and "KeyError" in error and "slow.py" in error


PROGRAM = """\
from multiprocessing import Manager, Process


def work(d):
    d["k"].append(1)


if __name__ == "__main__":
    with Manager() as m:
        d = m.dict(k=[])
        p = Process(target=work, args=(d,))
        p.start()
        p.join()
"""


def test_the_syntax_tree_is_freed_after_the_diagnostics_are_published(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analyses: list[Analysis] = []
    published: list[tuple[CheckResult, bool, bool]] = []

    def recorded(text: str, path: str, settings: Settings) -> Analysis:
        analyses.append(analyse_text(text, path, settings))
        return analyses[-1]

    monkeypatch.setattr(linting, "analyse_text", recorded)
    gc_was_enabled = gc.isenabled()

    async def scenario() -> None:
        def publish(result: CheckResult) -> None:
            (analysis,) = analyses
            published.append((result, analysis.model is not None, gc.isenabled()))

        linter = Linter(lambda document: default_settings(), publish, debounce=0)
        linter.documents.open(URI, PROGRAM, 1)
        linter.schedule(URI, delay=0)
        for _ in range(1000):
            if published and analyses[0].model is None:
                break
            await asyncio.sleep(0.005)
        linter.shutdown()

    asyncio.run(scenario())
    ((result, kept, collecting),) = published
    assert [d.code for d in result.diagnostics] == ["MPL001"]
    assert kept and not collecting  # published while the tree was still held, the collector paused
    assert analyses[0].model is None  # then freed
    assert gc.isenabled() is gc_was_enabled


def test_a_burst_of_changes_checks_only_the_newest_version(slow: SlowCheck) -> None:
    """With no debounce, 50 changes while a check runs start no check of the 49 outdated versions."""
    published: list[CheckResult] = []

    async def scenario() -> None:
        linter = Linter(lambda document: default_settings(), published.append, debounce=0)
        linter.documents.open(URI, "v1", 1)
        linter.schedule(URI)
        await until(slow.started)
        for version in range(2, 52):
            assert linter.documents.change(URI, version, whole(f"v{version}"), UTF16) is not None
            linter.schedule(URI)
            await asyncio.sleep(0.001)  # each change's check gets queued behind the running one
        slow.release.set()
        for _ in range(1000):
            if any(result.document.version == 51 for result in published):
                break
            await asyncio.sleep(0.005)
        linter.shutdown()

    asyncio.run(scenario())
    assert slow.texts == ["v1", "v51"]
    assert [result.document.version for result in published] == [51]
