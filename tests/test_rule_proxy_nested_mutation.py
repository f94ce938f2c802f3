"""MPL001 proxy-nested-mutation: what is flagged, what is not, and the fixes."""

from __future__ import annotations

import textwrap

import pytest

from tests.rule_support import diagnostics, fixed, found

HEADER = """\
from multiprocessing import Manager, Process
"""


def mpl001(body: str) -> list[int]:
    return [row for code, row in found(body, "MPL001")]


@pytest.mark.parametrize(
    "mutation",
    [
        'd[0]["id"] = 2',
        'd[0]["n"] += 1',
        'del d[0]["x"]',
        "d[0].attr = 1",
        "d[0].append(1)",
        "d[0].extend([1])",
        "d[0].insert(0, 1)",
        "d[0].remove(1)",
        "d[0].pop()",
        "d[0].clear()",
        "d[0].sort()",
        "d[0].reverse()",
        "d[0].update(a=1)",
        'd[0].setdefault("a", 1)',
        "d[0].popitem()",
        "d[0].add(1)",
        "d[0].discard(1)",
        "d[0].difference_update({1})",
        'd[0]["a"]["b"] = 1',
        'd[0]["a"].append(1)',
        'd.get("k").append(1)',
        'd.setdefault("k", []).append(1)',
        "x = d[0].pop()",
    ],
)
def test_direct_mutations_through_a_proxy_are_flagged(mutation: str) -> None:
    source = f"""\
    from multiprocessing import Manager

    with Manager() as m:
        d = m.dict()
        {mutation}
    """
    assert mpl001(source) == [5]


@pytest.mark.parametrize(
    "statement",
    [
        'd["a"] = 1',
        'd["a"] += 1',
        'd["a"] = d["a"] + [1]',
        "d.update(a=1)",
        'x = d["a"]\nprint(x)',
        'print(d["a"])',
        'x = d["a"]\nx.append(1)\nprint(x)',
        'x = d["a"]\nx.append(1)\nd["a"] = x',
        'local = {"a": []}\nlocal["a"].append(1)',
        'y = dict(d)\ny["a"].append(1)',
        'z = d.copy()\nz["a"].append(1)',
    ],
)
def test_writes_through_the_proxy_and_plain_containers_are_not_flagged(statement: str) -> None:
    body = textwrap.indent(statement, "    ")
    source = f"from multiprocessing import Manager\n\nwith Manager() as m:\n    d = m.dict()\n{body}\n"
    assert mpl001(source) == []


def test_namespace_and_value_proxies() -> None:
    source = """\
    from multiprocessing import Manager

    with Manager() as m:
        ns = m.Namespace()
        ns.items = []
        ns.items.append(1)
        ns.table["k"] = 1
        v = m.Value("O", [])
        v.value.append(1)
        v.value = [1]
        ns.count = 2
    """
    assert mpl001(source) == [6, 7, 9]


def test_nested_proxies_are_proxies_not_copies() -> None:
    source = """\
    from multiprocessing import Manager

    with Manager() as m:
        d = m.dict(a=m.list())
        d["a"].append(1)
        d["b"] = m.dict()
        d["b"]["x"] = 1
        d["c"].append(1)
        outer = m.list([m.list()])
        outer[0].append(1)
        items = m.list()
        items.append(m.dict())
        items[0]["k"] = 1
    """
    assert mpl001(source) == [8]


def test_nested_proxies_built_by_comprehensions_and_namespace_keywords() -> None:
    source = """\
    from multiprocessing import Manager, Pool


    def worker(buckets, i):
        buckets[i % 2].append(i)


    if __name__ == "__main__":
        with Manager() as m:
            rows = m.list([m.list() for _ in range(3)])
            rows[0].append(1)
            buckets = m.dict({i: m.list() for i in range(4)})
            buckets[2].append("x")
            d = m.dict()
            d.update({k: m.list() for k in "abc"})
            d["a"].append(1)
            ns = m.Namespace(items=m.list(), plain=[])
            ns.items.append(1)
            ns.plain.append(1)
            lists = m.list()
            lists.extend(m.list() for _ in range(2))
            lists[0].append(1)
            pairs = m.list([m.list() for _ in range(2)])
            with Pool(2) as pool:
                pool.starmap(worker, [(pairs, i) for i in range(6)])
    """
    assert mpl001(source) == [19]  # ns.plain: a plain list read out of the namespace


