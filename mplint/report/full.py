"""The full format: each diagnostic with its source lines, carets under its range, and its fix as a diff."""

from __future__ import annotations

import unicodedata

from mplint.diagnostics import Applicability, Diagnostic
from mplint.report.concise import header
from mplint.report.escape import BIDI_CONTROLS, printable
from mplint.report.fix_view import GAP, DiffLine, fix_diff
from mplint.report.results import FileResult, ReportOptions, UnsafeFixes
from mplint.report.style import BLUE, BOLD, CYAN, GREEN, RED, paint
from mplint.source import SourceText

TAB_WIDTH = 4
MAX_FRAME_ROWS = 8
"""A range over more rows shows its first and last EDGE_ROWS rows around a gap."""
EDGE_ROWS = 3

FIX_NOTES: dict[Applicability, str] = {
    Applicability.UNSAFE: (
        "Unsafe fix: it may change what the program does, so --fix applies it only with --unsafe-fixes"
    ),
    Applicability.DISPLAY_ONLY: "Suggested fix (not applied): review it and make the change by hand",
}


def render(results: list[FileResult], options: ReportOptions) -> str:
    blocks = [
        render_one(result, diagnostic, options) for result in results for diagnostic in result.diagnostics
    ]
    return "".join(blocks)


def render_one(result: FileResult, diagnostic: Diagnostic, options: ReportOptions) -> str:
    """Header, code frame, ``help:`` with the fix's diff, and a note on how the fix is applied."""
    fix = diagnostic.fix
    shown_fix = fix is not None and not (
        fix.applicability is Applicability.UNSAFE and options.unsafe_fixes is UnsafeFixes.DISABLED
    )
    diff = fix_diff(result.source, fix) if fix is not None and shown_fix and result.source else []
    spans = caret_spans(result.source, diagnostic) if result.source is not None else []
    numbers = [span[0] for span in spans] + [line.number for line in diff if line.number is not None]
    width = len(str(max(numbers, default=diagnostic.location.row)))
    color = options.color
    pad = " " * width
    bar = paint("|", BOLD, BLUE, enabled=color)

    lines = [header(result, diagnostic, options)]
    if result.source is not None:
        lines.extend(code_frame(result.source, diagnostic, width, color))
    if fix is not None and fix.message:
        lines.append(f"{pad} = {paint('help', BOLD, CYAN, enabled=color)}: {printable(fix.message)}")
    if diff:
        lines.append(f"{pad} {bar}")
        lines.extend(_diff_line(line, width, color) for line in diff)
        lines.append(f"{pad} {bar}")
    if fix is not None and shown_fix and fix.applicability in FIX_NOTES:
        lines.append(f"{pad} = {paint('note', BOLD, enabled=color)}: {FIX_NOTES[fix.applicability]}")
    return "".join(line.rstrip() + "\n" for line in lines) + "\n"


def _diff_line(line: DiffLine, width: int, color: bool = False) -> str:
    if line.kind == GAP:
        return GAP
    number = "" if line.number is None else str(line.number)
    gutter = paint(f"{number:>{width}}", BOLD, BLUE, enabled=color)
    if line.kind == " ":
        return f"{gutter} {paint('|', BOLD, BLUE, enabled=color)} {_display(line.text)[0]}"
    style = RED if line.kind == "-" else GREEN
    return f"{gutter} {paint(f'{line.kind} {_display(line.text)[0]}', style, enabled=color)}"


def caret_spans(source: SourceText, diagnostic: Diagnostic) -> list[tuple[int, int, int]]:
    """For each row the range covers: the row and the character indexes its carets run between.

    A range that ends at the start of a row ends, for display, at the end of the row before.
    """
    start, end = diagnostic.location, diagnostic.end_location
    if not 1 <= start.row <= len(source.lines):
        return []
    last_row, end_index = end.row, end.column - 1
    if last_row < start.row:
        last_row, end_index = start.row, start.column - 1
    elif last_row > start.row and end_index == 0:
        last_row -= 1
        end_index = len(source.line(last_row))
    if last_row > len(source.lines):
        last_row, end_index = len(source.lines), len(source.line(len(source.lines)))
    spans: list[tuple[int, int, int]] = []
    for row in range(start.row, last_row + 1):
        line = source.line(row)
        first = start.column - 1 if row == start.row else len(line) - len(line.lstrip())
        stop = end_index if row == last_row else len(line)
        if row == start.row:
            stop = max(stop, first + 1)  # an empty range still gets one caret
        spans.append((row, max(first, 0), stop))
    return spans


def code_frame(
    source: SourceText, diagnostic: Diagnostic, width: int | None = None, color: bool = False
) -> list[str]:
    """The gutter, each row of the diagnostic's range, and carets under the part of it in the range."""
    spans = caret_spans(source, diagnostic)
    if not spans:
        return []
    width = width or len(str(spans[-1][0]))
    shown_spans: list[tuple[int, int, int] | None] = list(spans)
    if len(spans) > MAX_FRAME_ROWS:
        shown_spans = [*spans[:EDGE_ROWS], None, *spans[-EDGE_ROWS:]]
    pad = " " * width
    bar = paint("|", BOLD, BLUE, enabled=color)
    lines = [f"{pad} {bar}"]
    for span in shown_spans:
        if span is None:
            lines.append(GAP)
            continue
        row, first, stop = span
        shown, columns = _display(source.line(row))
        lines.append(f"{paint(f'{row:>{width}}', BOLD, BLUE, enabled=color)} {bar} {shown}".rstrip())
        if stop > first:
            left = _column_at(columns, first)
            right = max(_column_at(columns, stop), left + 1)
            lines.append(f"{pad} {bar} {' ' * left}{paint('^' * (right - left), BOLD, RED, enabled=color)}")
    lines.append(f"{pad} {bar}")
    return lines


def _display(line: str) -> tuple[str, list[int]]:
    """The line as a terminal shows it, and the display column where each character starts."""
    out: list[str] = []
    columns: list[int] = []
    column = 0
    for char in line:
        columns.append(column)
        if char == "\t":
            width = TAB_WIDTH - column % TAB_WIDTH
            out.append(" " * width)
        elif unicodedata.category(char) == "Cc":
            out.append(_control_picture(char))
            width = 1
        elif char in BIDI_CONTROLS:  # shown, not obeyed: it would reorder the line on the terminal
            out.append(printable(char))
            width = len(out[-1])
        else:
            out.append(char)
            width = _char_width(char)
        column += width
    columns.append(column)
    return "".join(out), columns


def _control_picture(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    return "\N{SYMBOL FOR DELETE}" if code == 0x7F else "\N{REPLACEMENT CHARACTER}"


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _column_at(columns: list[int], index: int) -> int:
    """The display column of character ``index``, past the end counting one column a character."""
    if index < len(columns):
        return columns[index]
    return columns[-1] + index - (len(columns) - 1)
