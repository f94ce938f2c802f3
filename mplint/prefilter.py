"""The prefilter: a byte-level test of how much of mplint a file can need, so that most files are not
parsed at all.

The model resolves names to multiprocessing only through import statements of one of the packages
(``multiprocessing``, ``multiprocess``, ``billiard``, ``torch.multiprocessing``, ``concurrent.futures``),
star imports included: a file without such an import statement (``import multiprocessing as mp``,
``from concurrent.futures import ...``, ``from torch import multiprocessing``...) cannot get any
diagnostic from the rules. (An import continued over a backslash line break is the one spelling this
test misses.) Such a file is still parsed for MPL000 when it calls one of the main constructors those
packages export (``Process(``, ``Pool(``, ``Manager(``, ``Pipe(``...) without an attribute dot
before it, as code pasted without its imports does; any other file is not parsed at all.

Plain substring searches (which run at memory speed) find the candidate lines; a regular expression then
confirms whole words on those few lines only.
"""

from __future__ import annotations

import enum
import re
from typing import TypeVar

PACKAGE_WORDS = ("multiprocessing", "multiprocess", "billiard", "concurrent", "torch")
CONSTRUCTORS = (
    "Process",
    "Pool",
    "Manager",
    "Queue",
    "SimpleQueue",
    "JoinableQueue",
    "Pipe",
    "Value",
    "Array",
)

_PACKAGE_NEEDLES = tuple(word.encode("ascii") for word in ("multiprocess", "billiard", "concurrent", "torch"))
# ``Queue(`` also finds ``SimpleQueue(`` and ``JoinableQueue(``: each call the regex below confirms holds one.
_CALL_NEEDLES = tuple(
    f"{name}(".encode("ascii") for name in CONSTRUCTORS if name not in ("SimpleQueue", "JoinableQueue")
)
_PACKAGE_TEXT_NEEDLES = tuple(needle.decode("ascii") for needle in _PACKAGE_NEEDLES)
_CALL_TEXT_NEEDLES = tuple(needle.decode("ascii") for needle in _CALL_NEEDLES)
_WORDS = "|".join(PACKAGE_WORDS)
# An import statement at the start of a line (or after a colon or semicolon) that names a package.
_PACKAGES = re.compile(
    rf"(?m)(?:^|[:;])[ \t]*(?:import[ \t]+[^#\n]*?\b(?:{_WORDS})\b|from[ \t]+(?:{_WORDS})\b)"
)
_BARE_CALLS = re.compile(r"(?<![.\w])(?:" + "|".join(CONSTRUCTORS) + r")\(")


_Text = TypeVar("_Text", bytes, str)


class Relevance(enum.Enum):
    """How much of the analysis a file needs."""

    NONE = "none"  # cannot involve multiprocessing: not parsed
    SYNTAX = "syntax"  # calls multiprocessing constructors without importing them: parsed for MPL000 only
    FULL = "full"  # imports a multiprocessing package: fully analysed


def relevance(data: bytes | str) -> Relevance:
    if isinstance(data, bytes):
        if _any_line_matches(data, _PACKAGE_NEEDLES, b"\n", _PACKAGES):
            return Relevance.FULL
        if _any_line_matches(data, _CALL_NEEDLES, b"\n", _BARE_CALLS):
            return Relevance.SYNTAX
        return Relevance.NONE
    if _any_line_matches(data, _PACKAGE_TEXT_NEEDLES, "\n", _PACKAGES):
        return Relevance.FULL
    if _any_line_matches(data, _CALL_TEXT_NEEDLES, "\n", _BARE_CALLS):
        return Relevance.SYNTAX
    return Relevance.NONE


def _any_line_matches(
    data: _Text, needles: tuple[_Text, ...], newline: _Text, pattern: re.Pattern[str]
) -> bool:
    """Whether ``pattern`` matches a line of ``data`` that holds one of ``needles``.

    Both patterns above match within one line and every match holds a needle, so searching the lines
    the needles are on (found at memory speed) gives the same answer as searching the whole text.
    """
    for needle in needles:
        start = data.find(needle)
        while start >= 0:
            line_start = data.rfind(newline, 0, start) + 1
            line_end = data.find(newline, start)
            if line_end < 0:
                line_end = len(data)
            if pattern.search(_as_text(data[line_start:line_end])):
                return True
            start = data.find(needle, line_end)
    return False


def _as_text(data: bytes | str) -> str:
    # Only ASCII words are searched for: any 8-bit decoding of bytes will do.
    return data.decode("latin-1") if isinstance(data, bytes) else data


def may_involve_multiprocessing(data: bytes | str) -> bool:
    """False only when the source needs no analysis at all."""
    return relevance(data) is not Relevance.NONE