def test_provenance_through_process_args_pool_executor_partial_and_calls() -> None:
    source = """\
    import functools
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor


    def by_process(shared):
        shared["a"]["x"] = 1


    def by_kwargs(*, shared):
        shared["a"]["x"] = 1


    def by_map(shared):
        shared["a"].append(1)


    def by_starmap(i, shared):
        shared["a"].append(i)


    def by_apply(shared):
        shared["a"].append(1)


    def by_submit(shared):
        shared["a"].append(1)


    def by_partial(extra, shared):
        shared["a"].append(extra)


    def by_call(shared):
        shared["a"].append(1)


    def plain(data):
        data["a"].append(1)


    def main():
        ctx = mp.get_context("spawn")
        with ctx.Manager() as manager:
            d = manager.dict()
            mp.Process(target=by_process, args=(d,)).start()
            mp.Process(target=by_kwargs, kwargs={"shared": d}).start()
            with mp.Pool() as pool:
                pool.map(by_map, [d, d])
                pool.starmap(by_starmap, [(i, d) for i in range(3)])
                pool.apply_async(by_apply, (d,))
                pool.map(functools.partial(by_partial, 3), [d])
            with ProcessPoolExecutor() as executor:
                executor.submit(by_submit, d)
            by_call(d)
            plain({"a": []})
    """
    assert mpl001(source) == [7, 11, 15, 19, 23, 27, 31, 35]


def test_self_attributes_globals_and_annotations() -> None:
    source = """\
    from multiprocessing import Manager
    from multiprocessing.managers import DictProxy, SyncManager
    import multiprocessing.managers


    class Store:
        def __init__(self, manager):
            self.data = manager.dict()

        def add(self, key):
            self.data[key].append(1)


    def annotated(d: DictProxy):
        d["k"]["x"] = 1


    def dotted(d: multiprocessing.managers.DictProxy):
        d["k"]["x"] = 1


    def stringy(d: "DictProxy[str, list]"):
        d["k"].append(1)


    def uses_global():
        SHARED["k"].append(1)


    if __name__ == "__main__":
        manager: SyncManager = Manager()
        SHARED = manager.dict()
        Store(manager)
        manager.shutdown()
    """
    assert mpl001(source) == [11, 15, 19, 23, 27]


def test_look_alike_managers_are_not_multiprocessing() -> None:
    source = """\
    from distributed import Manager
    from celery import Process


    def f(d):
        d["a"].append(1)


    m = Manager()
    d = m.dict()
    d["a"].append(1)
    Process(target=f, args=(d,))
    """
    assert mpl001(source) == []


def test_drop_in_packages_and_import_spellings() -> None:
    source = """\
    import multiprocess as mp
    from billiard import Manager as M
    import torch.multiprocessing as tmp
    from multiprocessing.managers import SyncManager

    a = mp.Manager().dict()
    a["k"].append(1)
    b = M().list()
    b[0].append(1)
    c = tmp.Manager().dict()
    c["k"]["x"] = 1
    s = SyncManager()
    s.start()
    e = s.dict()
    e["k"].append(1)
    """
    assert mpl001(source) == [7, 9, 11, 15]


