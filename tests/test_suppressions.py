"""Suppression comments: line and file level, by code or name, and MPL100 for unused or unknown codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mplint.engine import check_text
from mplint.settings import Settings
from mplint.source import SourceText
from mplint.suppressions import add_noqa_edit, parse_suppressions
from mplint.workspace.selection import resolve_layers
from tests.rule_support import diagnostics, fixed

SOURCE = """\
from multiprocessing import Manager


def f(d):
    d[0]["a"] = 1  # noqa: MPL001
    d[0]["b"] = 1  # noqa
    d[0]["c"] = 1  # NOQA: proxy-nested-mutation E501
    d[0]["d"] = 1  # noqa: MPL003
    x = 1  # noqa: MPL001, MPL999  # keep this


if __name__ == "__main__":
    with Manager() as m:
        f(m.list())
"""


def test_line_suppressions_by_code_name_and_blanket() -> None:
    found = [(d.code, d.location.row, d.message) for d in diagnostics(SOURCE)]
    assert [(code, row) for code, row, _ in found] == [
        ("MPL001", 8),
        ("MPL100", 8),
        ("MPL100", 9),
    ]
    assert "unused `MPL003`" in found[1][2]
    assert "unused `MPL001` and unknown `MPL999`" in found[2][2]


def test_unused_codes_are_removed_by_the_fix() -> None:
    result = fixed(SOURCE)
    assert '    tmp["d"] = 1\n' in result
    assert "MPL003" not in result
    assert "    x = 1  # keep this\n" in result
    assert '    d[0]["a"] = 1  # noqa: MPL001\n' in result
    only_unknown = fixed(SOURCE, "MPL100")  # MPL001 and MPL003 are not enabled: not unused
    assert "    x = 1  # noqa: MPL001  # keep this\n" in only_unknown
    assert '    d[0]["d"] = 1  # noqa: MPL003\n' in only_unknown


def test_file_level_suppression() -> None:
    everything = "# mplint: noqa\n" + SOURCE
    assert diagnostics(everything) == []
    only_mpl001 = "# mplint: noqa: MPL001\n" + SOURCE.replace("  # noqa: MPL003", "")
    # the line-level suppressions of MPL001 now suppress nothing
    assert [(d.code, d.location.row) for d in diagnostics(only_mpl001)] == [
        ("MPL100", 6),
        ("MPL100", 8),
        ("MPL100", 10),
    ]


def test_add_noqa_merges_with_an_existing_comment() -> None:
    source = SourceText("x = 1  # noqa: E501\ny = 2\nz = 3  # noqa\n")
    merged = add_noqa_edit(source, 1, ["MPL001"])
    assert merged is not None and merged.content == "# noqa: E501, MPL001"
    appended = add_noqa_edit(source, 2, ["MPL003", "MPL001"])
    assert appended is not None and appended.content == "  # noqa: MPL001, MPL003"
    assert appended.location.column == 6
    assert add_noqa_edit(source, 3, ["MPL001"]) is None


def _all_directives(text: str) -> dict[int, tuple[int, int, list[str] | None]]:
    found = parse_suppressions(text)
    return {row: (d.start, d.end, d.codes) for row, d in found.lines.items()}


def test_directives_are_looked_for_only_where_they_can_matter() -> None:
    text = (
        "x = 1  # noqa: E501\n"  # another tool's code, no diagnostic here: not needed
        "y = 2  # noqa\n"  # blanket, a diagnostic on this row: needed
        "z = 3  # noqa: MPL003\n"  # an mplint code: MPL100 may report it
        "w = 4  # noqa: proxy-nested-mutation\n"  # a rule name: likewise
        "s = '# noqa: MPL001'\n"  # not a comment at all
        "v = 5  # NOQA\n"  # blanket, no diagnostic: cannot matter
    )
    narrowed = parse_suppressions(text, rows={2, 5})
    assert sorted(narrowed.lines) == [2, 3, 4]
    everything = _all_directives(text)
    assert sorted(everything) == [1, 2, 3, 4, 6]
    for row, directive in narrowed.lines.items():
        assert (directive.start, directive.end, directive.codes) == everything[row]


def test_file_level_directive_is_always_found() -> None:
    text = "import os\n# mplint: noqa: MPL001\nx = 1  # noqa: E501\n"
    narrowed = parse_suppressions(text, rows=set())
    assert [(d.row, d.codes) for d in narrowed.files] == [(2, ["MPL001"])]
    assert not narrowed.lines


def test_no_directive_that_can_matter_needs_no_tokenizing(monkeypatch: pytest.MonkeyPatch) -> None:
    import mplint.suppressions as suppressions

    def fail(text: str) -> list[tuple[int, int, str]]:
        raise AssertionError("tokenized")

    monkeypatch.setattr(suppressions, "comments", fail)
    text = "import os  # noqa: F401\nx = '''\n# noqa: MPL001 inside a string, named\n'''\n"
    # the string's line names an mplint code, so it is a candidate: tokenizing is needed there
    with pytest.raises(AssertionError):
        parse_suppressions(text, rows=set())
    assert parse_suppressions("import os  # noqa: F401\ny = 1  # noqa\n", rows={3}).lines == {}


def test_narrowed_scan_gives_the_same_diagnostics_on_every_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    import mplint.engine as engine

    settings = Settings(select=resolve_layers([]))
    fixtures = sorted(Path(__file__).parent.parent.joinpath("fixtures").rglob("*.py"))
    texts = [path.read_text(encoding="utf-8") for path in fixtures] + [SOURCE]
    for text in list(texts):
        found = check_text(text, "t.py", settings)
        lines = text.split("\n")
        for index, diagnostic in enumerate(found):
            row = (diagnostic.noqa_row or diagnostic.location.row) - 1
            comment = ["# noqa", f"# noqa: {diagnostic.code}", "# noqa: E501", "# noqa: MPL003"][index % 4]
            lines[row] += f"  {comment}"
            lines[(row * 7 + 3) % len(lines)] += "  # noqa: MPL001"
        texts.append("\n".join(lines))
    narrowed = [check_text(text, "t.py", settings) for text in texts]
    monkeypatch.setattr(engine, "parse_suppressions", lambda text, rows=None: parse_suppressions(text))
    assert [check_text(text, "t.py", settings) for text in texts] == narrowed
    assert any(d.code == "MPL100" for found in narrowed for d in found)
