"""mplint's diagnostics and edits as LSP objects, in the client's position encoding."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lsprotocol import types

from mplint.diagnostics import Diagnostic, Edit, Fix
from mplint.rules import lookup
from mplint.rules.base import Rule
from mplint.server.positions import to_lsp_range
from mplint.source import SourceText
from mplint.suppressions import UNUSED_CODE

SOURCE = "mplint"

SEVERITIES: dict[str, types.DiagnosticSeverity] = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def text_edit(edit: Edit, source: SourceText, encoding: str) -> types.TextEdit:
    return types.TextEdit(
        range=to_lsp_range(source, edit.location, edit.end_location, encoding), new_text=edit.content
    )


def text_edits(edits: Iterable[Edit], source: SourceText, encoding: str) -> list[types.TextEdit]:
    return [text_edit(edit, source, encoding) for edit in edits]


def range_json(lsp_range: types.Range) -> dict[str, dict[str, int]]:
    return {
        "start": {"line": lsp_range.start.line, "character": lsp_range.start.character},
        "end": {"line": lsp_range.end.line, "character": lsp_range.end.character},
    }


def fix_data(fix: Fix, source: SourceText, encoding: str) -> dict[str, Any]:
    """The fix as plain JSON data: its title, applicability and LSP text edits."""
    return {
        "title": fix.message,
        "applicability": fix.applicability.value,
        "edits": [
            {"range": range_json(edit.range), "newText": edit.new_text}
            for edit in text_edits(fix.edits, source, encoding)
        ],
    }


def code_description(rule: type[Rule] | None) -> types.CodeDescription | None:
    """The link to the rule's documentation, when there is a rule and mplint knows where its page is."""
    url = rule.url() if rule is not None else None
    return types.CodeDescription(href=url) if url is not None else None


def lsp_diagnostic(diagnostic: Diagnostic, source: SourceText, encoding: str) -> types.Diagnostic:
    """The LSP diagnostic: range, severity, code with its documentation link, message, and the fix
    (with the row a ``# noqa`` comment would suppress it on) in ``data``."""
    rule = lookup(diagnostic.code)
    data: dict[str, Any] = {"name": diagnostic.name, "noqaRow": diagnostic.noqa_row}
    if diagnostic.fix is not None:
        data["fix"] = fix_data(diagnostic.fix, source, encoding)
    return types.Diagnostic(
        range=to_lsp_range(source, diagnostic.location, diagnostic.end_location, encoding),
        message=diagnostic.message,
        severity=SEVERITIES.get(diagnostic.severity, types.DiagnosticSeverity.Error),
        code=diagnostic.code,
        code_description=code_description(rule),
        source=SOURCE,
        tags=[types.DiagnosticTag.Unnecessary] if diagnostic.code == UNUSED_CODE else None,
        data=data,
    )


def lsp_diagnostics(
    diagnostics: Iterable[Diagnostic], source: SourceText, encoding: str
) -> list[types.Diagnostic]:
    return [lsp_diagnostic(diagnostic, source, encoding) for diagnostic in diagnostics]
