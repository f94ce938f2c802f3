"""The prefilter: a byte-level test that a file cannot involve multiprocessing, so it need not be parsed.

A file can only involve multiprocessing through an import of one of the packages (``multiprocessing``,
``multiprocess``, ``billiard``, ``torch.multiprocessing``, ``concurrent.futures``) or through a name that
one of them could have brought in (``Process``, ``Pool``, ``Manager``...). A file that mentions none of
these words, as whole words, cannot: it is not parsed at all.
"""

from __future__ import annotations

import re

from mplint.model.api import STAR_EXPORTS

_WORDS = sorted({"multiprocessing", "multiprocess", "billiard", "concurrent", *STAR_EXPORTS})
_PATTERN = r"\b(?:" + "|".join(_WORDS) + r")\b"
_BYTES = re.compile(_PATTERN.encode("ascii"))
_TEXT = re.compile(_PATTERN)


def may_involve_multiprocessing(data: bytes | str) -> bool:
    """False only when the source cannot involve multiprocessing."""
    if isinstance(data, bytes):
        return _BYTES.search(data) is not None
    return _TEXT.search(data) is not None
