"""Reading one configuration file: ``[tool.mplint]`` in ``pyproject.toml``, or the top level of
``mplint.toml`` / ``.mplint.toml``; every key validated, and ``extend`` followed."""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mplint.diagnostics import SEVERITIES
from mplint.reading import read_regular_file
from mplint.report import OUTPUT_FORMATS
from mplint.report.paths import display_path
from mplint.rules import UnknownSelectorError, resolve_selector
from mplint.settings import ALL_START_METHODS
from mplint.workspace.globs import Glob, GlobError, compile_glob

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
CONFIG_NAMES: tuple[str, ...] = (".mplint.toml", "mplint.toml", PYPROJECT)
"""The configuration file names, in the order they are looked for in one directory."""


class ConfigError(Exception):
    """A configuration file that cannot be used; the message is one line and names the file."""


class NotTomlError(ValueError):
    """A ``--config`` value that is not TOML (the message says why)."""


@dataclass(frozen=True)
class Selection:
    """One layer of rule selection, from one configuration file or from the command line."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathGlob:
    """A glob relative to ``base``, and where it was written (a file name or a flag)."""

    glob: Glob
    base: Path
    origin: str

    def matches(self, path: Path, is_dir: bool) -> bool:
        """Whether the absolute, normalized ``path`` matches; outside ``base`` only its name is matched."""
        if path == self.base:
            return False
        if self.glob.name_automaton is not None:
            return self.glob.matches_name(path.name, is_dir)
        relative = relative_posix(path, self.base)
        return self.glob.matches(path.name if relative is None else relative, is_dir)


def relative_posix(path: Path, base: Path) -> str | None:
    """``path`` relative to ``base`` with ``/`` separators, or None when it is not below ``base``
    (both absolute and normalized)."""
    prefix = str(base).rstrip(os.sep) + os.sep
    text = str(path)
    if not text.startswith(prefix):
        return None
    relative = text[len(prefix) :]
    return relative if os.sep == "/" else relative.replace(os.sep, "/")


@dataclass(frozen=True)
class PerFileIgnore:
    """Codes ignored in the files a glob matches (or, for a ``!`` glob, does not match)."""

    glob: PathGlob
    codes: frozenset[str]
    selectors: tuple[str, ...]

    def applies_to(self, path: Path) -> bool:
        """Whether ``path`` (absolute) or a directory holding it matches, negation included."""
        matched = self.glob.matches(path, is_dir=False) or any(
            self.glob.matches(parent, is_dir=True) for parent in _parents_below(path, self.glob.base)
        )
        return matched != self.glob.glob.negated


def _parents_below(path: Path, base: Path) -> list[Path]:
    parents: list[Path] = []
    for parent in path.parents:
        if parent == base or len(parent.parts) <= len(base.parts):
            break
        parents.append(parent)
    return parents


@dataclass(frozen=True)
class Options:
    """What a configuration file (after following ``extend``) or the command line sets.

    None, or an empty tuple for the keys that accumulate, means the key was not given.
    """

    path: Path | None = None
    selections: tuple[Selection, ...] = ()
    per_file_ignores: tuple[PerFileIgnore, ...] | None = None
    exclude: tuple[PathGlob, ...] | None = None
    extend_exclude: tuple[PathGlob, ...] = ()
    respect_gitignore: bool | None = None
    force_exclude: bool | None = None
    unsafe_fixes: bool | None = None
    extend_safe_fixes: tuple[str, ...] = ()
    extend_unsafe_fixes: tuple[str, ...] = ()
    output_format: str | None = None
    start_methods: tuple[str, ...] | None = None
    fix_selections: tuple[Selection, ...] = ()
    """Layers of ``fixable`` (as ``select``), ``extend-fixable`` and ``unfixable`` (as ``ignore``)."""
    severities: tuple[tuple[tuple[str, str], ...], ...] = ()
    """Layers of ``[severity]`` tables: ``(selector, severity)`` pairs."""
    extend_per_file_ignores: tuple[PerFileIgnore, ...] = ()
    ignore_noqa: bool | None = None
    fix: bool | None = None
    baseline: Path | None = None
    max_file_size: int | None = None

    def over(self, base: Options) -> Options:
        """These options layered over ``base``: keys set here win, the ``extend-*`` keys and the
        rule selections accumulate (``base`` first)."""

        def pick(mine: Any, theirs: Any) -> Any:
            return theirs if mine is None else mine

        return Options(
            path=pick(self.path, base.path),
            selections=base.selections + self.selections,
            per_file_ignores=pick(self.per_file_ignores, base.per_file_ignores),
            exclude=pick(self.exclude, base.exclude),
            extend_exclude=base.extend_exclude + self.extend_exclude,
            respect_gitignore=pick(self.respect_gitignore, base.respect_gitignore),
            force_exclude=pick(self.force_exclude, base.force_exclude),
            unsafe_fixes=pick(self.unsafe_fixes, base.unsafe_fixes),
            extend_safe_fixes=base.extend_safe_fixes + self.extend_safe_fixes,
            extend_unsafe_fixes=base.extend_unsafe_fixes + self.extend_unsafe_fixes,
            output_format=pick(self.output_format, base.output_format),
            start_methods=pick(self.start_methods, base.start_methods),
            fix_selections=base.fix_selections + self.fix_selections,
            severities=base.severities + self.severities,
            extend_per_file_ignores=base.extend_per_file_ignores + self.extend_per_file_ignores,
            ignore_noqa=pick(self.ignore_noqa, base.ignore_noqa),
            fix=pick(self.fix, base.fix),
            baseline=pick(self.baseline, base.baseline),
            max_file_size=pick(self.max_file_size, base.max_file_size),
        )


def load_toml(path: Path) -> dict[str, Any]:
    """The parsed file; ConfigError when it cannot be read or is not valid TOML."""
    try:
        data = read_regular_file(path)
    except OSError as exc:
        raise ConfigError(f"{display_path(str(path))}: cannot read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{display_path(str(path))}: invalid TOML: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{display_path(str(path))}: invalid TOML: {exc}") from None


def is_config_file(path: Path) -> bool:
    """Whether the file configures mplint: any ``mplint.toml``, a ``pyproject.toml`` only with a
    ``[tool.mplint]`` table."""
    if path.name != PYPROJECT:
        return True
    tool = load_toml(path).get("tool")
    return isinstance(tool, dict) and "mplint" in tool


def config_in(directory: Path) -> Path | None:
    """The configuration file of ``directory`` itself, if it has one."""
    for name in CONFIG_NAMES:
        candidate = directory / name
        if candidate.is_file() and is_config_file(candidate):
            return candidate
    return None


def read_config(path: Path, base: Path | None = None) -> Options:
    """The options of the configuration file at ``path`` (absolute), ``extend`` followed.

    Globs are relative to ``base`` when given, else to the directory of the file writing them. The
    chain of ``extend`` is followed in a loop, however long it is, and a file met twice is an error.
    """
    chain: list[Path] = []
    seen: set[Path] = set()
    layers: list[Options] = []
    current: Path | None = path
    while current is not None:
        real = Path(os.path.realpath(current))
        if real in seen:
            raise ConfigError(f"circular extend: {_cycle(chain[chain.index(real) :], real)}")
        chain.append(real)
        seen.add(real)
        options, current = _read_one(current, base)
        layers.append(options)
    merged = layers.pop()
    while layers:
        merged = layers.pop().over(merged)
    return merged


def inline_options(text: str, base: Path) -> Options:
    """The options of a ``--config 'KEY = VALUE'`` override, its globs and paths relative to ``base``.

    Raises NotTomlError when ``text`` is not TOML, ConfigError when a key or value cannot be used.
    """
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NotTomlError(str(exc)) from None
    if "extend" in table:
        raise ConfigError("--config: extend: cannot be an override (name the file with --config PATH)")
    return _Reader(None, "", base).options(table)


def _cycle(links: list[Path], again: Path, shown: int = 4) -> str:
    """The files of an ``extend`` cycle, the middle of a long one left out."""
    names = [display_path(str(link)) for link in links]
    if len(names) > 2 * shown:
        names = [*names[:shown], f"... ({len(names) - 2 * shown} more)", *names[-shown:]]
    return " -> ".join([*names, display_path(str(again))])


def _read_one(path: Path, base: Path | None) -> tuple[Options, Path | None]:
    """The options one file sets itself, and the file its ``extend`` names (None without one)."""
    table, prefix = _table(path)
    reader = _Reader(path, prefix, base or path.parent)
    options = reader.options(table)
    extend = table.get("extend")
    if extend is None:
        return options, None
    target = Path(reader.string("extend", extend))
    target = Path(os.path.abspath(path.parent / os.path.expandvars(os.path.expanduser(target))))
    if not target.is_file():
        raise ConfigError(f"{reader.where('extend')}: no such file: {display_path(str(target))}")
    return options, target


def extended_files(path: Path) -> list[Path]:
    """The files the configuration file at ``path`` extends, directly or through each other, as far as
    they can be read (for noticing when one changes; ``read_config`` reports what is wrong with them)."""
    files: list[Path] = []
    seen = {Path(os.path.realpath(path))}
    current = path
    while True:
        try:
            table, _ = _table(current)
        except (ConfigError, OSError):
            return files
        extend = table.get("extend")
        if not isinstance(extend, str):
            return files
        current = Path(os.path.abspath(current.parent / os.path.expandvars(os.path.expanduser(extend))))
        real = Path(os.path.realpath(current))
        if real in seen:
            return files
        seen.add(real)
        files.append(current)


def _table(path: Path) -> tuple[dict[str, Any], str]:
    data = load_toml(path)
    if path.name != PYPROJECT:
        return data, ""
    tool = data.get("tool", {})
    table = tool.get("mplint", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{display_path(str(path))}: [tool.mplint]: expected a table, got {_kind(table)}")
    return table, "[tool.mplint] "


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "table"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


_SELECTION_FIELDS = {
    "select": "select",
    "extend-select": "extend_select",
    "ignore": "ignore",
    "fixable": "select",
    "extend-fixable": "extend_select",
    "unfixable": "ignore",
}
"""The field of a file's selection layer that each selecting key sets (``fixable`` selects as ``select``)."""


