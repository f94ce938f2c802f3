"""Code actions: a quick fix per fixable diagnostic, "Disable CODE for this line", and
``source.fixAll.mplint``, each as a workspace edit of the document version it was computed for."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from mplint.diagnostics import Applicability, Diagnostic
from mplint.fix_application import is_applicable
from mplint.server.convert import lsp_diagnostic, text_edit
from mplint.server.documents import Document
from mplint.server.positions import to_lsp_position
from mplint.source import SourceText
from mplint.suppressions import add_noqa_edit

QUICK_FIX = types.CodeActionKind.QuickFix
FIX_ALL = "source.fixAll.mplint"
FIX_ALL_TITLE = "mplint: Fix all auto-fixable problems"
APPLICABILITY_SUFFIX: dict[Applicability, str] = {
    Applicability.SAFE: "",
    Applicability.UNSAFE: " (unsafe)",
    Applicability.DISPLAY_ONLY: " (suggestion)",
}


def kind_requested(kind: str, only: Sequence[str] | None) -> bool:
    """Whether the client asked for actions of ``kind`` (``only`` lists kinds and their parents)."""
    if not only:
        return True
    return any(kind == wanted or kind.startswith(wanted + ".") for wanted in only)


def workspace_edit(
    document: Document, edits: Sequence[types.TextEdit], document_changes: bool
) -> types.WorkspaceEdit:
    """The edits as a versioned ``documentChanges`` entry, or as plain ``changes`` for clients
    that do not support versioned edits."""
    if document_changes:
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=document.version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=identifier, edits=list(edits))]
        )
    return types.WorkspaceEdit(changes={document.uri: list(edits)})


def _position_key(position: types.Position) -> tuple[int, int]:
    return (position.line, position.character)


def overlaps(first: types.Range, second: types.Range) -> bool:
    """Whether two ranges share a position (touching counts, so a cursor at an end matches)."""
    return _position_key(first.start) <= _position_key(second.end) and _position_key(
        second.start
    ) <= _position_key(first.end)


def fix_title(diagnostic: Diagnostic) -> str:
    assert diagnostic.fix is not None
    suffix = APPLICABILITY_SUFFIX[diagnostic.fix.applicability]
    return f"mplint ({diagnostic.code}): {diagnostic.fix.message}{suffix}"


def quick_fixes(
    document: Document,
    diagnostics: Sequence[Diagnostic],
    requested: types.Range,
    encoding: str,
    unsafe_fixes: bool,
    document_changes: bool,
) -> list[types.CodeAction]:
    """The fixes of the diagnostics in ``requested``, then one "Disable" action per code and line.

    Safe fixes are preferred, and unsafe ones when unsafe fixes are enabled; suggestions never are."""
    source = document.source
    fixes: list[types.CodeAction] = []
    disables: list[types.CodeAction] = []
    disabled: set[tuple[str, int]] = set()
    for diagnostic in diagnostics:
        lsp = lsp_diagnostic(diagnostic, source, encoding)
        if not overlaps(lsp.range, requested):
            continue
        fix = diagnostic.fix
        if fix is not None and fix.edits:
            edits = [text_edit(edit, source, encoding) for edit in fix.edits]
            fixes.append(
                types.CodeAction(
                    title=fix_title(diagnostic),
                    kind=QUICK_FIX,
                    diagnostics=[lsp],
                    edit=workspace_edit(document, edits, document_changes),
                    is_preferred=is_applicable(fix, unsafe_fixes),
                )
            )
        action = disable_action(document, diagnostic, lsp, encoding, document_changes, disabled)
        if action is not None:
            disables.append(action)
    return fixes + disables


def disable_action(
    document: Document,
    diagnostic: Diagnostic,
    lsp: types.Diagnostic,
    encoding: str,
    document_changes: bool,
    disabled: set[tuple[str, int]],
) -> types.CodeAction | None:
    """ "Disable CODE for this line": a ``# noqa`` comment added to the line, or merged into its own."""
    row = diagnostic.noqa_row
    if row is None or (diagnostic.code, row) in disabled:
        return None
    edit = add_noqa_edit(document.source, row, [diagnostic.code])
    if edit is None:
        return None
    disabled.add((diagnostic.code, row))
    return types.CodeAction(
        title=f"Disable {diagnostic.code} for this line",
        kind=QUICK_FIX,
        diagnostics=[lsp],
        edit=workspace_edit(document, [text_edit(edit, document.source, encoding)], document_changes),
    )


def has_fixes(diagnostics: Sequence[Diagnostic], unsafe_fixes: bool) -> bool:
    """Whether fixing all would apply at least one fix."""
    return any(
        diagnostic.fix is not None and diagnostic.fix.edits and is_applicable(diagnostic.fix, unsafe_fixes)
        for diagnostic in diagnostics
    )


def minimal_edit(before: str, after: str, encoding: str) -> types.TextEdit | None:
    """One edit turning ``before`` into ``after``: the lines between their common first and last lines
    (whole lines, so no edit ever ends between ``\\r`` and ``\\n``). None when they are equal."""
    if before == after:
        return None
    source = SourceText(before)
    limit = min(len(before), len(after))
    prefix = 0
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    start = max(line_start for line_start in source.line_starts if line_start <= prefix)
    suffix = 0
    while suffix < limit - start and before[len(before) - 1 - suffix] == after[len(after) - 1 - suffix]:
        suffix += 1
    end = len(before) - suffix
    end = min([line_start for line_start in source.line_starts if line_start >= end] or [len(before)])
    kept = len(before) - end
    return types.TextEdit(
        range=types.Range(
            start=to_lsp_position(source, source.location_at(start), encoding),
            end=to_lsp_position(source, source.location_at(end), encoding),
        ),
        new_text=after[start : len(after) - kept],
    )


def fix_all_action(
    document: Document,
    fixed_text: str | None,
    encoding: str,
    document_changes: bool,
) -> types.CodeAction:
    """The fix-all action; without ``fixed_text`` it is left for ``codeAction/resolve`` to compute."""
    action = types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL)
    if fixed_text is None:
        action.data = {"uri": document.uri, "version": document.version}
        return action
    edit = minimal_edit(document.text, fixed_text, encoding)
    action.edit = workspace_edit(document, [edit] if edit is not None else [], document_changes)
    return action
