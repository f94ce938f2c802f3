"""Fix safety overrides: ``extend-safe-fixes`` promotes unsafe fixes, ``extend-unsafe-fixes``
demotes safe ones, display-only fixes stay display-only; and ``unfixable`` rules lose their fixes."""

from __future__ import annotations

from dataclasses import replace

from mplint.diagnostics import Applicability, Diagnostic
from mplint.settings import Settings


def adjust_fix_safety(diagnostics: list[Diagnostic], settings: Settings) -> list[Diagnostic]:
    """The diagnostics with their fixes' applicability changed as ``settings`` asks."""
    if not settings.extend_safe_fixes and not settings.extend_unsafe_fixes:
        return diagnostics
    return [_adjusted(diagnostic, settings) for diagnostic in diagnostics]


def _adjusted(diagnostic: Diagnostic, settings: Settings) -> Diagnostic:
    fix = diagnostic.fix
    if fix is None:
        return diagnostic
    if fix.applicability is Applicability.UNSAFE and diagnostic.code in settings.extend_safe_fixes:
        return replace(diagnostic, fix=replace(fix, applicability=Applicability.SAFE))
    if fix.applicability is Applicability.SAFE and diagnostic.code in settings.extend_unsafe_fixes:
        return replace(diagnostic, fix=replace(fix, applicability=Applicability.UNSAFE))
    return diagnostic


def drop_unfixable(diagnostics: list[Diagnostic], settings: Settings) -> list[Diagnostic]:
    """The diagnostics, those of rules that are not fixable (``fixable``/``unfixable``) without a fix."""
    if not settings.unfixable:
        return diagnostics
    return [
        replace(diagnostic, fix=None)
        if diagnostic.fix is not None and diagnostic.code in settings.unfixable
        else diagnostic
        for diagnostic in diagnostics
    ]
