"""MPL004–MPL011: what each rule flags, what it leaves alone, and their fixes."""

from __future__ import annotations

import textwrap

from tests.rule_support import diagnostics, fixed, found


def rows(source: str, code: str) -> list[int]:
    return [row for c, row in found(source, code)]


# -- MPL004 join-before-drain ---------------------------------------------------------------------


def test_join_before_get_is_flagged() -> None:
    source = """\
    from multiprocessing import Manager, Pipe, Process, Queue, SimpleQueue


    def produce(q):
        q.put("x" * 1_000_000)


    def send(conn):
        conn.send(list(range(100_000)))


    if __name__ == "__main__":
        q = Queue()
        p = Process(target=produce, args=(q,))
        p.start()
        p.join()
        print(len(q.get()))
        sq = SimpleQueue()
        workers = [Process(target=produce, args=(sq,)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        results = [sq.get() for _ in workers]
        parent, child = Pipe()
        s = Process(target=send, kwargs={"conn": child})
        s.start()
        s.join()
        parent.recv()
    """
    assert rows(source, "MPL004") == [16, 23, 28]


def test_drain_before_join_and_manager_queues_are_not_flagged() -> None:
    source = """\
    from multiprocessing import Manager, Process, Queue


    def produce(q):
        q.put("x" * 1_000_000)


    def consume(q):
        q.get()


    if __name__ == "__main__":
        q = Queue()
        p = Process(target=produce, args=(q,))
        p.start()
        data = q.get()
        p.join()
        with Manager() as m:
            mq = m.Queue()
            r = Process(target=produce, args=(mq,))
            r.start()
            r.join()
            mq.get()
        reader = Process(target=consume, args=(q,))
        reader.start()
        reader.join()
        q.get()
    """
    assert rows(source, "MPL004") == []


# -- MPL005 unpicklable-callable ------------------------------------------------------------------


def test_unpicklable_callables_are_flagged() -> None:
    source = """\
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial
    from multiprocessing import Pool, Process


    def main():
        def nested(x):
            return x

        class Local:
            def run(self):
                pass

        with Pool() as pool:
            pool.map(lambda x: x * 2, range(3))
            pool.map(nested, range(3))
            pool.apply_async(partial(nested, 1))
        Process(target=Local().run).start()
        with ProcessPoolExecutor() as ex:
            ex.submit(lambda: 1)


    if __name__ == "__main__":
        def in_main(x):
            return x

        with Pool() as pool:
            pool.map(in_main, range(3))
        main()
    """
    found_diagnostics = diagnostics(source, "MPL005")
    assert [d.location.row for d in found_diagnostics] == [15, 16, 17, 18, 20, 28]
    assert "fails under fork, spawn and forkserver" in found_diagnostics[0].message
    assert "fails under spawn and forkserver" in found_diagnostics[3].message
    assert "fails under spawn and forkserver" in found_diagnostics[5].message


def test_picklable_callables_threads_and_dill_are_not_flagged() -> None:
    source = """\
    import multiprocess
    from concurrent.futures import ThreadPoolExecutor
    from multiprocessing import Process, get_context
    from multiprocessing.dummy import Pool as DummyPool
    from multiprocessing.pool import ThreadPool


    def top(x):
        return x


    class Worker:
        def run(self, x):
            return x


    if __name__ == "__main__":
        with ThreadPool() as t, DummyPool() as d, ThreadPoolExecutor() as e:
            t.map(lambda x: x, [1])
            d.map(lambda x: x, [1])
            e.submit(lambda: 1)
        with multiprocess.Pool() as pool:
            pool.map(lambda x: x, [1])
        Process(target=top, args=(1,)).start()
        get_context("fork").Process(target=lambda: None).start()
        with get_context("spawn").Pool() as pool:
            pool.map(Worker().run, [1])
    """
    assert rows(source, "MPL005") == []


