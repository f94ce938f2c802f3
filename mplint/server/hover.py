"""Hover: a rule's documentation for a code in a ``# noqa`` comment, or for the diagnostics under the
cursor."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types

from mplint.diagnostics import Diagnostic, Location
from mplint.ruledoc import rule_markdown
from mplint.rules import lookup
from mplint.rules.base import Rule
from mplint.server.documents import Document
from mplint.server.positions import to_location, to_lsp_position, to_lsp_range
from mplint.source import SourceText
from mplint.suppressions import parse_suppressions

_CODES_START = re.compile(r"noqa\s*:\s*", re.IGNORECASE)
_CODE = re.compile(r"[\w-]+")


@dataclass(frozen=True)
class NoqaCode:
    """A rule named in a suppression comment, and the 0-based character columns of its name."""

    rule: type[Rule]
    row: int
    start: int
    end: int


def noqa_code_at(source: SourceText, location: Location) -> NoqaCode | None:
    """The rule whose code or name is at ``location`` inside a ``# noqa: ...`` comment."""
    suppressions = parse_suppressions(source.text)
    directives = [suppressions.lines.get(location.row)]
    directives += [directive for directive in suppressions.files if directive.row == location.row]
    line = source.line(location.row)
    column = location.column - 1
    for directive in directives:
        if directive is None or not directive.start <= column <= directive.end:
            continue
        comment = line[directive.start : directive.end]
        codes_start = _CODES_START.search(comment)
        if codes_start is None:
            continue
        for match in _CODE.finditer(comment, codes_start.end()):
            start, end = directive.start + match.start(), directive.start + match.end()
            rule = lookup(match.group())
            if start <= column <= end and rule is not None:
                return NoqaCode(rule, location.row, start, end)
    return None


def _contents(rules: Sequence[type[Rule]], markdown: bool) -> types.MarkupContent:
    text = "\n---\n\n".join(rule_markdown(rule) for rule in rules)
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.MarkupContent(kind=kind, value=text)


def hover(
    document: Document,
    diagnostics: Sequence[Diagnostic],
    position: types.Position,
    encoding: str,
    markdown: bool = True,
) -> types.Hover | None:
    """The documentation of the rule named under the cursor in a suppression comment, else of every
    rule with a diagnostic under the cursor; None when there is neither."""
    source = document.source
    location = to_location(source, position, encoding)
    named = noqa_code_at(source, location)
    if named is not None:
        return types.Hover(
            contents=_contents([named.rule], markdown),
            range=types.Range(
                start=to_lsp_position(source, Location(named.row, named.start + 1), encoding),
                end=to_lsp_position(source, Location(named.row, named.end + 1), encoding),
            ),
        )
    under = [
        diagnostic for diagnostic in diagnostics if diagnostic.location <= location <= diagnostic.end_location
    ]
    rules: list[type[Rule]] = []
    for diagnostic in under:
        rule = lookup(diagnostic.code)
        if rule is not None and rule not in rules:
            rules.append(rule)
    if not rules:
        return None
    first = under[0]
    return types.Hover(
        contents=_contents(rules, markdown),
        range=to_lsp_range(source, first.location, first.end_location, encoding),
    )
