"""``mplint server``: run the language server over standard input and output."""

from __future__ import annotations

import logging

from mplint.server.app import MplintServer


def run_server(debounce_ms: int) -> int:
    """Serve one client until it asks the server to exit; the exit code follows the LSP rule (0 only
    after a shutdown request)."""
    logging.basicConfig(level=logging.WARNING, format="mplint server: %(levelname)s: %(message)s")
    server = MplintServer(debounce=debounce_ms / 1000)
    server.start_io()
    return 0 if server.shut_down else 1
