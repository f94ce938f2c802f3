"""``python -m mplint``: the command line.

``python -m`` puts the working directory first on ``sys.path``. mplint runs inside the project it checks,
so that entry is dropped before anything else is imported: a project's ``json.py``, ``tomllib.py`` or
``libcst.py`` must never be imported (and so run) in place of the module mplint needs.
"""

import os
import sys


def _drop_working_directory() -> None:
    try:
        working_directory = os.getcwd()
    except OSError:  # the working directory was removed: nothing can be imported from it
        working_directory = None
    if sys.path and sys.path[0] in ("", working_directory):
        del sys.path[0]


if __name__ == "__main__":
    _drop_working_directory()

    from mplint.cli import main

    raise SystemExit(main())
