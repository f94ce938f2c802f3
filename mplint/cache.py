"""The result cache: diagnostics of unchanged files, keyed by content, path, settings and mplint's version.

The cache lives in ``.mplint_cache/<version>/`` (or ``--cache-dir``), marked with ``CACHEDIR.TAG`` and a
``.gitignore`` of ``*``. Entries are JSON, never pickle, and are believed only when they prove that
this user's mplint wrote them: each starts with an HMAC-SHA256 of the rest, keyed by a secret kept in
the user's own cache directory (``mplint.user_key``), so that an entry committed to the checked
repository (which could otherwise say "no diagnostics" for a file that has some) is ignored, as is an
entry that cannot be read, does not parse, names another file, a code mplint does not have, or a
position outside the file. Ignored entries are rewritten after the check. Writes are atomic; entry
directories that are symbolic links, and entries that are not regular files, are never used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mplint import __version__
from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from mplint.rules import RULES
from mplint.settings import Settings
from mplint.source import DecodeError, SourceText, decode_source
from mplint.user_key import cache_key

DEFAULT_CACHE_DIR = ".mplint_cache"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mplint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
ENTRY_SIZE_LIMIT = 64 * 1024 * 1024
RULE_NAMES: dict[str, str] = {rule.code: rule.name for rule in RULES}
SEVERITIES = frozenset({"error", "warning"})


def settings_fingerprint(settings: Settings) -> str:
    """What of the settings changes a file's diagnostics."""
    parts = [
        ",".join(sorted(settings.select)),
        ",".join(settings.start_methods),
        ",".join(sorted(settings.extend_safe_fixes)),
        ",".join(sorted(settings.extend_unsafe_fixes)),
    ]
    return "|".join(parts)


def entry_key(data: bytes, settings: Settings, path: str) -> str:
    digest = hashlib.sha256()
    for part in (
        __version__.encode(),
        settings_fingerprint(settings).encode(),
        os.fsencode(entry_path(path)),
    ):
        digest.update(part)
        digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


def entry_path(path: str) -> str:
    """The name an entry records for the file it describes."""
    return os.path.abspath(path)


