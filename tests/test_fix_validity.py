"""A fix is offered only if applying it gives a text that parses and means what the fix says: no fix
for `args=(yield x)`, a broken fix never blocks the other fixes of its file, and every output format
(text, JSON, SARIF, language server) counts as fixable only what `--fix` fixes."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest
from cli_support import run_cli
from lsprotocol import types
from rule_support import diagnostics, fixed

from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from mplint.fix_application import acceptable_fixes, apply_fixes_detailed, parses, without_broken_fixes
from mplint.server.code_actions import quick_fixes
from mplint.server.documents import Document

YIELDS = textwrap.dedent(
    """\
    import multiprocessing

    def work(*args):
        pass

    def produce(x, items):
        a = multiprocessing.Process(target=work, args=(yield x))
        b = multiprocessing.Process(target=work, args=(yield))
        c = multiprocessing.Process(target=work, args=(yield from items))
        d = multiprocessing.Process(target=work, args=("abc"))
        return a, b, c, d
    """
)


def mpl006(text: str) -> list[Diagnostic]:
    return [d for d in diagnostics(text, "MPL006") if d.code == "MPL006"]


def test_yield_expressions_are_reported_without_a_fix() -> None:
    found = mpl006(YIELDS)
    assert [d.location.row for d in found] == [7, 8, 9, 10]
    assert [d.fix is None for d in found] == [True, True, True, False]


def test_a_yield_without_a_fix_does_not_stop_the_other_fixes() -> None:
    assert fixed(YIELDS, "MPL006") == YIELDS.replace('args=("abc")', 'args=("abc",)')


@pytest.mark.parametrize(
    "expression",
    [
        "await job",
        "y := job",
        "lambda: job",
        "lambda: (yield)",
        "job if flag else other",
        "not job",
        "-job",
        "job.attr",
        "'a' 'b'",
        "f'{job}'",
        "(x for x in job)",
    ],
)
def test_the_fix_makes_a_one_element_tuple_of_the_same_expression(expression: str) -> None:
    """Wherever MPL006 offers its fix, the fixed argument is a tuple holding exactly the original
    expression (checked on the syntax trees), so the comma changes nothing else."""
    text = (
        "import multiprocessing\n"
        "def work(*args):\n    pass\n"
        "async def main(job, other, flag):\n"
        f"    p = multiprocessing.Process(target=work, args=({expression}))\n"
    )
    found = mpl006(text)
    assert len(found) == 1 and found[0].fix is not None
    result = fixed(text, "MPL006")
    before = ast.parse(text).body[2].body[0].value.keywords[1].value  # type: ignore[attr-defined]
    after = ast.parse(result).body[2].body[0].value.keywords[1].value  # type: ignore[attr-defined]
    assert isinstance(after, ast.Tuple)
    assert [ast.dump(element) for element in after.elts] == [ast.dump(before)]


def report(cwd: Path, output_format: str) -> str:
    return run_cli("check", "--no-cache", "--output-format", output_format, "gen.py", cwd=cwd).stdout


def test_reports_count_only_the_fixes_that_apply(tmp_path: Path) -> None:
    (tmp_path / "gen.py").write_text(YIELDS, encoding="utf-8")
    text = run_cli("check", "--no-cache", "--output-format", "concise", "gen.py", cwd=tmp_path)
    assert text.stdout.count("[*]") == 2, text.stdout  # the "abc" line and the summary
    assert "[*] 1 fixable with the --fix option." in text.stdout
    as_json = json.loads(report(tmp_path, "json"))
    assert [entry["fix"] is not None for entry in as_json] == [False, False, False, True]
    sarif = json.loads(report(tmp_path, "sarif"))
    results = sarif["runs"][0]["results"]
    assert ["fixes" in result for result in results] == [False, False, False, True]


def test_code_actions_offer_no_fix_for_a_yield() -> None:
    document = Document("file:///tmp/gen.py", YIELDS, 1)
    everything = types.Range(types.Position(0, 0), types.Position(20, 0))
    actions = quick_fixes(document, mpl006(YIELDS), everything, "utf-16", False, False)
    fixes = [action for action in actions if action.title.startswith("Fix") or action.is_preferred]
    edited_rows = {
        edit.range.start.line
        for action in fixes
        if action.edit is not None and action.edit.changes
        for edit in action.edit.changes[document.uri]
    }
    assert edited_rows == {9}


def _diagnostic(content: str, row: int, start: int, end: int) -> Diagnostic:
    location, end_location = Location(row, start), Location(row, end)
    return Diagnostic(
        code="MPL006",
        name="args-not-tuple",
        message=f"{row}:{start}",
        location=location,
        end_location=end_location,
        fix=Fix("fix it", (Edit(content, location, end_location),), Applicability.SAFE),
    )


def test_without_broken_fixes_strips_only_the_broken_fix() -> None:
    text = "a = 1\nb = 2\nc = 3\n"
    good = _diagnostic("10", 1, 5, 6)
    broken = _diagnostic("(", 2, 5, 6)
    other = _diagnostic("30", 3, 5, 6)
    result = without_broken_fixes(text, [good, broken, other])
    assert result[0] is good and result[2] is other
    assert result[1].fix is None and result[1].message == broken.message
    assert parses(apply_fixes_detailed(text, result, unsafe=False)[0])


def test_a_broken_fix_costs_a_logarithmic_number_of_tries() -> None:
    """One broken fix among 1,024 is found with O(log n) parses, not one parse per fix."""
    rows = 1024
    text = "x = 0\n" * rows
    fixes = [_diagnostic("1", row, 5, 6) for row in range(1, rows + 1)]
    fixes[700] = _diagnostic("(", 701, 5, 6)
    tries = 0

    def counting(candidate: str) -> bool:
        nonlocal tries
        tries += 1
        return parses(candidate)

    kept = acceptable_fixes(text, fixes, counting)
    assert [d for d in fixes if d not in kept] == [fixes[700]]
    assert tries <= 2 * 10 + 2
