"""Helpers for rule tests: check a snippet and list (code, row, column) of what is found, or fix it."""

from __future__ import annotations

import textwrap

from mplint.diagnostics import Diagnostic
from mplint.engine import check_text
from mplint.fixer import fix_text
from mplint.settings import Settings
from mplint.workspace.config_file import Selection
from mplint.workspace.selection import resolve_layers


def settings(*codes: str, start_methods: tuple[str, ...] | None = None) -> Settings:
    select = resolve_layers([Selection(select=codes)] if codes else [])
    if start_methods is None:
        return Settings(select=select)
    return Settings(select=select, start_methods=start_methods)


def diagnostics(source: str, *codes: str, **options: object) -> list[Diagnostic]:
    text = textwrap.dedent(source)
    return check_text(text, "snippet.py", settings(*codes, **options))  # type: ignore[arg-type]


def found(source: str, *codes: str) -> list[tuple[str, int]]:
    """(code, row) of each diagnostic."""
    return [(d.code, d.location.row) for d in diagnostics(source, *codes)]


def fixed(source: str, *codes: str, unsafe: bool = False) -> str:
    text = textwrap.dedent(source)
    return fix_text(text, "snippet.py", settings(*codes), unsafe).text
