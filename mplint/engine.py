"""Checking one file: source text in, sorted diagnostics out."""

from __future__ import annotations

import ast
import contextlib
import gc
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from mplint.diagnostics import Diagnostic, Location
from mplint.fix_application import without_broken_fixes
from mplint.fix_safety import drop_unfixable
from mplint.model import ModuleModel
from mplint.prefilter import Relevance, may_involve_multiprocessing, relevance
from mplint.rules import KNOWN_CODES, RULES
from mplint.rules.base import RuleContext
from mplint.rules.syntax_error import SyntaxErrorRule
from mplint.settings import Settings
from mplint.severity import apply_severities
from mplint.source import DecodedSource, DecodeError, SourceText, decode_source
from mplint.suppressions import apply_suppressions, parse_suppressions


class InternalError(Exception):
    """A rule or the model failed on a file: a bug in mplint, reported with the file's name."""


class FileTooLarge(Exception):
    """A source that may involve multiprocessing is larger than ``Settings.max_file_size``: it is
    skipped, and the run reports it as a file that could not be checked."""

    def __init__(self, path: str, size: int, limit: int) -> None:
        super().__init__(
            f"{path}: not checked: {size:,} characters is more than max-file-size = {limit:,} "
            "(set max-file-size = 0 for no limit; about 170 bytes of memory per character)"
        )


@dataclass
class FileCheck:
    """The outcome of checking one file's bytes."""

    decoded: DecodedSource | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def syntax_error_diagnostic(message: str, row: int, column: int) -> Diagnostic:
    location = Location(max(row, 1), max(column, 1))
    return Diagnostic(
        code=SyntaxErrorRule.code,
        name=SyntaxErrorRule.name,
        message=f"SyntaxError: {message}",
        location=location,
        end_location=location,
        noqa_row=None,
    )


def parse_module(text: str, path: str) -> ast.Module | Diagnostic:
    """Parse ``text`` with Python's own parser, or return the MPL000 diagnostic saying why it cannot be."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our business
            return ast.parse(text, filename=path, type_comments=False)
    except SyntaxError as exc:
        # SyntaxError.offset counts characters, 1-based, on the line text.
        return syntax_error_diagnostic(exc.msg, exc.lineno or 1, exc.offset or 1)
    except ValueError as exc:  # e.g. NUL bytes before Python 3.12
        return syntax_error_diagnostic(str(exc), 1, 1)
    except MemoryError as exc:  # the parser's stack overflowed (Python 3.11 gives no message)
        return syntax_error_diagnostic(str(exc) or "Python source too complex to parse", 1, 1)
    except RecursionError:
        return syntax_error_diagnostic("too deeply nested to parse", 1, 1)


def check_text(text: str, path: str, settings: Settings, prefilter: bool = True) -> list[Diagnostic]:
    """All diagnostics of the enabled rules on ``text``, sorted by position.

    With ``prefilter`` (the default), a text that cannot involve multiprocessing is not parsed at all, and
    one that only calls multiprocessing names without importing them is only parsed (see
    ``mplint.prefilter``). Raises ``FileTooLarge`` for a text to parse that is longer than
    ``settings.max_file_size``.
    """
    analysis = analyse_text(text, path, settings, prefilter)
    if not _retention.retain(analysis):
        analysis.release()
    return analysis.diagnostics


@dataclass
class _Retention:
    """Trees kept instead of freed, in a process that ends without freeing anything (see
    ``keep_trees_until_exit``)."""

    memory_limit: int = 0  # bytes: no tree is kept once the process has used this much memory
    kept: list[ModuleModel] = field(default_factory=list)

    def retain(self, analysis: Analysis) -> bool:
        if analysis.model is None or self.memory_limit <= 0 or peak_memory() >= self.memory_limit:
            return False
        self.kept.append(analysis.model)
        analysis.model = None
        # out of the collector's sight for good: later collections must not scan the kept trees
        gc.freeze()
        analysis.release()
        return True


_retention = _Retention()


def keep_trees_until_exit(memory_limit: int) -> None:
    """Keep the trees of checked texts instead of freeing them, as long as the process's peak memory
    stays below ``memory_limit`` bytes (0: free every tree).

    Freeing a tree costs a tenth of checking it; a process that ends with ``os._exit`` (a worker
    started by fork) frees nothing at its end, so the time is saved, for memory: about 70 bytes per
    character of source kept.
    """
    _retention.memory_limit = memory_limit


def peak_memory() -> int:
    """The peak resident memory of this process, in bytes (0 where it cannot be known)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


