"""Per-rule severity: the defaults, ``[tool.mplint.severity]`` resolved by specificity, and every output
that shows it (JSON, SARIF, GitHub, GitLab, JUnit, rdjson, text, the language server)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_support import run_cli
from lsprotocol import types

from mplint.cache import diagnostic_from_json, diagnostic_to_json
from mplint.ruledoc import rule_data
from mplint.rules import RULES
from mplint.server.convert import lsp_diagnostic
from mplint.server.documents import Document
from mplint.server.linting import run_check
from mplint.severity import default_severity, resolve_severities
from mplint.workspace.config import Resolver

# MPL001 (an error by default) on line 5, MPL003 (a warning by default) on line 11.
SOURCE = """\
from multiprocessing import Manager, Process


def work(m):
    m[0]["id"] = 2


def main():
    with Manager() as manager:
        p = Process(target=work, args=(manager.list(),))
        p.start()


if __name__ == "__main__":
    main()
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def severities(project: Path, *args: str) -> dict[str, str]:
    result = run_cli("check", "--output-format", "json", *args, cwd=project)
    assert result.returncode == 1, result.stderr
    return {item["code"]: item["severity"] for item in json.loads(result.stdout)}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "app.py", SOURCE)
    return tmp_path


def test_defaults_make_lost_data_hangs_and_crashes_errors() -> None:
    errors = {rule.code for rule in RULES if default_severity(rule.code) == "error"}
    warnings = {rule.code for rule in RULES if default_severity(rule.code) == "warning"}
    assert warnings == {"MPL003", "MPL011", "MPL100"}
    assert errors == {rule.code for rule in RULES} - warnings
    assert [rule_data(rule)["severity"] for rule in RULES] == [default_severity(r.code) for r in RULES]


def test_default_severities_in_json(project: Path) -> None:
    assert severities(project, "--isolated") == {"MPL001": "error", "MPL003": "warning"}


def test_the_most_specific_selector_wins_whatever_the_order(project: Path) -> None:
    write(
        project / "pyproject.toml",
        '[tool.mplint.severity]\nMPL001 = "warning"\nALL = "info"\nMPL00 = "error"\n',
    )
    assert severities(project) == {"MPL001": "warning", "MPL003": "error"}
    assert resolve_severities([(("MPL0", "info"), ("unjoined-process", "warning"))])[:4] == (
        ("MPL000", "info"),
        ("MPL001", "info"),
        ("MPL002", "info"),
        ("MPL003", "warning"),
    )


def test_command_line_override_beats_the_file_and_extend_is_layered(project: Path) -> None:
    write(project / "base.toml", '[severity]\nMPL001 = "info"\nMPL003 = "info"\n')
    write(project / "mplint.toml", 'extend = "base.toml"\n[severity]\nMPL003 = "error"\n')
    assert severities(project) == {"MPL001": "info", "MPL003": "error"}
    assert severities(project, "--config", 'severity.MPL001 = "warning"') == {
        "MPL001": "warning",
        "MPL003": "error",
    }


def test_every_format_shows_the_severity(project: Path) -> None:
    write(project / "mplint.toml", '[severity]\nMPL001 = "info"\n')

    def report(output_format: str) -> str:
        result = run_cli("check", "--output-format", output_format, cwd=project)
        assert result.returncode == 1, result.stderr
        return result.stdout

    sarif = json.loads(report("sarif"))
    assert [(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]] == [
        ("MPL001", "note"),
        ("MPL003", "warning"),
    ]
    github = report("github").splitlines()
    assert [line.split(" ", 1)[0] for line in github] == ["::notice", "::warning"]
    gitlab = json.loads(report("gitlab"))
    assert [(issue["check_name"], issue["severity"]) for issue in gitlab] == [
        ("MPL001", "info"),
        ("MPL003", "minor"),
    ]
    rdjson = json.loads(report("rdjson"))
    assert [(d["code"]["value"], d["severity"]) for d in rdjson["diagnostics"]] == [
        ("MPL001", "INFO"),
        ("MPL003", "WARNING"),
    ]
    junit = ET.fromstring(report("junit"))
    assert [p.get("value") for p in junit.iter("property") if p.get("name") == "severity"] == [
        "info",
        "warning",
    ]
    assert [f.text.split(": ", 1)[1].split(" ", 2)[:2] for f in junit.iter("failure") if f.text] == [
        ["MPL001", "(info)"],
        ["MPL003", "(warning)"],
    ]
    concise = report("concise").splitlines()
    assert concise[0].startswith("app.py:5:5: MPL001 (info) [*] `m[0]` is a copy")
    assert concise[1].startswith("app.py:11:9: MPL003 (warning) process `p` is started")
    full = report("full")
    assert "app.py:5:5: MPL001 (info) [*] " in full


def test_an_error_severity_keeps_ruffs_text_layout(project: Path) -> None:
    write(project / "mplint.toml", '[severity]\nALL = "error"\n')
    result = run_cli("check", "--output-format", "concise", cwd=project)
    assert result.stdout.splitlines()[1].startswith("app.py:11:9: MPL003 process `p`")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[severity]\nMPL003 = "fatal"\n', "mplint.toml: severity.MPL003: unknown severity 'fatal' "),
        ("[severity]\nMPL003 = 1\n", "mplint.toml: severity.MPL003: unknown severity int "),
        ('[severity]\nMPL9 = "error"\n', "mplint.toml: severity.MPL9: unknown rule selector: 'MPL9'"),
        ('severity = "error"\n', "mplint.toml: severity: expected a table of rule selectors to severities"),
    ],
)
def test_bad_severity_tables(project: Path, table: str, message: str) -> None:
    write(project / "mplint.toml", table)
    result = run_cli("check", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}")


def test_the_language_server_reports_the_configured_severity(project: Path) -> None:
    write(project / "mplint.toml", '[severity]\nMPL001 = "info"\n')
    settings = Resolver(cwd=project).settings_for(project / "app.py")
    document = Document((project / "app.py").as_uri(), SOURCE, 1)
    diagnostics, error = run_check(document, settings)
    assert error is None
    converted = [lsp_diagnostic(d, document.source, "utf-16") for d in diagnostics]
    assert [(d.code, d.severity) for d in converted] == [
        ("MPL001", types.DiagnosticSeverity.Information),
        ("MPL003", types.DiagnosticSeverity.Warning),
    ]


def test_the_cache_keeps_every_severity(project: Path) -> None:
    write(project / "mplint.toml", '[severity]\nALL = "info"\n')
    settings = Resolver(cwd=project).settings_for(project / "app.py")
    document = Document((project / "app.py").as_uri(), SOURCE, 1)
    diagnostics, _ = run_check(document, settings)
    assert {d.severity for d in diagnostics} == {"info"}
    for diagnostic in diagnostics:
        assert diagnostic_from_json(diagnostic_to_json(diagnostic)) == diagnostic