def test_lambda_process_target_only_bites_under_spawn() -> None:
    source = """\
    from multiprocessing import Process

    if __name__ == "__main__":
        p = Process(target=lambda: print("hi"))
        p.start()
        p.join()
    """
    assert rows(source, "MPL005") == [4]
    assert [d.code for d in diagnostics(source, "MPL005", start_methods=("fork",))] == []


# -- MPL006 args-not-tuple ------------------------------------------------------------------------


def test_args_not_tuple() -> None:
    source = """\
    from multiprocessing import Pool, Process


    def greet(name):
        print(name)


    if __name__ == "__main__":
        names = ("a", "b")
        Process(target=greet, args=("world")).start()
        Process(target=greet, args=(names)).start()
        Process(target=greet, args="world").start()
        Process(target=greet, args={"name": 1}).start()
        item = "x"
        Process(target=greet, args=(item)).start()
        Process(target=greet, args=(item,)).start()
        Process(target=greet, args=[item]).start()
        with Pool() as pool:
            pool.apply(greet, (item))
            pool.apply_async(greet, args=("x",))
    """
    assert rows(source, "MPL006") == [10, 12, 13, 15, 19]
    result = fixed(source, "MPL006")
    assert 'args=("world",)' in result
    assert 'args=("world",)).start()\n    Process(target=greet, args=(names))' in result
    assert "args=(item,)).start()\n    Process(target=greet, args=(item,))" in result
    assert "pool.apply(greet, (item,))" in result
    assert 'args=({"name": 1},)' in result


# -- MPL007 target-called -------------------------------------------------------------------------


def test_target_called() -> None:
    source = """\
    from functools import partial
    from multiprocessing import Pool, Process


    def work(n, scale=1):
        print(n * scale)


    def factory():
        return work


    if __name__ == "__main__":
        Process(target=work(3)).start()
        Process(target=work(3, scale=2)).start()
        Process(target=factory()).start()
        Process(target=partial(work, 3)).start()
        with Pool() as pool:
            pool.apply(work(1))
    """
    assert rows(source, "MPL007") == [14, 15, 19]
    (first, *_rest) = diagnostics(source, "MPL007")
    assert first.fix is not None and first.fix.applicability.value == "unsafe"
    result = fixed(source, "MPL007", unsafe=True)
    assert "Process(target=work, args=(3,)).start()" in result
    assert 'Process(target=work, args=(3,), kwargs={"scale": 2}).start()' in result
    assert "pool.apply(work, (1,))" in result


# -- MPL008 child-global-mutation -----------------------------------------------------------------


def test_child_global_mutation() -> None:
    source = """\
    from multiprocessing import Pool, Process

    results = []
    counter = 0
    settings = {"debug": False}


    def work(x):
        global counter
        counter += 1
        results.append(x * x)


    def configure():
        settings["debug"] = True


    def log_only(x):
        results.append(x)


    if __name__ == "__main__":
        with Pool() as pool:
            pool.map(work, range(4))
        print(results, counter)
        p = Process(target=configure)
        p.start()
        p.join()
        q = Process(target=log_only, args=(1,))
        q.start()
        q.join()
    """
    assert rows(source, "MPL008") == [10, 11]


# -- MPL009 unsynchronized-shared-update ----------------------------------------------------------


def test_unsynchronized_shared_updates() -> None:
    source = """\
    from multiprocessing import Array, Lock, Process, RawValue, Value


    def count(counter, totals, raw, lock):
        for i in range(1000):
            counter.value += 1
            totals[0] += i
            counter.value = counter.value + 1
            raw.value += 1
            with counter.get_lock():
                counter.value += 1
            with lock:
                totals[1] += 1
            counter.value = 5


    if __name__ == "__main__":
        counter = Value("i", 0)
        totals = Array("i", 2)
        raw = RawValue("i", 0)
        lock = Lock()
        procs = [Process(target=count, args=(counter, totals, raw, lock)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
    """
    found_diagnostics = diagnostics(source, "MPL009")
    assert [d.location.row for d in found_diagnostics] == [6, 7, 8, 9]
    assert [d.fix is not None for d in found_diagnostics] == [True, True, True, False]
    result = fixed(source, "MPL009")
    expected = (
        "        with counter.get_lock():\n            counter.value += 1\n        with totals.get_lock():\n"
    )
    assert expected in result
    assert "            totals[0] += i\n" in result


