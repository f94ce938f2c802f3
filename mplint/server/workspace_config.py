"""Each document's base settings, read from the workspace's configuration files and cached while those
files stay as they were.

Before every check the cached settings are compared with the files they came from (a few ``stat`` calls):
each configuration file name in every directory from the document up, and from the working directory up,
and the files these extend. So the server notices an edited, added or removed configuration file by itself,
also with a client that never sends ``workspace/didChangeWatchedFiles``; that notification, where the client
sends it, only makes the change show at once in every open document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mplint.settings import Settings
from mplint.workspace.config import ConfigError, absolute, resolve_settings
from mplint.workspace.config_file import CONFIG_NAMES, extended_files
from mplint.workspace.selection import default_settings

CONFIG_FILE_NAMES: tuple[str, ...] = CONFIG_NAMES
"""Files whose change means the base settings must be read again."""

Stamp = tuple[int, int] | None
"""A file's modification time and size, or None when it does not exist (or cannot be read)."""


def is_config_file(path: str) -> bool:
    return Path(path).name in CONFIG_FILE_NAMES


def stamp(path: Path) -> Stamp:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size)


def candidate_files(path: Path) -> list[Path]:
    """Every place a configuration file governing ``path`` may be: each name in each directory above it
    and above the working directory (whose configuration governs the files outside every configured tree),
    with the files that existing ones extend."""
    cwd = absolute(Path.cwd())
    directories = [*path.parent.parents, path.parent, *cwd.parents, cwd]
    candidates = list(dict.fromkeys(directory / name for directory in directories for name in CONFIG_NAMES))
    extended = [extra for found in candidates if found.is_file() for extra in extended_files(found)]
    return list(dict.fromkeys([*candidates, *extended]))


@dataclass(frozen=True)
class Fingerprint:
    """The state of the files some settings were read from."""

    stamps: tuple[tuple[Path, Stamp], ...]

    @classmethod
    def of(cls, files: list[Path]) -> Fingerprint:
        return cls(tuple((file, stamp(file)) for file in files))

    def current(self) -> bool:
        return all(stamp(file) == seen for file, seen in self.stamps)


@dataclass
class WorkspaceConfig:
    """Base settings by document path. A path that is not a file, or a configuration that cannot be
    read, gets the default settings; the error of the latter is kept in ``errors``."""

    cache: dict[str, tuple[Settings, Fingerprint]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def settings_for(self, path: str | None) -> Settings:
        if path is None:
            return default_settings()
        cached = self.cache.get(path)
        if cached is not None and cached[1].current():
            return cached[0]
        fingerprint = Fingerprint.of(candidate_files(absolute(Path(path))))
        try:
            settings = resolve_settings(Path(path))
            self.errors.pop(path, None)
        except ConfigError as exc:
            settings = default_settings()
            self.errors[path] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a failure to read the configuration must not stop the server
            settings = default_settings()
            self.errors[path] = f"{type(exc).__name__}: {exc}"
        self.cache[path] = (settings, fingerprint)
        return settings

    def invalidate(self) -> None:
        self.cache.clear()
        self.errors.clear()
