"""Scopes and bindings: one iterative pass that records what binds each name, and where.

Every node gets two attributes: ``_mpl_parent`` (its parent node) and ``_mpl_scope`` (the scope it is
evaluated in). Bindings keep enough to find the value a name holds: the assigned expression and the
unpacking path into it, the iterated expression of a ``for``, the context expression of a ``with``,
the qualified name of an import.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field

Position = tuple[int, int]

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
COMPREHENSION_NODES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(eq=False)
class Binding:
    """One place where a name gets a value."""

    name: str
    scope: Scope
    kind: str  # import, assign, annassign, augassign, for, with, param, def, class, except, walrus, other
    node: ast.AST
    effective: Position
    value: ast.expr | None = None
    path: tuple[int | str, ...] = ()
    qualname: str | None = None
    annotation: ast.expr | None = None


@dataclass(eq=False)
class Scope:
    """A module, class, function, lambda or comprehension scope."""

    kind: str  # module, class, function, lambda, comprehension
    node: ast.AST
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)
    star_imports: list[str] = field(default_factory=list)

    def add(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)

    def function_scope(self) -> Scope:
        """The function, class or module scope that comprehensions and lambdas here run in."""
        scope = self
        while scope.kind in ("comprehension", "lambda") and scope.parent is not None:
            scope = scope.parent
        return scope

    @property
    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def defining_scope(self, name: str) -> Scope | None:
        """The scope whose binding of ``name`` a load in this scope sees (None: builtin or unknown)."""
        if name in self.global_names:
            return self.module
        scope: Scope | None = self
        first = True
        while scope is not None:
            visible = first or scope.kind != "class"
            if visible and name in scope.bindings and name not in scope.nonlocal_names:
                return scope
            scope = scope.parent
            first = False
        return None

    def lookup(self, name: str, at: Position | None = None) -> list[Binding]:
        """The bindings a load of ``name`` at position ``at`` in this scope may see."""
        owner = self.defining_scope(name)
        if owner is None:
            return []
        bindings = owner.bindings[name]
        if owner is self and at is not None and len(bindings) > 1:
            before = [b for b in bindings if b.effective <= at]
            if before:
                return [before[-1]]
        return bindings


def position(node: ast.AST) -> Position:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def end_position(node: ast.AST) -> Position:
    return (getattr(node, "end_lineno", 0), getattr(node, "end_col_offset", 0))


def parent_of(node: ast.AST) -> ast.AST | None:
    parent: ast.AST | None = getattr(node, "_mpl_parent", None)
    return parent


BLOCK_FIELDS = ("body", "orelse", "finalbody")


def statement_index(block: list[ast.stmt], statement: ast.AST) -> int | None:
    """The index of ``statement`` in ``block``, found by position in O(log n) (the statements of a
    block are in source order), or None when it is not there."""
    if not isinstance(statement, ast.stmt):
        return None
    key = (statement.lineno, statement.col_offset)
    index = bisect.bisect_left(block, key, key=lambda s: (s.lineno, s.col_offset))
    if index < len(block) and block[index] is statement:
        return index
    return None


def statements_after(block: list[ast.stmt], statement: ast.AST) -> Iterator[ast.stmt]:
    """The statements of ``block`` after ``statement``, without copying the block (a search that
    stops early then costs what it reads)."""
    index = statement_index(block, statement)
    if index is None:
        return
    for later in range(index + 1, len(block)):
        yield block[later]


def containing_block(parent: ast.AST, child: ast.AST) -> list[ast.stmt] | None:
    """The statement list of ``parent`` (its body, else or finally block) that holds ``child``."""
    for name in BLOCK_FIELDS:
        block = getattr(parent, name, None)
        if isinstance(block, list) and block and statement_index(block, child) is not None:
            return block
    return None


def scope_of(node: ast.AST) -> Scope:
    scope: Scope = node._mpl_scope  # type: ignore[attr-defined]
    return scope


def ancestors(node: ast.AST) -> Iterator[ast.AST]:
    parent = parent_of(node)
    while parent is not None:
        yield parent
        parent = parent_of(parent)


def enclosing_statement(node: ast.AST) -> ast.stmt | None:
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.stmt):
        current = parent_of(current)
    return current


def target_names(
    target: ast.expr, path: tuple[int | str, ...] = ()
) -> Iterator[tuple[ast.Name, tuple[int | str, ...]]]:
    """Names bound by an assignment target, with their unpacking path ("*" for a starred part)."""
    if isinstance(target, ast.Name):
        yield target, path
    elif isinstance(target, (ast.Tuple, ast.List)):
        for index, element in enumerate(target.elts):
            if isinstance(element, ast.Starred):
                yield from target_names(element.value, (*path, "*"))
            else:
                yield from target_names(element, (*path, index))
    elif isinstance(target, ast.Starred):
        yield from target_names(target.value, (*path, "*"))


def same_expression(first: ast.AST, second: ast.AST) -> bool:
    """Whether two expressions are spelled alike (loads and stores count as alike)."""
    pairs: list[tuple[object, object]] = [(first, second)]
    while pairs:
        left, right = pairs.pop()
        if isinstance(left, ast.expr_context) and isinstance(right, ast.expr_context):
            continue
        if type(left) is not type(right):
            return False
        if isinstance(left, ast.AST):
            pairs.extend((getattr(left, name, None), getattr(right, name, None)) for name in left._fields)
        elif isinstance(left, list):
            assert isinstance(right, list)
            if len(left) != len(right):
                return False
            pairs.extend(zip(left, right, strict=True))
        elif left != right:
            return False
    return True


@dataclass
class ScopeTree:
    """The scopes of a module and the facts gathered in the same pass."""

    module: Scope
    scopes: list[Scope]
    calls: list[ast.Call]
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef]
    classes: list[ast.ClassDef]
    stores: list[tuple[ast.Subscript | ast.Attribute, ast.expr]]
    by_type: dict[type, list[ast.AST]]

    def imports_of(self, names: frozenset[str] | set[str]) -> list[str]:
        """The names that import statements bind to something whose own name is one of ``names``
        (``from torch.multiprocessing import spawn as sp`` binds ``sp`` to ``spawn``)."""
        return [
            binding.name
            for scope in self.scopes
            for bindings in scope.bindings.values()
            for binding in bindings
            if binding.kind == "import"
            and binding.qualname is not None
            and binding.qualname.rsplit(".", 1)[-1] in names
        ]

    def nodes(self, *types: type) -> list[ast.AST]:
        """Every node of the given types, each type in source order."""
        found: list[ast.AST] = []
        for node_type in types:
            found.extend(self.by_type.get(node_type, ()))
        return found


# Nodes that bind names or open scopes: everything else is walked by the inlined generic path.
BINDING_NODE_TYPES = frozenset(
    {
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Lambda,
        ast.ListComp,
        ast.SetComp,
        ast.DictComp,
        ast.GeneratorExp,
        ast.Global,
        ast.Nonlocal,
        ast.Import,
        ast.ImportFrom,
        ast.Assign,
        ast.AnnAssign,
        ast.AugAssign,
        ast.For,
        ast.AsyncFor,
        ast.With,
        ast.AsyncWith,
        ast.NamedExpr,
        ast.ExceptHandler,
        ast.MatchAs,
        ast.MatchStar,
        ast.MatchMapping,
        ast.Delete,
    }
)


# Shared singleton nodes (``Load()``, ``Add()``...), which every use points to: never walked.
SINGLETON_NODE_TYPES = frozenset(
    subclass
    for base in (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
    for subclass in base.__subclasses__()
)
# Fields that hold a singleton or a plain value in every node type that has them.
_SKIPPED_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "asname", "module", "level", "kind", "type_comment"}
    | {"conversion", "is_async", "simple"}
)
_child_fields: dict[type, tuple[str, ...]] = {}


def child_fields(node_type: type) -> tuple[str, ...]:
    """The fields of ``node_type`` that may hold nodes to walk, in reverse order (for a stack)."""
    fields = _child_fields.get(node_type)
    if fields is None:
        fields = tuple(
            name for name in reversed(getattr(node_type, "_fields", ())) if name not in _SKIPPED_FIELDS
        )
        _child_fields[node_type] = fields
    return fields


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node`` (itself included), like ``ast.walk`` but depth first and without the
    shared singletons of contexts and operators: for tests that do not depend on the order."""
    stack = [node]
    push = stack.append
    while stack:
        current = stack.pop()
        yield current
        for name in child_fields(type(current)):
            value = getattr(current, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        push(item)
            elif isinstance(value, ast.AST):
                push(value)


class ScopeBuilder:
    """Walks a module once, iteratively (deep expressions must not exhaust the Python stack)."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.module = Scope("module", tree, None)
        self.scopes = [self.module]
        self.calls: list[ast.Call] = []
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.classes: list[ast.ClassDef] = []
        self.stores: list[tuple[ast.Subscript | ast.Attribute, ast.expr]] = []

    def build(self) -> ScopeTree:
        by_type: dict[type, list[ast.AST]] = {}
        binding_types = BINDING_NODE_TYPES
        singletons = SINGLETON_NODE_TYPES
        field_cache = _child_fields
        stack: list[tuple[ast.AST, ast.AST | None, Scope]] = [(self.tree, None, self.module)]
        push = stack.append
        while stack:
            node, parent, scope = stack.pop()
            node._mpl_parent = parent  # type: ignore[attr-defined]
            node._mpl_scope = scope  # type: ignore[attr-defined]
            node_type = type(node)
            same_type = by_type.get(node_type)
            if same_type is None:
                by_type[node_type] = [node]
            else:
                same_type.append(node)
            if node_type in binding_types:
                for child, child_scope in reversed(self.visit(node, scope)):
                    if type(child) not in singletons:
                        push((child, node, child_scope))
                continue
            # The common case, inlined: children are evaluated in the same scope.
            fields = field_cache.get(node_type)
            if fields is None:
                fields = child_fields(node_type)
            for name in fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    for item in reversed(value):
                        if isinstance(item, ast.AST):
                            push((item, node, scope))
                elif isinstance(value, ast.AST):
                    push((value, node, scope))
        calls = by_type.get(ast.Call, [])
        self.calls = [call for call in calls if isinstance(call, ast.Call)]
        return ScopeTree(
            self.module, self.scopes, self.calls, self.functions, self.classes, self.stores, by_type
        )

    def new_scope(self, kind: str, node: ast.AST, parent: Scope) -> Scope:
        scope = Scope(kind, node, parent)
        self.scopes.append(scope)
        return scope

    def bind(self, scope: Scope, binding: Binding) -> None:
        owner = scope
        if binding.name in scope.global_names:
            owner = scope.module
        binding.scope = owner
        owner.add(binding)
        if owner is not scope:
            # keep the name visible as "declared here" so lookups in this scope go to the module
            scope.global_names.add(binding.name)

    def bind_targets(
        self,
        scope: Scope,
        target: ast.expr,
        kind: str,
        effective: Position,
        value: ast.expr | None,
        annotation: ast.expr | None = None,
    ) -> None:
        for name, path in target_names(target):
            self.bind(
                scope,
                Binding(name.id, scope, kind, name, effective, value, path, annotation=annotation),
            )

    def visit(self, node: ast.AST, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        """Record what ``node`` binds; return its children with the scope each is evaluated in."""
        if isinstance(node, FUNCTION_NODES):
            return self.visit_function(node, scope)
        if isinstance(node, ast.ClassDef):
            self.classes.append(node)
            self.bind(scope, Binding(node.name, scope, "class", node, end_position(node)))
            inner = self.new_scope("class", node, scope)
            outer: list[ast.AST] = [*node.decorator_list, *node.bases, *node.keywords]
            return [(child, scope) for child in outer] + [(stmt, inner) for stmt in node.body]
        if isinstance(node, ast.Lambda):
            inner = self.new_scope("lambda", node, scope)
            self.bind_arguments(node.args, inner, node)
            defaults = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
            lambda_children: list[tuple[ast.AST, Scope]] = [(d, scope) for d in defaults]
            return [*lambda_children, (node.body, inner)]
        if isinstance(node, COMPREHENSION_NODES):
            inner = self.new_scope("comprehension", node, scope)
            children: list[tuple[ast.AST, Scope]] = []
            for index, generator in enumerate(node.generators):
                self.bind_targets(inner, generator.target, "for", position(node), generator.iter)
                children.append((generator.iter, scope if index == 0 else inner))
                children.append((generator.target, inner))
                children.extend((cond, inner) for cond in generator.ifs)
            if isinstance(node, ast.DictComp):
                children.extend([(node.key, inner), (node.value, inner)])
            else:
                children.append((node.elt, inner))
            return children
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            names = scope.global_names if isinstance(node, ast.Global) else scope.nonlocal_names
            names.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.visit_import(node, scope)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self.bind_targets(scope, target, "assign", end_position(node), node.value)
                if isinstance(target, (ast.Subscript, ast.Attribute)):
                    self.stores.append((target, node.value))
        elif isinstance(node, ast.AnnAssign):
            if isinstance(node.target, (ast.Subscript, ast.Attribute)) and node.value is not None:
                self.stores.append((node.target, node.value))
            self.bind_targets(
                scope, node.target, "annassign", end_position(node), node.value, node.annotation
            )
        elif isinstance(node, ast.AugAssign):
            self.bind_targets(scope, node.target, "augassign", end_position(node), None)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.bind_targets(scope, node.target, "for", end_position(node.target), node.iter)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self.bind_targets(
                        scope, item.optional_vars, "with", end_position(item.optional_vars), item.context_expr
                    )
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            target_scope = scope
            while target_scope.kind == "comprehension" and target_scope.parent is not None:
                target_scope = target_scope.parent
            self.bind(
                target_scope,
                Binding(
                    node.target.id,
                    target_scope,
                    "walrus",
                    node.target,
                    end_position(node),
                    node.value,
                ),
            )
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self.bind(scope, Binding(node.name, scope, "except", node, position(node)))
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            self.bind(scope, Binding(node.name, scope, "other", node, position(node)))
        elif isinstance(node, ast.MatchMapping) and node.rest:
            self.bind(scope, Binding(node.rest, scope, "other", node, position(node)))
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.bind(scope, Binding(target.id, scope, "del", target, end_position(node)))
        return [(child, scope) for child in ast.iter_child_nodes(node)]

    def visit_function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
    ) -> list[tuple[ast.AST, Scope]]:
        self.functions.append(node)
        self.bind(scope, Binding(node.name, scope, "def", node, end_position(node)))
        inner = self.new_scope("function", node, scope)
        self.bind_arguments(node.args, inner, node)
        args = node.args
        outer: list[ast.AST] = [*node.decorator_list, *args.defaults]
        outer.extend(d for d in args.kw_defaults if d is not None)
        every_arg = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        every_arg.extend(a for a in (args.vararg, args.kwarg) if a is not None)
        outer.extend(a.annotation for a in every_arg if a.annotation is not None)
        if node.returns is not None:
            outer.append(node.returns)
        children: list[tuple[ast.AST, Scope]] = [(child, scope) for child in outer]
        children.extend((arg, inner) for arg in every_arg)
        children.extend((stmt, inner) for stmt in node.body)
        return children

    def bind_arguments(self, args: ast.arguments, scope: Scope, owner: ast.AST) -> None:
        start = position(owner)
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            scope.add(Binding(arg.arg, scope, "param", arg, start, annotation=arg.annotation))
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                scope.add(Binding(extra.arg, scope, "param", extra, start, path=("*",)))

    def visit_import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        effective = end_position(node)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    name, qualname = alias.asname, alias.name
                else:
                    name = qualname = alias.name.split(".")[0]
                self.bind(scope, Binding(name, scope, "import", alias, effective, qualname=qualname))
            return
        if node.level:  # relative imports name the project's own modules
            module = "." * node.level + (node.module or "")
        else:
            module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                scope.star_imports.append(module)
                continue
            name = alias.asname or alias.name
            self.bind(
                scope,
                Binding(name, scope, "import", alias, effective, qualname=f"{module}.{alias.name}"),
            )
