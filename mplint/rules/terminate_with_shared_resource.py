"""MPL011 terminate-with-shared-resource: terminating a process that was given a queue, pipe or lock."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.model import Kind, ModuleModel
from mplint.model.values import Value
from mplint.rules.base import Rule, RuleContext

SHARED_KINDS = (Kind.QUEUE, Kind.CONNECTION, Kind.PIPE, Kind.LOCK)


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
        for call in model.scopes.calls:
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
            for argument in model.handed_arguments(origin):
                value = model.value(argument)
                if value.is_(*SHARED_KINDS) or (value.is_(Kind.PROXY) and value.detail in ("lock", "queue")):
                    text = ast.unparse(argument)
                    if text not in names:
                        names.append(text)
        return names
