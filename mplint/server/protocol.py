"""The LSP protocol with mplint's own document synchronization, and the lifecycle rules of the protocol.

pygls keeps a copy of every open document and fails on a change to a document that is not open;
mplint keeps its own (see ``mplint.server.documents``), so the built-in handlers only pass the
notifications on. pygls answers requests sent before ``initialize`` as if it had been received, and
leaves those sent after ``shutdown`` unanswered, and accepts a second ``initialize``; the LSP says to
answer them with errors (-32002, -32600 and -32600), and to drop notifications other than ``exit``
before ``initialize``.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidRequest, JsonRpcServerNotInitialized
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import RPCMessage, RPCNotification, RPCRequest


class MplintProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_received = False

    def handle_message(self, message: RPCMessage) -> None:
        method = getattr(message, "method", None)
        if isinstance(message, RPCRequest):
            if not self.initialize_received and method != types.INITIALIZE:
                self._send_response(
                    message.id,
                    error=JsonRpcServerNotInitialized("the server is not initialized").to_response_error(),
                )
                return
            if self._shutdown:
                self._send_response(
                    message.id,
                    error=JsonRpcInvalidRequest("the server is shutting down").to_response_error(),
                )
                return
            if method == types.INITIALIZE:
                if self.initialize_received:
                    self._send_response(
                        message.id,
                        error=JsonRpcInvalidRequest("initialize was already received").to_response_error(),
                    )
                    return
                self.initialize_received = True
        elif isinstance(message, RPCNotification) and not self.initialize_received and method != types.EXIT:
            return
        super().handle_message(message)

    def _forward(self, method: str, params: Any) -> Generator[Any, Any, None]:
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._forward(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._forward(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._forward(types.TEXT_DOCUMENT_DID_CLOSE, params)
