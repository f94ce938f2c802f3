"""``--statistics``: how often each rule fired, instead of the diagnostics themselves; in text, the
summary follows (``Found N errors.``), as in Ruff."""

from __future__ import annotations

import json
from dataclasses import dataclass

from mplint.report.results import FileResult, ReportOptions, fix_applies
from mplint.report.summary import summary_lines


@dataclass(frozen=True)
class RuleCount:
    code: str
    name: str
    count: int
    fixable: bool
    """Whether any of them would be fixed by ``--fix``."""
    fixable_count: int
    """How many of them ``--fix`` would fix."""


def count_rules(results: list[FileResult], options: ReportOptions) -> list[RuleCount]:
    """One entry per code that fired, most frequent first."""
    counts: dict[str, RuleCount] = {}
    for result in results:
        for diagnostic in result.diagnostics:
            old = counts.get(diagnostic.code)
            fixable = fix_applies(diagnostic, options.unsafe_fixes)
            counts[diagnostic.code] = RuleCount(
                code=diagnostic.code,
                name=diagnostic.name,
                count=(old.count if old else 0) + 1,
                fixable=fixable or (old is not None and old.fixable),
                fixable_count=(old.fixable_count if old else 0) + fixable,
            )
    return sorted(counts.values(), key=lambda entry: (-entry.count, entry.code))


def render_text(results: list[FileResult], options: ReportOptions) -> str:
    entries = count_rules(results, options)
    if not entries:
        return ""
    any_fixable = any(entry.fixable for entry in entries)
    count_width = max(len(str(entry.count)) for entry in entries)
    code_width = max(len(entry.code) for entry in entries)
    lines = []
    for entry in entries:
        marker = ("[*] " if entry.fixable else "[ ] ") if any_fixable else ""
        lines.append(f"{entry.count:>{count_width}}\t{entry.code:<{code_width}}\t{marker}{entry.name}")
    if not options.quiet:
        lines.extend(summary_lines(results, options))
    return "".join(line + "\n" for line in lines)


def render_json(results: list[FileResult], options: ReportOptions) -> str:
    objects = [
        {
            "code": entry.code,
            "name": entry.name,
            "count": entry.count,
            "fixable": entry.fixable,
            "fixable_count": entry.fixable_count,
        }
        for entry in count_rules(results, options)
    ]
    return json.dumps(objects, indent=2) + "\n"
