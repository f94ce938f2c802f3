"""The grouped format (Ruff's): the file name, then each diagnostic as ``row:col CODE [*] message``."""

from __future__ import annotations

from mplint.report.concise import code_and_message
from mplint.report.paths import display_path
from mplint.report.results import FileResult, ReportOptions


def render(results: list[FileResult], options: ReportOptions) -> str:
    lines: list[str] = []
    for result in results:
        if not result.diagnostics:
            continue
        row_width = max(len(str(d.location.row)) for d in result.diagnostics)
        column_width = max(len(str(d.location.column)) for d in result.diagnostics)
        lines.append(f"{display_path(result.path)}:")
        for diagnostic in result.diagnostics:
            location = diagnostic.location
            lines.append(
                f"  {location.row:>{row_width}}:{location.column:<{column_width}} "
                f"{code_and_message(diagnostic, options)}"
            )
        lines.append("")
    return "".join(line + "\n" for line in lines)
