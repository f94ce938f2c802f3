"""Helpers for the command-line tests.

They run mplint in a subprocess or in-process, and provide a stand-in checker whose diagnostics
carry fixes, so that fixing can be tested independently of the rules.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from mplint.cli import main
from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from mplint.prefilter import Relevance
from mplint.settings import Settings
from mplint.source import SourceText

# A program with MPL001 and its safe fix on line 5.
PROXY = """\
from multiprocessing import Manager, Process


def work(m):
    m[0]["id"] = 2


if __name__ == "__main__":
    with Manager() as manager:
        m = manager.list()
        p = Process(target=work, args=(m,))
        p.start()
        p.join()
"""
# A program with MPL002 and its unsafe fix on line 9.
UNGUARDED = """\
from multiprocessing import Process


def work():
    pass


p = Process(target=work)
p.start()
p.join()
"""


def run_cli(
    *args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m mplint ARGS`` for real and capture its output as text; ``env`` is added to the
    environment."""
    return subprocess.run(
        [sys.executable, "-m", "mplint", *args],
        cwd=cwd,
        env={**os.environ, **env} if env is not None else None,
        input=stdin.decode("utf-8") if stdin is not None else None,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@dataclass
class InProcess:
    code: int
    stdout: bytes
    stderr: str

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str, stdin: bytes = b"") -> InProcess:
    """Call ``mplint.cli.main`` with fresh byte-backed standard streams."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = main(list(args))
    out.flush()
    err.flush()
    stdout = out.buffer.getvalue()
    stderr = err.buffer.getvalue().decode("utf-8")
    return InProcess(code, stdout, stderr)


# The stand-in checker: `bad_call()` has a safe fix to `good_call()`, `risky()` an unsafe fix to
# `careful()`, `look()` a display-only fix, `plain()` no fix; `snowman()` has a fix that cannot be
# written in latin-1 and `breaks()` one that does not parse.
_PATTERNS: tuple[tuple[str, str, str | None, Applicability], ...] = (
    ("MPL001", r"bad_call\(\)", "good_call()", Applicability.SAFE),
    ("MPL001", r"risky\(\)", "careful()", Applicability.UNSAFE),
    ("MPL003", r"look\(\)", "seen()", Applicability.DISPLAY_ONLY),
    ("MPL003", r"plain\(\)", None, Applicability.SAFE),
    ("MPL001", r"snowman\(\)", '"\u2603"', Applicability.SAFE),
    ("MPL001", r"breaks\(\)", "breaks(", Applicability.SAFE),
)
_NAMES = {"MPL001": "proxy-nested-mutation", "MPL003": "unjoined-process"}


def fake_check_text(text: str, path: str, settings: Settings) -> list[Diagnostic]:
    source = SourceText(text)
    found: list[Diagnostic] = []
    for row, line in enumerate(source.lines, start=1):
        for code, pattern, replacement, applicability in _PATTERNS:
            if code not in settings.select:
                continue
            for match in re.finditer(pattern, line):
                start = Location(row, match.start() + 1)
                end = Location(row, match.end() + 1)
                fix = None
                if replacement is not None:
                    fix = Fix(
                        f"Replace with `{replacement}`",
                        (Edit(replacement, start, end),),
                        applicability,
                    )
                found.append(
                    Diagnostic(
                        code=code,
                        name=_NAMES[code],
                        message=f"`{match.group(0)}` is a pitfall",
                        location=start,
                        end_location=end,
                        fix=fix,
                        noqa_row=row,
                    )
                )
    return sorted(found, key=lambda d: d.sort_key)


def use_fake_checker(
    monkeypatch: pytest.MonkeyPatch,
    checker: Callable[[str, str, Settings], list[Diagnostic]] = fake_check_text,
) -> None:
    """Make ``mplint check`` and the fixer use ``checker`` instead of the real rules."""
    monkeypatch.setattr("mplint.fixer.check_text", checker)
    monkeypatch.setattr("mplint.processing.check_text", checker)
    # the stand-in checks files that cannot involve multiprocessing too, so the prefilter must let them by
    monkeypatch.setattr("mplint.commands.check.relevance", lambda data: Relevance.FULL)
