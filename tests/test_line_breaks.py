"""One notion of a line: ``\\r\\n``, ``\\r`` and ``\\n`` end a line everywhere (the parser, ``# noqa``
directives, ``--add-noqa``, fixes, diffs, the server), as Python's own parser counts them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run_cli
from raw_lsp import RawServer, frame, notification, request

from mplint.add_noqa import commentable_rows
from mplint.source import SourceText, count_line_breaks, line_bounds, python_tokens, split_lines
from mplint.suppressions import parse_suppressions

LONE_CR_NOQA = b"import multiprocessing\rx = 1  # noqa: MPL001\r"
"""A file whose lines end with a lone CR: the directive is on row 2 (it suppresses nothing: MPL100)."""

STRAY_CR = (
    b"from multiprocessing import Process\n\n\ndef work(x):\n    print(x)\r    print(x)\n\n\n"
    b'if __name__ == "__main__":\n'
    b"    p = Process(target=work, args=(1))  # noqa: MPL006\n"
    b"    q = Process(target=work, args=(2))\n"
    b"    p.start()\n    q.start()\n    p.join()\n    q.join()\n"
)
"""An LF file with one stray CR: the suppressed line is row 10 for the parser; the unsuppressed one 11."""


@pytest.mark.parametrize("text", ["a\rb\r\nc\nd", "\r\r\n\n", "x", "", "a\n", "\x0cform\x0bfeed\u2028x\r"])
def test_lines_rows_and_tokens_agree_with_the_parser(text: str) -> None:
    lines = split_lines(text)
    assert "".join(lines) == text
    assert len(SourceText(text).lines) == len(lines) + (not text or text.endswith(("\n", "\r")))
    assert count_line_breaks(text) == sum(line.endswith(("\n", "\r")) for line in lines)
    source = "x = 1\r# one\ry = 2  # two\r\nz = 3\n"
    assert [
        (token.start[0], token.string) for token in python_tokens(source) if token.string.startswith("#")
    ] == [(2, "# one"), (3, "# two")]


def test_line_bounds_never_split_a_crlf() -> None:
    text = "ab\r\ncd\ref"
    assert line_bounds(text, 1) == (0, 2)
    assert line_bounds(text, 3) == (0, 2)  # between the CR and the LF: the line that break ends
    assert line_bounds(text, 4) == (4, 6)
    assert line_bounds(text, 8) == (7, 9)


def test_suppressions_and_commentable_rows_count_lone_crs() -> None:
    text = LONE_CR_NOQA.decode()
    assert list(parse_suppressions(text).lines) == [2]
    assert list(parse_suppressions(text, rows={2}).lines) == [2]
    assert commentable_rows(text) == commentable_rows(text.replace("\r", "\n")) == {1, 2, 3}
    stray = STRAY_CR.decode()
    assert list(parse_suppressions(stray).lines) == [10]
    assert list(parse_suppressions(stray, rows={10}).lines) == [10]


def json_rows(result_stdout: str) -> list[tuple[str, int]]:
    return [(item["code"], item["location"]["row"]) for item in json.loads(result_stdout)]


def test_cli_check_counts_lone_crs(tmp_path: Path) -> None:
    (tmp_path / "cr1.py").write_bytes(LONE_CR_NOQA)
    (tmp_path / "stray.py").write_bytes(STRAY_CR)
    result = run_cli("check", "--isolated", "--no-cache", "--output-format", "json", "cr1.py", cwd=tmp_path)
    assert "internal error" not in result.stderr, result.stderr
    assert json_rows(result.stdout) == [("MPL100", 2)]
    result = run_cli("check", "--isolated", "--no-cache", "--output-format", "json", "stray.py", cwd=tmp_path)
    assert "internal error" not in result.stderr, result.stderr
    assert json_rows(result.stdout) == [("MPL006", 11)]


def test_fix_and_add_noqa_count_lone_crs(tmp_path: Path) -> None:
    cr1, stray = tmp_path / "cr1.py", tmp_path / "stray.py"
    cr1.write_bytes(LONE_CR_NOQA)
    stray.write_bytes(STRAY_CR)
    result = run_cli("check", "--isolated", "--no-cache", "--fix", "cr1.py", "stray.py", cwd=tmp_path)
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    assert cr1.read_bytes() == b"import multiprocessing\rx = 1\r"
    assert stray.read_bytes() == STRAY_CR.replace(b"args=(2))", b"args=(2,))")
    stray.write_bytes(STRAY_CR)
    result = run_cli("check", "--isolated", "--no-cache", "--add-noqa", "stray.py", cwd=tmp_path)
    assert "internal error" not in result.stderr, result.stderr
    assert stray.read_bytes() == STRAY_CR.replace(b"args=(2))", b"args=(2))  # noqa: MPL006")
    cr1.write_bytes(
        b"import multiprocessing\rfrom multiprocessing import Process\rProcess(target=print, args=(1))\r"
    )
    result = run_cli("check", "--isolated", "--no-cache", "--add-noqa", "cr1.py", cwd=tmp_path)
    assert "internal error" not in result.stderr, result.stderr
    assert cr1.read_bytes().split(b"\r")[2].endswith(b"  # noqa: MPL006")


def test_the_server_counts_lone_crs(tmp_path: Path) -> None:
    server = RawServer(cwd=tmp_path)
    try:
        server.initialize()
        published: dict[str, list[tuple[str, int]]] = {}
        for name, text in (("cr1.py", LONE_CR_NOQA), ("stray.py", STRAY_CR)):
            uri = (tmp_path / name).as_uri()
            document = {"uri": uri, "languageId": "python", "version": 1, "text": text.decode()}
            server.send(frame(notification("textDocument/didOpen", {"textDocument": document})))
            server.send(
                frame(request(len(published) + 10, "textDocument/diagnostic", {"textDocument": {"uri": uri}}))
            )
            answer = server.response(len(published) + 10)
            items = answer["result"]["items"]
            published[name] = [(item["code"], item["range"]["start"]["line"] + 1) for item in items]
        assert published == {"cr1.py": [("MPL100", 2)], "stray.py": [("MPL006", 11)]}
        assert server.finish() == 0
    finally:
        server.kill()
