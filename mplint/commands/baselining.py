"""``--baseline`` and ``--update-baseline`` in a ``check`` run: leave out the accepted diagnostics and
warn of stale entries, or record the run's diagnostics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mplint.baseline import BaselineError, read_baseline
from mplint.report.paths import display_path

if TYPE_CHECKING:
    from mplint.commands.check import Run


def baseline_path(run: Run) -> Path | None:
    """The baseline of the run: ``--baseline``, else the ``baseline`` key of the root configuration."""
    return run.resolver.root_project.options.baseline


def apply_baseline(run: Run) -> None:
    """Leave out the diagnostics the baseline accepts; warn of its entries that match nothing."""
    path = baseline_path(run)
    if path is None:
        return
    try:
        baseline = read_baseline(path)
    except BaselineError as exc:
        run.error(str(exc))
        return
    run.results, stale, accepted = baseline.filter(run.results)
    run.log(f"{display_path(str(path))}: {accepted} diagnostic{'' if accepted == 1 else 's'} accepted")
    for entry in stale:
        key = entry.key
        times = f" ({entry.count} times)" if entry.count > 1 else ""
        run.warn(
            f"Baseline entry no longer matches: {key.file}: {key.rule} in {key.scope or 'the module'}: "
            f"`{entry.snippet}`{times} (drop it with --update-baseline)"
        )


def update_baseline(run: Run) -> bool:
    """Record the run's diagnostics in its baseline; False (the error reported) when it cannot."""
    path = baseline_path(run)
    if path is None:
        run.error("--update-baseline needs a baseline file: give --baseline FILE or set baseline")
        return False
    if run.failed:  # an unreadable file would lose its entries
        run.error(f"not updating {display_path(str(path))}: some files could not be checked")
        return False
    try:
        baseline = read_baseline(path, missing_ok=True).updated(run.results)
        baseline.save()
    except BaselineError as exc:
        run.error(str(exc))
        return False
    except OSError as exc:
        run.error(f"cannot write {display_path(str(path))}: {exc.strerror or exc}")
        return False
    if not run.options.silent:
        total = baseline.total
        sys.stdout.flush()
        print(
            f"Recorded {total} diagnostic{'' if total == 1 else 's'} in {display_path(str(path))}.",
            file=sys.stderr,
            flush=True,
        )
    return True
