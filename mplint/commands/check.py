"""``mplint check``: check files, fix them when asked, report, and choose the exit code."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from mplint.discovery import discover
from mplint.engine import InternalError
from mplint.processing import Processed, process_source
from mplint.report import (
    FileResult,
    FixMode,
    ReportOptions,
    UnsafeFixes,
    render_report,
    render_statistics,
)
from mplint.report.diff import unified_diff
from mplint.report.paths import STDIN_NAME, display_path
from mplint.settings import Settings
from mplint.writing import write_atomic

EXIT_SUCCESS = 0
EXIT_FAILURE = 1
EXIT_ERROR = 2


@dataclass(frozen=True)
class CheckOptions:
    """Everything ``mplint check`` was asked to do, resolved from the command line."""

    paths: list[str]
    settings: Settings
    fix_mode: FixMode = FixMode.GENERATE
    fix_only: bool = False
    unsafe_fixes: UnsafeFixes = UnsafeFixes.HINT
    output_format: str = "full"
    output_file: str | None = None
    statistics: bool = False
    quiet: bool = False
    show_fixes: bool = False
    exit_zero: bool = False
    exit_non_zero_on_fix: bool = False
    stdin_filename: str | None = None
    read_stdin: bool = False

    @property
    def report_options(self) -> ReportOptions:
        return ReportOptions(
            unsafe_fixes=self.unsafe_fixes,
            fix_mode=self.fix_mode,
            show_violations=not (self.fix_only or self.fix_mode is FixMode.DIFF),
            show_fixes=self.show_fixes,
            quiet=self.quiet,
        )


@dataclass
class Run:
    """The state of one run: results so far, and whether any error was reported."""

    options: CheckOptions
    results: list[FileResult] = field(default_factory=list)
    errors: int = 0

    @property
    def failed(self) -> bool:
        return self.errors > 0

    def error(self, message: str) -> None:
        self.errors += 1
        sys.stdout.flush()
        print(f"error: {message}", file=sys.stderr, flush=True)

    @property
    def unsafe(self) -> bool:
        return self.options.unsafe_fixes is UnsafeFixes.ENABLED

    def process(self, data: bytes, path: str, fix_mode: FixMode | None = None) -> Processed | None:
        mode = self.options.fix_mode if fix_mode is None else fix_mode
        try:
            return process_source(data, path, self.options.settings, mode, self.unsafe)
        except InternalError as exc:
            self.error(f"internal error while checking {exc}")
        except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the run
            self.error(f"internal error while checking {path}: {type(exc).__name__}: {exc}")
        return None


def run_check(options: CheckOptions) -> int:
    """Run the check and return the exit code, as Ruff chooses it."""
    run = Run(options)
    if options.read_stdin:
        _check_stdin(run)
    else:
        _check_paths(run)
    _write_report(run)
    return exit_code(run)


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


def _check_paths(run: Run) -> None:
    found = discover(run.options.paths)
    for message in found.errors:
        run.error(message)
    for path in found.files:
        name = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            run.error(f"cannot read {display_path(name)}: {exc.strerror or exc}")
            continue
        processed = run.process(data, name)
        if processed is None:
            continue
        if processed.changed and run.options.fix_mode is FixMode.DIFF:
            _print_diff(processed, name)
        elif processed.fixed_bytes is not None and run.options.fix_mode is FixMode.APPLY:
            if processed.fixed_bytes != data and not _write(run, path, processed.fixed_bytes):
                unfixed = run.process(data, name, FixMode.GENERATE)  # report the file as it is
                if unfixed is None:
                    continue
                processed = unfixed
        run.results.append(processed.result)


def _write(run: Run, path: Path, data: bytes) -> bool:
    try:
        write_atomic(path, data)
    except OSError as exc:
        run.error(f"cannot write {display_path(str(path))}: {exc.strerror or exc}")
        return False
    return True


def _check_stdin(run: Run) -> None:
    options = run.options
    name = options.stdin_filename or STDIN_NAME
    stdin = sys.stdin
    try:
        data = stdin.buffer.read() if stdin is not None else b""
    except (OSError, ValueError) as exc:
        run.error(f"cannot read standard input: {exc}")
        return
    processed = run.process(data, name)
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
    report_options = replace(options.report_options, errors=run.errors)
    if options.statistics:
        text = render_statistics(run.results, options.output_format, report_options)
    else:
        text = render_report(run.results, options.output_format, report_options)
    if options.output_file is None:
        stream = _report_stream(run)
        stream.write(text)
        stream.flush()
        return
    try:
        parent = os.path.dirname(os.path.abspath(options.output_file))
        os.makedirs(parent, exist_ok=True)
        with open(
            options.output_file, "w", encoding="utf-8", errors="backslashreplace", newline=""
        ) as handle:
            handle.write(text)
    except OSError as exc:
        run.error(f"cannot write output file {options.output_file}: {exc.strerror or exc}")
