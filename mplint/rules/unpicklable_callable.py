"""MPL005 unpicklable-callable: a callable that a child process cannot receive or cannot find."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.model import (
    FUNCTION_NODES,
    ChildHandoff,
    Kind,
    ModuleModel,
    parent_of,
    position,
    returns_of,
    scope_of,
)
from mplint.rules.base import Rule, RuleContext

EVERY_METHOD = ("fork", "spawn", "forkserver")
REIMPORTING = ("spawn", "forkserver")


class UnpicklableCallable(Rule):
    code = "MPL005"
    name = "unpicklable-callable"
    summary = "Lambda, nested function or main-block function handed to a child process"
    what = (
        "Flags a lambda (also one reached through a name, or returned by a factory), a nested function, "
        "a method of a class defined inside a function, a function that its decorator replaces with a "
        "nested function without `functools.wraps`, or a function defined inside the `if __name__ == "
        '"__main__":` block, passed as a `Process` target, as the function of '
        "`torch.multiprocessing.spawn` or `start_processes`, or to a Pool or ProcessPoolExecutor "
        'submission method. Under fork (chosen with `get_context("fork")`, `mp_context=`, or the only '
        "`set_start_method` of the module) only what pickling itself rejects is flagged. Thread pools "
        "and packages that pickle with dill or cloudpickle (`multiprocess`, `pathos`, `loky`) are not "
        "flagged."
    )
    why = (
        "Callables travel to a child by reference: pickle stores the module and qualified name, and the "
        "child imports them. A lambda or a nested function has no importable name, so every Pool task "
        "fails to pickle, under every start method, and a Process target fails under spawn and "
        "forkserver. A function defined under the main guard does not exist when a spawned child "
        "imports the main module: the task fails in the child and `Pool.map` may wait forever."
    )
    example = (
        "from multiprocessing import Pool\n\n"
        'if __name__ == "__main__":\n'
        "    with Pool() as pool:\n"
        "        squares = pool.map(lambda x: x * x, range(10))\n"
    )
    use_instead = (
        "from multiprocessing import Pool\n\n\n"
        "def square(x):\n"
        "    return x * x\n\n\n"
        'if __name__ == "__main__":\n'
        "    with Pool() as pool:\n"
        "        squares = pool.map(square, range(10))\n"
    )
    fix_safety = "There is no automatic fix: move the callable to the top level of the module by hand."

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        configured = set(ctx.settings.start_methods)
        for child in model.child_handoffs():
            if child.pickles_with_dill:
                continue
            if child.runner == "process" and never_started(model, child.call):
                continue
            problem = self.problem(model, child.callable_expr)
            if problem is None:
                continue
            description, fails_everywhere_in_pools = problem
            failing: tuple[str, ...] = REIMPORTING
            # an initializer travels with the worker process (not pickled under fork), a task is pickled
            if (
                child.runner in ("pool", "executor")
                and fails_everywhere_in_pools
                and child.handoff.role != "initializer"
            ):
                failing = EVERY_METHOD
            context_method = self.start_method(model, child)
            methods = [m for m in failing if m in configured]
            if context_method in EVERY_METHOD:
                methods = [m for m in methods if m == context_method]
            if not methods:
                continue
            where = "Process target" if child.runner in ("process", "spawn") else f"{child.runner} task"
            message = (
                f"{description} cannot be sent to a child process as a {where}: it fails under "
                f"{_join(methods)}; define it at the top level of the module"
            )
            yield self.diagnostic(ctx, child.callable_expr, message)

    @staticmethod
    def start_method(model: ModuleModel, child: ChildHandoff) -> str:
        """The start method the child is known to run under: its context's (``get_context("fork")``, an
        executor's ``mp_context=``), else the module's ``set_start_method("fork")``; "" if unknown."""
        if child.runner != "executor":
            method = child.receiver.detail
        else:
            method = ""
            for origin in child.receiver.origins:
                for keyword in origin.keywords if isinstance(origin, ast.Call) else ():
                    if keyword.arg == "mp_context":
                        context = model.value(keyword.value)
                        if context.is_(Kind.CONTEXT):
                            method = context.detail
        if method not in EVERY_METHOD and selected_start_methods(model) == {"fork"}:
            return "fork"
        return method

    def problem(self, model: ModuleModel, expr: ast.expr) -> tuple[str, bool] | None:
        """What makes a callable unpicklable, and whether pools fail with it under every method."""
        if isinstance(expr, ast.Lambda) or holds_lambda(model, expr):
            return ("a lambda", True)
        value = model.value(expr)
        if value.is_(Kind.PARTIAL) and isinstance(value.node, ast.Call) and value.node.args:
            return self.problem(model, value.node.args[0])
        if value.is_(Kind.FUNCTION) and isinstance(value.node, FUNCTION_NODES):
            function = value.node
            owner = enclosing_definition(function)
            if isinstance(owner, FUNCTION_NODES):
                return (f"nested function `{function.name}`", True)
            if isinstance(owner, ast.ClassDef):
                class_owner = enclosing_definition(owner)
                if isinstance(class_owner, FUNCTION_NODES):
                    return (f"a method of `{owner.name}`, a class defined inside a function", True)
                if in_main_block(model, owner):
                    return (f"a method of `{owner.name}`, defined under the main guard", False)
                return None
            if in_main_block(model, function):
                return (f'`{function.name}`, defined under `if __name__ == "__main__":`,', False)
            for decorator in function.decorator_list:
                wrapping = unwrapped_closure_decorator(model, decorator)
                if wrapping is not None:
                    return (
                        f"`{function.name}`, replaced by the nested function its decorator `{wrapping}` "
                        "returns (without `functools.wraps`),",
                        True,
                    )
        return None


def unwrapped_closure_decorator(model: ModuleModel, decorator: ast.expr) -> str | None:
    """The name of a decorator of the module that replaces the function with a nested function of its
    own and does not copy the name over with ``functools.wraps``: pickle then cannot find it."""
    if not isinstance(decorator, (ast.Name, ast.Attribute)):
        return None
    value = model.value(decorator)
    if not (value.is_(Kind.FUNCTION) and isinstance(value.node, FUNCTION_NODES)):
        return None
    outer = value.node
    nested = {node.name: node for node in outer.body if isinstance(node, FUNCTION_NODES)}
    returned = [r.value for r in returns_of(outer)]
    if not returned or not all(isinstance(r, ast.Name) and r.id in nested for r in returned):
        return None
    for node in ast.walk(outer):
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in ("wraps", "update_wrapper"):
                return None
    return outer.name


def holds_lambda(model: ModuleModel, expr: ast.expr) -> bool:
    """Whether a name is only ever bound to a lambda (``fn = lambda x: ...``), or a call returns one from
    every return of the function it calls (a factory)."""
    if isinstance(expr, ast.Name):
        bindings = scope_of(expr).lookup(expr.id, position(expr))
        return bool(bindings) and all(
            binding.kind == "assign" and not binding.path and isinstance(binding.value, ast.Lambda)
            for binding in bindings
        )
    if isinstance(expr, ast.Call):
        callee = model.value(expr.func)
        if callee.is_(Kind.FUNCTION) and isinstance(callee.node, FUNCTION_NODES):
            returned = [r.value for r in returns_of(callee.node)]
            return bool(returned) and all(isinstance(value, ast.Lambda) for value in returned)
    return False


def selected_start_methods(model: ModuleModel) -> set[str]:
    """The start methods the module passes to ``set_start_method`` anywhere ("?" for one not spelled
    out): a module that only ever selects fork runs its children under fork."""
    methods: set[str] = set()
    for call in model.calls_named("set_start_method"):
        if model.qualname(call.func) != "multiprocessing.set_start_method":
            continue
        first = (
            call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "method"), None)
        )
        methods.add(first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else "?")
    return methods


def never_started(model: ModuleModel, process_call: ast.Call) -> bool:
    """A Process bound to a local name that is never used again is never started."""
    parent = parent_of(process_call)
    if not (isinstance(parent, ast.Assign) and parent.value is process_call and len(parent.targets) == 1):
        return False
    target = parent.targets[0]
    if not isinstance(target, ast.Name):
        return False
    owner = scope_of(target).defining_scope(target.id)
    if owner is None:
        return False
    for load in model.loads_of(owner, target.id):
        use = parent_of(load)
        if isinstance(use, ast.Attribute):
            if use.attr == "start":
                return False
            continue
        if isinstance(use, ast.Call) and load in use.args:
            called = use.func.attr if isinstance(use.func, ast.Attribute) else getattr(use.func, "id", "")
            if called.startswith("assert") or called in ("print", "repr", "str", "len", "id", "type"):
                continue
        return False  # handed on: it may be started elsewhere
    return True


def enclosing_definition(node: ast.AST) -> ast.AST | None:
    parent = parent_of(node)
    while parent is not None:
        if isinstance(parent, (*FUNCTION_NODES, ast.ClassDef, ast.Lambda, ast.Module)):
            return parent
        parent = parent_of(parent)
    return None


def in_main_block(model: ModuleModel, node: ast.AST) -> bool:
    parent = parent_of(node)
    child: ast.AST = node
    while parent is not None and not isinstance(parent, ast.Module):
        if isinstance(parent, ast.If) and any(child is s for s in parent.body):
            if model.is_main_guard(parent.test) is True:
                return True
        child, parent = parent, parent_of(parent)
    return False


def _join(methods: list[str]) -> str:
    return methods[0] if len(methods) == 1 else ", ".join(methods[:-1]) + " and " + methods[-1]


__all__ = ["ChildHandoff", "UnpicklableCallable"]
