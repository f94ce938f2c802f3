"""The client's settings (``initializationOptions`` and ``workspace/didChangeConfiguration``), and how
they override the settings a document gets from its configuration files.

Keys: ``select``, ``extendSelect``, ``ignore`` (rule selectors, as a list or a comma-separated string),
``unsafeFixes`` (boolean) and ``startMethods`` (some of fork, spawn, forkserver). The settings may also
be wrapped in an ``mplint`` object, as editors send a whole configuration section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from mplint.rules import UnknownSelectorError, resolve_selector
from mplint.settings import ALL_START_METHODS, Settings
from mplint.workspace.config_file import Selection
from mplint.workspace.selection import resolve_layers

SECTION = "mplint"
KEYS = ("select", "extendSelect", "ignore", "unsafeFixes", "startMethods")


class SettingsError(ValueError):
    """The client's settings are invalid; the message says which and why."""


@dataclass(frozen=True)
class ClientSettings:
    """What the client overrides; None (or empty) leaves the configuration files' value."""

    selection: Selection = Selection()
    """The rule selectors, one layer over the configuration files' (as the command line's is)."""
    unsafe_fixes: bool | None = None
    start_methods: tuple[str, ...] | None = None

    def apply(self, base: Settings) -> Settings:
        """``base`` with these overrides; the rule selection resolves as the command line's does over
        the configuration files (a ``select`` starts over, the more specific selector wins)."""
        return replace(
            base,
            select=resolve_layers([self.selection], start=base.select),
            unsafe_fixes=base.unsafe_fixes if self.unsafe_fixes is None else self.unsafe_fixes,
            start_methods=base.start_methods if self.start_methods is None else self.start_methods,
        )


def settings_section(raw: object) -> Mapping[str, object]:
    """The settings object itself: ``raw``, or its ``mplint`` section; empty for None."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SettingsError(f"settings must be an object, not {type(raw).__name__}")
    inner = raw.get(SECTION)
    if isinstance(inner, Mapping):
        return inner
    return raw


def section_in(raw: object) -> Mapping[str, object] | None:
    """The mplint settings within a configuration change: its ``mplint`` object, or the change itself
    when it has mplint's keys; None when it holds nothing for mplint (other tools' settings)."""
    if not isinstance(raw, Mapping):
        return None
    inner = raw.get(SECTION)
    if isinstance(inner, Mapping):
        return inner
    return raw if any(key in raw for key in KEYS) else None


def unknown_keys(raw: object) -> list[str]:
    """The keys of the settings object that mplint does not know."""
    try:
        section = settings_section(raw)
    except SettingsError:
        return []
    return sorted(str(key) for key in section if key not in KEYS)


def _strings(key: str, value: object) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [part.strip() for item in value for part in item.split(",") if part.strip()]
    raise SettingsError(f"`{key}` must be a list of strings or a comma-separated string")


def _selectors(key: str, value: object) -> tuple[str, ...]:
    """The selectors of ``key``, each checked to name a rule, a prefix or ``ALL``."""
    selectors = tuple(_strings(key, value))
    for selector in selectors:
        try:
            resolve_selector(selector)
        except UnknownSelectorError as exc:
            raise SettingsError(f"`{key}`: {exc}") from None
    return selectors


def parse_client_settings(raw: object) -> ClientSettings:
    """Validate and resolve the client's settings; raises SettingsError for a wrong type, an unknown
    rule selector or an unknown start method."""
    section = settings_section(raw)
    select = section.get("select")
    unsafe = section.get("unsafeFixes")
    if unsafe is not None and not isinstance(unsafe, bool):
        raise SettingsError("`unsafeFixes` must be true or false")
    methods_value = section.get("startMethods")
    methods: tuple[str, ...] | None = None
    if methods_value is not None:
        methods = tuple(_strings("startMethods", methods_value))
        unknown = [method for method in methods if method not in ALL_START_METHODS]
        if unknown or not methods:
            raise SettingsError(
                f"`startMethods`: unknown start method {', '.join(unknown) or '(none given)'} "
                f"(expected some of {', '.join(ALL_START_METHODS)})"
            )
    return ClientSettings(
        selection=Selection(
            select=None if select is None else _selectors("select", select),
            extend_select=_selectors("extendSelect", section.get("extendSelect") or []),
            ignore=_selectors("ignore", section.get("ignore") or []),
        ),
        unsafe_fixes=unsafe,
        start_methods=methods,
    )
