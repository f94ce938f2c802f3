"""Every ``--output-format``, run for real on a small project with a syntax error, safe and unsafe fixes,
two identical diagnostics in one file and a file name that needs escaping."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import jsonschema
import pytest
from cli_support import run_cli, run_main, use_fake_checker

from mplint import __version__
from mplint.report import OUTPUT_FORMATS
from mplint.rules import RULES

SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"

EXAMPLE = """\
from multiprocessing import Manager, Process


def test_manager(m):
    m[0]["id"] = 2


if __name__ == "__main__":
    with Manager() as manager:
        m = manager.list()
        m.append({"id": 1})
        p = Process(target=test_manager, args=(m,))
        p.start()
        p.join()
        print(m[0])
"""
TWICE = """\
from multiprocessing import Manager, Process


def work(m):
    m[0]["id"] = 2
    m[0]["id"] = 3


if __name__ == "__main__":
    with Manager() as manager:
        m = manager.list()
        m.append({"id": 1})
        p = Process(target=work, args=(m,))
        p.start()
        p.join()
"""
POOL = """\
from multiprocessing import Pool


def square(n):
    return n * n


with Pool(2) as pool:
    print(pool.map(square, range(5)))
"""
BROKEN = "import multiprocessing\ndef broken(:\n    pass\n"
ODD = "odd, & <name>.py"

COPY = (
    "`m[0]` is a copy read out of a manager proxy: this in-place change is lost; "
    "assign it to a variable, change that, and write it back"
)
IMPORT_TIME = (
    "`Pool(2)` creates a process pool when the module is imported: under spawn and forkserver every "
    'child re-imports the main module and runs it again; move it under `if __name__ == "__main__":`'
)
SYNTAX = "SyntaxError: invalid syntax"
SUMMARY = [
    "Found 5 errors.",
    "[*] 3 fixable with the --fix option (1 hidden fix can be enabled with the --unsafe-fixes option).",
]
# (file, row, column, end row, end column, code, message), in report order.
EXPECTED = [
    ("broken.py", 2, 12, 2, 12, "MPL000", SYNTAX),
    ("example.py", 5, 5, 5, 15, "MPL001", COPY),
    (ODD, 5, 5, 5, 15, "MPL001", COPY),
    (ODD, 6, 5, 6, 15, "MPL001", COPY),
    ("pool.py", 8, 1, 8, 13, "MPL002", IMPORT_TIME),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in (("broken.py", BROKEN), ("example.py", EXAMPLE), (ODD, TWICE), ("pool.py", POOL)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def report(project: Path, output_format: str, *args: str) -> str:
    result = run_cli("check", "--output-format", output_format, *args, cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_every_format_is_a_choice() -> None:
    expected = {"full", "text", "concise", "grouped", "json", "json-lines", "sarif", "github", "gitlab"}
    assert set(OUTPUT_FORMATS) == expected | {"junit", "pylint", "rdjson"}


def test_full(project: Path) -> None:
    text = report(project, "full")
    blocks = text.split("\n\n")
    assert blocks[0].splitlines() == [
        f"broken.py:2:12: MPL000 {SYNTAX}",
        "  |",
        "2 | def broken(:",
        "  |            ^",
        "  |",
    ]
    assert blocks[1].splitlines() == [
        f"example.py:5:5: MPL001 [*] {COPY}",
        "  |",
        '5 |     m[0]["id"] = 2',
        "  |     ^^^^^^^^^^",
        "  |",
        "  = help: Assign `m[0]` to `tmp`, change it, and write it back",
        "  |",
        "4 | def test_manager(m):",
        '  -     m[0]["id"] = 2',
        "5 +     tmp = m[0]",
        '6 +     tmp["id"] = 2',
        "7 +     m[0] = tmp",
        "8 |",
        "  |",
    ]
    assert blocks[4].splitlines() == [
        f"pool.py:8:1: MPL002 {IMPORT_TIME}",
        "   |",
        " 8 | with Pool(2) as pool:",
        "   | ^^^^^^^^^^^^",
        "   |",
        '   = help: Move the process-starting code under `if __name__ == "__main__":`',
        "   |",
        " 7 |",
        "   - with Pool(2) as pool:",
        "   -     print(pool.map(square, range(5)))",
        ' 8 + if __name__ == "__main__":',
        " 9 +     with Pool(2) as pool:",
        "10 +         print(pool.map(square, range(5)))",
        "   |",
        "   = note: Unsafe fix: it may change what the program does, so --fix applies it only with "
        "--unsafe-fixes",
    ]
    assert blocks[5].splitlines() == SUMMARY
    assert report(project, "text") == text
    # Once unsafe fixes are enabled, the MPL002 fix is marked as applicable like the others.
    enabled = report(project, "full", "--unsafe-fixes")
    assert f"pool.py:8:1: MPL002 [*] {IMPORT_TIME}" in enabled
    assert enabled.endswith("Found 5 errors.\n[*] 4 fixable with the --fix option.\n")
    # --no-unsafe-fixes stops mentioning them: no diff, no note, no hint.
    disabled = report(project, "full", "--no-unsafe-fixes").split("\n\n")
    assert disabled[4].splitlines() == [
        f"pool.py:8:1: MPL002 {IMPORT_TIME}",
        "  |",
        "8 | with Pool(2) as pool:",
        "  | ^^^^^^^^^^^^",
        "  |",
        '  = help: Move the process-starting code under `if __name__ == "__main__":`',
    ]
    assert disabled[5].splitlines() == ["Found 5 errors.", "[*] 3 fixable with the --fix option."]


def test_full_notes_a_display_only_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_fake_checker(monkeypatch)  # its look() diagnostic has a fix that is only shown
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text("value = look()\n", encoding="utf-8")
    result = run_main(monkeypatch, "check")
    assert result.out.splitlines()[5:12] == [
        "  = help: Replace with `seen()`",
        "  |",
        "  - value = look()",
        "1 + value = seen()",
        "  |",
        "  = note: Suggested fix (not applied): review it and make the change by hand",
        "",
    ]


def test_concise(project: Path) -> None:
    lines = report(project, "concise").splitlines()
    assert (
        lines
        == [
            f"{path}:{row}:{column}: {code}{' [*]' if code == 'MPL001' else ''} {message}"
            for path, row, column, _, _, code, message in EXPECTED
        ]
        + SUMMARY
    )


def test_grouped(project: Path) -> None:
    assert report(project, "grouped").splitlines() == [
        "broken.py:",
        f"  2:12 MPL000 {SYNTAX}",
        "",
        "example.py:",
        f"  5:5 MPL001 [*] {COPY}",
        "",
        f"{ODD}:",
        f"  5:5 MPL001 [*] {COPY}",
        f"  6:5 MPL001 [*] {COPY}",
        "",
        "pool.py:",
        f"  8:1 MPL002 {IMPORT_TIME}",
        "",
        *SUMMARY,
    ]


def test_grouped_aligns_rows_and_columns(project: Path) -> None:
    (project / "example.py").write_text(
        EXAMPLE.replace("        p.start()", "        p.start(); m[0]['a'] = 1")
    )
    lines = report(project, "grouped", "example.py", "-q").splitlines()
    assert [line[:9] for line in lines[1:3]] == ["   5:5  M", "  13:20 M"]


def test_pylint(project: Path) -> None:
    assert report(project, "pylint").splitlines() == [
        f"{path}:{row}: [{code}] {message}" for path, row, _, _, _, code, message in EXPECTED
    ]


def test_github(project: Path) -> None:
    odd = f"{project}/odd%2C & <name>.py"
    assert report(project, "github").splitlines() == [
        f"::error title=mplint (MPL000),file={project}/broken.py,line=2,col=12,endLine=2,endColumn=12"
        f"::broken.py:2:12: MPL000 {SYNTAX}",
        f"::error title=mplint (MPL001),file={project}/example.py,line=5,col=5,endLine=5,endColumn=15"
        f"::example.py:5:5: MPL001 {COPY}",
        f"::error title=mplint (MPL001),file={odd},line=5,col=5,endLine=5,endColumn=15"
        f"::{ODD}:5:5: MPL001 {COPY}",
        f"::error title=mplint (MPL001),file={odd},line=6,col=5,endLine=6,endColumn=15"
        f"::{ODD}:6:5: MPL001 {COPY}",
        f"::error title=mplint (MPL002),file={project}/pool.py,line=8,col=1,endLine=8,endColumn=13"
        f"::pool.py:8:1: MPL002 {IMPORT_TIME}",
    ]


def test_github_escapes_line_breaks_and_percent_signs(project: Path) -> None:
    name = "100%\nsure.py"
    (project / name).write_text(BROKEN, encoding="utf-8")
    lines = report(project, "github", name).splitlines()
    assert lines == [
        f"::error title=mplint (MPL000),file={project}/100%25%0Asure.py,line=2,col=12,endLine=2,"
        f"endColumn=12::100%25%0Asure.py:2:12: MPL000 {SYNTAX}"
    ]


def test_gitlab(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)
    issues = json.loads(report(project, "gitlab"))
    assert [
        (
            issue["location"]["path"],
            issue["location"]["lines"]["begin"],
            issue["location"]["lines"]["end"],
            issue["check_name"],
            issue["description"],
            issue["severity"],
        )
        for issue in issues
    ] == [
        (path, row, end_row, code, f"{code}: {message}", "major")
        for path, row, _, end_row, _, code, message in EXPECTED
    ]
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert all(re.fullmatch("[0-9a-f]{32}", fingerprint) for fingerprint in fingerprints)
    assert len(set(fingerprints)) == len(fingerprints)  # the two identical MPL001s included
    assert [issue["fingerprint"] for issue in json.loads(report(project, "gitlab"))] == fingerprints
    # Stable when lines move, and independent of where the project is checked out.
    (project / "example.py").write_text("\n\n" + EXAMPLE, encoding="utf-8")
    moved = project.parent / "moved"
    project.rename(moved)
    again = json.loads(report(moved, "gitlab"))
    assert again[1]["location"]["lines"]["begin"] == 7
    assert [issue["fingerprint"] for issue in again] == fingerprints


def test_gitlab_paths_are_relative_to_ci_project_dir(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)
    result = run_cli("check", "--output-format", "gitlab", str(project), cwd=project.parent)
    assert json.loads(result.stdout)[0]["location"]["path"] == f"{project.name}/broken.py"
    monkeypatch.setenv("CI_PROJECT_DIR", str(project))
    result = run_cli("check", "--output-format", "gitlab", str(project), cwd=project.parent)
    assert json.loads(result.stdout)[0]["location"]["path"] == "broken.py"


def test_junit(project: Path) -> None:
    text = report(project, "junit")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    assert (root.get("name"), root.get("tests"), root.get("failures"), root.get("errors")) == (
        "mplint", "5", "5", "0",
    )  # fmt: skip
    suites = root.findall("testsuite")
    assert [(suite.get("name"), suite.get("tests"), suite.get("failures")) for suite in suites] == [
        ("broken.py", "1", "1"),
        ("example.py", "1", "1"),
        (ODD, "2", "2"),
        ("pool.py", "1", "1"),
    ]
    cases = [(suite.get("name"), case) for suite in suites for case in suite.findall("testcase")]
    for (path, row, column, _, _, code, message), (suite_name, case) in zip(EXPECTED, cases, strict=True):
        assert suite_name == path
        assert case.get("file") == path
        assert (case.get("line"), case.get("column")) == (str(row), str(column))
        assert case.get("classname") == path.removesuffix(".py")
        assert case.get("name", "").startswith(f"{code} ")
        failure = case.find("failure")
        assert failure is not None
        assert failure.get("message") == message
        assert failure.get("type") == code
        assert failure.text == f"{path}:{row}:{column}: {code} {message}"


def test_junit_without_diagnostics_has_one_passing_case(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(EXAMPLE.replace('m[0]["id"] = 2', "pass"), encoding="utf-8")
    result = run_cli("check", "--output-format", "junit", cwd=tmp_path)
    assert result.returncode == 0
    root = ET.fromstring(result.stdout)
    assert (root.get("tests"), root.get("failures")) == ("1", "0")
    case = root.find("testsuite/testcase")
    assert case is not None and case.get("name") == "No errors found" and case.find("failure") is None


def test_sarif(project: Path) -> None:
    log = json.loads(report(project, "sarif"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)

    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("mplint", __version__)
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in RULES]
    for descriptor, rule in zip(driver["rules"], RULES, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"] and descriptor["help"]["markdown"].startswith(f"# {rule.name}")
        assert descriptor["helpUri"] == rule.url()
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"

    results = run["results"]
    assert len(results) == len(EXPECTED)
    for result, (path, row, column, end_row, end_column, code, message) in zip(
        results, EXPECTED, strict=True
    ):
        assert result["ruleId"] == code
        assert driver["rules"][result["ruleIndex"]]["id"] == code
        assert result["level"] == "error"
        assert result["message"]["text"] == message
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"] == {
            "uri": quote(path),
            "uriBaseId": "%SRCROOT%",
        }
        assert location["physicalLocation"]["region"] == {
            "startLine": row,
            "startColumn": column,
            "endLine": end_row,
            "endColumn": end_column,
        }
    assert "fixes" not in results[0]
    (fix,) = results[1]["fixes"]
    assert fix["description"]["text"] == "Assign `m[0]` to `tmp`, change it, and write it back"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "example.py", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 19},
            "insertedContent": {"text": 'tmp = m[0]\n    tmp["id"] = 2\n    m[0] = tmp'},
        }
    ]
    assert results[4]["fixes"][0]["properties"]["applicability"] == "unsafe"


def test_sarif_names_files_outside_the_working_directory_by_absolute_uri(project: Path) -> None:
    elsewhere = project / "sub"
    elsewhere.mkdir()
    result = run_cli("check", "--output-format", "sarif", str(project / "example.py"), cwd=elsewhere)
    (sarif_result,) = json.loads(result.stdout)["runs"][0]["results"]
    location = sarif_result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": (project / "example.py").as_uri()}


def test_machine_formats_have_no_summary_and_write_to_a_file(project: Path) -> None:
    for output_format in ("sarif", "gitlab", "junit", "github", "pylint"):
        out = project / "reports" / f"report.{output_format}"
        result = run_cli("check", "--output-format", output_format, "-o", str(out), cwd=project)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", "")
        text = out.read_text(encoding="utf-8")
        assert "Found 5 errors." not in text
        assert text == report(project, output_format)


def test_statistics_with_a_format_that_has_no_table(project: Path) -> None:
    result = run_cli("check", "--statistics", "--output-format", "sarif", cwd=project)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: --statistics does not support --output-format sarif "
        "(use one of full, concise, grouped, json, json-lines, text)\n"
    )
    grouped = run_cli("check", "--statistics", "--output-format", "grouped", cwd=project)
    assert grouped.stdout.splitlines()[0] == "3\tMPL001\t[*] proxy-nested-mutation"
