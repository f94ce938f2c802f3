"""The ``check`` options about configuration: ``--config`` (a file or ``KEY = VALUE`` overrides),
``--isolated``, exclusions, per-file ignores, ``--add-noqa``, ``--color``, ``--verbose``, and the
command-line options that beat configuration files."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mplint.report.style import COLOR_CHOICES
from mplint.rules import UnknownSelectorError, resolve_selector
from mplint.settings import ALL_START_METHODS
from mplint.workspace.config import absolute
from mplint.workspace.config_file import (
    NotTomlError,
    Options,
    PathGlob,
    PerFileIgnore,
    Selection,
    inline_options,
)
from mplint.workspace.globs import GlobError, compile_glob


class OptionError(ValueError):
    """A command-line option with a value that cannot be used."""


def add_config_arguments(check: argparse.ArgumentParser) -> None:
    config = check.add_argument_group("configuration")
    config.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="CONFIG_OPTION",
        help="Either a path to a configuration file, used for every file and no other (its globs are "
        "relative to the working directory), or a TOML 'KEY = VALUE' pair overriding one setting of every "
        "configuration file (such as --config 'severity.MPL003 = \"error\"'); repeatable.",
    )
    config.add_argument("--isolated", action="store_true", help="Ignore all configuration files.")
    config.add_argument(
        "--show-settings",
        action="store_true",
        help="Print the settings the first file found would be checked with, and exit.",
    )
    config.add_argument(
        "--show-files", action="store_true", help="Print the files that would be checked, and exit."
    )
    files = check.add_argument_group("file selection")
    files.add_argument(
        "--exclude",
        action="append",
        metavar="GLOBS",
        help="Leave out files and directories matching these gitignore-style globs, instead of the "
        "default exclusions (comma-separated; repeatable).",
    )
    files.add_argument(
        "--extend-exclude",
        action="append",
        default=[],
        metavar="GLOBS",
        help="Leave out these too, on top of the exclusions (comma-separated; repeatable).",
    )
    files.add_argument(
        "--respect-gitignore",
        dest="respect_gitignore",
        action="store_const",
        const=True,
        help="Leave out files ignored by git (the default).",
    )
    files.add_argument(
        "--no-respect-gitignore",
        dest="respect_gitignore",
        action="store_const",
        const=False,
        help="Check files ignored by git too.",
    )
    files.add_argument(
        "--force-exclude",
        dest="force_exclude",
        action="store_const",
        const=True,
        help="Apply the exclusions to paths named on the command line too.",
    )
    files.add_argument(
        "--no-force-exclude",
        dest="force_exclude",
        action="store_const",
        const=False,
        help="Check named paths even when excluded (the default).",
    )
    files.add_argument(
        "--per-file-ignores",
        action="append",
        metavar="GLOB:RULES",
        help="Ignore these rules in the files the glob matches (a '!' glob: does not match); "
        "replaces the configured per-file ignores; repeatable.",
    )
    files.add_argument(
        "--extend-per-file-ignores",
        action="append",
        default=[],
        metavar="GLOB:RULES",
        help="Like --per-file-ignores, on top of the configured per-file ignores; repeatable.",
    )
    check.add_argument(
        "--add-noqa",
        nargs="?",
        const="",
        metavar="REASON",
        help="Add '# noqa' directives for every diagnostic; --add-noqa=REASON adds a reason after the codes.",
    )
    check.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="When to colour the text output (default: auto, on a terminal unless NO_COLOR is set).",
    )
    check.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="Say which configuration file each file is checked with, and which files are left out.",
    )


def normalize_argv(argv: list[str]) -> list[str]:
    """``--add-noqa`` takes its reason only as ``--add-noqa=REASON`` (as in Ruff), so that the path
    after a bare ``--add-noqa`` stays a path."""
    normalized: list[str] = []
    for index, arg in enumerate(argv):
        if arg == "--":
            return normalized + argv[index:]
        normalized.append("--add-noqa=" if arg == "--add-noqa" else arg)
    return normalized


def split(values: list[str] | None) -> list[str]:
    """Comma-separated values of a repeatable option, flattened."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _selectors(option: str, values: list[str]) -> tuple[str, ...]:
    for selector in values:
        try:
            resolve_selector(selector)
        except UnknownSelectorError as exc:
            raise OptionError(str(exc)) from None
    return tuple(values)


def _globs(option: str, values: list[str], cwd: Path) -> tuple[PathGlob, ...]:
    try:
        return tuple(PathGlob(compile_glob(value, braces=True), cwd, option) for value in values)
    except GlobError as exc:
        raise OptionError(f"{option}: {exc}") from None


def per_file_ignores(values: list[str], cwd: Path) -> tuple[PerFileIgnore, ...]:
    """``GLOB:RULES`` pairs, the globs relative to ``cwd``."""
    entries: list[PerFileIgnore] = []
    for value in values:
        pattern, colon, rules = value.rpartition(":")
        selectors = split([rules])
        if not colon or not pattern or not selectors:
            raise OptionError(f"--per-file-ignores: expected GLOB:RULES, got {value!r}")
        checked = _selectors("--per-file-ignores", selectors)
        (glob,) = _globs("--per-file-ignores", [pattern], cwd)
        codes = frozenset(code for selector in checked for code in resolve_selector(selector))
        entries.append(PerFileIgnore(glob, codes, checked))
    return tuple(entries)