# -- MPL010 pool-result-after-exit ----------------------------------------------------------------


def test_pool_result_after_exit() -> None:
    source = """\
    from multiprocessing import Pool


    def work(x):
        return x


    if __name__ == "__main__":
        with Pool() as pool:
            late = pool.apply_async(work, (1,))
            ready = pool.apply_async(work, (2,))
            ready.wait()
            lazy = pool.imap(work, range(3))
            many = [pool.apply_async(work, (i,)) for i in range(3)]
            inside = pool.map_async(work, range(3))
            print(inside.get())
        print(late.get(timeout=1))
        print(ready.get())
        print(list(lazy))
        print([r.get() for r in many])
        print(inside.get())
    """
    assert rows(source, "MPL010") == [17, 19, 20]


# -- MPL011 terminate-with-shared-resource --------------------------------------------------------


def test_terminate_with_shared_resource() -> None:
    source = """\
    from multiprocessing import Lock, Manager, Pipe, Process, Queue


    def work(*resources):
        pass


    if __name__ == "__main__":
        q, lock = Queue(), Lock()
        parent, child = Pipe()
        a = Process(target=work, args=(q,))
        b = Process(target=work, args=(lock,))
        c = Process(target=work, kwargs={"conn": child})
        d = Process(target=work, args=(1, "plain"))
        for p in (a, b, c, d):
            p.start()
        a.terminate()
        b.kill()
        c.terminate()
        d.terminate()
        for p in (a, b, c, d):
            p.join()
    """
    assert rows(source, "MPL011") == [17, 18, 19]


def test_fixes_are_idempotent() -> None:
    source = textwrap.dedent(
        """\
        from multiprocessing import Process, Value


        def count(counter):
            counter.value += 1


        if __name__ == "__main__":
            v = Value("i", 0)
            p = Process(target=count, args=(v))
            p.start()
            p.join()
        """
    )
    once = fixed(source)
    assert fixed(once) == once
    assert found(once) == []


def test_terminate_is_fine_when_the_child_cannot_hold_the_lock_and_unstarted_processes() -> None:
    source = """\
    from multiprocessing import Process, Semaphore


    def signal(sem):
        sem.release()


    def hold(sem):
        with sem:
            pass


    if __name__ == "__main__":
        sem = Semaphore(0)
        a = Process(target=signal, args=(sem,))
        b = Process(target=hold, args=(sem,))
        unused = Process(target=lambda: None)
        a.start()
        b.start()
        a.terminate()
        b.terminate()
        a.join()
        b.join()
    """
    assert rows(source, "MPL011") == [21]
    assert rows(source, "MPL005") == []


def test_a_process_only_inspected_is_never_started() -> None:
    source = """\
    from multiprocessing import Process


    def check(self):
        proc = Process(target=lambda: None)
        self.assertTrue(proc)
        print(proc.name)
        other = Process(target=lambda: None)
        run(other)


    def run(p):
        p.start()
        p.join()
    """
    assert rows(source, "MPL005") == [8]


def test_shared_updates_by_a_single_child_do_not_race() -> None:
    single = """\
    from multiprocessing import Array, Process, Value


    def negate(n, a):
        n.value += 1
        for i in range(len(a)):
            a[i] = -a[i]


    if __name__ == "__main__":
        num, arr = Value("d", 0.0), Array("i", range(10))
        p = Process(target=negate, args=(num, arr))
        p.start()
        p.join()
    """
    assert rows(single, "MPL009") == []
    subclass = """\
    from multiprocessing import Process, Value


    class Counter(Process):
        def __init__(self, total):
            super().__init__()
            self.total = total

        def run(self):
            self.total.value += 1


    if __name__ == "__main__":
        total = Value("i", 0)
        workers = [Counter(total) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    """
    assert rows(subclass, "MPL009") == [10]


