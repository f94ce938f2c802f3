"""File names and messages never put a control character on the terminal, and a file name that is not
valid UTF-8 stops no format: people's formats write both as backslash escapes (``\\x1b``, the byte
``\\xff``), JSON formats as ``\\u`` escapes (``\\udcff`` for the byte 0xFF, which ``os.fsencode``
turns back), SARIF as a percent-encoded URI (``%FF``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote_to_bytes

import jsonschema
import pytest
from cache_support import signed

from mplint import __version__
from mplint.cache import Cache, entry_key
from mplint.diagnostics import Diagnostic, Location
from mplint.report import OUTPUT_FORMATS
from mplint.workspace.selection import default_settings

NAME = b"esc\x1b[31m\xff.py"
SHOWN = "esc\\x1b[31m\\xff.py"
SOURCE = (
    'from multiprocessing import Pool, Process\n\nwith Pool(int("\x1b]0;title\x07\x9b2J\u202e")) as pool:\n'
    "    Process(target=print, args=(1))\n"
)
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
# Anything a terminal acts on: C0 controls but the line break, DEL, C1 controls, bidi overrides.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(*args: str, cwd: Path) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "mplint", *args], cwd=cwd, capture_output=True, timeout=120, check=False
    )
    # strict decoding: the output is valid UTF-8, without lone surrogates
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / os.fsdecode(NAME)).write_bytes(SOURCE.encode())
    return tmp_path


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_no_format_prints_control_characters_or_stops_on_a_name(project: Path, output_format: str) -> None:
    code, out, err = run(
        "check", "--isolated", "--no-cache", "--output-format", output_format, ".", cwd=project
    )
    assert code == 1, err
    assert err == ""
    assert "MPL002" in out and "MPL006" in out
    assert not CONTROL.search(out.replace("\t", "")), [match.group() for match in CONTROL.finditer(out)]
    if output_format == "rdjson":
        (diagnostic, *_) = json.loads(out)["diagnostics"]
        assert os.fsencode(diagnostic["location"]["path"]) == NAME
        assert "\x1b]0;title\x07\x9b2J\u202e" in diagnostic["message"]
    elif output_format in ("json", "json-lines", "gitlab", "sarif"):
        text = out if output_format != "json-lines" else "[" + ",".join(out.splitlines()) + "]"
        log = json.loads(text)
        if output_format == "sarif":
            schema = json.loads(SARIF_SCHEMA.read_text())
            jsonschema.validators.validator_for(schema)(schema).validate(log)
            location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            assert unquote_to_bytes(location["uri"]) == NAME
        elif output_format == "gitlab":
            assert os.fsencode(log[0]["location"]["path"]) == NAME
        else:
            assert os.fsencode(log[0]["filename"]) == os.fsencode(project) + b"/" + NAME
            assert "\x1b]0;title\x07\x9b2J\u202e" in log[0]["message"]
    elif output_format == "junit":
        suite = ET.fromstring(out).find("testsuite")
        assert suite is not None and suite.get("name") == SHOWN
    else:
        assert SHOWN in out
        assert "\\x1b]0;title\\x07\\x9b2J\\u202e" in out


def test_cached_messages_are_printed_escaped(tmp_path: Path) -> None:
    """A message that came from a cache entry (here one this user's key signed) is escaped too."""
    (tmp_path / "job.py").write_text("import multiprocessing\n\nx = 1\n")
    data = (tmp_path / "job.py").read_bytes()
    message = "\x1b[2J\x1b]0;pwned\x07owned"
    claimed = Diagnostic("MPL003", "unjoined-process", message, Location(3, 1), Location(3, 2))
    path = str(tmp_path / "job.py")
    Cache(tmp_path / ".mplint_cache").put(entry_key(data, default_settings(), path), path, [claimed])
    for output_format in ("full", "concise", "grouped", "github", "pylint", "junit"):
        code, out, _ = run("check", "--isolated", "--output-format", output_format, "job.py", cwd=tmp_path)
        assert code == 1
        assert "\\x1b[2J\\x1b]0;pwned\\x07owned" in out, output_format
        assert not CONTROL.search(out)
    assert signed  # entries are signed as tests/cache_support.py writes them (see test_cache_trust.py)
    assert __version__


def test_messages_on_stderr_and_show_files_escape_names(project: Path) -> None:
    code, out, err = run("check", "--isolated", "--no-cache", "--show-files", ".", cwd=project)
    assert code == 0 and SHOWN in out and not CONTROL.search(out)
    code, out, err = run("check", "--isolated", "--no-cache", "gone\x1b[2J.py", cwd=project)
    assert code == 2
    assert "gone\\x1b[2J.py" in err and not CONTROL.search(err), err
    code, out, err = run("check", "--isolated", "--no-cache", "--verbose", ".", cwd=project)
    assert SHOWN in err and not CONTROL.search(err)
