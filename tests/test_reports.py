"""The reporters on hand-made results: code frames, summaries and the JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from mplint.report import FileResult, FixMode, ReportOptions, UnsafeFixes, full, render_report
from mplint.report.fix_view import fix_diff
from mplint.report.full import code_frame
from mplint.report.paths import display_path
from mplint.report.summary import summary_lines
from mplint.source import SourceText


def make(
    row: int,
    column: int,
    end: tuple[int, int] | None = None,
    applicability: Applicability | None = None,
    code: str = "MPL001",
) -> Diagnostic:
    start = Location(row, column)
    stop = Location(*end) if end else start
    fix = None
    if applicability is not None:
        fix = Fix("Do better", (Edit("x", start, stop),), applicability)
    return Diagnostic(code, "proxy-nested-mutation", "msg", start, stop, fix, noqa_row=row)


def frame(line: str, column: int, end: tuple[int, int]) -> list[str]:
    return code_frame(SourceText(line + "\n"), make(1, column, end))


def test_carets_span_the_range_on_the_line() -> None:
    assert frame("m[0]['id'] = 2", 1, (1, 15))[1:3] == ["1 | m[0]['id'] = 2", "  | ^^^^^^^^^^^^^^"]


def test_empty_range_gets_one_caret() -> None:
    assert frame("abc", 2, (1, 2))[2] == "  |  ^"


def test_multiline_range_has_carets_under_every_row() -> None:
    source = SourceText("call(\n    x,\n\n)\n")
    assert code_frame(source, make(1, 1, (4, 2))) == [
        "  |",
        "1 | call(",
        "  | ^^^^^",
        "2 |     x,",
        "  |     ^^",
        "3 |",
        "4 | )",
        "  | ^",
        "  |",
    ]
    # A range ending at the start of a row ends, for display, with the row before.
    assert code_frame(source, make(1, 3, (2, 1)))[1:4] == ["1 | call(", "  |   ^^^", "  |"]


def test_long_range_shows_its_first_and_last_rows() -> None:
    source = SourceText("".join(f"x{row} = {row}\n" for row in range(1, 13)))
    frame = code_frame(source, make(1, 1, (12, 8)))
    assert [line for line in frame if not line.lstrip().startswith("|")] == [
        " 1 | x1 = 1",
        " 2 | x2 = 2",
        " 3 | x3 = 3",
        "...",
        "10 | x10 = 10",
        "11 | x11 = 11",
        "12 | x12 = 12",
    ]


def test_fix_diff_numbers_lines_as_in_the_fixed_file() -> None:
    source = SourceText("a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\n")
    fix = Fix(
        "Change b and f",
        (
            Edit("B = 2\nBB = 22", Location(2, 1), Location(2, 6)),
            Edit("", Location(6, 1), Location(7, 1)),
        ),
        Applicability.SAFE,
    )
    assert [(line.kind, line.number, line.text) for line in fix_diff(source, fix)] == [
        (" ", 1, "a = 1"),
        ("-", None, "b = 2"),
        ("+", 2, "B = 2"),
        ("+", 3, "BB = 22"),
        (" ", 4, "c = 3"),
        ("...", None, ""),
        (" ", 6, "e = 5"),
        ("-", None, "f = 6"),
    ]
    out_of_range = Fix("x", (Edit("", Location(9, 1), Location(9, 2)),), Applicability.SAFE)
    assert fix_diff(source, out_of_range) == []


def test_tabs_and_wide_characters_are_aligned() -> None:
    assert frame("\tx = 1", 2, (1, 3))[1:3] == ["1 |     x = 1", "  |     ^"]
    assert frame("s = '漢字'; y", 10, (1, 11))[2] == "  |" + " " * 12 + "^"


def test_control_characters_are_shown_visibly() -> None:
    assert frame("a\x0cb", 3, (1, 4))[1:3] == ["1 | a\u240cb", "  |   ^"]


def test_position_past_the_line_end() -> None:
    assert frame("ab", 3, (1, 3))[2] == "  |   ^"
    assert code_frame(SourceText("a\n"), make(7, 1)) == []


def test_gutter_widens_with_the_row_number() -> None:
    source = SourceText("\n" * 11 + "value\n")
    assert code_frame(source, make(12, 1, (12, 6))) == [
        "   |",
        "12 | value",
        "   | ^^^^^",
        "   |",
    ]


def test_help_line_is_aligned_with_the_gutter() -> None:
    source = SourceText("\n" * 11 + "value\n")
    diagnostic = make(12, 1, (12, 6), Applicability.SAFE)
    text = full.render([FileResult("m.py", (diagnostic,), source)], ReportOptions())
    assert text.splitlines()[4:6] == ["   |", "   = help: Do better"]


def result_with(*diagnostics: Diagnostic, fixed: int = 0) -> list[FileResult]:
    return [FileResult("m.py", diagnostics, None, tuple(make(1, 1) for _ in range(fixed)))]


@pytest.mark.parametrize(
    ("results", "options", "expected"),
    [
        (result_with(), ReportOptions(), ["All checks passed!"]),
        (result_with(), ReportOptions(errors=1), []),
        (result_with(make(1, 1)), ReportOptions(), ["Found 1 error."]),
        (
            result_with(make(1, 1, applicability=Applicability.SAFE), make(2, 1)),
            ReportOptions(),
            ["Found 2 errors.", "[*] 1 fixable with the --fix option."],
        ),
        (
            result_with(
                make(1, 1, applicability=Applicability.UNSAFE),
                make(2, 1, applicability=Applicability.UNSAFE),
            ),
            ReportOptions(),
            [
                "Found 2 errors.",
                "No fixes available (2 hidden fixes can be enabled with the --unsafe-fixes option).",
            ],
        ),
        (
            result_with(make(1, 1, applicability=Applicability.UNSAFE)),
            ReportOptions(unsafe_fixes=UnsafeFixes.DISABLED),
            ["Found 1 error."],
        ),
        (
            result_with(make(1, 1, applicability=Applicability.DISPLAY_ONLY)),
            ReportOptions(unsafe_fixes=UnsafeFixes.ENABLED),
            ["Found 1 error."],
        ),
        (
            result_with(make(1, 1), fixed=2),
            ReportOptions(fix_mode=FixMode.APPLY),
            ["Found 3 errors (2 fixed, 1 remaining)."],
        ),
        (
            result_with(fixed=1),
            ReportOptions(fix_mode=FixMode.APPLY),
            ["Found 1 error (1 fixed, 0 remaining)."],
        ),
        (
            result_with(make(1, 1, applicability=Applicability.UNSAFE), fixed=1),
            ReportOptions(fix_mode=FixMode.APPLY, show_violations=False),
            ["Fixed 1 error (1 additional fix available with --unsafe-fixes)."],
        ),
        (
            result_with(fixed=3),
            ReportOptions(fix_mode=FixMode.DIFF, show_violations=False),
            ["Would fix 3 errors."],
        ),
        (
            result_with(make(1, 1)),
            ReportOptions(fix_mode=FixMode.APPLY, show_violations=False),
            [],
        ),
    ],
)
def test_summary_lines(results: list[FileResult], options: ReportOptions, expected: list[str]) -> None:
    assert summary_lines(results, options) == expected


def test_json_has_every_key_of_ruffs_schema(tmp_path: Path) -> None:
    results = [
        FileResult(
            str(tmp_path / "m.py"),
            (make(1, 1, (1, 3), Applicability.UNSAFE), make(2, 5, code="MPL000")),
        )
    ]
    data = json.loads(render_report(results, "json", ReportOptions()))
    assert isinstance(data, list) and len(data) == 2
    keys = {
        "cell", "code", "end_location", "filename", "fix", "location", "message", "name",
        "noqa_row", "severity", "url",
    }  # fmt: skip
    for item in data:
        assert set(item) == keys
        assert item["cell"] is None
        assert item["filename"] == str(tmp_path / "m.py")
        for key in ("location", "end_location"):
            assert set(item[key]) == {"row", "column"}
            assert item[key]["row"] >= 1 and item[key]["column"] >= 1
        assert item["url"].startswith("https://")
        assert item["severity"] == "error"
    assert data[0]["fix"]["applicability"] == "unsafe"
    assert set(data[0]["fix"]) == {"applicability", "message", "edits"}
    assert set(data[0]["fix"]["edits"][0]) == {"content", "location", "end_location"}
    assert data[1]["fix"] is None
    assert data[0]["noqa_row"] == 1
    assert render_report([], "json", ReportOptions()) == "[]\n"


def test_json_lines_is_one_object_a_line() -> None:
    text = render_report(result_with(make(1, 1), make(2, 2)), "json-lines", ReportOptions())
    assert [json.loads(line)["location"]["row"] for line in text.splitlines()] == [1, 2]
    assert render_report([], "json-lines", ReportOptions()) == ""


def test_display_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert display_path(str(tmp_path / "a" / "b.py")) == str(Path("a") / "b.py")
    assert display_path("./b.py") == "b.py"
    assert display_path("/elsewhere/c.py") == "/elsewhere/c.py"
    assert display_path("-") == "-"
