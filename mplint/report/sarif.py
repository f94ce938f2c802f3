"""The SARIF format: a SARIF 2.1.0 log with one run, the rules' metadata and every diagnostic.

Files below the working directory are named relative to it (``uriBaseId`` ``%SRCROOT%``), others
by absolute ``file:`` URIs; both percent-encode the name's bytes, so a name that is not valid UTF-8
is given exactly (``bad%FF.py``). Regions are 1-based with columns in characters (``columnKind``
``unicodeCodePoints``), the end column pointing just past the range, as in mplint's own positions.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from mplint import __version__
from mplint.diagnostics import Diagnostic, Edit, Fix, Location
from mplint.docs_links import homepage_url
from mplint.report.escape import json_dumps
from mplint.report.paths import STDIN_NAME, relative_path
from mplint.report.results import FileResult, ReportOptions
from mplint.ruledoc import rule_data, rule_markdown
from mplint.rules import RULES
from mplint.rules.base import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
LEVELS: dict[str, str] = {"error": "error", "warning": "warning"}


def rule_descriptor(rule: type[Rule]) -> dict[str, object]:
    data = rule_data(rule)
    help_text = "\n\n".join(str(data[key]) for key in ("summary", "what", "why", "fix_safety") if data[key])
    descriptor: dict[str, object] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": str(data["what"]) or rule.summary},
        "help": {"text": help_text, "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": "error"},
        "properties": {"fixAvailability": rule.fix_availability},
    }
    url = rule.url()
    if url is not None:
        descriptor["helpUri"] = url
    return descriptor


def driver() -> dict[str, object]:
    """The tool: its name, version, home page (when the package metadata gives one) and rules."""
    tool: dict[str, object] = {"name": "mplint", "version": __version__}
    homepage = homepage_url()
    if homepage is not None:
        tool["informationUri"] = homepage
    tool["rules"] = [rule_descriptor(rule) for rule in RULES]
    return tool


def artifact_location(path: str, root: str) -> dict[str, str]:
    """The file relative to ``root`` (the working directory) when below it, else its absolute URI."""
    if path == STDIN_NAME:
        return {"uri": quote(path)}
    relative = relative_path(path, root)
    if os.path.isabs(relative):
        return {"uri": file_uri(relative)}
    return {"uri": quote(os.fsencode(Path(relative).as_posix())), "uriBaseId": SOURCE_ROOT}


def file_uri(path: str) -> str:
    """The ``file:`` URI of an absolute path, its bytes percent-encoded (RFC 8089): a name that is not
    valid UTF-8 keeps its own bytes (``%FF``) rather than stopping the report."""
    return "file://" + quote(os.fsencode(Path(path).as_posix()))


def region(start: Location, end: Location) -> dict[str, int]:
    return {
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }


def replacement(edit: Edit) -> dict[str, object]:
    deleted: dict[str, object] = {"deletedRegion": region(edit.location, edit.end_location)}
    if edit.content:
        deleted["insertedContent"] = {"text": edit.content}
    return deleted


def fix_object(fix: Fix, location: dict[str, str]) -> dict[str, object]:
    return {
        "description": {"text": fix.message or "Apply the fix"},
        "artifactChanges": [
            {"artifactLocation": location, "replacements": [replacement(edit) for edit in fix.edits]}
        ],
        "properties": {"applicability": fix.applicability.value},
    }


def result_object(
    diagnostic: Diagnostic, location: dict[str, str], rule_index: dict[str, int]
) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": diagnostic.code,
        "level": LEVELS.get(diagnostic.severity, "note"),
        "message": {"text": diagnostic.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": region(diagnostic.location, diagnostic.end_location),
                }
            }
        ],
    }
    if diagnostic.code in rule_index:
        result["ruleIndex"] = rule_index[diagnostic.code]
    if diagnostic.fix is not None and diagnostic.fix.edits:
        result["fixes"] = [fix_object(diagnostic.fix, location)]
    return result


def render(results: list[FileResult], options: ReportOptions) -> str:
    root = os.getcwd()
    rule_index = {rule.code: index for index, rule in enumerate(RULES)}
    sarif_results = [
        result_object(diagnostic, artifact_location(result.path, root), rule_index)
        for result in results
        for diagnostic in result.diagnostics
    ]
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver()},
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": file_uri(root).rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": options.errors == 0}],
                "results": sarif_results,
            }
        ],
    }
    return json_dumps(log, indent=2) + "\n"
