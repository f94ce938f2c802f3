"""The large cases where a cost once grew faster than the input: many processes sharing one target, the
full output format with many fixes, memory per character of source, and a burst of changes sent to the
language server without debounce. Each case runs ``python -m mplint`` in a subprocess and reports its
wall time and peak memory (the maximum resident set size, from ``os.wait4``, or the server's VmHWM).

Run: python benchmarks/cliffs.py [--sizes 2500,5000,10000] [--changes 1000] [--source DIR]
(``--source`` runs the mplint found in DIR instead of the installed one, to compare two versions.)
Prints a Markdown report for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from scaling import multiprocessing_module  # noqa: E402

HEADER = "import multiprocessing\n\n\ndef work(i):\n    return i\n\n\nif __name__ == '__main__':\n"


def shared_target(processes: int, argument: str = "({i},)") -> str:
    """``processes`` processes of the same target, each started and joined."""
    body = "".join(
        f"    p{i} = multiprocessing.Process(target=work, args={argument.format(i=i)})\n"
        f"    p{i}.start()\n    p{i}.join()\n"
        for i in range(processes)
    )
    return HEADER + body


def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of ``python -m mplint ARGS``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "mplint", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, _, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = 0
    return elapsed, usage.ru_maxrss * 1024


def check_case(name: str, text: str, output_format: str, env: dict[str, str], work: Path) -> dict[str, Any]:
    path = work / "case.py"
    path.write_text(text, encoding="utf-8")
    seconds, peak = run(["check", "--no-cache", "--output-format", output_format, "case.py"], env, work)
    return {"case": name, "chars": len(text), "seconds": seconds, "peak": peak}


class Server:
    """``mplint server --debounce-ms 0`` over pipes, its messages read by a thread."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mplint", "server", "--debounce-ms", "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
        )
        self.published: dict[int, float] = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            message = json.loads(stream.read(length))
            if message.get("method") == "textDocument/publishDiagnostics":
                with self.lock:
                    self.published[message["params"].get("version") or 0] = time.perf_counter()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def peak(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="ascii")
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024


def server_case(changes: int, env: dict[str, str], work: Path) -> dict[str, Any]:
    """Open a module, send ``changes`` one-line insertions as fast as the pipe takes them, and wait for
    the diagnostics of the last version."""
    text = multiprocessing_module(25).decode("utf-8")
    uri = (work / "doc.py").as_uri()
    server = Server(env, work)
    server.send({"id": 1, "method": "initialize", "params": {"capabilities": {}}})
    server.send({"method": "initialized", "params": {}})
    server.send(
        {
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        }
    )
    start = time.perf_counter()
    for version in range(2, changes + 2):
        change = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}}
        change["text"] = f"x{version} = {version}\n"
        server.send(
            {
                "method": "textDocument/didChange",
                "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            }
        )
    last = changes + 1
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with server.lock:
            if last in server.published:
                break
        time.sleep(0.01)
    peak = server.peak()
    with server.lock:
        done = server.published.get(last)
        versions = len(server.published)
    server.send({"id": 2, "method": "shutdown"})
    server.send({"method": "exit"})
    server.process.wait(timeout=60)
    return {
        "case": f"server: {changes:,} changes, debounce 0",
        "chars": len(text),
        "seconds": (done - start) if done is not None else float("nan"),
        "peak": peak,
        "published": versions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2500,5000,10000")
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--memory-blocks", default="250,1000,4000")
    parser.add_argument("--source", type=Path, default=None)
    args = parser.parse_args()
    env = dict(os.environ)
    if args.source is not None:
        env["PYTHONPATH"] = str(args.source.resolve())
    sizes = [int(size) for size in args.sizes.split(",") if size]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        for size in sizes:
            rows.append(
                check_case(f"{size:,} processes, one target", shared_target(size), "concise", env, work)
            )
        for size in sizes:
            text = shared_target(size, "('a{i}')")
            rows.append(check_case(f"full format, {size:,} MPL006 fixes", text, "full", env, work))
        baseline = check_case("baseline", HEADER + "    pass\n", "concise", env, work)["peak"]
        memory: list[dict[str, Any]] = []
        for blocks in [int(b) for b in args.memory_blocks.split(",") if b]:
            text = multiprocessing_module(blocks).decode("utf-8")
            row = check_case(f"memory: {len(text) / 1e6:.2f} MB module", text, "concise", env, work)
            row["per_char"] = (row["peak"] - baseline) / row["chars"]
            memory.append(row)
        server = server_case(args.changes, env, work) if args.changes else None

    print("| Case | Source | Time | Peak memory |")
    print("|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['case']} | {row['chars'] / 1e6:.2f} MB | {row['seconds']:.2f} s "
            f"| {row['peak'] / 2**20:.0f} MiB |"
        )
    print()
    print(f"Baseline (a 6-line module): {baseline / 2**20:.0f} MiB.")
    print()
    print("| Module | Characters | Time | Peak memory | Bytes per character above the baseline |")
    print("|---|---|---|---|---|")
    for row in memory:
        print(
            f"| {row['case'].removeprefix('memory: ')} | {row['chars']:,} | {row['seconds']:.2f} s "
            f"| {row['peak'] / 2**20:.0f} MiB | {row['per_char']:.0f} |"
        )
    if server is not None:
        print()
        print(
            f"{server['case']}: document of {server['chars']:,} characters; the last version's diagnostics "
            f"{server['seconds']:.2f} s after the first change; versions published: {server['published']}; "
            f"server peak memory (VmHWM) {server['peak'] / 2**20:.0f} MiB."
        )


if __name__ == "__main__":
    main()