def _mac(payload: bytes) -> str:
    return hmac.new(cache_key(), payload, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CachedResult:
    """A file's cached diagnostics, and its text when they need quoting."""

    diagnostics: list[Diagnostic]
    source: SourceText | None


class Cache:
    """Diagnostics by entry key, on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.directory = root / __version__
        self._prepared = False

    def _prepare(self) -> None:
        if self._prepared:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, content in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "*\n")):
            marker = self.root / name
            if not marker.exists() and not marker.is_symlink():
                marker.write_text(content, encoding="utf-8")
        self._prepared = True

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def _read(self, path: Path) -> bytes | None:
        """The entry's bytes: never through a link, never from anything but a small regular file."""
        if self.directory.is_symlink() or path.parent.is_symlink():
            return None
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            handle = os.open(path, flags)
        except OSError:
            return None
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > ENTRY_SIZE_LIMIT:
                return None
            return stream.read(ENTRY_SIZE_LIMIT + 1)

    def get(self, key: str, path: str, data: bytes) -> CachedResult | None:
        """The cached diagnostics of the file ``path`` holding ``data``, or None when there is no
        valid entry written by this user's mplint for it."""
        try:
            raw = self._read(self._path(key))
        except OSError:
            return None
        if raw is None:
            return None
        mac, _, payload = raw.partition(b"\n")
        if not hmac.compare_digest(mac, _mac(payload).encode()):
            return None
        try:
            entry = json.loads(payload)
            if not isinstance(entry, dict) or entry.get("key") != key:
                return None
            if entry.get("version") != __version__ or entry.get("path") != entry_path(path):
                return None
            items = entry["diagnostics"]
            if not isinstance(items, list):
                return None
            diagnostics = [diagnostic_from_json(item) for item in items]
        except (ValueError, KeyError, TypeError):
            return None
        if not diagnostics:
            return CachedResult([], None)
        try:
            source = SourceText(decode_source(data).text)
        except DecodeError:
            return None
        if not all(within(diagnostic, source) for diagnostic in diagnostics):
            return None
        return CachedResult(diagnostics, source)

    def put(self, key: str, path: str, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        """Store an entry; a cache that cannot be written is silently skipped."""
        entry = {
            "version": __version__,
            "key": key,
            "path": entry_path(path),
            "diagnostics": [diagnostic_to_json(d) for d in diagnostics],
        }
        payload = json.dumps(entry, separators=(",", ":")).encode("ascii")
        try:
            self._prepare()
            target = self._path(key)
            target.parent.mkdir(exist_ok=True)
            if self.directory.is_symlink() or target.parent.is_symlink():
                return
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(_mac(payload).encode() + b"\n" + payload)
                os.replace(temporary, target)
            except BaseException:
                with _suppress_oserror():
                    os.unlink(temporary)
                raise
        except OSError:
            pass


def within(diagnostic: Diagnostic, source: SourceText) -> bool:
    """Whether every position of ``diagnostic`` (range, fix edits, noqa row) lies inside ``source``."""
    rows = len(source.lines)

    def inside(location: Location) -> bool:
        return 1 <= location.row <= rows and 1 <= location.column <= len(source.line(location.row)) + 1

    def span(start: Location, end: Location) -> bool:
        return inside(start) and inside(end) and start <= end

    if not span(diagnostic.location, diagnostic.end_location):
        return False
    if diagnostic.noqa_row is not None and not 1 <= diagnostic.noqa_row <= rows:
        return False
    edits = diagnostic.fix.edits if diagnostic.fix is not None else ()
    return all(span(edit.location, edit.end_location) for edit in edits)


def clean(root: Path) -> bool:
    """Remove a cache directory; True when there was one."""
    if not (root / "CACHEDIR.TAG").is_file():
        return False
    shutil.rmtree(root)
    return True


class _suppress_oserror:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, value: object, traceback: object) -> bool:
        return isinstance(value, OSError)


def diagnostic_to_json(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "location": [diagnostic.location.row, diagnostic.location.column],
        "end_location": [diagnostic.end_location.row, diagnostic.end_location.column],
        "noqa_row": diagnostic.noqa_row,
        "severity": diagnostic.severity,
        "fix": None
        if diagnostic.fix is None
        else {
            "message": diagnostic.fix.message,
            "applicability": diagnostic.fix.applicability.value,
            "edits": [
                [
                    edit.content,
                    [edit.location.row, edit.location.column],
                    [edit.end_location.row, edit.end_location.column],
                ]
                for edit in diagnostic.fix.edits
            ],
        },
    }


def _location(value: object) -> Location:
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        raise ValueError("bad location")
    return Location(value[0], value[1])


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def diagnostic_from_json(item: object) -> Diagnostic:
    """Rebuild a diagnostic, validating every field (a foreign entry raises ValueError)."""
    if not isinstance(item, dict):
        raise ValueError("bad entry")
    fix = None
    raw_fix = item["fix"]
    if raw_fix is not None:
        if not isinstance(raw_fix, dict) or not isinstance(raw_fix["edits"], list):
            raise ValueError("bad fix")
        edits = []
        for raw_edit in raw_fix["edits"]:
            if not isinstance(raw_edit, list) or len(raw_edit) != 3:
                raise ValueError("bad edit")
            content, start, end = raw_edit
            edits.append(Edit(_string(content), _location(start), _location(end)))
        fix = Fix(_string(raw_fix["message"]), tuple(edits), Applicability(raw_fix["applicability"]))
    noqa_row = item["noqa_row"]
    if noqa_row is not None and type(noqa_row) is not int:
        raise ValueError("bad noqa row")
    code, name, severity = _string(item["code"]), _string(item["name"]), _string(item["severity"])
    if RULE_NAMES.get(code) != name:
        raise ValueError("unknown rule")
    if severity not in SEVERITIES:
        raise ValueError("unknown severity")
    return Diagnostic(
        code=code,
        name=name,
        message=_string(item["message"]),
        location=_location(item["location"]),
        end_location=_location(item["end_location"]),
        fix=fix,
        severity=severity,
        noqa_row=noqa_row,
    )
