"""``--show-settings`` and ``--show-files``: what a run would use, printed instead of checking."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from mplint.report.escape import printable
from mplint.report.paths import display_path
from mplint.rules import ALL_CODES
from mplint.settings import Settings
from mplint.severity import severity_of
from mplint.workspace.config import Project, absolute


def _strings(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(value) for value in values) + "]"


def render_settings(path: Path, project: Project, settings: Settings, output_format: str) -> str:
    """The settings ``path`` is checked with, one ``key = value`` line each, as TOML writes them: a
    configuration file could hold each line as it is (a setting left unset is a comment saying so)."""
    options = project.options
    config = display_path(str(project.config_path)) if project.config_path else "none (default settings)"
    per_file = ", ".join(
        f"{json.dumps(entry.glob.glob.text)} = {_strings(entry.selectors)}"
        for entry in project.per_file_ignores
    )
    unsafe = (
        "# unsafe-fixes is not set: unsafe fixes are not applied, and the summary says how many there are"
        if options.unsafe_fixes is None
        else f"unsafe-fixes = {json.dumps(options.unsafe_fixes)}"
    )
    fixable = sorted(code for code in ALL_CODES if code not in settings.unfixable)
    severities = ", ".join(f"{code} = {json.dumps(severity_of(code, settings))}" for code in ALL_CODES)
    baseline = (
        f"baseline = {json.dumps(display_path(str(options.baseline)))}"
        if options.baseline is not None
        else "# baseline is not set: every diagnostic is reported"
    )
    lines = [
        f"Resolved settings for: {display_path(str(path))}",
        f"Settings path: {config}",
        f"Project root: {display_path(str(project.root))}",
        "",
        f"select = {_strings(sorted(settings.select))}",
        f"per-file-ignores = {{ {per_file} }}" if per_file else "per-file-ignores = {}",
        f"exclude = {_strings(pattern.glob.text for pattern in project.exclude)}",
        f"respect-gitignore = {json.dumps(project.respect_gitignore)}",
        f"force-exclude = {json.dumps(project.force_exclude)}",
        unsafe,
        f"extend-safe-fixes = {_strings(sorted(settings.extend_safe_fixes))}",
        f"extend-unsafe-fixes = {_strings(sorted(settings.extend_unsafe_fixes))}",
        f"output-format = {json.dumps(output_format)}",
        f"start-methods = {_strings(settings.start_methods)}",
        f"fixable = {_strings(fixable)}",
        f"fix = {json.dumps(bool(options.fix))}",
        f"severity = {{ {severities} }}",
        baseline,
        f"max-file-size = {settings.max_file_size}",
    ]
    return "".join(line + "\n" for line in lines)


def render_files(files: Iterable[Path]) -> str:
    """The files a run would check: absolute, sorted, one a line."""
    return "".join(f"{printable(path)}\n" for path in sorted(str(absolute(file)) for file in files))
