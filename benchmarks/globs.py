"""Exclusion globs against hostile patterns: ``*a*a...*a*b`` (which a repository's configuration can set)
against a name of ``a``s, matched by mplint's automaton and by the backtracking regex translation it
replaced (tests/glob_reference.py); and the common patterns, whose cost per path matters for discovery.

    python benchmarks/globs.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from glob_reference import reference_regex  # noqa: E402

from mplint.workspace.globs import compile_glob  # noqa: E402

NAME = "a" * 30 + ".py"


def timed(match: object, text: str, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        match(text)  # type: ignore[operator]
    return (time.perf_counter() - start) / repeat


def main() -> None:
    print(f"hostile patterns against {NAME!r} (seconds per match)")
    print(f"{'stars':>5} {'automaton':>10} {'steps':>6} {'regex':>9}")
    for stars in (8, 10, 12, 14, 16, 20, 40):
        pattern = "*a" * stars + "*b"
        glob = compile_glob(pattern)
        automaton = timed(lambda text, fresh=pattern: compile_glob(fresh).matches(text, False), NAME, 20)
        _, steps = glob.automaton.run(NAME)
        regex = timed(reference_regex(pattern).fullmatch, NAME, 1) if stars <= 12 else float("nan")
        print(f"{stars:>5} {automaton:>10.6f} {steps:>6} {regex:>9.3f}")
    print("common patterns, per path (microseconds), the automaton warm")
    paths = [f"src/pkg{index}/module_{index}.py" for index in range(200)]
    for pattern in ("*.py", "build", "src/**/test_*.py", "{docs,tests}/*", "[!_]*.py"):
        glob = compile_glob(pattern, braces=True)
        regex = reference_regex(pattern, braces=True)
        start = time.perf_counter()
        for _ in range(20):
            for path in paths:
                glob.matches(path, False)
        ours = (time.perf_counter() - start) / (20 * len(paths)) * 1e6
        start = time.perf_counter()
        for _ in range(20):
            for path in paths:
                regex.fullmatch(path)
        theirs = (time.perf_counter() - start) / (20 * len(paths)) * 1e6
        print(f"{pattern:>18} automaton {ours:6.2f}  regex {theirs:6.2f}")


if __name__ == "__main__":
    main()
