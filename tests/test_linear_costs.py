"""Costs that grow linearly with the size of the input, checked by counting operations (never by timing;
the large cases and their times are in benchmarks/cliffs.py): many processes sharing one target, and
the full output format's diffs of many fixes."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from mplint.engine import check_text
from mplint.model.children import ChildHandoff
from mplint.report import fix_view
from mplint.report.full import render
from mplint.report.results import FileResult, ReportOptions
from mplint.settings import Settings
from mplint.source import SourceText
from mplint.workspace.config_file import Selection
from mplint.workspace.selection import default_settings, resolve_layers


def shared_target(processes: int) -> str:
    """A module starting and joining ``processes`` processes that all run the same function."""
    lines = ["import multiprocessing", "", "def work(i):", "    return i", "", "if __name__ == '__main__':"]
    for i in range(processes):
        lines += [
            f"    p{i} = multiprocessing.Process(target=work, args=({i},))",
            f"    p{i}.start()",
            f"    p{i}.join()",
        ]
    return "\n".join(lines) + "\n"


def string_arguments(processes: int) -> str:
    """``processes`` MPL006 diagnostics, each with a fix."""
    return shared_target(processes).replace(",))", "'))").replace("args=(", "args=('a")


def test_processes_sharing_a_target_are_not_compared_with_each_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    comparisons = 0
    equal = ChildHandoff.__eq__

    def counting(self: ChildHandoff, other: object) -> bool:
        nonlocal comparisons
        comparisons += 1
        return equal(self, other)

    monkeypatch.setattr(ChildHandoff, "__eq__", counting)
    processes = 400
    check_text(shared_target(processes), "m.py", default_settings())
    assert comparisons <= 4 * processes  # each hand-off against every other one: 80,000


def walked_nodes(monkeypatch: pytest.MonkeyPatch, text: str) -> int:
    """How many nodes MPL003 (unjoined-process) walks while checking ``text``."""
    import mplint.rules.unjoined_process as unjoined

    count = 0
    original = unjoined.walk

    def counting(node: ast.AST) -> Iterator[ast.AST]:
        nonlocal count
        for inner in original(node):
            count += 1
            yield inner

    monkeypatch.setattr(unjoined, "walk", counting)
    check_text(text, "m.py", Settings(select=resolve_layers([Selection(select=("MPL003",))])))
    return count


def test_unjoined_process_walks_each_statement_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small = walked_nodes(monkeypatch, shared_target(200))
    large = walked_nodes(monkeypatch, shared_target(400))
    assert large <= 2.2 * small, (small, large)  # quadratic: 4×


def split_characters(monkeypatch: pytest.MonkeyPatch, text: str) -> int:
    """How many characters the full format's fix diffs cut into lines for ``text``'s diagnostics."""
    count = 0
    original = fix_view.split_lines

    def counting(part: str) -> list[str]:
        nonlocal count
        count += len(part)
        return original(part)

    monkeypatch.setattr(fix_view, "split_lines", counting)
    diagnostics = check_text(text, "m.py", Settings(select=resolve_layers([Selection(select=("MPL006",))])))
    result = FileResult(path="m.py", diagnostics=tuple(diagnostics), source=SourceText(text))
    assert len(diagnostics) == text.count("args=('a")
    assert render([result], ReportOptions()).count("+ ") >= len(diagnostics)
    return count


def test_the_full_format_diffs_only_the_rows_a_fix_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    small = split_characters(monkeypatch, string_arguments(200))
    large = split_characters(monkeypatch, string_arguments(400))
    assert small > 0
    assert large <= 2.2 * small, (small, large)  # the whole file per diagnostic: 4×
