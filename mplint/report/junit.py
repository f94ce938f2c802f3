"""The JUnit format: an XML report with one test suite per file and one failed test case per diagnostic.

As in Ruff's, a run without diagnostics holds one passing test case, so that CI systems show a
report rather than an empty one.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

from mplint.report.escape import printable
from mplint.report.paths import display_path
from mplint.report.results import FileResult, ReportOptions

# Characters XML 1.0 cannot hold, not even as character references.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with control characters (which XML 1.0 cannot hold, or should not) and undecodable
    bytes escaped as in the text formats, and the other characters XML cannot hold as ``\\uXXXX``."""
    return _NOT_XML.sub(
        lambda match: match.group(0).encode("unicode_escape").decode("ascii"), printable(text)
    )


def _counts(element: ET.Element, tests: int, failures: int) -> None:
    for key, value in (("tests", tests), ("failures", failures), ("errors", 0), ("skipped", 0)):
        element.set(key, str(value))


def render(results: list[FileResult], options: ReportOptions) -> str:
    root = ET.Element("testsuites", name="mplint")
    total = 0
    for result in results:
        if not result.diagnostics:
            continue
        path = xml_text(display_path(result.path))
        suite = ET.SubElement(root, "testsuite", name=path)
        _counts(suite, len(result.diagnostics), len(result.diagnostics))
        total += len(result.diagnostics)
        classname = os.path.splitext(path)[0]
        for diagnostic in result.diagnostics:
            row, column = diagnostic.location.row, diagnostic.location.column
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{diagnostic.code} {diagnostic.name} at {row}:{column}",
                classname=classname,
                file=path,
                line=str(row),
                column=str(column),
            )
            failure = ET.SubElement(
                case, "failure", message=xml_text(diagnostic.message), type=diagnostic.code
            )
            failure.text = xml_text(f"{path}:{row}:{column}: {diagnostic.code} {diagnostic.message}")
    _counts(root, total, total)
    if total == 0:
        suite = ET.SubElement(root, "testsuite", name="mplint")
        _counts(suite, 1, 0)
        _counts(root, 1, 0)
        ET.SubElement(suite, "testcase", name="No errors found", classname="mplint")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
