"""``--add-noqa``: a ``# noqa: CODES`` directive for every diagnostic a file has now, merged into the
line's existing ``# noqa`` comment when it has one."""

from __future__ import annotations

import tokenize

from mplint.diagnostics import Diagnostic, Edit
from mplint.source import SourceText, python_tokens
from mplint.suppressions import add_noqa_edit

_LAYOUT = frozenset({tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER})


def commentable_rows(text: str) -> set[int]:
    """The rows a comment can be appended to: not ending inside a string or with a backslash."""
    last_token: dict[int, int] = {}
    inside: set[int] = set()
    try:
        for token in python_tokens(text):
            if token.type in _LAYOUT:
                continue
            inside.update(range(token.start[0], token.end[0]))  # rows a multi-line token continues past
            last_token[token.end[0]] = token.type
    except (tokenize.TokenError, SyntaxError):
        return set()
    source = SourceText(text)
    rows: set[int] = set()
    for row in range(1, len(source.lines) + 1):
        continued = source.line(row).rstrip().endswith("\\") and last_token.get(row) != tokenize.COMMENT
        if row not in inside and not continued:
            rows.add(row)
    return rows


def noqa_edits(text: str, diagnostics: list[Diagnostic], reason: str = "") -> list[Edit]:
    """One edit per line that needs a directive. Diagnostics without a noqa line, or whose line
    ends inside a string or continues with a backslash, are left alone."""
    source = SourceText(text)
    rows = commentable_rows(text)
    codes_by_row: dict[int, set[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.noqa_row in rows:
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
