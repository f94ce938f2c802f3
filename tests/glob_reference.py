"""The glob matcher as it was before it ran an automaton: a translation to a backtracking regex, kept
as the reference the automaton must agree with (it takes exponential time on ``*a*a*a...b``)."""

from __future__ import annotations

import re

from mplint.workspace.globs import GlobError


def reference_regex(text: str, *, braces: bool = False) -> re.Pattern[str]:
    """The regex the pattern was translated to before matching ran an automaton."""
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
    if not anchored:
        translated = "(?:.*/)?" + translated
    try:
        return re.compile(translated, re.DOTALL)
    except re.error as exc:
        raise GlobError(f"invalid glob {text!r}: {exc}") from None


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
