"""Baselines: the diagnostics a project has accepted for now, so that only new ones are reported.

An entry names a file (relative to the baseline's directory, with ``/``), a rule, the function or class
enclosing the diagnostic (``Class.method``; empty at module level) and a hash of the flagged code's
tokens: not a line number, so that edits elsewhere in the file, re-spacing and re-indenting leave it
matching. The same code flagged twice in one scope is one entry with a count. The file is
JSON, sorted and indented, so that a change to it reads well in a diff.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import json
import os
import tempfile
import tokenize
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from mplint.diagnostics import Diagnostic
from mplint.reading import read_regular_file
from mplint.report.paths import display_path
from mplint.report.results import FileResult
from mplint.source import SourceText
from mplint.writing import FileChanged, write_atomic

FORMAT_VERSION = 1
SNIPPET_LENGTH = 80
"""How much of the flagged code an entry shows (for the reader; the hash covers all of it)."""


class BaselineError(Exception):
    """A baseline file that cannot be read or used; the message is one line and names the file."""


@dataclass(frozen=True, order=True)
class Key:
    """What identifies an accepted diagnostic."""

    file: str
    rule: str
    scope: str
    hash: str


@dataclass(frozen=True, order=True)
class Stale:
    """A baseline entry that no diagnostic of this run matched (or only ``count`` fewer did)."""

    key: Key
    count: int
    snippet: str


@dataclass
class Baseline:
    """The entries of one baseline file, with the snippets shown beside them."""

    path: Path
    counts: Counter[Key] = field(default_factory=Counter)
    snippets: dict[Key, str] = field(default_factory=dict)
    original: bytes | None = None
    """The file's bytes as read (None: there was no file); it is written over only if it still holds them."""

    def file_key(self, path: str) -> str:
        """How ``path`` is named in this baseline: relative to its directory, with ``/``."""
        relative = os.path.relpath(os.path.abspath(path), self.path.parent)
        return relative.replace(os.sep, "/")

    def keys_of(self, result: FileResult) -> list[tuple[Key, str]]:
        """The key and snippet of each diagnostic of ``result``, in order."""
        if not result.diagnostics:
            return []
        scopes = Scopes(result.source.text) if result.source is not None else None
        name = self.file_key(result.path)
        keyed: list[tuple[Key, str]] = []
        for diagnostic in result.diagnostics:
            code = flagged_code(result.source, diagnostic)
            scope = scopes.enclosing(diagnostic.location.row) if scopes else ""
            digest = hashlib.sha256(normalized(code).encode("utf-8", "surrogatepass")).hexdigest()[:16]
            keyed.append((Key(name, diagnostic.code, scope, digest), _snippet(code)))
        return keyed

    def filter(self, results: list[FileResult]) -> tuple[list[FileResult], list[Stale], int]:
        """The results without the diagnostics this baseline accepts, the entries that matched
        nothing in the files checked (or in files that no longer exist), and how many were accepted."""
        remaining = Counter(self.counts)
        checked: set[str] = set()
        kept: list[FileResult] = []
        accepted = 0
        for result in results:
            checked.add(self.file_key(result.path))
            diagnostics: list[Diagnostic] = []
            for diagnostic, (key, _) in zip(result.diagnostics, self.keys_of(result), strict=True):
                if remaining[key] > 0:
                    remaining[key] -= 1
                    accepted += 1
                else:
                    diagnostics.append(diagnostic)
            kept.append(replace(result, diagnostics=tuple(diagnostics)))
        stale = [
            Stale(key, count, self.snippets.get(key, ""))
            for key, count in sorted(remaining.items())
            if count > 0 and (key.file in checked or not (self.path.parent / key.file).exists())
        ]
        return kept, stale, accepted

    def updated(self, results: list[FileResult]) -> Baseline:
        """A baseline recording every diagnostic of ``results``, keeping the entries of files that were
        not checked this run and still exist."""
        fresh = Baseline(self.path, original=self.original)
        checked = {self.file_key(result.path) for result in results}
        for key, count in self.counts.items():
            if key.file not in checked and (self.path.parent / key.file).exists():
                fresh.counts[key] = count
                fresh.snippets[key] = self.snippets.get(key, "")
        for result in results:
            for key, snippet in self.keys_of(result):
                fresh.counts[key] += 1
                fresh.snippets[key] = snippet
        return fresh

    def to_json(self) -> str:
        entries = [
            {
                "file": key.file,
                "rule": key.rule,
                "scope": key.scope,
                "hash": key.hash,
                "count": count,
                "code": self.snippets.get(key, ""),
            }
            for key, count in sorted(self.counts.items())
            if count > 0
        ]
        document = {"version": FORMAT_VERSION, "entries": entries}
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def save(self) -> None:
        """Write the baseline atomically (an existing file keeps its permissions, and is written over
        only if it was not changed since it was read). Raises BaselineError or OSError."""
        data = self.to_json().encode("utf-8")
        if self.original is not None:
            try:
                write_atomic(self.path, data, expected=self.original)
            except FileChanged:
                raise BaselineError(
                    f"baseline {display_path(str(self.path))}: changed while mplint ran; not written"
                ) from None
            return
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_baseline(path: Path, missing_ok: bool = False) -> Baseline:
    """The baseline at ``path``; an empty one when it does not exist and ``missing_ok``.

    Raises BaselineError when the file cannot be read or is not a baseline.
    """
    shown = display_path(str(path))
    try:
        original = read_regular_file(path)
        text = original.decode("utf-8")
    except FileNotFoundError:
        if missing_ok:
            return Baseline(path)
        raise BaselineError(f"baseline {shown}: no such file (create it with --update-baseline)") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise BaselineError(f"baseline {shown}: cannot read: {reason}") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"baseline {shown}: not valid JSON: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise BaselineError(f'baseline {shown}: expected an object with an "entries" list')
    if document.get("version") != FORMAT_VERSION:
        raise BaselineError(
            f"baseline {shown}: unsupported version {document.get('version')!r} (expected {FORMAT_VERSION})"
        )
    baseline = Baseline(path, original=original)
    for index, entry in enumerate(document["entries"]):
        key, count, snippet = _entry(entry, f"baseline {shown}: entry {index + 1}")
        baseline.counts[key] += count
        baseline.snippets[key] = snippet
    return baseline


