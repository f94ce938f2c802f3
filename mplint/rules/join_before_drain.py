"""MPL004 join-before-drain: joining a child before reading what it puts on a queue or pipe."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from mplint.diagnostics import Diagnostic
from mplint.model import (
    FUNCTION_NODES,
    LEADING_ARGUMENTS,
    SPAWNING_NAMES,
    Kind,
    ModuleModel,
    Scope,
    ancestors,
    own_nodes,
    position,
    same_expression,
    scope_of,
    spawn_argument,
    waits_for_children,
)
from mplint.rules.base import Rule, RuleContext

WRITES = frozenset({"put", "put_nowait", "send", "send_bytes"})
READS = frozenset({"get", "get_nowait", "recv", "recv_bytes", "recv_bytes_into", "poll"})


class JoinBeforeDrain(Rule):
    code = "MPL004"
    name = "join-before-drain"
    summary = "Child joined before the queue or pipe it writes to is drained"
    what = (
        "Flags `p.join()` on a child process that puts data on a `Queue`, `SimpleQueue` or "
        "`JoinableQueue` (or sends on a `Pipe` connection) given to it, also through a function it "
        "calls, a Process subclass keeping it on `self`, or a bound-method target writing to one kept "
        "on `self`, when the parent reads that data only after the join (or, for a join in a helper "
        "function, only after calling the helper). A join with a timeout returns and is not flagged, "
        "unless it is repeated while the process is alive. Also flags `torch.multiprocessing.spawn` "
        "(or `start_processes`) waiting for its processes (`join=True`, the default) when the function it "
        "runs writes to a queue given in `args` that the parent reads only afterwards. A manager's "
        "`Queue()` proxy does not block and is not flagged."
    )
    why = (
        "A process that has put items on a queue waits, before it exits, until a feeder thread has "
        "written them all into the underlying pipe. Once the data outgrows the pipe's buffer (64 KiB on "
        "Linux) the child blocks until someone reads, and the parent is blocked in `join()`: a deadlock "
        "that only shows with larger data. The programming guidelines of `multiprocessing` warn about it "
        "under 'Joining processes that use queues'."
    )
    example = (
        "from multiprocessing import Process, Queue\n\n\n"
        "def produce(queue):\n"
        "    queue.put(list(range(100_000)))\n\n\n"
        'if __name__ == "__main__":\n'
        "    queue = Queue()\n"
        "    p = Process(target=produce, args=(queue,))\n"
        "    p.start()\n"
        "    p.join()  # may never return: the child waits for its data to be read\n"
        "    data = queue.get()\n"
    )
    use_instead = (
        "from multiprocessing import Process, Queue\n\n\n"
        "def produce(queue):\n"
        "    queue.put(list(range(100_000)))\n\n\n"
        'if __name__ == "__main__":\n'
        "    queue = Queue()\n"
        "    p = Process(target=produce, args=(queue,))\n"
        "    p.start()\n"
        "    data = queue.get()\n"
        "    p.join()\n"
    )
    fix_safety = "There is no automatic fix: the reads must be moved before the join by hand."

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        reads = ReadsByScope(model)
        for call in model.calls_named("join"):
            func = call.func
            if not (isinstance(func, ast.Attribute) and func.attr == "join"):
                continue
            if (call.args or call.keywords) and not waits_until_exit(call):
                continue  # a join with a timeout returns
            process = model.value(func.value)
            if not process.is_(Kind.PROCESS):
                continue
            name = reads.first_drained_only_after(call, self.written_channels(model, process.origins))
            if name is not None:
                message = (
                    f"`{ast.unparse(func.value)}.join()` comes before `{name}` is read: a child that "
                    "has written more than the pipe buffer holds cannot exit, and this join never "
                    "returns; read the data first, then join"
                )
                yield self.diagnostic(ctx, call, message)
        for call in model.calls_named(*SPAWNING_NAMES):
            if model.inference.spawn_function(call) is None or not waits_for_children(call):
                continue
            name = reads.first_drained_only_after(call, self.spawn_channels(model, call))
            if name is not None:
                message = (
                    f"`{ast.unparse(call.func)}(...)` waits for its processes to exit before `{name}` "
                    "is read: a child that has written more than the pipe buffer holds cannot exit, "
                    "and this call never returns; pass `join=False`, read the data, then join"
                )
                yield self.diagnostic(ctx, call, message)

    @staticmethod
    def spawn_channels(model: ModuleModel, call: ast.Call) -> Iterator[tuple[frozenset[ast.AST], str]]:
        """The queues and pipes a torch ``spawn`` hands to ``fn`` in ``args`` that ``fn`` writes to."""
        fn = spawn_argument(call, "fn")
        args = spawn_argument(call, "args")
        if not isinstance(fn, ast.Name) or not isinstance(args, (ast.Tuple, ast.List)):
            return
        target = model.value(fn)
        if not (target.is_(Kind.FUNCTION) and isinstance(target.node, FUNCTION_NODES)):
            return
        params = [*target.node.args.posonlyargs, *target.node.args.args][LEADING_ARGUMENTS:]
        for param, handed_expr in zip(params, args.elts, strict=False):
            channel = model.value(handed_expr)
            if channel.is_(Kind.QUEUE, Kind.CONNECTION) and channel.origins:
                if writes_to(model, target.node, param.arg):
                    yield channel.origins, ast.unparse(handed_expr)

    def written_channels(
        self, model: ModuleModel, origins: frozenset[ast.AST]
    ) -> Iterator[tuple[frozenset[ast.AST], str]]:
        """The queues and pipes (by origin) that a process's target writes to."""
        for origin in origins:
            if not isinstance(origin, ast.Call):
                continue
            made = model.value(origin)
            if isinstance(made.node, ast.ClassDef):
                yield from self.subclass_channels(model, made.node, origin)
                continue
            keywords = {k.arg: k.value for k in origin.keywords if k.arg}
            target_expr = keywords.get("target")
            if target_expr is None:
                continue
            target = model.children.target_function(target_expr)
            if target is None:
                continue
            if isinstance(target_expr, ast.Attribute) and isinstance(target_expr.value, ast.Name):
                if target_expr.value.id == "self":
                    yield from self.attribute_channels(model, target)
            params = [*target.args.posonlyargs, *target.args.args]
            args = keywords.get("args")
            handed: list[tuple[str, ast.expr]] = []
            if isinstance(args, (ast.Tuple, ast.List)):
                handed.extend((param.arg, element) for param, element in zip(params, args.elts, strict=False))
            kwargs = keywords.get("kwargs")
            if isinstance(kwargs, ast.Dict):
                for key, value in zip(kwargs.keys, kwargs.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        handed.append((key.value, value))
            for param, handed_expr in handed:
                channel = model.value(handed_expr)
                if not channel.is_(Kind.QUEUE, Kind.CONNECTION) or not channel.origins:
                    continue
                if writes_to(model, target, param):
                    yield channel.origins, ast.unparse(handed_expr)

    @staticmethod
    def attribute_channels(model: ModuleModel, method: ast.AST) -> Iterator[tuple[frozenset[ast.AST], str]]:
        """The queues and pipes kept on ``self`` that a bound method run as a target writes to
        (``target=self._work`` with ``self.results.put(...)``)."""
        assert isinstance(method, FUNCTION_NODES)
        for node in own_nodes(list(method.body)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = node.func.value
            if (
                node.func.attr in WRITES
                and isinstance(receiver, ast.Attribute)
                and isinstance(receiver.value, ast.Name)
                and receiver.value.id == "self"
            ):
                channel = model.value(receiver)
                if channel.is_(Kind.QUEUE, Kind.CONNECTION) and channel.origins:
                    yield channel.origins, ast.unparse(receiver)

    @staticmethod
    def subclass_channels(
        model: ModuleModel, cls: ast.ClassDef, construction: ast.Call
    ) -> Iterator[tuple[frozenset[ast.AST], str]]:
        """The queues and pipes a Process subclass is constructed with, keeps on ``self`` in its
        ``__init__``, and writes to in its ``run``."""
        init = model.inference.class_method(cls, "__init__")
        run = model.inference.class_method(cls, "run")
        if init is None or run is None:
            return
        params = [*init.args.posonlyargs, *init.args.args][1:]
        handed = list(zip((p.arg for p in params), construction.args, strict=False))
        handed += [(k.arg, k.value) for k in construction.keywords if k.arg]
        for param, handed_expr in handed:
            channel = model.value(handed_expr)
            if not channel.is_(Kind.QUEUE, Kind.CONNECTION) or not channel.origins:
                continue
            kept = [
                target.attr
                for node in own_nodes(list(init.body))
                if isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Name)
                and node.value.id == param
                for target in node.targets
                if isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ]
            for node in own_nodes(list(run.body)):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in WRITES
                    and isinstance(node.func.value, ast.Attribute)
                    and node.func.value.attr in kept
                    and isinstance(node.func.value.value, ast.Name)
                    and node.func.value.value.id == "self"
                ):
                    yield channel.origins, ast.unparse(handed_expr)
                    break


