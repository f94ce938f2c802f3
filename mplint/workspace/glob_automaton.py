"""Matching a compiled glob in time linear in the path: a Thompson automaton, run over all its states
at once (never by backtracking), with the sets of states it reaches remembered as they are met.

A glob is a sequence of parts: one character that passes a test, any number of such characters (``*``),
or a choice between sequences (``{a,b}``, the optional ``dir/`` prefixes of ``**/``). Matching a path of
``n`` characters against an automaton of ``m`` states takes at most ``(n + 1) * m`` steps, whatever the
pattern: ``*a*a*a*b`` cannot make it explore the ways a path splits between the stars. A pattern with
no choice and at most one ``*`` (most of them) is matched by a regex instead, as fast and as safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CharTest:
    """A test of one character: equal to ``char``, or (with ``char`` None) matched by ``pattern``, or
    (with neither) not ``excluded`` (None: any character)."""

    char: str | None = None
    pattern: re.Pattern[str] | None = None
    excluded: str | None = None

    def __call__(self, candidate: str) -> bool:
        if self.char is not None:
            return candidate == self.char
        if self.pattern is not None:
            return self.pattern.fullmatch(candidate) is not None
        return candidate != self.excluded

    def regex(self) -> str:
        if self.char is not None:
            return re.escape(self.char)
        if self.pattern is not None:
            return self.pattern.pattern
        return "." if self.excluded is None else f"[^{re.escape(self.excluded)}]"


@dataclass(frozen=True)
class One:
    """One character passing ``test``."""

    test: CharTest


@dataclass(frozen=True)
class Many:
    """Any number of characters, each passing ``test``."""

    test: CharTest


@dataclass(frozen=True)
class Choice:
    """Any one of ``options``, each a sequence of parts."""

    options: tuple[tuple[Part, ...], ...]


Part = One | Many | Choice

# The most distinct state sets an automaton remembers; past it, it forgets them and starts again.
_REMEMBERED_STATE_SETS = 4096


class GlobAutomaton:
    """The automaton of a sequence of parts, matching whole strings."""

    def __init__(self, parts: tuple[Part, ...]) -> None:
        # State i tests a character (``tests[i]``, going on to ``following[i]``) or, with no test,
        # moves without reading to each of ``following[i]``. The accepting state is ``accept``.
        self.tests: list[CharTest | None] = []
        self.following: list[tuple[int, ...]] = []
        self.accept = self._state(None, ())
        self.start = self._sequence(parts, self.accept)
        self.regex = _linear_regex(parts)
        self._initial: frozenset[int] | None = None
        self._moves: dict[tuple[frozenset[int], str], frozenset[int]] = {}

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_initial": None, "_moves": {}}

    @property
    def size(self) -> int:
        return len(self.tests)

    def _state(self, test: CharTest | None, following: tuple[int, ...]) -> int:
        self.tests.append(test)
        self.following.append(following)
        return len(self.tests) - 1

    def _sequence(self, parts: tuple[Part, ...], then: int) -> int:
        for part in reversed(parts):
            then = self._part(part, then)
        return then

    def _part(self, part: Part, then: int) -> int:
        if isinstance(part, One):
            return self._state(part.test, (then,))
        if isinstance(part, Many):
            loop = self._state(None, ())
            body = self._state(part.test, (loop,))
            self.following[loop] = (body, then)
            return loop
        return self._state(None, tuple(self._sequence(option, then) for option in part.options))

    def _closure(self, states: list[int]) -> tuple[frozenset[int], int]:
        """The states reachable from ``states`` without reading, and the steps it took."""
        seen: set[int] = set()
        pending = list(states)
        steps = 0
        while pending:
            state = pending.pop()
            steps += 1
            if state in seen:
                continue
            seen.add(state)
            if self.tests[state] is None:
                pending.extend(self.following[state])
        return frozenset(
            state for state in seen if self.tests[state] is not None or state == self.accept
        ), steps

    def run(self, text: str) -> tuple[bool, int]:
        """Whether ``text`` matches as a whole, and the steps it took (at most ``(len + 1) * size``
        visits of a state, each remembered move counting as one)."""
        if self._initial is None:
            self._initial, steps = self._closure([self.start])
        else:
            steps = 1
        current = self._initial
        for char in text:
            if not current:
                break
            key = (current, char)
            moved = self._moves.get(key)
            if moved is None:
                reached = [
                    self.following[state][0]
                    for state in current
                    if (test := self.tests[state]) is not None and test(char)
                ]
                moved, taken = self._closure(reached)
                steps += taken + len(current)
                if len(self._moves) >= _REMEMBERED_STATE_SETS:
                    self._moves.clear()
                self._moves[key] = moved
            else:
                steps += 1
            current = moved
        return self.accept in current, steps

    def fullmatch(self, text: str) -> bool:
        """Whether ``text`` matches as a whole: by the regex where one backtracks in linear time."""
        if self.regex is not None:
            return self.regex.fullmatch(text) is not None
        return self.run(text)[0]


def _linear_regex(parts: tuple[Part, ...]) -> re.Pattern[str] | None:
    """The regex of ``parts`` when backtracking cannot blow it up: no choice and at most one ``Many``
    (its split points times the length of the rest is linear in the text); otherwise None. Most
    patterns (``*.py``, ``build``, ``tests/*``) are of this kind, and a regex runs them in C."""
    if sum(isinstance(part, Many) for part in parts) > 1:
        return None
    pieces: list[str] = []
    for part in parts:
        if isinstance(part, Choice):
            return None
        pieces.append(part.test.regex() + ("*" if isinstance(part, Many) else ""))
    return re.compile("".join(pieces), re.DOTALL)
