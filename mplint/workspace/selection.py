"""Rule selection from layers of ``select``/``extend-select``/``ignore``, and fix safety overrides,
both resolved as Ruff resolves them: within a layer the more specific selector wins."""

from __future__ import annotations

from collections.abc import Iterable

from mplint.rules import ALL_CODES, BY_CODE, BY_NAME, resolve_selector
from mplint.settings import Settings
from mplint.workspace.config_file import Selection

EXACT = 1000
"""The specificity of a selector naming one rule."""


def specificity(selector: str) -> int:
    """``ALL`` < shorter code prefixes < longer ones < a full code or a rule name."""
    key = selector.strip()
    if key.upper() == "ALL":
        return 0
    if key.upper() in BY_CODE or key.lower() in BY_NAME:
        return EXACT
    return len(key)


def by_specificity(selectors: Iterable[str]) -> dict[int, list[str]]:
    levels: dict[int, list[str]] = {}
    for selector in selectors:
        levels.setdefault(specificity(selector), []).append(selector)
    return levels


def default_settings() -> Settings:
    """The settings of a run without configuration: every rule on, everything else at its default."""
    return Settings(select=frozenset(ALL_CODES))


def resolve_layers(layers: Iterable[Selection], start: Iterable[str] = ALL_CODES) -> frozenset[str]:
    """The enabled codes: ``start`` (all rules unless given), changed by each layer in turn.

    The one selection algorithm: configuration files and their ``extend`` chains, the command
    line, the language server's client settings and the flake8 plugin all resolve through it.
    A layer with ``select`` starts over from its own selection; otherwise it changes the codes
    enabled so far. Within a layer, selectors apply from the least to the most specific, and an
    ``ignore`` beats a ``select`` of the same specificity.
    """
    enabled = set(start)
    for layer in layers:
        enabling = by_specificity((*(layer.select or ()), *layer.extend_select))
        disabling = by_specificity(layer.ignore)
        updates: dict[str, bool] = {}
        for level in sorted({*enabling, *disabling}):
            for selector in enabling.get(level, []):
                updates.update(dict.fromkeys(resolve_selector(selector), True))
            for selector in disabling.get(level, []):
                updates.update(dict.fromkeys(resolve_selector(selector), False))
        if layer.select is not None:
            enabled = set()
        for code, on in updates.items():
            if on:
                enabled.add(code)
            else:
                enabled.discard(code)
    return frozenset(enabled)


def resolve_unfixable(layers: Iterable[Selection]) -> frozenset[str]:
    """The codes whose fixes are dropped, from layers of ``fixable`` (as ``select``),
    ``extend-fixable`` (as ``extend-select``) and ``unfixable`` (as ``ignore``), resolved alike."""
    return frozenset(ALL_CODES) - resolve_layers(layers)


def resolve_fix_safety(safe: Iterable[str], unsafe: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The codes whose fixes become safe and those whose fixes become unsafe.

    The more specific selector wins; at equal specificity, unsafe wins.
    """
    promote = by_specificity(safe)
    demote = by_specificity(unsafe)
    table: dict[str, bool] = {}
    for level in sorted({*promote, *demote}):
        for selector in promote.get(level, []):
            table.update(dict.fromkeys(resolve_selector(selector), True))
        for selector in demote.get(level, []):
            table.update(dict.fromkeys(resolve_selector(selector), False))
    return (
        frozenset(code for code, is_safe in table.items() if is_safe),
        frozenset(code for code, is_safe in table.items() if not is_safe),
    )