def test_pool_results_kept_in_containers_or_not_waited_for_inside_the_block() -> None:
    source = """\
    from multiprocessing import Pool


    def work(x):
        return x


    def by_name():
        jobs = {}
        with Pool(2) as pool:
            for name in ("a", "b"):
                jobs[name] = pool.apply_async(work, (name,))
        return {name: job.get(timeout=5) for name, job in jobs.items()}


    def appended():
        results = []
        with Pool(2) as pool:
            for i in range(3):
                results.append(pool.apply_async(work, (i,)))
        return [r.get() for r in results]


    def only_asked_if_ready():
        with Pool(2) as pool:
            r = pool.apply_async(work, (1,))
            print(r.ready())
        return r.get()


    def partly_consumed():
        with Pool(2) as pool:
            it = pool.imap(work, range(5))
            first = next(it)
        return [first, *it]


    def pool_made_before():
        pool = Pool(2)
        with pool:
            r = pool.apply_async(work, (1,))
        return r.get()


    def closed_and_joined_inside():
        with Pool(2) as pool:
            rs = [pool.apply_async(work, (i,)) for i in range(4)]
            pool.close()
            pool.join()
        return [r.get(timeout=5) for r in rs]


    def joined_on_one_branch_only(verbose):
        with Pool(2) as pool:
            r = pool.apply_async(work, (1,))
            if verbose:
                pool.close()
                pool.join()
        return r.get()


    def keys_are_not_results():
        jobs = {}
        with Pool(2) as pool:
            jobs["a"] = pool.apply_async(work, (1,))
            jobs["a"].wait()
        return [name.upper() for name in jobs]
    """
    assert found(source, "MPL010") == [
        ("MPL010", 13),
        ("MPL010", 21),
        ("MPL010", 28),
        ("MPL010", 35),
        ("MPL010", 42),
        ("MPL010", 59),
    ]


def test_terminate_after_join_of_discarded_resources_and_of_process_subclasses() -> None:
    source = """\
    import time
    from multiprocessing import Lock, Pipe, Process, Queue


    def work(q):
        q.put(1)


    class Writer(Process):
        def __init__(self, lock):
            super().__init__()
            self.lock = lock

        def run(self):
            with self.lock:
                time.sleep(1)


    def subclass():
        lock = Lock()
        w = Writer(lock)
        w.start()
        w.terminate()
        w.join()
        lock.acquire()


    def joined_first():
        q = Queue()
        p = Process(target=work, args=(q,))
        p.start()
        q.get()
        p.join()
        p.terminate()
        q.put(2)


    def closed_before_terminating():
        receiving, sending = Pipe(duplex=False)
        procs = [Process(target=work, args=(sending,)) for _ in range(2)]
        for p in procs:
            p.start()
        try:
            result = receiving.recv()
        finally:
            receiving.close()
            sending.close()
        for p in procs:
            p.terminate()
        return result


    def used_again_in_the_loop():
        q = Queue()
        for _ in range(2):
            p = Process(target=work, args=(q,))
            p.start()
            p.terminate()
            p.join()
    """
    assert found(source, "MPL011") == [("MPL011", 23), ("MPL011", 58)]


def test_args_that_already_are_sequences_in_parentheses() -> None:
    source = """\
    from multiprocessing import Pool, Process


    def work(*args):
        print(args)


    if __name__ == "__main__":
        base = (1, 2)
        verbose = True
        for args in (
            (base + (3,)),
            ((1, 2) if verbose else (1,)),
            (base[1:]),
            (base * 2),
            (tuple(base) + (3,)),
            (list(base)),
        ):
            pass
        Process(target=work, args=(base + (3,))).start()
        Process(target=work, args=((1, 2) if verbose else (1,))).start()
        Process(target=work, args=(base[1:])).start()
        Process(target=work, args=(base * 2)).start()
        Process(target=work, args=(verbose)).start()
        Process(target=work, args=("abc"[1:])).start()
    """
    assert found(source, "MPL006") == [("MPL006", 24), ("MPL006", 25)]


