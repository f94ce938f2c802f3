"""Positions between mplint and LSP clients.

mplint counts 1-based rows and 1-based columns in code points; LSP counts 0-based lines and 0-based
characters in the code units of the negotiated position encoding (UTF-16 unless agreed otherwise).
Both break lines at ``\\r\\n``, ``\\r`` and ``\\n`` only. Positions out of range are clamped, never
rejected: a client may ask about a position past the end of a line or of the document.
"""

from __future__ import annotations

from lsprotocol import types

from mplint.diagnostics import Location
from mplint.source import SourceText

UTF8 = types.PositionEncodingKind.Utf8
UTF16 = types.PositionEncodingKind.Utf16
UTF32 = types.PositionEncodingKind.Utf32


def code_units(char: str, encoding: str) -> int:
    """How many code units of ``encoding`` one code point takes."""
    if encoding == UTF32:
        return 1
    point = ord(char)
    if encoding == UTF8:
        return 1 if point < 0x80 else 2 if point < 0x800 else 3 if point < 0x10000 else 4
    return 2 if point > 0xFFFF else 1


def units_length(text: str, encoding: str) -> int:
    """The length of ``text`` in code units of ``encoding``."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    return sum(code_units(char, encoding) for char in text)


def column_from_units(line: str, character: int, encoding: str) -> int:
    """The 0-based code point column of a 0-based code unit offset into ``line``.

    An offset past the end of the line gives the end of the line; one inside a character's code units
    gives that character's start.
    """
    if character <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(character, len(line))
    seen = 0
    for column, char in enumerate(line):
        seen += code_units(char, encoding)
        if seen > character:
            return column
        if seen == character:
            return column + 1
    return len(line)


def location_offset(source: SourceText, location: Location) -> int:
    """The code point offset of a 1-based location, clamped to its row (line break included)."""
    if location.row > len(source.lines):
        return len(source.text)
    row = max(location.row, 1)
    room = len(source.line(row)) + len(source.line_break(row))
    return source.line_starts[row - 1] + min(max(location.column - 1, 0), room)


def to_lsp_position(source: SourceText, location: Location, encoding: str) -> types.Position:
    """The LSP position of a 1-based mplint location, clamped to the document.

    A column past the end of its row's text counts into the line break, so that an edit may end at
    the start of the next line; a position between ``\r`` and ``\n`` moves to the end of the line.
    """
    at = source.location_at(location_offset(source, location))
    line = source.line(at.row)
    column = min(at.column - 1, len(line))
    return types.Position(line=at.row - 1, character=units_length(line[:column], encoding))


def to_lsp_range(source: SourceText, start: Location, end: Location, encoding: str) -> types.Range:
    return types.Range(
        start=to_lsp_position(source, start, encoding), end=to_lsp_position(source, end, encoding)
    )


def to_location(source: SourceText, position: types.Position, encoding: str) -> Location:
    """The 1-based mplint location of an LSP position, clamped to the document."""
    if position.line < 0:
        return Location(1, 1)
    if position.line >= len(source.lines):
        last = len(source.lines)
        return Location(last, len(source.line(last)) + 1)
    line = source.line(position.line + 1)
    return Location(position.line + 1, column_from_units(line, position.character, encoding) + 1)


def to_offset(source: SourceText, position: types.Position, encoding: str) -> int:
    """The code point offset into the document's text of an LSP position, clamped to the document."""
    if position.line >= len(source.lines):
        return len(source.text)
    return location_offset(source, to_location(source, position, encoding))
