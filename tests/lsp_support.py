"""Helpers for the language server tests: a recording client, client capabilities, and applying the
server's edits to a text the way an editor does (UTF-16 positions, LSP line breaks)."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [sys.executable, "-m", "mplint", "server", "--debounce-ms", "20"]
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class RecordingClient(LanguageClient):
    """A client that keeps every diagnostics notification (with its version) and registration."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []


# A document with MPL001 (line 5) and MPL002 (the unguarded Pool on line 8), for settings tests.
BOTH = """\
from multiprocessing import Manager, Pool, Process


def test_manager(m):
    m[0]["id"] = 2


with Pool() as pool:
    print(pool.map(abs, range(3)))

if __name__ == "__main__":
    with Manager() as manager:
        m = manager.list()
        m.append({"id": 1})
        p = Process(target=test_manager, args=(m,))
        p.start()
        p.join()
"""


def _publish(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _register(client: RecordingClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _publish,
            types.CLIENT_REGISTER_CAPABILITY: _register,
        },
    )
    return client


CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client)


def capabilities(pull: bool = False, resolve: bool = False, watch: bool = True) -> types.ClientCapabilities:
    """An editor's capabilities: code action literals, versioned workspace edits, Markdown hovers,
    dynamic file watching unless ``watch`` is false (as Neovim 0.7); pulling diagnostics and resolving
    code action edits when asked."""
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(value_set=["quickfix", "source"])
                ),
                is_preferred_support=True,
                data_support=True,
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"])
                if resolve
                else None,
            ),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
            configuration=True,
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
            if watch
            else None,
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True) if pull else None,
        ),
    )


async def initialize(
    client: LanguageClient,
    *,
    pull: bool = False,
    resolve: bool = False,
    watch: bool = True,
    options: Any = None,
) -> types.InitializeResult:
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(pull=pull, resolve=resolve, watch=watch),
            initialization_options=options,
        )
    )


def open_document(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )


def replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the server")
        await asyncio.sleep(0.01)


async def published_for(client: RecordingClient, uri: str, version: int) -> list[types.Diagnostic]:
    """The diagnostics the server publishes for ``version`` of the document."""
    found: list[types.PublishDiagnosticsParams] = []

    def arrived() -> bool:
        found[:] = [params for params in client.published if params.uri == uri and params.version == version]
        return bool(found)

    await wait_until(arrived)
    return list(found[-1].diagnostics)


def _offset(text: str, position: types.Position) -> int:
    """The string index of an LSP position (UTF-16 code units) in ``text``."""
    starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
    if position.line >= len(starts):
        return len(text)
    start = starts[position.line]
    end_match = _LINE_BREAK.search(text, start)
    line = text[start : end_match.start() if end_match else len(text)]
    encoded = line.encode("utf-16-le")[: position.character * 2]
    return start + len(encoded.decode("utf-16-le"))


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """``text`` with the edits applied, all positions referring to the original text."""
    spans = sorted(
        ((_offset(text, edit.range.start), _offset(text, edit.range.end), edit.new_text) for edit in edits),
        reverse=True,
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def document_edits(edit: types.WorkspaceEdit | None, uri: str, version: int) -> list[types.TextEdit]:
    """The text edits of a workspace edit for ``uri``, checking that they are for ``version``."""
    assert edit is not None and edit.document_changes is not None
    edits: list[types.TextEdit] = []
    for change in edit.document_changes:
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.uri == uri
        assert change.text_document.version == version
        edits.extend(edit for edit in change.edits if isinstance(edit, types.TextEdit))
    return edits
