"""Which paths git ignores: the ``.gitignore`` files of a work tree and its ``.git/info/exclude``.

Only paths inside a git work tree are ever ignored. A deeper ``.gitignore`` beats a shallower one,
the last matching line of a file beats the earlier ones, and ``.git/info/exclude`` comes last.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mplint.workspace.globs import Glob, GlobError, compile_glob, last_match


@dataclass(frozen=True)
class IgnoreSource:
    """The patterns of one ignore file, relative to ``base``."""

    file: Path
    base: Path
    globs: tuple[Glob, ...]


@dataclass(frozen=True)
class IgnoreMatch:
    """The pattern that decided a path is ignored, and where it was written."""

    pattern: str
    file: Path


def parse_ignore_lines(text: str) -> list[Glob]:
    """The patterns of an ignore file; lines that are not valid patterns are skipped, as git does."""
    globs: list[Glob] = []
    for raw in _git_lines(text):
        line = _strip_trailing_spaces(raw)
        if not line or line.startswith("#"):
            continue
        try:
            globs.append(compile_glob(line))
        except GlobError:
            continue
    return globs


def _git_lines(text: str) -> list[str]:
    """The lines of an ignore file as git reads them: ended by LF alone, one CR before it dropped (not
    Python's notion of a line, nor ``str.splitlines``, which also breaks at form feeds)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def _strip_trailing_spaces(line: str) -> str:
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        return stripped + " "  # "\ " keeps one escaped space
    return stripped


class GitIgnore:
    """Answers whether paths are ignored, reading each ignore file once."""

    def __init__(self) -> None:
        self._roots: dict[Path, Path | None] = {}
        self._sources: dict[Path, IgnoreSource | None] = {}
        self._applying: dict[Path, list[IgnoreSource]] = {}

    def work_tree(self, directory: Path) -> Path | None:
        """The root of the git work tree holding ``directory`` (absolute), or None."""
        # A loop, not recursion: a directory can be nested deeper than Python's recursion limit.
        unresolved: list[Path] = []
        root: Path | None = None
        current = directory
        while True:
            if current in self._roots:
                root = self._roots[current]
                break
            unresolved.append(current)
            if (current / ".git").exists():
                root = current
                break
            if current.parent == current:
                break
            current = current.parent
        for visited in unresolved:
            self._roots[visited] = root
        return root

    def match(self, path: Path, is_dir: bool) -> IgnoreMatch | None:
        """The pattern that makes git ignore ``path`` (absolute), or None when it is not ignored."""
        root = self.work_tree(path.parent)
        if root is None or path == root:
            return None
        for source in self._sources_for(path.parent, root):
            relative = path.relative_to(source.base).as_posix()
            glob = last_match(source.globs, relative, is_dir)
            if glob is not None:
                return None if glob.negated else IgnoreMatch(glob.text, source.file)
        return None

    def _sources_for(self, directory: Path, root: Path) -> list[IgnoreSource]:
        """The ignore files that apply inside ``directory``, from the most to the least specific."""
        cached = self._applying.get(directory)
        if cached is not None:
            return cached
        sources: list[IgnoreSource] = []
        current = directory
        while True:
            source = self._load(current / ".gitignore", current)
            if source is not None:
                sources.append(source)
            if current == root or current.parent == current:
                break
            current = current.parent
        exclude = self._load(root / ".git" / "info" / "exclude", root)
        if exclude is not None:
            sources.append(exclude)
        self._applying[directory] = sources
        return sources

    def _load(self, file: Path, base: Path) -> IgnoreSource | None:
        if file in self._sources:
            return self._sources[file]
        source: IgnoreSource | None = None
        try:
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = None
        if text is not None:
            globs = tuple(parse_ignore_lines(text))
            source = IgnoreSource(file, base, globs) if globs else None
        self._sources[file] = source
        return source
