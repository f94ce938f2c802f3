"""The Pylint format: ``path:row: [CODE] message``, one line per diagnostic."""

from __future__ import annotations

from mplint.report.escape import printable
from mplint.report.paths import display_path
from mplint.report.results import FileResult, ReportOptions, all_diagnostics


def render(results: list[FileResult], options: ReportOptions) -> str:
    return "".join(
        f"{display_path(result.path)}:{diagnostic.location.row}: "
        f"[{diagnostic.code}] {printable(diagnostic.message)}\n"
        for result, diagnostic in all_diagnostics(results)
    )
