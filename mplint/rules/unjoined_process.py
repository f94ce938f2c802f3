"""MPL003 unjoined-process (being written)."""

from __future__ import annotations

from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.rules.base import Rule, RuleContext


class UnjoinedProcess(Rule):
    code = "MPL003"
    name = "unjoined-process"
    summary = ""
    what = ""
    why = ""
    example = ""
    use_instead = ""
    fix_safety = ""

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        return iter(())
