"""The engine's analyses: the collector stays paused while a syntax tree is held, and runs again once
every analysis holding one has been released."""

from __future__ import annotations

import gc
from pathlib import Path

from mplint import engine
from mplint.engine import analyse_text, check_text, keep_trees_until_exit
from mplint.workspace.selection import default_settings

PROGRAM = """\
from multiprocessing import Manager


def main():
    with Manager() as m:
        d = m.dict(k=[])
        d["k"].append(1)
"""


def test_check_text_leaves_the_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    assert [d.code for d in check_text(PROGRAM, "p.py", default_settings())] == ["MPL001"]
    assert gc.isenabled()
    gc.disable()
    try:
        check_text(PROGRAM, "p.py", default_settings())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_runs_again_when_the_last_analysis_is_released() -> None:
    first = analyse_text(PROGRAM, "p.py", default_settings())
    second = analyse_text(PROGRAM, "q.py", default_settings())
    assert first.model is not None and second.model is not None
    assert [d.code for d in first.diagnostics] == [d.code for d in second.diagnostics] == ["MPL001"]
    assert not gc.isenabled()
    first.release()
    first.release()  # idempotent: one pause is ended once
    assert first.model is None and not gc.isenabled()
    second.release()
    assert second.model is None and gc.isenabled()


def test_texts_that_need_no_tree_hold_nothing() -> None:
    for text in ("print('no multiprocessing here')\n", "def f(:\n", "import multiprocessing\n"):
        analysis = analyse_text(text, "t.py", default_settings())
        if text.startswith("print"):
            assert analysis.diagnostics == [] and not analysis.paused
        analysis.release()
        assert analysis.model is None and gc.isenabled()


def test_a_check_leaves_no_cyclic_garbage() -> None:
    """Reference counting must free every tree and model at once: garbage left for the collector would
    pile up while it is paused (in an editor, from one analysis to the next)."""
    fixtures = sorted((Path(__file__).resolve().parent.parent / "fixtures").rglob("*.py"))
    assert len(fixtures) > 20
    gc.collect()
    gc.disable()
    try:
        for path in fixtures:
            check_text(path.read_text(encoding="utf-8"), str(path), default_settings())
            assert gc.collect() == 0, path
    finally:
        gc.enable()


def test_trees_kept_until_exit_below_the_memory_limit_only() -> None:
    """A forked worker keeps its trees rather than freeing them (it ends with os._exit, freeing
    nothing): the results are the same and the collector runs again; once the process has used as much
    memory as the limit, trees are freed again."""
    expected = check_text(PROGRAM, "p.py", default_settings())
    kept_before = len(engine._retention.kept)
    assert engine.peak_memory() > 10 * 1024 * 1024  # an interpreter with mplint loaded, in bytes
    keep_trees_until_exit(engine.peak_memory() + 1024 * 1024 * 1024)
    try:
        assert check_text(PROGRAM, "p.py", default_settings()) == expected
        assert check_text(PROGRAM, "q.py", default_settings()) == expected
        assert len(engine._retention.kept) == kept_before + 2
        assert gc.isenabled() and gc.get_freeze_count() > 0
        # texts that need no tree keep nothing
        assert check_text("print('hello')\n", "s.py", default_settings()) == []
        assert len(engine._retention.kept) == kept_before + 2
        keep_trees_until_exit(engine.peak_memory())  # reached: freed
        assert check_text(PROGRAM, "r.py", default_settings()) == expected
        keep_trees_until_exit(0)  # off
        assert check_text(PROGRAM, "t.py", default_settings()) == expected
        assert len(engine._retention.kept) == kept_before + 2
    finally:
        keep_trees_until_exit(0)
        del engine._retention.kept[kept_before:]
        gc.unfreeze()
    assert gc.isenabled()