def test_unpicklable_callables_under_fork_through_names_and_factories() -> None:
    source = """\
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    square = lambda x: x * x


    def make_greeter(name):
        return lambda: print(name)


    def run(xs, k):
        fn = lambda x: x * k
        with mp.Pool(2) as pool:
            pool.map(fn, xs)
            pool.map(square, xs)
        mp.Process(target=make_greeter("bob")).start()


    if __name__ == "__main__":
        def work(x):
            return x + 1

        with ProcessPoolExecutor(mp_context=mp.get_context("fork")) as executor:
            executor.submit(work, 1)
        with ProcessPoolExecutor(mp_context=mp.get_context("spawn")) as executor:
            executor.submit(work, 1)
    """
    assert found(source, "MPL005") == [("MPL005", 14), ("MPL005", 15), ("MPL005", 16), ("MPL005", 26)]
    forked = source.replace(
        'if __name__ == "__main__":\n', 'if __name__ == "__main__":\n        mp.set_start_method("fork")\n'
    )
    # under fork a Process target is not pickled and main-block functions exist in the children;
    # pool tasks still are pickled
    assert found(forked, "MPL005") == [("MPL005", 14), ("MPL005", 15), ("MPL005", 27)]


def test_called_targets_passed_by_position_or_as_func() -> None:
    source = """\
    from multiprocessing import Pool, Process


    def work(x):
        print(x)


    if __name__ == "__main__":
        p = Process(None, work(1))
        with Pool(2) as pool:
            pool.apply_async(func=work(2))
            pool.apply_async(func=work, args=(2,))
        Process(None, work).start()
    """
    assert found(source, "MPL007") == [("MPL007", 9), ("MPL007", 11)]


def test_child_global_mutation_through_aliases_helpers_and_collections() -> None:
    source = """\
    from collections import Counter, defaultdict
    from multiprocessing import Pool, Process

    results = []
    counts = defaultdict(int)
    tally = Counter()
    failures = []


    def work(x):
        out = results
        out.append(x)
        counts[x] += 1
        tally[x] += 1


    def fail(n):
        failures.append(n)


    def report():
        print(failures)


    if __name__ == "__main__":
        with Pool(2) as pool:
            pool.map(work, range(4))
        print(results, dict(counts), tally)
        procs = [Process(target=fail, args=(n,)) for n in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        report()
    """
    assert found(source, "MPL008") == [("MPL008", 12), ("MPL008", 13), ("MPL008", 14), ("MPL008", 18)]


def test_shared_updates_under_locks_that_do_not_protect_or_held_by_the_caller() -> None:
    source = """\
    import threading
    from multiprocessing import Lock, Process, Value

    thread_lock = threading.Lock()


    def bump(c):
        c.value += 1


    def under_caller_lock(c):
        for _ in range(100):
            with c.get_lock():
                bump(c)


    def own_lock(c):
        lock = Lock()
        with lock:
            c.value += 1


    def thread_locked(c):
        with thread_lock:
            c.value += 1


    def producer(c):
        c.value += 1


    def consumer(c):
        c.value -= 1


    if __name__ == "__main__":
        v = Value("i", 0)
        procs = [Process(target=under_caller_lock, args=(v,)) for _ in range(4)]
        procs += [Process(target=own_lock, args=(v,)) for _ in range(4)]
        procs += [Process(target=thread_locked, args=(v,)) for _ in range(4)]
        a = Process(target=producer, args=(v,))
        b = Process(target=consumer, args=(v,))
    """
    assert found(source, "MPL009") == [("MPL009", 20), ("MPL009", 25), ("MPL009", 29), ("MPL009", 33)]


