"""The GitHub Actions format: one ``::error`` workflow command per diagnostic, shown as an annotation."""

from __future__ import annotations

import os

from mplint.report.escape import printable
from mplint.report.paths import absolute_path, relative_path
from mplint.report.results import FileResult, ReportOptions, all_diagnostics


def escape_data(text: str) -> str:
    """A workflow command's message, with the characters GitHub treats specially encoded (line breaks
    as GitHub decodes them, other control characters as in the text formats)."""
    return printable(text, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, where ``:`` and ``,`` are separators too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: list[FileResult], options: ReportOptions) -> str:
    lines: list[str] = []
    cwd = os.getcwd()
    for result, diagnostic in all_diagnostics(results):
        start, end = diagnostic.location, diagnostic.end_location
        properties = ",".join(
            f"{key}={escape_property(str(value))}"
            for key, value in (
                ("title", f"mplint ({diagnostic.code})"),
                ("file", absolute_path(result.path)),
                ("line", start.row),
                ("col", start.column),
                ("endLine", end.row),
                ("endColumn", end.column),
            )
        )
        where = f"{relative_path(result.path, cwd)}:{start.row}:{start.column}"
        message = f"{where}: {diagnostic.code} {diagnostic.message}"
        lines.append(f"::error {properties}::{escape_data(message)}")
    return "".join(line + "\n" for line in lines)
