"""ANSI colours for the text formats, and when to use them (``--color``, NO_COLOR, FORCE_COLOR)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

COLOR_CHOICES: tuple[str, ...] = ("auto", "always", "never")

RESET = "\x1b[0m"
BOLD = "1"
RED = "31"
CYAN = "36"
BLUE = "34"
GREEN = "32"
YELLOW = "33"


def paint(text: str, *styles: str, enabled: bool = True) -> str:
    """``text`` wrapped in the SGR sequence of ``styles`` (unchanged when not ``enabled``)."""
    if not enabled or not text.strip() or not styles:
        return text
    return f"\x1b[{';'.join(styles)}m{text}{RESET}"


def use_color(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to ``stream``: ``always``, ``never``, or for ``auto`` when
    FORCE_COLOR is set (and not ``0``), else when the stream is a terminal and NO_COLOR is not set."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if environ is None else environ
    force = env.get("FORCE_COLOR", "")
    if force and force != "0":
        return True
    if env.get("NO_COLOR", ""):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False
