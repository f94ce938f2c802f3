"""The fixer on hand-made diagnostics: which fixes apply, and the check-fix rounds."""

from __future__ import annotations

import ast

import pytest
from cli_support import fake_check_text
from hypothesis import given
from hypothesis import strategies as st

from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from mplint.fix_application import apply_fixes
from mplint.fixer import MAX_ROUNDS, fix_text
from mplint.settings import Settings
from mplint.source import SourceText
from mplint.workspace.selection import default_settings

SAFE = Applicability.SAFE
UNSAFE = Applicability.UNSAFE


def edit(content: str, start: tuple[int, int], end: tuple[int, int]) -> Edit:
    return Edit(content, Location(*start), Location(*end))


def diag(*edits: Edit, applicability: Applicability = SAFE, code: str = "MPL001") -> Diagnostic:
    first = edits[0] if edits else edit("", (1, 1), (1, 1))
    return Diagnostic(
        code=code,
        name="proxy-nested-mutation",
        message="message",
        location=first.location,
        end_location=first.end_location,
        fix=Fix("fix it", tuple(edits), applicability) if edits else None,
    )


def test_safe_fix_is_applied() -> None:
    text = "x = bad()\n"
    assert apply_fixes(text, [diag(edit("good", (1, 5), (1, 8)))], unsafe=False) == (
        "x = good()\n",
        1,
    )


def test_unsafe_fix_only_on_request_and_display_only_never() -> None:
    text = "a = 1\n"
    unsafe = diag(edit("b", (1, 1), (1, 2)), applicability=UNSAFE)
    display = diag(edit("c", (1, 5), (1, 6)), applicability=Applicability.DISPLAY_ONLY)
    assert apply_fixes(text, [unsafe, display], unsafe=False) == (text, 0)
    assert apply_fixes(text, [unsafe, display], unsafe=True) == ("b = 1\n", 1)


def test_diagnostic_without_fix_or_edits_is_ignored() -> None:
    text = "a = 1\n"
    empty = Diagnostic("MPL001", "n", "m", Location(1, 1), Location(1, 2), Fix("nothing", (), SAFE))
    assert apply_fixes(text, [diag(), empty], unsafe=True) == (text, 0)


def test_overlapping_fix_is_skipped() -> None:
    text = "abcdef\n"
    first = diag(edit("X", (1, 2), (1, 4)))  # bc
    overlapping = diag(edit("Y", (1, 3), (1, 6)))  # cde
    assert apply_fixes(text, [overlapping, first], unsafe=False) == ("aXdef\n", 1)


def test_fixes_are_taken_in_position_order() -> None:
    text = "abcdef\n"
    later = diag(edit("L", (1, 4), (1, 6)))
    earlier = diag(edit("E", (1, 1), (1, 5)))
    assert apply_fixes(text, [later, earlier], unsafe=False) == ("Eef\n", 1)


def test_touching_edits_of_different_fixes_are_not_combined() -> None:
    text = "abc\n"
    insert_one = diag(edit("1", (1, 2), (1, 2)))
    insert_two = diag(edit("2", (1, 2), (1, 2)))
    replace_next = diag(edit("C", (1, 3), (1, 4)))
    new_text, count = apply_fixes(text, [insert_one, insert_two, replace_next], unsafe=False)
    assert (new_text, count) == ("a1bC\n", 2)


def test_identical_edits_are_applied_once_and_both_counted() -> None:
    text = "import os\nx = 1\n"
    shared = edit("import sys\n", (1, 1), (1, 1))
    first = diag(shared, edit("y", (2, 1), (2, 2)))
    second = diag(shared)
    assert apply_fixes(text, [first, second], unsafe=False) == ("import sys\nimport os\ny = 1\n", 2)


def test_all_edits_of_a_fix_or_none() -> None:
    text = "aaa\nbbb\nccc\n"
    first = diag(edit("A", (1, 1), (1, 2)), edit("C", (3, 1), (3, 2)))
    second = diag(edit("B", (2, 1), (2, 2)), edit("Z", (3, 1), (3, 3)))  # clashes on row 3
    assert apply_fixes(text, [second, first], unsafe=False) == ("Aaa\nbbb\nCcc\n", 1)


def test_a_fix_may_have_adjacent_edits_of_its_own() -> None:
    text = "f(x)\n"
    fix = diag(edit("(", (1, 3), (1, 3)), edit("y", (1, 3), (1, 4)), edit(")", (1, 4), (1, 4)))
    assert apply_fixes(text, [fix], unsafe=False) == ("f((y))\n", 1)


def test_fix_with_self_overlapping_or_invalid_edits_is_skipped() -> None:
    text = "abc\n"
    self_overlap = diag(edit("X", (1, 1), (1, 3)), edit("Y", (1, 2), (1, 4)))
    backwards = diag(edit("X", (1, 3), (1, 1)))
    past_end = diag(edit("X", (9, 1), (9, 2)))
    past_line = diag(edit("X", (1, 9), (1, 10)))
    zero_column = diag(edit("X", (1, 0), (1, 1)))
    fixes = [self_overlap, backwards, past_end, past_line, zero_column]
    assert apply_fixes(text, fixes, unsafe=False) == (text, 0)


