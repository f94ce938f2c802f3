"""Baselines: ``--update-baseline`` records the diagnostics, ``--baseline`` reports only new ones; entries
survive unrelated edits and are reported when they no longer match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run_cli

from mplint.baseline import Scopes

# MPL003 in `main` (line 10) and in `Runner.go` (line 16).
SOURCE = """\
from multiprocessing import Process


def work():
    pass


def main():
    p = Process(target=work)
    p.start()


class Runner:
    def go(self):
        q = Process(target=work)
        q.start()
"""
NEW_IN_MAIN = "    r = Process(target=work)\n    r.start()\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check(project: Path, *args: str) -> tuple[int, list[tuple[str, int]], str]:
    """Exit code, (code, row) of each diagnostic reported, and stderr."""
    result = run_cli("check", "--no-cache", "--output-format", "json", *args, cwd=project)
    found = [(item["code"], item["location"]["row"]) for item in json.loads(result.stdout)]
    return result.returncode, found, result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "app.py", SOURCE)
    write(tmp_path / "other.py", SOURCE)
    return tmp_path


def test_update_writes_a_stable_reviewable_file(project: Path) -> None:
    result = run_cli("check", "--baseline", "baseline.json", "--update-baseline", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "Recorded 4 diagnostics in baseline.json.\n"
    text = (project / "baseline.json").read_text(encoding="utf-8")
    assert text.endswith("}\n")
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    entries = document["entries"]
    assert [(e["file"], e["rule"], e["scope"], e["count"]) for e in entries] == sorted(
        [
            ("app.py", "MPL003", "main", 1),
            ("app.py", "MPL003", "Runner.go", 1),
            ("other.py", "MPL003", "main", 1),
            ("other.py", "MPL003", "Runner.go", 1),
        ],
        key=lambda e: (e[0], e[1], e[2]),
    )
    assert {e["code"] for e in entries} == {"p.start()", "q.start()"}
    assert "row" not in text and "line" not in text
    again = run_cli("check", "--baseline", "baseline.json", "--update-baseline", cwd=project)
    assert again.returncode == 0
    assert (project / "baseline.json").read_text(encoding="utf-8") == text


def test_only_new_diagnostics_are_reported_and_unrelated_edits_keep_entries(project: Path) -> None:
    run_cli("check", "--baseline", "b.json", "--update-baseline", cwd=project)
    assert check(project, "--baseline", "b.json") == (0, [], "")
    # Lines added above, the flagged call re-spaced: the entries still match.
    edited = "import os\n\n\n" + SOURCE.replace("    p.start()", "    p.start( )")
    write(project / "app.py", edited)
    assert check(project, "--baseline", "b.json") == (0, [], "")
    # A new diagnostic in a function that already has one is reported, and only it.
    write(project / "app.py", edited.replace("    p.start( )\n", "    p.start( )\n" + NEW_IN_MAIN))
    code, found, stderr = check(project, "--baseline", "b.json")
    assert (code, found, stderr) == (1, [("MPL003", 15)], "")


def test_entries_that_no_longer_match_are_reported(project: Path) -> None:
    run_cli("check", "--baseline", "b.json", "--update-baseline", cwd=project)
    write(project / "app.py", SOURCE.replace("    p.start()\n", "    p.start()\n    p.join()\n"))
    (project / "other.py").unlink()
    code, found, stderr = check(project, "--baseline", "b.json")
    assert (code, found) == (0, [])
    assert stderr.splitlines() == [
        "warning: Baseline entry no longer matches: app.py: MPL003 in main: `p.start()` "
        "(drop it with --update-baseline)",
        "warning: Baseline entry no longer matches: other.py: MPL003 in Runner.go: `q.start()` "
        "(drop it with --update-baseline)",
        "warning: Baseline entry no longer matches: other.py: MPL003 in main: `p.start()` "
        "(drop it with --update-baseline)",
    ]
    # Checking another file says nothing of app.py's entries.
    write(project / "third.py", "x = 1\n")
    assert check(project, "--baseline", "b.json", "third.py")[2].count("app.py") == 0
    run_cli("check", "--baseline", "b.json", "--update-baseline", cwd=project)
    assert check(project, "--baseline", "b.json") == (0, [], "")
    assert len(json.loads((project / "b.json").read_text())["entries"]) == 1


def test_updating_part_of_the_project_keeps_the_other_files_entries(project: Path) -> None:
    run_cli("check", "--baseline", "b.json", "--update-baseline", cwd=project)
    write(project / "app.py", SOURCE.replace("    p.start()\n", "    p.start()\n" + NEW_IN_MAIN))
    result = run_cli("check", "--baseline", "b.json", "--update-baseline", "app.py", cwd=project)
    assert result.stderr == "Recorded 5 diagnostics in b.json.\n"
    assert check(project, "--baseline", "b.json") == (0, [], "")


def test_the_baseline_key_of_the_configuration(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.mplint]\nbaseline = "ci/mplint-baseline.json"\n')
    (project / "ci").mkdir()
    result = run_cli("check", "--update-baseline", cwd=project)
    assert result.returncode == 0, result.stderr
    entries = json.loads((project / "ci" / "mplint-baseline.json").read_text())["entries"]
    assert {entry["file"] for entry in entries} == {"../app.py", "../other.py"}
    assert check(project) == (0, [], "")
    assert check(project, "--baseline", "elsewhere.json")[0] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "error: baseline missing.json: no such file (create it with --update-baseline)\n"),
        ("{", "error: baseline missing.json: not valid JSON: "),
        (
            '{"entries": [], "version": 7}',
            "error: baseline missing.json: unsupported version 7 (expected 1)\n",
        ),
        (
            '{"entries": [{"file": "a.py"}], "version": 1}',
            "error: baseline missing.json: entry 1: 'rule' must be a string\n",
        ),
    ],
)
def test_a_bad_baseline_is_an_error(project: Path, content: str | None, message: str) -> None:
    if content is not None:
        write(project / "missing.json", content)
    result = run_cli("check", "--baseline", "missing.json", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


def test_update_baseline_needs_a_file(project: Path) -> None:
    result = run_cli("check", "--isolated", "--update-baseline", cwd=project)
    assert result.returncode == 2
    assert result.stderr == (
        "error: --update-baseline needs a baseline file: give --baseline FILE or set baseline\n"
    )


def test_scopes_name_the_innermost_function_or_class() -> None:
    scopes = Scopes(SOURCE + "\nasync def outer():\n    def inner():\n        pass\n")
    assert scopes.enclosing(1) == ""
    assert scopes.enclosing(10) == "main"
    assert scopes.enclosing(13) == "Runner"
    assert scopes.enclosing(16) == "Runner.go"
    assert scopes.enclosing(20) == "outer.inner"
