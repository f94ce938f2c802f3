"""Run mplint over real multiprocessing code: the source distributions of packages built on it.

Downloads each package's source distribution with ``pip download --no-deps --no-binary :all:`` (its wheel
when there is no sdist) into a temporary directory, unpacks it, runs ``python -m mplint check --isolated
--no-cache --output-format json`` over it, and reports every crash (an ``error:`` line or a traceback:
there must be none) and every diagnostic, by package and rule. Exits 1 when anything crashed or could not
be downloaded.

Run: python benchmarks/realworld.py [--keep DIR] [--json FILE] [PACKAGE ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGES = (
    "multiprocess",
    "billiard",
    "loky",
    "joblib",
    "pebble",
    "fiber",
    "lithops",
    "pathos",
    "celery",
    "psutil",
    "parsl",
    "distributed",
)


@dataclass
class PackageRun:
    """What happened to one package: where it came from, what mplint said, what went wrong."""

    name: str
    archive: str = ""
    kind: str = ""  # sdist or wheel
    files: int = 0
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    problem: str = ""  # the package could not be downloaded or unpacked


def download(name: str, into: Path) -> tuple[Path, str]:
    """The package's sdist (or, failing that, its wheel) downloaded into ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    for kind, flags in (("sdist", ["--no-binary", ":all:"]), ("wheel", ["--only-binary", ":all:"])):
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(into), *flags, name],
            capture_output=True,
            text=True,
            check=False,
        )
        archives = sorted(into.iterdir())
        if result.returncode == 0 and archives:
            return archives[0], kind
    raise RuntimeError(f"pip download failed: {result.stderr.strip().splitlines()[-1:]}")


def unpack(archive: Path, into: Path) -> Path:
    """Extract an sdist or wheel (no member may leave ``into``)."""
    into.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as handle:
            for member in handle.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise RuntimeError(f"unsafe member {member} in {archive.name}")
            handle.extractall(into)
    else:
        with tarfile.open(archive) as handle:
            if hasattr(tarfile, "data_filter"):
                handle.extractall(into, filter="data")
            else:  # pragma: no cover - Python before 3.10.12
                for member in handle.getmembers():
                    if member.name.startswith("/") or ".." in Path(member.name).parts:
                        raise RuntimeError(f"unsafe member {member.name} in {archive.name}")
                handle.extractall(into)
    return into


def check(tree: Path) -> tuple[list[dict[str, Any]], list[str], int]:
    """mplint's diagnostics on ``tree``, the crashes it reported, and how many files it checked."""
    base = [sys.executable, "-m", "mplint", "check", "--isolated", "--no-cache"]
    files = subprocess.run(
        [*base, "--show-files", "."], cwd=tree, capture_output=True, text=True, check=False
    )
    result = subprocess.run(
        [*base, "--exit-zero", "--output-format", "json", "."],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    crashes = [
        line for line in result.stderr.splitlines() if line.startswith("error:") or "Traceback" in line
    ]
    if result.returncode not in (0, 1):
        crashes.append(f"exit status {result.returncode}")
    try:
        diagnostics = json.loads(result.stdout)
    except ValueError:
        crashes.append("the JSON report does not parse")
        diagnostics = []
    for item in diagnostics:
        item["filename"] = str(Path(item["filename"]).relative_to(tree.resolve()))
    return diagnostics, crashes, len(files.stdout.splitlines())


def run(name: str, work: Path) -> PackageRun:
    outcome = PackageRun(name)
    try:
        archive, outcome.kind = download(name, work / "archives" / name)
        outcome.archive = archive.name
        tree = unpack(archive, work / "trees" / name)
    except (RuntimeError, OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
        outcome.problem = str(exc)
        return outcome
    outcome.diagnostics, outcome.crashes, outcome.files = check(tree)
    return outcome


def report(runs: list[PackageRun]) -> str:
    lines = ["# mplint on real-world multiprocessing code", ""]
    lines.append("| package | archive | files | diagnostics | by rule | crashes |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for outcome in runs:
        counts = Counter(item["code"] for item in outcome.diagnostics)
        by_rule = ", ".join(f"{code} {count}" for code, count in sorted(counts.items())) or "-"
        archive = (
            f"{outcome.archive} ({outcome.kind})" if outcome.archive else f"not downloaded: {outcome.problem}"
        )
        lines.append(
            f"| {outcome.name} | {archive} | {outcome.files} | {len(outcome.diagnostics)} | {by_rule} | "
            f"{len(outcome.crashes)} |"
        )
    for outcome in runs:
        if not outcome.diagnostics and not outcome.crashes:
            continue
        lines += ["", f"## {outcome.name}", ""]
        lines += [f"- CRASH: {crash}" for crash in outcome.crashes]
        for item in sorted(
            outcome.diagnostics, key=lambda d: (d["filename"], d["location"]["row"], d["code"])
        ):
            row = item["location"]["row"]
            lines.append(f"- {item['filename']}:{row} {item['code']} {item['message']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=list(PACKAGES), metavar="PACKAGE")
    parser.add_argument("--keep", metavar="DIR", help="Download and unpack into DIR, and keep it.")
    parser.add_argument("--json", metavar="FILE", help="Also write every diagnostic as JSON to FILE.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mplint-realworld-") as temporary:
        work = Path(args.keep) if args.keep else Path(temporary)
        runs = []
        for name in args.packages:
            print(f"{name}...", file=sys.stderr, flush=True)
            runs.append(run(name, work))
    sys.stdout.write(report(runs))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {
                        "package": outcome.name,
                        "archive": outcome.archive,
                        "kind": outcome.kind,
                        "files": outcome.files,
                        "crashes": outcome.crashes,
                        "problem": outcome.problem,
                        "diagnostics": outcome.diagnostics,
                    }
                    for outcome in runs
                ],
                indent=2,
            )
            + "\n"
        )
    failed = [outcome.name for outcome in runs if outcome.crashes or outcome.problem]
    if failed:
        print(f"crashed or not downloaded: {', '.join(failed)}", file=sys.stderr)
        return 1
    total = sum(len(outcome.diagnostics) for outcome in runs)
    print(f"{len(runs)} packages, {total} diagnostics, no crash", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
