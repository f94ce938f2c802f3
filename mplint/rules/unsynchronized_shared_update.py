"""MPL009 unsynchronized-shared-update: read-modify-write of a shared Value or Array without its lock."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Applicability, Diagnostic, Fix
from mplint.model import (
    FUNCTION_NODES,
    ChildRuns,
    Kind,
    ModuleModel,
    Value,
    ancestors,
    enclosing_statement,
    own_nodes,
    parent_of,
    position,
    same_expression,
    scope_of,
    waits_for_children,
)
from mplint.rules import edits
from mplint.rules.base import Rule, RuleContext


class UnsynchronizedSharedUpdate(Rule):
    code = "MPL009"
    name = "unsynchronized-shared-update"
    summary = "Read-modify-write of a shared Value or Array outside its lock"
    what = (
        "Flags `v.value += 1`, `a[i] += x` and `v.value = v.value + 1` on a shared `Value` or `Array` in "
        "code run by child processes, when no lock shared by the processes (`with v.get_lock():`, a "
        "multiprocessing `Lock`) is held around it, here or around every call of the function, and "
        "another process may update it at the same time: pool tasks, processes started in a loop, "
        "`torch.multiprocessing.spawn` with `nprocs` above 1, children of different functions updating "
        "the same object, or the parent updating it after starting the child (not after a `spawn` that "
        "waits for its children). A `threading` lock, or a lock the child creates itself, protects "
        "nothing across processes."
    )
    why = (
        "`+=` on shared memory is a read, an addition and a write: two processes can read the same old "
        "value and both write old + 1, so increments are lost under contention. The lock that `Value` "
        "and `Array` carry is only taken for each single read or write, not around the pair."
    )
    example = (
        "from multiprocessing import Process, Value\n\n\n"
        "def count(counter):\n"
        "    for _ in range(10_000):\n"
        "        counter.value += 1\n\n\n"
        'if __name__ == "__main__":\n'
        '    counter = Value("i", 0)\n'
        "    workers = [Process(target=count, args=(counter,)) for _ in range(4)]\n"
        "    for p in workers:\n"
        "        p.start()\n"
        "    for p in workers:\n"
        "        p.join()\n"
        "    print(counter.value)  # often less than 40000\n"
    )
    use_instead = (
        "from multiprocessing import Process, Value\n\n\n"
        "def count(counter):\n"
        "    for _ in range(10_000):\n"
        "        with counter.get_lock():\n"
        "            counter.value += 1\n\n\n"
        'if __name__ == "__main__":\n'
        '    counter = Value("i", 0)\n'
        "    workers = [Process(target=count, args=(counter,)) for _ in range(4)]\n"
        "    for p in workers:\n"
        "        p.start()\n"
        "    for p in workers:\n"
        "        p.join()\n"
        "    print(counter.value)  # 40000\n"
    )
    fix_safety = (
        "The fix wraps the statement in `with v.get_lock():`; it is safe, and offered only for objects "
        "created with a lock (not `RawValue`, `RawArray` or `lock=False`)."
    )
    fix_availability = "sometimes"
    fix_kind = "safe"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        found = [
            (function, runs, update)
            for function, runs in model.child_functions().items()
            if isinstance(function, FUNCTION_NODES)
            for update in self.updates(model, function)
            if not locked(model, update[0]) and not called_under_lock(model, function)
        ]
        for function, runs, (statement, shared_expr, shared) in found:
            handoffs = model.children.handoffs_of(runs)
            if handoffs and all(
                one_per_child(model, child.call, shared, len(handoffs)) for child in handoffs
            ):
                continue  # each child is handed its own object, drawn from a collection of them
            if not model.children.runs_concurrently(handoffs):
                # one child at a time races only with the children of another function updating it too
                others = [
                    other
                    for other, _, update in found
                    if other is not function and update[2].origins & shared.origins
                ]
                if not shared.origins or not (others or self.parent_updates(model, runs, shared)):
                    continue
            name = edits.text_of(ctx.source, shared_expr)
            message = (
                f"this read-modify-write of shared `{name}` is not atomic: concurrent processes lose "
                f"updates; hold `{name}.get_lock()` around it"
            )
            fix = self.fix(ctx, statement, shared_expr, shared)
            yield self.diagnostic(ctx, statement, message, fix)

    def parent_updates(self, model: ModuleModel, runs: ChildRuns, shared: Value) -> bool:
        """Whether the code that starts the child updates the same object itself, without a lock,
        after starting it: parent and child then race."""
        for child in model.children.handoffs_of(runs):
            if child.runner == "spawn" and waits_for_children(child.call):
                continue  # the parent goes on only once the children have exited
            scope = scope_of(child.call).function_scope()
            body = getattr(scope.node, "body", None)
            if not isinstance(body, list):
                continue
            started = position(child.call)
            joined = joins_after(scope.node, child.call)
            for statement, _, updated in self.updates(model, scope.node):
                if (
                    started < position(statement)
                    and (joined is None or position(statement) < joined)
                    and updated.origins & shared.origins
                    and not locked(model, statement)
                ):
                    return True
        return False

    @staticmethod
    def updates(model: ModuleModel, function: ast.AST) -> Iterator[tuple[ast.stmt, ast.expr, Value]]:
        """The read-modify-writes of shared values that run when ``function`` (or the module) runs."""
        assert isinstance(function, (*FUNCTION_NODES, ast.Module))
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


def one_per_child(model: ModuleModel, call: ast.Call, shared: Value, handoffs: int) -> bool:
    """Whether the hand-off at ``call`` gives each child its own shared object: objects made one per
    pass of a loop or comprehension, handed over through the variable of the loop or comprehension
    that starts the children (``[Process(target=f, args=(c,)) for c in counters]``), or made in the
    same pass as the one child the loop starts (``for ...: c = Value(...); Process(args=(c,))``)."""
    if not shared.origins or not all(_made_repeatedly(origin) for origin in shared.origins):
        return False
    handed = [
        argument
        for argument in model.handed_arguments(call)
        if model.value(argument).origins & shared.origins
    ]
    if not handed:
        return False
    for argument in handed:
        if not isinstance(argument, ast.Name):
            return False
        bindings = scope_of(argument).lookup(argument.id, position(argument))
        if len(bindings) != 1 or bindings[0].path:
            return False
        made_here = bindings[0].kind == "assign" and handoffs == 1 and bindings[0].value in shared.origins
        if bindings[0].kind != "for" and not made_here:
            return False
        loop = next(
            (
                a
                for a in ancestors(bindings[0].node)
                if isinstance(a, (ast.For, ast.AsyncFor, *COMPREHENSIONS))
            ),
            None,
        )
        if loop is None or not any(a is loop for a in ancestors(call)):
            return False
    return True


def _made_repeatedly(origin: ast.AST) -> bool:
    return any(isinstance(a, (ast.For, ast.AsyncFor, ast.While, *COMPREHENSIONS)) for a in ancestors(origin))


COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def joins_after(scope_node: ast.AST, process_call: ast.Call) -> tuple[int, int] | None:
    """Where the process made by ``p = Process(...)`` is first joined after being made, if it is."""
    assignment = parent_of(process_call)
    if not (isinstance(assignment, ast.Assign) and isinstance(assignment.targets[0], ast.Name)):
        return None
    name = assignment.targets[0].id
    found = [
        position(node)
        for node in own_nodes(list(getattr(scope_node, "body", [])))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == name
        and position(node) > position(process_call)
    ]
    return min(found) if found else None


def called_under_lock(model: ModuleModel, function: ast.AST) -> bool:
    """Whether a function that no process runs directly is only ever called with a lock held."""
    assert isinstance(function, FUNCTION_NODES)
    if any(model.children.target_function(h.callable_expr) is function for h in model.child_handoffs()):
        return False
    calls = [call for call in model.calls_named(function.name) if model.value(call.func).node is function]
    statements = [enclosing_statement(call) for call in calls]
    return bool(statements) and all(s is not None and locked(model, s) for s in statements)


def _is_lock(model: ModuleModel, expr: ast.expr) -> bool:
    """Whether ``expr`` is a lock shared between processes: not a ``threading`` lock, and not one the
    code holding it has just created (each process would have its own)."""
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get_lock":
        return True
    if isinstance(expr, ast.Call) or _threading_lock(model, expr):
        return False
    value = model.value(expr)
    if value.is_(Kind.LOCK) or (value.is_(Kind.PROXY) and value.detail == "lock"):
        here = scope_of(expr).function_scope()
        return not value.origins or any(scope_of(o).function_scope() is not here for o in value.origins)
    return not value.known and "lock" in ast.unparse(expr).lower()


def _threading_lock(model: ModuleModel, expr: ast.expr) -> bool:
    """Whether a name or attribute is bound to a ``threading`` lock, which no other process sees."""
    if isinstance(expr, ast.Name):
        values = [b.value for b in scope_of(expr).lookup(expr.id, position(expr)) if b.value is not None]
    elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        values = [
            value
            for (_, attr), stored in model.inference.self_attribute_stores().items()
            if attr == expr.attr
            for value in stored
        ]
    else:
        return False
    return bool(values) and all(
        isinstance(value, ast.Call) and (model.qualname(value.func) or "").startswith("threading.")
        for value in values
    )


def _acquires(model: ModuleModel, statement: ast.stmt) -> bool:
    for node in own_nodes([statement]):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "acquire" and _is_lock(model, node.func.value):
                return True
    return False
