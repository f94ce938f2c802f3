"""Standard streams the caller closed (``mplint check >&-``, ``2>&-``, ``<&-``).

Python then sets ``sys.stdout`` (or ``sys.stderr``, ``sys.stdin``) to None, and the next file opened
takes the free descriptor: a message meant for standard error could land in a fixed file, or in the
diff on standard output. Every closed descriptor among 0, 1 and 2 is therefore given ``os.devnull``
before anything else is opened, and a closed output stream becomes a sink, as Ruff treats one: what is
written there is discarded, and the exit code is what it would have been. ``sys.stdin`` stays None, so
that reading standard input can say that it is closed.
"""

from __future__ import annotations

import errno
import io
import os
import sys

STANDARD_DESCRIPTORS = (0, 1, 2)


def closed_descriptors() -> frozenset[int]:
    """Which of the standard descriptors are not open."""
    closed: set[int] = set()
    for fd in STANDARD_DESCRIPTORS:
        try:
            os.fstat(fd)
        except OSError as exc:
            if exc.errno == errno.EBADF:
                closed.add(fd)
    return frozenset(closed)


def fill_closed_streams() -> frozenset[int]:
    """Open ``os.devnull`` on each closed standard descriptor, make closed output streams sinks, and
    return the descriptors that were closed."""
    closed = closed_descriptors()
    for fd in sorted(closed):
        opened = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
        if opened != fd:
            os.dup2(opened, fd)
            os.close(opened)
    if 1 in closed or sys.stdout is None:
        sys.stdout = _sink(1)
    if 2 in closed or sys.stderr is None:
        sys.stderr = _sink(2)
    return closed


def _sink(fd: int) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        open(fd, "wb", closefd=False),  # noqa: SIM115 - lives as long as the process
        encoding="utf-8",
        errors="backslashreplace",
        write_through=True,
    )
