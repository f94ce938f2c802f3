"""Glob patterns as ``.gitignore`` writes them, matched against ``/``-separated relative paths.

A pattern without a slash (other than a trailing one) matches a name at any depth; one with a
slash at its start or in its middle is anchored to the directory it is relative to. A trailing
slash matches directories only, ``*`` and ``?`` never match ``/``, ``**`` as a whole path segment
matches any number of directories, ``[...]`` is a character class and ``\\`` escapes. A leading
``!`` negates the pattern; configuration globs may also use ``{a,b}`` alternatives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class GlobError(ValueError):
    """A pattern that cannot be compiled."""


@dataclass(frozen=True)
class Glob:
    """One compiled pattern."""

    text: str
    """The pattern as written, ``!`` included."""
    regex: re.Pattern[str]
    negated: bool
    directory_only: bool
    name_regex: re.Pattern[str] | None = None
    """For a pattern that matches a name at any depth and can never match a ``/``: the regex of that
    name alone, which a path matches exactly when its last component does."""

    def matches(self, relative: str, is_dir: bool) -> bool:
        """Whether the ``/``-separated ``relative`` path matches, ignoring negation."""
        if self.directory_only and not is_dir:
            return False
        return self.regex.fullmatch(relative) is not None

    def matches_name(self, name: str, is_dir: bool) -> bool:
        """``matches`` for a ``name_regex`` pattern, given only the path's last component."""
        if self.directory_only and not is_dir:
            return False
        assert self.name_regex is not None
        return self.name_regex.fullmatch(name) is not None


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
    translated = _translate(body, text, braces)
    name_only = not anchored and "[" not in body  # ``*`` and ``?`` never match ``/``; a class might
    if not anchored:
        translated = "(?:.*/)?" + translated
    try:
        regex = re.compile(translated, re.DOTALL)
        name_regex = re.compile(translated.removeprefix("(?:.*/)?"), re.DOTALL) if name_only else None
    except re.error as exc:
        raise GlobError(f"invalid glob {text!r}: {exc}") from None
    return Glob(text, regex, negated, directory_only, name_regex)


def _translate(body: str, text: str, braces: bool) -> str:
    out: list[str] = []
    depth = 0
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
                    out.append(".*")
                else:
                    out.append("(?:.*/)?")
                    end += 1  # the slash is part of the match
            else:
                out.append("[^/]*")
            index = end
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[":
            pattern, index = _character_class(body, index, text)
            out.append(pattern)
        elif char == "\\":
            if index + 1 == length:
                raise GlobError(f"invalid glob {text!r}: dangling '\\'")
            out.append(re.escape(body[index + 1]))
            index += 2
        elif braces and char == "{":
            depth += 1
            out.append("(?:")
            index += 1
        elif braces and char == "," and depth:
            out.append("|")
            index += 1
        elif braces and char == "}" and depth:
            depth -= 1
            out.append(")")
            index += 1
        else:
            out.append(re.escape(char))
            index += 1
    if depth:
        raise GlobError(f"invalid glob {text!r}: unclosed '{{'")
    return "".join(out)


def _character_class(body: str, start: int, text: str) -> tuple[str, int]:
    """The regex for the class opening at ``start``, and the index after its ``]``."""
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
            return (f"[^/{inside}]" if negated else f"[{inside}]"), index + 1
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
