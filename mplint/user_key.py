"""The per-user secret that authenticates cache entries, kept outside every checked tree.

A cache directory can come with the checked repository (a committed ``.mplint_cache``): its entries
are believed only when they carry an HMAC made with this key, which only this user's mplint knows. It
lives in the user's cache directory (``$XDG_CACHE_HOME`` when set, else ``~/.cache`` on Linux,
``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows), in ``mplint/cache-key``, readable by
its owner alone. When that file cannot be read or written, a key made for this run is used: the
cache then serves this run only.
"""

from __future__ import annotations

import functools
import os
import secrets
import sys
import tempfile
from pathlib import Path

KEY_BYTES = 32
KEY_FILE = Path("mplint") / "cache-key"


def user_cache_directory() -> Path:
    """Where this user's caches belong."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(configured):
        return Path(configured)
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "")
        if local:
            return Path(local)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    return Path.home() / ".cache"


def _read_key(path: Path) -> bytes | None:
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError):
        return None
    return key if len(key) == KEY_BYTES else None


def _write_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.chmod(temporary, 0o600)
        with os.fdopen(handle, "w", encoding="ascii") as stream:
            stream.write(secrets.token_hex(KEY_BYTES) + "\n")
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


@functools.cache
def cache_key() -> bytes:
    """This user's key (made on first use); a key for this run alone when it cannot be kept."""
    try:
        path = user_cache_directory() / KEY_FILE
    except RuntimeError:  # no home directory
        return secrets.token_bytes(KEY_BYTES)
    key = _read_key(path)
    if key is None:
        try:
            _write_key(path)
        except OSError:
            return secrets.token_bytes(KEY_BYTES)
        # another run may have written its own key at the same moment: the file decides
        key = _read_key(path)
    return key if key is not None else secrets.token_bytes(KEY_BYTES)