def test_multiline_edit_keeps_crlf_around_it() -> None:
    text = "a = [\r\n    1,\r\n]\r\nb = 2\r\n"
    fix = diag(edit("[1]", (1, 5), (3, 2)))
    assert apply_fixes(text, [fix], unsafe=False) == ("a = [1]\r\nb = 2\r\n", 1)


def test_edit_at_end_of_file() -> None:
    text = "a = 1\n"
    fix = diag(edit("b = 2\n", (2, 1), (2, 1)))
    assert apply_fixes(text, [fix], unsafe=False) == ("a = 1\nb = 2\n", 1)


def test_non_ascii_columns_are_characters() -> None:
    text = "s = 'é'; x = bad\n"
    fix = diag(edit("good", (1, 14), (1, 17)))
    assert apply_fixes(text, [fix], unsafe=False) == ("s = 'é'; x = good\n", 1)


SETTINGS = default_settings()


def test_fix_text_rechecks_until_done(monkeypatch: pytest.MonkeyPatch) -> None:
    # One fix per round: only the first remaining `bad_call()` is reported.
    def first_only(text: str, path: str, settings: Settings) -> list[Diagnostic]:
        return fake_check_text(text, path, settings)[:1]

    monkeypatch.setattr("mplint.fixer.check_text", first_only)
    text = "".join(f"x{i} = bad_call()\n" for i in range(3))
    result = fix_text(text, "m.py", SETTINGS, unsafe=False)
    assert result.text == text.replace("bad_call", "good_call")
    assert result.fixed_count == 3
    assert result.remaining == []
    assert [d.code for d in result.fixed] == ["MPL001"] * 3


def test_fix_text_stops_after_max_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    def always(text: str, path: str, settings: Settings) -> list[Diagnostic]:
        return [diag(edit("x", (1, 1), (1, 1)))]

    monkeypatch.setattr("mplint.fixer.check_text", always)
    result = fix_text("x = 1\n", "m.py", SETTINGS, unsafe=False)
    assert result.fixed_count == MAX_ROUNDS
    assert result.text == "x" * MAX_ROUNDS + "x = 1\n"
    assert len(result.remaining) == 1


def test_fix_text_drops_only_the_fix_that_does_not_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    # The round applying both fixes does not parse: it falls back to the fixes that do, and the
    # broken one is reported as not fixable (no fix), not lost and not counted as fixed.
    monkeypatch.setattr("mplint.fixer.check_text", fake_check_text)
    text = "a = bad_call()\nb = breaks()\nc = bad_call()\n"
    result = fix_text(text, "m.py", SETTINGS, unsafe=False)
    assert result.text == "a = good_call()\nb = breaks()\nc = good_call()\n"
    assert result.fixed_count == 2
    assert [(d.message, d.fix) for d in result.remaining] == [("`breaks()` is a pitfall", None)]
    ast.parse(result.text)


def test_fix_text_drops_only_the_fix_that_cannot_be_encoded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mplint.fixer.check_text", fake_check_text)
    text = "a = snowman()\nb = bad_call()\n"
    result = fix_text(text, "m.py", SETTINGS, unsafe=False, encoding="latin-1")
    assert result.text == "a = snowman()\nb = good_call()\n"
    assert [(d.message, d.fix) for d in result.remaining] == [("`snowman()` is a pitfall", None)]


def test_fix_text_respects_the_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mplint.fixer.check_text", fake_check_text)
    text = "a = snowman()\n"
    assert fix_text(text, "m.py", SETTINGS, unsafe=False, encoding="latin-1").text == text
    assert fix_text(text, "m.py", SETTINGS, unsafe=False).text == 'a = "\u2603"\n'


def test_fix_text_unsafe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mplint.fixer.check_text", fake_check_text)
    text = "a = risky()\nb = bad_call()\n"
    safe_only = fix_text(text, "m.py", SETTINGS, unsafe=False)
    assert safe_only.text == "a = risky()\nb = good_call()\n"
    assert [d.message for d in safe_only.remaining] == ["`risky()` is a pitfall"]
    everything = fix_text(text, "m.py", SETTINGS, unsafe=True)
    assert everything.text == "a = careful()\nb = good_call()\n"
    assert everything.fixed_count == 2


def test_fix_text_on_a_syntax_error_changes_nothing() -> None:
    text = "import multiprocessing\ndef f(:\n"
    result = fix_text(text, "m.py", SETTINGS, unsafe=True)
    assert (result.text, result.fixed_count) == (text, 0)
    assert [d.code for d in result.remaining] == ["MPL000"]


@st.composite
def disjoint_edits(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = draw(st.text(alphabet="ab\n\r", max_size=30))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    spans: list[tuple[int, int, str]] = []
    # Pair up the cut points into spans separated by at least one character.
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if spans and start <= spans[-1][1]:
            continue
        spans.append((start, end, draw(st.text(alphabet="xy\n", max_size=3))))
    return text, spans


@given(disjoint_edits())
def test_disjoint_fixes_all_apply(case: tuple[str, list[tuple[int, int, str]]]) -> None:
    text, spans = case
    source = SourceText(text)
    diagnostics = [
        diag(Edit(content, source.location_at(start), source.location_at(end)))
        for start, end, content in spans
    ]
    expected = text
    for start, end, content in reversed(spans):
        expected = expected[:start] + content + expected[end:]
    assert apply_fixes(text, diagnostics, unsafe=False) == (expected, len(spans))
