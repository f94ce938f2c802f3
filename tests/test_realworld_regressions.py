"""False positives found by running mplint over real multiprocessing code (``benchmarks/realworld.py``,
reviewed in ``benchmarks/realworld-verdicts.md``), each reduced to the smallest program that showed it,
next to the true positive it must not lose."""

from __future__ import annotations

from rule_support import found


def test_executor_map_iterator_consumed_after_the_with_block() -> None:
    """lithops, storage/backends/infinispan/infinispan.py: ``Executor.__exit__`` waits for every task, so
    the iterator of ``executor.map`` is complete after the block (a Pool's ``__exit__`` terminates)."""
    source = """\
        from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


        def size(key):
            return len(key)


        def sizes(keys):
            with ThreadPoolExecutor(max_workers=4) as pool:
                sizes = pool.map(size, keys)
            return [s for s in sizes if s is not None]


        def lengths(keys):
            with ProcessPoolExecutor() as executor:
                results = executor.map(size, keys)
            return list(results)
        """
    assert found(source, "MPL010") == []


def test_pool_imap_consumed_after_the_with_block_is_still_found() -> None:
    source = """\
        from multiprocessing import Pool
        from multiprocessing.pool import ThreadPool


        def size(key):
            return len(key)


        def sizes(keys):
            with Pool() as pool:
                sizes = pool.imap(size, keys)
            return list(sizes)


        def threaded(keys):
            with ThreadPool(4) as pool:
                result = pool.apply_async(size, (keys[0],))
            return result.get()
        """
    assert found(source, "MPL010") == [("MPL010", 12), ("MPL010", 18)]
