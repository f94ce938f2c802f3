"""``--fix``, ``--diff`` and friends end to end, with a stand-in checker that offers fixes."""

from __future__ import annotations

import codecs
import json
import os
import stat
from pathlib import Path

import pytest
from cli_support import fake_check_text, run_main, use_fake_checker

from mplint.diagnostics import Diagnostic
from mplint.settings import Settings


@pytest.fixture(autouse=True)
def fake_rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_fake_checker(monkeypatch)
    monkeypatch.chdir(tmp_path)


def write(path: Path, data: bytes, mode: int = 0o644) -> Path:
    path.write_bytes(data)
    path.chmod(mode)
    return path


def test_report_marks_fixable_diagnostics(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write(tmp_path / "m.py", b"a = bad_call()\nb = risky()\nc = plain()\n")
    result = run_main(monkeypatch, "check", "--output-format", "concise")
    assert result.code == 1
    assert result.out == (
        "m.py:1:5: MPL001 [*] `bad_call()` is a pitfall\n"
        "m.py:2:5: MPL001 `risky()` is a pitfall\n"
        "m.py:3:5: MPL003 `plain()` is a pitfall\n"
        "Found 3 errors.\n"
        "[*] 1 fixable with the --fix option "
        "(1 hidden fix can be enabled with the --unsafe-fixes option).\n"
    )
    unsafe = run_main(monkeypatch, "check", "--output-format", "concise", "--unsafe-fixes")
    assert "m.py:2:5: MPL001 [*] `risky()`" in unsafe.out
    assert unsafe.out.endswith("Found 3 errors.\n[*] 2 fixable with the --fix option.\n")


def test_full_report_has_carets_and_help(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write(tmp_path / "m.py", b"if True:\n\tx = bad_call()\n")
    result = run_main(monkeypatch, "check")
    assert result.out == (
        "m.py:2:6: MPL001 [*] `bad_call()` is a pitfall\n"
        "  |\n"
        "2 |     x = bad_call()\n"
        "  |         ^^^^^^^^^^\n"
        "  |\n"
        "  = help: Replace with `good_call()`\n"
        "  |\n"
        "1 | if True:\n"
        "  -     x = bad_call()\n"
        "2 +     x = good_call()\n"
        "  |\n"
        "\n"
        "Found 1 error.\n"
        "[*] 1 fixable with the --fix option.\n"
    )


def test_fix_writes_atomically_and_keeps_the_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", b"a = bad_call()\nc = plain()\n", mode=0o640)
    before = path.stat()
    result = run_main(monkeypatch, "check", "--fix", "--output-format", "concise")
    assert result.code == 1  # plain() remains
    assert path.read_bytes() == b"a = good_call()\nc = plain()\n"
    after = path.stat()
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert after.st_ino != before.st_ino  # replaced by rename, not rewritten in place
    assert sorted(os.listdir(tmp_path)) == ["m.py"]  # no temporary file left behind
    assert result.out == ("m.py:2:5: MPL003 `plain()` is a pitfall\nFound 2 errors (1 fixed, 1 remaining).\n")


def test_fix_everything_exits_zero(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", b"a = bad_call()\n")
    result = run_main(monkeypatch, "check", "--fix")
    assert result.code == 0
    assert path.read_bytes() == b"a = good_call()\n"
    assert result.out == "Found 1 error (1 fixed, 0 remaining).\n"
    path.write_bytes(b"a = bad_call()\n")
    assert run_main(monkeypatch, "check", "--fix", "--exit-non-zero-on-fix").code == 1


def test_fix_keeps_crlf(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", b"a = 1\r\nb = bad_call()\r\nc = 3\nd = 4\r\n")
    run_main(monkeypatch, "check", "--fix")
    assert path.read_bytes() == b"a = 1\r\nb = good_call()\r\nc = 3\nd = 4\r\n"


def test_fix_keeps_the_bom(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", codecs.BOM_UTF8 + "s = 'é'\nb = bad_call()\n".encode())
    run_main(monkeypatch, "check", "--fix")
    assert path.read_bytes() == codecs.BOM_UTF8 + "s = 'é'\nb = good_call()\n".encode()


def test_fix_keeps_a_latin1_encoding(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\ns = 'café'\nb = bad_call()\n"
    path = write(tmp_path / "m.py", source.encode("latin-1"))
    result = run_main(monkeypatch, "check", "--fix")
    assert result.code == 0
    assert path.read_bytes() == source.replace("bad_call", "good_call").encode("latin-1")


def test_a_fix_the_encoding_cannot_hold_is_not_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = "# -*- coding: latin-1 -*-\nb = snowman()\n".encode("latin-1")
    path = write(tmp_path / "m.py", source)
    result = run_main(monkeypatch, "check", "--fix")
    assert result.code == 1
    assert path.read_bytes() == source


def test_no_write_when_nothing_changes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean = write(tmp_path / "clean.py", b"a = 1\n")
    unfixable = write(tmp_path / "plain.py", b"a = plain()\n")
    broken = write(tmp_path / "broken.py", b"a = breaks()\n")
    os.utime(clean, ns=(1_000_000_000, 1_000_000_000))
    os.utime(unfixable, ns=(1_000_000_000, 1_000_000_000))
    os.utime(broken, ns=(1_000_000_000, 1_000_000_000))
    before = {path: path.stat() for path in (clean, unfixable, broken)}
    run_main(monkeypatch, "check", "--fix", "--unsafe-fixes")
    for path, info in before.items():
        after = path.stat()
        assert (after.st_mtime_ns, after.st_ino) == (info.st_mtime_ns, info.st_ino), path


def test_diff_writes_nothing_and_prints_a_diff(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    original = b"a = 1\nb = bad_call()\nc = plain()\n"
    path = write(tmp_path / "m.py", original)
    result = run_main(monkeypatch, "check", "--diff")
    assert result.code == 1
    assert path.read_bytes() == original
    assert result.out == (
        "--- m.py\n+++ m.py\n@@ -1,3 +1,3 @@\n a = 1\n-b = bad_call()\n+b = good_call()\n c = plain()\n"
    )
    assert result.stderr == "Would fix 1 error.\n"


def test_diff_without_changes_exits_zero(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write(tmp_path / "m.py", b"a = plain()\nb = risky()\n")
    result = run_main(monkeypatch, "check", "--diff")
    assert result.code == 0
    assert result.out == ""
    assert result.stderr == "No errors would be fixed (1 fix available with --unsafe-fixes).\n"


def test_diff_marks_a_missing_final_newline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write(tmp_path / "m.py", b"b = bad_call()")
    result = run_main(monkeypatch, "check", "--diff")
    assert result.out.endswith(
        "-b = bad_call()\n\\ No newline at end of file\n+b = good_call()\n\\ No newline at end of file\n"
    )


def test_fix_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", b"a = bad_call()\nc = plain()\n")
    result = run_main(monkeypatch, "check", "--fix-only")
    assert result.code == 0
    assert result.out == "Fixed 1 error.\n"
    assert path.read_bytes() == b"a = good_call()\nc = plain()\n"
    path.write_bytes(b"a = bad_call()\n")
    assert run_main(monkeypatch, "check", "--fix-only", "--exit-non-zero-on-fix").code == 1


def test_show_fixes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write(tmp_path / "m.py", b"a = bad_call()\nb = bad_call()\n")
    result = run_main(monkeypatch, "check", "--fix", "--show-fixes")
    assert result.out == (
        "\nFixed 2 errors:\n- m.py:\n    2 \u00d7 MPL001 (proxy-nested-mutation)\n\n"
        "Found 2 errors (2 fixed, 0 remaining).\n"
    )


def test_stdin_fix_prints_the_fixed_source(monkeypatch: pytest.MonkeyPatch) -> None:
    source = b"a = bad_call()\r\nc = plain()\r\n"
    result = run_main(monkeypatch, "check", "--fix", "--stdin-filename", "m.py", stdin=source)
    assert result.code == 1
    assert result.stdout == b"a = good_call()\r\nc = plain()\r\n"
    assert "m.py:2:5: MPL003 `plain()` is a pitfall" in result.stderr
    assert result.stderr.endswith("Found 2 errors (1 fixed, 1 remaining).\n")


def test_stdin_fix_echoes_a_source_it_cannot_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    source = b"import multiprocessing\na = '\xff'\n"
    result = run_main(monkeypatch, "check", "--fix", "-", stdin=source)
    assert result.stdout == source
    assert "-:2:" in result.stderr


def test_stdin_diff(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_main(monkeypatch, "check", "--diff", "-", stdin=b"a = bad_call()\n")
    assert result.code == 1
    assert result.out == "--- -\n+++ -\n@@ -1 +1 @@\n-a = bad_call()\n+a = good_call()\n"


def test_json_fix_object(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write(tmp_path / "m.py", b"s = '\xc3\xa9'; a = bad_call()\n")
    result = run_main(monkeypatch, "check", "--output-format", "json")
    (diagnostic,) = json.loads(result.out)
    assert diagnostic["location"] == {"row": 1, "column": 14}  # characters, not bytes
    assert diagnostic["end_location"] == {"row": 1, "column": 24}
    assert diagnostic["fix"] == {
        "applicability": "safe",
        "message": "Replace with `good_call()`",
        "edits": [
            {
                "content": "good_call()",
                "location": {"row": 1, "column": 14},
                "end_location": {"row": 1, "column": 24},
            }
        ],
    }


def test_write_failure_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", b"a = bad_call()\n")

    def refuse(target: Path, data: bytes, expected: bytes) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("mplint.commands.check.write_atomic", refuse)
    result = run_main(monkeypatch, "check", "--fix", "--output-format", "concise")
    assert result.code == 2
    assert result.stderr == "error: cannot write m.py: Permission denied\n"
    assert result.out.startswith("m.py:1:5: MPL001 [*] `bad_call()` is a pitfall\n")
    assert path.read_bytes() == b"a = bad_call()\n"


def save_after_checking(monkeypatch: pytest.MonkeyPatch, path: Path, line: bytes) -> None:
    """Append ``line`` to ``path`` once every file has been read and checked, before any fix is written:
    an editor saving the file while mplint runs."""
    from mplint.commands import check as check_command

    real_outcomes = check_command._outcomes

    def outcomes_then_save(*args: object) -> object:
        outcomes = real_outcomes(*args)  # type: ignore[arg-type]
        with path.open("ab") as handle:
            handle.write(line)
        return outcomes

    monkeypatch.setattr(check_command, "_outcomes", outcomes_then_save)


FIXED_ONE_LEFT_ONE = (
    "m.py:1:5: MPL001 [*] `bad_call()` is a pitfall\n"
    "Found 2 errors (1 fixed, 1 remaining).\n"
    "[*] 1 fixable with the --fix option.\n"
)


@pytest.mark.parametrize(
    ("flags", "code", "summary"),
    [
        (("--fix",), 1, FIXED_ONE_LEFT_ONE),
        (("--fix-only",), 0, "Fixed 1 error.\n"),
        (("--fix-only", "--exit-non-zero-on-fix"), 1, "Fixed 1 error.\n"),
    ],
    ids=["fix", "fix-only", "fix-only-exit-non-zero-on-fix"],
)
def test_a_file_saved_during_the_fix_keeps_the_edit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flags: tuple[str, ...], code: int, summary: str
) -> None:
    """The edit is kept and the file is reported unfixed, with a warning; the exit code is what the
    diagnostics left give, as in Ruff (``--fix-only`` ignores them)."""
    edited = write(tmp_path / "m.py", b"a = bad_call()\n")
    other = write(tmp_path / "n.py", b"b = bad_call()\n")
    save_after_checking(monkeypatch, edited, b"# saved by the editor\n")
    result = run_main(monkeypatch, "check", *flags, "--output-format", "concise")
    assert edited.read_bytes() == b"a = bad_call()\n# saved by the editor\n"
    assert other.read_bytes() == b"b = good_call()\n"
    assert result.stderr == (
        "warning: not fixing m.py: it changed while it was being checked (run mplint again)\n"
    )
    assert (result.code, result.out) == (code, summary)
    assert sorted(os.listdir(tmp_path)) == ["m.py", "n.py"]


def test_add_noqa_leaves_a_file_saved_meanwhile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    edited = write(tmp_path / "m.py", b"a = plain()\n")
    other = write(tmp_path / "n.py", b"b = plain()\n")

    def check_then_save(text: str, path: str, settings: Settings) -> list[Diagnostic]:
        diagnostics = fake_check_text(text, path, settings)
        if path.endswith("m.py"):
            with edited.open("ab") as handle:
                handle.write(b"# saved by the editor\n")
        return diagnostics

    monkeypatch.setattr("mplint.commands.check.check_text", check_then_save)
    result = run_main(monkeypatch, "check", "--add-noqa")
    assert result.code == 0
    assert result.stderr == (
        "warning: not adding noqa directives to m.py: it changed while it was being checked "
        "(run mplint again)\nAdded 1 noqa directive.\n"
    )
    assert edited.read_bytes() == b"a = plain()\n# saved by the editor\n"
    assert other.read_bytes() == b"b = plain()  # noqa: MPL003\n"


def test_fix_refuses_a_read_only_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    locked = write(tmp_path / "m.py", b"a = bad_call()\n", mode=0o444)
    other = write(tmp_path / "n.py", b"b = bad_call()\n")
    result = run_main(monkeypatch, "check", "--fix", "--output-format", "concise")
    assert result.code == 2
    assert result.stderr == "error: cannot write m.py: the file is read-only\n"
    assert result.out == FIXED_ONE_LEFT_ONE
    assert locked.read_bytes() == b"a = bad_call()\n"
    assert stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert other.read_bytes() == b"b = good_call()\n"


def test_fix_keeps_hard_links(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A file linked from outside the checked directory is fixed under both names; two links inside it
    are both fixed, without a warning that the second one changed."""
    source = tmp_path / "src"
    source.mkdir()
    path = write(source / "m.py", b"a = bad_call()\n")
    outside = tmp_path / "kept.py"
    os.link(path, outside)
    twin = write(source / "p.py", b"b = bad_call()\n")
    os.link(twin, source / "q.py")
    result = run_main(monkeypatch, "check", "--fix", "src")
    assert (result.code, result.stderr) == (0, "")
    assert result.out == "Found 3 errors (3 fixed, 0 remaining).\n"
    assert outside.read_bytes() == path.read_bytes() == b"a = good_call()\n"
    assert os.path.samefile(outside, path) and path.stat().st_nlink == 2
    assert (source / "q.py").read_bytes() == twin.read_bytes() == b"b = good_call()\n"
    assert os.path.samefile(source / "q.py", twin)
    assert sorted(os.listdir(source)) == ["m.py", "p.py", "q.py"]


@pytest.mark.parametrize("name", ["m.py", "./m.py", "link.py", "hard.py"])
def test_the_report_never_replaces_a_checked_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    """``-o`` naming a checked file (itself, or through a symlink or a hard link) is refused before
    anything is checked or fixed."""
    path = write(tmp_path / "m.py", b"a = bad_call()\n")
    (tmp_path / "link.py").symlink_to(path)
    os.link(path, tmp_path / "hard.py")
    result = run_main(monkeypatch, "check", "--fix", "m.py", "-o", name)
    assert result.code == 2
    assert result.stderr == (
        f"error: not writing the report to {name}: it is m.py, one of the files being checked\n"
    )
    assert result.out == ""
    assert path.read_bytes() == b"a = bad_call()\n"
    stdin = run_main(monkeypatch, "check", "--stdin-filename", "m.py", "-o", name, stdin=b"a = bad_call()\n")
    assert stdin.code == 2 and "one of the files being checked" in stdin.stderr
    assert path.read_bytes() == b"a = bad_call()\n"
    report = run_main(monkeypatch, "check", "m.py", "-o", "report.txt")
    assert report.code == 1 and "bad_call()" in (tmp_path / "report.txt").read_text()
