"""Which calls start processes, which functions of the module do so (transitively), and which code runs
only in the main process (under an ``if __name__ == "__main__":`` guard)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from mplint.model.api import Kind
from mplint.model.inference import FunctionNode, Inference
from mplint.model.scopes import FUNCTION_NODES, child_fields
from mplint.model.spawning import SPAWNING_FUNCTIONS


@dataclass(frozen=True)
class ProcessStart:
    """A call that starts one or more processes, and what it does in words."""

    call: ast.Call
    description: str
    context_method: str  # the start method its context fixes ("fork", ...), or ""


def own_nodes(roots: list[ast.AST]) -> Iterator[ast.AST]:
    """Nodes of ``roots`` that run when they run: not the bodies of nested functions, lambdas or classes.

    The shared singletons of contexts and operators (``Load()``, ``Add()``) are not walked.
    """
    stack = list(reversed(roots))
    push = stack.append
    while stack:
        node = stack.pop()
        yield node
        node_type = type(node)
        if node_type in _OPAQUE_NODES:
            continue
        if node_type is ast.ClassDef:
            assert isinstance(node, ast.ClassDef)
            stack.extend(reversed([*node.decorator_list, *node.bases, *node.keywords]))
            continue
        for name in child_fields(node_type):
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in reversed(value):
                    if isinstance(item, ast.AST):
                        push(item)
            elif isinstance(value, ast.AST):
                push(value)


_OPAQUE_NODES = frozenset({*FUNCTION_NODES, ast.Lambda})


def header_expressions(statement: ast.stmt) -> list[ast.AST]:
    """The parts of a statement evaluated before (or instead of) its body."""
    if isinstance(statement, (ast.If, ast.While)):
        return [statement.test]
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return [statement.iter]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return list(statement.items)
    if isinstance(statement, ast.Match):
        return [statement.subject]
    if isinstance(statement, (ast.Try, *_TRY_STAR)):
        return []
    if isinstance(statement, FUNCTION_NODES):
        defaults = [d for d in statement.args.kw_defaults if d is not None]
        return [*statement.decorator_list, *statement.args.defaults, *defaults]
    if isinstance(statement, ast.ClassDef):
        return list(statement.decorator_list)
    return [statement]


_TRY_STAR: tuple[type[ast.AST], ...] = (ast.TryStar,) if hasattr(ast, "TryStar") else ()


class ProcessAnalysis:
    """Process starts, as the model sees them."""

    def __init__(self, inference: Inference) -> None:
        self.inference = inference
        self._function_starts: dict[ast.AST, ProcessStart | None] = {}
        self._active: set[ast.AST] = set()

    def process_start(self, call: ast.Call) -> ProcessStart | None:
        """The process start a call performs, directly or through a function of the module."""
        inference = self.inference
        func = call.func
        if isinstance(func, ast.Attribute):
            receiver = inference.value(func.value)
            if func.attr == "start" and not call.args:
                if receiver.is_(Kind.PROCESS):
                    return ProcessStart(call, "starts a process", receiver.detail)
                if receiver.is_(Kind.MANAGER_UNSTARTED):
                    return ProcessStart(call, "starts a manager's server process", "")
            if func.attr in ("submit", "map") and receiver.is_(Kind.EXECUTOR):
                return ProcessStart(
                    call, "submits work to a ProcessPoolExecutor, which starts its workers", ""
                )
        if inference.qualname(func) in SPAWNING_FUNCTIONS:
            return ProcessStart(call, "starts processes", "")
        made = inference.value(call)
        if made.is_(Kind.POOL) and call in made.origins:
            return ProcessStart(call, "creates a process pool", made.detail)
        if made.is_(Kind.MANAGER) and call in made.origins:
            return ProcessStart(call, "starts a manager's server process", made.detail)
        target = self.called_function(call)
        if target is not None and not runs_later(target):
            inner = self.function_start(target)
            if inner is not None:
                return ProcessStart(call, f"{inner.description} (in `{target.name}`)", inner.context_method)
        return None

    def called_function(self, call: ast.Call) -> FunctionNode | None:
        """The function of the module a call runs: a function, a method, or a class's ``__init__``."""
        inference = self.inference
        callee = inference.value(call.func)
        if callee.is_(Kind.FUNCTION) and isinstance(callee.node, FUNCTION_NODES):
            return callee.node
        if callee.is_(Kind.CLASS) and isinstance(callee.node, ast.ClassDef):
            if inference.class_kind(callee.node) is None:
                return inference.class_method(callee.node, "__init__")
            return None
        if isinstance(call.func, ast.Attribute):
            receiver = inference.value(call.func.value)
            if receiver.is_(Kind.INSTANCE) and isinstance(receiver.node, ast.ClassDef):
                return inference.class_method(receiver.node, call.func.attr)
        return None

    def function_start(self, function: FunctionNode) -> ProcessStart | None:
        """The first process start a call of ``function`` performs, transitively."""
        if function in self._function_starts:
            return self._function_starts[function]
        if function in self._active:
            return None
        self._active.add(function)
        found: ProcessStart | None = None
        try:
            for node in own_nodes(list(function.body)):
                if isinstance(node, ast.Call):
                    found = self.process_start(node)
                    if found is not None:
                        break
        finally:
            self._active.discard(function)
        self._function_starts[function] = found
        return found


def runs_later(function: FunctionNode) -> bool:
    """Whether calling ``function`` does not run its body: a coroutine or generator function."""
    if isinstance(function, ast.AsyncFunctionDef):
        return True
    return any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in own_nodes(list(function.body)))


def is_main_guard(test: ast.expr, inference: Inference) -> bool | None:
    """True for a test that holds only in the main process, False for its negation, None otherwise."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, (ast.Eq, ast.Is)):
            positive = True
        elif isinstance(op, (ast.NotEq, ast.IsNot)):
            positive = False
        else:
            return None
        for a, b in ((left, right), (right, left)):
            if _is_dunder_name(a) and _is_constant(b, "__main__"):
                return positive
            if _is_process_name(a, inference) and _is_constant(b, "MainProcess"):
                return positive
            if _is_parent_process(a, inference) and isinstance(b, ast.Constant) and b.value is None:
                return positive
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = is_main_guard(test.operand, inference)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        if any(is_main_guard(value, inference) is True for value in test.values):
            return True
    return None


def _is_dunder_name(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "__name__"


def _is_constant(node: ast.expr, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text


def _is_process_name(node: ast.expr, inference: Inference) -> bool:
    if not (isinstance(node, ast.Attribute) and node.attr == "name"):
        return False
    call = node.value
    return isinstance(call, ast.Call) and inference.qualname(call.func) == ("multiprocessing.current_process")


def _is_parent_process(node: ast.expr, inference: Inference) -> bool:
    return isinstance(node, ast.Call) and inference.qualname(node.func) == ("multiprocessing.parent_process")
