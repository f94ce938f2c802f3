"""Inference: the value of any expression of a module, resolved through imports, scopes, assignments,
unpacking, ``for`` and ``with`` targets, ``self`` attributes, function returns, and the parameters that
receive arguments from calls, Process targets, Pool and Executor submissions, torch's ``spawn`` and
``functools.partial``.

Everything is computed lazily and memoised; a value that depends on itself resolves to UNKNOWN.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from mplint.model.api import (
    MANAGER_PROXY_TYPES,
    MP,
    POOL_APPLY_METHODS,
    POOL_MAP_METHODS,
    POOL_STARMAP_METHODS,
    PROXY_ANNOTATION_NAMES,
    PROXY_ANNOTATIONS,
    PROXY_READ_METHODS,
    STAR_EXPORTS,
    Kind,
    canonical,
    constructed_kind,
    is_multiprocessing_name,
)
from mplint.model.scopes import (
    FUNCTION_NODES,
    Binding,
    Scope,
    ScopeTree,
    parent_of,
    position,
    scope_of,
)
from mplint.model.spawning import (
    LEADING_ARGUMENTS,
    SPAWNING_FUNCTIONS,
    SPAWNING_NAMES,
    spawn_argument,
)
from mplint.model.values import COPY, NONE, PLAIN, UNKNOWN, Value, container, join

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
WORKER_KINDS = (Kind.POOL, Kind.THREAD_POOL, Kind.EXECUTOR, Kind.THREAD_EXECUTOR)
ENTER_RETURNS_SELF = (
    Kind.MANAGER,
    Kind.MANAGER_UNSTARTED,
    Kind.POOL,
    Kind.THREAD_POOL,
    Kind.EXECUTOR,
    Kind.THREAD_EXECUTOR,
    Kind.PROCESS,
    Kind.LOCK,
    Kind.CONNECTION,
    Kind.PROXY,
    Kind.INSTANCE,
)


MAX_DEPTH = 100
"""How deeply values may depend on other values: deeper ones (a call chain ``f()()()...`` hundreds long)
are UNKNOWN instead of exhausting the interpreter's recursion limit."""

# Objects whose processes a context starts with its own start method ("fork", "spawn"...).
STARTED_BY_CONTEXT = (Kind.PROCESS, Kind.POOL, Kind.MANAGER, Kind.MANAGER_UNSTARTED)


@dataclass(frozen=True)
class Handoff:
    """A call that hands a callable over to be called elsewhere, or calls it directly."""

    call: ast.Call
    role: str  # direct, process, apply, map, starmap, submit, executor_map, partial, spawn
    callable_expr: ast.expr


def _handoff_callable(call: ast.Call) -> tuple[str, ast.expr] | None:
    for keyword in call.keywords:
        if keyword.arg == "target":
            return ("process", keyword.value)
        if keyword.arg == "initializer":
            return ("initializer", keyword.value)
    func = call.func
    if isinstance(func, ast.Attribute):
        method = func.attr
        first: ast.expr | None = call.args[0] if call.args else None
        if first is None:
            for keyword in call.keywords:
                if keyword.arg in ("func", "fn"):
                    first = keyword.value
        if first is not None:
            if method in POOL_APPLY_METHODS:
                return ("apply", first)
            if method in POOL_STARMAP_METHODS:
                return ("starmap", first)
            if method in POOL_MAP_METHODS:
                return ("map", first)
            if method == "submit":
                return ("submit", first)
    return None


def _callable_key(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Call) and expr.args:  # functools.partial(f, ...)
        return _callable_key(expr.args[0])
    return None


def constant_key(expr: ast.expr | None) -> str:
    """A stable text for a subscript key: the repr of a constant, or "?" for anything computed."""
    if isinstance(expr, ast.Constant):
        return repr(expr.value)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        if isinstance(expr.operand, ast.Constant) and isinstance(expr.operand.value, (int, float)):
            return repr(-expr.operand.value)
    return "?"


