"""What the reporters are given: each file's diagnostics and fixes, and how the run was asked."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from mplint.diagnostics import Applicability, Diagnostic
from mplint.source import SourceText


class UnsafeFixes(enum.Enum):
    """Whether unsafe fixes are applied, and whether to hint at them when they are not."""

    HINT = "hint"
    ENABLED = "enabled"
    DISABLED = "disabled"


class FixMode(enum.Enum):
    """What happens to fixes: only reported, applied to the files, or shown as a diff."""

    GENERATE = "generate"
    APPLY = "apply"
    DIFF = "diff"


@dataclass(frozen=True)
class FileResult:
    """The outcome for one file: the diagnostics left, and those whose fix was applied."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    source: SourceText | None = None
    fixed: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class ReportOptions:
    """The flags of the run that change what a report says."""

    unsafe_fixes: UnsafeFixes = UnsafeFixes.HINT
    fix_mode: FixMode = FixMode.GENERATE
    show_violations: bool = True
    show_fixes: bool = False
    quiet: bool = False
    errors: int = 0
    """How many files or paths could not be checked (reported on stderr as they happened)."""
    color: bool = False
    """Whether the text formats use ANSI colours."""


def fix_applies(diagnostic: Diagnostic, unsafe_fixes: UnsafeFixes) -> bool:
    """Whether the diagnostic's fix would be applied with ``--fix`` under these flags."""
    fix = diagnostic.fix
    if fix is None:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return fix.applicability is Applicability.UNSAFE and unsafe_fixes is UnsafeFixes.ENABLED


def hidden_unsafe(diagnostic: Diagnostic, unsafe_fixes: UnsafeFixes) -> bool:
    """Whether the diagnostic has an unsafe fix that ``--unsafe-fixes`` would enable."""
    fix = diagnostic.fix
    return (
        fix is not None
        and fix.applicability is Applicability.UNSAFE
        and unsafe_fixes is not UnsafeFixes.ENABLED
    )


def all_diagnostics(results: Iterable[FileResult]) -> list[tuple[FileResult, Diagnostic]]:
    return [(result, diagnostic) for result in results for diagnostic in result.diagnostics]
