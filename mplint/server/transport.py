"""Reading LSP messages from the client's byte stream, so that malformed input costs one message, never
the connection.

pygls's own reader waits for a header line that is exactly ``Content-Length: N``: after a frame whose
header is broken or whose body is shorter than announced, the next header no longer starts a line and every
later message is lost. This reader takes the next ``Content-Length`` header wherever it starts, skips a
header block without a usable length, and answers as JSON-RPC says: a body that is not JSON with a parse
error (-32700), one that is not a request, notification or response with an invalid request error
(-32600), and a request whose parameters do not fit its method with an invalid params error (-32602).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from lsprotocol.types import METHOD_TO_TYPES
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcParseError,
)
from pygls.protocol import JsonRPCProtocol

logger = logging.getLogger(__name__)

MAX_BODY = 256 * 1024 * 1024
"""The largest message accepted: a larger Content-Length is taken for garbage rather than waited for."""

_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE)


class AsyncReader(Protocol):
    def readline(self) -> Awaitable[bytes]: ...

    def readexactly(self, n: int) -> Awaitable[bytes]: ...


def send_error(protocol: JsonRPCProtocol, msg_id: int | str | None, error: JsonRpcException) -> None:
    """Answer ``msg_id`` with a JSON-RPC error; an id that cannot be known is sent as null, as JSON-RPC
    requires (lsprotocol's message classes would leave it out)."""
    protocol._send_data(
        {"jsonrpc": "2.0", "id": msg_id, "error": {"code": error.code, "message": error.message}}
    )


def is_notification_method(method: str) -> bool:
    """Whether the LSP defines ``method`` as a notification (one that has no response)."""
    types = METHOD_TO_TYPES.get(method)
    return types is not None and types[1] is None


def _message_id(data: dict[str, Any]) -> int | str | None:
    msg_id = data.get("id")
    if isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool):
        return msg_id
    return None


def dispatch(body: bytes, protocol: JsonRPCProtocol, on_error: Callable[[Exception], None]) -> None:
    """Decode one message body and hand it to ``protocol``, answering what cannot be handled."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        send_error(protocol, None, JsonRpcParseError(f"Parse error: {exc}"))
        return
    if not isinstance(data, dict):
        send_error(protocol, None, JsonRpcInvalidRequest("Invalid Request: a message must be a JSON object"))
        return
    msg_id = _message_id(data)
    method = data.get("method")
    is_response = "method" not in data and ("result" in data or "error" in data)
    bad_id = data.get("id") is not None and msg_id is None
    if data.get("jsonrpc") != "2.0" or bad_id or not (isinstance(method, str) or is_response):
        if not is_response:  # a response is never answered
            send_error(protocol, msg_id, JsonRpcInvalidRequest("Invalid Request: not a JSON-RPC 2.0 message"))
        return
    if "id" in data and isinstance(method, str) and is_notification_method(method):
        send_error(
            protocol,
            msg_id,
            JsonRpcMethodNotFound(f"Method not found: {method} is a notification, not a request"),
        )
        return
    try:
        message = protocol.structure_message(data)
    except JsonRpcException as exc:
        if "id" in data and isinstance(method, str):
            send_error(protocol, msg_id, exc)  # a notification with bad parameters is dropped
        logger.warning("cannot read a %s message: %s", method or "response", exc)
        return
    try:
        protocol.handle_message(message)
    except Exception as exc:  # noqa: BLE001 - one message's failure must not stop the server
        logger.exception("cannot handle a %s message", method or "response")
        on_error(exc)


async def serve(
    stop_event: threading.Event,
    reader: AsyncReader,
    protocol: JsonRPCProtocol,
    on_error: Callable[[Exception], None],
) -> None:
    """Read and dispatch messages until the stream ends or ``stop_event`` is set."""
    length: int | None = None
    in_header = False
    while not stop_event.is_set():
        line = await reader.readline()
        if not line:
            return
        match = _CONTENT_LENGTH.search(line)
        if match is not None:
            value = match.group(1).strip()
            length = int(value) if value.isdigit() and int(value) <= MAX_BODY else None
            if length is None:
                logger.warning("ignoring a message with the header %r", line.strip()[:80])
            in_header = True
            continue
        if line.strip():
            if not in_header:
                logger.warning("ignoring bytes outside a message: %r", line.strip()[:80])
            continue  # another header (Content-Type), or garbage before the next header
        if not in_header:
            continue
        in_header = False
        if length is None:
            continue  # a header block without a usable length: its body, if any, is skipped as garbage
        body = await reader.readexactly(length)
        wanted, length = length, None
        if len(body) < wanted:
            return  # the stream ended inside a message
        dispatch(body, protocol, on_error)
