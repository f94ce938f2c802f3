"""The language server's wiring: LSP requests and notifications to the document store, the linter,
code actions, hover and settings."""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from mplint import __version__
from mplint.fixer import fix_text
from mplint.server.client import ClientSupport
from mplint.server.code_actions import (
    FIX_ALL,
    QUICK_FIX,
    fix_all_action,
    has_fixes,
    kind_requested,
    quick_fixes,
)
from mplint.server.convert import SOURCE, lsp_diagnostics
from mplint.server.documents import Document
from mplint.server.hover import hover
from mplint.server.linting import CheckResult, Linter
from mplint.server.positions import UTF16
from mplint.server.protocol import MplintProtocol
from mplint.server.settings import (
    SECTION,
    ClientSettings,
    SettingsError,
    parse_client_settings,
    section_in,
    unknown_keys,
)
from mplint.server.transport import serve
from mplint.server.workspace_config import CONFIG_FILE_NAMES, WorkspaceConfig, is_config_file
from mplint.settings import Settings

DEFAULT_DEBOUNCE = 0.15
"""Seconds to wait after a change before checking, so that typing does not start a check per key."""

SERVER_CANCELLED = -32802
WATCHER_REGISTRATION_ID = "mplint-config-files"


class MplintServer(LanguageServer):
    """``mplint server``: diagnostics pushed (or pulled, for clients that pull), code actions, hover."""

    def __init__(self, debounce: float = DEFAULT_DEBOUNCE) -> None:
        super().__init__(
            name="mplint",
            version=__version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=MplintProtocol,
        )
        self.encoding: str = UTF16
        self.client = ClientSupport()
        self.client_settings = ClientSettings()
        self.config = WorkspaceConfig()
        self.reported_errors: set[str] = set()
        self.shut_down = False
        self.linter = Linter(self.settings_for, self.publish, debounce)
        self._register()

    # -- transport

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over standard input and output with mplint's reader (see ``mplint.server.transport``)."""
        self._stop_event = stop_event = threading.Event()
        reader = StdinAsyncReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(serve(stop_event, reader, self.protocol, self._report_transport_error))
        except BrokenPipeError:
            logging.getLogger(__name__).error("the connection to the client is lost")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    def _report_transport_error(self, error: Exception) -> None:
        self._report_server_error(error, JsonRpcException)

    # -- settings

    def settings_for(self, document: Document) -> Settings:
        """The document's configuration files' settings, overridden by the client's."""
        path = document.path if document.is_file else None
        base = self.config.settings_for(path)
        if path is not None and path in self.config.errors:
            self.report_once(f"mplint: cannot read the configuration for {path}: {self.config.errors[path]}")
        return self.client_settings.apply(base)

    def report_once(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        if message not in self.reported_errors:
            self.reported_errors.add(message)
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def update_settings(self, raw: object) -> bool:
        """Take the client's new settings; on an error, say so and keep the old ones."""
        try:
            self.client_settings = parse_client_settings(raw)
        except SettingsError as exc:
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Error, message=f"mplint: invalid settings: {exc}"
                )
            )
            return False
        unknown = unknown_keys(raw)
        if unknown:
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning,
                    message=f"mplint: unknown settings ignored: {', '.join(unknown)}",
                )
            )
        return True

    def settings_changed(self) -> None:
        """Every result is stale: check the open documents again, or ask the client to pull again."""
        self.linter.invalidate()
        self.reported_errors.clear()
        if self.client.pulls_diagnostics:
            if self.client.refreshes_diagnostics:
                self.workspace_diagnostic_refresh(None)
            return
        for document in self.linter.documents:
            self.linter.schedule(document.uri, delay=0)

    # -- publishing

    def publish(self, result: CheckResult) -> None:
        if self.client.pulls_diagnostics:
            return
        document = result.document
        if result.error is not None:
            self.report_once(f"mplint: {result.error}")
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.uri,
                diagnostics=lsp_diagnostics(result.diagnostics, document.source, self.encoding),
                version=document.version,
            )
        )

    async def current_result(self, uri: str) -> CheckResult | None:
        """The result for the document's latest version, re-checked while it keeps changing."""
        for _ in range(5):
            document = self.linter.documents.get(uri)
            if document is None:
                return None
            result = await self.linter.result(document)
            if self.linter.is_current(document, result.generation):
                return result
        raise JsonRpcException(
            "the document kept changing while it was checked", SERVER_CANCELLED, {"retriggerRequest": True}
        )

    # -- handlers

    def _on(self, method: str, options: Any = None) -> Callable[[Callable[[Any], Any]], None]:
        """Register a bound method as the handler of ``method`` (pygls marks handlers with attributes,
        which bound methods cannot carry, so each gets a plain function of its own)."""

        def register(handler: Callable[[Any], Any]) -> None:
            if inspect.iscoroutinefunction(handler):

                async def run_async(params: Any) -> Any:
                    return await handler(params)

                self.feature(method, options)(run_async)
                return

            def run(params: Any) -> Any:
                return handler(params)

            self.feature(method, options)(run)

        return register

    def _register(self) -> None:
        self._on(types.INITIALIZE)(self.initialize)
        self._on(types.INITIALIZED)(self.initialized)
        self._on(types.SHUTDOWN)(self.on_shutdown)
        self._on(types.TEXT_DOCUMENT_DID_OPEN)(self.did_open)
        self._on(types.TEXT_DOCUMENT_DID_CHANGE)(self.did_change)
        self._on(types.TEXT_DOCUMENT_DID_SAVE)(self.did_save)
        self._on(types.TEXT_DOCUMENT_DID_CLOSE)(self.did_close)
        self._on(
            types.TEXT_DOCUMENT_DIAGNOSTIC,
            types.DiagnosticOptions(
                identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False
            ),
        )(self.pull_diagnostics)
        self._on(
            types.TEXT_DOCUMENT_CODE_ACTION,
            types.CodeActionOptions(code_action_kinds=[QUICK_FIX, FIX_ALL], resolve_provider=True),
        )(self.code_action)
        self._on(types.CODE_ACTION_RESOLVE)(self.resolve_code_action)
        self._on(types.TEXT_DOCUMENT_HOVER)(self.hover)
        self._on(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(self.did_change_configuration)
        self._on(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(self.did_change_watched_files)

    def initialize(self, params: types.InitializeParams) -> None:
        self.encoding = str(ServerCapabilitiesBuilder.choose_position_encoding(params.capabilities))
        self.client = ClientSupport.of(params.capabilities)
        if params.initialization_options is not None:
            self.update_settings(params.initialization_options)

    def initialized(self, params: types.InitializedParams) -> None:
        if not self.client.watches_files:
            return
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_FILE_NAMES]
        self.client_register_capability(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id=WATCHER_REGISTRATION_ID,
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                    )
                ]
            )
        )

    def on_shutdown(self, params: None) -> None:
        self.shut_down = True
        self.linter.shutdown()

    def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        self.linter.documents.open(item.uri, item.text, item.version)
        if not self.client.pulls_diagnostics:
            self.linter.schedule(item.uri, delay=0)

    def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        identifier = params.text_document
        changed = self.linter.documents.change(
            identifier.uri, identifier.version, list(params.content_changes), self.encoding
        )
        if changed is not None and not self.client.pulls_diagnostics:
            self.linter.schedule(identifier.uri)

    def did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        if (
            self.linter.documents.get(params.text_document.uri) is not None
            and not self.client.pulls_diagnostics
        ):
            self.linter.schedule(params.text_document.uri, delay=0)

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        was_open = self.linter.documents.get(uri) is not None
        self.linter.close(uri)
        if was_open and not self.client.pulls_diagnostics:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def pull_diagnostics(
        self, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        result = await self.current_result(params.text_document.uri)
        if result is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        if result.error is not None:
            self.report_once(f"mplint: {result.error}")
        if params.previous_result_id == result.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result.result_id)
        document = result.document
        return types.RelatedFullDocumentDiagnosticReport(
            items=lsp_diagnostics(result.diagnostics, document.source, self.encoding),
            result_id=result.result_id,
        )

    async def code_action(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        result = await self.current_result(params.text_document.uri)
        if result is None:
            return None
        document = result.document
        only = params.context.only
        unsafe = result.settings.unsafe_fixes
        actions: list[types.CodeAction] = []
        if kind_requested(QUICK_FIX, only):
            actions += quick_fixes(
                document, result.diagnostics, params.range, self.encoding, unsafe, self.client.versioned_edits
            )
        if kind_requested(FIX_ALL, only) and has_fixes(result.diagnostics, unsafe):
            fixed = None if self.client.resolves_edits else await self.fixed_text(result)
            actions.append(fix_all_action(document, fixed, self.encoding, self.client.versioned_edits))
        return actions

    async def fixed_text(self, result: CheckResult) -> str:
        """The document with every applicable fix applied, computed in the worker thread."""
        document, settings = result.document, result.settings
        loop = asyncio.get_running_loop()
        fixed = await loop.run_in_executor(
            self.linter.executor, fix_text, document.text, document.path, settings, settings.unsafe_fixes
        )
        return fixed.text

    async def resolve_code_action(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        if action.kind != FIX_ALL or not isinstance(uri, str):
            return action
        result = await self.current_result(uri)
        if result is None:
            return action
        fixed = await self.fixed_text(result)
        return fix_all_action(result.document, fixed, self.encoding, self.client.versioned_edits)

    async def hover(self, params: types.HoverParams) -> types.Hover | None:
        result = await self.current_result(params.text_document.uri)
        if result is None:
            return None
        return hover(
            result.document, result.diagnostics, params.position, self.encoding, self.client.markdown_hover
        )

    async def did_change_configuration(self, params: types.DidChangeConfigurationParams) -> None:
        """Take the ``mplint`` settings the notification carries, or else those the client answers
        for the ``mplint`` section; with neither, the settings stay as they are."""
        section = section_in(params.settings)
        if section is None and self.client.answers_configuration:
            answers = await self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            )
            section = answers[0] if answers and answers[0] is not None else None
        if section is not None and self.update_settings(section):
            self.settings_changed()

    def did_change_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [to_fs_path(change.uri) or change.uri for change in params.changes]
        if any(is_config_file(path) for path in paths):
            self.config.invalidate()
            self.settings_changed()
