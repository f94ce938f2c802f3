"""``mplint version``: the version, as text or JSON."""

from __future__ import annotations

import json

from mplint import __version__


def run_version(output_format: str) -> int:
    if output_format == "json":
        print(json.dumps({"version": __version__}, indent=2))
    else:
        print(f"mplint {__version__}")
    return 0
