"""``mplint check``: check files, fix them when asked, report, and choose the exit code."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from mplint.add_noqa import add_noqa
from mplint.cache import Cache, entry_key
from mplint.commands.baselining import apply_baseline, update_baseline
from mplint.commands.show import render_files, render_settings
from mplint.engine import FileTooLarge, InternalError, check_text
from mplint.fix_application import parses
from mplint.prefilter import Relevance, relevance
from mplint.processing import Processed, process_source
from mplint.reading import read_regular_file
from mplint.report import (
    STATISTICS_FORMATS,
    FileResult,
    FixMode,
    ReportOptions,
    UnsafeFixes,
    render_report,
    render_statistics,
)
from mplint.report.diff import unified_diff
from mplint.report.escape import printable
from mplint.report.paths import STDIN_NAME, display_path
from mplint.report.style import use_color
from mplint.settings import Settings
from mplint.source import DecodeError, decode_source
from mplint.workers import Job, JobQueue, Outcome
from mplint.workspace.config import Resolver, absolute
from mplint.workspace.config_file import Options
from mplint.workspace.discovery import discover
from mplint.workspace.exclusion import ConfiguredFilter
from mplint.writing import FileChanged, write_atomic

EXIT_SUCCESS = 0
EXIT_FAILURE = 1
EXIT_ERROR = 2


@dataclass(frozen=True)
class CheckOptions:
    """Everything ``mplint check`` was asked to do, resolved from the command line.

    ``overrides`` holds the options that beat the configuration files (rule selection, output
    format, unsafe fixes, exclusions and the like).
    """

    paths: list[str]
    overrides: Options = field(default_factory=Options)
    config: Path | None = None
    isolated: bool = False
    fix_mode: FixMode = FixMode.GENERATE
    fix_only: bool = False
    output_file: str | None = None
    statistics: bool = False
    quiet: bool = False
    silent: bool = False
    """Print nothing but errors (``-s``)."""
    watch: bool = False
    update_baseline: bool = False
    show_fixes: bool = False
    exit_zero: bool = False
    exit_non_zero_on_fix: bool = False
    stdin_filename: str | None = None
    read_stdin: bool = False
    add_noqa: str | None = None
    """The reason to write after the codes ("" for none), when ``--add-noqa`` is given."""
    show_settings: bool = False
    show_files: bool = False
    color: str = "auto"
    verbose: bool = False
    cache_dir: Path | None = None
    """Where results of unchanged files are kept; None with ``--no-cache``."""


@dataclass
class Run:
    """The state of one run: results so far, and whether any error was reported."""

    options: CheckOptions
    resolver: Resolver
    results: list[FileResult] = field(default_factory=list)
    errors: int = 0
    read_only: set[Path] = field(default_factory=set)
    """Files that are checked but never written: walked symlinks to files outside the tree."""

    @property
    def output_format(self) -> str:
        return self.resolver.root_project.options.output_format or "full"

    @property
    def unsafe_fixes(self) -> UnsafeFixes:
        configured = self.resolver.root_project.options.unsafe_fixes
        return {None: UnsafeFixes.HINT, True: UnsafeFixes.ENABLED, False: UnsafeFixes.DISABLED}[configured]

    def report_options(self, color: bool) -> ReportOptions:
        options = self.options
        return ReportOptions(
            unsafe_fixes=self.unsafe_fixes,
            fix_mode=options.fix_mode,
            show_violations=not (options.fix_only or options.fix_mode is FixMode.DIFF),
            show_fixes=options.show_fixes,
            quiet=options.quiet,
            errors=self.errors,
            color=color,
        )

    def log(self, message: str) -> None:
        if self.options.verbose:
            sys.stdout.flush()
            print(f"debug: {printable(message)}", file=sys.stderr, flush=True)

    def settings_for(self, path: Path) -> Settings:
        project = self.resolver.project_for(path)
        if self.options.verbose:
            config = project.config_path
            source = display_path(str(config)) if config is not None else "the default settings"
            self.log(f"{display_path(str(path))}: checked with {source}")
        return project.settings_for(absolute(path))

    @property
    def failed(self) -> bool:
        return self.errors > 0

    def warn(self, message: str) -> None:
        if not self.options.silent:
            sys.stdout.flush()
            print(f"warning: {message}", file=sys.stderr, flush=True)

    def error(self, message: str) -> None:
        self.errors += 1
        sys.stdout.flush()
        print(f"error: {printable(message)}", file=sys.stderr, flush=True)

    def process(
        self, data: bytes, path: str, settings: Settings, fix_mode: FixMode | None = None
    ) -> Processed | None:
        mode = self.options.fix_mode if fix_mode is None else fix_mode
        try:
            return process_source(data, path, settings, mode, settings.unsafe_fixes)
        except FileTooLarge as exc:
            self.error(str(exc))
        except InternalError as exc:
            self.error(f"internal error while checking {exc}")
        except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the run
            self.error(f"internal error while checking {path}: {type(exc).__name__}: {exc}")
        return None


def run_check(options: CheckOptions) -> int:
    """Run the check and return the exit code, as Ruff chooses it.

    Raises ConfigError when a configuration file cannot be used.
    """
    resolver = Resolver(config=options.config, isolated=options.isolated, overrides=options.overrides)
    run = Run(configured_fix(options, resolver), resolver)
    options = run.options
    if options.statistics and run.output_format not in STATISTICS_FORMATS:
        run.error(
            f"--statistics does not support the output format {run.output_format} "
            f"(use one of {', '.join(STATISTICS_FORMATS)})"
        )
        return EXIT_ERROR
    if options.read_stdin:
        named = [Path(options.stdin_filename)] if options.stdin_filename is not None else []
        if _report_would_overwrite(run, named):
            return EXIT_ERROR
        _check_stdin(run)
    elif options.show_settings or options.show_files:
        return _show(run)
    elif options.add_noqa is not None:
        return _add_noqa(run)
    else:
        files = find_files(run)
        if not files and not run.failed:
            run.warn("No Python files found under the given path(s)")
        if _report_would_overwrite(run, files):
            return EXIT_ERROR
        check_paths(run, files)
    if options.update_baseline:
        return EXIT_SUCCESS if update_baseline(run) else EXIT_ERROR
    apply_baseline(run)
    _write_report(run)
    return exit_code(run)


def configured_fix(options: CheckOptions, resolver: Resolver) -> CheckOptions:
    """The options with ``fix = true`` of the configuration applied (``--fix``/``--no-fix`` beat it);
    it does not apply to the runs that only record or show (``--update-baseline``, ``--add-noqa``,
    ``--show-settings``, ``--show-files``)."""
    records = options.update_baseline or options.add_noqa is not None
    if records or options.show_settings or options.show_files:
        return options
    if options.fix_mode is FixMode.GENERATE and resolver.root_project.options.fix:
        return replace(options, fix_mode=FixMode.APPLY)
    return options


def exit_code(run: Run) -> int:
    options = run.options
    if run.failed:
        return EXIT_ERROR
    if options.exit_zero:
        return EXIT_SUCCESS
    fixed = any(result.fixed for result in run.results)
    remaining = any(result.diagnostics for result in run.results)
    if options.fix_mode is FixMode.DIFF:
        return EXIT_FAILURE if fixed else EXIT_SUCCESS
    if options.fix_only:
        return EXIT_FAILURE if options.exit_non_zero_on_fix and fixed else EXIT_SUCCESS
    if options.exit_non_zero_on_fix:
        return EXIT_FAILURE if fixed or remaining else EXIT_SUCCESS
    return EXIT_FAILURE if remaining else EXIT_SUCCESS


def find_files(run: Run) -> list[Path]:
    """The files to check; errors about the paths are reported on the way."""
    found = discover(run.options.paths, ConfiguredFilter(run.resolver, run.log))
    for message in found.errors:
        run.error(message)
    run.read_only = found.linked_outside
    return found.files


def _show(run: Run) -> int:
    files = find_files(run)
    if run.options.show_files:
        if not files and not run.failed:
            run.warn("No Python files found under the given path(s)")
        sys.stdout.write(render_files(files))
    elif not files:
        run.error("no files found under the given paths")
    else:
        first = files[0]
        project = run.resolver.project_for(first)
        settings = project.settings_for(absolute(first))
        sys.stdout.write(render_settings(first, project, settings, run.output_format))
    return EXIT_ERROR if run.failed else EXIT_SUCCESS


def _add_noqa(run: Run) -> int:
    """Suppress every current diagnostic with a ``# noqa`` directive; exit 0 unless an error occurred."""
    added = 0
    for path in find_files(run):
        name = str(path)
        try:
            data = read_regular_file(path)
            decoded = decode_source(data)
        except OSError as exc:
            run.error(f"cannot read {display_path(name)}: {exc.strerror or exc}")
            continue
        except DecodeError:
            continue  # reported as MPL000, which a directive cannot suppress
        try:
            diagnostics = check_text(decoded.text, name, run.settings_for(path))
        except FileTooLarge as exc:
            run.error(str(exc))
            continue
        except InternalError as exc:
            run.error(f"internal error while checking {exc}")
            continue
        text, count = add_noqa(decoded.text, diagnostics, run.options.add_noqa or "")
        if not count:
            continue
        if not parses(text):
            run.error(f"cannot add noqa directives to {display_path(name)}: the result would not parse")
            continue
        if _write(run, path, decoded.encode(text), data, "adding noqa directives to"):
            added += count
    if added:
        sys.stdout.flush()
        print(f"Added {added} noqa directive{'' if added == 1 else 's'}.", file=sys.stderr, flush=True)
    return EXIT_ERROR if run.failed else EXIT_SUCCESS


