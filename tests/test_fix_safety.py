"""Fix safety: over every fixture and over generated programs, a fixed file parses, fixing again changes
nothing, no applicable fix is left behind, and nothing outside the fixes' edits changes; encoding, byte
order mark, line breaks, permissions and owner are kept; files are written only when their contents change,
never by ``check`` without ``--fix`` nor by ``--diff``, and atomically even when the run is killed."""

from __future__ import annotations

import codecs
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import run_cli
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from program_strategies import programs

from mplint.diagnostics import Applicability, Diagnostic, Location
from mplint.engine import check_text
from mplint.fix_application import apply_fixes_detailed, parses
from mplint.fix_safety import adjust_fix_safety
from mplint.fixer import MAX_ROUNDS, fix_text
from mplint.processing import process_source
from mplint.report.results import FixMode
from mplint.settings import Settings
from mplint.workspace.selection import default_settings

FIXTURES = Path(__file__).parent.parent / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))
PARSABLE = [path for path in FIXTURE_FILES if parses(path.read_text(encoding="utf-8"))]
SETTINGS = default_settings()
_BREAK = re.compile(r"\r\n|\r|\n")


def fixture_id(path: Path) -> str:
    return str(path.relative_to(FIXTURES))


def spliced(text: str, applied: list[Diagnostic]) -> str:
    """``text`` with the edits of ``applied`` put in by an implementation of its own: rows split at the
    line breaks Python counts, columns counted in characters, everything between the edits copied."""
    starts = [0, *(match.end() for match in _BREAK.finditer(text))]

    def offset(location: Location) -> int:
        return starts[location.row - 1] + location.column - 1

    spans = sorted(
        {
            (offset(edit.location), offset(edit.end_location), edit.content)
            for diagnostic in applied
            if diagnostic.fix is not None
            for edit in diagnostic.fix.edits
        }
    )
    pieces: list[str] = []
    position = 0
    for start, end, content in spans:
        assert position <= start <= end, "edits overlap"
        pieces.append(text[position:start])
        pieces.append(content)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return False
    return fix.applicability is Applicability.SAFE or (unsafe and fix.applicability is Applicability.UNSAFE)


def assert_fix_is_safe(text: str, unsafe: bool, settings: Settings = SETTINGS) -> str:
    """Fix ``text`` round by round as ``fix_text`` does, checking that each round changes only the ranges
    of the edits it applies; then check the properties of the result. Returns the fixed text."""
    current = text
    for _ in range(MAX_ROUNDS):
        diagnostics = adjust_fix_safety(check_text(current, "program.py", settings), settings)
        candidate, applied = apply_fixes_detailed(current, diagnostics, unsafe)
        if not applied or candidate == current:
            break
        assert candidate == spliced(current, applied)
        if not parses(candidate):
            break
        current = candidate
    result = fix_text(text, "program.py", settings, unsafe)
    assert result.text == current
    assert parses(result.text)
    left = [d for d in result.remaining if applicable(d, unsafe)]
    assert not left, [(d.code, d.location, d.message) for d in left]
    again = fix_text(result.text, "program.py", settings, unsafe)
    assert again.text == result.text
    assert again.fixed_count == 0
    breaks = set(_BREAK.findall(text))
    if len(breaks) == 1:  # one style of line break: the fixes use it too
        assert set(_BREAK.findall(result.text)) == breaks
    return result.text


