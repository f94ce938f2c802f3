"""Checking one file's bytes, and fixing them when asked: the part of a run that does no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from mplint.engine import check_bytes, check_text
from mplint.fix_safety import adjust_fix_safety
from mplint.fixer import fix_text
from mplint.report.results import FileResult, FixMode
from mplint.settings import Settings
from mplint.source import DecodeError, SourceText, decode_source


@dataclass(frozen=True)
class Processed:
    """A file's report entry, with its text before and after fixing and the bytes to write."""

    result: FileResult
    original_text: str | None = None
    fixed_text: str | None = None
    fixed_bytes: bytes | None = None

    @property
    def changed(self) -> bool:
        return self.fixed_text is not None and self.fixed_text != self.original_text


def process_source(data: bytes, path: str, settings: Settings, fix_mode: FixMode, unsafe: bool) -> Processed:
    """Check ``data``; with a fix mode other than GENERATE, also fix it as far as possible.

    Raises ``mplint.engine.InternalError`` when a rule fails on the file.
    """
    try:
        decoded = decode_source(data)
    except DecodeError:
        check = check_bytes(data, path, settings)
        return Processed(FileResult(path, tuple(check.diagnostics)))
    if fix_mode is FixMode.GENERATE:
        diagnostics = adjust_fix_safety(check_text(decoded.text, path, settings), settings)
        return Processed(
            FileResult(path, tuple(diagnostics), SourceText(decoded.text)),
            original_text=decoded.text,
        )
    fixed = fix_text(decoded.text, path, settings, unsafe, encoding=decoded.encoding)
    fixed_bytes = decoded.encode(fixed.text) if fixed.text != decoded.text else None
    return Processed(
        FileResult(path, tuple(fixed.remaining), SourceText(fixed.text), tuple(fixed.fixed)),
        original_text=decoded.text,
        fixed_text=fixed.text,
        fixed_bytes=fixed_bytes,
    )