def _report_would_overwrite(run: Run, checked: list[Path]) -> bool:
    """Whether ``--output-file`` names one of the ``checked`` files (through any link); said as an
    error before anything is checked or fixed, so that the report never replaces a source."""
    output_file = run.options.output_file
    if output_file is None:
        return False
    try:
        output = os.stat(output_file)
    except OSError:
        return False  # a file that does not exist yet is none of the checked ones
    for path in checked:
        try:
            info = os.stat(path)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) == (output.st_dev, output.st_ino):
            run.error(
                f"not writing the report to {output_file}: it is {display_path(str(path))}, "
                "one of the files being checked"
            )
            return True
    return False


def check_paths(run: Run, paths: list[Path]) -> None:
    """Check ``paths`` (files found by ``find_files``), fixing them when asked; the results go to
    ``run.results``."""
    files: list[tuple[Path, bytes, Settings]] = []
    for path in paths:
        try:
            data = read_regular_file(path)
        except OSError as exc:
            run.error(f"cannot read {display_path(str(path))}: {exc.strerror or exc}")
            continue
        files.append((path, data, run.settings_for(path)))
    for (path, data, settings), outcome in zip(files, _outcomes(run, files), strict=True):
        if outcome.error is not None:
            run.error(outcome.error)
        if outcome.processed is None:
            continue
        name = str(path)
        processed = outcome.processed
        if processed.changed and run.options.fix_mode is FixMode.DIFF:
            _print_diff(processed, name)
        elif processed.fixed_bytes is not None and run.options.fix_mode is FixMode.APPLY:
            if processed.fixed_bytes != data and not _write(run, path, processed.fixed_bytes, data, "fixing"):
                unfixed = run.process(data, name, settings, FixMode.GENERATE)  # report the file as it is
                if unfixed is None:
                    continue
                processed = unfixed
        run.results.append(processed.result)


