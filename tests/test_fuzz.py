"""Fuzzing: programs generated from Python's grammar (hypothesmith), generated multiprocessing programs and
fixtures with tokens or lines deleted, duplicated or swapped. Checking and fixing them never raises; a
source that parses gets diagnostics (or none) and no MPL000, one that does not gets exactly its MPL000; a
fixed source parses whenever the original did.

The normal suite runs a few hundred derandomized (so deterministic) examples. For a long run, set
``MPLINT_FUZZ_EXAMPLES``:

    MPLINT_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py

Each property then runs that many examples, in batches of ``BATCH`` seeded 0, 1, 2... (or from
``MPLINT_FUZZ_SEED`` on): Hypothesis slows down as one run grows, batches do not.
"""

from __future__ import annotations

import io
import json
import os
import random
import tokenize
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hypothesmith
import pytest
from cli_support import run_cli
from guard_fix_support import assert_fix_keeps_behaviour
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from program_strategies import GuardProgram, guard_programs, programs

from mplint.engine import check_text
from mplint.fix_application import parses
from mplint.fixer import fix_text
from mplint.workspace.selection import default_settings

FIXTURES = Path(__file__).parent.parent / "fixtures"
FIXTURE_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.rglob("*.py"))]
SETTINGS = default_settings()
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it makes
LONG = int(os.environ.get("MPLINT_FUZZ_EXAMPLES", "0"))
SEED = os.environ.get("MPLINT_FUZZ_SEED")


BATCH = 500


def fuzz(check: Callable[..., None], normal: int, **strategies: st.SearchStrategy[Any]) -> None:
    """Run ``check`` on examples drawn from ``strategies``: ``normal`` derandomized ones, or in a long run
    MPLINT_FUZZ_EXAMPLES of them in seeded batches."""
    common = {"deadline": None, "suppress_health_check": list(HealthCheck), "print_blob": True}
    if not LONG:
        settings(max_examples=normal, derandomize=True, **common)(given(**strategies)(check))()
        return
    first = int(SEED or 0)
    for batch in range((LONG + BATCH - 1) // BATCH):
        size = min(BATCH, LONG - batch * BATCH)
        test = settings(max_examples=size, database=None, **common)(given(**strategies)(check))
        seed(first + batch)(test)()


def assert_handled(text: str, unsafe: bool = True) -> None:
    """Check and fix ``text`` (fully analysed, whatever the prefilter would say) and check the outcome."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        valid = parses(text)
    found = check_text(text, "fuzzed.py", SETTINGS, prefilter=False)
    syntax_errors = [d for d in found if d.code == "MPL000"]
    if valid:
        assert not syntax_errors, syntax_errors
    else:
        assert [d.code for d in found] == ["MPL000"], found
    result = fix_text(text, "fuzzed.py", SETTINGS, unsafe)
    if valid:
        assert parses(result.text)
    else:
        assert result.text == text
    for diagnostic in found:
        assert diagnostic.location.row >= 1 and diagnostic.location.column >= 1


# -- generated from the grammar --------------------------------------------------------------------


def test_grammar_programs() -> None:
    def check(source: str) -> None:
        assert_handled("import multiprocessing\n" + source)

    fuzz(check, 150, source=hypothesmith.from_grammar())


WRAPPER = """from multiprocessing import Manager, Pool, Process


def work(shared, key=0):
{body}

if __name__ == "__main__":
    with Manager() as manager:
        shared = manager.list([{{"id": 1}}])
        p = Process(target=work, args=(shared,))
        p.start()
        p.join()
        with Pool(2) as pool:
            pool.map(work, [shared])
{body}
"""


def test_grammar_programs_run_by_processes() -> None:
    """A generated program as the body of a Process target and inside a Manager block, where the rules
    follow proxies and processes (indenting it may break it: that is a case too)."""

    def check(source: str) -> None:
        body = "".join("        " + line for line in source.splitlines(keepends=True)) or "        pass"
        assert_handled(WRAPPER.format(body=body + "\n        shared[key].append(1)"))

    fuzz(check, 100, source=hypothesmith.from_grammar())


# -- generated multiprocessing programs, mutated ---------------------------------------------------


def tokens_of(text: str) -> list[tuple[int, int]]:
    """The character spans of the tokens of ``text`` (up to the first tokenizer error)."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans: list[tuple[int, int]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT) or token.start == token.end:
                continue
            (row, column), (end_row, end_column) = token.start, token.end
            spans.append((starts[row - 1] + column, starts[end_row - 1] + end_column))
    except (tokenize.TokenError, SyntaxError, IndexError):
        pass
    return spans


def mutate(text: str, operations: list[tuple[str, int, int]]) -> str:
    """Delete, duplicate or swap tokens (or whole lines, which more often leaves a program that parses) of
    ``text``: each operation names two token or line indices, taken modulo their number."""
    for operation, first, second in operations:
        if operation.endswith("line"):
            lines = text.splitlines(keepends=True)
            if not lines:
                break
            i, j = first % len(lines), second % len(lines)
            if operation == "delete line":
                del lines[i]
            elif operation == "duplicate line":
                lines.insert(i, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
            continue
        spans = tokens_of(text)
        if not spans:
            break
        a, b = spans[first % len(spans)], spans[second % len(spans)]
        if operation == "delete":
            text = text[: a[0]] + text[a[1] :]
        elif operation == "duplicate":
            text = text[: a[1]] + " " + text[a[0] : a[1]] + text[a[1] :]
        else:
            (a, b) = sorted((a, b))
            if a[1] <= b[0]:
                text = text[: a[0]] + text[b[0] : b[1]] + text[a[1] : b[0]] + text[a[0] : a[1]] + text[b[1] :]
    return text


MUTATIONS = ["delete", "duplicate", "swap", "delete line", "duplicate line", "swap line"]
OPERATIONS = st.lists(
    st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 10_000), st.integers(0, 10_000)),
    min_size=1,
    max_size=4,
)


