"""Severities: each rule's default (``error`` for lost data, hangs and crashes, ``warning`` for lifetime
and hygiene), the ``[tool.mplint.severity]`` table resolved by selector specificity, and the severity a
diagnostic is reported with."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from mplint.diagnostics import SEVERITIES, Diagnostic
from mplint.rules import BY_CODE, resolve_selector
from mplint.settings import Settings
from mplint.workspace.selection import by_specificity

ERROR, WARNING, INFO = SEVERITIES


def default_severity(code: str) -> str:
    """The severity a rule has when none is configured."""
    rule = BY_CODE.get(code)
    return rule.severity if rule is not None else ERROR


def resolve_severities(layers: Iterable[Sequence[tuple[str, str]]]) -> tuple[tuple[str, str], ...]:
    """``(code, severity)`` for every code a layer of ``selector = severity`` pairs sets.

    Layers apply in order (configuration files, then the command line); within a layer the more
    specific selector wins (``MPL0`` beats ``ALL``, ``MPL003`` beats ``MPL0``), whatever the order
    of the keys.
    """
    table: dict[str, str] = {}
    for layer in layers:
        levels = by_specificity(selector for selector, _ in layer)
        chosen = dict(layer)
        for level in sorted(levels):
            for selector in levels[level]:
                table.update(dict.fromkeys(resolve_selector(selector), chosen[selector]))
    return tuple(sorted(table.items()))


def severity_of(code: str, settings: Settings) -> str:
    for configured_code, severity in settings.severities:
        if configured_code == code:
            return severity
    return default_severity(code)


def apply_severities(diagnostics: list[Diagnostic], settings: Settings) -> list[Diagnostic]:
    """The diagnostics, each with the severity ``settings`` gives its rule."""
    return [
        diagnostic
        if diagnostic.severity == (severity := severity_of(diagnostic.code, settings))
        else replace(diagnostic, severity=severity)
        for diagnostic in diagnostics
    ]
