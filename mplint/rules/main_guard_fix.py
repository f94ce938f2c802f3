"""The MPL002 fix: move a module's behaviour under ``if __name__ == "__main__":``.

``main_guard_plan`` decides what stays at module level (what rebuilds the state a child needs) and what
moves; the moved statements go, in their original order, into one guard at the end of the module. When the
plan finds an obstacle, the fix is a display-only suggestion that names it. The rewrite is done with
libcst, which keeps comments, blank lines and the layout of every statement it moves.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from mplint.diagnostics import Applicability, Edit, Fix
from mplint.model import ModuleModel
from mplint.rules.main_guard_plan import Obstacle, plan
from mplint.source import SourceText, line_bounds

if TYPE_CHECKING:
    import libcst as cst

    Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement
GUARD = 'if __name__ == "__main__":'


def is_main_guard_statement(model: ModuleModel, statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.If) and not statement.orelse and model.is_main_guard(statement.test) is True
    )


def move_under_guard(model: ModuleModel, source: SourceText, flagged: set[int]) -> Fix | None:
    moves = plan(model, flagged)
    if moves is None:
        return None
    if isinstance(moves, Obstacle):
        return by_hand(moves.reason)
    import libcst as cst  # only when this fix is built: importing libcst costs more than a check

    try:
        module = cst.parse_module(source.text)
    except Exception:  # noqa: BLE001 - libcst cannot parse every syntax Python accepts; offer no fix
        return None
    body = model.tree.body
    kept: list[Statement] = []
    moved: list[Statement] = []
    index = 0
    pending_blanks = 0
    for element in module.body:
        width = len(element.body) if isinstance(element, cst.SimpleStatementLine) else 1
        group = body[index : index + width]
        group_moves = moves[index : index + width]
        index += width
        if not group or not any(group_moves):
            if pending_blanks and kept:
                element = _with_blank_lines(element, pending_blanks)
            pending_blanks = 0
            kept.append(element)
            continue
        pending_blanks = max(pending_blanks, _blank_prefix(element.leading_lines))
        if len(group) == 1 and is_main_guard_statement(model, group[0]):
            assert isinstance(element, cst.If) and isinstance(element.body, cst.IndentedBlock)
            inner = [cast("Statement", statement) for statement in element.body.body]
            if inner:
                separator = [cst.EmptyLine(indent=False)] if _blank_prefix(element.leading_lines) else []
                comments = [line for line in element.leading_lines if line.comment is not None]
                inner[0] = inner[0].with_changes(
                    leading_lines=[*separator, *comments, *inner[0].leading_lines]
                )
            moved.extend(inner)
            continue
        moved.append(element)
    if index != len(body) or not moved:
        return None
    guard = cst.parse_statement(f"{GUARD}\n    pass\n", config=module.config_for_parsing)
    assert isinstance(guard, cst.If)
    moved = [_unindented_blanks(statement) for statement in moved]
    moved[0] = moved[0].with_changes(leading_lines=_strip_blank(moved[0].leading_lines))
    new_guard = guard.with_changes(
        body=cst.IndentedBlock(body=moved),
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()] if kept else [],
    )
    new_module = module.with_changes(body=[*kept, new_guard])
    try:
        new_text = new_module.code
    except RecursionError:  # libcst generates code recursively: a very deep expression is beyond it
        return None
    if new_text == source.text:
        return None
    try:
        ast.parse(new_text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return Fix(
        f"Move the process-starting code under `{GUARD}`",
        (minimal_edit(source, new_text),),
        Applicability.UNSAFE,
    )


def by_hand(reason: str) -> Fix:
    """A display-only suggestion: what to do, and why mplint does not do it."""
    message = f"Move the process-starting code under `{GUARD}` by hand: {reason}"
    return Fix(message, (), Applicability.DISPLAY_ONLY)


def _strip_blank(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    result = list(lines)
    while result and result[0].comment is None:
        result.pop(0)
    return result


def _blank_prefix(lines: Sequence[cst.EmptyLine]) -> int:
    count = 0
    for line in lines:
        if line.comment is not None:
            break
        count += 1
    return count


def _with_blank_lines(statement: Statement, count: int) -> Statement:
    """Give a statement at least ``count`` blank lines before it, as the code it now follows had."""
    import libcst as cst

    lines = list(statement.leading_lines)
    missing = count - _blank_prefix(lines)
    if missing <= 0:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine()] * missing + lines)


def _unindented_blanks(statement: Statement) -> Statement:
    """Blank lines before a statement moved into a block must not gain trailing indentation, and no more
    than one separates two statements of the block (the definitions between them stayed behind)."""
    lines: list[cst.EmptyLine] = []
    for line in statement.leading_lines:
        if line.comment is not None:
            lines.append(line)
        elif not lines or lines[-1].comment is not None:
            lines.append(line.with_changes(indent=False))
    return statement.with_changes(leading_lines=lines)


def minimal_edit(source: SourceText, new_text: str) -> Edit:
    """One edit turning ``source.text`` into ``new_text``: the differing middle."""
    old = source.text
    prefix = 0
    limit = min(len(old), len(new_text))
    while prefix < limit and old[prefix] == new_text[prefix]:
        prefix += 1
    # start the edit at a line start so that the edit reads as whole lines
    prefix = line_bounds(old, prefix)[0]
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new_text[len(new_text) - 1 - suffix]:
        suffix += 1
    end_old = len(old) - suffix
    end_new = len(new_text) - suffix
    return Edit(
        new_text[prefix:end_new],
        source.location_at(prefix),
        source.location_at(end_old),
    )