def test_join_before_drain_through_helpers_and_process_subclasses() -> None:
    source = """\
    import multiprocessing as mp


    def emit(q, payload):
        q.put(payload)


    def produce(q):
        emit(q, "x" * 1_000_000)


    class Producer(mp.Process):
        def __init__(self, q):
            super().__init__()
            self.q = q

        def run(self):
            self.q.put("x" * 1_000_000)


    class Reader(mp.Process):
        def __init__(self, q):
            super().__init__()
            self.q = q

        def run(self):
            print(self.q.get())


    if __name__ == "__main__":
        q = mp.Queue()
        p = mp.Process(target=produce, args=(q,))
        p.start()
        p.join()
        print(len(q.get()))
        q2 = mp.Queue()
        w = Producer(q2)
        w.start()
        w.join()
        print(len(q2.get()))
        r = Reader(q)
        r.start()
        q.put(1)
        r.join()
        q.get()
    """
    assert found(source, "MPL004") == [("MPL004", 34), ("MPL004", 39)]


def test_parent_racing_its_child_and_decorators_that_hide_the_function() -> None:
    source = """\
    import functools
    import time
    from multiprocessing import Pool, Process, Value


    def work(c):
        for _ in range(1000):
            c.value += 1


    def timed(fn):
        def wrapper(*args):
            start = time.time()
            result = fn(*args)
            print(time.time() - start)
            return result

        return wrapper


    def logged(fn):
        @functools.wraps(fn)
        def wrapper(*args):
            return fn(*args)

        return wrapper


    @timed
    def square(x):
        return x * x


    @logged
    def cube(x):
        return x * x * x


    if __name__ == "__main__":
        v = Value("i", 0)
        p = Process(target=work, args=(v,))
        p.start()
        for _ in range(1000):
            v.value += 1
        p.join()
        with Pool(2) as pool:
            print(pool.map(square, range(5)), pool.map(cube, range(5)))
    """
    assert found(source, "MPL009", "MPL005") == [("MPL009", 8), ("MPL005", 47)]


def test_look_alikes_of_races_global_reads_and_terminations() -> None:
    source = """\
    import time
    from multiprocessing import Pool, Process, Queue, Value

    items = []
    seen = set()


    def collect(n):
        items.append(n)
        seen.add(n)


    def count(c):
        c.value += 1


    def put(q):
        q.put(1)


    def reset():
        seen.clear()


    if __name__ == "__main__":
        p = Process(target=collect, args=(1,))
        p.start()
        p.join()
        seen.clear()
        reset()
        items = ["fresh"]
        print(items)
        v = Value("i", 0)
        for _ in range(3):
            w = Process(target=count, args=(v,))
            w.start()
            w.join()
        v.value += 1
        q = Queue()
        ps = [Process(target=put, args=(q,)) for _ in range(2)]
        for p in ps:
            p.start()
        for p in ps:
            p.join(None)
        for p in ps:
            if p.is_alive():
                p.kill()
        q.put(2)
        with Pool(2) as pool:
            rs = [pool.apply_async(abs, (i,)) for i in range(4)]
            while not all(r.ready() for r in rs):
                time.sleep(0.05)
        print([r.get() for r in rs])
        items2 = [1, 2]
        Process(target=collect, args=(items2)).start()
    """
    assert found(source, "MPL006", "MPL008", "MPL009", "MPL010", "MPL011") == [("MPL006", 55)]


