"""The GitLab format: a Code Quality report, a JSON array of issues with stable fingerprints.

Paths are relative to ``CI_PROJECT_DIR`` when GitLab sets it, else to the working directory.
A fingerprint hashes the path, the code, the message and how many identical diagnostics came
before in the same file, so it survives lines moving and differs between diagnostics.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter

from mplint.diagnostics import Diagnostic
from mplint.report.escape import json_dumps
from mplint.report.paths import relative_path
from mplint.report.results import FileResult, ReportOptions

SEVERITIES: dict[str, str] = {"error": "major", "warning": "minor"}


def fingerprint(path: str, diagnostic: Diagnostic, occurrence: int) -> str:
    key = "\0".join((path, diagnostic.code, diagnostic.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def issue(path: str, diagnostic: Diagnostic, occurrence: int) -> dict[str, object]:
    return {
        "check_name": diagnostic.code,
        "description": f"{diagnostic.code}: {diagnostic.message}",
        "severity": SEVERITIES.get(diagnostic.severity, "info"),
        "fingerprint": fingerprint(path, diagnostic, occurrence),
        "location": {
            "path": path,
            "lines": {"begin": diagnostic.location.row, "end": diagnostic.end_location.row},
        },
    }


def render(results: list[FileResult], options: ReportOptions) -> str:
    project_dir = os.environ.get("CI_PROJECT_DIR") or os.getcwd()
    issues: list[dict[str, object]] = []
    for result in results:
        path = relative_path(result.path, project_dir).replace(os.sep, "/")
        seen: Counter[tuple[str, str]] = Counter()
        for diagnostic in result.diagnostics:
            key = (diagnostic.code, diagnostic.message)
            issues.append(issue(path, diagnostic, seen[key]))
            seen[key] += 1
    return json_dumps(issues, indent=2) + "\n"