def test_alias_mutations_without_write_back() -> None:
    source = """\
    from multiprocessing import Manager


    def child(d, l):
        x = d["k"]
        x.append(1)
        for key, value in d.items():
            value["seen"] = True
        for item in l:
            item.append(0)
        y = d.get("y", [])
        y.append(1)
        print(y)
        z = d["z"]
        z.append(1)
        d["z"] = z
        w = d["w"]
        w.append(1)
        send(w)


    def send(obj):
        pass


    if __name__ == "__main__":
        with Manager() as m:
            child(m.dict(), m.list())
    """
    assert mpl001(source) == [6, 8, 10]


def test_alias_used_in_a_later_loop_iteration_is_not_flagged() -> None:
    source = """\
    from multiprocessing import Manager

    with Manager() as m:
        d = m.dict()
        acc = d["acc"]
        for i in range(3):
            print(acc)
            acc.append(i)
    """
    assert mpl001(source) == []


def test_the_document_trap() -> None:
    source = """\
    from multiprocessing import Manager, Process


    def test_manager(m):
        m[0]["id"] = 2


    if __name__ == "__main__":
        m = Manager().list()
        m.append({"id": 1})
        p = Process(target=test_manager, args=(m,))
        p.start()
        p.join()
        print(m[0])
    """
    found_diagnostics = diagnostics(source, "MPL001")
    assert [(d.code, d.location.row, d.location.column) for d in found_diagnostics] == [("MPL001", 5, 5)]
    fix = found_diagnostics[0].fix
    assert fix is not None and fix.applicability.value == "safe"
    assert fixed(source, "MPL001") == textwrap.dedent(source).replace(
        '    m[0]["id"] = 2\n',
        '    tmp = m[0]\n    tmp["id"] = 2\n    m[0] = tmp\n',
    )


def test_fix_keeps_comments_and_uses_a_fresh_name() -> None:
    source = """\
    from multiprocessing import Manager


    def work(d, tmp):
        if tmp:
            d["a"]["b"] = tmp  # record it


    with Manager() as m:
        work(m.dict(), 1)
    """
    assert fixed(source, "MPL001") == textwrap.dedent(source).replace(
        '        d["a"]["b"] = tmp  # record it\n',
        '        tmp_1 = d["a"]\n        tmp_1["b"] = tmp  # record it\n        d["a"] = tmp_1\n',
    )


def test_fix_binds_a_side_effecting_key_once() -> None:
    source = """\
    from multiprocessing import Manager

    with Manager() as m:
        d = m.dict()
        d[next_key()]["x"] = 1
    """
    result = fixed(source, "MPL001")
    assert '    key = next_key()\n    tmp = d[key]\n    tmp["x"] = 1\n    d[key] = tmp\n' in result
    assert result.count("next_key()") == 1


def test_fix_on_one_line_bodies_uses_semicolons() -> None:
    source = """\
    from multiprocessing import Manager

    with Manager() as m:
        d = m.dict()
        if True: d[0].append(1)
    """
    assert "    if True: tmp = d[0]; tmp.append(1); d[0] = tmp\n" in fixed(source, "MPL001")


def test_alias_fix_inserts_the_write_back() -> None:
    source = """\
    from multiprocessing import Manager

    with Manager() as m:
        d = m.dict()
        for key, value in d.items():
            if value:
                value.append(1)
        x = d["x"]
        x["n"] = 1
        x["m"] = 2
    """
    result = fixed(source, "MPL001")
    assert result == textwrap.dedent(
        """\
    from multiprocessing import Manager

    with Manager() as m:
        d = m.dict()
        for key, value in d.items():
            if value:
                value.append(1)
            d[key] = value
        x = d["x"]
        x["n"] = 1
        x["m"] = 2
        d["x"] = x
    """
    )


def test_alias_fix_is_only_a_suggestion_when_the_key_is_rebound() -> None:
    source = """\
    from multiprocessing import Manager

    with Manager() as m:
        d = m.dict()
        k = "a"
        x = d[k]
        k = "b"
        x.append(1)
    """
    (diagnostic,) = diagnostics(source, "MPL001")
    assert diagnostic.fix is not None
    assert diagnostic.fix.applicability.value == "displayonly"
    assert fixed(source, "MPL001") == textwrap.dedent(source)