def _entry(entry: object, where: str) -> tuple[Key, int, str]:
    if not isinstance(entry, dict):
        raise BaselineError(f"{where}: expected an object")
    values: list[str] = []
    for name in ("file", "rule", "scope", "hash"):
        value = entry.get(name)
        if not isinstance(value, str):
            raise BaselineError(f"{where}: {name!r} must be a string")
        values.append(value)
    count = entry.get("count", 1)
    if type(count) is not int or count < 1:
        raise BaselineError(f"{where}: 'count' must be a positive integer")
    snippet = entry.get("code", "")
    return Key(*values), count, snippet if isinstance(snippet, str) else ""


def flagged_code(source: SourceText | None, diagnostic: Diagnostic) -> str:
    """The code a diagnostic flags, whitespace runs collapsed to one space (its message, when the
    source is not known)."""
    if source is None:
        return diagnostic.message
    try:
        start = source.offset(diagnostic.location)
        end = source.offset(diagnostic.end_location)
    except (IndexError, ValueError):
        return diagnostic.message
    return " ".join(source.text[start:end].split()) or diagnostic.message


_LAYOUT_TOKENS = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
)


def normalized(code: str) -> str:
    """The code's tokens, one space apart: spacing, line breaks and comments do not count
    (``p.start( )`` is ``p.start()``); code that does not tokenize is taken as it is."""
    try:
        tokens = [
            token.string
            for token in tokenize.generate_tokens(io.StringIO(code).readline)
            if token.type not in _LAYOUT_TOKENS
        ]
    except (tokenize.TokenError, SyntaxError):
        return code
    return " ".join(tokens)


def _snippet(code: str) -> str:
    return code if len(code) <= SNIPPET_LENGTH else code[: SNIPPET_LENGTH - 3] + "..."


class Scopes:
    """The functions and classes of a module, to name the innermost one holding a row."""

    def __init__(self, text: str) -> None:
        self.spans: list[tuple[int, int, str]] = []
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return
        self._collect(tree, "")

    def _collect(self, node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                first = min([child.lineno, *(decorator.lineno for decorator in child.decorator_list)])
                self.spans.append((first, child.end_lineno or child.lineno, name))
                self._collect(child, name + ".")
            else:
                self._collect(child, prefix)

    def enclosing(self, row: int) -> str:
        """The qualified name of the innermost function or class holding ``row`` (empty: none)."""
        best = ""
        best_size: int | None = None
        for first, last, name in self.spans:
            if first <= row <= last and (best_size is None or last - first <= best_size):
                best, best_size = name, last - first
        return best
