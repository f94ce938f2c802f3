"""What a run leaves out: the ``exclude``/``extend-exclude`` globs of each path's configuration,
the ``.gitignore`` files of git work trees, and, with ``force-exclude``, excluded named paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mplint.report.paths import display_path
from mplint.workspace.config import Resolver, absolute
from mplint.workspace.config_file import PathGlob
from mplint.workspace.gitignore import GitIgnore

Log = Callable[[str], None]


def _no_log(message: str) -> None:
    pass


class ConfiguredFilter:
    """The PathFilter of a run: excludes as each path's configuration says, gitignore as the
    run's configuration says; ``log`` is told why each path is left out."""

    def __init__(self, resolver: Resolver, log: Log | None = None) -> None:
        self.resolver = resolver
        self.log = log or _no_log
        root = resolver.root_project
        self.gitignore = GitIgnore() if root.respect_gitignore else None
        self.force_exclude = root.force_exclude

    def skip_entry(self, path: Path, is_dir: bool) -> bool:
        full = absolute(path)
        project = self.resolver.project_for(full.parent, is_dir=True)
        excluded = project.exclusion(full, is_dir)
        if excluded is not None:
            self._skipped(path, excluded)
            return True
        if self.gitignore is not None:
            ignored = self.gitignore.match(full, is_dir)
            if ignored is not None:
                self.log(
                    f"{display_path(str(path))}: skipped, ignored by {ignored.pattern!r} in "
                    f"{display_path(str(ignored.file))}"
                )
                return True
        if is_dir:
            self.resolver.project_for(full, is_dir=True)  # a broken configuration file stops the run here
        return False

    def skip_named(self, path: Path, is_dir: bool) -> bool:
        if not self.force_exclude:
            return False
        full = absolute(path)
        project = self.resolver.project_for(full.parent, is_dir=True)
        excluded = project.exclusion_of_named(full, is_dir)
        if excluded is not None:
            self._skipped(path, excluded)
            return True
        return False

    def _skipped(self, path: Path, pattern: PathGlob) -> None:
        self.log(f"{display_path(str(path))}: skipped, excluded by {pattern.glob.text!r} in {pattern.origin}")
