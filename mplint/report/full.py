"""The full format: each diagnostic with its source line and carets under the range."""

from __future__ import annotations

import unicodedata

from mplint.diagnostics import Diagnostic
from mplint.report.concise import header
from mplint.report.results import FileResult, ReportOptions
from mplint.source import SourceText

TAB_WIDTH = 4


def render(results: list[FileResult], options: ReportOptions) -> str:
    blocks = [
        render_one(result, diagnostic, options) for result in results for diagnostic in result.diagnostics
    ]
    return "".join(blocks)


def render_one(result: FileResult, diagnostic: Diagnostic, options: ReportOptions) -> str:
    lines = [header(result, diagnostic, options)]
    if result.source is not None:
        lines.extend(code_frame(result.source, diagnostic))
    if diagnostic.fix is not None and diagnostic.fix.message:
        pad = " " * len(str(diagnostic.location.row))  # under the gutter's bar
        lines.append(f"{pad} = help: {diagnostic.fix.message}")
    return "".join(line.rstrip() + "\n" for line in lines) + "\n"


def code_frame(source: SourceText, diagnostic: Diagnostic) -> list[str]:
    """The gutter, the diagnostic's first line and a caret line spanning its range on that line."""
    row = diagnostic.location.row
    if not 1 <= row <= len(source.lines):
        return []
    line = source.line(row)
    start = max(diagnostic.location.column - 1, 0)
    if diagnostic.end_location.row == row:
        end = max(diagnostic.end_location.column - 1, start + 1)
    else:
        end = max(len(line), start + 1)
    shown, columns = _display(line)
    first = _column_at(columns, start)
    last = max(_column_at(columns, end), first + 1)
    number = str(row)
    pad = " " * len(number)
    return [
        f"{pad} |",
        f"{number} | {shown}",
        f"{pad} | {' ' * first}{'^' * (last - first)}",
        f"{pad} |",
    ]


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
