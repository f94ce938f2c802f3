"""Source text: decoding bytes as Python does, cutting it into lines, and converting between rows,
columns and offsets.

Python's parser counts lines at ``\\r\\n``, ``\\r`` and ``\\n`` (not at form feeds or other Unicode line
breaks) and reports columns as UTF-8 byte offsets; diagnostics use 1-based character columns. This is
the program's one notion of a line: every row (of a diagnostic, a ``# noqa``, a token, a diff line, an
LSP position) is counted by ``split_lines`` and ``python_tokens``, never by ``str.splitlines`` (which
also breaks at form feeds and Unicode separators) or by counting ``\\n`` alone (which the standard
``tokenize`` module does when fed a ``StringIO``).
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from mplint.diagnostics import Location

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_LONE_CR = re.compile(r"\r(?!\n)")
_BYTES_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """``text`` cut after each ``\\r\\n``, ``\\r`` or ``\\n``, each line keeping its break."""
    return _LINE.findall(text)


def strip_line_break(line: str) -> str:
    """``line`` without the one line break that ends it."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line


def python_tokens(text: str) -> Iterator[tokenize.TokenInfo]:
    """The tokens of ``text``, rows counted as the parser counts them.

    ``tokenize`` reading a ``StringIO`` breaks lines at ``\\n`` only, so a lone ``\\r`` would put every
    later token a row above the parser's; it is given as ``\\n`` (the same length: columns and offsets
    are unchanged). May raise ``tokenize.TokenError`` or ``SyntaxError`` as ``tokenize`` does.
    """
    normalized = _LONE_CR.sub("\n", text) if "\r" in text else text
    return tokenize.generate_tokens(io.StringIO(normalized).readline)


def count_line_breaks(text: str, start: int = 0, end: int | None = None) -> int:
    """How many line breaks ``text[start:end]`` holds (``\\r\\n`` counting once)."""
    return len(_LINE_BREAK.findall(text, start, len(text) if end is None else end))


def line_bounds(text: str, offset: int) -> tuple[int, int]:
    """The start and end (before its break) of the line holding ``offset`` (an offset between the
    ``\\r`` and ``\\n`` of a ``\\r\\n`` is on the line that break ends)."""
    if 0 < offset < len(text) and text[offset - 1 : offset + 1] == "\r\n":
        offset -= 1
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    match = _LINE_BREAK.search(text, offset)
    return start, len(text) if match is None else match.start()


class DecodeError(Exception):
    """The bytes of a file cannot be decoded as Python source."""

    def __init__(self, message: str, row: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


@dataclass(frozen=True)
class DecodedSource:
    """A file's text together with how to write it back byte for byte."""

    text: str
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def decode_source(data: bytes) -> DecodedSource:
    """Decode Python source bytes honouring a BOM and a PEP 263 encoding cookie."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise DecodeError(str(exc)) from None
    bom = encoding == "utf-8-sig"
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    codec = "utf-8" if bom else encoding
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        row = len(_BYTES_LINE_BREAK.findall(body, 0, exc.start)) + 1
        line_start = max(body.rfind(b"\n", 0, exc.start), body.rfind(b"\r", 0, exc.start)) + 1
        column = len(body[line_start : exc.start].decode(codec, errors="replace")) + 1
        raise DecodeError(f"invalid {codec} byte at offset {exc.start}: {exc.reason}", row, column) from None
    except LookupError:
        raise DecodeError(f"unknown encoding: {encoding}") from None
    return DecodedSource(text=text, encoding=codec, bom=bom)


class SourceText:
    """Text with a line index (built on first use), for position conversions."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"SourceText({self.text[:40]!r}...)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SourceText) and other.text == self.text

    __hash__ = None  # type: ignore[assignment]

    @cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(match.end() for match in _LINE_BREAK.finditer(self.text))
        return starts

    @cached_property
    def lines(self) -> list[str]:
        starts = self.line_starts
        return [
            strip_line_break(self.text[start:end])
            for start, end in zip(starts, [*starts[1:], len(self.text)], strict=True)
        ]

    def line(self, row: int) -> str:
        """The text of 1-based ``row`` without its line break ('' past the end)."""
        if 1 <= row <= len(self.lines):
            return self.lines[row - 1]
        return ""

    def line_break(self, row: int) -> str:
        """The line break that ends ``row`` ('' for the last line)."""
        if row < len(self.line_starts):
            start = self.line_starts[row - 1] + len(self.lines[row - 1])
            return self.text[start : self.line_starts[row]]
        return ""

    @property
    def newline(self) -> str:
        """The file's dominant line break, used for inserted lines."""
        match = _LINE_BREAK.search(self.text)
        return match.group(0) if match else "\n"

    def char_column(self, row: int, byte_col: int) -> int:
        """Convert a 0-based UTF-8 byte column of ``row`` to a 0-based character column."""
        line = self.line(row)
        if line.isascii():
            return byte_col
        return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def location(self, row: int, byte_col: int) -> Location:
        """The 1-based Location of a parser position (1-based row, 0-based byte column)."""
        return Location(row, self.char_column(row, byte_col) + 1)

    def offset(self, location: Location) -> int:
        """The character offset into ``text`` of a 1-based Location."""
        row = min(max(location.row, 1), len(self.line_starts))
        start = self.line_starts[row - 1]
        return start + min(location.column - 1, len(self.lines[row - 1]) + 2)

    def location_at(self, offset: int) -> Location:
        """The 1-based Location of a character offset."""
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return Location(lo + 1, offset - self.line_starts[lo] + 1)

    def indentation(self, row: int) -> str:
        line = self.line(row)
        return line[: len(line) - len(line.lstrip(" \t\f"))]