# -- every fixture ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PARSABLE, ids=fixture_id)
def test_fixing_a_fixture_is_safe(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert_fix_is_safe(text, unsafe=False)
    assert_fix_is_safe(text, unsafe=True)


def variants(text: str) -> dict[str, tuple[bytes, str]]:
    """The fixture's text as files of other styles, with the function that styles its fixed text."""
    return {
        "crlf": (text.replace("\n", "\r\n").encode(), "crlf"),
        "bom": (codecs.BOM_UTF8 + text.encode(), "bom"),
        "latin-1": (("# -*- coding: latin-1 -*-\n" + text).encode("latin-1", errors="strict"), "latin-1")
        if text.isascii() or all(ord(c) < 256 for c in text)
        else (text.encode(), "plain"),
        "tabs": (text.replace("    ", "\t").encode(), "tabs"),
    }


def styled(fixed: str, style: str) -> bytes | None:
    if style == "crlf":
        return fixed.replace("\n", "\r\n").encode()
    if style == "bom":
        return codecs.BOM_UTF8 + fixed.encode()
    if style == "latin-1":
        return ("# -*- coding: latin-1 -*-\n" + fixed).encode("latin-1")
    if style == "plain":
        return fixed.encode()
    return None  # tabs: the fixes indent with tabs too, which the plain text cannot predict


@pytest.mark.parametrize("path", PARSABLE, ids=fixture_id)
def test_fixing_keeps_line_breaks_bom_and_encoding(path: Path) -> None:
    """Fixing a fixture written with CRLF, a BOM or a latin-1 cookie gives the fixed fixture written the
    same way; written with tabs, it gives a fixed program that parses and has nothing left to fix."""
    text = path.read_text(encoding="utf-8")
    for unsafe in (False, True):
        fixed = fix_text(text, str(path), SETTINGS, unsafe).text
        for name, (data, style) in variants(text).items():
            processed = process_source(data, str(path), SETTINGS, FixMode.APPLY, unsafe)
            after = processed.fixed_bytes if processed.fixed_bytes is not None else data
            expected = styled(fixed, style)
            if expected is not None:
                assert after == expected, name
            elif parses(data.decode()):
                assert_fix_is_safe(data.decode(), unsafe)


# -- generated programs ----------------------------------------------------------------------------


@settings(derandomize=True, max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=programs(), unsafe=st.booleans())
def test_fixing_a_generated_program_is_safe(program: str, unsafe: bool) -> None:
    assert parses(program)
    assert_fix_is_safe(program, unsafe)


@settings(derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=programs())
def test_a_generated_program_keeps_its_bytes_outside_the_fixes(program: str) -> None:
    """Through the bytes: a BOM and a latin-1 cookie are kept, and the fixed bytes decode to the fixed
    text."""
    fixed = fix_text(program, "program.py", SETTINGS, True).text
    for prefix, encoding in ((codecs.BOM_UTF8, "utf-8"), (b"# coding: latin-1\n", "latin-1")):
        data = prefix + program.encode(encoding)
        processed = process_source(data, "program.py", SETTINGS, FixMode.APPLY, True)
        after = processed.fixed_bytes if processed.fixed_bytes is not None else data
        if encoding == "latin-1":  # the cookie is a line of the program
            fixed = fix_text(prefix.decode() + program, "program.py", SETTINGS, True).text[len(prefix) :]
        assert after == prefix + fixed.encode(encoding)


@pytest.mark.parametrize("code", ["MPL001", "MPL002", "MPL006", "MPL007", "MPL009", "MPL100"])
def test_generated_programs_exercise_every_fix(code: str) -> None:
    """The generator makes programs whose fix of each fixable rule is applied (so the properties above
    are tested on real fixes)."""
    from hypothesis import find

    def fixed_by(program: str) -> bool:
        return code in [d.code for d in fix_text(program, "program.py", SETTINGS, True).fixed]

    search = settings(derandomize=True, max_examples=300, deadline=None, phases=[Phase.generate])
    program = find(programs(), fixed_by, settings=search)
    assert fixed_by(program)


# -- through the command line ----------------------------------------------------------------------


Snapshot = dict[str, tuple[bytes, int, int, int, tuple[int, int]]]


def snapshot(root: Path) -> Snapshot:
    """Every file under ``root``: contents, mtime, inode, mode and owner."""
    found: Snapshot = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            found[str(path.relative_to(root))] = (
                path.read_bytes(),
                info.st_mtime_ns,
                info.st_ino,
                info.st_mode,
                (info.st_uid, info.st_gid),
            )
    return found


@pytest.fixture
def fixture_tree(tmp_path: Path) -> Path:
    """The fixtures, and their CRLF, BOM and latin-1 versions, in a tree of files with varied modes (and,
    as root, owners), all dated in the past."""
    tree = tmp_path / "tree"
    modes = [0o644, 0o600, 0o755, 0o640]
    for index, path in enumerate(PARSABLE):
        text = path.read_text(encoding="utf-8")
        for name, (data, _) in variants(text).items():
            target = tree / name / path.relative_to(FIXTURES)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            target.chmod(modes[index % len(modes)])
            if os.geteuid() == 0:
                os.chown(target, 1000 + index, 2000 + index)
            os.utime(target, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    return tree


def test_check_and_diff_never_write(fixture_tree: Path) -> None:
    before = snapshot(fixture_tree)
    for args in (
        ("--output-format", "json"),
        ("--diff", "--unsafe-fixes"),
        ("--unsafe-fixes", "--exit-non-zero-on-fix", "--show-fixes", "--statistics"),
    ):
        result = run_cli("check", "--isolated", "--no-cache", *args, ".", cwd=fixture_tree)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert snapshot(fixture_tree) == before


def test_fix_through_the_command_line(fixture_tree: Path) -> None:
    """``--fix --unsafe-fixes`` writes exactly the bytes the fixer computes, into the files that change,
    keeping their mode and owner; the others are not touched; a second run writes nothing; and the diff
    named the files that changed."""
    before = snapshot(fixture_tree)
    diff = run_cli("check", "--isolated", "--no-cache", "--diff", "--unsafe-fixes", ".", cwd=fixture_tree)
    announced = {line[4:] for line in diff.stdout.splitlines() if line.startswith("+++ ")}
    result = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", ".", cwd=fixture_tree)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    after = snapshot(fixture_tree)
    assert sorted(after) == sorted(before)  # no file added (no temporary left), none removed
    changed = set()
    for name, (data, mtime, inode, mode, owner) in before.items():
        new_data, new_mtime, new_inode, new_mode, new_owner = after[name]
        processed = process_source(data, name, SETTINGS, FixMode.APPLY, True)
        expected = processed.fixed_bytes if processed.fixed_bytes is not None else data
        assert new_data == expected, name
        assert (new_mode, new_owner) == (mode, owner), name
        if new_data == data:
            assert (new_mtime, new_inode) == (mtime, inode), name
        else:
            changed.add(name)
            assert new_inode != inode, name  # replaced by a rename, never rewritten in place
    assert changed == announced
    assert len(changed) > 40  # every style of every fixable fixture
    rerun = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", ".", cwd=fixture_tree)
    assert "Traceback" not in rerun.stderr
    assert snapshot(fixture_tree) == after


def test_owner_is_kept(tmp_path: Path) -> None:
    """The fixed file keeps its owner and group: another user's as root, else a group of the user's
    other than the primary one where there is one."""
    path = tmp_path / "owned.py"
    path.write_text("from multiprocessing import Process\np = Process(target=print, args=(1))\n")
    if os.geteuid() == 0:
        owner = (4321, 8765)
    else:
        others = [group for group in os.getgroups() if group != os.getgid()]
        owner = (os.getuid(), others[0] if others else os.getgid())
    os.chown(path, *owner)
    path.chmod(0o604)
    result = run_cli("check", "--isolated", "--no-cache", "--fix", "owned.py", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    info = path.stat()
    assert "args=(1,)" in path.read_text()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (*owner, 0o604)


# -- killed while writing --------------------------------------------------------------------------

KILL_FILES = 24
TEMPORARY = re.compile(r"^\.f\d+\.py\.\w+\.mplint-tmp$")


def kill_program(index: int) -> tuple[bytes, bytes]:
    """A large file with one MPL006 at its end: its contents before and after --fix."""
    padding = "".join(
        f"# line {k} of file {index}: padding so that writing takes a while\n" for k in range(6000)
    )
    before = (
        f"import multiprocessing\n{padding}"
        'if __name__ == "__main__":\n'
        "    p = multiprocessing.Process(target=print, args=(1))\n"
        "    p.start()\n    p.join()\n"
    )
    return before.encode(), before.replace("args=(1))", "args=(1,))").encode()


def test_killing_a_fix_run_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    """SIGKILL a real ``--fix`` run at random moments while it is writing, again and again: every file is
    then either wholly its old or wholly its new contents. A temporary file may be left behind by a kill
    (nothing runs after SIGKILL to remove it): at most the one being written, named as mplint names them,
    never replacing or touching the file it was for."""
    contents = [kill_program(index) for index in range(KILL_FILES)]
    names = [f"f{index}.py" for index in range(KILL_FILES)]
    chance = random.Random(20240601)
    mixed_states = 0
    for _round in range(4):
        shutil.rmtree(tmp_path / "run", ignore_errors=True)
        run = tmp_path / "run"
        run.mkdir()
        for name, (old, _) in zip(names, contents, strict=True):
            (run / name).write_bytes(old)
        process = subprocess.Popen(
            [sys.executable, "-m", "mplint", "check", "--isolated", "--no-cache", "--fix", "."],
            cwd=run,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Wait until writing has begun (a temporary file or a fixed file appears), then kill at random.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            entries = os.listdir(run)
            if len(entries) > KILL_FILES or any(
                (run / name).stat().st_size != len(old)
                for name, (old, _) in zip(names, contents, strict=True)
            ):
                break
            time.sleep(0.0005)
        time.sleep(chance.uniform(0, 0.05))
        process.send_signal(signal.SIGKILL)
        process.wait()
        states = []
        for name, (old, new) in zip(names, contents, strict=True):
            data = (run / name).read_bytes()
            assert data in (old, new), f"{name} is neither old nor new after a kill"
            states.append(data == new)
        leftovers = sorted(set(os.listdir(run)) - set(names))
        assert len(leftovers) <= 1 and all(TEMPORARY.match(name) for name in leftovers), leftovers
        mixed_states += any(states) and not all(states)
        # A run that is not killed finishes the job.
        done = run_cli("check", "--isolated", "--no-cache", "--fix", *names, cwd=run)
        assert done.returncode == 0, done.stderr
        assert [(run / name).read_bytes() for name in names] == [new for _, new in contents]
    assert mixed_states >= 1, "no kill landed while the files were being written"
