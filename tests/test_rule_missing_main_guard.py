"""MPL002 missing-main-guard: what is flagged, what is not, and the guard fix."""

from __future__ import annotations

import ast
import textwrap

import pytest

from mplint.diagnostics import Applicability, Fix
from tests.rule_support import diagnostics, fixed, found


def mpl002(source: str, **options: object) -> list[int]:
    return [d.location.row for d in diagnostics(source, "MPL002", **options)]


@pytest.mark.parametrize(
    "statement",
    [
        "Process(target=f).start()",
        "p = Process(target=f)\np.start()",
        "pool = Pool()",
        "with Pool(2) as pool:\n    pool.map(f, range(3))",
        "m = Manager()",
        "with Manager() as m:\n    pass",
        "s = SyncManager()\ns.start()",
        "ex = ProcessPoolExecutor()\nex.submit(f)",
        "with ProcessPoolExecutor() as ex:\n    list(ex.map(f, range(3)))",
        "run()",
        "Runner().go()",
        "Worker().start()",
        "for i in range(2):\n    Process(target=f).start()",
        "try:\n    run()\nexcept OSError:\n    pass",
        "if True:\n    run()",
        "ctx = get_context('spawn')\nctx.Process(target=f).start()",
    ],
)
def test_process_starts_at_import_time_are_flagged(statement: str) -> None:
    source = (
        "from multiprocessing import Manager, Pool, Process, get_context\n"
        "from multiprocessing.managers import SyncManager\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "def f(x=0):\n    return x\n"
        "def run():\n    with Pool() as pool:\n        pool.map(f, [1])\n"
        "class Runner:\n    def go(self):\n        run()\n"
        "class Worker(Process):\n    pass\n"
        f"{statement}\n"
    )
    assert len(mpl002(source)) == 1


@pytest.mark.parametrize(
    "guard",
    [
        'if __name__ == "__main__":',
        "if __name__ == '__main__':",
        'if "__main__" == __name__:',
        'if current_process().name == "MainProcess":',
        "if parent_process() is None:",
    ],
)
def test_guarded_code_is_not_flagged(guard: str) -> None:
    source = f"""\
from multiprocessing import Pool, current_process, parent_process


def f(x):
    return x


def main():
    with Pool() as pool:
        pool.map(f, [1])


{guard}
    main()
"""
    assert mpl002(source) == []


def test_harmless_module_level_code_is_not_flagged() -> None:
    source = """\
    from multiprocessing import Pool, Queue, Lock, Process
    from multiprocessing.pool import ThreadPool
    from multiprocessing.dummy import Pool as DummyPool
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    q = Queue()
    lock = Lock()
    executor = ProcessPoolExecutor()  # workers start lazily
    threads = ThreadPool(2)
    dummy = DummyPool(2)
    with ThreadPoolExecutor() as t:
        t.submit(print)
    p = Process(target=print)


    def later():
        with Pool() as pool:
            pool.map(print, [1])
    """
    assert mpl002(source) == []


def test_look_alikes_are_not_flagged() -> None:
    source = """\
    from distributed import Client
    from pathos.pools import ProcessPool as Pool
    from gevent.pool import Pool as GPool
    import psutil

    pool = Pool()
    gpool = GPool()
    proc = psutil.Process()
    """
    assert mpl002(source) == []


def test_fork_only_code_is_not_flagged() -> None:
    fork_context = """\
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    ctx.Process(target=print).start()
    """
    assert mpl002(fork_context) == []
    fork_method = """\
    import multiprocessing as mp

    mp.set_start_method("fork")
    mp.Process(target=print).start()
    """
    assert mpl002(fork_method) == []
    configured = """\
    import multiprocessing as mp

    mp.Process(target=print).start()
    """
    assert mpl002(configured, start_methods=("fork",)) == []
    (diagnostic,) = diagnostics(configured, "MPL002", start_methods=("fork", "spawn"))
    assert "under spawn every child" in diagnostic.message


def test_the_fix_moves_process_starts_under_a_guard() -> None:
    source = """\
    import multiprocessing as mp

    N = 4  # workers


    def work(x):
        return x * N


    data = list(range(5))
    with mp.Pool(N) as pool:
        results = pool.map(work, data)
    print(results)
    LIMIT = 10


    def later():
        return LIMIT
    """
    (diagnostic,) = diagnostics(source, "MPL002")
    assert diagnostic.location.row == 11
    assert diagnostic.fix is not None and diagnostic.fix.applicability.value == "unsafe"
    assert fixed(source, "MPL002") == textwrap.dedent(source)  # unsafe: not applied by default
    result = fixed(source, "MPL002", unsafe=True)
    assert result == textwrap.dedent(
        """\
    import multiprocessing as mp

    N = 4  # workers


    def work(x):
        return x * N


    data = list(range(5))
    LIMIT = 10


    def later():
        return LIMIT


    if __name__ == "__main__":
        with mp.Pool(N) as pool:
            results = pool.map(work, data)
        print(results)
    """
    )
    assert found(result, "MPL002") == []


def test_the_fix_merges_an_existing_guard_and_keeps_comments() -> None:
    source = """\
    from multiprocessing import Process


    def f():
        print("child")


    # start one
    p = Process(target=f)
    p.start()

    if __name__ == "__main__":
        p.join()
    """
    result = fixed(source, "MPL002", unsafe=True)
    ast.parse(result)
    assert result.endswith(
        'if __name__ == "__main__":\n'
        "    # start one\n"
        "    p = Process(target=f)\n"
        "    p.start()\n"
        "\n"
        "    p.join()\n"
    )


