"""Reporters: the output formats of ``mplint check``, one module each."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from mplint.report import statistics
from mplint.report.results import FileResult, FixMode, ReportOptions, UnsafeFixes
from mplint.report.summary import fix_summary_lines, summary_lines

Renderer = Callable[[list[FileResult], ReportOptions], str]

# Each format's module, imported when it is used: a run needs one of them.
RENDERERS: dict[str, str] = {
    "full": "full",
    "concise": "concise",
    "grouped": "grouped",
    "json": "json",
    "json-lines": "json_lines",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
    "pylint": "pylint",
    "rdjson": "rdjson",
}
FORMAT_ALIASES: dict[str, str] = {"text": "full"}
TEXT_FORMATS = frozenset({"full", "concise", "grouped"})
"""The formats for people, which end with the summary and print ``--statistics`` as a table."""
JSON_STATISTICS_FORMATS = frozenset({"json", "json-lines"})
OUTPUT_FORMATS: tuple[str, ...] = (*RENDERERS, *FORMAT_ALIASES)
STATISTICS_FORMATS: tuple[str, ...] = tuple(
    name
    for name in OUTPUT_FORMATS
    if FORMAT_ALIASES.get(name, name) in TEXT_FORMATS | JSON_STATISTICS_FORMATS
)


def renderer(name: str) -> Renderer:
    """The render function of the format ``name`` (a key of RENDERERS)."""
    render: Renderer = importlib.import_module(f"mplint.report.{RENDERERS[name]}").render
    return render


def render_report(results: list[FileResult], output_format: str, options: ReportOptions) -> str:
    """The whole report: diagnostics in the chosen format, then the summary for text formats."""
    name = FORMAT_ALIASES.get(output_format, output_format)
    text = renderer(name)(results, options) if options.show_violations else ""
    if name not in TEXT_FORMATS:
        return text
    lines: list[str] = []
    fixes = fix_summary_lines(results, options) if options.show_fixes else []
    if fixes:
        lines.extend(["", *fixes, ""] if options.show_violations else [*fixes, ""])
    if not options.quiet:
        lines.extend(summary_lines(results, options))
    return text + "".join(line + "\n" for line in lines)


def render_statistics(results: list[FileResult], output_format: str, options: ReportOptions) -> str:
    """``--statistics``: counts per rule, as JSON for the JSON formats (one of STATISTICS_FORMATS)."""
    name = FORMAT_ALIASES.get(output_format, output_format)
    if name in TEXT_FORMATS:
        return statistics.render_text(results, options)
    return statistics.render_json(results, options)


__all__ = [
    "OUTPUT_FORMATS",
    "STATISTICS_FORMATS",
    "FileResult",
    "FixMode",
    "ReportOptions",
    "UnsafeFixes",
    "render_report",
    "render_statistics",
]