def config_arguments(values: list[str], cwd: Path) -> tuple[Path | None, Options]:
    """The ``--config`` values, as Ruff reads them: the one configuration file named (None: none),
    and the options of the ``KEY = VALUE`` overrides, in order (a later one wins).

    Raises OptionError for a value that is neither an existing file nor TOML, or for two files;
    ConfigError for an override whose key or value cannot be used.
    """
    path: Path | None = None
    overrides = Options()
    for value in values:
        candidate = Path(os.path.expanduser(value))
        if candidate.is_file():
            if path is not None:
                raise OptionError("you cannot specify more than one configuration file on the command line")
            path = candidate
            continue
        try:
            overrides = inline_options(value, cwd).over(overrides)
        except NotTomlError as exc:
            if value.endswith(".toml") and "=" not in value:
                raise OptionError(f"--config: no such file: {value}") from None
            raise OptionError(
                f"invalid value {value!r} for '--config': a --config flag must either be a path to a "
                f"'.toml' configuration file or a TOML 'KEY = VALUE' pair overriding a specific "
                f"configuration option (not valid TOML: {exc})"
            ) from None
    return path, overrides


def start_methods(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    methods = tuple(dict.fromkeys(split([value])))
    unknown = [method for method in methods if method not in ALL_START_METHODS]
    if unknown or not methods:
        raise OptionError(
            f"unknown start method: {', '.join(unknown) or repr(value)} "
            f"(expected some of {', '.join(ALL_START_METHODS)})"
        )
    return methods


def command_line_options(args: argparse.Namespace, cwd: Path | None = None) -> Options:
    """The options given on the command line, to be layered over the configuration files.

    Raises OptionError for an unknown rule selector, a malformed glob or pair, or a start method
    that does not exist.
    """
    base = absolute(cwd or Path.cwd())
    select = split(args.select) if args.select else None
    selection = Selection(
        select=_selectors("--select", select) if select is not None else None,
        extend_select=_selectors("--extend-select", split(args.extend_select)),
        ignore=_selectors("--ignore", split(args.ignore)),
    )
    layers = () if selection == Selection() else (selection,)
    fixable = split(args.fixable) if args.fixable else None
    fix_selection = Selection(
        select=_selectors("--fixable", fixable) if fixable is not None else None,
        extend_select=_selectors("--extend-fixable", split(args.extend_fixable)),
        ignore=_selectors("--unfixable", split(args.unfixable)),
    )
    return Options(
        selections=layers,
        fix_selections=() if fix_selection == Selection() else (fix_selection,),
        extend_per_file_ignores=per_file_ignores(args.extend_per_file_ignores, base),
        ignore_noqa=True if args.ignore_noqa else None,
        fix=args.fix,
        baseline=absolute(Path(args.baseline)) if args.baseline is not None else None,
        per_file_ignores=per_file_ignores(args.per_file_ignores, base) if args.per_file_ignores else None,
        exclude=_globs("--exclude", split(args.exclude), base) if args.exclude is not None else None,
        extend_exclude=_globs("--extend-exclude", split(args.extend_exclude), base),
        respect_gitignore=args.respect_gitignore,
        force_exclude=args.force_exclude,
        unsafe_fixes=args.unsafe_fixes,
        output_format=args.output_format,
        start_methods=start_methods(args.start_methods),
    )


def check_combinations(args: argparse.Namespace) -> None:
    """Raise OptionError for options that cannot be used together."""
    if args.config and args.isolated:
        raise OptionError("--config cannot be used with --isolated")
    if args.add_noqa is not None:
        for flag, given in (
            ("--fix", args.fix),
            ("--fix-only", args.fix_only),
            ("--diff", args.diff),
            ("--stdin-filename", args.stdin_filename is not None),
            ("-", "-" in args.paths),
        ):
            if given:
                raise OptionError(f"--add-noqa cannot be used with {flag}")
    if args.watch:
        for flag, given in (
            ("--diff", args.diff),
            ("--add-noqa", args.add_noqa is not None),
            ("--update-baseline", args.update_baseline),
            ("--show-settings", args.show_settings),
            ("--show-files", args.show_files),
            ("--stdin-filename", args.stdin_filename is not None),
            ("-", "-" in args.paths),
            ("--output-file", args.output_file is not None),
        ):
            if given:
                raise OptionError(f"--watch cannot be used with {flag}")
    if args.update_baseline:
        for flag, given in (
            ("--fix", bool(args.fix)),
            ("--fix-only", args.fix_only),
            ("--diff", args.diff),
            ("--add-noqa", args.add_noqa is not None),
        ):
            if given:
                raise OptionError(f"--update-baseline cannot be used with {flag}")
