"""MPL000 syntax-error: the file cannot be parsed, so nothing else in it can be checked."""

from __future__ import annotations

from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.rules.base import Rule, RuleContext


class SyntaxErrorRule(Rule):
    code = "MPL000"
    name = "syntax-error"
    summary = "The file cannot be parsed"
    what = "Reports a file that Python cannot parse, at the parser's error position and with its message."
    why = (
        "A file that does not parse cannot run, and mplint cannot check it for any other pitfall. "
        "The rest of the run goes on with the other files."
    )
    example = (
        "from multiprocessing import Manager\n\n\n"
        "def update(shared):\n"
        "    record = shared[0]\n"
        '    record{"id"} = 2\n'
        "    shared[0] = record\n\n\n"
        'if __name__ == "__main__":\n'
        "    with Manager() as manager:\n"
        '        shared = manager.list([{"id": 1}])\n'
        "        update(shared)\n"
    )
    use_instead = (
        "from multiprocessing import Manager\n\n\n"
        "def update(shared):\n"
        "    record = shared[0]\n"
        '    record["id"] = 2\n'
        "    shared[0] = record\n\n\n"
        'if __name__ == "__main__":\n'
        "    with Manager() as manager:\n"
        '        shared = manager.list([{"id": 1}])\n'
        "        update(shared)\n"
    )
    fix_safety = "There is no fix: the intended code cannot be guessed."
    options = "None."

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        # Reported by the engine when parsing fails; a parsed module has no syntax error.
        return iter(())
