"""The cache believes only entries this user's mplint wrote for this very file, with codes mplint has
and positions inside the file: a cache directory that comes with the checked repository cannot hide a
finding or put text of its choosing on the terminal."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from cache_support import signed
from cli_support import run_cli

from mplint import __version__
from mplint.cache import Cache, diagnostic_to_json, entry_key, settings_fingerprint
from mplint.diagnostics import Diagnostic, Location
from mplint.engine import check_text
from mplint.workspace.selection import default_settings

PITFALL = (
    "from multiprocessing import Process\n\n\ndef work(x):\n    print(x)\n\n\n"
    'if __name__ == "__main__":\n    p = Process(target=work, args=(1))\n    p.start()\n    p.join()\n'
)
ANOTHER_USERS_KEY = bytes(range(32))


def entry_file(cache_root: Path, key: str) -> Path:
    path = cache_root / __version__ / key[:2] / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def commit_empty_entries(project: Path, name: str) -> None:
    """What a repository could commit to say that ``name`` is clean: an entry without diagnostics
    under the key anyone can compute, in the unsigned format of earlier versions, and in today's
    format signed with another user's key."""
    data = (project / name).read_bytes()
    settings = default_settings()
    cache_root = project / ".mplint_cache"
    digest = hashlib.sha256()
    for part in (__version__.encode(), settings_fingerprint(settings).encode()):
        digest.update(part + b"\0")
    digest.update(data)
    unsigned_key = digest.hexdigest()
    entry = {"version": __version__, "key": unsigned_key, "diagnostics": []}
    entry_file(cache_root, unsigned_key).write_text(json.dumps(entry))
    key = entry_key(data, settings, str(project / name))
    entry = {"version": __version__, "key": key, "path": str(project / name), "diagnostics": []}
    payload = json.dumps(entry, separators=(",", ":")).encode()
    entry_file(cache_root, key).write_bytes(signed(payload, ANOTHER_USERS_KEY))


def test_a_committed_entry_never_silences_a_finding(tmp_path: Path) -> None:
    (tmp_path / "job.py").write_text(PITFALL)
    commit_empty_entries(tmp_path, "job.py")
    for _ in range(2):  # the entries are rewritten by the first run; the second reads its own
        result = run_cli("check", "--isolated", "--output-format", "concise", "job.py", cwd=tmp_path)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "job.py:9:36: MPL006" in result.stdout


def test_this_users_entries_are_used(tmp_path: Path) -> None:
    """The cache still works: an entry signed with this user's key is believed (here it says a
    different, valid thing than a check would, to tell it was read)."""
    (tmp_path / "job.py").write_text(PITFALL)
    data = (tmp_path / "job.py").read_bytes()
    claimed = Diagnostic("MPL003", "unjoined-process", "from the cache", Location(10, 5), Location(10, 14))
    cache = Cache(tmp_path / ".mplint_cache")
    cache.put(
        entry_key(data, default_settings(), str(tmp_path / "job.py")), str(tmp_path / "job.py"), [claimed]
    )
    result = run_cli("check", "--isolated", "--output-format", "concise", "job.py", cwd=tmp_path)
    assert result.stdout.splitlines()[0] == "job.py:10:5: MPL003 from the cache"


def valid_diagnostics() -> list[Diagnostic]:
    found = check_text(PITFALL, "job.py", default_settings())
    assert found and all(d.fix is not None for d in found)
    return found


@pytest.mark.parametrize(
    "change",
    [
        {"code": "MPL999"},
        {"code": "E501"},
        {"name": "unjoined-process"},  # a real name, but not this code's
        {"severity": "fatal"},
        {"location": [99, 1]},
        {"location": [9, 200]},
        {"location": [0, 1]},
        {"end_location": [9, 1]},  # ends before it starts
        {"end_location": [40, 1]},
        {"noqa_row": 500},
        {"edit": [[" ", [1, 1], [80, 1]]]},
    ],
    ids=str,
)
def test_signed_entries_that_do_not_fit_the_file_are_ignored(
    change: dict[str, object], tmp_path: Path
) -> None:
    data = PITFALL.encode()
    path = str(tmp_path / "job.py")
    cache = Cache(tmp_path / "cache")
    key = entry_key(data, default_settings(), path)
    cache.put(key, path, valid_diagnostics())
    assert cache.get(key, path, data) is not None
    item = diagnostic_to_json(valid_diagnostics()[0])
    if "edit" in change:
        assert isinstance(item["fix"], dict)
        item["fix"]["edits"] = change["edit"]
    else:
        item.update(change)
    entry = {"version": __version__, "key": key, "path": os.path.abspath(path), "diagnostics": [item]}
    entry_file(tmp_path / "cache", key).write_bytes(signed(json.dumps(entry).encode()))
    assert cache.get(key, path, data) is None


def test_an_entry_for_another_file_is_ignored(tmp_path: Path) -> None:
    data = PITFALL.encode()
    cache = Cache(tmp_path / "cache")
    key = entry_key(data, default_settings(), "a.py")
    cache.put(key, "a.py", valid_diagnostics())
    assert cache.get(key, "a.py", data) is not None
    assert cache.get(key, "b.py", data) is None


def test_entries_are_read_from_regular_files_only(tmp_path: Path) -> None:
    data = PITFALL.encode()
    cache = Cache(tmp_path / "cache")
    key = entry_key(data, default_settings(), "a.py")
    cache.put(key, "a.py", [])
    path = entry_file(tmp_path / "cache", key)
    real = tmp_path / "elsewhere.json"
    path.rename(real)
    os.symlink(real, path)
    assert cache.get(key, "a.py", data) is None
    path.unlink()
    os.mkfifo(path)  # a read would block forever
    assert cache.get(key, "a.py", data) is None
