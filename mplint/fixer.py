"""Applying fixes: the edits of non-conflicting fixes, round after round until nothing changes."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field

from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix
from mplint.engine import check_text
from mplint.fix_safety import adjust_fix_safety
from mplint.settings import Settings
from mplint.source import SourceText

MAX_ROUNDS = 10
"""How many check-and-fix rounds ``fix_text`` runs at most."""

_Span = tuple[int, int, str]  # start offset, end offset, replacement


@dataclass
class FixResult:
    """The fixed text, how many diagnostics were fixed, and what is left to report."""

    text: str
    fixed_count: int
    remaining: list[Diagnostic]
    fixed: list[Diagnostic] = field(default_factory=list)


def is_applicable(fix: Fix, unsafe: bool) -> bool:
    """Whether ``fix`` may be applied: safe fixes always, unsafe ones on request, others never."""
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe and fix.applicability is Applicability.UNSAFE


def apply_fixes(text: str, diagnostics: list[Diagnostic], unsafe: bool) -> tuple[str, int]:
    """Apply every applicable fix that does not collide with one applied before it.

    Returns the new text and the number of diagnostics whose fix was applied.
    """
    new_text, applied = apply_fixes_detailed(text, diagnostics, unsafe)
    return new_text, len(applied)


def apply_fixes_detailed(
    text: str, diagnostics: list[Diagnostic], unsafe: bool
) -> tuple[str, list[Diagnostic]]:
    """Like ``apply_fixes``, returning the diagnostics whose fix was applied."""
    source = SourceText(text)
    candidates: list[tuple[tuple[int, int, str, str], Diagnostic, list[_Span]]] = []
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None or not fix.edits or not is_applicable(fix, unsafe):
            continue
        spans = _spans(source, fix.edits)
        if spans is None:
            continue  # a fix with an impossible edit is never applied
        key = (spans[0][0], spans[0][1], diagnostic.code, diagnostic.message)
        candidates.append((key, diagnostic, spans))
    candidates.sort(key=lambda candidate: candidate[0])

    accepted: list[_Span] = []
    accepted_set: set[_Span] = set()
    applied: list[Diagnostic] = []
    for _, diagnostic, spans in candidates:
        own = set(spans)
        new = [span for span in spans if span not in accepted_set]
        others = [other for other in accepted if other not in own]
        if any(_collide(span, other) for span in new for other in others):
            continue
        accepted.extend(new)
        accepted_set.update(new)
        applied.append(diagnostic)

    pieces: list[str] = []
    position = 0
    for start, end, content in sorted(accepted, key=lambda span: (span[0], span[1])):
        pieces.append(text[position:start])
        pieces.append(content)
        position = end
    pieces.append(text[position:])
    return "".join(pieces), applied


def _spans(source: SourceText, edits: tuple[Edit, ...]) -> list[_Span] | None:
    """The edits of one fix as sorted offset spans, or None if they are invalid or overlap."""
    spans: list[_Span] = []
    for edit in edits:
        start = _offset(source, edit.location.row, edit.location.column)
        end = _offset(source, edit.end_location.row, edit.end_location.column)
        if start is None or end is None or end < start:
            return None
        spans.append((start, end, edit.content))
    spans = sorted(set(spans), key=lambda span: (span[0], span[1]))
    for before, after in zip(spans, spans[1:], strict=False):
        if after[0] < before[1] or (after[0] == before[0] and after[1] == before[1]):
            return None  # two different edits of the same range, or overlapping ones
    return spans


def _offset(source: SourceText, row: int, column: int) -> int | None:
    """The character offset of a 1-based position, or None when it is not inside the text."""
    if not 1 <= row <= len(source.line_starts) or column < 1:
        return None
    if column - 1 > len(source.line(row)) + len(source.line_break(row)):
        return None
    return source.line_starts[row - 1] + column - 1


def _collide(span: _Span, other: _Span) -> bool:
    """Whether two edits of different fixes overlap or touch (their order would be ambiguous)."""
    return span[0] <= other[1] and other[0] <= span[1]


def parses(text: str) -> bool:
    """Whether Python can parse ``text``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


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

    A round whose result does not parse (or cannot be written in ``encoding``, when given) is
    discarded and ends the loop, so the returned text always parses if the input did.
    """
    current = text
    remaining = adjust_fix_safety(check_text(current, path, settings), settings)
    fixed: list[Diagnostic] = []
    for _ in range(MAX_ROUNDS):
        candidate, applied = apply_fixes_detailed(current, remaining, unsafe)
        if not applied or candidate == current:
            break
        if not parses(candidate) or not _encodable(candidate, encoding):
            break
        remaining = adjust_fix_safety(check_text(candidate, path, settings), settings)
        current = candidate
        fixed.extend(applied)
    return FixResult(text=current, fixed_count=len(fixed), remaining=remaining, fixed=fixed)