def waits_until_exit(join: ast.Call) -> bool:
    """Whether a join with a timeout is repeated until the process ends: ``while p.is_alive():
    p.join(0.1)`` waits as long as a plain join."""
    assert isinstance(join.func, ast.Attribute)
    process = join.func.value
    for ancestor in ancestors(join):
        if isinstance(ancestor, FUNCTION_NODES):
            return False
        if isinstance(ancestor, ast.While):
            return any(
                isinstance(node, ast.Attribute)
                and node.attr in ("is_alive", "exitcode")
                and same_expression(node.value, process)
                for node in ast.walk(ancestor.test)
            )
    return False


class ReadsByScope:
    """The calls that read a queue or a pipe connection, by the function scope they run in."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._by_scope: dict[int, list[ast.Call]] | None = None

    def reads_in(self, scope: Scope) -> list[ast.Call]:
        if self._by_scope is None:
            self._by_scope = {}
            for node in self.model.calls_named(*READS):
                if isinstance(node.func, ast.Attribute):
                    self._by_scope.setdefault(id(scope_of(node).function_scope()), []).append(node)
        return self._by_scope.get(id(scope), [])

    def first_drained_only_after(
        self, join: ast.Call, channels: Iterable[tuple[frozenset[ast.AST], str]]
    ) -> str | None:
        """The name of the first of ``channels`` (origins, name) read only after ``join``, if any."""
        for channel, name in channels:
            if self.drained_only_after(join, channel):
                return name
        return None

    def drained_only_after(self, join: ast.Call, channel: frozenset[ast.AST]) -> bool:
        """Whether the channel is read in the join's scope, and only after the join; for a join in a
        helper function that reads nothing, whether every caller reads it only after calling it."""
        scope = scope_of(join).function_scope()
        reads = self.channel_reads(scope, channel)
        if reads:
            join_at = position(join)
            return all(position(read) > join_at for read in reads)
        function = scope.node
        if not isinstance(function, FUNCTION_NODES):
            return False
        callers = [
            call
            for call in self.model.calls_named(function.name)
            if self.model.value(call.func).node is function
        ]
        found = False
        for call in callers:
            caller_reads = self.channel_reads(scope_of(call).function_scope(), channel)
            if any(position(read) < position(call) for read in caller_reads):
                return False
            found = found or bool(caller_reads)
        return found

    def channel_reads(self, scope: Scope, channel: frozenset[ast.AST]) -> list[ast.Call]:
        reads = []
        for node in self.reads_in(scope):
            assert isinstance(node.func, ast.Attribute)
            value = self.model.value(node.func.value)
            if value.is_(Kind.QUEUE, Kind.CONNECTION) and value.origins & channel:
                reads.append(node)
        return reads


def writes_to(model: ModuleModel, function: ast.AST, param: str, depth: int = 0) -> bool:
    """Whether ``function`` writes to its parameter ``param``, itself or through a function of the module
    it hands the parameter to (two calls deep)."""
    if not isinstance(function, FUNCTION_NODES):
        return False
    for node in own_nodes(list(function.body)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in WRITES
            and isinstance(func.value, ast.Name)
            and func.value.id == param
        ):
            return True
        if depth < 2 and any(isinstance(arg, ast.Name) and arg.id == param for arg in node.args):
            callee = model.value(func)
            if callee.is_(Kind.FUNCTION) and isinstance(callee.node, FUNCTION_NODES):
                params = [*callee.node.args.posonlyargs, *callee.node.args.args]
                for index, arg in enumerate(node.args):
                    if isinstance(arg, ast.Name) and arg.id == param and index < len(params):
                        if writes_to(model, callee.node, params[index].arg, depth + 1):
                            return True
    return False
