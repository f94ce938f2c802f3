"""MPL100 unused-noqa: a suppression comment naming an mplint code that suppresses nothing, or no rule."""

from __future__ import annotations

from collections.abc import Iterator

from mplint.diagnostics import Diagnostic
from mplint.rules.base import Rule, RuleContext
from mplint.suppressions import UNUSED_CODE, UNUSED_NAME


class UnusedNoqa(Rule):
    code = UNUSED_CODE
    name = UNUSED_NAME
    severity = "warning"  # hygiene
    summary = "Suppression comment that suppresses nothing or names an unknown rule"
    what = (
        "Flags mplint codes in `# noqa: ...` and `# mplint: noqa: ...` comments that suppress no "
        "diagnostic, and `MPL` codes that name no rule. Codes of other tools (`E501`) and blanket "
        "`# noqa` comments are left alone."
    )
    why = (
        "A stale suppression hides the next real pitfall on that line, and a mistyped code suppresses "
        "nothing at all while looking as if it did."
    )
    example = "from multiprocessing import Pool\n\nvalue = 1  # noqa: MPL001\n"
    use_instead = "from multiprocessing import Pool\n\nvalue = 1\n"
    fix_safety = (
        "The fix removes the unused or unknown codes (the whole comment when none is left); it is safe."
    )
    fix_availability = "always"
    fix_kind = "safe"
    options = "Only codes of enabled rules are reported as unused."

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        # Suppressions are matched against the other rules' findings by the engine.
        return iter(())