def _layered(layers: tuple[Selection, ...], key: str, selectors: tuple[str, ...]) -> tuple[Selection, ...]:
    """A file's one selection layer, with ``key``'s selectors set in it."""
    layer = layers[0] if layers else Selection()
    return (replace(layer, **{_SELECTION_FIELDS[key]: selectors}),)


class _Reader:
    """Validates the keys of one file's table, naming the file and key in every error."""

    def __init__(self, path: Path | None, prefix: str, base: Path) -> None:
        self.path = path
        self.prefix = prefix
        self.base = base
        self.shown = display_path(str(path)) if path is not None else "--config"

    def where(self, key: str) -> str:
        return f"{self.shown}: {self.prefix}{key}"

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where(key)}: {message}")

    def options(self, table: dict[str, Any]) -> Options:
        handlers: dict[str, Callable[[Options, str, Any], Options]] = {
            "extend": lambda options, key, value: options,  # followed by the caller
            "select": self._select,
            "extend-select": self._select,
            "ignore": self._select,
            "per-file-ignores": lambda o, k, v: replace(o, per_file_ignores=self.per_file_ignores(k, v)),
            "exclude": lambda o, k, v: replace(o, exclude=self.globs(k, v)),
            "extend-exclude": lambda o, k, v: replace(o, extend_exclude=self.globs(k, v)),
            "respect-gitignore": lambda o, k, v: replace(o, respect_gitignore=self.boolean(k, v)),
            "force-exclude": lambda o, k, v: replace(o, force_exclude=self.boolean(k, v)),
            "unsafe-fixes": lambda o, k, v: replace(o, unsafe_fixes=self.boolean(k, v)),
            "extend-safe-fixes": lambda o, k, v: replace(o, extend_safe_fixes=self.selectors(k, v)),
            "extend-unsafe-fixes": lambda o, k, v: replace(o, extend_unsafe_fixes=self.selectors(k, v)),
            "output-format": lambda o, k, v: replace(o, output_format=self.output_format(k, v)),
            "start-methods": lambda o, k, v: replace(o, start_methods=self.start_methods(k, v)),
            "fixable": self._fixable,
            "extend-fixable": self._fixable,
            "unfixable": self._fixable,
            "extend-per-file-ignores": lambda o, k, v: replace(
                o, extend_per_file_ignores=self.per_file_ignores(k, v)
            ),
            "severity": lambda o, k, v: replace(o, severities=(self.severities(k, v),)),
            "fix": lambda o, k, v: replace(o, fix=self.boolean(k, v)),
            "baseline": lambda o, k, v: replace(o, baseline=self.file_path(k, v)),
            "max-file-size": lambda o, k, v: replace(o, max_file_size=self.size(k, v)),
        }
        options = Options(path=self.path)
        for key, value in table.items():
            handler = handlers.get(key)
            if handler is None and key == "tool" and not self.prefix:
                raise self.fail(
                    key, "unknown key (outside pyproject.toml the keys are top-level, with no [tool.mplint])"
                )
            if handler is None:
                raise self.fail(key, f"unknown key{_suggestion(key, list(handlers))}")
            options = handler(options, key, value)
        return options

    def _select(self, options: Options, key: str, value: Any) -> Options:
        layers = _layered(options.selections, key, self.selectors(key, value))
        return replace(options, selections=layers)

    def _fixable(self, options: Options, key: str, value: Any) -> Options:
        layers = _layered(options.fix_selections, key, self.selectors(key, value))
        return replace(options, fix_selections=layers)

    def severities(self, key: str, value: Any) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table of rule selectors to severities, got {_kind(value)}")
        pairs: list[tuple[str, str]] = []
        for selector, severity in value.items():
            entry_key = f"{key}.{_quoted_key(selector)}"
            try:
                resolve_selector(selector)
            except UnknownSelectorError as exc:
                raise self.fail(entry_key, str(exc)) from None
            if severity not in SEVERITIES:
                shown = repr(severity) if isinstance(severity, str) else _kind(severity)
                expected = ", ".join(SEVERITIES)
                raise self.fail(entry_key, f"unknown severity {shown} (expected one of {expected})")
            pairs.append((selector, severity))
        return tuple(pairs)

    def file_path(self, key: str, value: Any) -> Path:
        text = self.string(key, value)
        if not text:
            raise self.fail(key, "expected a path, got an empty string")
        return Path(os.path.abspath(self.base / os.path.expanduser(text)))

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of strings, got {_kind(value)}")
        for item in value:
            if not isinstance(item, str):
                raise self.fail(key, f"expected a list of strings, got a list containing {_kind(item)}")
        return tuple(value)

    def string(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {_kind(value)}")
        return value

    def size(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            shown = repr(value) if isinstance(value, int) else _kind(value)
            raise self.fail(key, f"expected a number of characters (0 for no limit), got {shown}")
        return value

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"expected a boolean, got {_kind(value)}")
        return value

    def selectors(self, key: str, value: Any) -> tuple[str, ...]:
        selectors = self.strings(key, value)
        for selector in selectors:
            try:
                resolve_selector(selector)
            except UnknownSelectorError as exc:
                raise self.fail(key, str(exc)) from None
        return selectors

    def globs(self, key: str, value: Any) -> tuple[PathGlob, ...]:
        return tuple(self.glob(key, pattern) for pattern in self.strings(key, value))

    def glob(self, key: str, pattern: str) -> PathGlob:
        try:
            return PathGlob(compile_glob(pattern, braces=True), self.base, self.shown)
        except GlobError as exc:
            raise self.fail(key, str(exc)) from None

    def per_file_ignores(self, key: str, value: Any) -> tuple[PerFileIgnore, ...]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table of globs to lists of rule selectors, got {_kind(value)}")
        entries: list[PerFileIgnore] = []
        for pattern, selectors in value.items():
            entry_key = f"{key}.{_quoted_key(pattern)}"
            checked = self.selectors(entry_key, selectors)
            codes = frozenset(code for selector in checked for code in resolve_selector(selector))
            entries.append(PerFileIgnore(self.glob(entry_key, pattern), codes, checked))
        return tuple(entries)

    def output_format(self, key: str, value: Any) -> str:
        name = self.string(key, value)
        if name not in OUTPUT_FORMATS:
            raise self.fail(
                key, f"unknown output format {name!r} (expected one of {', '.join(OUTPUT_FORMATS)})"
            )
        return name

    def start_methods(self, key: str, value: Any) -> tuple[str, ...]:
        methods = self.strings(key, value)
        if not methods:
            raise self.fail(key, f"expected at least one of {', '.join(ALL_START_METHODS)}")
        for method in methods:
            if method not in ALL_START_METHODS:
                raise self.fail(
                    key, f"unknown start method {method!r} (expected some of {', '.join(ALL_START_METHODS)})"
                )
        return tuple(dict.fromkeys(methods))


def _quoted_key(key: str) -> str:
    bare = key and all(char.isalnum() or char in "-_" for char in key)
    return key if bare else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _suggestion(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (expected one of {', '.join(sorted(known))})"
