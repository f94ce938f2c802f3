"""MPL006 args-not-tuple: ``args=(x)`` is not a tuple, and a string or dict is not an argument list."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mplint.diagnostics import Applicability, Diagnostic, Fix
from mplint.model import SPAWNING_NAMES, Kind, ModuleModel, spawn_argument
from mplint.rules import edits
from mplint.rules.base import Rule, RuleContext

APPLY_METHODS = frozenset({"apply", "apply_async"})


class ArgsNotTuple(Rule):
    code = "MPL006"
    name = "args-not-tuple"
    summary = "`args=` is not a tuple: `(x)` without a comma, or a string, bytes or dict"
    what = (
        "Flags `args=(x)` (parentheses without a comma are not a tuple), unless the expression in the "
        "parentheses may be a sequence itself (`(base + (3,))`, `(t[1:])`, a conditional between "
        "tuples), and a string, bytes or dict literal passed as the argument list of `Process(...)`, "
        "`Pool.apply`/`apply_async` or `torch.multiprocessing.spawn`/`start_processes`."
    )
    why = (
        'The target is called with `*args`. `args=("abc")` is the string `"abc"`, so the target '
        "receives three arguments `'a', 'b', 'c'`; `args=(items)` unpacks the list into separate "
        "arguments; a dict passes its keys. The child fails with a TypeError or silently works on the "
        "wrong data."
    )
    example = (
        "from multiprocessing import Process\n\n\n"
        "def greet(name):\n"
        '    print("hello", name)\n\n\n'
        'if __name__ == "__main__":\n'
        '    p = Process(target=greet, args=("world"))\n'
        "    p.start()\n"
        "    p.join()\n"
    )
    use_instead = (
        "from multiprocessing import Process\n\n\n"
        "def greet(name):\n"
        '    print("hello", name)\n\n\n'
        'if __name__ == "__main__":\n'
        '    p = Process(target=greet, args=("world",))\n'
        "    p.start()\n"
        "    p.join()\n"
    )
    fix_safety = (
        "The fix adds the missing comma (or wraps the literal in a one-element tuple); it is safe. "
        "There is no fix for a `yield` expression: `(yield x,)` yields a tuple and `(yield,)` does "
        "not parse."
    )
    fix_availability = "sometimes"
    fix_kind = "safe"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        candidates = (
            model.calls_with_keyword("args")
            + model.calls_named(*APPLY_METHODS)
            + model.calls_named(*SPAWNING_NAMES)
        )
        for call in sorted(set(candidates), key=lambda c: (c.lineno, c.col_offset)):
            argument = self.argument_list(model, call)
            if argument is None:
                continue
            problem = self.problem(ctx, model, argument)
            if problem is None:
                continue
            message = f"{problem}: the target is called with `*args`; pass a tuple such as `(x,)`"
            yield self.diagnostic(ctx, argument, message, self.fix(ctx, argument))

    @staticmethod
    def argument_list(model: ModuleModel, call: ast.Call) -> ast.expr | None:
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        func = call.func
        if model.inference.spawn_function(call) is not None:
            return spawn_argument(call, "args")  # fn(rank, *args)
        if "target" in keywords and "args" in keywords:
            if model.value(call).is_(Kind.PROCESS):
                return keywords["args"]
            return None
        if isinstance(func, ast.Attribute) and func.attr in APPLY_METHODS:
            if not model.value(func.value).is_(Kind.POOL, Kind.THREAD_POOL):
                return None
            if "args" in keywords:
                return keywords["args"]
            if len(call.args) > 1:
                return call.args[1]
        return None

    @staticmethod
    def problem(ctx: RuleContext, model: ModuleModel, argument: ast.expr) -> str | None:
        if isinstance(argument, ast.Constant) and isinstance(argument.value, (str, bytes)):
            kind = "a string" if isinstance(argument.value, str) else "bytes"
            return f"`args` is {kind}, not a tuple"
        if isinstance(argument, (ast.Dict, ast.JoinedStr)):
            return "`args` is a dict, not a tuple" if isinstance(argument, ast.Dict) else "`args` is a string"
        if isinstance(argument, (ast.Tuple, ast.List, ast.Starred)):
            return None
        if not parenthesized(ctx, argument):
            return None
        if may_be_sequence(model, argument):
            return None  # the parentheses are redundant, not wrong
        return "`args=(x)` is not a tuple: parentheses without a comma"

    @staticmethod
    def fix(ctx: RuleContext, argument: ast.expr) -> Fix | None:
        if isinstance(argument, (ast.Yield, ast.YieldFrom)):
            return None  # a comma after it would change what is yielded, or not parse
        source = ctx.source
        start, end = edits.span(source, argument)
        text = source.text[start:end]
        if parenthesized(ctx, argument):
            open_at = source.text.rfind("(", 0, start)
            close_at = source.text.find(")", end)
            inner = source.text[start:end]
            edit = edits.replace(source, open_at, close_at + 1, f"({inner},)")
        else:
            edit = edits.replace(source, start, end, f"({text},)")
        return Fix("Make it a one-element tuple", (edit,), Applicability.SAFE)


def may_be_sequence(model: ModuleModel, expr: ast.expr) -> bool:
    """Whether ``expr`` may itself give the tuple (or list) of arguments: ``base + (3,)``,
    ``a if c else (b,)``, ``t[1:]``, ``tuple(x)``, a name holding one..."""
    if isinstance(expr, (ast.Tuple, ast.List, ast.ListComp)):
        return True
    if isinstance(expr, ast.IfExp):
        return may_be_sequence(model, expr.body) or may_be_sequence(model, expr.orelse)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mult)):
        return may_be_sequence(model, expr.left) or may_be_sequence(model, expr.right)
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Slice):
        return not (isinstance(expr.value, ast.Constant) and isinstance(expr.value.value, (str, bytes)))
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        if expr.func.id in ("tuple", "list", "sorted", "reversed"):
            return True
    value = model.value(expr)
    if isinstance(expr, ast.Name):
        # a name holding a tuple is fine; one holding a list was meant as one argument (``args=(items)``)
        return value.is_(Kind.CONTAINER) and value.items is not None
    return value.is_(Kind.CONTAINER)


def parenthesized(ctx: RuleContext, node: ast.expr) -> bool:
    """Whether the node's text is directly enclosed in its own parentheses."""
    source = ctx.source
    start, end = edits.span(source, node)
    before = source.text[:start].rstrip()
    after = source.text[end:].lstrip()
    return before.endswith("(") and after.startswith(")")
