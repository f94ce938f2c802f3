"""``mplint server`` as a process: the LSP exit code, and the command line's checks of its options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cli_support import run_cli


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def serve(*messages: dict[str, Any]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mplint", "server"],
        input=b"".join(frame(message) for message in messages),
        capture_output=True,
        timeout=60,
        check=False,
    )


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "initialized", "params": {}}
SHUTDOWN = {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}
EXIT = {"jsonrpc": "2.0", "method": "exit"}


def test_exit_after_shutdown_is_a_success() -> None:
    done = serve(INITIALIZE, INITIALIZED, SHUTDOWN, EXIT)
    assert done.returncode == 0
    assert b'"name": "mplint"' in done.stdout
    assert b'"positionEncoding": "utf-16"' in done.stdout


def test_exit_without_shutdown_is_a_failure() -> None:
    assert serve(INITIALIZE, INITIALIZED, EXIT).returncode == 1


def test_a_negative_debounce_is_a_usage_error(tmp_path: Path) -> None:
    done = run_cli("server", "--debounce-ms", "-5", cwd=tmp_path)
    assert done.returncode == 2
    assert "--debounce-ms must not be negative" in done.stderr
