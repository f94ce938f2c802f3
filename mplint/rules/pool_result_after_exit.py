"""MPL010 pool-result-after-exit: an async result or lazy iterator used after its Pool's ``with`` block."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.model import Kind, ModuleModel, ancestors, end_position, parent_of, position
from mplint.rules.base import Rule, RuleContext

WAITING_METHODS = frozenset({"get", "wait"})
# Uses that rely on the result without waiting for it: after the block they report a result that never
# comes, inside it they do not make the result ready.
USING_METHODS = WAITING_METHODS | {"ready", "successful"}
# Uses that consume an iterator completely, inside the block, leaving nothing for later.
ITERATOR_CONSUMERS = frozenset({"iteration", "list", "tuple", "set", "sorted", "sum", "dict"})
CONSUMERS = frozenset({"list", "tuple", "set", "sorted", "next", "sum", "dict", "enumerate", "zip"})
# The Pool methods whose calls make the results this rule follows (see Inference._method_value).
RESULT_METHODS = ("apply_async", "map_async", "starmap_async", "imap", "imap_unordered")


class PoolResultAfterExit(Rule):
    code = "MPL010"
    name = "pool-result-after-exit"
    summary = "Async result or lazy iterator used after the Pool's `with` block ended"
    what = (
        "Flags an `AsyncResult` (from `apply_async`, `map_async`, `starmap_async`) or an "
        "`imap`/`imap_unordered` iterator that is waited on or consumed after the `with Pool() as "
        "pool:` (or `with pool:`) block that produced it has ended, also when the results were kept in "
        "a list or a dict, unless it was already waited on (`get`, `wait`) or consumed whole inside the "
        "block, or the pool was closed and joined there."
    )
    why = (
        "`Pool.__exit__` calls `terminate()`: the workers are killed and outstanding tasks are dropped. "
        "A `.get()` after the block then waits forever (or until its timeout), and an `imap` iterator "
        "never yields the missing results."
    )
    example = (
        "from multiprocessing import Pool\n\n\n"
        "def work(x):\n"
        "    return x * x\n\n\n"
        'if __name__ == "__main__":\n'
        "    with Pool() as pool:\n"
        "        result = pool.apply_async(work, (1,))\n"
        "    print(result.get())  # hangs: the pool was terminated on leaving the block\n"
    )
    use_instead = (
        "from multiprocessing import Pool\n\n\n"
        "def work(x):\n"
        "    return x * x\n\n\n"
        'if __name__ == "__main__":\n'
        "    with Pool() as pool:\n"
        "        result = pool.apply_async(work, (1,))\n"
        "        print(result.get())\n"
    )
    fix_safety = "There is no automatic fix: move the use into the `with` block."

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        if not model.calls_named(*RESULT_METHODS):
            return  # no pool result is made: looking at every name would find nothing
        block_ends = [end_position(block) for block in pool_blocks(model)]
        if not block_ends:
            return  # no pool is managed by a `with`: no block can have ended before a use
        earliest_end = min(block_ends)
        for node in model.nodes(ast.Name):
            if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
                continue
            if (node.lineno, node.col_offset) <= earliest_end:
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
            if waited_inside(model, node, block, value.is_(Kind.RESULT_ITERATOR)):
                continue
            if pool_joined_inside(model, value.origins, block):
                continue
            message = (
                f"`{node.id}` holds a result of a Pool whose `with` block has ended: `Pool.__exit__` "
                "terminated the workers, so this waits forever or loses results; use it inside the block"
            )
            yield self.diagnostic(ctx, node, message)


def consuming_use(name: ast.Name) -> str | None:
    """How a load waits on or consumes a result: a method call, a loop, or a consuming builtin."""
    parent = parent_of(name)
    if isinstance(parent, ast.Attribute) and parent.value is name and parent.attr in USING_METHODS:
        return parent.attr
    if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is name or isinstance(parent, ast.Starred):
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


def pool_blocks(model: ModuleModel) -> list[ast.With]:
    """The ``with`` statements that enter a Pool (or ThreadPool): every block ``pool_with_block`` can
    find is one of them."""
    return [
        statement
        for statement in model.nodes(ast.With)
        if isinstance(statement, ast.With)
        and any(model.value(item.context_expr).is_(Kind.POOL, Kind.THREAD_POOL) for item in statement.items)
    ]


def pool_with_block(model: ModuleModel, origins: frozenset[ast.AST]) -> ast.With | None:
    """The ``with`` statement that manages the pool created by one of ``origins``: ``with Pool() as
    pool:``, or ``with pool:`` for a pool created before.

    Only a Pool (or ThreadPool) counts: an executor's ``__exit__`` waits for its tasks, so the iterator of
    ``executor.map`` may be consumed after the block.
    """
    pools = [origin for origin in origins if model.value(origin).is_(Kind.POOL, Kind.THREAD_POOL)]
    for origin in pools:
        item = parent_of(origin)
        if isinstance(item, ast.withitem):
            statement = parent_of(item)
            if isinstance(statement, ast.With):
                return statement
    if not pools:
        return None
    for statement in model.nodes(ast.With):
        assert isinstance(statement, ast.With)
        for item in statement.items:
            if isinstance(item.context_expr, ast.Name):
                entered = model.value(item.context_expr)
                if entered.is_(Kind.POOL, Kind.THREAD_POOL) and entered.origins & frozenset(pools):
                    return statement
    return None


def waited_inside(model: ModuleModel, use: ast.Name, block: ast.With, iterator: bool) -> bool:
    """Whether the same name was waited on (a result) or consumed whole (an iterator) inside the block:
    its value is then ready."""
    for node in ast.walk(block):
        if isinstance(node, ast.Name) and node.id == use.id and isinstance(node.ctx, ast.Load):
            how = consuming_use(node)
            if how is None:
                continue
            if how in (ITERATOR_CONSUMERS if iterator else WAITING_METHODS):
                return True
            if how == "ready" and any(
                isinstance(ancestor, ast.While) and _inside(node, ancestor.test)
                for ancestor in ancestors(node)
            ):
                return True  # polled until ready: ``while not all(r.ready() for r in rs):``
    return False


def _inside(node: ast.AST, container: ast.AST) -> bool:
    return any(node is inner for inner in ast.walk(container))


def pool_joined_inside(model: ModuleModel, origins: frozenset[ast.AST], block: ast.With) -> bool:
    """Whether the pool was closed and joined inside the block, on every path through it (a join
    statement of the block's own body): every task has then finished, and the terminate of
    ``__exit__`` loses nothing."""
    for statement in block.body:
        node = statement.value if isinstance(statement, ast.Expr) else None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
            and model.value(node.func.value).origins & origins
        ):
            return True
    return False
