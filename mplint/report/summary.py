"""The closing lines of a text report: counts of errors and fixes, worded as Ruff words them."""

from __future__ import annotations

from collections import Counter

from mplint.report.paths import display_path
from mplint.report.results import (
    FileResult,
    FixMode,
    ReportOptions,
    UnsafeFixes,
    fix_applies,
    hidden_unsafe,
)


def _plural(count: int, singular: str, plural: str) -> str:
    return singular if count == 1 else plural


def summary_lines(results: list[FileResult], options: ReportOptions) -> list[str]:
    """``Found N errors.``, ``All checks passed!`` and the hints about available fixes."""
    remaining = [d for result in results for d in result.diagnostics]
    fixed = sum(len(result.fixed) for result in results)
    applicable = sum(1 for d in remaining if fix_applies(d, options.unsafe_fixes))
    hidden = sum(1 for d in remaining if hidden_unsafe(d, options.unsafe_fixes))
    hint = options.unsafe_fixes is UnsafeFixes.HINT
    lines: list[str] = []
    if options.show_violations:
        total = fixed + len(remaining)
        if fixed:
            s = _plural(total, "", "s")
            lines.append(f"Found {total} error{s} ({fixed} fixed, {len(remaining)} remaining).")
        elif remaining:
            lines.append(f"Found {len(remaining)} error{_plural(len(remaining), '', 's')}.")
        elif not options.errors:
            lines.append("All checks passed!")
        es = _plural(hidden, "", "es")
        if hint and applicable and hidden:
            lines.append(
                f"[*] {applicable} fixable with the --fix option "
                f"({hidden} hidden fix{es} can be enabled with the --unsafe-fixes option)."
            )
        elif applicable:
            lines.append(f"[*] {applicable} fixable with the --fix option.")
        elif hint and hidden:
            lines.append(
                f"No fixes available ({hidden} hidden fix{es} can be enabled with the --unsafe-fixes option)."
            )
        return lines

    unapplied = hidden if hint else 0
    applying = options.fix_mode is FixMode.APPLY
    s = _plural(fixed, "", "s")
    es = _plural(unapplied, "", "es")
    if unapplied:
        if fixed:
            verb = "Fixed" if applying else "Would fix"
            lines.append(
                f"{verb} {fixed} error{s} ({unapplied} additional fix{es} available with --unsafe-fixes)."
            )
        else:
            what = "No errors fixed" if applying else "No errors would be fixed"
            lines.append(f"{what} ({unapplied} fix{es} available with --unsafe-fixes).")
    elif fixed:
        lines.append(f"{'Fixed' if applying else 'Would fix'} {fixed} error{s}.")
    return lines


def fix_summary_lines(results: list[FileResult], options: ReportOptions) -> list[str]:
    """What ``--show-fixes`` adds: the fixes applied (or that would be), per file and rule."""
    fixed_files = [result for result in results if result.fixed]
    if not fixed_files:
        return []
    total = sum(len(result.fixed) for result in fixed_files)
    verb = "Would fix" if options.fix_mode is FixMode.DIFF else "Fixed"
    lines = [f"{verb} {total} error{_plural(total, '', 's')}:"]
    for result in fixed_files:
        lines.append(f"- {display_path(result.path)}:")
        counts = Counter((d.code, d.name) for d in result.fixed)
        width = len(str(max(counts.values())))
        for (code, name), count in sorted(counts.items()):
            lines.append(f"    {count:>{width}} \N{MULTIPLICATION SIGN} {code} ({name})")
    return lines