def test_main_guard_fix_keeps_generated_programs_working(tmp_path_factory: pytest.TempPathFactory) -> None:
    """MPL002's fix, run: generated programs behave under spawn and forkserver after the fix as under fork
    before it, or get no applicable fix. A handful of examples: each is three real runs."""

    def check(program: GuardProgram) -> None:
        assert_fix_keeps_behaviour(tmp_path_factory.mktemp("guard"), program)

    fuzz(check, 4, program=guard_programs())


def test_mutated_fixtures() -> None:
    def check(index: int, operations: list[tuple[str, int, int]]) -> None:
        assert_handled(mutate(FIXTURE_TEXTS[index], operations))

    fuzz(check, 300, index=st.integers(0, len(FIXTURE_TEXTS) - 1), operations=OPERATIONS)


def test_mutated_generated_programs() -> None:
    def check(program: str, operations: list[tuple[str, int, int]]) -> None:
        assert_handled(mutate(program, operations))

    fuzz(check, 100, program=programs(), operations=OPERATIONS)


def test_mutations_make_broken_and_working_programs() -> None:
    """The mutations are not all harmless nor all fatal: both kinds of outcome are exercised."""
    chance = random.Random(7)
    outcomes = set()
    for text in FIXTURE_TEXTS[:40]:
        operations = [(chance.choice(MUTATIONS), chance.randrange(500), chance.randrange(500))]
        outcomes.add(parses(mutate(text, operations)))
    assert outcomes == {True, False}


def test_the_command_line_on_mutated_files(tmp_path: Path) -> None:
    """A directory of mutated fixtures through ``mplint check --fix --unsafe-fixes``: no error, no
    traceback; every file that does not parse is reported as MPL000, and every fixed file parses."""
    chance = random.Random(20240601)
    for number in range(40):
        text = chance.choice(FIXTURE_TEXTS)
        operations = [
            (
                chance.choice(MUTATIONS),
                chance.randrange(10_000),
                chance.randrange(10_000),
            )
            for _ in range(chance.randint(1, 3))
        ]
        (tmp_path / f"m{number:02}.py").write_text("import multiprocessing\n" + mutate(text, operations))
    broken = {path.name for path in tmp_path.iterdir() if not parses(path.read_text())}
    assert broken and len(broken) < 40
    result = run_cli(
        "check",
        "--isolated",
        "--no-cache",
        "--fix",
        "--unsafe-fixes",
        "--output-format",
        "json",
        ".",
        cwd=tmp_path,
    )
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
    reported = {Path(item["filename"]).name for item in json.loads(result.stdout) if item["code"] == "MPL000"}
    assert reported == broken
    for path in tmp_path.iterdir():
        assert path.name in broken or parses(path.read_text())


@pytest.mark.parametrize(
    "source",
    [
        "import multiprocessing\nx = " + "-" * 20_000 + "x\n",  # the parser's stack overflows
        "import multiprocessing\nx = f" + "()" * 900 + "\n",  # analysis deeper than the recursion limit
    ],
    ids=["parser stack overflow", "deep call chain"],
)
def test_regressions(source: str) -> None:
    assert_handled(source)
