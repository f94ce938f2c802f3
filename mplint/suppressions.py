"""Suppression comments: ``# noqa``, ``# noqa: MPL001``, file-level ``# mplint: noqa[: CODES]``.

Codes may be given by code or by rule name, separated by commas or spaces, in any case. Codes of other
tools (``E501``) are left alone; an ``MPL`` code that names no rule is unknown, and an mplint code that
suppresses nothing is unused: both are reported as MPL100 with a fix that removes them.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Collection
from dataclasses import dataclass, field

from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from mplint.source import SourceText, count_line_breaks, line_bounds, python_tokens

# A code (E501, MPL001) or a rule name (proxy-nested-mutation); the words after the codes are a reason.
_CODE_TOKEN = r"(?:[a-z]+[0-9]+|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w-])"
_LINE_NOQA = re.compile(
    rf"#\s*noqa(?:\s*:\s*(?P<codes>{_CODE_TOKEN}(?:[\s,]+{_CODE_TOKEN})*)|(?!\s*:))", re.IGNORECASE
)
_FILE_NOQA = re.compile(
    r"#\s*mplint\s*:\s*noqa(?::\s*(?P<codes>[\w-]+(?:[\s,]+[\w-]+)*))?\s*$", re.IGNORECASE
)
_MPL_CODE = re.compile(r"MPL\d+", re.IGNORECASE)
# A noqa directive naming a code that could be mplint's: an MPL code or a hyphenated rule name.
_MAY_NAME_OURS = re.compile(
    rf"#\s*noqa\s*:\s*(?:{_CODE_TOKEN}[\s,]+)*(?:MPL\d|[a-z][a-z0-9]*-)", re.IGNORECASE
)
UNUSED_CODE = "MPL100"
UNUSED_NAME = "unused-noqa"


@dataclass
class Directive:
    """One suppression comment: where it is and what it names (None: everything)."""

    row: int
    start: int  # 0-based character column of the "#"
    end: int  # end of the directive within the comment
    codes: list[str] | None
    file_level: bool = False
    used: set[str] = field(default_factory=set)


@dataclass
class Suppressions:
    lines: dict[int, Directive] = field(default_factory=dict)
    files: list[Directive] = field(default_factory=list)


def comments(text: str) -> list[tuple[int, int, str]]:
    """(row, 0-based column, text) of every comment token."""
    found: list[tuple[int, int, str]] = []
    try:
        for token in python_tokens(text):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.start[1], token.string))
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _candidate_rows(lowered: str, rows: Collection[int]) -> set[int]:
    """The rows (counted as the parser counts them) whose text holds a directive that can
    suppress a diagnostic on ``rows`` or be reported by MPL100 (see ``parse_suppressions``): ``rows``
    themselves, rows of file-level directives, and rows naming an ``MPL`` code or a rule-like name."""
    wanted: set[int] = set()
    row = 1
    counted = 0
    start = lowered.find("noqa")
    while start != -1:
        row += count_line_breaks(lowered, counted, start)
        line_start, line_end = line_bounds(lowered, start)
        line = lowered[line_start:line_end]
        if row in rows or _MAY_NAME_OURS.search(line) or _FILE_NOQA.search(line):
            wanted.add(row)
        counted = start
        start = lowered.find("noqa", line_end)
    return wanted


def _split(codes: str | None) -> list[str] | None:
    if codes is None:
        return None
    return [code for code in re.split(r"[\s,]+", codes.strip()) if code]


def parse_suppressions(text: str, rows: Collection[int] | None = None) -> Suppressions:
    """The suppression comments of ``text``.

    With ``rows`` (the rows diagnostics could be suppressed on), only the directives that can matter
    are found: those on ``rows``, file-level ones, and those naming something that could be an mplint
    code (which MPL100 may report). Telling a comment from a ``#`` inside a string takes tokenizing the
    whole text, which costs as much as parsing it: skipped when no line can hold such a directive.
    """
    found = Suppressions()
    lowered = text.lower()
    if "noqa" not in lowered:
        return found
    wanted: set[int] | None = None
    if rows is not None:
        wanted = _candidate_rows(lowered, rows)
        if not wanted:
            return found
    for row, column, comment in comments(text):
        if wanted is not None and row not in wanted:
            continue
        file_match = _FILE_NOQA.match(comment)
        if file_match is not None:
            found.files.append(
                Directive(row, column, column + len(comment), _split(file_match.group("codes")), True)
            )
            continue
        match = _LINE_NOQA.search(comment)
        if match is not None:
            start = column + match.start()
            found.lines[row] = Directive(row, start, column + match.end(), _split(match.group("codes")))
    return found


def _matches(token: str, diagnostic: Diagnostic) -> bool:
    return token.upper() == diagnostic.code or token.lower() == diagnostic.name


def apply_suppressions(
    diagnostics: list[Diagnostic],
    suppressions: Suppressions,
    source: SourceText,
    enabled: frozenset[str],
    known_codes: dict[str, str],
) -> list[Diagnostic]:
    """The diagnostics not suppressed, plus MPL100 for unused or unknown mplint codes when enabled.

    ``known_codes`` maps every rule code and rule name (lower case) to its code.
    """
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        if _suppressed(diagnostic, suppressions):
            continue
        kept.append(diagnostic)
    if UNUSED_CODE in enabled:
        for unused in _unused(suppressions, source, enabled, known_codes):
            if not _suppressed(unused, suppressions):
                kept.append(unused)
    return kept


def _suppressed(diagnostic: Diagnostic, suppressions: Suppressions) -> bool:
    for directive in suppressions.files:
        if directive.codes is None:
            return True
        for token in directive.codes:
            if _matches(token, diagnostic):
                directive.used.add(token)
                return True
    if diagnostic.noqa_row is None:
        return False
    line_directive = suppressions.lines.get(diagnostic.noqa_row)
    if line_directive is None:
        return False
    if line_directive.codes is None:
        return True
    for token in line_directive.codes:
        if _matches(token, diagnostic):
            line_directive.used.add(token)
            return True
    return False


def _unused(
    suppressions: Suppressions,
    source: SourceText,
    enabled: frozenset[str],
    known_codes: dict[str, str],
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for directive in [*suppressions.lines.values(), *suppressions.files]:
        if directive.codes is None:
            continue
        unknown: list[str] = []
        unused: list[str] = []
        for token in directive.codes:
            code = known_codes.get(token.upper()) or known_codes.get(token.lower())
            if code is None:
                if _MPL_CODE.fullmatch(token):
                    unknown.append(token)
                continue
            if token not in directive.used and code in enabled and code != UNUSED_CODE:
                unused.append(token)
        if not unknown and not unused:
            continue
        parts = []
        if unused:
            parts.append("unused " + ", ".join(f"`{t}`" for t in unused))
        if unknown:
            parts.append("unknown " + ", ".join(f"`{t}`" for t in unknown))
        removed = set(unused) | set(unknown)
        message = f"Suppression comment with {' and '.join(parts)}"
        start = Location(directive.row, directive.start + 1)
        end = Location(directive.row, directive.end + 1)
        found.append(
            Diagnostic(
                code=UNUSED_CODE,
                name=UNUSED_NAME,
                message=message,
                location=start,
                end_location=end,
                fix=_removal_fix(source, directive, removed),
                noqa_row=None,
            )
        )
    return found


def _removal_fix(source: SourceText, directive: Directive, removed: set[str]) -> Fix:
    line = source.line(directive.row)
    remaining = [token for token in directive.codes or [] if token not in removed]
    if remaining:
        prefix = "# mplint: noqa: " if directive.file_level else "# noqa: "
        edit = Edit(
            prefix + ", ".join(remaining),
            Location(directive.row, directive.start + 1),
            Location(directive.row, directive.end + 1),
        )
        return Fix("Remove the unused codes", (edit,), Applicability.SAFE)
    start = directive.start
    rest = line[directive.end :]
    if rest.strip().startswith("#") or not rest.strip():
        # the directive ends its comment (or another comment follows): drop it and the spacing before it
        while start > 0 and line[start - 1] in " \t":
            start -= 1
        if rest.strip():
            rest_start = directive.end + (len(rest) - len(rest.lstrip()))
            edit = Edit("  ", Location(directive.row, start + 1), Location(directive.row, rest_start + 1))
            if start == 0:
                edit = Edit("", Location(directive.row, 1), Location(directive.row, rest_start + 1))
            return Fix("Remove the unused suppression", (edit,), Applicability.SAFE)
        if start == 0:
            # a comment alone on its line: remove the whole line
            offset = source.line_starts[directive.row - 1]
            end_offset = offset + len(line) + len(source.line_break(directive.row))
            edit = Edit("", source.location_at(offset), source.location_at(end_offset))
            return Fix("Remove the unused suppression", (edit,), Applicability.SAFE)
    edit = Edit("", Location(directive.row, start + 1), Location(directive.row, directive.end + 1))
    return Fix("Remove the unused suppression", (edit,), Applicability.SAFE)


def add_noqa_edit(source: SourceText, row: int, codes: list[str], reason: str = "") -> Edit | None:
    """The edit that suppresses ``codes`` on ``row``: merged into an existing ``# noqa: ...`` there, or a
    new ``  # noqa: CODES`` at the end of the line. None when the line already suppresses them."""
    line = source.line(row)
    existing = parse_suppressions(line).lines.get(1) if "noqa" in line.lower() else None
    if existing is not None:
        if existing.codes is None:
            return None
        wanted = [code for code in codes if code not in {c.upper() for c in existing.codes}]
        if not wanted:
            return None
        merged = [*existing.codes, *wanted]
        return Edit(
            "# noqa: " + ", ".join(merged),
            Location(row, existing.start + 1),
            Location(row, existing.end + 1),
        )
    content = "  # noqa: " + ", ".join(sorted(set(codes)))
    if reason:
        content += f" {reason}"
    column = len(line) + 1
    return Edit(content, Location(row, column), Location(row, column))