class Inference:
    """Lazily computed values of a module's expressions."""

    def __init__(self, tree: ScopeTree) -> None:
        self.tree = tree
        self._values: dict[ast.AST, Value] = {}
        self._bindings: dict[int, Value] = {}
        self._returns: dict[ast.AST, Value] = {}
        self._class_kinds: dict[ast.ClassDef, Value | None] = {}
        self._self_attrs: dict[tuple[ast.ClassDef, str], list[ast.expr]] | None = None
        self._handoffs: dict[str, list[Handoff]] | None = None
        self._additions: dict[str, list[tuple[ast.Name, str, ast.expr]]] | None = None
        self._handed_over: list[Handoff] = []
        self._contents: dict[ast.AST, dict[str, Value]] = {}
        self._contents_ready = False
        self._contents_running = False
        self._active: set[object] = set()
        self._depth = 0
        self._spawn_names: frozenset[str] | None = None

    # -- qualified names -------------------------------------------------------------------------

    def qualname(self, expr: ast.expr) -> str | None:
        """The canonical qualified name an expression refers to through imports, or None."""
        if isinstance(expr, ast.Name):
            bindings = scope_of(expr).lookup(expr.id, position(expr))
            if not bindings:
                return self._star_import_name(expr)
            names = {canonical(b.qualname) for b in bindings if b.kind == "import" and b.qualname}
            if len(names) == 1 and all(b.kind == "import" for b in bindings):
                return names.pop()
            return None
        if isinstance(expr, ast.Attribute):
            # Iteratively from the innermost attribute out: a chain of thousands must not recurse.
            chain: list[ast.Attribute] = []
            inner: ast.expr = expr
            while isinstance(inner, ast.Attribute):
                chain.append(inner)
                inner = inner.value
            base = self.qualname(inner) if isinstance(inner, ast.Name) else None
            for attribute in reversed(chain):
                if base is not None:
                    base = f"{base}.{attribute.attr}"
                elif self.value(attribute.value).is_(Kind.CONTEXT, Kind.MODULE):
                    base = f"{MP}.{attribute.attr}"
            return base
        return None

    def _star_import_name(self, expr: ast.Name) -> str | None:
        if expr.id not in STAR_EXPORTS:
            return None
        scope = scope_of(expr)
        if scope.defining_scope(expr.id) is not None:
            return None
        for module in scope.module.star_imports:
            name = canonical(module)
            if name == MP or name.startswith(f"{MP}.") and not name.startswith(f"{MP}.dummy"):
                return f"{MP}.{expr.id}"
        return None

    # -- values ----------------------------------------------------------------------------------

    def value(self, expr: ast.AST) -> Value:
        """The abstract value of an expression."""
        cached = self._values.get(expr)
        if cached is not None:
            return cached
        if expr in self._active or self._depth >= MAX_DEPTH:
            return UNKNOWN
        self._active.add(expr)
        self._depth += 1
        try:
            result = self._compute(expr)
        finally:
            self._depth -= 1
            self._active.discard(expr)
        self._values[expr] = result
        return result

    def _compute(self, expr: ast.AST) -> Value:
        if isinstance(expr, ast.Name):
            return self._name_value(expr)
        if isinstance(expr, ast.Attribute):
            return self._attribute_value(expr)
        if isinstance(expr, ast.Subscript):
            return self._subscript_value(expr)
        if isinstance(expr, ast.Call):
            return self._call_value(expr)
        if isinstance(expr, ast.Constant):
            return NONE if expr.value is None else PLAIN
        if isinstance(expr, ast.Tuple):
            items = tuple(self.value(element) for element in expr.elts)
            if any(isinstance(element, ast.Starred) for element in expr.elts):
                items = ()
            return container(join(list(items)) if items else UNKNOWN, items or None)
        if isinstance(expr, (ast.List, ast.Set)):
            element = join([self.value(e) for e in expr.elts])
            return container(element) if element.known else PLAIN
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            element = self.value(expr.elt)
            return container(element) if element.known else PLAIN
        if isinstance(expr, (ast.Dict, ast.DictComp)):
            values = (
                [expr.value] if isinstance(expr, ast.DictComp) else [v for v in expr.values if v is not None]
            )
            element = join([self.value(v) for v in values])
            known = element.known and not element.is_(Kind.PLAIN)
            return Value(Kind.CONTAINER, "dict", element=element) if known else PLAIN
        if isinstance(expr, ast.JoinedStr):
            return PLAIN
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, ast.Mult):
                for side in (expr.left, expr.right):
                    side_value = self.value(side)
                    if side_value.is_(Kind.CONTAINER):
                        return Value(Kind.CONTAINER, element=side_value.element)
                return PLAIN
            if isinstance(expr.op, ast.Add):
                left, right = self.value(expr.left), self.value(expr.right)
                if left.is_(Kind.CONTAINER) and right.is_(Kind.CONTAINER):
                    return container(join([left.element or UNKNOWN, right.element or UNKNOWN]))
            return PLAIN  # arithmetic, concatenation, formatting: never a process, proxy or callable
        if isinstance(expr, (ast.Compare, ast.UnaryOp)):
            return PLAIN
        if isinstance(expr, ast.IfExp):
            return join([self.value(expr.body), self.value(expr.orelse)])
        if isinstance(expr, ast.BoolOp):
            return join([self.value(v) for v in expr.values])
        if isinstance(expr, ast.NamedExpr):
            return self.value(expr.value)
        if isinstance(expr, ast.Starred):
            return self.value(expr.value)
        if isinstance(expr, ast.Await):
            return UNKNOWN
        return UNKNOWN

    def _name_value(self, expr: ast.Name) -> Value:
        bindings = scope_of(expr).lookup(expr.id, position(expr))
        if not bindings:
            qualname = self._star_import_name(expr)
            return Value(Kind.API, qualname) if qualname else UNKNOWN
        return join([self.binding_value(binding) for binding in bindings])

    def _attribute_value(self, expr: ast.Attribute) -> Value:
        qualname = self.qualname(expr)
        if qualname is not None:
            return Value(Kind.MODULE) if qualname == MP else Value(Kind.API, qualname)
        base = self.value(expr.value)
        attr = expr.attr
        if base.is_(Kind.PROXY):
            if base.detail == "namespace" and not attr.startswith("_"):
                return self.held(base, repr(attr)) or COPY
            if base.detail == "value" and attr == "value":
                return self.held(base, repr(attr)) or COPY
            return UNKNOWN
        if base.is_(Kind.COPY):
            return COPY
        if base.is_(Kind.INSTANCE, Kind.CLASS) and isinstance(base.node, ast.ClassDef):
            stored = self.instance_attribute(base.node, attr) if base.is_(Kind.INSTANCE) else UNKNOWN
            if stored.known:
                return stored
            method = self.class_method(base.node, attr)
            if method is not None:
                return Value(Kind.FUNCTION, node=method)
            return UNKNOWN
        if base.is_(Kind.PROCESS) and isinstance(base.node, ast.ClassDef):
            method = self.class_method(base.node, attr)
            if method is not None:
                return Value(Kind.FUNCTION, node=method)
        return UNKNOWN

    def _subscript_value(self, expr: ast.Subscript) -> Value:
        base = self.value(expr.value)
        if base.is_(Kind.PROXY) and base.detail in ("list", "dict", ""):
            if isinstance(expr.slice, ast.Slice):
                return COPY
            return self.held(base, constant_key(expr.slice)) or COPY
        if base.is_(Kind.COPY):
            return COPY
        if base.is_(Kind.CONTAINER):
            index = expr.slice
            if base.items is not None and isinstance(index, ast.Constant):
                if isinstance(index.value, int) and -len(base.items) <= index.value < len(base.items):
                    return base.items[index.value]
            return base.element or UNKNOWN
        if base.is_(Kind.PIPE):
            return Value(Kind.CONNECTION)
        return UNKNOWN

    def _call_value(self, call: ast.Call) -> Value:
        func = call.func
        qualname = self.qualname(func)
        if qualname is not None:
            made = self._api_call_value(call, qualname)
            if isinstance(func, ast.Attribute) and made.kind in STARTED_BY_CONTEXT:
                context = self.value(func.value)
                if context.is_(Kind.CONTEXT) and context.detail:
                    return Value(made.kind, context.detail, made.origins)
            return made
        if isinstance(func, ast.Attribute):
            base = self.value(func.value)
            result = self._method_value(call, base, func.attr)
            if result is not None:
                return result
            return UNKNOWN
        if isinstance(func, ast.Name) and func.id in (
            "list",
            "tuple",
            "sorted",
            "set",
            "enumerate",
        ):
            if scope_of(func).defining_scope(func.id) is None and call.args:
                element = self.iter_element(self.value(call.args[0]))
                if func.id == "enumerate":
                    return container(container(UNKNOWN, (UNKNOWN, element)))
                return container(element) if element.known else PLAIN
        if isinstance(func, ast.Name) and func.id == "zip" and call.args:
            if scope_of(func).defining_scope("zip") is None:
                parts = tuple(self.iter_element(self.value(arg)) for arg in call.args)
                return container(container(UNKNOWN, parts))
        if isinstance(func, ast.Name) and func.id in ("dict", "list", "set"):
            if scope_of(func).defining_scope(func.id) is None:
                return PLAIN
        callee = self.value(func)
        return self.call_result(call, callee)

    def call_result(self, call: ast.Call, callee: Value) -> Value:
        """What calling ``callee`` at ``call`` returns."""
        if callee.is_(Kind.API) and callee.detail:
            return self._api_call_value(call, callee.detail)
        if callee.is_(Kind.CLASS) and isinstance(callee.node, ast.ClassDef):
            base_kind = self.class_kind(callee.node)
            if base_kind is not None:
                return Value(base_kind.kind, base_kind.detail, frozenset({call}), node=callee.node)
            return Value(Kind.INSTANCE, origins=frozenset({call}), node=callee.node)
        if callee.is_(Kind.FUNCTION) and isinstance(callee.node, FUNCTION_NODES):
            return self.return_value(callee.node)
        if callee.is_(Kind.PARTIAL) and isinstance(callee.node, ast.Call) and callee.node.args:
            return self.call_result(call, self.value(callee.node.args[0]))
        return UNKNOWN

    def _api_call_value(self, call: ast.Call, qualname: str) -> Value:
        if qualname in ("functools.partial", "functools.partialmethod"):
            return Value(Kind.PARTIAL, node=call)
        if qualname == "itertools.repeat" and call.args:
            return container(self.value(call.args[0]))
        if qualname == "contextlib.closing" and call.args:
            return self.value(call.args[0])
        made = constructed_kind(qualname)
        if made is None:
            return UNKNOWN
        kind, detail = made
        if kind is Kind.CONTEXT and call.args and isinstance(call.args[0], ast.Constant):
            detail = str(call.args[0].value)
        if kind is Kind.PIPE:
            connection = Value(Kind.CONNECTION, origins=frozenset({call}))
            return Value(Kind.PIPE, origins=frozenset({call}), items=(connection, connection))
        return Value(kind, detail, frozenset({call}))

    def _method_value(self, call: ast.Call, base: Value, method: str) -> Value | None:
        kind = base.kind
        if kind in (Kind.MANAGER, Kind.MANAGER_UNSTARTED):
            if method in ("start", "connect", "shutdown", "join"):
                return NONE
            proxy = MANAGER_PROXY_TYPES.get(method, "other")
            self._record_creation_contents(call, proxy)
            return Value(Kind.PROXY, proxy, frozenset({call}))
        if kind in (Kind.CONTEXT, Kind.MODULE):
            made = self._api_call_value(call, f"{MP}.{method}")
            if base.detail and made.kind in STARTED_BY_CONTEXT:
                return Value(made.kind, base.detail, made.origins)
            return made
        if kind in (Kind.POOL, Kind.THREAD_POOL):
            if method in ("apply_async", "map_async", "starmap_async"):
                return Value(Kind.ASYNC_RESULT, origins=base.origins)
            if method in ("imap", "imap_unordered"):
                return Value(Kind.RESULT_ITERATOR, origins=base.origins)
            return UNKNOWN
        if kind in (Kind.EXECUTOR, Kind.THREAD_EXECUTOR):
            if method == "submit":
                return Value(Kind.FUTURE, origins=base.origins)
            if method == "map":
                return Value(Kind.RESULT_ITERATOR, origins=base.origins)
            return UNKNOWN
        if kind is Kind.PROXY:
            if base.detail in ("dict", "") and method in PROXY_READ_METHODS:
                key = call.args[0] if call.args else None
                return self.held(base, constant_key(key)) or COPY
            if base.detail in ("dict", ""):
                if method == "values":
                    return container(self.held(base, "?") or COPY)
                if method == "items":
                    return container(container(UNKNOWN, (PLAIN, self.held(base, "?") or COPY)))
                if method == "copy":
                    return PLAIN
            return UNKNOWN
        if kind is Kind.CONTAINER and base.element is not None:
            if base.detail == "dict":
                if method == "values":
                    return container(base.element)
                if method == "items":
                    return container(container(UNKNOWN, (PLAIN, base.element)))
                if method in ("get", "pop", "setdefault"):
                    return base.element
            elif method == "pop":
                return base.element
            return UNKNOWN
        if kind is Kind.SHARED_VALUE or kind is Kind.SHARED_ARRAY:
            if method == "get_lock":
                return Value(Kind.LOCK, "RLock")
            return UNKNOWN
        if kind is Kind.INSTANCE and isinstance(base.node, ast.ClassDef):
            method_node = self.class_method(base.node, method)
            if method_node is not None:
                return self.return_value(method_node)
            return UNKNOWN
        return None

    # -- bindings --------------------------------------------------------------------------------

    def binding_value(self, binding: Binding) -> Value:
        key = id(binding)
        cached = self._bindings.get(key)
        if cached is not None:
            return cached
        if binding in self._active:
            return UNKNOWN
        self._active.add(binding)
        try:
            result = self._binding_value(binding)
        finally:
            self._active.discard(binding)
        self._bindings[key] = result
        return result

    def _binding_value(self, binding: Binding) -> Value:
        kind = binding.kind
        if kind == "import":
            qualname = canonical(binding.qualname or "")
            if qualname == MP:
                return Value(Kind.MODULE)
            return Value(Kind.API, qualname)
        if kind == "def":
            return Value(Kind.FUNCTION, node=binding.node)
        if kind == "class":
            return Value(Kind.CLASS, node=binding.node)
        if kind == "param":
            return self.parameter_value(binding)
        if kind in ("assign", "annassign", "walrus"):
            if binding.value is not None and not binding.path:
                filled = self._filled_container(binding, binding.value)
                if filled is not None:
                    return filled
            value = self.value(binding.value) if binding.value is not None else UNKNOWN
            if not value.known and binding.annotation is not None and not binding.path:
                value = self.annotation_value(binding.annotation)
            return self.project(value, binding.path)
        if kind == "with" and binding.value is not None:
            entered = self.value(binding.value)
            if not entered.is_(*ENTER_RETURNS_SELF):
                return UNKNOWN
            return self.project(entered, binding.path)
        if kind == "for" and binding.value is not None:
            return self.project(self.iter_element(self.value(binding.value)), binding.path)
        return UNKNOWN

    def _filled_container(self, binding: Binding, created: ast.expr) -> Value | None:
        """For a name bound to a new empty list or dict: what the code then puts in it (``rs.append(x)``,
        ``jobs[k] = x``), as the container's elements; None when it is not such a name or nothing
        known is put in."""
        if isinstance(created, ast.List) and not created.elts:
            dict_like = False
        elif isinstance(created, ast.Dict) and not created.keys:
            dict_like = True
        elif (
            isinstance(created, ast.Call)
            and isinstance(created.func, ast.Name)
            and created.func.id in ("list", "dict")
            and not created.args
            and not created.keywords
            and scope_of(created.func).defining_scope(created.func.id) is None
        ):
            dict_like = created.func.id == "dict"
        else:
            return None
        added: list[Value] = []
        for receiver, how, expr in self.additions().get(binding.name, []):
            if binding not in scope_of(receiver).lookup(receiver.id, position(receiver)):
                continue
            if how == "store" and dict_like or how in ("append", "insert", "add") and not dict_like:
                added.append(self.value(expr))
            elif how == "extend" and not dict_like:
                added.append(self.iter_element(self.value(expr)))
        element = join(added)
        if not element.known or element.is_(Kind.PLAIN):
            return None
        return Value(Kind.CONTAINER, "dict" if dict_like else "", element=element)

    def additions(self) -> dict[str, list[tuple[ast.Name, str, ast.expr]]]:
        """What is put into containers named by a plain name: (the name, how, the expression put in),
        by name."""
        if self._additions is None:
            index: dict[str, list[tuple[ast.Name, str, ast.expr]]] = {}
            for call in self.tree.calls:
                func = call.func
                if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
                    continue
                put = call.args[1] if func.attr == "insert" and len(call.args) > 1 else None
                if func.attr in ("append", "add", "extend") and len(call.args) == 1:
                    put = call.args[0]
                if put is not None:
                    index.setdefault(func.value.id, []).append((func.value, func.attr, put))
            for target, stored in self.tree.stores:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    index.setdefault(target.value.id, []).append((target.value, "store", stored))
            self._additions = index
        return self._additions

    def project(self, value: Value, path: tuple[int | str, ...]) -> Value:
        """The part of ``value`` an unpacking path selects."""
        for step in path:
            if step == "*":
                return UNKNOWN
            assert isinstance(step, int)
            if value.items is not None:
                value = value.items[step] if step < len(value.items) else UNKNOWN
            elif value.is_(Kind.CONTAINER):
                value = value.element or UNKNOWN
            elif value.is_(Kind.COPY):
                value = COPY
            elif value.is_(Kind.PROXY) and value.detail == "list":
                value = self.held(value, repr(step)) or COPY
            else:
                return UNKNOWN
        return value

    def iter_element(self, value: Value) -> Value:
        """The value of each element when iterating over ``value``."""
        if value.is_(Kind.CONTAINER):
            if value.detail == "dict":
                return PLAIN  # a dict iterates over its keys
            if value.element is not None and value.element.known:
                return value.element
            if value.items:
                return join(list(value.items))
            return UNKNOWN
        if value.is_(Kind.PROXY):
            if value.detail == "list":
                return self.held(value, "?") or COPY
            return PLAIN  # a dict proxy iterates over its keys
        if value.is_(Kind.COPY):
            return COPY
        return UNKNOWN

    def annotation_value(self, annotation: ast.expr) -> Value:
        """The value an annotation promises: only manager proxy types are trusted."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return UNKNOWN
            name = parsed.value if isinstance(parsed, ast.Subscript) else parsed
            while isinstance(name, ast.Attribute):
                if name.attr in PROXY_ANNOTATION_NAMES:
                    return Value(Kind.PROXY, PROXY_ANNOTATION_NAMES[name.attr])
                name = name.value
            if isinstance(name, ast.Name) and name.id in PROXY_ANNOTATION_NAMES:
                return Value(Kind.PROXY, PROXY_ANNOTATION_NAMES[name.id])
            return UNKNOWN
        if isinstance(annotation, ast.Subscript):
            annotation = annotation.value
        qualname = self.qualname(annotation)
        if qualname in PROXY_ANNOTATIONS:
            return Value(Kind.PROXY, PROXY_ANNOTATIONS[qualname])
        if qualname is None:
            bare = annotation.attr if isinstance(annotation, ast.Attribute) else None
            if isinstance(annotation, ast.Name):
                bare = annotation.id
            # an undefined DictProxy under TYPE_CHECKING-only imports still names the proxy type
            if bare in PROXY_ANNOTATION_NAMES and self._names_proxy_module(annotation):
                return Value(Kind.PROXY, PROXY_ANNOTATION_NAMES[bare])
        return UNKNOWN

    def _names_proxy_module(self, annotation: ast.expr) -> bool:
        if isinstance(annotation, ast.Name):
            return scope_of(annotation).defining_scope(annotation.id) is None
        return False

    # -- parameters ------------------------------------------------------------------------------

    def parameter_value(self, binding: Binding) -> Value:
        function = binding.scope.node
        if not isinstance(function, FUNCTION_NODES):
            return UNKNOWN
        if binding.path == ("*",):
            return UNKNOWN
        params = [*function.args.posonlyargs, *function.args.args]
        method_of = self.method_class(function)
        if method_of is not None and params and params[0] is binding.node:
            decorators = {self._decorator_name(d) for d in function.decorator_list}
            if "classmethod" in decorators:
                return Value(Kind.CLASS, node=method_of)
            if "staticmethod" not in decorators:
                return Value(Kind.INSTANCE, node=method_of)
        arguments = list(self.arguments_for(function, binding))
        from_calls = join(arguments)
        if from_calls.known:
            return from_calls
        if binding.annotation is not None:
            return self.annotation_value(binding.annotation)
        return UNKNOWN

    @staticmethod
    def _decorator_name(decorator: ast.expr) -> str:
        if isinstance(decorator, ast.Name):
            return decorator.id
        if isinstance(decorator, ast.Attribute):
            return decorator.attr
        return ""

    def method_class(self, function: FunctionNode) -> ast.ClassDef | None:
        parent = parent_of(function)
        return parent if isinstance(parent, ast.ClassDef) else None

    def handoffs(self) -> dict[str, list[Handoff]]:
        """Every call that calls or hands over a callable, by the callable's last name."""
        if self._handoffs is None:
            index: dict[str, list[Handoff]] = {}
            for call in self.tree.calls:
                key = _callable_key(call.func)
                if key is not None:
                    index.setdefault(key, []).append(Handoff(call, "direct", call.func))
                handed = _handoff_callable(call) or self._spawned_callable(call)
                if handed is not None:
                    role, expr = handed
                    if role == "map" and isinstance(call.func, ast.Attribute):
                        if call.func.attr == "map" and len(call.args) > 2:
                            role = "executor_map"
                    handoff = Handoff(call, role, expr)
                    self._handed_over.append(handoff)
                    hkey = _callable_key(expr)
                    if hkey is not None:
                        index.setdefault(hkey, []).append(handoff)
                if isinstance(call.func, (ast.Name, ast.Attribute)) and call.args:
                    if self._looks_like_partial(call.func):
                        pkey = _callable_key(call.args[0])
                        if pkey is not None:
                            index.setdefault(pkey, []).append(Handoff(call, "partial", call.args[0]))
            self._handoffs = index
        return self._handoffs

    def spawn_function(self, call: ast.Call) -> str | None:
        """Which of torch.multiprocessing's ``spawn`` and ``start_processes`` a call calls, if one:
        resolved through imports only, as the hand-offs are indexed before any value is known."""
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr not in SPAWNING_NAMES:
                return None
            root = func.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if not isinstance(root, ast.Name) or self.qualname(root) is None:
                return None
        elif not isinstance(func, ast.Name):
            return None
        elif func.id not in SPAWNING_NAMES and func.id not in self._spawning_import_names():
            return None  # a name resolves only through an import of it (or a star import)
        qualname = self.qualname(func)
        return qualname if qualname in SPAWNING_FUNCTIONS else None

    def _spawning_import_names(self) -> frozenset[str]:
        """The names imports bind to something called ``spawn`` or ``start_processes``."""
        if self._spawn_names is None:
            self._spawn_names = frozenset(self.tree.imports_of(SPAWNING_NAMES))
        return self._spawn_names

    def _spawned_callable(self, call: ast.Call) -> tuple[str, ast.expr] | None:
        if self.spawn_function(call) is None:
            return None
        fn = spawn_argument(call, "fn")
        return None if fn is None else ("spawn", fn)

    def handed_over(self) -> list[Handoff]:
        """Every call that hands a callable over to be called elsewhere (not direct calls)."""
        self.handoffs()
        return self._handed_over

    @staticmethod
    def _looks_like_partial(func: ast.expr) -> bool:
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in ("partial", "partialmethod")

    def resolves_to(self, expr: ast.expr, function: FunctionNode) -> tuple[bool, int]:
        """Whether a callable expression calls ``function``; and how many leading parameters are
        already bound (a bound method's self, a partial's arguments)."""
        value = self.value(expr)
        if value.is_(Kind.FUNCTION):
            if value.node is not function:
                return (False, 0)
            bound = 0
            if isinstance(expr, ast.Attribute) and self.method_class(function) is not None:
                receiver = self.value(expr.value)
                if receiver.is_(Kind.INSTANCE, Kind.PROCESS, Kind.MANAGER, Kind.MANAGER_UNSTARTED):
                    bound = 1
            return (True, bound)
        if value.is_(Kind.CLASS) and isinstance(value.node, ast.ClassDef):
            if self.class_method(value.node, "__init__") is function:
                return (True, 1)
            return (False, 0)
        if value.is_(Kind.PARTIAL) and isinstance(value.node, ast.Call) and value.node.args:
            inner, bound = self.resolves_to(value.node.args[0], function)
            return (inner, bound + len(value.node.args) - 1) if inner else (False, 0)
        return (False, 0)

    def arguments_for(self, function: FunctionNode, binding: Binding) -> Iterator[Value]:
        """The values that calls and hand-offs found in the module pass to a parameter."""
        params = [*function.args.posonlyargs, *function.args.args]
        position_index = next((i for i, p in enumerate(params) if p is binding.node), None)
        name = binding.name
        candidates = list(self.handoffs().get(function.name, []))
        owner_class = self.method_class(function)
        if function.name == "__init__" and owner_class is not None:
            candidates.extend(self.handoffs().get(owner_class.name, []))
        for handoff in candidates:
            if handoff.role != "direct" and handoff.role != "partial":
                receiver = handoff.call.func
                if handoff.role == "process":
                    # a thread's target receives its arguments the same way (proxies stay proxies)
                    is_thread = self.qualname(handoff.call.func) == "threading.Thread"
                    if not is_thread and not self.value(handoff.call).is_(Kind.PROCESS):
                        continue
                elif handoff.role == "initializer":
                    if not self.value(handoff.call).is_(*WORKER_KINDS):
                        continue
                elif handoff.role != "spawn" and isinstance(receiver, ast.Attribute):
                    owner = self.value(receiver.value)
                    if owner.known and not owner.is_(*WORKER_KINDS):
                        continue
            matches, bound = self.resolves_to(handoff.callable_expr, function)
            if not matches:
                continue
            partial_kwargs: dict[str, ast.expr] = {}
            callable_value = self.value(handoff.callable_expr)
            partial_call = callable_value.node if callable_value.is_(Kind.PARTIAL) else None
            if isinstance(partial_call, ast.Call):
                partial_kwargs = {k.arg: k.value for k in partial_call.keywords if k.arg}
                leading = bound - (len(partial_call.args) - 1)
                if position_index is not None and leading <= position_index < bound:
                    yield self.value(partial_call.args[1 + position_index - leading])
                    continue
                if name in partial_kwargs:
                    yield self.value(partial_kwargs[name])
                    continue
            yield from self._handoff_arguments(handoff, position_index, bound, name)

    def _handoff_arguments(
        self, handoff: Handoff, index: int | None, bound: int, name: str
    ) -> Iterator[Value]:
        call = handoff.call
        role = handoff.role
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        slot = None if index is None else index - bound
        if role == "partial":
            if slot is not None and 0 <= slot < len(call.args) - 1:
                yield self.value(call.args[1 + slot])
            elif name in keywords:
                yield self.value(keywords[name])
            return
        if role == "direct":
            positional = call.args
            if any(isinstance(a, ast.Starred) for a in positional):
                return
            if slot is not None and 0 <= slot < len(positional):
                yield self.value(positional[slot])
            elif name in keywords:
                yield self.value(keywords[name])
            return
        if role == "spawn":
            yield from self._spawned_arguments(call, slot)
            return
        if role == "initializer":
            initargs = keywords.get("initargs")
            if initargs is not None and slot is not None and slot >= 0:
                initargs_value = self.value(initargs)
                if initargs_value.items is not None and slot < len(initargs_value.items):
                    yield initargs_value.items[slot]
            return
        if role in ("process", "apply"):
            args_expr = keywords.get("args")
            kwargs_expr = keywords.get("kwargs") if role == "process" else keywords.get("kwds")
            if role == "apply":
                if args_expr is None and len(call.args) > 1:
                    args_expr = call.args[1]
                if kwargs_expr is None and len(call.args) > 2:
                    kwargs_expr = call.args[2]
            if args_expr is not None and slot is not None and slot >= 0:
                args_value = self.value(args_expr)
                if args_value.items is not None and slot < len(args_value.items):
                    yield args_value.items[slot]
                    return
            if isinstance(kwargs_expr, ast.Dict):
                for key, value in zip(kwargs_expr.keys, kwargs_expr.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == name:
                        yield self.value(value)
            elif isinstance(kwargs_expr, ast.Call) and isinstance(kwargs_expr.func, ast.Name):
                if kwargs_expr.func.id == "dict" and name in {k.arg for k in kwargs_expr.keywords}:
                    yield self.value(next(k.value for k in kwargs_expr.keywords if k.arg == name))
            return
        if role == "submit":
            positional = call.args[1:]
            if slot is not None and 0 <= slot < len(positional):
                yield self.value(positional[slot])
            elif name in keywords:
                yield self.value(keywords[name])
            return
        if role in ("map", "executor_map"):
            iterables = call.args[1:] if role == "executor_map" else call.args[1:2]
            if slot is not None and 0 <= slot < len(iterables):
                yield self.iter_element(self.value(iterables[slot]))
            return
        if role == "starmap" and len(call.args) > 1 and slot is not None and slot >= 0:
            element = self.iter_element(self.value(call.args[1]))
            yield self.project(element, (slot,))

    def _spawned_arguments(self, call: ast.Call, slot: int | None) -> Iterator[Value]:
        """What ``fn(rank, *args)`` passes to the parameter at ``slot``: the rank, an int, comes first."""
        if slot is None or slot < 0:
            return
        if slot < LEADING_ARGUMENTS:
            yield PLAIN
            return
        args_expr = spawn_argument(call, "args")
        items = self.value(args_expr).items if args_expr is not None else None
        if items is not None and slot - LEADING_ARGUMENTS < len(items):
            yield items[slot - LEADING_ARGUMENTS]

    # -- functions, classes, self attributes -----------------------------------------------------

    def return_value(self, function: FunctionNode) -> Value:
        cached = self._returns.get(function)
        if cached is not None:
            return cached
        if function in self._active:
            return UNKNOWN
        self._active.add(function)
        try:
            values = [self.value(node.value) for node in returns_of(function) if node.value]
            result = join(values) if values else NONE
        finally:
            self._active.discard(function)
        self._returns[function] = result
        return result

    def class_kind(self, node: ast.ClassDef) -> Value | None:
        """The multiprocessing kind a module class inherits (a Process or manager subclass), if any."""
        if node in self._class_kinds:
            return self._class_kinds[node]
        self._class_kinds[node] = None
        found: Value | None = None
        for base in node.bases:
            qualname = self.qualname(base)
            if qualname is not None:
                made = constructed_kind(qualname)
                if made is not None and made[0] in (
                    Kind.PROCESS,
                    Kind.POOL,
                    Kind.MANAGER_UNSTARTED,
                    Kind.EXECUTOR,
                ):
                    found = Value(made[0], made[1])
                    break
                continue
            base_value = self.value(base)
            if base_value.is_(Kind.CLASS) and isinstance(base_value.node, ast.ClassDef):
                found = self.class_kind(base_value.node)
                if found is not None:
                    break
        self._class_kinds[node] = found
        return found

    def class_method(self, node: ast.ClassDef, name: str) -> FunctionNode | None:
        for statement in node.body:
            if isinstance(statement, FUNCTION_NODES) and statement.name == name:
                return statement
        for base in node.bases:
            base_value = self.value(base)
            if base_value.is_(Kind.CLASS) and isinstance(base_value.node, ast.ClassDef):
                found = self.class_method(base_value.node, name)
                if found is not None:
                    return found
        return None

    def class_attribute_owner(self, receiver: ast.expr, name: str) -> ast.ClassDef | None:
        """The class of the module whose body binds the attribute that ``receiver.name`` reads: through
        the class or a subclass (``C.name``, ``cls.name``), or through an instance (``self.name``) when
        no instance of the class stores an attribute ``name`` of its own, which would shadow it."""
        value = self.value(receiver)
        if not value.is_(Kind.CLASS, Kind.INSTANCE) or not isinstance(value.node, ast.ClassDef):
            return None
        lineage = self.class_lineage(value.node)
        owner = next((node for node in lineage if name in class_scope(node).bindings), None)
        if owner is None or value.is_(Kind.INSTANCE) and self._stores_on_instances(lineage, name):
            return None
        return owner

    def class_lineage(self, node: ast.ClassDef) -> list[ast.ClassDef]:
        """``node`` and the classes of the module it inherits from, in the order ``class_method`` searches
        them."""
        lineage: list[ast.ClassDef] = []
        pending = [node]
        while pending:
            current = pending.pop()
            if current in lineage:
                continue
            lineage.append(current)
            bases = [self.value(base) for base in current.bases]
            pending.extend(
                base.node
                for base in reversed(bases)
                if base.is_(Kind.CLASS) and isinstance(base.node, ast.ClassDef)
            )
        return lineage

    def _stores_on_instances(self, lineage: list[ast.ClassDef], name: str) -> bool:
        stores = self.self_attribute_stores()
        return any((node, name) in stores for node in lineage)

    def self_attribute_stores(self) -> dict[tuple[ast.ClassDef, str], list[ast.expr]]:
        if self._self_attrs is None:
            stores: dict[tuple[ast.ClassDef, str], list[ast.expr]] = {}
            for target, value in self.tree.stores:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    owner = self.value(target.value)
                    if owner.is_(Kind.INSTANCE) and isinstance(owner.node, ast.ClassDef):
                        stores.setdefault((owner.node, target.attr), []).append(value)
            self._self_attrs = stores
        return self._self_attrs

    def instance_attribute(self, node: ast.ClassDef, attr: str) -> Value:
        values = self.self_attribute_stores().get((node, attr), [])
        return join([self.value(v) for v in values]) if values else UNKNOWN

    # -- what proxies hold -----------------------------------------------------------------------

    def held(self, proxy: Value, key: str) -> Value | None:
        """The proxy stored at ``key`` of ``proxy`` (a constant's repr, "?" for any key), if one is."""
        if not proxy.origins:
            return None
        self._ensure_contents()
        found: list[Value] = []
        for origin in proxy.origins:
            contents = self._contents.get(origin)
            if not contents:
                continue
            if key in contents:
                found.append(contents[key])
            elif "?" in contents:
                found.append(contents["?"])
            elif key == "?":
                found.extend(contents.values())
        return join(found) if found else None

    def _store(self, proxy: Value, key: str, stored: Value) -> None:
        if not stored.is_(Kind.PROXY):
            return
        for origin in proxy.origins:
            contents = self._contents.setdefault(origin, {})
            contents[key] = join([contents[key], stored]) if key in contents else stored

    def _record_creation_contents(self, call: ast.Call, proxy_type: str) -> None:
        created = Value(Kind.PROXY, proxy_type, frozenset({call}))
        if proxy_type == "list" and call.args:
            self._store_elements(created, call.args[0])
        if proxy_type == "dict":
            if call.args:
                self._store_mapping(created, call.args[0])
            for keyword in call.keywords:
                self._store(created, repr(keyword.arg) if keyword.arg else "?", self.value(keyword.value))
        if proxy_type == "namespace":
            for keyword in call.keywords:
                if keyword.arg:
                    self._store(created, repr(keyword.arg), self.value(keyword.value))

    def _store_elements(self, proxy: Value, initial: ast.expr) -> None:
        """Record what a list proxy is created or extended with: a literal's elements, or the elements
        of any other iterable whose value is known (a comprehension of proxies)."""
        if isinstance(initial, (ast.List, ast.Tuple)):
            for element in initial.elts:
                self._store(proxy, "?", self.value(element))
        else:
            self._store(proxy, "?", self.iter_element(self.value(initial)))

    def _store_mapping(self, proxy: Value, mapping: ast.expr) -> None:
        """Record what a dict proxy is created or updated with: a dict display or comprehension."""
        if isinstance(mapping, ast.Dict):
            for key, value in zip(mapping.keys, mapping.values, strict=True):
                self._store(proxy, constant_key(key) if key else "?", self.value(value))
        elif isinstance(mapping, ast.DictComp):
            self._store(proxy, "?", self.value(mapping.value))

    def _ensure_contents(self) -> None:
        if self._contents_ready or self._contents_running:
            return
        self._contents_running = True
        try:
            # Twice: a store may copy a proxy that an append later in the module put in.
            for _ in range(2):
                self._scan_contents()
                # Values computed during the scan saw partial contents: forget them.
                self._values.clear()
                self._bindings.clear()
                self._returns.clear()
                self._self_attrs = None
        finally:
            self._contents_running = False
            self._contents_ready = True

    def _scan_contents(self) -> None:
        for target, stored in self.tree.stores:
            stored_value = self.value(stored)
            if not stored_value.is_(Kind.PROXY):
                continue
            owner = self.value(target.value)
            if not owner.is_(Kind.PROXY):
                continue
            if isinstance(target, ast.Subscript):
                self._store(owner, constant_key(target.slice), stored_value)
            else:
                self._store(owner, repr(target.attr), stored_value)
        for call in self.tree.calls:
            func = call.func
            if not isinstance(func, ast.Attribute):
                continue
            if func.attr in ("append", "insert", "extend", "update", "setdefault"):
                self._record_method_store(call, func)

    def _record_method_store(self, call: ast.Call, func: ast.Attribute) -> None:
        owner = self.value(func.value)
        if not owner.is_(Kind.PROXY):
            return
        method = func.attr
        if method == "append" and call.args:
            self._store(owner, "?", self.value(call.args[0]))
        elif method == "insert" and len(call.args) > 1:
            self._store(owner, "?", self.value(call.args[1]))
        elif method == "extend" and call.args:
            self._store_elements(owner, call.args[0])
        elif method == "setdefault" and len(call.args) > 1:
            self._store(owner, constant_key(call.args[0]), self.value(call.args[1]))
        elif method == "update":
            for keyword in call.keywords:
                key = repr(keyword.arg) if keyword.arg else "?"
                self._store(owner, key, self.value(keyword.value))
            if call.args:
                self._store_mapping(owner, call.args[0])


def class_scope(node: ast.ClassDef) -> Scope:
    """The scope the body of a class runs in."""
    return scope_of(node.body[0])


def returns_of(function: FunctionNode) -> Iterator[ast.Return]:
    """The return statements of a function, not of the functions nested in it."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            yield node
        if isinstance(node, (*FUNCTION_NODES, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))


__all__ = ["Inference", "constant_key", "is_multiprocessing_name", "returns_of"]
