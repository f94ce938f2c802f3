"""The programs of the source document, under fixtures/documents/.

The Queue, Pipe, shared memory and Manager programs are the document's own, unchanged. The trap is
kept three ways: exactly as printed (it does not parse), made runnable with the mistake the document
warns about (`trap_buggy.py`), and with the document's temp-variable repair (`trap_repaired.py`).
"""

from __future__ import annotations

from pathlib import Path

import mp_harness as h
import pytest

MANIFEST = h.load_manifest()
DOCUMENTS = sorted(key for key in MANIFEST if key.startswith("documents/"))
CLEAN_PROGRAMS = [
    "documents/queue_program.py",
    "documents/pipe_program.py",
    "documents/shared_memory_program.py",
    "documents/manager_program.py",
]
TRAP_AS_PRINTED = MANIFEST["documents/trap_as_printed.py"]
TRAP_BUGGY = MANIFEST["documents/trap_buggy.py"]

# The document's last program, byte for byte: `tmp{"id"} = 2` and `print m[0]` included.
TRAP_TEXT = (
    "def test_manager(m):\n"
    "    tmp = m[0]\n"
    '    tmp{"id"} = 2\n'
    "    m[0] = tmp\n"
    "    \n"
    'if __name__ == "__main__":\n'
    "    m = Manager().list()\n"
    '    m.append({"id":1})\n'
    "    p = Process(target=test_manager,args=(m,))\n"
    "    p.start()\n"
    "    p.join()\n"
    "    print m[0]\n"
)


def test_trap_is_kept_exactly_as_printed() -> None:
    assert TRAP_AS_PRINTED.path.read_bytes() == TRAP_TEXT.encode("utf-8")


def test_document_programs_are_clean_in_the_manifest() -> None:
    for key in CLEAN_PROGRAMS:
        assert MANIFEST[key].diagnostics == (), key
    assert "MPL001" in TRAP_BUGGY.codes
    assert TRAP_BUGGY.stdout == dict.fromkeys(h.START_METHODS, "{'id': 1}\n")
    assert TRAP_BUGGY.fixed_stdout == "{'id': 2}\n"
    repaired = MANIFEST["documents/trap_repaired.py"]
    assert repaired.stdout == dict.fromkeys(h.START_METHODS, "{'id': 2}\n")


@pytest.mark.parametrize("key", DOCUMENTS)
def test_real_run_of_document_program(key: str) -> None:
    h.assert_real_run_matches(MANIFEST[key])


@pytest.mark.parametrize("key", DOCUMENTS)
def test_mplint_diagnostics_on_document_program(key: str) -> None:
    h.assert_diagnostics_match(MANIFEST[key])


@pytest.mark.parametrize("key", CLEAN_PROGRAMS)
def test_mplint_reports_nothing_on_clean_document_program(key: str) -> None:
    assert h.mplint_json(MANIFEST[key].path) == []


def test_trap_as_printed_is_a_syntax_error_not_a_crash() -> None:
    result = h.run_mplint(["check", str(TRAP_AS_PRINTED.path)])
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert "MPL000" in result.stdout
    diagnostics = h.mplint_json(TRAP_AS_PRINTED.path)
    assert [(d["code"], d["location"]["row"]) for d in diagnostics] == [("MPL000", 3)]


def test_trap_buggy_is_reported_as_proxy_nested_mutation() -> None:
    rows = h.diagnostic_rows(TRAP_BUGGY.path)
    assert "MPL001:4" in rows, rows


def test_fix_turns_trap_buggy_into_a_working_program(tmp_path: Path) -> None:
    h.assert_fix_repairs(TRAP_BUGGY, tmp_path)


def test_fixed_trap_keeps_the_document_structure(tmp_path: Path) -> None:
    fixed = h.fix_copy(TRAP_BUGGY, tmp_path).read_text(encoding="utf-8")
    assert "m = Manager().list()" in fixed
    assert 'if __name__ == "__main__":' in fixed
    assert "m[0] = " in fixed
