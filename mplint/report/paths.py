"""How file names are shown: relative to the working directory in text (escaped, see
``mplint.report.escape``), absolute in JSON."""

from __future__ import annotations

import os

from mplint.report.escape import printable

STDIN_NAME = "-"


def display_path(path: str) -> str:
    """``path`` for people: relative to the working directory when it lies below it, else absolute,
    with control characters and undecodable bytes escaped."""
    if path == STDIN_NAME:
        return path
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory is gone
        return printable(path)
    return printable(relative_path(path, cwd))


def relative_path(path: str, root: str) -> str:
    """``path`` relative to ``root`` when it lies below it, else absolute (``-`` stays ``-``)."""
    if path == STDIN_NAME:
        return path
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:  # another drive
        return absolute
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return absolute
    return relative


def absolute_path(path: str) -> str:
    """The absolute form of ``path`` (standard input keeps its ``-``)."""
    return path if path == STDIN_NAME else os.path.abspath(path)
