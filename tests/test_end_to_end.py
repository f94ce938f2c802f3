"""The real rules through the real command line, on the canonical nested-proxy mutation."""

from __future__ import annotations

import ast
import codecs
import json
import stat
from pathlib import Path

from cli_support import run_cli

PROGRAM = """\
from multiprocessing import Manager, Process


def test_manager(m):
    m[0]["id"] = 2


if __name__ == "__main__":
    with Manager() as manager:
        m = manager.list()
        m.append({"id": 1})
        p = Process(target=test_manager, args=(m,))
        p.start()
        p.join()
        print(m[0])
"""


def test_nested_proxy_mutation_is_reported_with_a_safe_fix(tmp_path: Path) -> None:
    (tmp_path / "example.py").write_text(PROGRAM)
    result = run_cli("check", "--output-format", "json", "example.py", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    found = [d for d in json.loads(result.stdout) if d["code"] == "MPL001"]
    assert len(found) == 1, result.stdout
    (diagnostic,) = found
    assert diagnostic["location"]["row"] == 5
    assert diagnostic["name"] == "proxy-nested-mutation"
    assert diagnostic["fix"] is not None
    assert diagnostic["fix"]["applicability"] == "safe"


def test_fixing_the_nested_proxy_mutation(tmp_path: Path) -> None:
    path = tmp_path / "example.py"
    path.write_text(PROGRAM)
    diff = run_cli("check", "--diff", "example.py", cwd=tmp_path)
    assert diff.returncode == 1, diff.stderr
    assert diff.stdout.startswith("--- example.py\n+++ example.py\n")
    assert path.read_text() == PROGRAM

    fixed = run_cli("check", "--fix", "--select", "MPL001", "example.py", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    new_source = path.read_text()
    assert new_source != PROGRAM
    ast.parse(new_source)
    again = run_cli("check", "--select", "MPL001", "example.py", cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout == "All checks passed!\n"


def test_fix_keeps_crlf_bom_encoding_and_mode(tmp_path: Path) -> None:
    variants = {
        "crlf.py": PROGRAM.replace("\n", "\r\n").encode("utf-8"),
        "bom.py": codecs.BOM_UTF8 + ("# café\n" + PROGRAM).encode("utf-8"),
        "latin1.py": ("# -*- coding: latin-1 -*-\n# café\n" + PROGRAM).encode("latin-1"),
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        (tmp_path / name).chmod(0o600)
    result = run_cli("check", "--fix", "--select", "MPL001", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "Found 3 errors (3 fixed, 0 remaining).\n"
    crlf = (tmp_path / "crlf.py").read_bytes()
    assert crlf != variants["crlf.py"]
    assert crlf.count(b"\n") == crlf.count(b"\r\n")
    bom = (tmp_path / "bom.py").read_bytes()
    assert bom.startswith(codecs.BOM_UTF8 + "# café\n".encode())
    latin1 = (tmp_path / "latin1.py").read_bytes()
    assert latin1.startswith(b"# -*- coding: latin-1 -*-\n# caf\xe9\n")
    for name in variants:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
        ast.parse((tmp_path / name).read_bytes())
