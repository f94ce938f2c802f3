"""What the client can do, read once from its capabilities."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types


@dataclass(frozen=True)
class ClientSupport:
    """The client features that change how the server answers."""

    pulls_diagnostics: bool = False
    """Asks for diagnostics with ``textDocument/diagnostic``: none are pushed, so none show twice."""
    refreshes_diagnostics: bool = False
    versioned_edits: bool = False
    resolves_edits: bool = False
    markdown_hover: bool = True
    answers_configuration: bool = False
    watches_files: bool = False

    @classmethod
    def of(cls, capabilities: types.ClientCapabilities) -> ClientSupport:
        document = capabilities.text_document or types.TextDocumentClientCapabilities()
        workspace = capabilities.workspace or types.WorkspaceClientCapabilities()
        code_action = document.code_action
        resolve = code_action.resolve_support if code_action is not None else None
        hover_formats = document.hover.content_format if document.hover is not None else None
        watched = workspace.did_change_watched_files
        return cls(
            pulls_diagnostics=document.diagnostic is not None,
            refreshes_diagnostics=bool(workspace.diagnostics and workspace.diagnostics.refresh_support),
            versioned_edits=bool(workspace.workspace_edit and workspace.workspace_edit.document_changes),
            resolves_edits=resolve is not None and "edit" in resolve.properties,
            markdown_hover=hover_formats is None or types.MarkupKind.Markdown in hover_formats,
            answers_configuration=bool(workspace.configuration),
            watches_files=bool(watched and watched.dynamic_registration),
        )
