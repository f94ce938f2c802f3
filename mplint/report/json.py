"""The JSON format: Ruff's schema (an array of diagnostic objects) plus `name` and `severity`."""

from __future__ import annotations

from mplint.diagnostics import Diagnostic
from mplint.report.escape import json_dumps
from mplint.report.paths import absolute_path
from mplint.report.results import FileResult, ReportOptions
from mplint.rules import lookup


def diagnostic_object(result: FileResult, diagnostic: Diagnostic) -> dict[str, object]:
    """One diagnostic in Ruff's JSON shape; positions are 1-based rows and character columns."""
    rule = lookup(diagnostic.code)
    return {
        "cell": None,
        "code": diagnostic.code,
        "end_location": diagnostic.end_location.to_json(),
        "filename": absolute_path(result.path),
        "fix": diagnostic.fix.to_json() if diagnostic.fix is not None else None,
        "location": diagnostic.location.to_json(),
        "message": diagnostic.message,
        "name": diagnostic.name,
        "noqa_row": diagnostic.noqa_row,
        "severity": diagnostic.severity,
        "url": rule.url() if rule is not None else None,
    }


def render(results: list[FileResult], options: ReportOptions) -> str:
    objects = [
        diagnostic_object(result, diagnostic) for result in results for diagnostic in result.diagnostics
    ]
    return json_dumps(objects, indent=2, sort_keys=True) + "\n"
