"""Position conversions between mplint's code point columns and LSP's code units, document changes,
and the minimal fix-all edit."""

from __future__ import annotations

import pytest
from lsp_support import apply_edits
from lsprotocol import types

from mplint.diagnostics import Location
from mplint.server.code_actions import minimal_edit
from mplint.server.documents import DocumentStore
from mplint.server.positions import UTF8, UTF16, UTF32, to_location, to_lsp_position, to_offset
from mplint.source import SourceText

LINE = 'x = "😀é"; y = 1\n'  # the emoji is outside the BMP, é inside it


def position(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


@pytest.mark.parametrize(("encoding", "character"), [(UTF16, 11), (UTF8, 14), (UTF32, 10)])
def test_columns_after_wide_characters_count_code_units(encoding: str, character: int) -> None:
    source = SourceText(LINE)
    y = Location(1, LINE.index("y") + 1)
    assert to_lsp_position(source, y, encoding) == position(0, character)
    assert to_location(source, position(0, character), encoding) == y


def test_a_position_inside_a_surrogate_pair_means_the_character_it_splits() -> None:
    source = SourceText(LINE)
    assert to_location(source, position(0, 6), UTF16) == Location(1, 6)  # the emoji starts at column 6


def test_positions_past_the_end_are_clamped() -> None:
    source = SourceText("ab\r\ncd")
    assert to_location(source, position(0, 99), UTF16) == Location(1, 3)
    assert to_location(source, position(7, 3), UTF16) == Location(2, 3)
    assert to_offset(source, position(7, 3), UTF16) == len(source.text)
    assert to_lsp_position(source, Location(9, 9), UTF16) == position(1, 2)


def test_a_column_past_the_text_of_a_row_counts_into_its_line_break() -> None:
    source = SourceText("ab\r\ncd\n")
    assert to_lsp_position(source, Location(1, 3), UTF16) == position(0, 2)
    assert to_lsp_position(source, Location(1, 5), UTF16) == position(1, 0)
    assert to_lsp_position(source, Location(1, 4), UTF16) == position(0, 2)  # between \r and \n


def test_lines_break_only_at_cr_lf_and_crlf() -> None:
    source = SourceText("a\x0cb\u2028c\rd")
    assert to_lsp_position(source, Location(2, 1), UTF16) == position(1, 0)
    assert to_location(source, position(0, 4), UTF16) == Location(1, 5)


def test_incremental_changes_use_the_negotiated_encoding() -> None:
    store = DocumentStore()
    store.open("untitled:a.py", LINE, 1)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(start=position(0, 11), end=position(0, 12)), text="z"
    )
    document = store.change("untitled:a.py", 2, [change], UTF16)
    assert document is not None and document.text == 'x = "😀é"; z = 1\n' and document.version == 2
    utf8_change = types.TextDocumentContentChangePartial(
        range=types.Range(start=position(0, 5), end=position(0, 11)), text=""
    )
    document = store.change("untitled:a.py", 3, [utf8_change], UTF8)
    assert document is not None and document.text == 'x = ""; z = 1\n'


def test_changes_apply_in_order_and_whole_texts_replace() -> None:
    store = DocumentStore()
    store.open("untitled:b.py", "one\ntwo\n", 1)
    changes: list[types.TextDocumentContentChangeEvent] = [
        types.TextDocumentContentChangeWholeDocument(text="alpha\nbeta\n"),
        types.TextDocumentContentChangePartial(
            range=types.Range(start=position(1, 0), end=position(1, 4)), text="gamma"
        ),
        types.TextDocumentContentChangePartial(
            range=types.Range(start=position(5, 0), end=position(5, 0)), text="end\n"
        ),
    ]
    document = store.change("untitled:b.py", 4, changes, UTF16)
    assert document is not None and document.text == "alpha\ngamma\nend\n"


def test_a_change_to_a_document_that_is_not_open_is_ignored() -> None:
    store = DocumentStore()
    change = types.TextDocumentContentChangeWholeDocument(text="x")
    assert store.change("untitled:never.py", 2, [change], UTF16) is None
    assert store.get("untitled:never.py") is None


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\r\nb\r\nc\r\n", "a\r\nb\r\nX\r\nc\r\n"),
        ("same\n", "same\n"),
        ("😀 = 1\nb\n", "😀 = 1\nb\nc\n"),
        ("x\ny", "x\n"),
        ("", "new\n"),
    ],
)
def test_the_fix_all_edit_turns_the_old_text_into_the_new(before: str, after: str) -> None:
    edit = minimal_edit(before, after, UTF16)
    if before == after:
        assert edit is None
        return
    assert edit is not None
    assert apply_edits(before, [edit]) == after


def test_the_fix_all_edit_covers_only_the_changed_lines() -> None:
    edit = minimal_edit("a\nb\nc\nd\n", "a\nb\nC\nd\n", UTF16)
    assert edit is not None
    assert edit.range == types.Range(start=position(2, 0), end=position(3, 0))
    assert edit.new_text == "C\n"
