"""Glob patterns as ``.gitignore`` writes them, matched against ``/``-separated relative paths.

A pattern without a slash (other than a trailing one) matches a name at any depth; one with a
slash at its start or in its middle is anchored to the directory it is relative to. A trailing
slash matches directories only, ``*`` and ``?`` never match ``/``, ``**`` as a whole path segment
matches any number of directories, ``[...]`` is a character class and ``\\`` escapes. A leading
``!`` negates the pattern; configuration globs may also use ``{a,b}`` alternatives.

Patterns come from the checked repository's own configuration and ``.gitignore`` files, so matching must
not depend on how hostile the pattern is: it runs an automaton (``mplint.workspace.glob_automaton``) in time
linear in the path, never a backtracking regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mplint.workspace.glob_automaton import CharTest, Choice, GlobAutomaton, Many, One, Part


class GlobError(ValueError):
    """A pattern that cannot be compiled."""


ANY_CHAR = CharTest()
NOT_SLASH = CharTest(excluded="/")
SLASH = CharTest(char="/")
ANY_DIRECTORIES = Choice(((), (Many(ANY_CHAR), One(SLASH))))
"""Zero or more whole directories: ``**/`` and the implicit prefix of an unanchored pattern."""


@dataclass(frozen=True)
class Glob:
    """One compiled pattern."""

    text: str
    """The pattern as written, ``!`` included."""
    braces: bool
    """Whether ``{a,b}`` was read as alternatives."""
    negated: bool
    directory_only: bool
    automaton: GlobAutomaton = field(compare=False, repr=False)
    """Matches a whole ``/``-separated relative path."""
    name_automaton: GlobAutomaton | None = field(default=None, compare=False, repr=False)
    """For a pattern that matches a name at any depth and can never match a ``/``: the automaton of
    that name alone, which a path matches exactly when its last component does."""

    def matches(self, relative: str, is_dir: bool) -> bool:
        """Whether the ``/``-separated ``relative`` path matches, ignoring negation."""
        if self.directory_only and not is_dir:
            return False
        if self.name_automaton is not None:
            return self.name_automaton.fullmatch(relative.rpartition("/")[2])
        return self.automaton.fullmatch(relative)

    def matches_name(self, name: str, is_dir: bool) -> bool:
        """``matches`` for a ``name_automaton`` pattern, given only the path's last component."""
        if self.directory_only and not is_dir:
            return False
        assert self.name_automaton is not None
        return self.name_automaton.fullmatch(name)


def compile_glob(text: str, *, braces: bool = False) -> Glob:
    """Compile ``text``; raises GlobError for an empty or malformed pattern."""
    body = text
    negated = body.startswith("!")
    if negated:
        body = body[1:]
    directory_only = body.endswith("/") and not body.endswith("\\/")
    if directory_only:
        body = body[:-1]
    anchored = "/" in body
    body = body.removeprefix("/")
    if not body:
        raise GlobError(f"invalid glob {text!r}: empty pattern")
    parts = _translate(body, text, braces)
    name_only = not anchored and "[" not in body  # ``*`` and ``?`` never match ``/``; a class might
    automaton = GlobAutomaton(parts if anchored else (ANY_DIRECTORIES, *parts))
    name_automaton = GlobAutomaton(parts) if name_only else None
    return Glob(text, braces, negated, directory_only, automaton, name_automaton)


def _translate(body: str, text: str, braces: bool) -> tuple[Part, ...]:
    # One sequence per open ``{``: the options finished so far and the parts of the current one.
    groups: list[tuple[list[tuple[Part, ...]], list[Part]]] = []
    out: list[Part] = []
    index = 0
    length = len(body)
    while index < length:
        char = body[index]
        if char == "*":
            end = index
            while end < length and body[end] == "*":
                end += 1
            whole_segment = (index == 0 or body[index - 1] == "/") and (end == length or body[end] == "/")
            if end - index == 2 and whole_segment:
                if end == length:
                    out.append(Many(ANY_CHAR))
                else:
                    out.append(ANY_DIRECTORIES)
                    end += 1  # the slash is part of the match
            else:
                out.append(Many(NOT_SLASH))
            index = end
        elif char == "?":
            out.append(One(NOT_SLASH))
            index += 1
        elif char == "[":
            test, index = _character_class(body, index, text)
            out.append(One(test))
        elif char == "\\":
            if index + 1 == length:
                raise GlobError(f"invalid glob {text!r}: dangling '\\'")
            out.append(One(CharTest(char=body[index + 1])))
            index += 2
        elif braces and char == "{":
            groups.append(([], out))
            out = []
            index += 1
        elif braces and char == "," and groups:
            groups[-1][0].append(tuple(out))
            out = []
            index += 1
        elif braces and char == "}" and groups:
            options, outer = groups.pop()
            outer.append(Choice((*options, tuple(out))))
            out = outer
            index += 1
        else:
            out.append(One(CharTest(char=char)))
            index += 1
    if groups:
        raise GlobError(f"invalid glob {text!r}: unclosed '{{'")
    return tuple(out)


def _character_class(body: str, start: int, text: str) -> tuple[CharTest, int]:
    """The test of the class opening at ``start``, and the index after its ``]``."""
    index = start + 1
    negated = index < len(body) and body[index] in "!^"
    if negated:
        index += 1
    members: list[str] = []
    first = True
    while index < len(body):
        char = body[index]
        if char == "]" and not first:
            inside = "".join(members)
            try:
                pattern = re.compile(f"[^/{inside}]" if negated else f"[{inside}]", re.DOTALL)
            except re.error as exc:
                raise GlobError(f"invalid glob {text!r}: {exc}") from None
            return CharTest(pattern=pattern), index + 1
        if char == "\\" and index + 1 < len(body):
            members.append(re.escape(body[index + 1]))
            index += 2
        else:
            members.append(char if char == "-" else re.escape(char))
            index += 1
        first = False
    raise GlobError(f"invalid glob {text!r}: unclosed '['")


def last_match(globs: list[Glob] | tuple[Glob, ...], relative: str, is_dir: bool) -> Glob | None:
    """The last glob matching the path, as gitignore rules decide (a negated one re-includes)."""
    for glob in reversed(globs):
        if glob.matches(relative, is_dir):
            return glob
    return None
