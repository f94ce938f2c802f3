"""MPL010 pool-result-after-exit: an async result or lazy iterator used after its Pool's ``with`` block."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.model import Kind, ModuleModel, parent_of
from mplint.model.scopes import end_position, position
from mplint.rules.base import Rule, RuleContext

WAITING_METHODS = frozenset({"get", "wait", "ready", "successful"})
CONSUMERS = frozenset({"list", "tuple", "set", "sorted", "next", "sum", "dict", "enumerate", "zip"})


class PoolResultAfterExit(Rule):
    code = "MPL010"
    name = "pool-result-after-exit"
    summary = "Async result or lazy iterator used after the Pool's `with` block ended"
    what = (
        "Flags an `AsyncResult` (from `apply_async`, `map_async`, `starmap_async`) or an `imap`/"
        "`imap_unordered` iterator that is waited on or consumed after the `with Pool() as pool:` block "
        "that produced it has ended, unless it was already waited on inside the block."
    )
    why = (
        "`Pool.__exit__` calls `terminate()`: the workers are killed and outstanding tasks are dropped. "
        "A `.get()` after the block then waits forever (or until its timeout), and an `imap` iterator "
        "never yields the missing results."
    )
    example = (
        "with Pool() as pool:\n    result = pool.apply_async(work, (1,))\nprint(result.get())  # hangs\n"
    )
    use_instead = "with Pool() as pool:\n    result = pool.apply_async(work, (1,))\n    print(result.get())\n"
    fix_safety = "There is no automatic fix: move the use into the `with` block."

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        for node in model.nodes(ast.Name):
            if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
                continue
            use = consuming_use(node)
            if use is None:
                continue
            value = model.value(node)
            if not value.is_(Kind.ASYNC_RESULT, Kind.RESULT_ITERATOR):
                continue
            block = pool_with_block(model, value.origins)
            if block is None or position(node) <= end_position(block):
                continue
            if waited_inside(model, node, block):
                continue
            message = (
                f"`{node.id}` holds a result of a Pool whose `with` block has ended: `Pool.__exit__` "
                "terminated the workers, so this waits forever or loses results; use it inside the block"
            )
            yield self.diagnostic(ctx, node, message)


def consuming_use(name: ast.Name) -> str | None:
    """How a load waits on or consumes a result: a method call, a loop, or a consuming builtin."""
    parent = parent_of(name)
    if isinstance(parent, ast.Attribute) and parent.value is name and parent.attr in WAITING_METHODS:
        return parent.attr
    if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is name:
        return "iteration"
    if isinstance(parent, ast.comprehension) or (
        isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp))
        and any(g.iter is name for g in parent.generators)
    ):
        return "iteration"
    if isinstance(parent, ast.Call) and name in parent.args and isinstance(parent.func, ast.Name):
        if parent.func.id in CONSUMERS:
            return parent.func.id
    return None


def pool_with_block(model: ModuleModel, origins: frozenset[ast.AST]) -> ast.With | None:
    """The ``with`` statement that manages the pool created by one of ``origins``.

    Only a Pool (or ThreadPool) counts: an executor's ``__exit__`` waits for its tasks, so the iterator of
    ``executor.map`` may be consumed after the block.
    """
    for origin in origins:
        if not model.value(origin).is_(Kind.POOL, Kind.THREAD_POOL):
            continue
        item = parent_of(origin)
        if isinstance(item, ast.withitem):
            statement = parent_of(item)
            if isinstance(statement, ast.With):
                return statement
    return None


def waited_inside(model: ModuleModel, use: ast.Name, block: ast.With) -> bool:
    """Whether the same name was waited on or consumed inside the block (its value is then ready)."""
    for node in ast.walk(block):
        if (
            isinstance(node, ast.Name)
            and node.id == use.id
            and isinstance(node.ctx, ast.Load)
            and consuming_use(node) is not None
        ):
            return True
    return False
