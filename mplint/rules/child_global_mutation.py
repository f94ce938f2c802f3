"""MPL008 child-global-mutation: a child changes a module global that the parent then reads."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.model import (
    FUNCTION_NODES,
    IN_PLACE_METHODS,
    ChildHandoff,
    Kind,
    ModuleModel,
    Scope,
    own_nodes,
    parent_of,
    position,
    scope_of,
)
from mplint.rules.base import Rule, RuleContext

PLAIN_CONTAINER_KINDS = (Kind.PLAIN, Kind.CONTAINER)


class ChildGlobalMutation(Rule):
    code = "MPL008"
    name = "child-global-mutation"
    summary = "A child process changes a module global that the parent reads afterwards"
    what = (
        "Flags, in a function run by a child process (a Process target, a Pool or Executor task, the "
        "function of `torch.multiprocessing.spawn` or `start_processes`, or what they call), an "
        "assignment to a module global declared with `global`, or an in-place change to a module-level "
        "list, dict or set, when the code that starts the child reads that global after starting it."
    )
    why = (
        "Each process has its own copy of the module's globals: under fork a copy of the parent's memory, "
        "under spawn and forkserver a fresh import. What a child writes to a global never reaches the "
        "parent, which keeps reading its own unchanged value."
    )
    example = (
        "from multiprocessing import Pool\n\n"
        "results = []\n\n\n"
        "def work(x):\n"
        "    results.append(x * x)\n\n\n"
        'if __name__ == "__main__":\n'
        "    with Pool() as pool:\n"
        "        pool.map(work, range(4))\n"
        "    print(results)  # []\n"
    )
    use_instead = (
        "from multiprocessing import Pool\n\n\n"
        "def work(x):\n"
        "    return x * x\n\n\n"
        'if __name__ == "__main__":\n'
        "    with Pool() as pool:\n"
        "        results = pool.map(work, range(4))\n"
        "    print(results)\n"
    )
    fix_safety = "There is no automatic fix: return the results, or share them through a Queue or a Manager."

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        module = model.scopes.module
        for function, runs in model.child_functions().items():
            if not isinstance(function, FUNCTION_NODES):
                continue
            for node, name in self.global_mutations(model, function, module):
                if self.read_after_start(model, model.children.handoffs_of(runs), name, module):
                    message = (
                        f"this changes the module global `{name}` in the child process only: the parent "
                        "reads its own copy, which never changes; return the value or use a Queue or "
                        "a Manager"
                    )
                    yield self.diagnostic(ctx, node, message)

    @staticmethod
    def global_mutations(
        model: ModuleModel, function: ast.AST, module: Scope
    ) -> Iterator[tuple[ast.AST, str]]:
        assert isinstance(function, FUNCTION_NODES)
        for node in own_nodes(list(function.body)):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in scope_of(target).global_names:
                    yield target, target.id
                elif isinstance(target, (ast.Subscript, ast.Attribute)):
                    container = _module_container(model, _root_name(target.value), module)
                    if container is not None:
                        yield target, container
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in IN_PLACE_METHODS:
                    container = _module_container(model, _root_name(node.func.value), module)
                    if container is not None:
                        yield node, container

    @staticmethod
    def read_after_start(model: ModuleModel, handoffs: list[ChildHandoff], name: str, module: Scope) -> bool:
        """Whether the code that starts a child reads the global after starting it, itself or through a
        function of the module it then calls."""
        readers = {
            id(scope_of(node).function_scope().node)
            for node in model.names(name)
            if _reads(node) and scope_of(node).defining_scope(name) is module
        }
        for child in handoffs:
            scope = scope_of(child.call).function_scope()
            if scope.defining_scope(name) is not module:
                continue
            starts = position(child.call)
            here = [node for node in model.names(name) if scope_of(node).function_scope() is scope]
            rebound = [
                position(node) for node in here if isinstance(node.ctx, ast.Store) and position(node) > starts
            ]
            for node in here:
                if _reads(node) and position(node) > starts:
                    if not any(at < position(node) for at in rebound):  # a new object after a rebinding
                        return True
            for call in own_nodes(_body(scope.node)):
                if isinstance(call, ast.Call) and position(call) > starts:
                    callee = model.value(call.func)
                    if callee.is_(Kind.FUNCTION) and id(callee.node) in readers:
                        return True
        return False


def _root_name(expr: ast.expr) -> ast.Name | None:
    current = expr
    while isinstance(current, (ast.Subscript, ast.Attribute)):
        current = current.value
    return current if isinstance(current, ast.Name) else None


# Methods that only change a container: calling one after the start reads nothing the child did.
WRITE_ONLY_METHODS = frozenset(
    {"clear", "add", "append", "appendleft", "extend", "insert", "update", "discard", "__setitem__"}
)


def _reads(name: ast.Name) -> bool:
    """Whether a use of a name reads the object it holds: not a store, not ``x.clear()``-like writes,
    not ``x[k] = v``."""
    if not isinstance(name.ctx, ast.Load):
        return False
    parent = parent_of(name)
    if isinstance(parent, ast.Subscript) and not isinstance(parent.ctx, ast.Load):
        return False
    if isinstance(parent, ast.Attribute) and parent.attr in WRITE_ONLY_METHODS:
        return not isinstance(parent_of(parent), ast.Call)
    return True


def _body(node: ast.AST) -> list[ast.AST]:
    body = getattr(node, "body", [])
    return list(body) if isinstance(body, list) else [body]


# Constructors of the standard library's mutable containers, besides the built-in ones.
CONTAINER_CONSTRUCTORS = frozenset(
    f"collections.{name}" for name in ("defaultdict", "Counter", "OrderedDict", "deque", "ChainMap")
)


def _module_container(model: ModuleModel, name: ast.Name | None, module: Scope) -> str | None:
    """The module-level container ``name`` refers to, directly or through a local alias
    (``out = results``), by its name; None for anything else."""
    if name is None:
        return None
    owner = scope_of(name).defining_scope(name.id)
    if owner is module:
        return name.id if _is_module_container(model, name.id, module) else None
    if owner is None:
        return None
    bindings = owner.bindings.get(name.id, [])
    aliased = {
        b.value.id for b in bindings if b.kind == "assign" and not b.path and isinstance(b.value, ast.Name)
    }
    if len(aliased) != 1 or len(bindings) != 1:
        return None
    (alias,) = aliased
    if owner.defining_scope(alias) is not None and owner.defining_scope(alias) is not module:
        return None
    return alias if _is_module_container(model, alias, module) else None


def _is_module_container(model: ModuleModel, name: str, module: Scope) -> bool:
    bindings = module.bindings.get(name, [])
    if not bindings:
        return False
    return all(
        binding.kind in ("assign", "annassign")
        and binding.value is not None
        and (
            model.value(binding.value).kind in PLAIN_CONTAINER_KINDS
            or isinstance(binding.value, ast.Call)
            and model.qualname(binding.value.func) in CONTAINER_CONSTRUCTORS
        )
        for binding in bindings
    )
