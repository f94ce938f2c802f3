"""Diagnostics and fixes: what a rule reports, and the text edits that repair it.

Positions are 1-based rows and 1-based columns counted in characters (code points), as Ruff reports them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
"""The severities a diagnostic can have, the most severe first."""


@dataclass(frozen=True, order=True)
class Location:
    """A position in a source file: 1-based row, 1-based character column."""

    row: int
    column: int

    def to_json(self) -> dict[str, int]:
        return {"row": self.row, "column": self.column}


class Applicability(enum.Enum):
    """How safe a fix is to apply without review, in Ruff's vocabulary."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "displayonly"


@dataclass(frozen=True)
class Edit:
    """Replace the text between ``location`` and ``end_location`` with ``content``."""

    content: str
    location: Location
    end_location: Location

    def to_json(self) -> dict[str, object]:
        return {
            "content": self.content,
            "location": self.location.to_json(),
            "end_location": self.end_location.to_json(),
        }


@dataclass(frozen=True)
class Fix:
    """A set of edits applied together, with a title and how safe it is."""

    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    def to_json(self) -> dict[str, object]:
        return {
            "applicability": self.applicability.value,
            "message": self.message,
            "edits": [edit.to_json() for edit in self.edits],
        }


@dataclass(frozen=True)
class Diagnostic:
    """One finding of one rule in one file."""

    code: str
    name: str
    message: str
    location: Location
    end_location: Location
    fix: Fix | None = None
    severity: str = "error"
    noqa_row: int | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.location.row, self.location.column, self.code)