def test_torch_spawn_at_import_time() -> None:
    source = """\
    import torch.multiprocessing as tmp


    def train(rank):
        pass


    tmp.spawn(train, nprocs=2)
    """
    assert mpl002(source) == [8]


def test_pools_made_by_default_arguments_and_decorators_at_import_time() -> None:
    source = """\
    from multiprocessing import Pool


    def square(x):
        return x * x


    def precompute(fn):
        with Pool(2) as pool:
            fn.table = pool.map(square, range(10))
        return fn


    @precompute
    def lookup(i):
        return lookup.table[i]


    def run(xs, pool=Pool(2)):
        return pool.map(square, xs)


    def later(xs, *, size=len("ab")):
        return xs
    """
    found_here = diagnostics(source, "MPL002")
    assert [(d.code, d.location.row) for d in found_here] == [("MPL002", 14), ("MPL002", 19)]
    assert "`@precompute` creates a process pool (in `precompute`)" in found_here[0].message
    assert all(d.fix is None for d in found_here)  # moving the definitions would hide them from children


def test_starts_in_class_bodies_get_no_fix() -> None:
    """The start runs when the class body does, at import time; moving it would move the whole class
    under the guard, and children that re-import the module would not find the class."""
    source = """\
        import multiprocessing as mp


        class Registry:
            _manager = mp.Manager()


        def close():
            Registry._manager.shutdown()


        if __name__ == "__main__":
            close()
        """
    found_here = diagnostics(source, "MPL002")
    assert [d.location.row for d in found_here] == [5]
    assert found_here[0].fix is None
    assert fixed(source, "MPL002", unsafe=True) == textwrap.dedent(source)
    # a start at module level next to it is reported too, and still gets no fix: the class cannot move
    both = source.replace("def close():", "pool = mp.Pool()\n\n\n        def close():")
    assert [d.fix for d in diagnostics(both, "MPL002")] == [None, None]


def _fix_of(source: str) -> Fix | None:
    (diagnostic,) = diagnostics(source, "MPL002")
    return diagnostic.fix


KEPT_AT_MODULE_LEVEL = """\
    '''A docstring.'''
    import sys
    import os
    from typing import TYPE_CHECKING

    sys.path.insert(0, os.path.dirname(__file__))
    os.environ.setdefault("MODE", "test")
    try:
        import numpy as np
    except ImportError:
        np = None
    if TYPE_CHECKING:
        from collections.abc import Sequence
    import multiprocessing as mp

    __all__ = ["work"]
    TABLE = {}
    TABLE["scale"] = int(os.environ.get("SCALE", "2"))


    @staticmethod
    def work(x):
        return x * TABLE["scale"]


    print("starting")
    mp.set_start_method("spawn")
    with mp.Pool(2) as pool:
        print(pool.map(work, range(3)))
    """


def test_the_fix_keeps_imports_constants_and_setup_and_moves_every_effect() -> None:
    result = fixed(KEPT_AT_MODULE_LEVEL, "MPL002", unsafe=True)
    kept, guarded = result.split('if __name__ == "__main__":\n')
    assert "sys.path.insert" in kept and "os.environ.setdefault" in kept and "import numpy" in kept
    assert 'TABLE["scale"] = ' in kept and "if TYPE_CHECKING:" in kept and "__all__" in kept
    assert guarded == (
        '    print("starting")\n    mp.set_start_method("spawn")\n'
        "    with mp.Pool(2) as pool:\n        print(pool.map(work, range(3)))\n"
    )


@pytest.mark.parametrize(
    ("setup", "obstacle"),
    [
        ("SCALE = int(open('scale.txt').read())", "`SCALE` is read by `work`"),
        ("SCALE = 2\nSCALE = SCALE + len(sys.argv)\nSEEN = [].copy()\nSEEN.append(sys.argv)", None),
        (
            "SCALE = 2\nlogging.basicConfig(level=logging.INFO)",
            "is read by `work`, and the code that changes `logging`",
        ),
        ("SCALE = 2\ndef setup():\n    global SCALE\n    SCALE = 3\nsetup()", "`SCALE` is read by `work`"),
        ("SCALE = 2\nglobal SCALE", "module-level `global`"),
        ("SCALE = 2\nif __name__ != '__main__':\n    pass", "unusual shape"),
        ("SCALE = 2\nif __name__ == '__main__':\n    pass\nelse:\n    pass", "unusual shape"),
        ("SCALE = 2\n@print\ndef noisy():\n    pass", "`noisy` cannot stay"),
    ],
)
def test_the_fix_names_what_stops_it(setup: str, obstacle: str | None) -> None:
    source = (
        "import logging\nimport sys\nimport multiprocessing as mp\n"
        f"{setup}\n"
        "def work(x):\n    logging.info('work')\n    return x * SCALE\n"
        "with mp.Pool(2) as pool:\n    print(pool.map(work, range(3)))\n"
    )
    fix = _fix_of(source)
    assert fix is not None
    if obstacle is None:  # rebinding before the start, and changes nothing reads: still fixable
        assert fix.applicability is Applicability.UNSAFE
        return
    assert fix.applicability is Applicability.DISPLAY_ONLY and fix.edits == ()
    assert obstacle in fix.message
    assert fixed(source, "MPL002", unsafe=True) == source
