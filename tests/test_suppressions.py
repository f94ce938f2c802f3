"""Suppression comments: line and file level, by code or name, and MPL100 for unused or unknown codes."""

from __future__ import annotations

from mplint.source import SourceText
from mplint.suppressions import add_noqa_edit
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