def test_fixing_twice_is_fixing_once() -> None:
    source = """\
    from multiprocessing import Manager

    with Manager() as m:
        d = m.dict()
        d[0]["a"] = 1
        d[1].append(2)
    """
    once = fixed(source, "MPL001")
    assert fixed(once, "MPL001") == once
    assert found(once, "MPL001") == []


def test_starmap_over_zip_and_repeat() -> None:
    source = """\
    import itertools
    from multiprocessing import Manager, Pool


    def worker(shared, key):
        shared[key].append(1)


    if __name__ == "__main__":
        with Manager() as m, Pool() as pool:
            d = m.dict()
            pool.starmap(worker, zip(itertools.repeat(d), "abc"))
    """
    assert mpl001(source) == [6]


def test_process_subclass_attributes() -> None:
    source = """\
    from multiprocessing import Manager, Process


    class Worker(Process):
        def __init__(self, shared):
            super().__init__()
            self.shared = shared

        def run(self):
            self.shared["log"].append(self.name)


    if __name__ == "__main__":
        with Manager() as m:
            w = Worker(m.dict(log=[]))
            w.start()
            w.join()
    """
    assert mpl001(source) == [10]


def test_proxies_handed_to_pool_initializers_and_kept_in_globals() -> None:
    source = """\
    from multiprocessing import Manager, Pool

    shared = None


    def init(d):
        global shared
        shared = d


    def work(key):
        shared[key].append(1)


    if __name__ == "__main__":
        with Manager() as m:
            d = m.dict()
            with Pool(initializer=init, initargs=(d,)) as pool:
                pool.map(work, "abc")
    """
    assert mpl001(source) == [12]


def test_tuples_unpacked_inside_pool_tasks() -> None:
    source = """\
    from multiprocessing import Manager, Pool


    def work(task):
        shared, index = task
        shared[index]["seen"] = True


    if __name__ == "__main__":
        with Manager() as m, Pool() as pool:
            d = m.list([{} for _ in range(3)])
            pool.map(work, [(d, i) for i in range(3)])
    """
    assert mpl001(source) == [6]


def test_thread_targets_receive_proxies_too() -> None:
    source = """\
    import threading
    from multiprocessing import Manager


    def work(shared):
        shared["log"].append(1)


    if __name__ == "__main__":
        with Manager() as m:
            t = threading.Thread(target=work, args=(m.dict(log=[]),))
            t.start()
            t.join()
    """
    assert mpl001(source) == [6]


def test_torch_spawn_hands_args_after_the_rank() -> None:
    source = """\
    import functools
    import torch.multiprocessing as tmp
    import torch.multiprocessing as mp
    from torch import multiprocessing as tm
    from torch.multiprocessing import spawn as launch


    def by_keyword(rank, metrics):
        metrics["loss"].append(rank)


    def by_position(rank, metrics):
        metrics["loss"].append(rank)


    def start_processes_fn(rank, other, metrics):
        metrics["loss"].append(rank)


    def gets_the_rank(metrics):
        metrics["loss"].append(1)


    def with_partial(extra, rank, metrics):
        metrics["loss"].append(extra)


    class Trainer:
        def work(self, rank, metrics):
            metrics["loss"].append(rank)


    if __name__ == "__main__":
        with tmp.Manager() as m:
            metrics = m.dict({"loss": []})
            tmp.spawn(by_keyword, args=(metrics,), nprocs=2)
            tm.spawn(by_position, (metrics,), 2)
            mp.start_processes(fn=start_processes_fn, args=(0, metrics), nprocs=2)
            launch(gets_the_rank, args=(metrics,), nprocs=2)
            tmp.spawn(functools.partial(with_partial, 3), args=(metrics,))
            tmp.spawn(Trainer().work, args=(metrics,))
    """
    assert mpl001(source) == [9, 13, 17, 25, 30]
