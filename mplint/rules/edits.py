"""Building text edits from parser positions: node spans, statement layout, and insertions that keep a
file's indentation, comments and line endings."""

from __future__ import annotations

import ast
import tokenize
from dataclasses import dataclass

from mplint.diagnostics import Edit
from mplint.source import SourceText, python_tokens


def span(source: SourceText, node: ast.AST) -> tuple[int, int]:
    """The character offsets of a node's text."""
    start = source.offset(source.location(node.lineno, node.col_offset))  # type: ignore[attr-defined]
    end = source.offset(
        source.location(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
    )
    return start, end


def text_of(source: SourceText, node: ast.AST) -> str:
    start, end = span(source, node)
    return source.text[start:end]


def replace(source: SourceText, start: int, end: int, content: str) -> Edit:
    return Edit(content, source.location_at(start), source.location_at(end))


@dataclass(frozen=True)
class StatementLayout:
    """Where a simple statement sits on its lines."""

    start: int  # offset of the statement
    end: int  # offset just past the statement
    line_end: int  # offset of the end of its last line (before the line break)
    owns_lines: bool  # only indentation before it, only a comment (or nothing) after it
    indent: str
    trailing: str  # the text after the statement on its last line (a comment and its spacing)


def statement_layout(source: SourceText, statement: ast.stmt) -> StatementLayout:
    start, end = span(source, statement)
    first_row = statement.lineno
    last_row = statement.end_lineno or first_row
    line = source.line(first_row)
    indent = source.indentation(first_row)
    starts_line = source.char_column(first_row, statement.col_offset) == len(indent)
    last_line_start = source.line_starts[last_row - 1]
    line_end = last_line_start + len(source.line(last_row))
    trailing = source.text[end:line_end]
    stripped = trailing.strip()
    owns_lines = starts_line and (not stripped or stripped.startswith("#")) and bool(line.strip())
    return StatementLayout(start, end, line_end, owns_lines, indent, trailing)


def is_pure(expr: ast.expr) -> bool:
    """Whether evaluating ``expr`` twice is harmless: names, attribute chains, constants and
    subscripts of those."""
    if isinstance(expr, (ast.Name, ast.Constant)):
        return True
    if isinstance(expr, ast.Attribute):
        return is_pure(expr.value)
    if isinstance(expr, ast.Subscript):
        return is_pure(expr.value) and is_pure(expr.slice)
    if isinstance(expr, ast.Tuple):
        return all(is_pure(element) for element in expr.elts)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return isinstance(expr.operand, ast.Constant)
    return False


def names_in(expr: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(expr) if isinstance(node, ast.Name)}


def comment_positions(text: str) -> list[tuple[int, int]]:
    """(row, 0-based character column) of every comment token."""
    found: list[tuple[int, int]] = []
    try:
        for token in python_tokens(text):
            if token.type == tokenize.COMMENT:
                found.append(token.start)
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def comments_in(source: SourceText, start: int, end: int) -> list[tuple[int, str]]:
    """(offset, text) of every comment between offsets ``start`` and ``end``, which must hold a
    complete expression (so that its brackets are balanced)."""
    fragment = source.text[start:end]
    line_offsets = SourceText(fragment).line_starts
    found: list[tuple[int, str]] = []
    try:
        for token in python_tokens(fragment):
            if token.type == tokenize.COMMENT:
                row, column = token.start
                found.append((start + line_offsets[row - 1] + column, token.string))
    except (tokenize.TokenError, SyntaxError):
        pass
    return found