def _outcomes(run: Run, files: list[tuple[Path, bytes, Settings]]) -> list[Outcome]:
    """Each file's outcome: without parsing for files the prefilter rules out, from the cache for
    unchanged files when only checking, and from the worker pool for the rest.

    The files are filtered largest first and each one left is handed to the workers at once: they
    start on the biggest files while the others are still being filtered.
    """
    mode = run.options.fix_mode
    cache = Cache(run.options.cache_dir) if run.options.cache_dir is not None else None
    use_cache = cache is not None and mode is FixMode.GENERATE
    outcomes: list[Outcome | None] = [None] * len(files)
    pending: list[tuple[int, str | None]] = []
    order = sorted(range(len(files)), key=lambda index: len(files[index][1]), reverse=True)
    with JobQueue() as queue:
        for index in order:
            path, data, settings = files[index]
            name = str(path)
            if relevance(data) is Relevance.NONE:
                outcomes[index] = Outcome(Processed(FileResult(name, ())))
                continue
            key = entry_key(data, settings, name) if use_cache else None
            cached = cache.get(key, name, data) if cache is not None and key is not None else None
            if cached is not None:
                outcomes[index] = Outcome(
                    Processed(FileResult(name, tuple(cached.diagnostics), cached.source))
                )
                continue
            pending.append((index, key))
            queue.add(Job(name, data, settings, mode))
        for (index, key), outcome in zip(pending, queue.outcomes(), strict=True):
            outcomes[index] = outcome
            if cache is not None and key is not None and outcome.processed is not None:
                cache.put(key, outcome.processed.result.path, outcome.processed.result.diagnostics)
    return [outcome for outcome in outcomes if outcome is not None]


