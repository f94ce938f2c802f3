"""Configuration: which configuration file governs each file, and the settings it gets there.

The closest ``.mplint.toml``, ``mplint.toml`` or ``pyproject.toml`` with a ``[tool.mplint]`` table in
a file's directory or an ancestor wins; a file outside every configured tree gets the configuration
found from the working directory, else the defaults. Command-line options beat every file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from mplint.settings import ALL_START_METHODS, DEFAULT_MAX_FILE_SIZE, Settings
from mplint.severity import resolve_severities
from mplint.workspace.config_file import (
    ConfigError,
    Options,
    PathGlob,
    PerFileIgnore,
    config_in,
    extended_files,
    read_config,
)
from mplint.workspace.discovery import EXCLUDED_DIRECTORIES
from mplint.workspace.globs import compile_glob
from mplint.workspace.selection import resolve_fix_safety, resolve_layers, resolve_unfixable

__all__ = ["ConfigError", "Project", "Resolver", "resolve_settings"]

DEFAULT_EXCLUDE_ORIGIN = "the default exclusions"


def absolute(path: Path) -> Path:
    """``path`` made absolute and normalized, without resolving symlinks."""
    return Path(os.path.abspath(path))


def default_exclude(root: Path) -> tuple[PathGlob, ...]:
    """The exclusions used when ``exclude`` is not set: the usual tool and build directories."""
    return tuple(
        PathGlob(compile_glob(name), root, DEFAULT_EXCLUDE_ORIGIN) for name in sorted(EXCLUDED_DIRECTORIES)
    )


@dataclass(frozen=True)
class Project:
    """What one configuration file (or none: the defaults) gives the files it governs."""

    config_path: Path | None
    root: Path
    options: Options
    base_settings: Settings
    exclude: tuple[PathGlob, ...]
    _by_ignored: dict[frozenset[str], Settings] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, config_path: Path | None, root: Path, options: Options) -> Project:
        safe, unsafe = resolve_fix_safety(options.extend_safe_fixes, options.extend_unsafe_fixes)
        settings = Settings(
            select=resolve_layers(options.selections),
            unsafe_fixes=bool(options.unsafe_fixes),
            start_methods=options.start_methods or ALL_START_METHODS,
            extend_safe_fixes=safe,
            extend_unsafe_fixes=unsafe,
            unfixable=resolve_unfixable(options.fix_selections),
            severities=resolve_severities(options.severities),
            ignore_noqa=bool(options.ignore_noqa),
            max_file_size=DEFAULT_MAX_FILE_SIZE if options.max_file_size is None else options.max_file_size,
        )
        exclude = default_exclude(root) if options.exclude is None else options.exclude
        return cls(config_path, root, options, settings, exclude + options.extend_exclude)

    @property
    def per_file_ignores(self) -> tuple[PerFileIgnore, ...]:
        return (self.options.per_file_ignores or ()) + self.options.extend_per_file_ignores

    @property
    def respect_gitignore(self) -> bool:
        return self.options.respect_gitignore is not False

    @property
    def force_exclude(self) -> bool:
        return bool(self.options.force_exclude)

    def settings_for(self, path: Path) -> Settings:
        """The settings of the file at ``path`` (absolute): the per-file ignores applied."""
        ignored = frozenset(
            code for entry in self.per_file_ignores if entry.applies_to(path) for code in entry.codes
        )
        if not ignored:
            return self.base_settings
        settings = self._by_ignored.get(ignored)
        if settings is None:
            settings = replace(self.base_settings, select=self.base_settings.select - ignored)
            self._by_ignored[ignored] = settings
        return settings

    def exclusion(self, path: Path, is_dir: bool) -> PathGlob | None:
        """The ``exclude``/``extend-exclude`` glob excluding ``path`` (absolute), or None.

        As in ``.gitignore`` files, the last matching glob decides and a ``!`` glob re-includes.
        """
        name = path.name
        for pattern in reversed(self.exclude):
            glob = pattern.glob
            if glob.name_automaton is not None:  # the common case, kept cheap: the name alone
                hit = (
                    (is_dir or not glob.directory_only)
                    and glob.name_automaton.fullmatch(name)
                    and path != pattern.base
                )
            else:
                hit = pattern.matches(path, is_dir)
            if hit:
                return None if glob.negated else pattern
        return None

    def exclusion_of_named(self, path: Path, is_dir: bool) -> PathGlob | None:
        """Like ``exclusion``, also through the directories holding ``path`` below the root: for
        paths named on the command line, which are not reached by walking."""
        found = self.exclusion(path, is_dir)
        if found is not None:
            return found
        for parent in path.parents:
            if parent == self.root or len(parent.parts) <= len(self.root.parts):
                break
            found = self.exclusion(parent, True)
            if found is not None:
                return found
        return None


class Resolver:
    """Finds and reads configuration files, each once, and gives every path its Project.

    ``config`` names the one file used for all paths (globs then relative to ``cwd``), ``isolated``
    ignores every file; ``overrides`` (the command line) beat whatever a file says.
    """

    def __init__(
        self,
        *,
        config: Path | None = None,
        isolated: bool = False,
        overrides: Options | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.cwd = absolute(cwd or Path.cwd())
        self.overrides = overrides or Options()
        self.fixed = config is not None or isolated
        self._projects: dict[Path | None, Project] = {}
        self._closest: dict[Path, Path | None] = {}
        if isolated:
            self.root_project = self._project(None, self.cwd, Options())
        elif config is not None:
            config_path = absolute(config)
            self.root_project = self._project(config_path, self.cwd, read_config(config_path, base=self.cwd))
        else:
            found = self.closest_config(self.cwd)
            self.root_project = (
                self.project_of_config(found) if found else self._project(None, self.cwd, Options())
            )

    def _project(self, config_path: Path | None, root: Path, options: Options) -> Project:
        project = Project.build(config_path, root, self.overrides.over(options))
        self._projects[config_path] = project
        return project

    def project_of_config(self, config_path: Path) -> Project:
        project = self._projects.get(config_path)
        if project is None:
            project = self._project(config_path, config_path.parent, read_config(config_path))
        return project

    def config_paths(self) -> list[Path]:
        """The configuration files read so far, and those they extend."""
        return [
            path
            for config_path in self._projects
            if config_path is not None
            for path in (config_path, *extended_files(config_path))
        ]

    def closest_config(self, directory: Path) -> Path | None:
        """The configuration file in ``directory`` (absolute) or its closest configured ancestor."""
        # A loop, not recursion: a directory can be nested deeper than Python's recursion limit.
        unresolved: list[Path] = []
        found: Path | None = None
        current = directory
        while True:
            if current in self._closest:
                found = self._closest[current]
                break
            unresolved.append(current)
            found = config_in(current)
            if found is not None or current.parent == current:
                break
            current = current.parent
        for visited in unresolved:
            self._closest[visited] = found
        return found

    def project_for(self, path: Path, is_dir: bool = False) -> Project:
        """The Project governing the file (or the directory's contents) at ``path``."""
        if self.fixed:
            return self.root_project
        path = absolute(path)
        found = self.closest_config(path if is_dir else path.parent)
        return self.project_of_config(found) if found is not None else self.root_project

    def settings_for(self, path: Path) -> Settings:
        return self.project_for(path).settings_for(absolute(path))


def resolve_settings(path: Path) -> Settings:
    """The settings the configuration files give the file at ``path``, without command-line options.

    Raises ConfigError when a configuration file that applies cannot be used.
    """
    return Resolver().settings_for(path)
