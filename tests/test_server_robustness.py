"""The language server fed what a client should not send: broken frames, invalid JSON, messages that are
not JSON-RPC, unknown methods, requests out of the lifecycle, changes to documents that are not open,
positions past the end and bursts of edits. It answers with the errors the protocol prescribes and keeps
serving.

The malformed input is written as raw bytes to ``python -m mplint server``; the rest uses pytest-lsp's
client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import pytest_lsp
from lsp_support import CONFIG, RecordingClient, initialize, open_document, published_for
from lsprotocol import types
from raw_lsp import RawServer, frame, hover, notification, request

from mplint.engine import check_text
from mplint.workspace.selection import default_settings

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_NOT_INITIALIZED = -32002


@pytest.fixture
def raw() -> Iterator[RawServer]:
    server = RawServer()
    try:
        yield server
    finally:
        server.kill()


def test_requests_before_initialize_are_refused(raw: RawServer) -> None:
    raw.send(frame(hover(5)))
    assert raw.error_code(5) == SERVER_NOT_INITIALIZED
    # a notification before initialize is dropped: this document is not open afterwards
    raw.send(
        frame(
            notification(
                "textDocument/didOpen",
                {
                    "textDocument": {
                        "uri": "file:///tmp/early.py",
                        "languageId": "python",
                        "version": 1,
                        "text": "x",
                    }
                },
            )
        )
    )
    raw.initialize()
    assert raw.alive(6)
    assert raw.finish() == 0


def test_invalid_json_gets_a_parse_error_and_the_server_goes_on(raw: RawServer) -> None:
    raw.initialize()
    for index, body in enumerate(
        [
            b'{"jsonrpc": "2.0", "id": 5, "method": ',
            b"\xff\xfe not UTF-8",
            b"",
            b"[" * 100_000 + b"]" * 100_000,
            b'{"jsonrpc": "2.0", "id": 5, "method": "shutdown"} trailing',
        ]
    ):
        raw.send(frame(body))
        assert raw.error_code(None) == PARSE_ERROR
        assert raw.alive(10 + index)
    assert raw.finish() == 0


def test_messages_that_are_not_json_rpc_get_invalid_request(raw: RawServer) -> None:
    raw.initialize()
    for index, (message, msg_id) in enumerate(
        [
            (b"[1, 2, 3]", None),  # a batch: LSP has none
            (b'"just a string"', None),
            (b"42", None),
            (json.dumps({"jsonrpc": "2.0", "id": 7}).encode(), 7),  # neither request nor response
            (json.dumps({"jsonrpc": "1.0", "id": 8, "method": "shutdown"}).encode(), 8),
            (json.dumps({"id": 9, "method": "shutdown"}).encode(), 9),
            (json.dumps({"jsonrpc": "2.0", "id": 11, "method": 3}).encode(), 11),
            (json.dumps({"jsonrpc": "2.0", "id": [1], "method": "x"}).encode(), None),
        ]
    ):
        raw.send(frame(message))
        assert raw.error_code(msg_id) == INVALID_REQUEST
        assert raw.alive(20 + index)
    assert raw.finish() == 0  # none of the messages that named shutdown was taken for it


def test_broken_frames_are_skipped(raw: RawServer) -> None:
    """A header without a usable Content-Length, garbage between messages, a body shorter than its
    length: the frame is lost, never the connection."""
    raw.initialize()
    for index, data in enumerate(
        [
            b"Content-Length: abc\r\n\r\n{}",
            b"Content-Length: -5\r\n\r\n{}",
            b"Content-Type: application/json\r\n\r\n{}",
            b"Content-Length: 99999999999999999999\r\n\r\n{}",
            b"garbage without a header\r\n",
            b"\r\n\r\n\r\n",
            b"random bytes \x00\xff without a line break",
        ]
    ):
        raw.send(data)
        assert raw.alive(30 + index), data
    # A header in another case and spacing is still a header.
    body = json.dumps(hover(39)).encode()
    raw.send(b"content-length:   %d  \r\n\r\n" % len(body) + body)
    assert raw.response(39)["result"] is None
    # A body shorter than announced: it is cut into a parse error, and the next message is found.
    raw.send(b'Content-Length: 5\r\n\r\n{"jsonrpc": "2.0", "id": 40, "method": "shutdown"}')
    assert raw.error_code(None) == PARSE_ERROR
    assert raw.alive(41)
    # A Content-Length longer than the body swallows the start of the next message, not the one after.
    body = json.dumps(notification("initialized")).encode()
    raw.send(b"Content-Length: %d\r\n\r\n" % (len(body) + 20) + body)
    raw.send(frame(hover(42)))
    raw.send(frame(hover(43)))
    assert raw.error_code(None) == PARSE_ERROR
    assert raw.response(43)["result"] is None
    assert raw.finish() == 0


def test_unknown_methods_and_bad_parameters(raw: RawServer) -> None:
    raw.initialize()
    raw.send(frame(request(50, "mplint/unknown", {})))
    assert raw.error_code(50) == METHOD_NOT_FOUND
    raw.send(frame(request(51, "$/unknownRequest", {})))
    assert raw.error_code(51) == METHOD_NOT_FOUND
    raw.send(frame(notification("mplint/unknownNotification")) + frame(notification("$/unknown")))
    raw.send(frame(request(52, "textDocument/hover", {"textDocument": 3})))
    assert raw.error_code(52) == INVALID_PARAMS
    raw.send(frame(request(53, "textDocument/hover", [1, 2])))
    assert raw.error_code(53) == INVALID_PARAMS
    raw.send(frame(notification("textDocument/didOpen", {"textDocument": "nope"})))  # dropped, unanswered
    raw.send(frame(request(54, "textDocument/codeAction", {})))
    assert raw.error_code(54) == INVALID_PARAMS
    assert raw.alive(55)
    assert not [message for message in raw.pending if "id" in message and "method" not in message]
    assert raw.finish() == 0


def test_a_request_named_after_a_notification_is_answered_with_an_error(raw: RawServer) -> None:
    raw.initialize()
    opened = {
        "textDocument": {"uri": "file:///tmp/req.py", "languageId": "python", "version": 1, "text": "x"}
    }
    raw.send(frame(request(56, "textDocument/didOpen", opened)))
    assert raw.error_code(56) == METHOD_NOT_FOUND
    raw.send(frame(request(57, "initialized", {})))
    assert raw.error_code(57) == METHOD_NOT_FOUND
    raw.send(frame(request(58, "$/cancelRequest", {"id": 1})))
    assert raw.error_code(58) == METHOD_NOT_FOUND
    assert raw.alive(59)
    assert raw.finish() == 0


def test_a_second_initialize_is_refused(raw: RawServer) -> None:
    raw.initialize()
    raw.send(frame(request(70, "initialize", {"capabilities": {}})))
    assert raw.error_code(70) == INVALID_REQUEST
    assert raw.alive(71)
    assert raw.finish() == 0


def test_requests_after_shutdown_are_refused(raw: RawServer) -> None:
    raw.initialize()
    raw.send(frame(request(60, "shutdown")))
    assert "result" in raw.response(60)
    raw.send(frame(hover(61)))
    assert raw.error_code(61) == INVALID_REQUEST
    raw.send(frame(notification("exit")))
    assert raw.process.wait(timeout=20) == 0


def test_the_stream_ending_inside_a_message(raw: RawServer) -> None:
    raw.initialize()
    raw.send(b'Content-Length: 500\r\n\r\n{"jsonrpc": "2.0"')
    assert raw.process.stdin is not None
    raw.process.stdin.close()
    assert raw.process.wait(timeout=20) == 1  # gone without a shutdown request: exit code 1


# -- through a real client -------------------------------------------------------------------------

in_module_loop = pytest.mark.asyncio(loop_scope="module")

PROGRAM = """\
from multiprocessing import Process


