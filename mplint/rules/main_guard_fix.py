"""The MPL002 fix: move a module's process-starting code under ``if __name__ == "__main__":``.

What children need stays at module level: imports, definitions, and assignments that neither start
processes nor depend on what the moved code computes. Everything else from the first process start on moves,
in its original order, into one guard at the end of the module, so that under spawn and forkserver the
children re-import only definitions, as they inherited them under fork. The rewrite is done with libcst,
which keeps comments, blank lines and the layout of every statement it moves.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from mplint.diagnostics import Applicability, Edit, Fix
from mplint.model import ModuleModel, own_nodes, scope_of
from mplint.model.scopes import target_names
from mplint.source import SourceText

if TYPE_CHECKING:
    import libcst as cst

    Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement
DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
GUARD = 'if __name__ == "__main__":'


def bound_names(statement: ast.stmt) -> set[str]:
    names: set[str] = set()
    for node in own_nodes([statement]):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(name.id for name, _ in target_names(target))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            names.update(name.id for name, _ in target_names(node.target))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    names.update(name.id for name, _ in target_names(item.optional_vars))
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def loaded_names(statement: ast.stmt) -> set[str]:
    return {
        node.id
        for node in ast.walk(statement)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def names_needed_by_definitions(tree: ast.Module) -> set[str]:
    """Module-level names that function and class bodies read: what a child may need."""
    needed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load):
                    owner = scope_of(inner).defining_scope(inner.id)
                    if owner is None or owner.kind == "module":
                        needed.add(inner.id)
    return needed


def changed_names(statement: ast.stmt) -> set[str]:
    """Names a statement binds, or whose objects it changes through a method call (``m.start()``)."""
    names = bound_names(statement)
    for node in own_nodes([statement]):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if isinstance(receiver, ast.Name):
                names.add(receiver.id)
    return names


def plan(model: ModuleModel, flagged: set[int]) -> list[bool] | None:
    """For each top-level statement, whether it moves under the guard (None: nothing to move)."""
    body = model.tree.body
    first = next((i for i, statement in enumerate(body) if id(statement) in flagged), None)
    if first is None:
        return None
    needed = names_needed_by_definitions(model.tree)
    moves = [False] * len(body)
    for index in range(first, len(body)):
        statement = body[index]
        if id(statement) in flagged:
            moves[index] = True
        elif isinstance(statement, DEFINITIONS):
            moves[index] = False
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            moves[index] = not (bound_names(statement) & needed)
        elif isinstance(statement, (ast.If, ast.Try)) and not _has_call_statement(statement):
            moves[index] = False  # import fallbacks and platform switches
        else:
            moves[index] = True
    changed = True
    while changed:
        changed = False
        moved_names: set[str] = set()
        for index, statement in enumerate(body):
            if moves[index]:
                moved_names |= changed_names(statement)
        for index in range(first, len(body)):
            statement = body[index]
            if not moves[index] and not isinstance(statement, DEFINITIONS):
                if loaded_names(statement) & moved_names:
                    moves[index] = True
                    changed = True
    # Assignments just before the first process start that only the moved code uses move with it.
    for index in range(first - 1, -1, -1):
        statement = body[index]
        if isinstance(statement, DEFINITIONS):
            continue
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)):
            break
        names = bound_names(statement)
        used_by_moved: set[str] = set()
        used_by_kept: set[str] = set()
        for position_, (other, moved) in enumerate(zip(body, moves, strict=True)):
            if moved:
                used_by_moved |= loaded_names(other)
            elif position_ > index:
                used_by_kept |= loaded_names(other)
        if names & needed or names & used_by_kept or not names & used_by_moved:
            break
        moves[index] = True
    return moves


def _has_call_statement(statement: ast.stmt) -> bool:
    return any(
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) for node in own_nodes([statement])
    )


def is_main_guard_statement(model: ModuleModel, statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.If) and not statement.orelse and model.is_main_guard(statement.test) is True
    )


def move_under_guard(model: ModuleModel, source: SourceText, flagged: set[int]) -> Fix | None:
    moves = plan(model, flagged)
    if moves is None:
        return None
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
    """Blank lines before a statement moved into a block must not gain trailing indentation."""
    lines = [
        line.with_changes(indent=False) if line.comment is None else line for line in statement.leading_lines
    ]
    return statement.with_changes(leading_lines=lines)


def minimal_edit(source: SourceText, new_text: str) -> Edit:
    """One edit turning ``source.text`` into ``new_text``: the differing middle."""
    old = source.text
    prefix = 0
    limit = min(len(old), len(new_text))
    while prefix < limit and old[prefix] == new_text[prefix]:
        prefix += 1
    # start the edit at a line start so that the edit reads as whole lines
    prefix = old.rfind("\n", 0, prefix) + 1
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
