"""Each document's base settings, read from the workspace's configuration files and cached until a
configuration file changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mplint.config import ConfigError, resolve_settings
from mplint.config_file import CONFIG_NAMES
from mplint.settings import Settings

CONFIG_FILE_NAMES: tuple[str, ...] = CONFIG_NAMES
"""Files whose change means the base settings must be read again."""


def is_config_file(path: str) -> bool:
    return Path(path).name in CONFIG_FILE_NAMES


@dataclass
class WorkspaceConfig:
    """Base settings by document path. A path that is not a file, or a configuration that cannot be
    read, gets the default settings; the error of the latter is kept in ``errors``."""

    cache: dict[str, Settings] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def settings_for(self, path: str | None) -> Settings:
        if path is None:
            return Settings.default()
        cached = self.cache.get(path)
        if cached is not None:
            return cached
        try:
            settings = resolve_settings(Path(path))
            self.errors.pop(path, None)
        except ConfigError as exc:
            settings = Settings.default()
            self.errors[path] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a failure to read the configuration must not stop the server
            settings = Settings.default()
            self.errors[path] = f"{type(exc).__name__}: {exc}"
        self.cache[path] = settings
        return settings

    def invalidate(self) -> None:
        self.cache.clear()
        self.errors.clear()
