"""The multiprocessing semantic model of one module, built once and queried by every rule.

It answers what a name or expression is (a manager, a proxy and of which type, a copy read out of a
proxy, a process, a pool, an executor, a queue, a lock, a shared value...), which calls and functions start
processes, and which statements run at import time outside a main guard.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.model.api import IN_PLACE_METHODS, PROXY_READ_METHODS, Kind
from mplint.model.children import ChildAnalysis, ChildHandoff, ChildRuns
from mplint.model.inference import FunctionNode, Inference, returns_of
from mplint.model.processes import (
    ProcessAnalysis,
    ProcessStart,
    header_expressions,
    is_main_guard,
    own_nodes,
)
from mplint.model.scopes import (
    FUNCTION_NODES,
    Binding,
    Scope,
    ScopeBuilder,
    ScopeTree,
    ancestors,
    containing_block,
    enclosing_statement,
    end_position,
    parent_of,
    position,
    same_expression,
    scope_of,
    statement_index,
    statements_after,
    walk,
)
from mplint.model.spawning import LEADING_ARGUMENTS, SPAWNING_NAMES, spawn_argument, waits_for_children
from mplint.model.values import Value
from mplint.source import SourceText

# What rules may import: rules import from ``mplint.model`` only, never from its submodules
# (tests/test_model_surface.py enforces it), so the model can be reorganised behind this list.
__all__ = [
    "FUNCTION_NODES",
    "IN_PLACE_METHODS",
    "LEADING_ARGUMENTS",
    "PROXY_READ_METHODS",
    "SPAWNING_NAMES",
    "Binding",
    "ChildHandoff",
    "ChildRuns",
    "FunctionNode",
    "Kind",
    "ModuleModel",
    "ProcessStart",
    "Scope",
    "Value",
    "ancestors",
    "containing_block",
    "end_position",
    "enclosing_statement",
    "header_expressions",
    "own_nodes",
    "parent_of",
    "position",
    "returns_of",
    "same_expression",
    "scope_of",
    "spawn_argument",
    "statement_index",
    "statements_after",
    "waits_for_children",
    "walk",
]


class ModuleModel:
    """Everything the rules ask about one module."""

    def __init__(self, tree: ast.Module, source: SourceText, scopes: ScopeTree) -> None:
        self.tree = tree
        self.source = source
        self.scopes = scopes
        self.inference = Inference(scopes)
        self.processes = ProcessAnalysis(self.inference)
        self.children = ChildAnalysis(self.inference)
        self._identifiers: set[str] | None = None
        self._names: dict[str, list[ast.Name]] | None = None
        self._loads: dict[str, dict[int, list[ast.Name]]] = {}
        self._calls_by_name: dict[str, list[ast.Call]] | None = None

    @classmethod
    def build(cls, tree: ast.Module, source: SourceText) -> ModuleModel:
        return cls(tree, source, ScopeBuilder(tree).build())

    def dispose(self) -> None:
        """Break the reference cycles the model adds to the tree (parent and scope links, scopes and
        their bindings), so that reference counting frees it at once instead of a slow full collection
        of the cyclic garbage collector. The tree is unusable afterwards.

        Every node's attributes are dropped at once, its fields with its links: a fifth faster than
        removing the links and then freeing the tree from its root.
        """
        for nodes in self.scopes.by_type.values():
            for node in nodes:
                node.__dict__.clear()
        for scope in self.scopes.scopes:
            scope.bindings.clear()

    # -- values ----------------------------------------------------------------------------------

    def value(self, expr: ast.AST) -> Value:
        return self.inference.value(expr)

    def kind(self, expr: ast.AST) -> Kind:
        return self.inference.value(expr).kind

    def is_proxy(self, expr: ast.AST) -> bool:
        return self.kind(expr) is Kind.PROXY

    def is_copy(self, expr: ast.AST) -> bool:
        return self.kind(expr) is Kind.COPY

    def qualname(self, expr: ast.expr) -> str | None:
        return self.inference.qualname(expr)

    # -- processes -------------------------------------------------------------------------------

    def process_start(self, call: ast.Call) -> ProcessStart | None:
        return self.processes.process_start(call)

    def import_time_statements(self) -> Iterator[ast.stmt]:
        """Statements that run when the module is imported, outside any main guard (class bodies
        included, function bodies not)."""
        stack: list[ast.stmt] = list(reversed(self.tree.body))
        while stack:
            statement = stack.pop()
            yield statement
            stack.extend(reversed(self._import_time_children(statement)))

    def _import_time_children(self, statement: ast.stmt) -> list[ast.stmt]:
        if isinstance(statement, ast.If):
            guard = is_main_guard(statement.test, self.inference)
            if guard is True:
                return list(statement.orelse)
            if guard is False:
                return list(statement.body)
            return [*statement.body, *statement.orelse]
        if isinstance(statement, ast.ClassDef):
            return list(statement.body)
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return []
        children: list[ast.stmt] = []
        for field in ("body", "orelse", "finalbody"):
            children.extend(getattr(statement, field, []) or [])
        for handler in getattr(statement, "handlers", []) or []:
            children.extend(handler.body)
        for case in getattr(statement, "cases", []) or []:
            children.extend(case.body)
        return children

    def is_main_guard(self, test: ast.expr) -> bool | None:
        return is_main_guard(test, self.inference)

    def sets_fork_start_method(self) -> bool:
        """Whether the module selects the fork start method at import time."""
        if not any(
            call.args
            and isinstance(call.args[0], ast.Constant)
            and call.args[0].value == "fork"
            and self.qualname(call.func) == "multiprocessing.set_start_method"
            for call in self.scopes.calls
        ):
            return False  # no such call anywhere: the statements run at import time need no walk
        for statement in self.import_time_statements():
            for node in own_nodes(header_expressions(statement)):
                if isinstance(node, ast.Call) and node.args:
                    name = self.qualname(node.func)
                    if name == "multiprocessing.set_start_method":
                        first = node.args[0]
                        if isinstance(first, ast.Constant) and first.value == "fork":
                            return True
        return False

    # -- children --------------------------------------------------------------------------------

    def child_handoffs(self) -> list[ChildHandoff]:
        return self.children.handoffs()

    def child_functions(self) -> dict[ast.AST, ChildRuns]:
        return self.children.child_functions()

    def handed_arguments(self, call: ast.Call) -> list[ast.expr]:
        """The argument expressions a Process(...) call, a Pool/Executor submission or a torch
        ``spawn`` hands over."""
        found: list[ast.expr] = []
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        containers: list[ast.expr | None]
        if self.inference.spawn_function(call) is not None:
            containers = [spawn_argument(call, "args")]
        elif "target" in keywords:
            containers = [keywords.get("args"), keywords.get("kwargs")]
        else:
            containers = [*call.args[1:], keywords.get("args"), keywords.get("kwds")]
        for container in containers:
            if isinstance(container, (ast.Tuple, ast.List)):
                found.extend(container.elts)
            elif isinstance(container, ast.Dict):
                found.extend(container.values)
            elif isinstance(container, ast.Call) and isinstance(container.func, ast.Name):
                found.extend(k.value for k in container.keywords)
            elif container is not None:
                found.append(container)
        return found

    # -- names -----------------------------------------------------------------------------------

    def loads_of(self, scope: Scope, name: str) -> list[ast.Name]:
        """Every load of ``name`` that sees ``scope``'s binding, in ``scope`` and in scopes nested in it."""
        by_scope = self._loads.get(name)
        if by_scope is None:
            # Grouped once per name: asking for each of a thousand functions' ``queue`` must not scan
            # every ``queue`` of the module each time.
            by_scope = {}
            for node in self.names(name):
                if isinstance(node.ctx, ast.Load):
                    owner = scope_of(node).defining_scope(name)
                    if owner is not None:
                        by_scope.setdefault(id(owner), []).append(node)
            self._loads[name] = by_scope
        return by_scope.get(id(scope), [])

    def class_attribute_loads(self, cls: ast.ClassDef, name: str) -> list[ast.Attribute]:
        """Every ``<expr>.name`` that reads the attribute ``name`` bound in the body of ``cls``: ``cls.name``
        in its classmethods, ``C.name`` anywhere, ``self.name`` on instances that do not shadow it."""
        return [
            node
            for node in self.nodes(ast.Attribute)
            if isinstance(node, ast.Attribute)
            and node.attr == name
            and isinstance(node.ctx, ast.Load)
            and self.inference.class_attribute_owner(node.value, name) is cls
        ]

    def calls_named(self, *names: str) -> list[ast.Call]:
        """Calls whose callee's last name is one of ``names`` (``f(...)``, ``x.f(...)``), in source order:
        rules start from these instead of inferring the value of every call."""
        if self._calls_by_name is None:
            index: dict[str, list[ast.Call]] = {}
            for call in self.scopes.calls:
                func = call.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name is not None:
                    index.setdefault(name, []).append(call)
            self._calls_by_name = index
        if len(names) == 1:
            return self._calls_by_name.get(names[0], [])
        found = [call for name in names for call in self._calls_by_name.get(name, [])]
        found.sort(key=lambda call: (call.lineno, call.col_offset))
        return found

    def calls_with_keyword(self, *keywords: str) -> list[ast.Call]:
        """Calls that pass one of ``keywords`` (``target=``, ``args=``...)."""
        wanted = set(keywords)
        return [call for call in self.scopes.calls if any(k.arg in wanted for k in call.keywords)]

    def constructor_calls(self, *names: str) -> list[ast.Call]:
        """Calls that may construct an object of one of the multiprocessing classes ``names``: by name,
        or through a class of the module that subclasses one."""
        subclasses = [
            node.name for node in self.scopes.classes if self.inference.class_kind(node) is not None
        ]
        wanted = set(names)
        aliases = self.scopes.imports_of(wanted)
        return self.calls_named(*dict.fromkeys([*names, *subclasses, *aliases]))

    def names(self, name: str) -> list[ast.Name]:
        """Every Name node spelling ``name``, in source order."""
        if self._names is None:
            index: dict[str, list[ast.Name]] = {}
            for node in self.scopes.nodes(ast.Name):
                assert isinstance(node, ast.Name)
                index.setdefault(node.id, []).append(node)
            self._names = index
        return self._names.get(name, [])

    def nodes(self, *types: type) -> list[ast.AST]:
        """Every node of the given types (each type in source order)."""
        return self.scopes.nodes(*types)

    def identifiers(self) -> set[str]:
        """Every identifier the module uses, for choosing fresh names."""
        if self._identifiers is None:
            names: set[str] = set()
            for node in self.nodes(
                ast.Name, ast.arg, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.alias
            ):
                if isinstance(node, ast.Name):
                    names.add(node.id)
                elif isinstance(node, ast.arg):
                    names.add(node.arg)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(node.name)
                elif isinstance(node, ast.alias):
                    names.add((node.asname or node.name).split(".")[0])
            self._identifiers = names
        return self._identifiers

    def fresh_name(self, base: str) -> str:
        names = self.identifiers()
        if base not in names:
            return base
        index = 1
        while f"{base}_{index}" in names:
            index += 1
        return f"{base}_{index}"
