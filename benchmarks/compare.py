"""Compare mplint's speed and memory with ruff, flake8, pylint and fixit on the standard library, and
measure the language server's latency.

Installs the tools (latest from PyPI) and mplint (from this checkout) into throwaway venvs, copies the
standard library of the running Python into two corpora (A: every ``*.py``; B: the files that mention
``multiprocessing`` or ``concurrent.futures``), times each tool with its working directory in the
corpus, and writes a Markdown report to ``benchmarks/RESULTS.md``.

Run: python benchmarks/compare.py [--runs N] [--quick] [--edits M] [--note TEXT] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import queue
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import scaling  # noqa: E402 - the sibling script, for its table and figures

RESULTS = REPO / "benchmarks" / "RESULTS.md"
PEERS = ("ruff", "fixit", "flake8", "pylint")
GNU_TIME = Path("/usr/bin/time")
TREE = "stdlib"

LARGE_DOCUMENT = "test/_test_multiprocessing.py"
TYPICAL_DOCUMENT = "test/test_multiprocessing_main_handling.py"
TYPICAL_FALLBACK = "multiprocessing/pool.py"

# Runs a command, then writes its wall time and the peak RSS (KiB) of its largest process to argv[1].
RUSAGE_WRAPPER = """\
import resource, subprocess, sys, time
start = time.perf_counter()
rc = subprocess.call(sys.argv[2:])
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    out.write(f"{wall} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
sys.exit(rc)
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- setup


def venv_bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def make_venv(venv: Path, packages: Sequence[str]) -> None:
    log(f"creating {venv.name} and installing {' '.join(packages)}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv_bin(venv, "python")), "-m", "pip", "--disable-pip-version-check", "-q"]
    done = subprocess.run([*pip, "install", *packages], capture_output=True, text=True)
    if done.returncode != 0:
        log(done.stdout + done.stderr)
        raise SystemExit(f"pip could not install {' '.join(packages)}")


def copy_checkout(target: Path) -> Path:
    """The files ``pip install`` needs, copied so that building mplint writes nothing into the repo."""
    target.mkdir()
    for path in REPO.iterdir():
        if path.is_file() and path.name in {
            "pyproject.toml",
            "README.md",
            "LICENSE",
            "setup.py",
            "setup.cfg",
        }:
            shutil.copy2(path, target / path.name)
    shutil.copytree(REPO / "mplint", target / "mplint", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def package_version(venv: Path, name: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({name!r}))"
    out = subprocess.run([str(venv_bin(venv, "python")), "-c", code], capture_output=True, text=True)
    return out.stdout.strip() or "?"


@dataclass
class Corpus:
    """The copied files live in ``root / TREE``: the tools run in ``root`` and are given ``TREE``, so that
    the copied ``multiprocessing`` package does not shadow the real one in the tools' own worker processes
    (Python puts the working directory first on the path of a spawned child)."""

    name: str
    root: Path
    files: int = 0
    lines: int = 0
    with_diagnostics: dict[str, int | None] = field(default_factory=dict)


def stdlib_files() -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return [
        path
        for path in sorted(stdlib.rglob("*.py"))
        if "site-packages" not in path.relative_to(stdlib).parts and path.is_file()
    ]


def build_corpora(base: Path) -> tuple[Corpus, Corpus]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    a = Corpus("A", base / "corpus-a")
    b = Corpus("B", base / "corpus-b")
    for path in stdlib_files():
        data = path.read_bytes()
        relative = path.relative_to(stdlib)
        targets = [a]
        if b"multiprocessing" in data or b"concurrent.futures" in data:
            targets.append(b)
        for corpus in targets:
            destination = corpus.root / TREE / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
            corpus.files += 1
            corpus.lines += data.count(b"\n")
    return a, b


# -- measuring commands


@dataclass
class Sample:
    wall: float
    rss_kib: int
    rc: int


@dataclass
class Bench:
    """One command on one corpus, measured ``runs`` times (after ``prefill`` runs that are not measured)."""

    key: str
    corpus: Corpus
    command: list[str]
    runs: int
    ok_codes: Callable[[int], bool]
    prefill: int = 0
    samples: list[Sample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(sample.wall for sample in self.samples)

    @property
    def rss_mib(self) -> float:
        return statistics.median(sample.rss_kib for sample in self.samples) / 1024


class Runner:
    def __init__(self, base: Path, env: dict[str, str]) -> None:
        self.base = base
        self.env = env
        self.gnu_time = self._gnu_time_works()
        self.counter = 0

    def _gnu_time_works(self) -> bool:
        if not GNU_TIME.exists():
            return False
        out = self.base / "time-probe"
        done = subprocess.run([str(GNU_TIME), "-f", "%M", "-o", str(out), "true"], capture_output=True)
        return done.returncode == 0 and out.exists() and out.read_text().strip().isdigit()

    @property
    def method(self) -> str:
        if self.gnu_time:
            return "`/usr/bin/time -f %M` (max RSS)"
        return "`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` in a wrapper process"

    def run(self, command: Sequence[str], cwd: Path) -> tuple[Sample, str]:
        self.counter += 1
        report = self.base / f"measure-{self.counter}.txt"
        stderr_path = self.base / f"stderr-{self.counter}.txt"
        if self.gnu_time:
            full = [str(GNU_TIME), "-f", "%M", "-o", str(report), *command]
        else:
            full = [sys.executable, "-c", RUSAGE_WRAPPER, str(report), *command]
        with stderr_path.open("wb") as stderr:
            start = time.perf_counter()
            done = subprocess.run(
                full,
                cwd=cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            wall = time.perf_counter() - start
        fields = report.read_text().split() if report.exists() else []
        if self.gnu_time:
            rss = int(fields[-1]) if fields and fields[-1].isdigit() else 0
        else:
            wall, rss = (float(fields[0]), int(fields[1])) if len(fields) == 2 else (wall, 0)
        errors = stderr_path.read_text(errors="replace")
        report.unlink(missing_ok=True)
        stderr_path.unlink(missing_ok=True)
        return Sample(wall, rss, done.returncode), errors

    def failed(self, bench: Bench, sample: Sample, errors: str) -> bool:
        """Whether the run failed (an unexpected exit status or a traceback); if so, say why."""
        if bench.ok_codes(sample.rc) and "Traceback (most recent call last)" not in errors:
            return False
        tail = " | ".join(line.strip() for line in errors.strip().splitlines()[-2:])
        bench.problems.append(f"exit status {sample.rc}: {tail}")
        log(f"  {bench.corpus.name} {bench.key:<14} FAILED: exit status {sample.rc}: {tail}")
        return True

    def measure(self, bench: Bench, index: int) -> None:
        sample, errors = self.run(bench.command, bench.corpus.root)
        if self.failed(bench, sample, errors):
            return
        bench.samples.append(sample)
        log(
            f"  {bench.corpus.name} {bench.key:<14} run {index + 1}/{bench.runs}: "
            f"{sample.wall:8.2f} s {sample.rss_kib / 1024:7.1f} MiB (exit {sample.rc})"
        )

    def fill(self, bench: Bench) -> None:
        for _ in range(bench.prefill):
            sample, errors = self.run(bench.command, bench.corpus.root)
            if not self.failed(bench, sample, errors):
                log(f"  {bench.corpus.name} {bench.key:<14} filling the cache: {sample.wall:.2f} s")


def zero_or_one(rc: int) -> bool:
    return rc in (0, 1)


def pylint_ok(rc: int) -> bool:
    return 0 <= rc < 32  # a bit mask of the message kinds found; 32 is a usage error


def benches(peers: Path, ours: Path, a: Corpus, b: Corpus, base: Path, runs: int) -> list[Bench]:
    ruff = str(venv_bin(peers, "ruff"))
    flake8 = str(venv_bin(peers, "flake8"))
    pylint = str(venv_bin(peers, "pylint"))
    fixit = str(venv_bin(peers, "fixit"))
    mplint = str(venv_bin(ours, "mplint"))
    result = []
    for corpus in (a, b):
        tag = corpus.name.lower()
        ruff_cache = str(base / f"ruff-cache-{tag}")
        mplint_cache = str(base / f"mplint-cache-{tag}")
        result += [
            Bench("ruff", corpus, [ruff, "check", "--no-cache", "--isolated", TREE], runs, zero_or_one),
            Bench(
                "ruff-all",
                corpus,
                [ruff, "check", "--no-cache", "--isolated", "--select", "ALL", "-s", TREE],
                runs,
                zero_or_one,
            ),
            Bench(
                "ruff-warm",
                corpus,
                [ruff, "check", "--isolated", "--cache-dir", ruff_cache, TREE],
                runs,
                zero_or_one,
                prefill=1,
            ),
            Bench("flake8", corpus, [flake8, "--isolated", TREE], runs, zero_or_one),
            Bench(
                "mplint",
                corpus,
                [mplint, "check", "--no-cache", "--isolated", "-o", os.devnull, TREE],
                runs,
                zero_or_one,
            ),
            Bench(
                "mplint-warm",
                corpus,
                [mplint, "check", "--isolated", "--cache-dir", mplint_cache, "-o", os.devnull, TREE],
                runs,
                zero_or_one,
                prefill=1,
            ),
        ]
    result += [
        Bench("pylint", b, [pylint, "--recursive=y", TREE], runs, pylint_ok),
        Bench("fixit", b, [fixit, "lint", TREE], 1, zero_or_one),
    ]
    return result


def run_benches(runner: Runner, all_benches: list[Bench]) -> None:
    """Round-robin: run i of every command before run i + 1 of any, so that a spell of load is shared."""
    for bench in all_benches:
        runner.fill(bench)
    for index in range(max(bench.runs for bench in all_benches)):
        for bench in all_benches:
            if index < bench.runs:
                runner.measure(bench, index)


def count_files(command: Sequence[str], cwd: Path, env: dict[str, str]) -> int:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    return sum(1 for line in done.stdout.splitlines() if line.strip())


def files_with_diagnostics(command: Sequence[str], cwd: Path, env: dict[str, str]) -> int | None:
    """How many files a Ruff-style JSON report names."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    try:
        return len({entry["filename"] for entry in json.loads(done.stdout)})
    except (ValueError, KeyError, TypeError):
        return None


# -- the language server


class LspClient:
    """A minimal JSON-RPC client over stdio with Content-Length framing. A reader thread stamps each
    message with the time it arrived."""

    def __init__(self, command: Sequence[str], cwd: Path, env: dict[str, str], stderr: Path) -> None:
        self.stderr = stderr.open("wb")
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr
        )
        self.inbox: queue.Queue[tuple[float, dict[str, Any] | None]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.inbox.put((time.perf_counter(), None))
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            body = stream.read(length)
            self.inbox.put((time.perf_counter(), json.loads(body)))

    def send(self, payload: dict[str, Any]) -> float:
        body = json.dumps({"jsonrpc": "2.0", **payload}).encode("utf-8")
        stream = self.process.stdin
        assert stream is not None
        stream.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        stream.flush()
        return time.perf_counter()

    def notify(self, method: str, params: Any) -> float:
        return self.send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params})
        _, message = self.wait(lambda m: m.get("id") == ident and "method" not in m, timeout)
        return message.get("result")

    def wait(self, wanted: Callable[[dict[str, Any]], bool], timeout: float) -> tuple[float, dict[str, Any]]:
        """The first message ``wanted`` accepts, and when it arrived; requests from the server are
        answered with null on the way."""
        deadline = time.perf_counter() + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError("no answer from the language server")
            try:
                arrived, message = self.inbox.get(timeout=remaining)
            except queue.Empty:
                raise TimeoutError("no answer from the language server") from None
            if message is None:
                raise RuntimeError(f"the language server exited (see {self.stderr.name})")
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})
            if wanted(message):
                return arrived, message

    def peak_rss_mib(self) -> float | None:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return None

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.process.wait(timeout=10)
        except (TimeoutError, RuntimeError, OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        self.stderr.close()


@dataclass
class LspResult:
    name: str
    lines: int
    open_ms: float
    change_ms: list[float]
    diagnostics: int

    @property
    def median(self) -> float:
        return statistics.median(self.change_ms)

    @property
    def worst(self) -> float:
        return max(self.change_ms)


def diagnostics_for(uri: str, version: int | None) -> Callable[[dict[str, Any]], bool]:
    def wanted(message: dict[str, Any]) -> bool:
        if message.get("method") != "textDocument/publishDiagnostics":
            return False
        params = message["params"]
        return params["uri"] == uri and (version is None or params.get("version") == version)

    return wanted


def measure_document(client: LspClient, path: Path, edits: int) -> LspResult:
    """Open the document, wait for its diagnostics, then time ``edits`` full-text changes (each appends
    a different comment line, so that every version is new) to the diagnostics of their version."""
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    sent = client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 0, "text": text}},
    )
    arrived, message = client.wait(diagnostics_for(uri, None), timeout=120)
    open_ms = (arrived - sent) * 1000
    found = len(message["params"]["diagnostics"])
    times = []
    for version in range(1, edits + 1):
        changed = text + f"# edit {version}\n"
        sent = client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": changed}]},
        )
        arrived, _ = client.wait(diagnostics_for(uri, version), timeout=120)
        times.append((arrived - sent) * 1000)
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return LspResult(path.name, text.count("\n"), open_ms, times, found)


def measure_server(
    ours: Path, base: Path, env: dict[str, str], edits: int
) -> tuple[list[LspResult], float | None, str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    folder = base / "lsp"
    folder.mkdir()
    large = folder / Path(LARGE_DOCUMENT).name
    shutil.copy2(stdlib / LARGE_DOCUMENT, large)
    if (stdlib / TYPICAL_DOCUMENT).exists():
        typical = folder / Path(TYPICAL_DOCUMENT).name
        shutil.copy2(stdlib / TYPICAL_DOCUMENT, typical)
        typical_source = TYPICAL_DOCUMENT
    else:
        typical = folder / "pool_300.py"
        lines = (stdlib / TYPICAL_FALLBACK).read_text(encoding="utf-8").splitlines(keepends=True)
        typical.write_text("".join(lines[:300]), encoding="utf-8")
        typical_source = f"the first 300 lines of {TYPICAL_FALLBACK}"
    command = [str(venv_bin(ours, "mplint")), "server", "--debounce-ms", "0"]
    log(f"language server: {' '.join(command[-3:])}, {edits} edits per document")
    client = LspClient(command, folder, env, base / "server-stderr.txt")
    try:
        client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": folder.as_uri(),
                "workspaceFolders": [{"uri": folder.as_uri(), "name": "lsp"}],
                # Only push diagnostics: a client declaring textDocument.diagnostic pulls them instead.
                "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
            },
        )
        client.notify("initialized", {})
        results = [measure_document(client, path, edits) for path in (large, typical)]
        for result in results:
            log(
                f"  {result.name}: open {result.open_ms:.1f} ms, change median {result.median:.1f} ms, "
                f"max {result.worst:.1f} ms"
            )
        peak = client.peak_rss_mib()
    finally:
        client.close()
    return results, peak, typical_source


# -- growth with file size


def measure_growth(ours: Path, env: dict[str, str], runs: int) -> list[dict[str, Any]]:
    """``benchmarks/scaling.py`` run with the installed mplint; its rows, or none if it failed."""
    log("growth with file size: benchmarks/scaling.py")
    result = subprocess.run(
        [
            str(venv_bin(ours, "python")),
            str(REPO / "benchmarks" / "scaling.py"),
            "--json",
            "--runs",
            str(runs),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        log(f"  failed: {result.stderr.strip().splitlines()[-1:]}")
        return []
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


# -- the report


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


@dataclass
class Goal:
    name: str
    value: float | None
    text: str
    target: str
    met: bool | None


def diagnosed(corpus: Corpus, tool: str) -> str:
    count = corpus.with_diagnostics.get(tool)
    return "?" if count is None else str(count)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def report(
    args: argparse.Namespace,
    command: str,
    started: datetime.datetime,
    loads: tuple[tuple[float, ...], tuple[float, ...]],
    versions: dict[str, str],
    corpora: tuple[Corpus, Corpus],
    counted: dict[str, int],
    done: dict[tuple[str, str], Bench],
    lsp: list[LspResult],
    server_peak: float | None,
    typical_source: str,
    method: str,
    growth_rows: list[dict[str, Any]],
) -> tuple[str, list[Goal]]:
    a, b = corpora

    def cell(key: str, corpus: str) -> tuple[str, str]:
        bench = done.get((key, corpus))
        if bench is None:
            return "not run", ""
        if not bench.samples:
            return "failed (!)", ""
        mark = " (!)" if bench.problems else ""
        return seconds(bench.wall) + mark, f"{bench.rss_mib:.0f} MiB"

    names = [
        ("ruff", "`ruff check --no-cache` (default rules)"),
        ("ruff-all", "`ruff check --no-cache --select ALL -s`"),
        ("ruff-warm", "`ruff check` (warm cache)"),
        ("flake8", "`flake8`"),
        ("pylint", "`pylint` (default checks)"),
        ("fixit", "`fixit lint` (1 run)"),
        ("mplint", "`mplint check --no-cache`"),
        ("mplint-warm", "`mplint check` (warm cache)"),
    ]
    skipped = {
        ("pylint", "A"): "not run: too slow",
        ("fixit", "A"): "not run: takes hours",
    }
    rows = []
    for key, label in names:
        wall_a, rss_a = cell(key, "A")
        wall_b, rss_b = cell(key, "B")
        if (key, "A") in skipped:
            wall_a, rss_a = skipped[(key, "A")], ""
        rows.append([label, wall_a, rss_a, wall_b, rss_b])

    def wall(key: str, corpus: str) -> float | None:
        bench = done.get((key, corpus))
        return bench.wall if bench is not None and bench.samples else None

    def ratio(top: float | None, bottom: float | None) -> float | None:
        return top / bottom if top is not None and bottom else None

    goals = []

    def at_most(name: str, value: float | None, limit: float, unit: str, fmt: str) -> None:
        text = "n/a" if value is None else format(value, fmt) + unit
        goals.append(Goal(name, value, text, f"≤ {limit:g}{unit}", None if value is None else value <= limit))

    at_most(
        "mplint cold / ruff cold, corpus A", ratio(wall("mplint", "A"), wall("ruff", "A")), 1.0, "×", ".2f"
    )
    at_most(
        "mplint cold / ruff cold, corpus B", ratio(wall("mplint", "B"), wall("ruff", "B")), 2.0, "×", ".2f"
    )
    speedup = ratio(wall("fixit", "B"), wall("mplint", "B"))
    goals.append(
        Goal(
            "fixit / mplint cold, corpus B (mplint is N× faster)",
            speedup,
            "n/a" if speedup is None else f"{speedup:.0f}×",
            "≥ 50×",
            None if speedup is None else speedup >= 50,
        )
    )
    at_most(
        "mplint warm / ruff warm, corpus A",
        ratio(wall("mplint-warm", "A"), wall("ruff-warm", "A")),
        0.5,
        "×",
        ".2f",
    )
    mplint_rss = [
        done[(key, corpus)].rss_mib
        for key in ("mplint", "mplint-warm")
        for corpus in ("A", "B")
        if (key, corpus) in done and done[(key, corpus)].samples
    ]
    at_most("mplint check peak memory (largest process)", max(mplint_rss, default=None), 150, " MiB", ".0f")
    at_most("mplint server peak memory", server_peak, 150, " MiB", ".0f")
    if lsp:
        at_most(f"LSP didChange → diagnostics, {lsp[0].name} (median)", lsp[0].median, 150, " ms", ".1f")
        at_most(f"LSP didChange → diagnostics, {lsp[1].name} (median)", lsp[1].median, 30, " ms", ".1f")

    for kind in ("multiprocessing", "no multiprocessing"):
        largest = scaling.FACTORS[-1]
        at_most(
            f"growth: time for {largest}× the code / time for 1×, {kind}",
            scaling.growth(growth_rows, kind),
            largest * 1.25,
            "×",
            ".2f",
        )

    def status(goal: Goal) -> str:
        return "not measured" if goal.met is None else ("met" if goal.met else "**not met**")

    load_start, load_end = loads
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    out = [
        "# Benchmark results",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC with:",
        "",
        "```sh",
        command,
        "```",
        "",
    ]
    if args.note:
        out += [f"**Note:** {args.note}", ""]
    out += [
        f"- Machine: {cpu_model()}, {cores} cores ({usable} usable), "
        f"{platform.system()} {platform.release()}",
        "- Load average (1, 5, 15 min): "
        + f"{', '.join(f'{x:.2f}' for x in load_start)} at the start, "
        + f"{', '.join(f'{x:.2f}' for x in load_end)} at the end",
        f"- Python {platform.python_version()} ({sys.implementation.name}); "
        "the corpora are its standard library",
        "- Versions: " + ", ".join(f"{name} {version}" for name, version in versions.items()),
        f"- Corpus A: every `*.py` of the standard library outside `site-packages`: {a.files} files, "
        f"{a.lines:,} lines (ruff checks {counted.get('ruff-A', 0)} of them, mplint "
        f"{counted.get('mplint-A', 0)}: both leave out directories such as `venv`)",
        f"- Corpus B: the files of corpus A that mention `multiprocessing` or `concurrent.futures`: "
        f"{b.files} files, {b.lines:,} lines (ruff checks {counted.get('ruff-B', 0)}, "
        f"mplint {counted.get('mplint-B', 0)})",
        "",
        "## Command line",
        "",
        f"Median wall time and median peak memory of {args.runs} run{'s' if args.runs != 1 else ''}"
        " (fixit: 1 run). Time is wall-clock time; memory is the peak RSS of the largest process.",
        "",
    ]
    out += markdown_table(["Command", "A: time", "A: memory", "B: time", "B: memory"], rows)
    problems = [
        f"- `{bench.key}` on corpus {bench.corpus.name}: {problem}"
        for bench in done.values()
        for problem in sorted(set(bench.problems))
    ]
    if problems:
        out += ["", "(!) Runs that failed, left out of the medians and ratios:", "", *problems]
    out += ["", "## Language server", ""]
    if lsp:
        lsp_rows = [
            [
                f"`{result.name}`",
                str(result.lines),
                f"{result.open_ms:.1f} ms",
                f"{result.median:.1f} ms",
                f"{result.worst:.1f} ms",
                str(result.diagnostics),
            ]
            for result in lsp
        ]
        out += [
            f"`mplint server --debounce-ms 0` (so that the debounce delay is not counted), over stdio; "
            f"time from sending a `textDocument/didChange` (the full text, with one line added) to receiving "
            f"the `textDocument/publishDiagnostics` of that version, {len(lsp[0].change_ms)} changes per "
            f"document. The typical module is `{typical_source}`. Peak memory of the server "
            f"(VmHWM): {'n/a' if server_peak is None else f'{server_peak:.0f} MiB'}.",
            "",
        ]
        out += markdown_table(
            ["Document", "Lines", "Open → diagnostics", "Change: median", "Change: max", "Diagnostics"],
            lsp_rows,
        )
    else:
        out += ["Not measured."]
    out += ["", "## Growth with the size of a file", ""]
    if growth_rows:
        out += [
            f"`benchmarks/scaling.py`: the engine, in one process, on generated modules of 1×, 2×, 4× and "
            f"{scaling.FACTORS[-1]}× a base size (median of {args.runs} runs). Multiprocessing modules are "
            "made of distinct functions creating managers, proxies, processes, pools, executors and queues; "
            "the others are standard library files that never mention multiprocessing, which the prefilter "
            "reads and leaves. Linear growth makes the last column the size factor.",
            "",
            *scaling.markdown(growth_rows),
        ]
    else:
        out += ["Not measured."]
    out += ["", "## Goals", ""]
    out += markdown_table(
        ["Goal", "Measured", "Target", "Status"], [[g.name, g.text, g.target, status(g)] for g in goals]
    )
    out += [
        "",
        "## How it is measured",
        "",
        "- The peers (ruff, fixit, flake8, pylint, latest from PyPI) are installed into one throwaway "
        "venv and mplint, built from this checkout with `pip install`, into another: mplint registers a "
        "flake8 plugin, so in one venv flake8 would run mplint's rules too.",
        f"- Memory is the peak resident set size of the largest single process, from {method}: for tools "
        "that start worker processes (mplint, flake8, fixit) it is the largest process, not their sum.",
        "- ruff, flake8 and mplint run with `--isolated` (no configuration files); reports go to /dev/null "
        "(`-o /dev/null` for mplint). Warm runs use a cache directory in the temporary directory, filled by "
        f"one run that is not measured. pylint runs with `--recursive=y {TREE}` and its default checks, "
        "on corpus B only; fixit runs on corpus B only, once.",
        f"- Each tool runs in the corpus directory and is given the copied tree, `{TREE}/`: were the "
        "working directory the tree itself, the copied `multiprocessing` package would shadow the real "
        "one in the worker processes a tool spawns (fixit's crash that way).",
        "- Runs are interleaved (run 1 of every command, then run 2, ...), so that a spell of load is "
        "shared.",
        f"- Files with diagnostics (default rules): ruff {diagnosed(a, 'ruff')} of corpus A and "
        f"{diagnosed(b, 'ruff')} of corpus B, mplint {diagnosed(a, 'mplint')} and {diagnosed(b, 'mplint')}. "
        "Recent ruff versions do not cache the results of files with diagnostics, so ruff's warm runs "
        "lint those files again; mplint's cache stores diagnostics too.",
    ]
    return "\n".join(out) + "\n", goals


# -- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command; the median is reported")
    parser.add_argument("--quick", action="store_true", help="one run per command")
    parser.add_argument("--edits", type=int, default=20, help="didChange edits per document for the LSP")
    parser.add_argument("--note", default="", help="a remark written into the report")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the Markdown report")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
        args.edits = min(args.edits, 5)
    if args.runs < 1 or args.edits < 1:
        parser.error("--runs and --edits must be at least 1")
    command = " ".join(["python benchmarks/compare.py", *(shlex.quote(arg) for arg in sys.argv[1:])])
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = os.getloadavg()

    base = Path(tempfile.mkdtemp(prefix="mplint-bench-"))
    log(f"working in {base}")
    try:
        peers = base / "venv-peers"
        ours = base / "venv-mplint"
        make_venv(peers, PEERS)
        make_venv(ours, [str(copy_checkout(base / "mplint-src"))])
        versions = {name: package_version(peers, name) for name in PEERS}
        versions["mplint"] = package_version(ours, "mplint")

        a, b = build_corpora(base)
        log(f"corpus A: {a.files} files, corpus B: {b.files} files")
        env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}
        env.update(NO_COLOR="1", PYLINTHOME=str(base / "pylint-home"), XDG_CACHE_HOME=str(base / "cache"))
        counted = {}
        for corpus in (a, b):
            ruff_files = [str(venv_bin(peers, "ruff")), "check", "--isolated", "--show-files", TREE]
            mplint_files = [str(venv_bin(ours, "mplint")), "check", "--isolated", "--show-files", TREE]
            counted[f"ruff-{corpus.name}"] = count_files(ruff_files, corpus.root, env)
            counted[f"mplint-{corpus.name}"] = count_files(mplint_files, corpus.root, env)
            for tool, venv in (("ruff", peers), ("mplint", ours)):
                json_report = [str(venv_bin(venv, tool)), "check", "--no-cache", "--isolated"]
                json_report += ["--output-format", "json", TREE]
                corpus.with_diagnostics[tool] = files_with_diagnostics(json_report, corpus.root, env)

        runner = Runner(base, env)
        all_benches = benches(peers, ours, a, b, base, args.runs)
        run_benches(runner, all_benches)
        done = {(bench.key, bench.corpus.name): bench for bench in all_benches}

        lsp, server_peak, typical_source = measure_server(ours, base, env, args.edits)
        growth_rows = measure_growth(ours, env, args.runs)
        load_end = os.getloadavg()
        text, goals = report(
            args,
            command,
            started,
            (load_start, load_end),
            versions,
            (a, b),
            counted,
            done,
            lsp,
            server_peak,
            typical_source,
            runner.method,
            growth_rows,
        )
    finally:
        if args.keep:
            log(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)

    print(text)
    args.output.write_text(text, encoding="utf-8")
    log(f"wrote {args.output}")
    print("Where each goal stands:")
    for goal in goals:
        state = "not measured" if goal.met is None else ("met" if goal.met else "NOT MET")
        print(f"  {goal.name}: {goal.text} (target {goal.target}): {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
