"""``--add-noqa``: a ``# noqa: CODES`` directive for every diagnostic a file has now, merged into the
line's existing ``# noqa`` comment when it has one."""

from __future__ import annotations

from mplint.diagnostics import Diagnostic, Edit
from mplint.source import SourceText
from mplint.suppressions import add_noqa_edit


def noqa_edits(text: str, diagnostics: list[Diagnostic], reason: str = "") -> list[Edit]:
    """One edit per line that needs a directive; diagnostics without a noqa line are left alone."""
    source = SourceText(text)
    codes_by_row: dict[int, set[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.noqa_row is not None and 1 <= diagnostic.noqa_row <= len(source.lines):
            codes_by_row.setdefault(diagnostic.noqa_row, set()).add(diagnostic.code)
    edits: list[Edit] = []
    for row, codes in sorted(codes_by_row.items()):
        edit = add_noqa_edit(source, row, sorted(codes), reason)
        if edit is not None:
            edits.append(edit)
    return edits


def add_noqa(text: str, diagnostics: list[Diagnostic], reason: str = "") -> tuple[str, int]:
    """The text with the directives added, and how many lines got one."""
    edits = noqa_edits(text, diagnostics, reason)
    source = SourceText(text)
    result = text
    # Each edit is on a line of its own: applying them from the end keeps the earlier offsets valid.
    for edit in sorted(edits, key=lambda edit: edit.location, reverse=True):
        start = source.offset(edit.location)
        end = source.offset(edit.end_location)
        result = result[:start] + edit.content + result[end:]
    return result, len(edits)