@dataclass(eq=False)
class Analysis:
    """The diagnostics of a text, and the syntax tree and model they were found in, kept until
    ``release``: freeing them costs a tenth of the check, which an editor can do after it has shown
    the diagnostics. The cyclic garbage collector stays paused until then (see ``collector_paused``)."""

    diagnostics: list[Diagnostic]
    model: ModuleModel | None = None
    paused: bool = False

    def release(self) -> None:
        """Free the tree and the model, and let the garbage collector run again; idempotent."""
        model, self.model = self.model, None
        if model is not None:
            model.dispose()
            del model
        if self.paused:
            self.paused = False
            _resume_collector()


def analyse_text(text: str, path: str, settings: Settings, prefilter: bool = True) -> Analysis:
    """Like ``check_text``, but the tree and model are kept until the result's ``release``."""
    needed = relevance(text) if prefilter else Relevance.FULL
    if needed is Relevance.NONE:
        return Analysis([])
    if 0 < settings.max_file_size < len(text):
        raise FileTooLarge(path, len(text), settings.max_file_size)
    _pause_collector()
    analysis = Analysis([], paused=True)
    try:
        diagnostics, analysis.model = _check_parsed(text, path, settings, needed)
        analysis.diagnostics = as_configured(diagnostics, settings)
    except BaseException:
        analysis.release()
        raise
    return analysis


_pauses = 0
_pauses_lock = threading.Lock()
_collector_was_enabled = False


def _pause_collector() -> None:
    """Pause the cyclic garbage collector: a syntax tree is hundreds of thousands of objects, and
    collections triggered while it is built and analysed scan it again and again (a third of the time
    on large files). Pauses nest, across threads; the collector runs again when the last one ends and
    the tree's cycles are broken (``ModuleModel.dispose``), so reference counting frees it at once."""
    global _pauses, _collector_was_enabled
    with _pauses_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1


def _resume_collector() -> None:
    global _pauses
    with _pauses_lock:
        _pauses -= 1
        if _pauses == 0 and _collector_was_enabled:
            gc.enable()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The collector paused for the block (see ``_pause_collector``)."""
    _pause_collector()
    try:
        yield
    finally:
        _resume_collector()


def _check_parsed(
    text: str, path: str, settings: Settings, needed: Relevance
) -> tuple[list[Diagnostic], ModuleModel | None]:
    tree = parse_module(text, path)
    if isinstance(tree, Diagnostic):
        return ([tree] if SyntaxErrorRule.code in settings.select else []), None
    if needed is Relevance.SYNTAX:
        return [], None
    source = SourceText(text)
    model: ModuleModel | None = None
    try:
        model = ModuleModel.build(tree, source)
        ctx = RuleContext(path=path, source=source, model=model, settings=settings)
        found: list[Diagnostic] = []
        for rule_class in RULES:
            if rule_class.code in settings.select and rule_class is not SyntaxErrorRule:
                found.extend(rule_class().check(ctx))
        if not settings.ignore_noqa:
            rows = {d.noqa_row for d in found if d.noqa_row is not None}
            suppressions = parse_suppressions(text, rows)
            found = apply_suppressions(found, suppressions, source, settings.select, KNOWN_CODES)
        found = without_broken_fixes(text, found)
    except RecursionError:
        if model is not None:
            model.dispose()
        raise InternalError(f"{path}: too deeply nested for analysis") from None
    except Exception as exc:  # noqa: BLE001 - re-raised with the file's name for the report
        if model is not None:
            model.dispose()
        raise InternalError(f"{path}: {type(exc).__name__}: {exc}") from exc
    return sorted(set(found), key=lambda d: (d.sort_key, d.message)), model


def as_configured(diagnostics: list[Diagnostic], settings: Settings) -> list[Diagnostic]:
    """The diagnostics with the severities ``settings`` gives, and without the fixes of unfixable rules."""
    return drop_unfixable(apply_severities(diagnostics, settings), settings)


def check_bytes(data: bytes, path: str, settings: Settings) -> FileCheck:
    """Decode and check a file's bytes."""
    if not may_involve_multiprocessing(data):
        return FileCheck(decoded=None, diagnostics=[])
    try:
        decoded = decode_source(data)
    except DecodeError as exc:
        diagnostics = []
        if SyntaxErrorRule.code in settings.select:
            diagnostics.append(syntax_error_diagnostic(exc.message, exc.row, exc.column))
        return FileCheck(decoded=None, diagnostics=as_configured(diagnostics, settings))
    return FileCheck(decoded=decoded, diagnostics=check_text(decoded.text, path, settings))