def test_timeouts_initializers_generators_and_proxies_copied_between_proxies() -> None:
    source = """\
    import multiprocessing as mp


    def work(q):
        q.put("x" * 1_000_000)


    def pools():
        with mp.Pool(2) as pool:
            yield pool


    def run(items, source=pools()):
        return next(source).map(abs, items)


    if __name__ == "__main__":
        mp.set_start_method("fork")
        q = mp.Queue()
        p = mp.Process(target=work, args=(q,))
        p.start()
        p.join(timeout=0.5)
        data = q.get()
        p.join()
        with mp.Pool(2, initializer=lambda: None) as pool:
            print(pool.map(abs, range(3)))
        with mp.Manager() as m:
            lists = m.list()
            lists.append(m.list())
            d = m.dict()
            d["first"] = lists[0]
            d["first"].append(6)
    """
    assert found(source, "MPL001", "MPL002", "MPL004", "MPL005") == []
    polled = source.replace("p.join(timeout=0.5)", "while p.is_alive():\n            p.join(0.1)")
    assert found(polled, "MPL004") == [("MPL004", 23)]
    spawned = source.replace('mp.set_start_method("fork")', 'mp.set_start_method("spawn")')
    assert found(spawned, "MPL005") == [("MPL005", 25)]


def test_one_shared_value_per_child_does_not_race() -> None:
    source = """\
    from multiprocessing import Process, Value


    def work(counter):
        for _ in range(1000):
            counter.value += 1


    def tally(counter):
        counter.value += 1


    def each(counter):
        counter.value += 1


    if __name__ == "__main__":
        counters = [Value("i", 0) for _ in range(4)]
        ps = [Process(target=work, args=(c,)) for c in counters]
        for _ in range(4):
            c = Value("i", 0)
            p = Process(target=each, args=(c,))
            p.start()
        shared = Value("i", 0)
        qs = [Process(target=tally, args=(shared,)) for _ in range(4)]
    """
    assert found(source, "MPL009") == [("MPL009", 10)]


def test_terminating_a_child_that_uses_a_module_level_queue_or_lock() -> None:
    source = """\
    import time
    from multiprocessing import Lock, Process, Queue

    q = Queue()
    lock = Lock()


    def produce():
        while True:
            q.put(1)


    def guarded():
        with lock:
            time.sleep(1)


    def idle():
        time.sleep(1)


    if __name__ == "__main__":
        for target in (produce, guarded, idle):
            pass
        p = Process(target=produce)
        p.start()
        p.terminate()
        g = Process(target=guarded)
        g.start()
        g.terminate()
        i = Process(target=idle)
        i.start()
        i.terminate()
    """
    assert found(source, "MPL011") == [("MPL011", 27), ("MPL011", 30)]


def test_join_before_drain_with_a_bound_method_target() -> None:
    source = """\
    import multiprocessing as mp


    class Crawler:
        def __init__(self):
            self.results = mp.Queue()

        def _work(self):
            self.results.put(b"x" * 1_000_000)

        def run(self):
            p = mp.Process(target=self._work)
            p.start()
            p.join()
            return self.results.get()

        def run_well(self):
            p = mp.Process(target=self._work)
            p.start()
            data = self.results.get()
            p.join()
            return data
    """
    assert found(source, "MPL004") == [("MPL004", 14)]


def test_join_before_drain_through_a_helper_that_joins() -> None:
    source = """\
    from multiprocessing import Process, Queue


    def produce(q):
        q.put(bytes(200_000))


    def wait_all(procs):
        for p in procs:
            p.join()


    def drain_first(q, procs):
        data = [q.get() for _ in procs]
        wait_all(procs)
        return data


    if __name__ == "__main__":
        q = Queue()
        procs = [Process(target=produce, args=(q,)) for _ in range(3)]
        for p in procs:
            p.start()
        wait_all(procs)
        print([len(q.get()) for _ in procs])
    """
    assert found(source, "MPL004") == [("MPL004", 10)]
    drained = source.replace("        wait_all(procs)\n        print(", "        print(").replace(
        "for _ in procs])\n", "for _ in procs])\n        wait_all(procs)\n"
    )
    assert found(drained, "MPL004") == []


