"""The JSON Lines format: one compact JSON object per diagnostic, one per line."""

from __future__ import annotations

import json

from mplint.report.json import diagnostic_object
from mplint.report.results import FileResult, ReportOptions


def render(results: list[FileResult], options: ReportOptions) -> str:
    return "".join(
        json.dumps(diagnostic_object(result, diagnostic), sort_keys=True, ensure_ascii=False) + "\n"
        for result in results
        for diagnostic in result.diagnostics
    )
