"""MPL002 missing-main-guard: code that starts processes when the module is imported."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Diagnostic, Fix
from mplint.model import (
    FUNCTION_NODES,
    Kind,
    ModuleModel,
    ProcessStart,
    header_expressions,
    own_nodes,
    parent_of,
)
from mplint.rules import edits
from mplint.rules.base import Rule, RuleContext
from mplint.rules.main_guard_fix import move_under_guard
from mplint.source import count_line_breaks, split_lines, strip_line_break

REIMPORTING_METHODS = ("spawn", "forkserver")


def top_level_statement(statement: ast.stmt) -> ast.stmt:
    """The statement of the module's body that holds ``statement``."""
    current: ast.AST = statement
    parent = parent_of(current)
    while parent is not None and not isinstance(parent, ast.Module):
        current, parent = parent, parent_of(parent)
    assert isinstance(current, ast.stmt)
    return current


class MissingMainGuard(Rule):
    code = "MPL002"
    name = "missing-main-guard"
    summary = 'Process-starting code runs at import time, outside `if __name__ == "__main__":`'
    what = (
        "Flags statements that run when the module is imported (at module level, also inside "
        "module-level `if`/`try`/`with`/`for` blocks and class bodies, but not under "
        '`if __name__ == "__main__":`) and start a process: `Process(...).start()`, creating a `Pool` '
        "or a `Manager()`, `SyncManager().start()`, submitting work to a `ProcessPoolExecutor`, or "
        "calling a function of the module that does one of these (also as a decorator, or in a default "
        "argument value: both are evaluated when the definition runs)."
    )
    why = (
        "Under the spawn and forkserver start methods (the default on Windows and macOS, and on Linux "
        "from Python 3.14) every child process starts by importing the main module again. Unguarded "
        "process-starting code then runs again in the child: `Process.start()` raises RuntimeError "
        '("An attempt has been made to start a new process before the current process has finished '
        'its bootstrapping phase") and a `Pool` waits forever for workers that crashed. A library '
        "module that starts processes when imported breaks every program that imports it."
    )
    example = (
        "from multiprocessing import Pool\n\n\n"
        "def square(x):\n    return x * x\n\n\n"
        "with Pool() as pool:\n    print(pool.map(square, range(10)))\n"
    )
    use_instead = (
        "from multiprocessing import Pool\n\n\n"
        "def square(x):\n    return x * x\n\n\n"
        'if __name__ == "__main__":\n'
        "    with Pool() as pool:\n        print(pool.map(square, range(10)))\n"
    )
    fix_safety = (
        "The fix is unsafe (applied only with `--unsafe-fixes`). Its contract: the program behaves under "
        "spawn and forkserver as it did under fork. Everything that is the program's behaviour (calls, "
        "side effects, process starts, `set_start_method(...)`, statements before and after the first "
        'start) moves, in its order, under one `if __name__ == "__main__":` guard at the end of the '
        "module. What stays at module level is what a child needs and may run again harmlessly: imports "
        "(with `try`/`except ImportError` fallbacks and `if TYPE_CHECKING:` blocks), docstrings, "
        "definitions, constants that are pure (literals, names of imports and of other kept constants, "
        "attribute access and subscripts of these, and calls of a short list of pure builtins and "
        "constructors such as `int`, `Path`, `os.path.join`, `re.compile`, `logging.getLogger`), "
        'statements that only fill a kept constant (`TABLE["k"] = 1`), and pure changes of '
        "`sys.path` and `os.environ`, which the imports after them may need. A name that a function or "
        "class of the module reads is never moved out of its reach. When that cannot be achieved the "
        "fix is only a suggestion, never applied, that names the obstacle: a global the module's "
        "functions read that is not a pure constant (`MANAGER = Manager()` read by `def Namespace()`) "
        "or that moved code changes (`SEEN.append(...)`, `logging.basicConfig()`, a function with "
        "`global`), a decorator, default value or class body that does more than build its "
        "definition, a start inside a definition, a main guard of an odd shape (with `else`, negated), "
        "a module-level `global`, or a kept statement that code before it reads. The fix cannot see "
        "other modules: a name another module imports from this one, or code that relied on running "
        "when the module is imported, may need to be arranged by hand."
    )
    fix_availability = "sometimes"
    fix_kind = "unsafe"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        failing = [m for m in ctx.settings.start_methods if m in REIMPORTING_METHODS]
        if not failing or ctx.model.sets_fork_start_method():
            return
        model = ctx.model
        found: list[tuple[ast.stmt, ast.AST, str]] = []
        for statement in model.import_time_statements():
            for node in own_nodes(header_expressions(statement)):
                start = self.start_in(model, statement, node)
                if start is None or start.context_method == "fork":
                    continue
                call_text = edits.text_of(ctx.source, node)
                if len(call_text) > 60 or count_line_breaks(call_text):
                    call_text = strip_line_break(split_lines(call_text)[0])[:57] + "..."
                if not isinstance(node, ast.Call):
                    call_text = "@" + call_text
                found.append((statement, node, f"`{call_text}` {start.description}"))
                break
        if not found:
            return
        # Moving a definition under the guard would hide it from the children that need it (a start in
        # a class body would move the whole class).
        top_level = [top_level_statement(statement) for statement, _, _ in found]
        definitions = any(isinstance(s, (*FUNCTION_NODES, ast.ClassDef)) for s in top_level)
        fix = None if definitions else move_under_guard(ctx.model, ctx.source, {id(s) for s in top_level})
        methods = " and ".join(failing)
        for statement, node, what in found:
            message = (
                f"{what} when the module is imported: under {methods} every child re-imports the "
                'main module and runs it again; move it under `if __name__ == "__main__":`'
            )
            if isinstance(statement, (*FUNCTION_NODES, ast.ClassDef)):
                # a decorator or a default value: point at it, not at the whole definition
                yield self.diagnostic(ctx, node, message, fix)
            else:
                yield self.statement_diagnostic(ctx, statement, message, fix)

    @staticmethod
    def start_in(model: ModuleModel, statement: ast.stmt, node: ast.AST) -> ProcessStart | None:
        """The process start a node of a statement's header performs: a call, or a decorator applied
        by name (``@precompute`` calls ``precompute``)."""
        if isinstance(node, ast.Call):
            return model.process_start(node)
        decorators = getattr(statement, "decorator_list", [])
        if isinstance(node, (ast.Name, ast.Attribute)) and any(node is d for d in decorators):
            decorator = model.value(node)
            if decorator.is_(Kind.FUNCTION) and isinstance(decorator.node, FUNCTION_NODES):
                inner = model.processes.function_start(decorator.node)
                if inner is not None:
                    name = decorator.node.name
                    return ProcessStart(
                        inner.call, f"{inner.description} (in `{name}`)", inner.context_method
                    )
        return None

    def statement_diagnostic(
        self, ctx: RuleContext, statement: ast.stmt, message: str, fix: Fix | None
    ) -> Diagnostic:
        diagnostic = self.diagnostic(ctx, statement, message, fix)
        header = header_expressions(statement)
        if header and header[0] is not statement:
            last = header[-1]
            end_node = last.context_expr if isinstance(last, ast.withitem) else last
            diagnostic = Diagnostic(
                code=diagnostic.code,
                name=diagnostic.name,
                message=diagnostic.message,
                location=diagnostic.location,
                end_location=ctx.end(end_node),
                fix=diagnostic.fix,
                noqa_row=diagnostic.noqa_row,
            )
        return diagnostic
