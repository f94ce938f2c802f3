"""Measure what resolving names costs: libcst's parse and metadata providers against Python's parser and
mplint's own model, on the standard library files that use multiprocessing (corpus B).

Run: python benchmarks/model_cost.py   (prints a table; one process, best of 3 runs per row)
"""

from __future__ import annotations

import ast
import gc
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider

from mplint.engine import check_text
from mplint.model import ModuleModel
from mplint.prefilter import Relevance, relevance
from mplint.rules import RULES
from mplint.rules.base import RuleContext
from mplint.source import SourceText
from mplint.workspace.selection import default_settings


def corpus_b() -> list[tuple[Path, str]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = []
    for path in sorted(stdlib.rglob("*.py")):
        if "site-packages" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if "multiprocessing" in text or "concurrent.futures" in text:
            files.append((path, text))
    return files


def best_of(runs: int, work: Callable[[], None]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    files = corpus_b()
    lines = sum(text.count("\n") for _, text in files)
    texts = [text for _, text in files]
    settings = default_settings()

    def ast_parse() -> None:
        for text in texts:
            ast.parse(text)

    def ast_model() -> None:
        for text in texts:
            tree = ast.parse(text)
            model = ModuleModel.build(tree, SourceText(text))
            for call in model.scopes.calls:
                model.value(call)

    def mplint_check() -> None:
        for path, text in files:
            check_text(text, str(path), settings)

    def cst_parse() -> None:
        for text in texts:
            cst.parse_module(text)

    def cst_metadata() -> None:
        for text in texts:
            wrapper = MetadataWrapper(cst.parse_module(text))
            wrapper.resolve_many([ScopeProvider, QualifiedNameProvider, PositionProvider])

    print(f"corpus B: {len(files)} files, {lines} lines")
    rows = [
        ("ast.parse", ast_parse),
        ("ast.parse + mplint model (every call resolved)", ast_model),
        ("mplint check_text (all rules)", mplint_check),
        ("libcst.parse_module", cst_parse),
        ("libcst parse + Scope + QualifiedName + Position", cst_metadata),
    ]
    for label, work in rows:
        runs = 1 if "metadata" in label else 3
        print(f"{label:50s} {best_of(runs, work):7.2f} s")
    print("\nmplint's phases on the files it analyses (garbage collector paused, as in a check; best of 3):")
    for phase, seconds in engine_phases([text for _, text in files]).items():
        print(f"  {phase:48s} {seconds:7.2f} s")


def engine_phases(texts: list[str]) -> dict[str, float]:
    """The engine's work split into its phases, summed over ``texts``: the prefilter, parsing (files
    it only parses for syntax errors too), the scope pass, inference and rules, freeing the trees."""
    settings = default_settings()
    best: dict[str, float] = {}
    for _ in range(3):
        spent = dict.fromkeys(("prefilter", "parse (ast)", "scope pass", "inference and rules", "free"), 0.0)
        gc.disable()
        try:
            for text in texts:
                start = time.perf_counter()
                needed = relevance(text)
                spent["prefilter"] += time.perf_counter() - start
                if needed is Relevance.NONE:
                    continue
                start = time.perf_counter()
                tree = ast.parse(text)
                spent["parse (ast)"] += time.perf_counter() - start
                if needed is Relevance.SYNTAX:
                    start = time.perf_counter()
                    del tree
                    spent["free"] += time.perf_counter() - start
                    continue
                start = time.perf_counter()
                source = SourceText(text)
                model = ModuleModel.build(tree, source)
                spent["scope pass"] += time.perf_counter() - start
                start = time.perf_counter()
                context = RuleContext(path="corpus.py", source=source, model=model, settings=settings)
                for rule in RULES:
                    list(rule().check(context))
                spent["inference and rules"] += time.perf_counter() - start
                start = time.perf_counter()
                model.dispose()
                del tree, model, context
                spent["free"] += time.perf_counter() - start
        finally:
            gc.enable()
            gc.collect()
        best = {phase: min(seconds, best.get(phase, seconds)) for phase, seconds in spent.items()}
    return best


if __name__ == "__main__":
    main()
