"""Unified diffs of fixed sources, keeping each line's own line break."""

from __future__ import annotations

import difflib

from mplint.source import split_lines

NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff from ``old`` to ``new``, both labelled with ``path``."""
    out: list[str] = []
    for line in difflib.unified_diff(split_lines(old), split_lines(new), path, path):
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n" + NO_NEWLINE)
    return "".join(out)
