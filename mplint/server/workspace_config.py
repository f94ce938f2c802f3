"""Each document's base settings, read from the workspace's configuration files and cached until a
configuration file changes."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mplint.settings import Settings

CONFIG_FILE_NAMES: tuple[str, ...] = ("pyproject.toml", "mplint.toml", ".mplint.toml")
"""Files whose change means the base settings must be read again."""

Resolver = Callable[[Path], Settings]


def config_resolver() -> Resolver | None:
    """``mplint.config.resolve_settings`` when this installation has it."""
    try:
        module = importlib.import_module("mplint.config")
    except ImportError:
        return None
    resolve = getattr(module, "resolve_settings", None)
    return resolve if callable(resolve) else None


def is_config_file(path: str) -> bool:
    return Path(path).name in CONFIG_FILE_NAMES


@dataclass
class WorkspaceConfig:
    """Base settings by document path. A path that is not a file, or a configuration that cannot be
    read, gets the default settings; the error of the latter is kept in ``errors``."""

    resolve: Resolver | None = field(default_factory=config_resolver)
    cache: dict[str, Settings] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def settings_for(self, path: str | None) -> Settings:
        if path is None or self.resolve is None:
            return Settings.default()
        cached = self.cache.get(path)
        if cached is not None:
            return cached
        try:
            settings = self.resolve(Path(path))
            self.errors.pop(path, None)
        except Exception as exc:  # noqa: BLE001 - a broken configuration file must not stop the server
            settings = Settings.default()
            self.errors[path] = f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)
        self.cache[path] = settings
        return settings

    def invalidate(self) -> None:
        self.cache.clear()
        self.errors.clear()
