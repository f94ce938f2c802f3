"""MPL002 missing-main-guard (being written)."""

from __future__ import annotations

from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.rules.base import Rule, RuleContext


class MissingMainGuard(Rule):
    code = "MPL002"
    name = "missing-main-guard"
    summary = ""
    what = ""
    why = ""
    example = ""
    use_instead = ""
    fix_safety = ""

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        return iter(())
