"""The JSON Lines format: one compact JSON object per diagnostic, one per line."""

from __future__ import annotations

from mplint.report.escape import json_dumps
from mplint.report.json import diagnostic_object
from mplint.report.results import FileResult, ReportOptions


def render(results: list[FileResult], options: ReportOptions) -> str:
    return "".join(
        json_dumps(diagnostic_object(result, diagnostic), sort_keys=True) + "\n"
        for result in results
        for diagnostic in result.diagnostics
    )
