"""``--statistics``: how often each rule fired, instead of the diagnostics themselves."""

from __future__ import annotations

import json
from dataclasses import dataclass

from mplint.report.results import FileResult, ReportOptions, fix_applies


@dataclass(frozen=True)
class RuleCount:
    code: str
    name: str
    count: int
    fixable: bool


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
    if any_fixable:
        lines.append("[*] fixable with `mplint check --fix`")
    return "".join(line + "\n" for line in lines)


def render_json(results: list[FileResult], options: ReportOptions) -> str:
    objects = [
        {"code": e.code, "name": e.name, "count": e.count, "fixable": e.fixable}
        for e in count_rules(results, options)
    ]
    return json.dumps(objects, indent=2) + "\n"
