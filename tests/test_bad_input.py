"""Bad input through the real command line: every file that cannot be read, decoded or parsed gives one
line on standard error or an MPL000 diagnostic, the other files are still checked, and nothing ends in a
traceback."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest
from cli_support import run_cli, run_main

from mplint.engine import check_text
from mplint.fixer import fix_text
from mplint.workspace.selection import default_settings

# Every directory below also holds this program, whose MPL006 shows that the other files are checked.
PITFALL_LINES = [
    "from multiprocessing import Process",
    "",
    "",
    "def work(x):",
    "    print(x)",
    "",
    "",
    'if __name__ == "__main__":',
    "    p = Process(target=work, args=(1))",
    "    p.start()",
    "    p.join()",
    "",
]
PITFALL = "\n".join(PITFALL_LINES)
PITFALL_ROW = 9
PITFALL_COLUMN = PITFALL_LINES[8].index("(1)") + 2
MP = b"import multiprocessing\n"  # the prefilter skips files that cannot involve multiprocessing
FIXTURES = Path(__file__).parent.parent / "fixtures"


def check(cwd: Path, *args: str) -> tuple[int, list[tuple[str, str, int, int, str]], str]:
    """Run ``mplint check`` with JSON output: the exit code, the diagnostics as (file relative to
    ``cwd``, code, row, column, message), and standard error."""
    result = run_cli("check", "--isolated", "--no-cache", "--output-format", "json", *args, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    for line in result.stderr.splitlines():
        assert line.startswith(("error: ", "warning: ")), result.stderr
    found = [
        (
            os.path.relpath(item["filename"], cwd),
            item["code"],
            item["location"]["row"],
            item["location"]["column"],
            item["message"],
        )
        for item in json.loads(result.stdout)
    ]
    return result.returncode, sorted(found), result.stderr


def with_pitfall(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "zz_pitfall.py").write_text(PITFALL)
    return directory


def sentinel(found: list[tuple[str, str, int, int, str]], directory: str = ".") -> bool:
    name = os.path.normpath(os.path.join(directory, "zz_pitfall.py"))
    return (name, "MPL006", PITFALL_ROW, PITFALL_COLUMN) in [entry[:4] for entry in found]


def lines(*rows: str, newline: str = "\n") -> bytes:
    return newline.join(rows).encode("utf-8")


# name -> (bytes, what is expected: a list of (code, row, column, message part); column 0 = any)
Expected = list[tuple[str, int, int, str]]
PROGRAM = [line.replace("print(x)", "print(x)  # café") for line in PITFALL_LINES]
FILES: dict[str, tuple[bytes, Expected]] = {
    "syntax_error.py": (MP + b"def broken(:\n    pass\n", [("MPL000", 2, 12, "SyntaxError")]),
    "trap_as_printed.py": (
        (FIXTURES / "documents" / "trap_as_printed.py").read_bytes(),
        [("MPL000", 3, 8, "SyntaxError: invalid syntax")],
    ),
    "python2_print.py": (MP + b'print "hello"\n', [("MPL000", 2, 1, "Missing parentheses")]),
    "python2_except.py": (
        MP + b"try:\n    pass\nexcept ValueError, error:\n    pass\n",
        [("MPL000", 4, 0, "SyntaxError")],
    ),
    "python2_backticks.py": (MP + b"x = `1`\n", [("MPL000", 2, 0, "SyntaxError")]),
    "python2_octal.py": (MP + b"mode = 0777\n", [("MPL000", 2, 0, "SyntaxError")]),
    "invalid_utf8.py": (MP + b'x = "\xff\xfe"\n', [("MPL000", 2, 6, "invalid utf-8 byte")]),
    "utf8_surrogate.py": (MP + b'x = "\xed\xa0\x80"\n', [("MPL000", 2, 6, "invalid utf-8 byte")]),
    "unknown_cookie.py": (b"# -*- coding: klingon -*-\n" + MP, [("MPL000", 1, 1, "unknown encoding")]),
    "bom_and_latin1_cookie.py": (
        b"\xef\xbb\xbf# coding: latin-1\n" + MP,
        [("MPL000", 1, 1, "encoding problem")],
    ),
    "latin1_cookie.py": (
        b"# -*- coding: latin-1 -*-\n"
        + "\n".join(PROGRAM[:8] + ['    p = Process(target=work, args=("é"))', *PROGRAM[9:]]).encode(
            "latin-1"
        ),
        [("MPL006", 10, len("    p = Process(target=work, args=(") + 1, "string")],
    ),
    "utf8_bom.py": (b"\xef\xbb\xbf" + lines(*PROGRAM), [("MPL006", PITFALL_ROW, PITFALL_COLUMN, "")]),
    "crlf.py": (lines(*PROGRAM, newline="\r\n"), [("MPL006", PITFALL_ROW, PITFALL_COLUMN, "")]),
    "cr_only.py": (lines(*PROGRAM, newline="\r"), [("MPL006", PITFALL_ROW, PITFALL_COLUMN, "")]),
    "mixed_endings.py": (
        b"".join(
            line.encode() + ("\r\n", "\n", "\r")[index % 3].encode() for index, line in enumerate(PROGRAM)
        ),
        [("MPL006", PITFALL_ROW, PITFALL_COLUMN, "")],
    ),
    "mixed_endings_bad_indent.py": (MP + b"x = 1\r\n y = 2\r", [("MPL000", 3, 0, "indent")]),
    "tabs_and_form_feeds.py": (
        lines(*[line.replace("    ", "\t") for line in PROGRAM[:7]], "\x0c", *PROGRAM[7:8])
        + b"\n\tp = Process(target=work, args=(1))\n\tp.start()\n\tp.join()\n",
        [("MPL006", 10, len("\tp = Process(target=work, args=(") + 1, "")],
    ),
    "empty.py": (b"", []),
    "only_bom.py": (b"\xef\xbb\xbf", []),
    "only_comments.py": (b"# import multiprocessing\n# Process(target=work)\n#\n", []),
    "only_blank_lines.py": (MP + b"\n\n   \n\t\n\x0c\n", []),
    "nul_bytes.py": (MP + b"x = 1\x00\n", [("MPL000", 0, 0, "null bytes")]),
    "nested_parentheses.py": (
        MP + b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n",
        [("MPL000", 2, 0, "")],
    ),
    "nested_lists.py": (MP + b"x = " + b"[" * 5000 + b"1" + b"]" * 5000 + b"\n", [("MPL000", 2, 0, "")]),
    # Python cannot run UTF-16 source; to the prefilter's byte search it names no package: not parsed
    "utf16.py": ("import multiprocessing\n".encode("utf-16"), []),
}


@pytest.fixture(scope="module")
def together(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, int, list[tuple[str, str, int, int, str]]]:
    """All the bad files of FILES in one directory, checked in one run."""
    directory = with_pitfall(tmp_path_factory.mktemp("bad"))
    for name, (data, _) in FILES.items():
        (directory / name).write_bytes(data)
    code, found, stderr = check(directory, ".")
    assert stderr == ""
    return directory, code, found


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_bad_file_gives_its_diagnostics_and_the_others_are_checked(
    name: str, together: tuple[Path, int, list[tuple[str, str, int, int, str]]]
) -> None:
    _, code, found = together
    assert code == 1
    assert sentinel(found)
    own = [entry for entry in found if entry[0] == name]
    expected = FILES[name][1]
    assert len(own) == len(expected), own
    for (_, code_found, row, column, message), (code_expected, row_e, column_e, part) in zip(
        own, expected, strict=True
    ):
        assert code_found == code_expected
        assert row_e == 0 or row == row_e, own
        assert column_e == 0 or column == column_e, own
        assert part in message


@pytest.mark.parametrize("name", ["syntax_error.py", "invalid_utf8.py", "nul_bytes.py", "trap_as_printed.py"])
def test_one_unparsable_file_alone_exits_one(name: str, tmp_path: Path) -> None:
    (tmp_path / name).write_bytes(FILES[name][0])
    code, found, stderr = check(tmp_path, name)
    assert (code, stderr) == (1, "")
    assert [entry[1] for entry in found] == ["MPL000"]


def test_a_ten_megabyte_file(tmp_path: Path) -> None:
    """Half a megabyte of code, then nine and a half of documentation, then the pitfall: found at the
    right place, and fixed there."""
    code = "".join(
        f"\n\ndef handler_{i}(queue, value):\n    result = [value * k for k in range(10)]\n"
        f"    if result and value > {i}:\n        queue.put((value, sum(result)))\n    return result\n"
        for i in range(3000)
    )
    doc = (
        '"""' + "".join(f"Line {k} of the documentation: café, naïve, ☃.\n" for k in range(180_000)) + '"""\n'
    )
    body = "import multiprocessing\n" + code + doc
    line = "    p = multiprocessing.Process(target=handler_1, args=(1))"
    text = body + 'if __name__ == "__main__":\n' + line + "\n    p.start()\n    p.join()\n"
    data = text.encode("utf-8")
    assert len(data) > 10_000_000
    (tmp_path / "big.py").write_bytes(data)
    row = text.count("\n", 0, len(body)) + 2
    code_, found, stderr = check(tmp_path, "big.py")
    assert (code_, stderr) == (1, "")
    assert [entry[:4] for entry in found] == [("big.py", "MPL006", row, line.index("(1)") + 2)]
    result = run_cli("check", "--isolated", "--no-cache", "--fix", "big.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "big.py").read_bytes() == data.replace(b"args=(1))", b"args=(1,))")


def test_twenty_thousand_chained_operators(tmp_path: Path) -> None:
    """Python 3.11 and later refuse to build so deep a tree (MPL000); 3.10 builds it, and the analysis
    must then cope: either way no error, and the other file is checked."""
    directory = with_pitfall(tmp_path)
    for name, expression in {
        "plus.py": "1" + " + 1" * 20_000,
        "calls.py": "f" + "()" * 20_000,
        "attributes.py": "a" + ".b" * 20_000,
        "subscripts.py": "a" + "[0]" * 20_000,
        "power.py": "**".join(["2"] * 20_000),
        "nots.py": "not " * 20_000 + "x",
        "conditional.py": "1 if c else " * 5_000 + "1",
    }.items():
        (directory / name).write_text(f"import multiprocessing\nx = {expression}\np = multiprocessing.Pool\n")
    code, found, stderr = check(directory, ".")
    assert (code, stderr) == (1, "")
    assert sentinel(found)
    others = [entry for entry in found if entry[0] != "zz_pitfall.py"]
    for _, rule, _, _, message in others:
        assert rule == "MPL000", found
        assert message != "SyntaxError: ", found  # the parser's stack overflow has a message too
    if sys.version_info >= (3, 11):
        assert len(others) == 7


# The analysis recurses through values depending on values: chains the parser accepts (on every
# version) must not exhaust the interpreter's recursion limit.
DEEP_CHAINS = {
    "call chain": "import multiprocessing\nx = f" + "()" * 900 + "\n",
    "attribute chain started": "import multiprocessing\nx = a" + ".b" * 1500 + ".start()\n",
    "subscript chain on a proxy": "import multiprocessing\nm = multiprocessing.Manager().list()\nm"
    + "[0]" * 900
    + ".append(1)\n",
}


@pytest.mark.parametrize("name", sorted(DEEP_CHAINS))
def test_deep_chains_are_analysed_without_error(name: str) -> None:
    text = DEEP_CHAINS[name]
    settings = default_settings()
    check_text(text, "deep.py", settings)  # raised InternalError (RecursionError) before
    fixed = fix_text(text, "deep.py", settings, unsafe=True)
    assert fixed.text.startswith("import multiprocessing")


def test_a_deep_chain_does_not_hide_the_main_guard_diagnostic() -> None:
    """The guard fix is built with libcst, whose code generation recurses: a deep expression loses the
    fix, not the diagnostic."""
    found = check_text(DEEP_CHAINS["subscript chain on a proxy"], "deep.py", default_settings())
    assert "MPL002" in [d.code for d in found]


def test_parser_stack_overflow_is_reported_with_a_message() -> None:
    found = check_text("import multiprocessing\nx = " + "-" * 20_000 + "x\n", "deep.py", default_settings())
    assert [d.code for d in found] == ["MPL000"]
    assert found[0].message != "SyntaxError: "


def test_a_directory_named_like_a_python_file_is_walked(tmp_path: Path) -> None:
    inner = with_pitfall(tmp_path / "package.py")
    (inner / "empty.py").write_bytes(b"")
    for args in (["."], ["package.py"]):
        code, found, stderr = check(tmp_path, *args)
        assert (code, stderr) == (1, "")
        assert sentinel(found, "package.py")


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    with_pitfall(tmp_path)
    code, found, stderr = check(tmp_path, "missing.py", "zz_pitfall.py", "missing_dir/")
    assert code == 2
    assert stderr == "error: path does not exist: missing.py\nerror: path does not exist: missing_dir/\n"
    assert sentinel(found)


def test_broken_symlinks_and_symlink_loops(tmp_path: Path) -> None:
    """Walking, a link to nothing (an editor's lock file, say) is not a source file and is passed over;
    named, it is an error that says what it is."""
    with_pitfall(tmp_path)
    os.symlink("nowhere.py", tmp_path / "broken.py")
    os.symlink("loop_b.py", tmp_path / "loop_a.py")
    os.symlink("loop_a.py", tmp_path / "loop_b.py")
    os.symlink(".", tmp_path / "subdir_loop")
    code, found, stderr = check(tmp_path, ".")
    assert (code, stderr) == (1, "")
    assert sentinel(found) and len(found) == 1
    code, found, stderr = check(tmp_path, "broken.py", "loop_a.py", "zz_pitfall.py")
    assert code == 2
    assert stderr.splitlines() == [
        "error: broken symbolic link: broken.py -> nowhere.py",
        "error: cannot access loop_a.py: Too many levels of symbolic links",
    ]
    assert sentinel(found)


def unreadable_file(directory: Path) -> tuple[str, str]:
    """A Python file whose reading fails, and the start of the error message expected.

    An ordinary user cannot read a file of mode 000; root can, so as root the file is a link to
    ``/proc/self/mem``, which ``stat`` calls a regular file but whose reading fails with EIO for everyone
    (offset 0 of a process's memory is never mapped), or, without ``/proc``, a Unix socket, which no one
    can open as a file.
    """
    if os.geteuid() != 0:
        path = directory / "locked.py"
        path.write_bytes(MP)
        path.chmod(0)
        return "locked.py", "error: cannot read locked.py: Permission denied"
    if Path("/proc/self/mem").exists():
        os.symlink("/proc/self/mem", directory / "memory.py")
        return "memory.py", "error: cannot read memory.py: Input/output error"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(directory / "socket.py"))
    listener.close()  # the socket file stays
    return "socket.py", "error: cannot read socket.py: "


def test_an_unreadable_file(tmp_path: Path) -> None:
    with_pitfall(tmp_path)
    name, message = unreadable_file(tmp_path)
    code, found, stderr = check(tmp_path, name, "zz_pitfall.py")
    assert code == 2
    assert stderr.startswith(message) and stderr.count("\n") == 1, stderr
    assert sentinel(found)


def test_a_file_deleted_after_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run reads files after finding them all: one deleted in between is an error for that file."""
    with_pitfall(tmp_path)
    (tmp_path / "vanishing.py").write_bytes(MP)
    from mplint.commands import check as check_command

    real_discover = check_command.discover

    def discover_then_delete(*args: object, **kwargs: object) -> object:
        found = real_discover(*args, **kwargs)  # type: ignore[arg-type]
        (tmp_path / "vanishing.py").unlink()
        return found

    monkeypatch.setattr(check_command, "discover", discover_then_delete)
    monkeypatch.chdir(tmp_path)
    done = run_main(monkeypatch, "check", "--isolated", "--no-cache", "--output-format", "concise", ".")
    assert done.code == 2
    assert done.stderr == "error: cannot read vanishing.py: No such file or directory\n"
    assert f"zz_pitfall.py:{PITFALL_ROW}:{PITFALL_COLUMN}: MPL006" in done.out


def test_a_file_deleted_before_its_fix_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixing never brings a deleted file back: the write fails and says so."""
    with_pitfall(tmp_path)
    (tmp_path / "vanishing.py").write_text(PITFALL)
    from mplint.commands import check as check_command

    real_outcomes = check_command._outcomes

    def outcomes_then_delete(*args: object) -> object:
        outcomes = real_outcomes(*args)  # type: ignore[arg-type]
        (tmp_path / "vanishing.py").unlink()
        return outcomes

    monkeypatch.setattr(check_command, "_outcomes", outcomes_then_delete)
    monkeypatch.chdir(tmp_path)
    done = run_main(monkeypatch, "check", "--isolated", "--no-cache", "--fix", ".")
    assert done.code == 2
    assert done.stderr == "error: cannot write vanishing.py: No such file or directory\n"
    assert not (tmp_path / "vanishing.py").exists()
    assert "args=(1,)" in (tmp_path / "zz_pitfall.py").read_text()


BAD_CONFIGS = {
    "invalid TOML": (
        "pyproject.toml",
        '[tool.mplint]\nselect = ["MPL001"\n',
        "error: pyproject.toml: invalid TOML: ",
    ),
    "not UTF-8": (
        "pyproject.toml",
        '[tool.mplint]\nselect = ["\xff"]\n',
        "error: pyproject.toml: invalid TOML: ",
    ),
    "unknown rule": (
        "pyproject.toml",
        '[tool.mplint]\nignore = ["MPL9"]\n',
        "error: pyproject.toml: [tool.mplint] ignore: unknown rule selector: 'MPL9'",
    ),
    "wrong type": (
        "pyproject.toml",
        '[tool.mplint]\nselect = "MPL001"\n',
        "error: pyproject.toml: [tool.mplint] select: expected a list of strings, got str",
    ),
    "wrong type in a table": (
        "pyproject.toml",
        '[tool.mplint.per-file-ignores]\n"tests/*" = 3\n',
        "error: pyproject.toml: [tool.mplint] per-file-ignores",
    ),
    "unknown key": ("mplint.toml", "selekt = []\n", "error: mplint.toml: selekt: unknown key"),
    "unknown start method": (
        ".mplint.toml",
        'start-methods = ["threads"]\n',
        "error: .mplint.toml: start-methods: unknown start method 'threads'",
    ),
    "extend cycle": ("mplint.toml", 'extend = "mplint.toml"\n', "error: circular extend: "),
    "extend missing": ("mplint.toml", 'extend = "gone.toml"\n', "error: mplint.toml: extend: no such file"),
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_invalid_configuration_stops_the_run_naming_file_and_key(name: str, tmp_path: Path) -> None:
    file_name, content, message = BAD_CONFIGS[name]
    with_pitfall(tmp_path)
    (tmp_path / file_name).write_bytes(content.encode("latin-1" if name == "not UTF-8" else "utf-8"))
    result = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_invalid_configuration_named_with_config(tmp_path: Path) -> None:
    with_pitfall(tmp_path)
    (tmp_path / "custom.toml").write_text('select = ["MPL9"]\n')
    result = run_cli("check", "--no-cache", "--config", "custom.toml", ".", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "error: custom.toml: select: unknown rule selector: 'MPL9'\n",
    )
    result = run_cli("check", "--no-cache", "--config", "absent.toml", ".", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "error: --config: no such file: absent.toml\n")


def test_a_corrupt_cache_is_ignored_and_repaired(tmp_path: Path) -> None:
    """Entries that are empty, not JSON, JSON of another shape, for another key or directories are all
    ignored: the run gives the same report and rewrites them."""
    with_pitfall(tmp_path)
    (tmp_path / "other.py").write_bytes(FILES["syntax_error.py"][0])
    args = ("check", "--isolated", "--output-format", "concise", "--cache-dir", "cache", ".")
    first = run_cli(*args, cwd=tmp_path)
    assert first.returncode == 1 and first.stderr == ""
    entries = sorted((tmp_path / "cache").rglob("*.json"))
    assert len(entries) == 2
    for index, junk in enumerate([b"", b"\x00\xff garbage", b'{"version": "0.1.0", "key": ', b"[]"]):
        for entry in entries:
            if index == 3:
                key = entry.stem
                entry.write_text(json.dumps({"version": "0", "key": key[::-1], "diagnostics": "x"}))
            else:
                entry.write_bytes(junk)
        again = run_cli(*args, cwd=tmp_path)
        assert (again.returncode, again.stdout, again.stderr) == (1, first.stdout, "")
        # rewritten: a signature line, then the entry (see mplint.cache)
        assert all(json.loads(entry.read_text().partition("\n")[2])["key"] == entry.stem for entry in entries)
    for entry in entries:
        entry.unlink()
        entry.mkdir()  # a directory where an entry should be: neither readable nor writable as one
    again = run_cli(*args, cwd=tmp_path)
    assert (again.returncode, again.stdout, again.stderr) == (1, first.stdout, "")


def test_a_cache_directory_that_is_a_file(tmp_path: Path) -> None:
    with_pitfall(tmp_path)
    (tmp_path / "cache").write_text("not a directory")
    result = run_cli(
        "check", "--isolated", "--cache-dir", "cache", "--output-format", "concise", ".", cwd=tmp_path
    )
    assert result.returncode == 1 and result.stderr == ""
    assert f"zz_pitfall.py:{PITFALL_ROW}:{PITFALL_COLUMN}: MPL006" in result.stdout
    assert (tmp_path / "cache").read_text() == "not a directory"
