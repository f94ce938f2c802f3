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

Plain substring searches (which run at memory speed) pick the candidates; a regular expression then
confirms whole words on those few files only.
"""

from __future__ import annotations

import enum
import re

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
_CALL_NEEDLES = tuple(f"{name}(".encode("ascii") for name in CONSTRUCTORS)
_PACKAGE_TEXT_NEEDLES = tuple(needle.decode("ascii") for needle in _PACKAGE_NEEDLES)
_CALL_TEXT_NEEDLES = tuple(needle.decode("ascii") for needle in _CALL_NEEDLES)
_WORDS = "|".join(PACKAGE_WORDS)
# An import statement at the start of a line (or after a colon or semicolon) that names a package.
_PACKAGES = re.compile(
    rf"(?m)(?:^|[:;])[ \t]*(?:import[ \t]+[^#\n]*?\b(?:{_WORDS})\b|from[ \t]+(?:{_WORDS})\b)"
)
_BARE_CALLS = re.compile(r"(?<![.\w])(?:" + "|".join(CONSTRUCTORS) + r")\(")


class Relevance(enum.Enum):
    """How much of the analysis a file needs."""

    NONE = "none"  # cannot involve multiprocessing: not parsed
    SYNTAX = "syntax"  # calls multiprocessing constructors without importing them: parsed for MPL000 only
    FULL = "full"  # imports a multiprocessing package: fully analysed


def relevance(data: bytes | str) -> Relevance:
    if isinstance(data, bytes):
        package_needles: tuple[bytes | str, ...] = _PACKAGE_NEEDLES
        call_needles: tuple[bytes | str, ...] = _CALL_NEEDLES
    else:
        package_needles = _PACKAGE_TEXT_NEEDLES
        call_needles = _CALL_TEXT_NEEDLES
    if any(needle in data for needle in package_needles):  # type: ignore[operator]
        if _PACKAGES.search(_as_text(data)):
            return Relevance.FULL
    if any(needle in data for needle in call_needles):  # type: ignore[operator]
        if _BARE_CALLS.search(_as_text(data)):
            return Relevance.SYNTAX
    return Relevance.NONE


def _as_text(data: bytes | str) -> str:
    # Only ASCII words are searched for: any 8-bit decoding of bytes will do.
    return data.decode("latin-1") if isinstance(data, bytes) else data


def may_involve_multiprocessing(data: bytes | str) -> bool:
    """False only when the source needs no analysis at all."""
    return relevance(data) is not Relevance.NONE
