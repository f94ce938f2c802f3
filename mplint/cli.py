"""The command line: ``mplint check``, ``mplint rule``, ``mplint server``, ``mplint clean`` and
``mplint version``."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path
from typing import NoReturn

from mplint import __version__
from mplint.cache import DEFAULT_CACHE_DIR
from mplint.commands.check import EXIT_ERROR, CheckOptions, run_check
from mplint.commands.clean import run_clean
from mplint.commands.rule import run_rule
from mplint.commands.version import run_version
from mplint.environment import CACHE_DIR_VARIABLE, NO_CACHE_VARIABLE, OUTPUT_FORMAT_VARIABLE, env_flag
from mplint.report import OUTPUT_FORMATS, STATISTICS_FORMATS, FixMode
from mplint.report.escape import printable
from mplint.report.paths import STDIN_NAME
from mplint.settings import ALL_START_METHODS
from mplint.streams import fill_closed_streams
from mplint.workspace.cli_config import (
    OptionError,
    add_config_arguments,
    check_combinations,
    command_line_options,
    config_arguments,
    normalize_argv,
)
from mplint.workspace.config_file import ConfigError


class UsageError(Exception):
    """The command line is wrong; reported in one line, with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mplint",
        allow_abbrev=False,
        description="A static analyzer for Python multiprocessing pitfalls, with autofixes.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"mplint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_check(
        commands.add_parser("check", allow_abbrev=False, help="Check files and directories, and fix them.")
    )
    _add_rule(commands.add_parser("rule", allow_abbrev=False, help="Explain a rule (or all rules)."))
    _add_server(
        commands.add_parser("server", allow_abbrev=False, help="Run the language server (LSP over stdio).")
    )
    clean = commands.add_parser(
        "clean",
        allow_abbrev=False,
        help=f"Remove every {DEFAULT_CACHE_DIR} in the current directory and below, and --cache-dir.",
    )
    clean.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=os.environ.get(CACHE_DIR_VARIABLE) or None,
        help=f"A cache directory elsewhere to remove too [env: {CACHE_DIR_VARIABLE}=].",
    )
    version = commands.add_parser("version", allow_abbrev=False, help="Print mplint's version.")
    version.add_argument("--output-format", choices=("text", "json"), default="text", help="(default: text)")
    return parser


def _add_check(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="Files or directories to check (default: .); '-' reads standard input.",
    )
    rules = check.add_argument_group("rule selection")
    for flag, text in (
        ("--select", "Enable only these rules (replaces the default of all rules)."),
        ("--extend-select", "Enable these rules in addition to the selected ones."),
        ("--ignore", "Disable these rules."),
    ):
        rules.add_argument(
            flag,
            action="append",
            default=[],
            metavar="RULES",
            help=f"{text} Comma-separated codes, code prefixes, rule names or ALL; repeatable.",
        )
    for flag, text in (
        ("--fixable", "Allow fixes only for these rules (replaces the default of all rules)."),
        ("--extend-fixable", "Allow fixes for these rules in addition to the fixable ones."),
        ("--unfixable", "Disallow fixes for these rules: they are reported, never fixed."),
    ):
        rules.add_argument(flag, action="append", default=[], metavar="RULES", help=f"{text} Repeatable.")
    rules.add_argument(
        "--ignore-noqa", action="store_true", help="Ignore every noqa comment: report what they suppress."
    )
    check.add_argument(
        "--start-methods",
        metavar="METHODS",
        help=f"Comma-separated start methods the program may use (default: {','.join(ALL_START_METHODS)}).",
    )
    fixing = check.add_argument_group("fixing")
    fixing.add_argument(
        "--fix", dest="fix", action="store_const", const=True, help="Apply safe fixes (config: fix)."
    )
    fixing.add_argument(
        "--no-fix",
        dest="fix",
        action="store_const",
        const=False,
        help="Do not apply fixes (beats fix = true).",
    )
    fixing.add_argument(
        "--unsafe-fixes",
        dest="unsafe_fixes",
        action="store_const",
        const=True,
        help="Also apply and offer unsafe fixes.",
    )
    fixing.add_argument(
        "--no-unsafe-fixes",
        dest="unsafe_fixes",
        action="store_const",
        const=False,
        help="Neither apply nor mention unsafe fixes.",
    )
    fixing.add_argument(
        "--diff",
        action="store_true",
        help="Print a diff of what the fixes would change, and write nothing (implies --fix-only).",
    )
    fixing.add_argument(
        "--fix-only", action="store_true", help="Apply fixes and report no remaining diagnostics."
    )
    fixing.add_argument("--show-fixes", action="store_true", help="List the fixes applied.")
    output = check.add_argument_group("output")
    output.add_argument(
        "--output-format",
        metavar="{" + ",".join(OUTPUT_FORMATS) + "}",
        default=os.environ.get(OUTPUT_FORMAT_VARIABLE) or None,
        help="How diagnostics are printed (default: the configuration's output-format, else full) "
        f"[env: {OUTPUT_FORMAT_VARIABLE}=].",
    )
    output.add_argument("-o", "--output-file", metavar="FILE", help="Write the report to FILE.")
    output.add_argument("--statistics", action="store_true", help="Print how often each rule fired.")
    output.add_argument("-q", "--quiet", action="store_true", help="Print diagnostics only, no summary.")
    output.add_argument(
        "-s",
        "--silent",
        action="store_true",
        help="Print nothing but errors (the exit code still says whether diagnostics remain).",
    )
    output.add_argument(
        "-w",
        "--watch",
        action="store_true",
        help="Check again whenever a file or configuration file changes (stop with Ctrl-C).",
    )
    baseline = check.add_argument_group("baseline")
    baseline.add_argument(
        "--baseline",
        metavar="FILE",
        help="Report only diagnostics not recorded in FILE, and the entries of FILE that no longer "
        "match (config: baseline).",
    )
    baseline.add_argument(
        "--update-baseline",
        action="store_true",
        help="Record every current diagnostic in the baseline file, and exit.",
    )
    output.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="Read the source from standard input and report it under NAME.",
    )
    status = check.add_argument_group("exit status")
    status.add_argument("-e", "--exit-zero", action="store_true", help="Exit 0 even when diagnostics remain.")
    status.add_argument(
        "--exit-non-zero-on-fix",
        action="store_true",
        help="Exit 1 when a fix was applied, even if no diagnostics remain.",
    )
    caching = check.add_argument_group("cache")
    caching.add_argument(
        "-n",
        "--no-cache",
        action="store_true",
        default=env_flag(NO_CACHE_VARIABLE),
        help=f"Neither read nor write the cache [env: {NO_CACHE_VARIABLE}=].",
    )
    caching.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=os.environ.get(CACHE_DIR_VARIABLE) or None,
        help=f"Where to keep the cache (default: {DEFAULT_CACHE_DIR} in the current directory) "
        f"[env: {CACHE_DIR_VARIABLE}=].",
    )
    add_config_arguments(check)


