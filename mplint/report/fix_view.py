"""A fix shown as a small diff of the lines it changes, numbered as in the fixed file (as Ruff shows it)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from mplint.diagnostics import Fix
from mplint.source import SourceText, split_lines, strip_line_break

CONTEXT_LINES = 1
GAP = "..."


@dataclass(frozen=True)
class DiffLine:
    """One line of the view: kept (``" "``), removed (``"-"``), added (``"+"``) or a gap (GAP)."""

    kind: str
    text: str
    number: int | None = None
    """The line's number in the fixed text (None for removed lines and gaps)."""


def fixed_text(source: SourceText, fix: Fix) -> str | None:
    """``source`` with the fix's edits applied, or None when they are out of range or overlap."""
    spans: list[tuple[int, int, str]] = []
    for edit in fix.edits:
        start, end = edit.location, edit.end_location
        if not (1 <= start.row <= len(source.lines) and 1 <= end.row <= len(source.lines)):
            return None
        spans.append((source.offset(start), source.offset(end), edit.content))
    spans.sort(key=lambda span: (span[0], span[1]))
    pieces: list[str] = []
    position = 0
    for start_offset, end_offset, content in spans:
        if start_offset < position or end_offset < start_offset:
            return None
        pieces += [source.text[position:start_offset], content]
        position = end_offset
    pieces.append(source.text[position:])
    return "".join(pieces)


def fix_diff(source: SourceText, fix: Fix) -> list[DiffLine]:
    """The changed lines with one line of context around each change; empty when nothing changes."""
    new_text = fixed_text(source, fix)
    if new_text is None or new_text == source.text:
        return []
    old = [strip_line_break(line) for line in split_lines(source.text)]
    new = [strip_line_break(line) for line in split_lines(new_text)]
    if old == new:  # only line breaks changed
        return []
    # Only the middle differs: diff that part alone, so large files stay cheap.
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    first = max(head - CONTEXT_LINES, 0)
    old_part = old[first : len(old) - max(tail - CONTEXT_LINES, 0)]
    new_part = new[first : len(new) - max(tail - CONTEXT_LINES, 0)]
    matcher = difflib.SequenceMatcher(None, old_part, new_part, autojunk=False)
    lines: list[DiffLine] = []
    for index, group in enumerate(matcher.get_grouped_opcodes(CONTEXT_LINES)):
        if index:
            lines.append(DiffLine(GAP, ""))
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                lines.extend(DiffLine(" ", new_part[j], first + j + 1) for j in range(new_start, new_end))
                continue
            lines.extend(DiffLine("-", old_part[i]) for i in range(old_start, old_end))
            lines.extend(DiffLine("+", new_part[j], first + j + 1) for j in range(new_start, new_end))
    return lines
