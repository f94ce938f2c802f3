"""Applying fixes: the edits of non-conflicting fixes, round after round until nothing changes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from mplint.diagnostics import Diagnostic
from mplint.engine import check_text
from mplint.fix_application import acceptable_fixes, apply_fixes_detailed, parses
from mplint.fix_safety import adjust_fix_safety
from mplint.settings import Settings

MAX_ROUNDS = 10
"""How many check-and-fix rounds ``fix_text`` runs at most."""


@dataclass
class FixResult:
    """The fixed text, how many diagnostics were fixed, and what is left to report."""

    text: str
    fixed_count: int
    remaining: list[Diagnostic]
    fixed: list[Diagnostic] = field(default_factory=list)


def _encodable(text: str, encoding: str | None) -> bool:
    if encoding is None:
        return True
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def fix_text(
    text: str,
    path: str,
    settings: Settings,
    unsafe: bool,
    encoding: str | None = None,
) -> FixResult:
    """Check, fix and check again until no fix applies, for at most ``MAX_ROUNDS`` rounds.

    When a round's combined result does not parse (or cannot be written in ``encoding``, when given),
    the round keeps only the fixes that together give an acceptable text (see ``acceptable_fixes``); the
    others lose their fix and are reported as not fixable. The returned text always parses if the input
    did.
    """

    def acceptable(candidate: str) -> bool:
        return parses(candidate) and _encodable(candidate, encoding)

    current = text
    remaining = adjust_fix_safety(check_text(current, path, settings), settings)
    fixed: list[Diagnostic] = []
    for _ in range(MAX_ROUNDS):
        candidate, applied = apply_fixes_detailed(current, remaining, unsafe)
        if not applied or candidate == current:
            break
        if not acceptable(candidate):
            kept = acceptable_fixes(current, applied, acceptable)
            if len(kept) < len(applied):
                broken = {id(d) for d in applied} - {id(d) for d in kept}
                remaining = [replace(d, fix=None) if id(d) in broken else d for d in remaining]
            if not kept:
                break
            candidate, applied = apply_fixes_detailed(current, kept, unsafe)
        remaining = adjust_fix_safety(check_text(candidate, path, settings), settings)
        current = candidate
        fixed.extend(applied)
    return FixResult(text=current, fixed_count=len(fixed), remaining=remaining, fixed=fixed)
