"""MPL008 child-global-mutation: a child changes a module global that the parent then reads."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.model import ChildHandoff, Kind, ModuleModel, own_nodes, scope_of
from mplint.model.api import IN_PLACE_METHODS
from mplint.model.scopes import FUNCTION_NODES, Scope, position
from mplint.rules.base import Rule, RuleContext

PLAIN_CONTAINER_KINDS = (Kind.PLAIN, Kind.CONTAINER)


class ChildGlobalMutation(Rule):
    code = "MPL008"
    name = "child-global-mutation"
    summary = "A child process changes a module global that the parent reads afterwards"
    what = (
        "Flags, in a function run by a child process (a Process target, a Pool or Executor task, or what "
        "they call), an assignment to a module global declared with `global`, or an in-place change to "
        "a module-level list, dict or set, when the code that starts the child reads that global after "
        "starting it."
    )
    why = (
        "Each process has its own copy of the module's globals: under fork a copy of the parent's memory, "
        "under spawn and forkserver a fresh import. What a child writes to a global never reaches the "
        "parent, which keeps reading its own unchanged value."
    )
    example = (
        "results = []\n\n\ndef work(x):\n    results.append(x * x)\n\n\n"
        'if __name__ == "__main__":\n    with Pool() as pool:\n        pool.map(work, range(4))\n'
        "    print(results)  # []\n"
    )
    use_instead = (
        "def work(x):\n    return x * x\n\n\n"
        'if __name__ == "__main__":\n    with Pool() as pool:\n        results = pool.map(work, range(4))\n'
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
                    root = _root_name(target.value)
                    if root is not None and _is_module_container(model, root, module):
                        yield target, root.id
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in IN_PLACE_METHODS:
                    root = _root_name(node.func.value)
                    if root is not None and _is_module_container(model, root, module):
                        yield node, root.id

    @staticmethod
    def read_after_start(model: ModuleModel, handoffs: list[ChildHandoff], name: str, module: Scope) -> bool:
        for child in handoffs:
            scope = scope_of(child.call).function_scope()
            starts = position(child.call)
            for node in model.names(name):
                if (
                    isinstance(node.ctx, ast.Load)
                    and scope_of(node).function_scope() is scope
                    and scope.defining_scope(name) is module
                    and position(node) > starts
                ):
                    return True
        return False


def _root_name(expr: ast.expr) -> ast.Name | None:
    current = expr
    while isinstance(current, (ast.Subscript, ast.Attribute)):
        current = current.value
    return current if isinstance(current, ast.Name) else None


def _is_module_container(model: ModuleModel, name: ast.Name, module: Scope) -> bool:
    if scope_of(name).defining_scope(name.id) is not module:
        return False
    bindings = module.bindings.get(name.id, [])
    if not bindings:
        return False
    return all(
        binding.kind in ("assign", "annassign")
        and binding.value is not None
        and model.value(binding.value).kind in PLAIN_CONTAINER_KINDS
        for binding in bindings
    )