def _write(run: Run, path: Path, data: bytes, checked: bytes, action: str) -> bool:
    """Replace the file's ``checked`` bytes with ``data``; False, having said why, when it is not done.

    A file that changed since it was read is left alone with a warning: its new contents were never
    checked, and overwriting them would lose an edit saved meanwhile.
    """
    shown = display_path(str(path))
    if path in run.read_only:
        _warn(
            f"not writing {shown}: it is a symlink to a file outside the checked directory "
            "(name that file to fix it)"
        )
        return False
    try:
        write_atomic(path, data, expected=checked)
    except FileChanged:
        _warn(f"not {action} {shown}: it changed while it was being checked (run mplint again)")
        return False
    except OSError as exc:
        run.error(f"cannot write {shown}: {exc.strerror or exc}")
        return False
    return True


def _warn(message: str) -> None:
    sys.stdout.flush()
    print(f"warning: {printable(message)}", file=sys.stderr, flush=True)


def _stdin_settings(run: Run) -> Settings | None:
    """The settings for standard input: those of the file it is named as, if any; None when that
    file is excluded and ``force-exclude`` is on."""
    name = run.options.stdin_filename
    if name is None:
        return run.resolver.root_project.base_settings
    path = Path(name)
    if ConfiguredFilter(run.resolver, run.log).skip_named(path, is_dir=False):
        return None
    return run.settings_for(path)


def _check_stdin(run: Run) -> None:
    options = run.options
    name = options.stdin_filename or STDIN_NAME
    stdin = sys.stdin
    if stdin is None:  # Python found descriptor 0 closed
        run.error("cannot read standard input: it is closed")
        return
    try:
        data = stdin.buffer.read()
    except (OSError, ValueError) as exc:
        run.error(f"cannot read standard input: {exc}")
        return
    settings = _stdin_settings(run)
    if settings is None:
        if options.fix_mode is FixMode.APPLY:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)  # an excluded file passes through unchanged
            sys.stdout.buffer.flush()
        return
    processed = run.process(data, name, settings)
    if options.fix_mode is FixMode.APPLY:
        fixed = processed.fixed_bytes if processed is not None else None
        sys.stdout.flush()
        sys.stdout.buffer.write(fixed if fixed is not None else data)
        sys.stdout.buffer.flush()
    if processed is None:
        return
    if options.fix_mode is FixMode.DIFF and processed.changed:
        _print_diff(processed, name)
    run.results.append(processed.result)


def _print_diff(processed: Processed, path: str) -> None:
    assert processed.original_text is not None and processed.fixed_text is not None
    label = display_path(path)
    sys.stdout.write(unified_diff(processed.original_text, processed.fixed_text, label))
    sys.stdout.flush()


def _report_stream(run: Run) -> TextIO:
    """Where the report goes when no output file is given: stdout, unless stdout holds a
    fixed source or a diff, in which case the report goes to stderr."""
    options = run.options
    if options.fix_mode is FixMode.DIFF:
        return sys.stderr
    if options.read_stdin and options.fix_mode is FixMode.APPLY:
        return sys.stderr
    return sys.stdout


def _write_report(run: Run) -> None:
    options = run.options
    if options.silent:
        return
    output_file = options.output_file
    stream = _report_stream(run)
    # A report written to a file is never coloured.
    color = output_file is None and use_color(options.color, stream)
    report_options = run.report_options(color)
    if options.statistics:
        text = render_statistics(run.results, run.output_format, report_options)
    else:
        text = render_report(run.results, run.output_format, report_options)
    if output_file is None:
        stream.write(text)
        stream.flush()
        return
    try:
        parent = os.path.dirname(os.path.abspath(output_file))
        os.makedirs(parent, exist_ok=True)
        with open(output_file, "w", encoding="utf-8", errors="backslashreplace", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        run.error(f"cannot write output file {output_file}: {exc.strerror or exc}")
