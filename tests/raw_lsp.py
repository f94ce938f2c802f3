"""A language server client at the byte level: frames written as they are (or broken on purpose) to
``python -m mplint server``, and the server's messages read back by a thread."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


def frame(message: dict[str, Any] | bytes) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def request(msg_id: int, method: str, params: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params if params is not None else {}}


def hover(msg_id: int, uri: str = "file:///tmp/none.py", line: int = 0, character: int = 0) -> dict[str, Any]:
    return request(
        msg_id,
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
    )


class RawServer:
    """``python -m mplint server`` with a byte pipe in and a thread reading its framed messages out."""

    def __init__(self, cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mplint", "server", "--debounce-ms", "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.pending: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            assert length is not None, "the server sent a message without Content-Length"
            self.messages.put(json.loads(stream.read(length)))

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def response(self, msg_id: int | None, timeout: float = 20.0) -> dict[str, Any]:
        """The response to ``msg_id`` (None: the next response with a null id)."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.pending:
                if "method" not in message and message.get("id") == msg_id:
                    self.pending.remove(message)
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no response to {msg_id!r}; got {self.pending}")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if message is None:
                raise AssertionError(f"the server ended before answering {msg_id!r}")
            self.pending.append(message)

    def error_code(self, msg_id: int | None) -> int:
        answer = self.response(msg_id)
        assert "error" in answer, answer
        assert "id" in answer and answer["id"] == msg_id
        return int(answer["error"]["code"])

    def initialize(self) -> None:
        self.send(frame(request(1, "initialize", {"capabilities": {}})) + frame(notification("initialized")))
        assert "result" in self.response(1)

    def alive(self, msg_id: int) -> bool:
        """Whether a valid request sent now is answered."""
        self.send(frame(hover(msg_id)))
        return self.response(msg_id).get("result", "missing") is None

    def finish(self) -> int:
        self.send(frame(request(999_999, "shutdown")) + frame(notification("exit")))
        assert "result" in self.response(999_999)
        return self.process.wait(timeout=20)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
