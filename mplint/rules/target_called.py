"""MPL007 target-called: ``Process(target=f(...))`` calls ``f`` in the parent."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from mplint.diagnostics import Applicability, Diagnostic, Fix
from mplint.model import FUNCTION_NODES, SPAWNING_NAMES, Kind, ModuleModel, spawn_argument
from mplint.rules import edits
from mplint.rules.base import Rule, RuleContext
from mplint.source import SourceText

NON_CALLABLE_KINDS = (Kind.NONE, Kind.PLAIN, Kind.CONTAINER, Kind.COPY)


class TargetCalled(Rule):
    code = "MPL007"
    name = "target-called"
    summary = "The target is called in the parent instead of being handed to the child"
    what = (
        "Flags `Process(target=f(...))`, `Pool.apply(f(...))`/`apply_async(f(...))` and "
        "`torch.multiprocessing.spawn(f(...), ...)` where `f` is a function of the module that does not "
        "return a callable (no fix for `spawn`)."
    )
    why = (
        "`target=f(x)` runs `f(x)` right away, in the parent, and passes its result (usually `None`) "
        "as the target: the work is done serially in the parent and the child does nothing, or fails "
        "with 'NoneType object is not callable'."
    )
    example = (
        "from multiprocessing import Process\n\n\n"
        "def work(item):\n"
        '    print("working on", item)\n\n\n'
        'if __name__ == "__main__":\n'
        "    p = Process(target=work(1))  # runs work(1) here, in the parent\n"
        "    p.start()\n"
        "    p.join()\n"
    )
    use_instead = (
        "from multiprocessing import Process\n\n\n"
        "def work(item):\n"
        '    print("working on", item)\n\n\n'
        'if __name__ == "__main__":\n'
        "    p = Process(target=work, args=(1,))\n"
        "    p.start()\n"
        "    p.join()\n"
    )
    fix_safety = (
        "The fix passes the function and moves its arguments to `args=` (and `kwargs=`); it is unsafe, "
        "because the call's arguments are then evaluated once, in the parent, but the function runs in "
        "the child."
    )
    fix_availability = "sometimes"
    fix_kind = "unsafe"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        candidates = [
            *model.calls_with_keyword("target"),
            *model.calls_named("apply", "apply_async"),
            *model.calls_named(*SPAWNING_NAMES),
            *(
                call
                for call in model.scopes.calls
                if len(call.args) > 1 and isinstance(call.args[1], ast.Call)
            ),
        ]
        for call in sorted(set(candidates), key=lambda c: (c.lineno, c.col_offset)):
            found = self.called_target(model, call)
            if found is None:
                continue
            inner, role = found
            if not self.returns_no_callable(model, inner):
                continue
            name = ast.unparse(inner.func)
            receiver = "target" if role.startswith("process") or role == "spawn" else "task"
            message = (
                f"`{name}(...)` runs now, in the parent, and its result becomes the "
                f"{receiver}: pass `{name}` and its arguments instead"
            )
            fix = self.fix(ctx, call, inner, role) if role in ("process", "apply") else None
            yield self.diagnostic(ctx, inner, message, fix)

    @staticmethod
    def called_target(model: ModuleModel, call: ast.Call) -> tuple[ast.Call, str] | None:
        for keyword in call.keywords:
            if keyword.arg == "target" and isinstance(keyword.value, ast.Call):
                if model.value(call).is_(Kind.PROCESS):
                    return keyword.value, "process"
        # Process(group, target, ...): the target passed by position
        if len(call.args) > 1 and isinstance(call.args[1], ast.Call) and model.value(call).is_(Kind.PROCESS):
            if not any(keyword.arg == "target" for keyword in call.keywords):
                return call.args[1], "process_positional"
        if model.inference.spawn_function(call) is not None:
            fn = spawn_argument(call, "fn")
            return (fn, "spawn") if isinstance(fn, ast.Call) else None
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in ("apply", "apply_async"):
            if not model.value(func.value).is_(Kind.POOL, Kind.THREAD_POOL):
                return None
            if call.args and isinstance(call.args[0], ast.Call):
                return call.args[0], "apply"
            for keyword in call.keywords:
                if keyword.arg == "func" and isinstance(keyword.value, ast.Call) and not call.args:
                    return keyword.value, "apply_keyword"
        return None

    @staticmethod
    def returns_no_callable(model: ModuleModel, inner: ast.Call) -> bool:
        callee = model.value(inner.func)
        if isinstance(inner.func, ast.Name) and inner.func.id == "print":
            return model.scopes.module.defining_scope("print") is None
        if not (callee.is_(Kind.FUNCTION) and isinstance(callee.node, FUNCTION_NODES)):
            return False
        result = model.inference.return_value(callee.node)
        return result.kind in NON_CALLABLE_KINDS

    @staticmethod
    def fix(ctx: RuleContext, call: ast.Call, inner: ast.Call, role: str) -> Fix | None:
        if any(isinstance(a, ast.Starred) for a in inner.args) or any(k.arg is None for k in inner.keywords):
            return None
        source = ctx.source
        start, end = edits.span(source, inner)
        layout = _ArgumentLayout(source, inner, start, end)
        func_text = edits.text_of(source, inner.func)
        args = [edits.text_of(source, a) for a in inner.args]
        kwargs = [f'"{k.arg}": {edits.text_of(source, k.value)}' for k in inner.keywords]
        args_text = layout.bracketed("(", args, ")", inner.args)
        kwargs_text = layout.bracketed("{", kwargs, "}", inner.keywords)
        if role == "process":
            present = {k.arg for k in call.keywords}
            if "args" in present or "kwargs" in present:
                return None
            content = func_text
            if args:
                content += f", args={args_text}"
            if inner.keywords:
                content += f", kwargs={kwargs_text}"
        else:
            if len(call.args) > 1 or call.keywords:
                return None
            content = func_text + (f", {args_text}" if args or inner.keywords else "")
            if inner.keywords:
                content += f", {kwargs_text}"
        content += layout.leftover()
        edit = edits.replace(source, start, end, content)
        return Fix(f"Pass `{func_text}` and its arguments to the child", (edit,), Applicability.UNSAFE)


class _ArgumentLayout:
    """The comments inside a call, each kept after the argument it follows: with comments, the
    arguments are laid out one a line (a comment ends its line), inside the enclosing call's brackets."""

    def __init__(self, source: SourceText, inner: ast.Call, start: int, end: int) -> None:
        self.comments = edits.comments_in(source, start, end)
        self.items: list[ast.AST] = [*inner.args, *inner.keywords]
        self.starts = [edits.span(source, item)[0] for item in self.items]
        self.used: set[int] = set()
        line_start = source.text.rfind("\n", 0, start) + 1
        line = source.text[line_start:start]
        self.indent = line[: len(line) - len(line.lstrip())]

    def notes_of(self, item: ast.AST) -> list[str]:
        """The comments after ``item`` and before the next argument (those before the first argument
        go with the first)."""
        index = self.items.index(item)
        low = self.starts[index] if index else -1
        high = self.starts[index + 1] if index + 1 < len(self.starts) else None
        notes: list[str] = []
        for position, (offset, text) in enumerate(self.comments):
            if offset >= low and (high is None or offset < high):
                notes.append(text)
                self.used.add(position)
        return notes

    def bracketed(self, opening: str, texts: list[str], closing: str, nodes: Sequence[ast.AST]) -> str:
        notes = [self.notes_of(node) for node in nodes]
        if not any(notes):
            comma = "," if opening == "(" and len(texts) == 1 else ""
            return opening + ", ".join(texts) + comma + closing
        lines = [opening]
        for text, comments in zip(texts, notes, strict=True):
            lines.append(f"{self.indent}    {text}," + ("  " + "  ".join(comments) if comments else ""))
        lines.append(self.indent + closing)
        return "\n".join(lines)

    def leftover(self) -> str:
        """The comments of a call without arguments, kept after the fixed text."""
        rest = [text for position, (_, text) in enumerate(self.comments) if position not in self.used]
        return "".join(f"  {text}\n{self.indent}" for text in rest)
