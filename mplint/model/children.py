"""Code that runs in child processes: the callables handed to a Process, a process Pool, a
ProcessPoolExecutor or torch's ``spawn``, the ``run`` methods of Process subclasses, and what they call
in turn."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mplint.model.api import DILL_PACKAGES, Kind
from mplint.model.inference import FunctionNode, Handoff, Inference
from mplint.model.processes import own_nodes
from mplint.model.scopes import FUNCTION_NODES, ancestors, parent_of, scope_of
from mplint.model.spawning import spawn_start_method, spawns_several, waits_for_children
from mplint.model.values import Value

POOL_ROLES = ("apply", "map", "starmap", "submit", "executor_map")
LOOP_NODES = (ast.For, ast.AsyncFor, ast.While)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


@dataclass(frozen=True)
class ChildHandoff:
    """A callable handed to a process-based worker."""

    handoff: Handoff
    runner: str  # "process", "pool", "executor" or "spawn" (torch.multiprocessing's)
    receiver: Value  # the Process, Pool or executor; for spawn, the context its processes start in
    pickles_with_dill: bool

    @property
    def call(self) -> ast.Call:
        return self.handoff.call

    @property
    def callable_expr(self) -> ast.expr:
        return self.handoff.callable_expr


@dataclass(eq=False)
class ChildRuns:
    """Why a function runs in a child: the hand-offs of it (or of a function calling it) and the Process
    subclasses whose ``run`` leads to it; their constructions are looked for only when asked
    (``ChildAnalysis.handoffs_of``)."""

    direct: list[ChildHandoff]
    classes: list[ast.ClassDef]
    resolved: list[ChildHandoff] | None = None

    def __post_init__(self) -> None:
        # Sets beside the lists, so that adding the thousandth process of a target is not a scan of
        # the 999 before it.
        self._direct_seen = set(self.direct)
        self._classes_seen = set(self.classes)

    def add(self, via: list[ChildHandoff], classes: list[ast.ClassDef]) -> None:
        """Record more hand-offs and Process subclasses, each once, in order."""
        for handoff in via:
            if handoff not in self._direct_seen:
                self._direct_seen.add(handoff)
                self.direct.append(handoff)
        for node in classes:
            if node not in self._classes_seen:
                self._classes_seen.add(node)
                self.classes.append(node)


def joined_in_loop(process_call: ast.Call, loop: ast.AST) -> bool:
    """Whether a process made in a loop (``p = Process(...)``) is joined later in the same pass, so that
    one child at a time runs."""
    if not isinstance(loop, LOOP_NODES):
        return False
    assignment = parent_of(process_call)
    if not (isinstance(assignment, ast.Assign) and len(assignment.targets) == 1):
        return False
    target = assignment.targets[0]
    if not isinstance(target, ast.Name):
        return False
    for node in ast.walk(loop):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == target.id
            and (node.lineno, node.col_offset) > (process_call.lineno, process_call.col_offset)
        ):
            return True
    return False


def in_loop(node: ast.AST) -> bool:
    """Whether ``node`` may run repeatedly in its function: in a loop or a comprehension."""
    for ancestor in ancestors(node):
        if isinstance(ancestor, (*FUNCTION_NODES, ast.Module)):
            return False
        if isinstance(ancestor, (*LOOP_NODES, *COMPREHENSIONS)):
            return True
    return False


class ChildAnalysis:
    """Which callables and functions of the module run in child processes."""

    def __init__(self, inference: Inference) -> None:
        self.inference = inference
        self._handoffs: list[ChildHandoff] | None = None
        self._functions: dict[ast.AST, ChildRuns] | None = None
        self._constructions: dict[ast.ClassDef, list[ChildHandoff]] = {}

    def handoffs(self) -> list[ChildHandoff]:
        """Every hand-off of a callable to a process-based worker, in source order."""
        if self._handoffs is None:
            found: list[ChildHandoff] = []
            seen: set[int] = set()
            for handoff in self.inference.handed_over():
                if id(handoff.call) in seen:
                    continue
                child = self._classify(handoff)
                if child is not None:
                    seen.add(id(handoff.call))
                    found.append(child)
            found.sort(key=lambda c: (c.call.lineno, c.call.col_offset))
            self._handoffs = found
        return self._handoffs

    def _classify(self, handoff: Handoff) -> ChildHandoff | None:
        inference = self.inference
        call = handoff.call
        if handoff.role == "process":
            made = inference.value(call)
            if made.is_(Kind.PROCESS):
                return ChildHandoff(handoff, "process", made, self.pickles_with_dill(made))
            return None
        if handoff.role == "spawn":
            method = spawn_start_method(call, inference.spawn_function(call) or "")
            return ChildHandoff(handoff, "spawn", Value(Kind.CONTEXT, method), False)
        if handoff.role == "initializer":
            made = inference.value(call)
            if made.is_(Kind.POOL, Kind.EXECUTOR):
                runner = "pool" if made.is_(Kind.POOL) else "executor"
                return ChildHandoff(handoff, runner, made, self.pickles_with_dill(made))
            return None
        if handoff.role in POOL_ROLES and isinstance(call.func, ast.Attribute):
            receiver = inference.value(call.func.value)
            if receiver.is_(Kind.POOL):
                return ChildHandoff(handoff, "pool", receiver, self.pickles_with_dill(receiver))
            if receiver.is_(Kind.EXECUTOR) and handoff.role in ("submit", "map", "executor_map"):
                return ChildHandoff(handoff, "executor", receiver, self.pickles_with_dill(receiver))
        return None

    def pickles_with_dill(self, value: Value) -> bool:
        """Whether the object comes from a package that pickles with dill or cloudpickle."""
        for origin in value.origins:
            if isinstance(origin, ast.Call):
                root = self._root_import(origin.func)
                if any(root == package or root.startswith(package + ".") for package in DILL_PACKAGES):
                    return True
        return False

    def _root_import(self, expr: ast.expr) -> str:
        """The raw (not canonicalised) qualified name of the import an expression starts from."""
        parts: list[str] = []
        current: ast.expr = expr
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        if isinstance(current, ast.Call):
            return self._root_import(current.func)
        if not isinstance(current, ast.Name):
            return ""
        for binding in scope_of(current).lookup(current.id):
            if binding.kind == "import" and binding.qualname:
                return ".".join([binding.qualname, *reversed(parts)])
            if binding.kind in ("assign", "with") and binding.value is not None:
                return self._root_import(binding.value)
        return ""

    def handoffs_of(self, runs: ChildRuns) -> list[ChildHandoff]:
        """Every hand-off that makes a function run in a child, constructions of Process subclasses
        included."""
        if runs.resolved is None:
            found = list(runs.direct)
            seen = set(found)
            for node in runs.classes:
                for handoff in self.constructions(node):
                    if handoff not in seen:
                        seen.add(handoff)
                        found.append(handoff)
            runs.resolved = found
        return runs.resolved

    def constructions(self, node: ast.ClassDef) -> list[ChildHandoff]:
        """The calls that create instances of a Process subclass: each runs its ``run`` in a child."""
        found = self._constructions.get(node)
        if found is None:
            found = []
            for call in self.inference.tree.calls:
                made = self.inference.value(call)
                if made.is_(Kind.PROCESS) and made.node is node and call in made.origins:
                    handoff = Handoff(call, "process", call.func)
                    found.append(ChildHandoff(handoff, "process", made, self.pickles_with_dill(made)))
            self._constructions[node] = found
        return found

    def runs_concurrently(self, handoffs: list[ChildHandoff]) -> bool:
        """Whether these hand-offs can run the code in several processes at once: a pool or executor
        task, a process started in a loop or a comprehension, or more than one hand-off."""
        if len(handoffs) > 1:
            return True
        for child in handoffs:
            if child.runner == "spawn":
                if spawns_several(child.call) or not waits_for_children(child.call) and in_loop(child.call):
                    return True
                continue
            if child.runner != "process":
                return True
            parent = parent_of(child.call)
            while parent is not None and not isinstance(parent, (*FUNCTION_NODES, ast.Module)):
                if isinstance(parent, (*LOOP_NODES, *COMPREHENSIONS)):
                    return not joined_in_loop(child.call, parent)
                parent = parent_of(parent)
        return False

    def target_function(self, expr: ast.expr) -> FunctionNode | None:
        """The function of the module a handed-over callable runs."""
        value = self.inference.value(expr)
        if value.is_(Kind.FUNCTION) and isinstance(value.node, FUNCTION_NODES):
            return value.node
        if value.is_(Kind.PARTIAL) and isinstance(value.node, ast.Call) and value.node.args:
            return self.target_function(value.node.args[0])
        return None

    def child_functions(self) -> dict[ast.AST, ChildRuns]:
        """Functions that run in a child, each with why; functions they call directly run there too."""
        if self._functions is None:
            functions: dict[ast.AST, ChildRuns] = {}
            pending: list[tuple[FunctionNode, list[ChildHandoff], list[ast.ClassDef]]] = []
            for child in self.handoffs():
                target = self.target_function(child.callable_expr)
                if target is not None:
                    pending.append((target, [child], []))
            for node in self.inference.tree.classes:
                kind = self.inference.class_kind(node)
                if kind is not None and kind.kind is Kind.PROCESS:
                    run = self.inference.class_method(node, "run")
                    if run is not None:
                        pending.append((run, [], [node]))
            while pending:
                function, via, classes = pending.pop()
                runs = functions.get(function)
                if runs is not None:
                    runs.add(via, classes)
                    continue
                functions[function] = runs = ChildRuns([], [])
                runs.add(via, classes)
                for inner in own_nodes(list(function.body)):
                    if isinstance(inner, ast.Call):
                        callee = self.inference.value(inner.func)
                        if callee.is_(Kind.FUNCTION) and isinstance(callee.node, FUNCTION_NODES):
                            if callee.node not in functions:
                                pending.append((callee.node, list(via), list(classes)))
            self._functions = functions
        return self._functions
