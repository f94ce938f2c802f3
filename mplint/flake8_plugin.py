"""The flake8 plugin: mplint's diagnostics as flake8 errors, under the ``MPL`` prefix.

flake8 hands the plugin the lines it read (from a file or from standard input); the plugin checks
their text with the engine, under the settings mplint's configuration files give that file (its
``start-methods``, ``select``, ``per-file-ignores``...), and reports each diagnostic at flake8's
0-based column. Fixes are not reported: flake8 has no place for them (``mplint check --fix`` applies
them). A configuration file mplint cannot use stops the run with flake8's own error message.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import ClassVar

from mplint import __version__
from mplint.engine import check_text
from mplint.settings import Settings
from mplint.workspace.config import Resolver

Flake8Error = tuple[int, int, str, type]
_STANDARD_INPUT_NAMES = frozenset({"stdin", "-"})


@cache
def _resolver() -> Resolver:
    """One resolver per flake8 process: each configuration file is read once."""
    return Resolver()


def settings_for(filename: str) -> Settings:
    """The settings for ``filename``; standard input gets those of the working directory."""
    if filename in _STANDARD_INPUT_NAMES:
        return _resolver().root_project.settings_for(Path.cwd() / "stdin.py")
    return _resolver().settings_for(Path(filename))


class MplintChecker:
    """A classic flake8 AST plugin; flake8 passes ``tree``, ``filename`` and ``lines`` by name."""

    name: ClassVar[str] = "mplint"
    version: ClassVar[str] = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[Flake8Error]:
        text = "".join(self.lines)
        for diagnostic in check_text(text, self.filename, settings_for(self.filename)):
            location = diagnostic.location
            message = f"{diagnostic.code} {diagnostic.message}"
            yield location.row, max(location.column - 1, 0), message, type(self)
