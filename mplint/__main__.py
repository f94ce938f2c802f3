"""``python -m mplint``: the command line."""

from mplint.cli import main

raise SystemExit(main())
