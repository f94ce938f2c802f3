"""The environment variables that stand for command-line options, as Ruff's ``RUFF_*`` do."""

from __future__ import annotations

import os

CACHE_DIR_VARIABLE = "MPLINT_CACHE_DIR"
"""``--cache-dir``, for ``check`` and ``clean``."""
OUTPUT_FORMAT_VARIABLE = "MPLINT_OUTPUT_FORMAT"
"""``--output-format`` of ``check``: beats the configuration files, as the option does."""
NO_CACHE_VARIABLE = "MPLINT_NO_CACHE"
"""``--no-cache`` of ``check``."""

_FALSE = frozenset({"", "0", "false", "f", "no", "n", "off"})


def env_flag(name: str) -> bool:
    """Whether the variable turns its flag on: set to anything but an empty or false-like value
    (``0``, ``false``, ``no``, ``off``, in any case), as clap reads flags from the environment."""
    return os.environ.get(name, "").strip().lower() not in _FALSE
