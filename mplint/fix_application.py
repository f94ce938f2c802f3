"""Applying the edits of fixes to a text, and keeping only the fixes whose result Python can parse.

A round of fixes is applied together; when the combined text does not parse, the fixes are tried again
group by group (halving a group that fails), so that one broken fix costs only itself and a few parses,
never the other fixes of the file.
"""

from __future__ import annotations

import ast
import bisect
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace

from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix
from mplint.source import SourceText

Span = tuple[int, int, str]  # start offset, end offset, replacement

MAX_LAYERS = 10
"""How many layers of mutually colliding fixes ``without_broken_fixes`` tries (as many as the fixer's
rounds: a fix deeper than that is not applied by one ``--fix`` anyway)."""


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
    text: str, diagnostics: Sequence[Diagnostic], unsafe: bool
) -> tuple[str, list[Diagnostic]]:
    """Like ``apply_fixes``, returning the diagnostics whose fix was applied.

    Takes O(n log n) steps for n fixes (plus the length of the text): accepted edits are kept sorted, so
    a new edit is compared with its neighbours only.
    """
    source = SourceText(text)
    candidates: list[tuple[tuple[int, int, str, str], Diagnostic, list[Span]]] = []
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

    accepted = _AcceptedSpans()
    applied: list[Diagnostic] = []
    for _, diagnostic, spans in candidates:
        own = set(spans)
        new = [span for span in spans if not accepted.holds(span)]
        if any(accepted.collides(span, own) for span in new):
            continue
        for span in new:
            accepted.add(span)
        applied.append(diagnostic)

    pieces: list[str] = []
    position = 0
    for start, end, content in accepted.spans:
        pieces.append(text[position:start])
        pieces.append(content)
        position = end
    pieces.append(text[position:])
    return "".join(pieces), applied


class _AcceptedSpans:
    """The edits accepted so far, sorted by (start, end). Two accepted edits never overlap (edits of one
    fix may touch), so their ends are sorted too."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self._keys: list[tuple[int, int]] = []
        self._held: set[Span] = set()

    def holds(self, span: Span) -> bool:
        return span in self._held

    def add(self, span: Span) -> None:
        index = bisect.bisect_right(self._keys, (span[0], span[1]))
        self._keys.insert(index, (span[0], span[1]))
        self.spans.insert(index, span)
        self._held.add(span)

    def collides(self, span: Span, own: set[Span]) -> bool:
        """Whether ``span`` overlaps or touches an accepted edit other than the fix's own ones."""
        index = bisect.bisect_right(self._keys, (span[1], sys.maxsize)) - 1
        while index >= 0 and self._keys[index][1] >= span[0]:
            if self.spans[index] not in own:
                return True
            index -= 1
        return False


def _spans(source: SourceText, edits: tuple[Edit, ...]) -> list[Span] | None:
    """The edits of one fix as sorted offset spans, or None if they are invalid or overlap."""
    spans: list[Span] = []
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


def parses(text: str) -> bool:
    """Whether Python can parse ``text``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def acceptable_fixes(
    text: str, fixes: list[Diagnostic], acceptable: Callable[[str], bool] = parses
) -> list[Diagnostic]:
    """The fixes (which must not collide) that can be applied together to ``text`` with an acceptable
    result: all of them when their combined result is acceptable; otherwise a group is kept when the
    fixes kept so far and the group give an acceptable text, and split in halves when not, down to
    single fixes, which are dropped. k broken fixes among n cost O(k log n) tries."""
    combined, _ = apply_fixes_detailed(text, fixes, unsafe=True)
    if acceptable(combined):
        return list(fixes)
    kept: list[Diagnostic] = []
    groups: list[list[Diagnostic]] = []
    if len(fixes) > 1:
        middle = len(fixes) // 2
        groups = [fixes[middle:], fixes[:middle]]
    while groups:
        group = groups.pop()
        candidate, _ = apply_fixes_detailed(text, kept + group, unsafe=True)
        if acceptable(candidate):
            kept.extend(group)
        elif len(group) > 1:
            middle = len(group) // 2
            groups += [group[middle:], group[:middle]]
    return kept


def without_broken_fixes(text: str, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics, with the fix removed from those whose fix would not give a text Python can
    parse: a diagnostic offered as fixable is one that ``--fix`` fixes.

    Fixes are tried in layers: the fixes that do not collide are applied together, then those left out
    by a collision, and so on (at most ``MAX_LAYERS`` layers). ``text`` must parse.
    """
    pending = [d for d in diagnostics if d.fix is not None and d.fix.edits and is_applicable(d.fix, True)]
    broken: set[int] = set()
    for _ in range(MAX_LAYERS):
        if not pending:
            break
        _, layer = apply_fixes_detailed(text, pending, unsafe=True)
        if not layer:
            break  # the rest have impossible edits: never applied, whatever is reported
        kept = {id(d) for d in acceptable_fixes(text, layer)}
        broken.update(id(d) for d in layer if id(d) not in kept)
        in_layer = {id(d) for d in layer}
        pending = [d for d in pending if id(d) not in in_layer]
    if not broken:
        return diagnostics
    return [replace(d, fix=None) if id(d) in broken else d for d in diagnostics]
