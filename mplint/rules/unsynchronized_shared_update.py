"""MPL009 unsynchronized-shared-update: read-modify-write of a shared Value or Array without its lock."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Applicability, Diagnostic, Fix
from mplint.model import Kind, ModuleModel, own_nodes, parent_of
from mplint.model.scopes import FUNCTION_NODES, same_expression
from mplint.model.values import Value
from mplint.rules import edits
from mplint.rules.base import Rule, RuleContext


class UnsynchronizedSharedUpdate(Rule):
    code = "MPL009"
    name = "unsynchronized-shared-update"
    summary = "Read-modify-write of a shared Value or Array outside its lock"
    what = (
        "Flags `v.value += 1`, `a[i] += x` and `v.value = v.value + 1` on a shared `Value` or `Array` in "
        "code run by child processes, when no `with v.get_lock():` (or another lock) is held around it."
    )
    why = (
        "`+=` on shared memory is a read, an addition and a write: two processes can read the same old "
        "value and both write old + 1, so increments are lost under contention. The lock that `Value` "
        "and `Array` carry is only taken for each single read or write, not around the pair."
    )
    example = "def count(counter):\n    for _ in range(1000):\n        counter.value += 1\n"
    use_instead = (
        "def count(counter):\n    for _ in range(1000):\n        with counter.get_lock():\n"
        "            counter.value += 1\n"
    )
    fix_safety = (
        "The fix wraps the statement in `with v.get_lock():`; it is safe, and offered only for objects "
        "created with a lock (not `RawValue`, `RawArray` or `lock=False`)."
    )
    fix_availability = "sometimes"
    fix_kind = "safe"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        for function, runs in model.child_functions().items():
            if not isinstance(function, FUNCTION_NODES):
                continue
            for statement, shared_expr, shared in self.updates(model, function):
                if locked(model, statement):
                    continue
                if not model.children.runs_concurrently(model.children.handoffs_of(runs)):
                    break  # one child at a time: nothing to race with
                name = edits.text_of(ctx.source, shared_expr)
                message = (
                    f"this read-modify-write of shared `{name}` is not atomic: concurrent processes lose "
                    f"updates; hold `{name}.get_lock()` around it"
                )
                fix = self.fix(ctx, statement, shared_expr, shared)
                yield self.diagnostic(ctx, statement, message, fix)

    @staticmethod
    def updates(model: ModuleModel, function: ast.AST) -> Iterator[tuple[ast.stmt, ast.expr, Value]]:
        assert isinstance(function, FUNCTION_NODES)
        for node in own_nodes(list(function.body)):
            if isinstance(node, ast.AugAssign):
                shared = shared_target(model, node.target)
                if shared is not None:
                    yield node, shared[0], shared[1]
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                shared = shared_target(model, target)
                if shared is not None and _reads_target(node.value, target):
                    yield node, shared[0], shared[1]

    @staticmethod
    def fix(ctx: RuleContext, statement: ast.stmt, shared_expr: ast.expr, shared: Value) -> Fix | None:
        if shared.detail == "raw" or not edits.is_pure(shared_expr) or without_lock(shared):
            return None
        if statement.lineno != statement.end_lineno:
            return None
        layout = edits.statement_layout(ctx.source, statement)
        if not layout.owns_lines:
            return None
        name = edits.text_of(ctx.source, shared_expr)
        text = ctx.source.text[layout.start : layout.end]
        newline = ctx.source.newline
        indent_unit = "    " if "\t" not in layout.indent else "\t"
        content = f"with {name}.get_lock():{newline}{layout.indent}{indent_unit}{text}"
        edit = edits.replace(ctx.source, layout.start, layout.end, content)
        return Fix(f"Hold `{name}.get_lock()` around the update", (edit,), Applicability.SAFE)


def shared_target(model: ModuleModel, target: ast.expr) -> tuple[ast.expr, Value] | None:
    """The shared Value or Array a target writes into: ``v`` of ``v.value``, ``a`` of ``a[i]``."""
    if isinstance(target, ast.Attribute) and target.attr == "value":
        value = model.value(target.value)
        if value.is_(Kind.SHARED_VALUE):
            return target.value, value
    if isinstance(target, ast.Subscript):
        value = model.value(target.value)
        if value.is_(Kind.SHARED_ARRAY):
            return target.value, value
    return None


def _reads_target(value: ast.expr, target: ast.expr) -> bool:
    return any(same_expression(node, target) for node in ast.walk(value))


def without_lock(shared: Value) -> bool:
    for origin in shared.origins:
        if isinstance(origin, ast.Call):
            for keyword in origin.keywords:
                if keyword.arg == "lock" and isinstance(keyword.value, ast.Constant):
                    if keyword.value.value is False:
                        return True
    return False


def locked(model: ModuleModel, statement: ast.stmt) -> bool:
    """Whether a lock is held around ``statement``: a ``with`` on a lock, or an ``acquire()`` before it
    in the same block."""
    child: ast.AST = statement
    parent = parent_of(statement)
    while parent is not None and not isinstance(parent, (*FUNCTION_NODES, ast.Module)):
        if isinstance(parent, (ast.With, ast.AsyncWith)):
            for item in parent.items:
                if _is_lock(model, item.context_expr):
                    return True
        block = getattr(parent, "body", None)
        if isinstance(block, list):
            for earlier in block:
                if earlier is child:
                    break
                if _acquires(model, earlier):
                    return True
        child, parent = parent, parent_of(parent)
    if isinstance(parent, FUNCTION_NODES):
        for earlier in parent.body:
            if earlier is child:
                break
            if _acquires(model, earlier):
                return True
    return False


def _is_lock(model: ModuleModel, expr: ast.expr) -> bool:
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get_lock":
        return True
    value = model.value(expr)
    if value.is_(Kind.LOCK) or (value.is_(Kind.PROXY) and value.detail == "lock"):
        return True
    return not value.known and "lock" in ast.unparse(expr).lower()


def _acquires(model: ModuleModel, statement: ast.stmt) -> bool:
    for node in own_nodes([statement]):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "acquire":
                return True
    return False
