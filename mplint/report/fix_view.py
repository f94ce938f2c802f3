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


def fixed_window(source: SourceText, fix: Fix) -> tuple[int, str, str] | None:
    """The rows around the fix's edits, before and after it: the index of the window's first row, its
    text and its fixed text; None when an edit is out of range or the edits overlap.

    Only the rows the edits touch and a margin of context are cut out, so showing a fix costs the size
    of what it changes, not the size of the file."""
    rows = len(source.line_starts)
    spans: list[tuple[int, int, str]] = []
    first_row, last_row = rows, 1
    for edit in fix.edits:
        start, end = edit.location, edit.end_location
        if not (1 <= start.row <= len(source.lines) and 1 <= end.row <= len(source.lines)):
            return None
        spans.append((source.offset(start), source.offset(end), edit.content))
        first_row, last_row = min(first_row, start.row), max(last_row, end.row)
    if not spans:
        return None
    margin = CONTEXT_LINES + 1
    first_index = max(first_row - 1 - margin, 0)
    window_start = source.line_starts[first_index]
    last_index = min(last_row + margin, rows)  # rows [first_index, last_index) are in the window
    window_end = source.line_starts[last_index] if last_index < rows else len(source.text)
    spans.sort(key=lambda span: (span[0], span[1]))
    pieces: list[str] = []
    position = window_start
    for start_offset, end_offset, content in spans:
        if start_offset < position or end_offset < start_offset or end_offset > window_end:
            return None
        pieces += [source.text[position:start_offset], content]
        position = end_offset
    pieces.append(source.text[position:window_end])
    return first_index, source.text[window_start:window_end], "".join(pieces)


def fix_diff(source: SourceText, fix: Fix) -> list[DiffLine]:
    """The changed lines with one line of context around each change; empty when nothing changes."""
    window = fixed_window(source, fix)
    if window is None or window[1] == window[2]:
        return []
    offset, old_text, new_text = window
    old = [strip_line_break(line) for line in split_lines(old_text)]
    new = [strip_line_break(line) for line in split_lines(new_text)]
    if old == new:  # only line breaks changed
        return []
    # Only the middle differs: diff that part alone.
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
    number = offset + first + 1  # the fixed file's number of new_part[0]
    for index, group in enumerate(matcher.get_grouped_opcodes(CONTEXT_LINES)):
        if index:
            lines.append(DiffLine(GAP, ""))
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                lines.extend(DiffLine(" ", new_part[j], number + j) for j in range(new_start, new_end))
                continue
            lines.extend(DiffLine("-", old_part[i]) for i in range(old_start, old_end))
            lines.extend(DiffLine("+", new_part[j], number + j) for j in range(new_start, new_end))
    return lines
