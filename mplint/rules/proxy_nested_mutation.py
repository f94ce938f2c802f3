"""MPL001 proxy-nested-mutation (being written)."""

from __future__ import annotations

from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.rules.base import Rule, RuleContext


class ProxyNestedMutation(Rule):
    code = "MPL001"
    name = "proxy-nested-mutation"
    summary = ""
    what = ""
    why = ""
    example = ""
    use_instead = ""
    fix_safety = ""

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        return iter(())
