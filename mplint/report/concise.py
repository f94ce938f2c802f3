"""The concise format: one line per diagnostic, ``path:row:col: CODE [*] message``."""

from __future__ import annotations

from mplint.diagnostics import Diagnostic
from mplint.report.escape import printable
from mplint.report.paths import display_path
from mplint.report.results import FileResult, ReportOptions, fix_applies
from mplint.report.style import BOLD, CYAN, RED, paint


def code_and_message(diagnostic: Diagnostic, options: ReportOptions) -> str:
    """``CODE [*] message``, the ``[*]`` marking a fix that ``--fix`` would apply."""
    color = options.color
    marker = " " + paint("[*]", CYAN, enabled=color) if fix_applies(diagnostic, options.unsafe_fixes) else ""
    return f"{paint(diagnostic.code, BOLD, RED, enabled=color)}{marker} {printable(diagnostic.message)}"


def header(result: FileResult, diagnostic: Diagnostic, options: ReportOptions) -> str:
    """The one-line form of a diagnostic, shared with the full format."""
    location = diagnostic.location
    colon = paint(":", CYAN, enabled=options.color)
    path = paint(display_path(result.path), BOLD, enabled=options.color)
    return (
        f"{path}{colon}{location.row}{colon}{location.column}{colon} {code_and_message(diagnostic, options)}"
    )


def render(results: list[FileResult], options: ReportOptions) -> str:
    lines = [header(result, diagnostic, options) for result in results for diagnostic in result.diagnostics]
    return "".join(line + "\n" for line in lines)