def test_functions_run_by_torch_spawn_are_child_code() -> None:
    source = """\
    import torch.multiprocessing as mp

    results = []


    def collect(rank):
        results.append(rank)


    def count(rank, counter):
        counter.value += 1


    def count_alone(rank, counter):
        counter.value += 1


    def count_while_the_parent_does(rank, counter):
        counter.value += 1


    if __name__ == "__main__":
        mp.spawn(collect, nprocs=2)
        print(results)
        shared = mp.Value("i", 0)
        mp.spawn(count, args=(shared,), nprocs=4)
        alone = mp.Value("i", 0)
        mp.spawn(count_alone, (alone,))
        alone.value += 1
        racing = mp.Value("i", 0)
        context = mp.start_processes(count_while_the_parent_does, args=(racing,), join=False)
        racing.value += 1
        context.join()
        mp.spawn(lambda rank: None, nprocs=2)
        mp.start_processes(lambda rank: None, nprocs=2, start_method="fork")
    """
    assert rows(source, "MPL008") == [7]
    assert rows(source, "MPL009") == [11, 19]
    unpicklable = diagnostics(source, "MPL005")
    assert [d.location.row for d in unpicklable] == [34]
    assert "as a Process target: it fails under spawn;" in unpicklable[0].message


def test_torch_spawn_waiting_before_the_queue_is_read() -> None:
    source = """\
        import torch.multiprocessing as tmp
        from multiprocessing import Manager


        def fn(rank, q):
            q.put([rank] * 100_000)


        def quiet(rank, q):
            print(rank, q)


        def main():
            q = tmp.Queue()
            tmp.spawn(fn, args=(q,), nprocs=2)
            return [q.get() for _ in range(2)]


        def main_by_position():
            q = tmp.SimpleQueue()
            tmp.start_processes(fn, (q,), 2)
            return q.get()


        def drained_first():
            q = tmp.Queue()
            context = tmp.spawn(fn, args=(q,), nprocs=2, join=False)
            items = [q.get() for _ in range(2)]
            context.join()
            return items


        def not_written():
            q = tmp.Queue()
            tmp.spawn(quiet, args=(q,), nprocs=2)
            return q.get()


        def manager_queue():
            with Manager() as m:
                q = m.Queue()
                tmp.spawn(fn, args=(q,), nprocs=2)
                return q.get()
        """
    found_here = diagnostics(source, "MPL004")
    assert [d.location.row for d in found_here] == [15, 21]
    assert "`tmp.spawn(...)` waits for its processes to exit before `q` is read" in found_here[0].message


def test_torch_spawn_with_a_called_function() -> None:
    source = """\
        import torch.multiprocessing as tmp


        def work(rank):
            print(rank)


        def make_worker():
            return work


        def main():
            tmp.spawn(work(0), nprocs=2)
            tmp.start_processes(fn=work(1), nprocs=2)
            tmp.spawn(make_worker(), nprocs=2)
            tmp.spawn(work, nprocs=2)
        """
    found_here = diagnostics(source, "MPL007")
    assert [d.location.row for d in found_here] == [13, 14]
    assert all(d.fix is None for d in found_here)
    assert "`work(...)` runs now, in the parent, and its result becomes the target" in found_here[0].message


def test_torch_spawn_args_not_a_tuple() -> None:
    source = """\
        import torch.multiprocessing as tmp


        def work(rank, name):
            print(rank, name)


        def main(items):
            tmp.spawn(work, args=("world"), nprocs=2)
            tmp.spawn(work, ("world"), 2)
            tmp.start_processes(work, args=(items), nprocs=2)
            tmp.spawn(work, args=("world",), nprocs=2)
            tmp.spawn(work, args=(items[1:]), nprocs=2)
        """
    assert rows(source, "MPL006") == [9, 10, 11]
    result = fixed(source, "MPL006")
    assert 'tmp.spawn(work, args=("world",), nprocs=2)\n' in result
    assert 'tmp.spawn(work, ("world",), 2)\n' in result
    assert "tmp.start_processes(work, args=(items,), nprocs=2)\n" in result
