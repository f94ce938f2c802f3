"""Text from outside mplint (file names, messages that quote the checked code, cache entries) made safe
to write: no control character reaches a terminal or a log raw, and no file name stops a report.

For people (the text formats, GitHub, JUnit, Pylint, every message on stderr), ``printable`` writes each
control character (C0 but tab, DEL, C1) and each bidirectional-text control as a backslash escape
(``\\x1b``, ``\\u202e``); a byte of a file name that is not valid in the file system's encoding (which
Python holds as a lone surrogate, U+DC80 to U+DCFF) is written as ``\\xNN``, the byte itself. For
programs (JSON, JSON lines, GitLab, SARIF), ``json_dumps`` writes them (and the line separators U+2028,
U+2029) as JSON ``\\uXXXX`` escapes: a file name's undecodable byte ``NN`` becomes ``\\udcNN``, which
``json.loads`` and ``os.fsencode`` turn back into the original bytes. SARIF names files by URI, whose
percent-encoding keeps the bytes themselves (``%FF``).
"""

from __future__ import annotations

import json
import re

_NOT_PRINTABLE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# json.dumps(ensure_ascii=False) escapes C0 controls itself, and leaves these raw.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that reorder how the text around them is shown."""
_FIRST_UNDECODABLE_BYTE = 0xDC80
_LAST_UNDECODABLE_BYTE = 0xDCFF


def _escape(match: re.Match[str], keep: str = "") -> str:
    if match.group(0) in keep:
        return match.group(0)
    code = ord(match.group(0))
    if _FIRST_UNDECODABLE_BYTE <= code <= _LAST_UNDECODABLE_BYTE:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    """``text`` with control characters and undecodable bytes written as backslash escapes, but for the
    characters in ``keep`` (which the format escapes its own way)."""
    if text.isprintable():
        return text
    return _NOT_PRINTABLE.sub(
        lambda match: match.group(0) if match.group(0) in keep else _escape(match), text
    )


def json_dumps(value: object, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """``value`` as JSON with non-ASCII text kept, and every control character, line separator and lone
    surrogate escaped."""
    text = json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group(0)):04x}", text)
