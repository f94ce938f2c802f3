"""The result cache: diagnostics of unchanged files, keyed by content, settings and mplint's version.

The cache lives in ``.mplint_cache/<version>/`` (or ``--cache-dir``), marked with ``CACHEDIR.TAG`` and a
``.gitignore`` of ``*``. Entries are JSON, never pickle: an entry that cannot be read, does not parse or
does not describe the file it is looked up for is ignored (and rewritten after the check), never
trusted. Writes are atomic.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from mplint import __version__
from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from mplint.settings import Settings

DEFAULT_CACHE_DIR = ".mplint_cache"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mplint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def settings_fingerprint(settings: Settings) -> str:
    """What of the settings changes a file's diagnostics."""
    parts = [
        ",".join(sorted(settings.select)),
        ",".join(settings.start_methods),
        ",".join(sorted(settings.extend_safe_fixes)),
        ",".join(sorted(settings.extend_unsafe_fixes)),
        ",".join(sorted(settings.unfixable)),
        ",".join(f"{code}={severity}" for code, severity in settings.severities),
        "ignore-noqa" if settings.ignore_noqa else "",
    ]
    return "|".join(parts)


def entry_key(data: bytes, settings: Settings) -> str:
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(b"\0")
    digest.update(settings_fingerprint(settings).encode())
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


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
            if not marker.exists():
                marker.write_text(content, encoding="utf-8")
        self._prepared = True

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[Diagnostic] | None:
        """The cached diagnostics, or None when there is no valid entry."""
        try:
            raw = self._path(key).read_text(encoding="utf-8")
            entry = json.loads(raw)
            if not isinstance(entry, dict) or entry.get("key") != key:
                return None
            if entry.get("version") != __version__:
                return None
            items = entry["diagnostics"]
            if not isinstance(items, list):
                return None
            return [diagnostic_from_json(item) for item in items]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        """Store an entry; a cache that cannot be written is silently skipped."""
        entry = {
            "version": __version__,
            "key": key,
            "diagnostics": [diagnostic_to_json(d) for d in diagnostics],
        }
        try:
            self._prepare()
            path = self._path(key)
            path.parent.mkdir(exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(entry, stream, separators=(",", ":"))
                os.replace(temporary, path)
            except BaseException:
                with _suppress_oserror():
                    os.unlink(temporary)
                raise
        except OSError:
            pass


def is_cache(root: Path) -> bool:
    """Whether ``root`` is a cache directory mplint made (a directory, not a symlink, with its tag)."""
    return root.is_dir() and not root.is_symlink() and (root / "CACHEDIR.TAG").is_file()


def clean(root: Path) -> bool:
    """Remove a cache directory; True when there was one."""
    if not is_cache(root):
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
    return Diagnostic(
        code=_string(item["code"]),
        name=_string(item["name"]),
        message=_string(item["message"]),
        location=_location(item["location"]),
        end_location=_location(item["end_location"]),
        fix=fix,
        severity=_string(item["severity"]),
        noqa_row=noqa_row,
    )
