"""Where mplint's documentation lives: the addresses of the package metadata (``[project.urls]`` in
pyproject.toml: ``Rules``, the rules' page, and ``Homepage``), read at run time, so that every link mplint
prints comes from that one table."""

from __future__ import annotations

from functools import cache
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "mplint"
RULES_LABEL = "Rules"
HOMEPAGE_LABEL = "Homepage"
# A source tree run without an installed distribution: its own copy of the rules' page.
SOURCE_TREE_RULES_PAGE = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def metadata_url(label: str) -> str | None:
    """The address given as ``label`` in the installed distribution's ``Project-URL`` fields."""
    try:
        entries = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in entries:
        name, _, url = str(entry).partition(",")
        if name.strip().lower() == label.lower() and url.strip():
            return url.strip()
    return None


@cache
def rules_page_url() -> str | None:
    """The rules' page: the metadata's address, else the source tree's file, else none (no link at all
    rather than an address that may not exist)."""
    url = metadata_url(RULES_LABEL)
    if url is not None:
        return url
    if SOURCE_TREE_RULES_PAGE.is_file():
        return SOURCE_TREE_RULES_PAGE.as_uri()
    return None


@cache
def homepage_url() -> str | None:
    """mplint's home page, as the package metadata gives it."""
    return metadata_url(HOMEPAGE_LABEL)
