"""The rdjson format: reviewdog's Diagnostic Format (``DiagnosticResult``), one JSON document with the
source, and per diagnostic its location, severity, code with its documentation link, and the fix's edits
as suggestions. Lines and columns are 1-based; columns count UTF-8 bytes, as the format asks."""

from __future__ import annotations

import os

from mplint.diagnostics import Location
from mplint.report.escape import json_dumps
from mplint.report.paths import relative_path
from mplint.report.results import FileResult, ReportOptions, all_diagnostics
from mplint.rules import lookup
from mplint.source import SourceText

SEVERITIES: dict[str, str] = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}
SOURCE = {"name": "mplint"}


def _position(source: SourceText | None, location: Location) -> dict[str, int]:
    column = location.column
    if source is not None and 1 <= location.row <= len(source.lines):
        column = len(source.line(location.row)[: column - 1].encode("utf-8", "surrogatepass")) + 1
    return {"line": location.row, "column": column}


def _range(source: SourceText | None, start: Location, end: Location) -> dict[str, dict[str, int]]:
    return {"start": _position(source, start), "end": _position(source, end)}


def render(results: list[FileResult], options: ReportOptions) -> str:
    diagnostics: list[dict[str, object]] = []
    cwd = os.getcwd()
    for result, diagnostic in all_diagnostics(results):
        rule = lookup(diagnostic.code)
        code: dict[str, str] = {"value": diagnostic.code}
        url = rule.url() if rule is not None else None
        if url is not None:
            code["url"] = url
        entry: dict[str, object] = {
            "message": diagnostic.message,
            "location": {
                "path": relative_path(result.path, cwd),
                "range": _range(result.source, diagnostic.location, diagnostic.end_location),
            },
            "severity": SEVERITIES.get(diagnostic.severity, "UNKNOWN_SEVERITY"),
            "code": code,
        }
        if diagnostic.fix is not None:
            entry["suggestions"] = [
                {"range": _range(result.source, edit.location, edit.end_location), "text": edit.content}
                for edit in diagnostic.fix.edits
            ]
        diagnostics.append(entry)
    document = {"source": SOURCE, "diagnostics": diagnostics}
    return json_dumps(document, indent=2) + "\n"
