"""MPL011 terminate-with-shared-resource: terminating a process that was given a queue, pipe or lock."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.model import Kind, ModuleModel, own_nodes
from mplint.model.inference import FunctionNode
from mplint.model.values import Value
from mplint.rules.base import Rule, RuleContext


class TerminateWithSharedResource(Rule):
    code = "MPL011"
    name = "terminate-with-shared-resource"
    summary = "Process terminated while it may hold a queue, pipe or lock"
    what = (
        "Flags `p.terminate()` and `p.kill()` on a process that was given a `Queue`, a `Pipe` "
        "connection, or a `Lock`/`RLock`/`Semaphore`/`Condition`/`Event`/`Barrier` (also a manager's "
        "lock proxy)."
    )
    why = (
        "Terminating a process skips its `finally` clauses and exit handlers. The documentation warns "
        "that a queue the process was using may become corrupt (a half-written message, a feeder thread "
        "that never flushed) and that a lock or semaphore it held is never released, so the other "
        "processes block on it forever."
    )
    example = "p = Process(target=work, args=(lock,))\np.start()\np.terminate()\n"
    use_instead = (
        "stop = Event()\np = Process(target=work, args=(lock, stop))\np.start()\nstop.set()  "
        "# ask it to finish\np.join()\n"
    )
    fix_safety = "There is no automatic fix: ask the process to stop (an Event, a sentinel) and join it."

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        for call in model.calls_named("terminate", "kill"):
            func = call.func
            if not (isinstance(func, ast.Attribute) and func.attr in ("terminate", "kill")):
                continue
            process = model.value(func.value)
            if not process.is_(Kind.PROCESS):
                continue
            shared = self.shared_resources(model, process)
            if not shared:
                continue
            names = ", ".join(f"`{name}`" for name in shared)
            message = (
                f"`{ast.unparse(func)}()` kills a process that was given {names}: a queue or pipe it was "
                "using may be corrupted and a lock it holds is never released; ask it to stop and join it"
            )
            yield self.diagnostic(ctx, call, message)

    @staticmethod
    def shared_resources(model: ModuleModel, process: Value) -> list[str]:
        names: list[str] = []
        for origin in process.origins:
            if not isinstance(origin, ast.Call):
                continue
            target = target_of(model, origin)
            for argument in model.handed_arguments(origin):
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
                if text not in names:
                    names.append(text)
        return names


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
