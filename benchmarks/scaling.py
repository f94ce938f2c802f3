"""How mplint's cost grows with the size of a file: linearly with code that uses multiprocessing, and
hardly at all with code that does not (the prefilter reads it and stops).

Generates modules of 1x, 2x, 4x and 8x a base size, times the engine on each in this process (median
of several runs, garbage collector state as in a real run), and prints a Markdown table: the
multiprocessing modules are made of distinct functions that create managers, proxies, processes,
pools and queues; the others are the standard library's files that never mention multiprocessing,
concatenated. With ``--json``, prints the measurements as JSON instead.

Run: python benchmarks/scaling.py [--json] [--runs N]   (``benchmarks/compare.py`` runs it too)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sysconfig
import time
from pathlib import Path

FACTORS = (1, 2, 4, 8)
MP_BLOCKS = 100  # functions in the 1x multiprocessing module (about 2,400 lines)
PLAIN_BYTES = 1_000_000  # bytes of the 1x module without multiprocessing

HEADER = "import multiprocessing as mp\nfrom concurrent.futures import ProcessPoolExecutor\n\n\n"
BLOCK = """\
def work_{i}(shared, queue, counter):
    item = shared["items"]
    item.append({i})
    shared["items"] = item
    with counter.get_lock():
        counter.value += 1
    queue.put(len(item))


def run_{i}(values):
    with mp.Manager() as manager:
        shared = manager.dict(items=[])
        queue = mp.Queue()
        counter = mp.Value("i", 0)
        procs = [mp.Process(target=work_{i}, args=(shared, queue, counter)) for _ in values]
        for proc in procs:
            proc.start()
        results = [queue.get() for _ in procs]
        for proc in procs:
            proc.join()
    with mp.Pool(2) as pool:
        squares = pool.map(abs, values)
    with ProcessPoolExecutor() as executor:
        total = sum(executor.map(abs, squares))
    return results, total


"""


def multiprocessing_module(blocks: int) -> bytes:
    return (HEADER + "".join(BLOCK.format(i=i) for i in range(blocks))).encode("utf-8")


def plain_module(size: int) -> bytes:
    from mplint.prefilter import Relevance, relevance

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    parts: list[bytes] = []
    total = 0
    for path in sorted(stdlib.rglob("*.py")):
        if "site-packages" in path.parts or total >= size:
            continue
        data = path.read_bytes()
        if relevance(data) is Relevance.NONE:
            parts.append(data)
            total += len(data)
    return b"\n".join(parts)[:size]


def median_seconds(data: bytes, runs: int) -> float:
    from mplint.engine import check_bytes
    from mplint.workspace.selection import default_settings

    settings = default_settings()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        check_bytes(data, "scaled.py", settings)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(runs: int) -> list[dict[str, float | int | str]]:
    rows: list[dict[str, float | int | str]] = []
    plain = plain_module(PLAIN_BYTES * FACTORS[-1])
    for factor in FACTORS:
        module = multiprocessing_module(MP_BLOCKS * factor)
        rows.append(
            {
                "kind": "multiprocessing",
                "factor": factor,
                "lines": module.count(b"\n"),
                "bytes": len(module),
                "seconds": median_seconds(module, runs),
            }
        )
    for factor in FACTORS:
        module = plain[: PLAIN_BYTES * factor]
        rows.append(
            {
                "kind": "no multiprocessing",
                "factor": factor,
                "lines": module.count(b"\n"),
                "bytes": len(module),
                "seconds": median_seconds(module, runs),
            }
        )
    return rows


def growth(rows: list[dict[str, float | int | str]], kind: str) -> float | None:
    """The time of the largest module of ``kind`` over that of the smallest (linear: the size ratio)."""
    times = [float(row["seconds"]) for row in rows if row["kind"] == kind]
    return times[-1] / times[0] if len(times) > 1 and times[0] else None


def markdown(rows: list[dict[str, float | int | str]]) -> list[str]:
    out = [
        "| Module | Size | Lines | Time (median) | Per 1,000 lines | Time / 1x time |",
        "|---|---|---|---|---|---|",
    ]
    base: dict[str, float] = {}
    for row in rows:
        kind, seconds, lines = str(row["kind"]), float(row["seconds"]), int(row["lines"])
        base.setdefault(kind, seconds)
        out.append(
            f"| {kind} | {row['factor']}x ({int(row['bytes']) / 1e6:.2f} MB) | {lines:,} | "
            f"{seconds * 1000:.2f} ms | {seconds * 1e6 / lines:.1f} µs | {seconds / base[kind]:.2f}× |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    parser.add_argument("--runs", type=int, default=5, help="runs per module; the median is reported")
    args = parser.parse_args()
    rows = measure(max(args.runs, 1))
    print(json.dumps(rows) if args.json else "\n".join(markdown(rows)))


if __name__ == "__main__":
    main()
