"""Measure what resolving names costs: libcst's parse and metadata providers against Python's parser and
mplint's own model, on the standard library files that use multiprocessing (corpus B).

Run: python benchmarks/model_cost.py   (prints a table; one process, best of 3 runs per row)
"""

from __future__ import annotations

import ast
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider

from mplint.engine import check_text
from mplint.model import ModuleModel
from mplint.settings import Settings
from mplint.source import SourceText


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
    settings = Settings.default()

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


if __name__ == "__main__":
    main()