def _add_rule(rule: argparse.ArgumentParser) -> None:
    rule.add_argument("rule", nargs="?", metavar="CODE|NAME", help="A rule code or name.")
    rule.add_argument("--all", action="store_true", help="Explain every rule.")
    rule.add_argument("--output-format", choices=("text", "json"), default="text", help="(default: text)")


def _add_server(server: argparse.ArgumentParser) -> None:
    server.add_argument(
        "--debounce-ms",
        type=int,
        default=150,
        metavar="MS",
        help="Milliseconds to wait after a change before checking the document again (default: 150).",
    )


def check_options(args: argparse.Namespace) -> CheckOptions:
    """Resolve the parsed ``check`` arguments; raises UsageError for inconsistent ones."""
    if args.output_format is not None and args.output_format not in OUTPUT_FORMATS:
        raise UsageError(
            f"invalid value {args.output_format!r} for '--output-format' "
            f"(expected one of {', '.join(OUTPUT_FORMATS)})"
        )
    try:
        check_combinations(args)
        config, inline = config_arguments(args.config, Path.cwd())
        overrides = command_line_options(args).over(inline)
    except OptionError as exc:
        raise UsageError(str(exc)) from None
    paths: list[str] = args.paths or ["."]
    read_stdin = args.stdin_filename is not None or paths == [STDIN_NAME]
    if read_stdin:
        for path in args.paths:
            if path != STDIN_NAME and not args.silent:
                print(f"warning: ignoring {printable(path)} in favor of standard input", file=sys.stderr)
    elif STDIN_NAME in paths:
        raise UsageError("'-' (standard input) cannot be combined with other paths")
    if args.statistics and (args.output_format or "full") not in STATISTICS_FORMATS:
        raise UsageError(
            f"--statistics does not support --output-format {args.output_format} "
            f"(use one of {', '.join(STATISTICS_FORMATS)})"
        )
    if args.diff:
        fix_mode = FixMode.DIFF
    elif args.fix or args.fix_only:  # ``fix = true`` in the configuration is applied by run_check
        fix_mode = FixMode.APPLY
    else:
        fix_mode = FixMode.GENERATE
    return CheckOptions(
        paths=paths,
        overrides=overrides,
        config=config,
        isolated=args.isolated,
        fix_mode=fix_mode,
        fix_only=args.fix_only or args.diff,
        output_file=args.output_file,
        statistics=args.statistics,
        quiet=args.quiet,
        silent=args.silent,
        watch=args.watch,
        update_baseline=args.update_baseline,
        show_fixes=args.show_fixes,
        exit_zero=args.exit_zero,
        exit_non_zero_on_fix=args.exit_non_zero_on_fix,
        stdin_filename=args.stdin_filename,
        read_stdin=read_stdin,
        add_noqa=args.add_noqa,
        show_settings=args.show_settings,
        show_files=args.show_files,
        color=args.color,
        verbose=args.verbose,
        cache_dir=None if args.no_cache else Path(args.cache_dir or DEFAULT_CACHE_DIR),
    )


def _dispatch(argv: list[str] | None, closed: frozenset[int]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(normalize_argv(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    if args.command == "check":
        options = check_options(args)
        if options.read_stdin and options.fix_mode is FixMode.APPLY and 1 in closed:
            # the fixed source is the one thing this run makes: refuse rather than discard it
            raise UsageError("standard output is closed: there is nowhere to write the fixed source")
        if options.watch:
            from mplint.commands.watch import run_watch

            return run_watch(options)
        return run_check(options)
    if args.command == "clean":
        return run_clean(Path.cwd(), Path(args.cache_dir) if args.cache_dir else None)
    if args.command == "version":
        return run_version(args.output_format)
    if args.command == "rule":
        return run_rule(args.rule, args.all, args.output_format)
    if args.command == "server":
        from mplint.commands.server import run_server

        if args.debounce_ms < 0:
            raise UsageError("--debounce-ms must not be negative")
        return run_server(args.debounce_ms)
    raise UsageError("a command is required: check, rule, server, clean or version (see mplint --help)")


def _tolerant_streams() -> None:
    """Never fail on printing a character the terminal's encoding lacks."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code: 0 clean, 1 diagnostics, 2 errors."""
    closed = fill_closed_streams()
    _tolerant_streams()
    try:
        return _dispatch(argv, closed)
    except (UsageError, ConfigError) as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``mplint check | head``): stop quietly.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a bug must still end in one line, not a traceback
        print(f"error: internal error: {type(exc).__name__}: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