def work(x):
    print(x)


if __name__ == "__main__":
    p = Process(target=work, args=(1))
    p.start()
    p.join()
"""


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await initialize(lsp_client)
    yield
    await lsp_client.shutdown_session()


def change(
    client: RecordingClient, uri: str, version: int, text: str, start: tuple[int, int], end: tuple[int, int]
) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=start[0], character=start[1]),
                        end=types.Position(line=end[0], character=end[1]),
                    ),
                    text=text,
                )
            ],
        )
    )


async def still_serving(client: RecordingClient, name: str) -> None:
    """Open a fresh document and get its diagnostics: the server is alive and checking."""
    uri = f"file:///tmp/robustness/{name}.py"
    open_document(client, uri, PROGRAM, version=1)
    found = await published_for(client, uri, 1)
    assert [diagnostic.code for diagnostic in found] == ["MPL006"]


@in_module_loop
async def test_changes_saves_and_closes_of_documents_that_are_not_open(client: RecordingClient) -> None:
    uri = "file:///tmp/robustness/never_opened.py"
    change(client, uri, 2, "x = 1\n", (0, 0), (0, 0))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=PROGRAM)],
        )
    )
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    hovered = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0)
        )
    )
    assert hovered is None
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not actions
    await still_serving(client, "after_unopened")
    assert all(params.uri != uri or not params.diagnostics for params in client.published)


@in_module_loop
async def test_positions_past_the_end(client: RecordingClient) -> None:
    uri = "file:///tmp/robustness/positions.py"
    open_document(client, uri, PROGRAM, version=1)
    await published_for(client, uri, 1)
    far = types.Position(line=1_000_000, character=1_000_000)
    past_line = types.Position(line=8, character=10_000)
    for position in (far, past_line, types.Position(line=0, character=2**31 - 1)):
        await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
        )
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=past_line, end=far),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert actions is not None
    # An edit whose range lies past the end appends at the end; one past a line's end, at the line's end.
    change(client, uri, 2, "# appended\n", (500, 0), (600, 7))
    change(client, uri, 3, "  # the end of line 9", (8, 10_000), (8, 20_000))
    text = PROGRAM.replace("args=(1))\n", "args=(1))  # the end of line 9\n") + "# appended\n"
    found = await published_for(client, uri, 3)
    assert [(d.code, d.range.start.line) for d in found] == [("MPL006", 8)]
    assert [d.code for d in check_text(text, "positions.py", default_settings())] == ["MPL006"]
    # A range whose end comes before its start is taken as empty.
    change(client, uri, 4, "", (8, 30), (0, 0))
    await published_for(client, uri, 4)
    await still_serving(client, "after_positions")


@in_module_loop
async def test_a_burst_of_edits(client: RecordingClient) -> None:
    """Typing a program a character at a time, with no pause: the last version's diagnostics are those
    of the whole program, and no older version's diagnostics are published after a newer one's."""
    uri = "file:///tmp/robustness/typed.py"
    open_document(client, uri, "", version=1)
    line, column, version = 0, 0, 1
    for char in PROGRAM:
        version += 1
        change(client, uri, version, char, (line, column), (line, column))
        if char == "\n":
            line, column = line + 1, 0
        else:
            column += 1
    found = await published_for(client, uri, version)
    assert [(d.code, d.range.start.line) for d in found] == [("MPL006", 8)]
    versions = [params.version for params in client.published if params.uri == uri]
    assert versions == sorted(versions)
    assert len(versions) < version  # debounced: far fewer checks than edits

    # Replace the whole text many times over, then ask for hovers and code actions while it settles.
    for step in range(200):
        version += 1
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangeWholeDocument(text=PROGRAM if step % 2 else "import os\n")
                ],
            )
        )
    requests = [
        client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=8, character=33),
            )
        )
        for _ in range(20)
    ]
    for pending in requests:
        await pending
    found = await published_for(client, uri, version)
    assert [d.code for d in found] == ["MPL006"]
    await still_serving(client, "after_burst")
