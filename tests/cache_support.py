"""Writing cache entries as mplint writes them: an HMAC-SHA256 of the payload, keyed by this user's
key (or another one, to play an entry someone else made), a line break, then the payload."""

from __future__ import annotations

import hashlib
import hmac

from mplint.user_key import cache_key


def signed(payload: bytes, key: bytes | None = None) -> bytes:
    mac = hmac.new(cache_key() if key is None else key, payload, hashlib.sha256).hexdigest()
    return mac.encode() + b"\n" + payload
