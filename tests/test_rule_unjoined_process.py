"""MPL003 unjoined-process: processes, pools, managers and executors left running."""

from __future__ import annotations

from tests.rule_support import diagnostics, found

HEADER = """\
from multiprocessing import Manager, Pool, Process
from multiprocessing.managers import SyncManager
from concurrent.futures import ProcessPoolExecutor


def work(x=0):
    return x


"""
OFFSET = HEADER.count("\n")


def mpl003(body: str) -> list[int]:
    return [row - OFFSET for code, row in found(HEADER + body, "MPL003")]


def test_joined_processes_are_not_flagged() -> None:
    body = """\
def straight():
    p = Process(target=work)
    p.start()
    p.join()


def through_a_list():
    procs = []
    for i in range(3):
        p = Process(target=work, args=(i,))
        p.start()
        procs.append(p)
    for p in procs:
        p.join()


def through_a_comprehension():
    procs = [Process(target=work) for _ in range(3)]
    for p in procs:
        p.start()
    [p.join() for p in procs]


def through_a_dict():
    workers = {}
    for name in "ab":
        workers[name] = Process(target=work)
        workers[name].start()
    for proc in workers.values():
        proc.join(timeout=5)


def in_finally():
    p = Process(target=work)
    p.start()
    try:
        work()
    finally:
        p.join()


def both_branches(flag):
    p = Process(target=work)
    p.start()
    if flag:
        p.join()
    else:
        p.terminate()
        p.join()


def daemon():
    p = Process(target=work, daemon=True)
    p.start()
    q = Process(target=work)
    q.daemon = True
    q.start()


def escapes():
    p = Process(target=work)
    p.start()
    return p


def expected_failure(self):
    p = Process(target=work)
    with self.assertRaises(RuntimeError):
        p.start()
"""
    assert mpl003(body) == []


def test_unjoined_processes_are_flagged() -> None:
    body = """\
def never():
    p = Process(target=work)
    p.start()


def inline():
    Process(target=work).start()


def early_return(flag):
    p = Process(target=work)
    p.start()
    if flag:
        return
    p.join()


def one_branch(flag):
    p = Process(target=work)
    p.start()
    if flag:
        p.join()


def only_the_last(n):
    for i in range(n):
        p = Process(target=work)
        p.start()
    p.join()


def collected_never_joined():
    procs = [Process(target=work) for _ in range(3)]
    for p in procs:
        p.start()
"""
    assert mpl003(body) == [3, 7, 12, 20, 28, 35]


def test_pools_managers_and_executors() -> None:
    body = """\
def good():
    with Pool() as pool, Manager() as manager, ProcessPoolExecutor() as executor:
        pool.map(work, [1])
    pool = Pool()
    pool.close()
    pool.join()
    manager = Manager()
    manager.shutdown()
    executor = ProcessPoolExecutor()
    executor.shutdown()
    unstarted = SyncManager()
    with SyncManager() as started:
        pass
    return unstarted


def bad():
    pool = Pool()
    pool.map(work, [1])
    closed_only = Pool()
    closed_only.close()
    manager = Manager()
    d = manager.dict()
    executor = ProcessPoolExecutor()
    executor.submit(work)
    proxies = Manager().list()
    Pool().map(work, [1])
    started = SyncManager()
    started.start()
    return d, proxies
"""
    assert mpl003(body) == [18, 20, 22, 24, 26, 27, 28]


def test_thread_pools_and_look_alikes_are_not_flagged() -> None:
    body = """\
from multiprocessing.pool import ThreadPool
from multiprocessing.dummy import Pool as DummyPool
from concurrent.futures import ThreadPoolExecutor
from celery.concurrency.prefork import TaskPool
from psutil import Process as PsProcess


def threads():
    pool = ThreadPool(2)
    dummy = DummyPool(2)
    executor = ThreadPoolExecutor()
    executor.submit(work)
    ps = PsProcess()
    return pool, dummy, ps
"""
    assert mpl003(body) == []


def test_objects_on_self() -> None:
    body = """\
class Leaky:
    def __init__(self):
        self.pool = Pool()
        self.worker = Process(target=work)

    def run(self):
        self.worker.start()
        return self.pool.map(work, [1])


class Tidy:
    def setUp(self):
        self.pool = Pool()
        self.worker = Process(target=work)
        self.worker.start()

    def tearDown(self):
        self.pool.terminate()
        self.worker.join()


class Lazy:
    def run(self):
        self.pool = Pool()
"""
    assert mpl003(body) == [3, 7]


def test_terminate_waits_for_pool_workers() -> None:
    body = """\
def stop_now():
    pool = Pool()
    pool.map_async(work, [1])
    pool.terminate()
"""
    assert mpl003(body) == []


def test_aliased_constructors() -> None:
    body = """\
from multiprocessing import Manager as MM, Pool as P


def aliased():
    q = MM().Queue()
    pool = P()
    pool.map(work, [1])
    return q
"""
    assert mpl003(body) == [5, 6]


