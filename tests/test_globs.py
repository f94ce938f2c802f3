"""Glob matching runs in time linear in the path and agrees with the regex translation it replaced."""

from __future__ import annotations

import pickle

from glob_reference import reference_regex
from hypothesis import given, settings
from hypothesis import strategies as st

from mplint.workspace.globs import GlobError, compile_glob

# Small alphabets, so that random patterns and paths meet often.
PATTERN_PIECES = st.sampled_from(
    ["a", "b", "/", "*", "**", "?", "[ab]", "[!a]", "[a-b]", "\\*", "{", "}", ",", "!", ".", "-"]
)
PATHS = st.text(alphabet="ab/.-*", max_size=10)


@settings(max_examples=1500, deadline=None)
@given(pieces=st.lists(PATTERN_PIECES, min_size=1, max_size=8), path=PATHS, braces=st.booleans())
def test_the_automaton_agrees_with_the_regex_translation(pieces: list[str], path: str, braces: bool) -> None:
    text = "".join(pieces)
    try:
        expected = reference_regex(text, braces=braces)
    except GlobError:
        try:
            compile_glob(text, braces=braces)
        except GlobError:
            return
        raise AssertionError(f"{text!r} compiled, but the reference rejects it") from None
    glob = compile_glob(text, braces=braces)
    assert glob.automaton.run(path)[0] is (expected.fullmatch(path) is not None), (text, path)
    for is_dir in (False, True):
        wanted = (is_dir or not glob.directory_only) and expected.fullmatch(path) is not None
        assert glob.matches(path, is_dir) is wanted, (text, path, is_dir)
        if glob.name_automaton is not None and "/" not in path:
            assert glob.matches_name(path, is_dir) is wanted


def test_many_stars_take_steps_linear_in_the_path() -> None:
    """The pattern a repository's configuration could use to hang a check: the regex translation takes
    seconds on it, doubling with each ``*a`` (benchmarks/globs.py times it)."""
    for stars in (4, 8, 12, 16):
        glob = compile_glob("*a" * stars + "*b")
        for length in (10, 30, 100):
            path = "a" * length + ".py"
            matched, steps = glob.automaton.run(path)
            assert not matched
            assert steps <= 3 * (len(path) + 1) * glob.automaton.size, (stars, length, steps)


def test_a_glob_survives_pickling_and_compares_by_its_text() -> None:
    glob = compile_glob("src/**/{a,b}*.py", braces=True)
    assert glob.matches("src/x/a1.py", False)
    copy = pickle.loads(pickle.dumps(glob))
    assert copy == glob == compile_glob("src/**/{a,b}*.py", braces=True)
    assert copy.matches("src/x/a1.py", False) and not copy.matches("src/x/c.py", False)
    assert compile_glob("{a,b}") != compile_glob("{a,b}", braces=True)
