"""Resolved settings for one file: which rules are on, their severities, which fixes are allowed and how
safe they are, whether ``noqa`` comments count, and the start methods."""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_START_METHODS: tuple[str, ...] = ("fork", "spawn", "forkserver")


DEFAULT_MAX_FILE_SIZE = 10_000_000
"""Sources larger than this many characters are skipped with an error: analysing one takes about 170
bytes of memory per character (docs/robustness.md), so the default bounds a check at about 1.7 GB."""


@dataclass(frozen=True)
class Settings:
    """What a check of one file needs to know beyond its source."""

    select: frozenset[str] = field(default_factory=frozenset)
    unsafe_fixes: bool = False
    start_methods: tuple[str, ...] = ALL_START_METHODS
    extend_safe_fixes: frozenset[str] = field(default_factory=frozenset)
    """Codes whose unsafe fixes are applied as safe ones."""
    extend_unsafe_fixes: frozenset[str] = field(default_factory=frozenset)
    """Codes whose safe fixes are applied only as unsafe ones."""
    unfixable: frozenset[str] = field(default_factory=frozenset)
    """Codes whose fixes are dropped: reported, never fixed (``fixable``/``unfixable``)."""
    severities: tuple[tuple[str, str], ...] = ()
    """``(code, severity)`` for the codes whose severity is configured; the others keep their rule's."""
    ignore_noqa: bool = False
    """Report diagnostics even where a ``noqa`` comment suppresses them."""
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    """The largest source (in characters) that is analysed; 0: no limit (see ``mplint.engine``)."""
