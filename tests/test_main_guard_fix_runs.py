"""The MPL002 fix, proven by running programs: what a program does under fork before the fix, it does under
spawn and forkserver after it; a program the fix cannot repair gets no applicable fix.

Every run is real (tests/mp_harness.py): a subprocess with its own session and a timeout, under each start
method, in a fresh working directory.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import mp_harness as h
import pytest
from guard_fix_support import (
    FIXED_TIMEOUT,
    REIMPORTING,
    apply_fix,
    assert_fix_keeps_behaviour,
    assert_same_behaviour,
    write,
)
from program_strategies import guard_program

from mplint.diagnostics import Applicability
from tests.rule_support import diagnostics

# --------------------------------------------------------------------------------------------------
# The three ways the fix used to break the programs it repaired


LIBRARY = """\
    '''Shared state for every importer, served by one manager.'''
    from multiprocessing import Manager

    MANAGER = Manager()


    def Namespace(**kw):
        return MANAGER.Namespace(**kw)
    """

LIBRARY_USER = """\
    import shared

    if __name__ == "__main__":
        ns = shared.Namespace(answer=42)
        print("answer", ns.answer)
    """


def test_a_global_that_the_module_functions_read_is_not_moved(tmp_path: Path) -> None:
    library = write(tmp_path, "shared.py", LIBRARY)
    script = write(tmp_path, "main.py", LIBRARY_USER)
    before = h.run_program(script, "fork")
    (diagnostic,) = diagnostics(LIBRARY, "MPL002")
    assert diagnostic.fix is not None
    assert diagnostic.fix.applicability is Applicability.DISPLAY_ONLY
    assert "`MANAGER = Manager()`" in diagnostic.fix.message and "`Namespace`" in diagnostic.fix.message
    assert apply_fix(library) == textwrap.dedent(LIBRARY)
    after = h.run_program(script, "fork")
    assert (before.returncode, before.stdout) == (0, "answer 42\n"), before.describe()
    assert (after.returncode, after.stdout) == (0, "answer 42\n"), after.describe()


def test_side_effects_before_the_first_start_run_once(tmp_path: Path) -> None:
    program = write(
        tmp_path,
        "files.py",
        """\
        import os
        import shutil
        from multiprocessing import Pool

        OUT = "out"


        def work(i):
            with open(os.path.join(OUT, f"{i}.txt"), "w") as handle:
                handle.write(str(i))


        shutil.rmtree(OUT, ignore_errors=True)
        os.makedirs(OUT)
        with Pool(4) as pool:
            pool.map(work, range(200))
        print(len(os.listdir(OUT)), "files")
        """,
    )
    before = h.run_program(program, "fork")
    assert before.stdout == "200 files\n", before.describe()
    text = apply_fix(program)
    after = h.run_all_methods(program, FIXED_TIMEOUT, methods=REIMPORTING)
    assert_same_behaviour(before, after, text)


START_METHOD_SCRIPT = """\
    import multiprocessing


    def greet(name):
        print("hello", name)


    multiprocessing.set_start_method("{method}")
    p = multiprocessing.Process(target=greet, args=("world",))
    p.start()
    p.join()
    print("exit code", p.exitcode)
    """


def test_the_start_method_is_chosen_once(tmp_path: Path) -> None:
    baseline = write(tmp_path, "fork_script.py", START_METHOD_SCRIPT.replace("{method}", "fork"))
    before = h.run_script(baseline)
    assert before.stdout == "hello world\nexit code 0\n", before.describe()
    for method in REIMPORTING:
        program = write(tmp_path, f"{method}_script.py", START_METHOD_SCRIPT.replace("{method}", method))
        text = apply_fix(program)
        assert_same_behaviour(before, {method: h.run_script(program, FIXED_TIMEOUT)}, text)


# --------------------------------------------------------------------------------------------------
# A family of generated programs: side effects before the start, globals read by workers, start-method
# calls, a library of workers, constants computed at import. Fixable ones behave under spawn and
# forkserver after the fix as they did under fork before it; the others get no applicable fix.

FAMILY = [
    ("literal", ("print",), "pool", "none", False),
    ("builtin_call", ("trace_file", "counter_file"), "process", "none", False),
    ("environment", ("fresh_directory",), "pool", "set_start_method", False),
    ("derived", ("registry",), "executor", "get_context", False),
    ("path", ("print", "trace_file"), "executor", "none", True),
    ("file_read", ("counter_file",), "pool", "none", True),
    ("literal", ("fresh_directory", "print"), "process", "set_start_method", True),
    ("file_read", ("print",), "pool", "none", False),
    ("pid", (), "process", "none", False),
    ("literal", ("registry_changed",), "pool", "none", False),
    ("literal", ("global_setup",), "executor", "none", False),
]


@pytest.mark.parametrize("choices", FAMILY, ids=["-".join(map(str, c)) for c in FAMILY])
def test_generated_programs_behave_after_the_fix(
    choices: tuple[str, tuple[str, ...], str, str, bool], tmp_path: Path
) -> None:
    assert_fix_keeps_behaviour(tmp_path, guard_program(*choices))