def test_objects_lost_by_rebinding_or_made_on_every_pass_of_a_loop() -> None:
    body = """\
def rebound_pool():
    pool = Pool(2)
    pool.map(work, range(3))
    pool = Pool(4)
    pool.map(work, range(3))
    pool.close()
    pool.join()


def rebound_process():
    p = Process(target=work)
    p.start()
    p = Process(target=work)
    p.start()
    p.join()


def pool_per_chunk(chunks):
    for chunk in chunks:
        pool = Pool(2)
        pool.map(work, chunk)
    pool.close()
    pool.join()


def manager_per_pass(n):
    while n:
        manager = Manager()
        n -= 1
    manager.shutdown()


def made_once_in_a_loop(chunks):
    pool = None
    for chunk in chunks:
        if pool is None:
            pool = Pool(2)
        pool.map(work, chunk)
    pool.close()
    pool.join()


def shut_down_in_the_loop(chunks):
    for chunk in chunks:
        executor = ProcessPoolExecutor()
        executor.map(work, chunk)
        executor.shutdown()


def joined_before_rebinding():
    p = Process(target=work)
    p.start()
    p.join()
    p = Process(target=work)
    p.start()
    p.join()


def per_branch(flag):
    if flag:
        pool = Pool(2)
    else:
        pool = Pool(4)
    pool.close()
    pool.join()


def dict_of_processes():
    procs = {name: Process(target=work) for name in "ab"}
    for p in procs.values():
        p.start()
"""
    assert mpl003(body) == [2, 12, 20, 28, 71]
    messages = [d.message for d in diagnostics(HEADER + body, "MPL003")]
    assert "for p in procs.values(): p.join()" in messages[-1]


def test_restarted_processes_deques_and_guarded_joins() -> None:
    body = """\
def restart_each_pass():
    p = Process(target=work)
    p.start()
    for _ in range(3):
        p.join()
        p = Process(target=work)
        p.start()
    p.join()


def pipeline(items):
    p = None
    for x in items:
        if p is not None:
            p.join()
        p = Process(target=work, args=(x,))
        p.start()
    if p is not None:
        p.join()


def restart_dead():
    p = Process(target=work)
    p.start()
    for _ in range(5):
        if not p.is_alive():
            p.join()
            p = Process(target=work)
            p.start()
    p.join()


def in_a_deque():
    from collections import deque

    running = deque()
    for _ in range(4):
        p = Process(target=work)
        p.start()
        running.append(p)
    while running:
        done = running.popleft()
        done.join()
    waiting = deque()
    for _ in range(4):
        p = Process(target=work)
        p.start()
        waiting.append(p)
    while waiting:
        waiting.popleft().join()


def restart_without_final_join():
    p = Process(target=work)
    p.start()
    for _ in range(3):
        p.join()
        p = Process(target=work)
        p.start()
"""
    assert mpl003(body) == [59]


def test_started_and_joined_under_the_same_condition() -> None:
    body = """\
def maybe_parallel(parallel):
    p = Process(target=work)
    if parallel:
        p.start()
    else:
        work()
    if parallel:
        p.join()


def other_condition(parallel, verbose):
    p = Process(target=work)
    if parallel:
        p.start()
    if verbose:
        p.join()
"""
    assert mpl003(body) == [14]


def test_processes_kept_on_self_by_the_constructor() -> None:
    body = """\
class Farm:
    def __init__(self, n):
        self.workers = [Process(target=work) for _ in range(n)]
        for w in self.workers:
            w.start()


class Appended:
    def __init__(self, n):
        self.workers = []
        for _ in range(n):
            p = Process(target=work)
            p.start()
            self.workers.append(p)


class Stopped:
    def __init__(self, n):
        self.workers = [Process(target=work) for _ in range(n)]
        for w in self.workers:
            w.start()

    def stop(self):
        for w in self.workers:
            w.join()


class Popped:
    def __init__(self):
        self.workers = []
        p = Process(target=work)
        p.start()
        self.workers.append(p)

    def close(self):
        while self.workers:
            self.workers.pop().join()


class HandedOn:
    def __init__(self):
        self.workers = [Process(target=work)]
        for w in self.workers:
            w.start()

    def stop(self):
        shutdown_all(self.workers)


class Comprehension:
    def __init__(self):
        self.workers = [Process(target=work)]
        for w in self.workers:
            w.start()

    def stop(self):
        [w.join() for w in self.workers]
"""
    assert mpl003(body) == [5, 13]


def test_class_attributes_shut_down_through_the_class() -> None:
    body = """\
class ByClassmethod:
    manager = Manager()

    @classmethod
    def close(cls):
        cls.manager.shutdown()


class ByStaticmethod:
    manager = Manager()

    @staticmethod
    def close():
        ByStaticmethod.manager.shutdown()


class ByFunction:
    manager = Manager()


class ByMainBlock:
    manager = Manager()


class ByInstance:
    manager = Manager()

    def close(self):
        self.manager.shutdown()


class Base:
    pool = Pool()


class Derived(Base):
    @classmethod
    def close(cls):
        cls.pool.close()
        cls.pool.join()


class HandedOn:
    executor = ProcessPoolExecutor()


def close():
    ByFunction.manager.shutdown()
    shutdown_all(HandedOn.executor)


if __name__ == "__main__":
    ByMainBlock.manager.shutdown()
"""
    assert mpl003(body) == []


def test_class_attributes_nothing_shuts_down() -> None:
    body = """\
class Never:
    manager = Manager()

    @classmethod
    def data(cls):
        return cls.manager.dict()


class Other:
    manager = Manager()


class Shadowed:
    manager = Manager()

    def __init__(self):
        self.manager = Manager()

    def close(self):
        self.manager.shutdown()


class ClosedOnly:
    pool = Pool()


def close():
    Other.manager = None
    ClosedOnly.pool.close()
    Never.shutdown()


if __name__ == "__main__":
    Never().manager.start()
"""
    assert mpl003(body) == [2, 10, 14, 24]
