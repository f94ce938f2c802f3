"""MPL011 terminate-with-shared-resource: terminating a process that was given a queue, pipe or lock."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.model import (
    FunctionNode,
    Kind,
    ModuleModel,
    Value,
    ancestors,
    containing_block,
    enclosing_statement,
    own_nodes,
    parent_of,
    position,
    same_expression,
    scope_of,
    statement_index,
)
from mplint.rules.base import Rule, RuleContext


class TerminateWithSharedResource(Rule):
    code = "MPL011"
    name = "terminate-with-shared-resource"
    severity = "warning"  # lifetime: harm depends on what the child holds at that instant
    summary = "Process terminated while it may hold a queue, pipe or lock"
    what = (
        "Flags `p.terminate()` and `p.kill()` on a process that was given a `Queue`, a `Pipe` "
        "connection, or a `Lock`/`RLock`/`Semaphore`/`Condition`/`Event`/`Barrier` (also a manager's "
        "lock proxy), directly, through a Process subclass's constructor, or as a module-level object "
        "its target uses. Not flagged right after an unconditional `join()` (the process has exited), "
        "nor when the resource, a local variable, is only closed afterwards."
    )
    why = (
        "Terminating a process skips its `finally` clauses and exit handlers. The documentation warns "
        "that a queue the process was using may become corrupt (a half-written message, a feeder thread "
        "that never flushed) and that a lock or semaphore it held is never released, so the other "
        "processes block on it forever."
    )
    example = (
        "from multiprocessing import Lock, Process\n\n\n"
        "def work(lock):\n"
        "    while True:\n"
        "        with lock:\n"
        '            print("working")\n\n\n'
        'if __name__ == "__main__":\n'
        "    lock = Lock()\n"
        "    p = Process(target=work, args=(lock,))\n"
        "    p.start()\n"
        "    p.terminate()  # may kill it while it holds the lock\n"
        "    p.join()\n"
    )
    use_instead = (
        "from multiprocessing import Event, Lock, Process\n\n\n"
        "def work(lock, stop):\n"
        "    while not stop.is_set():\n"
        "        with lock:\n"
        '            print("working")\n\n\n'
        'if __name__ == "__main__":\n'
        "    lock = Lock()\n"
        "    stop = Event()\n"
        "    p = Process(target=work, args=(lock, stop))\n"
        "    p.start()\n"
        "    stop.set()  # ask it to finish\n"
        "    p.join()\n"
    )
    fix_safety = "There is no automatic fix: ask the process to stop (an Event, a sentinel) and join it."

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        for call in model.calls_named("terminate", "kill"):
            func = call.func
            if not (isinstance(func, ast.Attribute) and func.attr in ("terminate", "kill")):
                continue
            process = model.value(func.value)
            if not process.is_(Kind.PROCESS) or joined_just_before(call):
                continue
            shared = [
                text
                for text, argument in self.shared_resources(model, process)
                if not discarded(argument, call)
            ]
            if not shared:
                continue
            names = ", ".join(f"`{name}`" for name in shared)
            message = (
                f"`{ast.unparse(func)}()` kills a process that was given {names}: a queue or pipe it was "
                "using may be corrupted and a lock it holds is never released; ask it to stop and join it"
            )
            yield self.diagnostic(ctx, call, message)

    @staticmethod
    def shared_resources(model: ModuleModel, process: Value) -> list[tuple[str, ast.expr]]:
        """The queues, pipes and locks handed to the process (and used by its target), by their text."""
        names: list[tuple[str, ast.expr]] = []
        for origin in process.origins:
            if not isinstance(origin, ast.Call):
                continue
            target = target_of(model, origin)
            if isinstance(process.node, ast.ClassDef):
                # a Process subclass: whatever its constructor is given, its run() may use
                handed = [*origin.args, *(k.value for k in origin.keywords)]
            else:
                handed = model.handed_arguments(origin)
            for argument in handed:
                value = model.value(argument)
                lock = value.is_(Kind.LOCK) or (value.is_(Kind.PROXY) and value.detail == "lock")
                channel = value.is_(Kind.QUEUE, Kind.CONNECTION, Kind.PIPE) or (
                    value.is_(Kind.PROXY) and value.detail == "queue"
                )
                if not (lock or channel):
                    continue
                if target is not None and not may_hold(target, argument, origin, lock):
                    continue
                text = ast.unparse(argument)
                if text not in [name for name, _ in names]:
                    names.append((text, argument))
            if target is not None:
                for used in module_resources_used(model, target):
                    if used.id not in [name for name, _ in names]:
                        names.append((used.id, used))
        return names


def module_resources_used(model: ModuleModel, function: FunctionNode) -> list[ast.Name]:
    """Module-level queues, pipe connections and locks the function uses directly (a child started
    with fork shares them without being handed them): ``q.put()``, ``with lock:``, ``lock.acquire()``."""
    found: list[ast.Name] = []
    module = scope_of(function).module
    for node in own_nodes(list(function.body)):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
            continue
        if scope_of(node).defining_scope(node.id) is not module:
            continue
        parent = parent_of(node)
        value = model.value(node)
        lock = value.is_(Kind.LOCK) or (value.is_(Kind.PROXY) and value.detail == "lock")
        channel = value.is_(Kind.QUEUE, Kind.CONNECTION) or (
            value.is_(Kind.PROXY) and value.detail == "queue"
        )
        if lock and (
            isinstance(parent, ast.withitem)
            or isinstance(parent, ast.Attribute)
            and parent.attr in HOLDING_METHODS
        ):
            found.append(node)
        elif channel and isinstance(parent, ast.Attribute):
            found.append(node)
    return found


def joined_just_before(terminate: ast.Call) -> bool:
    """Whether the process was joined without a timeout before the terminate: it has then exited, and
    terminating it does nothing. The join is an earlier statement of the same block, of a block the
    terminate is in only under ``if p.is_alive():`` (or an ``exitcode`` test), or, for a loop over
    processes, a loop over the same processes before it."""
    if not isinstance(terminate.func, ast.Attribute):
        return False
    process: ast.expr = terminate.func.value
    statement: ast.AST | None = enclosing_statement(terminate)
    while statement is not None:
        parent = parent_of(statement)
        if parent is None:
            return False
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            index = statement_index(block, statement) if isinstance(block, list) and block else None
            if block is not None and index is not None:
                earlier = block[:index]
                if any(_joins(e, process) for e in earlier):
                    return True
        if isinstance(parent, ast.If) and _tests_alive(parent.test, process):
            statement = parent
        elif (
            isinstance(parent, (ast.For, ast.AsyncFor))
            and isinstance(process, ast.Name)
            and isinstance(parent.target, ast.Name)
            and parent.target.id == process.id
        ):
            loop = parent
            grand = parent_of(loop)
            block = containing_block(grand, loop) if grand is not None else None
            if block is None:
                return False
            earlier = block[: statement_index(block, loop) or 0]
            return any(
                isinstance(e, (ast.For, ast.AsyncFor))
                and same_expression(e.iter, loop.iter)
                and isinstance(e.target, ast.Name)
                and any(_joins(inner, e.target) for inner in e.body)
                for e in earlier
            )
        else:
            return False
    return False


def _joins(statement: ast.stmt, process: ast.expr) -> bool:
    call = statement.value if isinstance(statement, ast.Expr) else None
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "join"
        and not call.keywords
        and (not call.args or len(call.args) == 1 and _is_none(call.args[0]))
        and same_expression(call.func.value, process)
    )


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _tests_alive(test: ast.expr, process: ast.expr) -> bool:
    """Whether a test asks if the process still runs: ``p.is_alive()``, ``p.exitcode is None``."""
    return any(
        isinstance(node, ast.Attribute)
        and node.attr in ("is_alive", "exitcode")
        and same_expression(node.value, process)
        for node in ast.walk(test)
    )


DISCARDING_METHODS = frozenset({"close", "cancel_join_thread", "join_thread"})


def discarded(resource: ast.expr, terminate: ast.Call) -> bool:
    """Whether a queue, pipe or lock held in a local variable is never used after the terminate (only
    closed): what the killed process left in it then harms nobody."""
    if not isinstance(resource, ast.Name):
        return False
    scope = scope_of(terminate).function_scope()
    if scope.kind != "function" or scope.defining_scope(resource.id) is not scope:
        return False
    if scope_of(resource).function_scope() is not scope:
        return False
    loop = next((node for node in ancestors(terminate) if isinstance(node, LOOPS)), None)
    for node in ast.walk(scope.node):
        if not (isinstance(node, ast.Name) and node.id == resource.id and isinstance(node.ctx, ast.Load)):
            continue
        if scope_of(node).function_scope() is not scope:
            return False  # used by a nested function, at a time not known
        later = position(node) > position(terminate) or (
            loop is not None and any(ancestor is loop for ancestor in ancestors(node))
        )
        if not later:
            continue
        parent = parent_of(node)
        if not (isinstance(parent, ast.Attribute) and parent.attr in DISCARDING_METHODS):
            return False
        if any(isinstance(ancestor, ast.Return) for ancestor in ancestors(node)):
            return False
    return True


LOOPS = (ast.For, ast.AsyncFor, ast.While)


def target_of(model: ModuleModel, process_call: ast.Call) -> FunctionNode | None:
    for keyword in process_call.keywords:
        if keyword.arg == "target":
            return model.children.target_function(keyword.value)
    return None


def parameter_for(function: FunctionNode, argument: ast.expr, process_call: ast.Call) -> str | None:
    """The target's parameter that receives ``argument`` through ``args=`` or ``kwargs=``."""
    params = [*function.args.posonlyargs, *function.args.args]
    if params and params[0].arg in ("self", "cls"):
        params = params[1:]
    for keyword in process_call.keywords:
        if keyword.arg == "args" and isinstance(keyword.value, (ast.Tuple, ast.List)):
            for index, element in enumerate(keyword.value.elts):
                if element is argument and index < len(params):
                    return params[index].arg
        if keyword.arg == "kwargs" and isinstance(keyword.value, ast.Dict):
            for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                if value is argument and isinstance(key, ast.Constant) and isinstance(key.value, str):
                    return key.value
    return None


def may_hold(function: FunctionNode, argument: ast.expr, process_call: ast.Call, lock: bool) -> bool:
    """Whether the target may be holding the lock (it acquires it) or using the queue or pipe when it is
    killed; unknown parameters count as held."""
    name = parameter_for(function, argument, process_call)
    if name is None or function.args.vararg is not None:
        return True
    for node in own_nodes(list(function.body)):
        if lock:
            if isinstance(node, ast.withitem) and _is_name(node.context_expr, name):
                return True
            if (
                isinstance(node, ast.Attribute)
                and node.attr in HOLDING_METHODS
                and _is_name(node.value, name)
            ):
                return True
        elif isinstance(node, ast.Attribute) and _is_name(node.value, name):
            return True
        elif isinstance(node, ast.Call) and any(_is_name(arg, name) for arg in node.args):
            return True  # handed on to something else
    return False


HOLDING_METHODS = frozenset({"acquire", "wait", "wait_for"})


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
