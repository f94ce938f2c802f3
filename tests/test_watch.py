"""``mplint check --watch`` for real: a subprocess watches a directory while the test changes files and
configuration under it, then terminates it."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

# MPL003 (not joined) on line 9.
UNJOINED = """\
from multiprocessing import Process


def work():
    pass


def main():
    p = Process(target=work)
    p.start()
"""
CLEAN = "x = 1\n"
WAIT_SECONDS = 60


class Watch:
    """A running ``mplint check --watch``, its output read line by line in the background."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mplint", "check", "--watch", "--no-cache", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": ""},
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def until(self, predicate: str) -> list[str]:
        """The lines printed up to and including the first one starting with ``predicate``, after
        the "[HH:MM:SS] " stamp if there is one."""
        taken: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                pytest.fail(f"no line starting with {predicate!r}; got {self.seen!r}")
            if line is None:
                pytest.fail(f"mplint exited ({self.process.poll()}) before {predicate!r}: {self.seen!r}")
            self.seen.append(line)
            taken.append(line)
            text = line.split("] ", 1)[1] if line.startswith("[") and "] " in line else line
            if text.startswith(predicate):
                return taken

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def watch(tmp_path: Path) -> Iterator[tuple[Path, Watch]]:
    (tmp_path / "a.py").write_text(UNJOINED, encoding="utf-8")
    (tmp_path / "b.py").write_text(CLEAN, encoding="utf-8")
    running = Watch(tmp_path, "--verbose", ".")
    try:
        yield tmp_path, running
    finally:
        running.stop()


def replace(path: Path, text: str) -> None:
    """Write ``path`` as editors do, so that the watcher never sees it half-written."""
    temporary = path.with_name(path.name + ".tmp~")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def checked(lines: list[str]) -> list[str]:
    """The files the verbose log says were checked (a file changed twice in a row may be checked
    twice: each is listed once)."""
    return sorted(
        line.split(" ")[1][:-1] for line in lines if line.endswith("checked with the default settings")
    )


def test_watch_checks_again_what_changed(watch: tuple[Path, Watch]) -> None:
    project, running = watch
    start = running.until("Found 1 error. Watching for file changes.")
    assert start[0] == "Starting linter in watch mode..."
    assert checked(start) == ["a.py", "b.py"]
    report = running.until("a.py:10:5: MPL003 (warning) process `p` is started")
    assert report == ["", report[-1]]

    # Only the changed file is checked again.
    replace(project / "b.py", UNJOINED)
    changed = running.until("Found 2 errors. Watching for file changes.")
    assert changed[0] == "File change detected..."
    assert checked(changed) == ["b.py"]
    report = running.until("b.py:10:5: MPL003")
    assert report[-2].startswith("a.py:10:5: MPL003")

    # A new file is found and checked; a removed one is dropped.
    replace(project / "c.py", CLEAN)
    (project / "a.py").unlink()
    changed = running.until("Found 1 error. Watching for file changes.")
    assert checked(changed) == ["c.py"]
    assert running.until("b.py:10:5: MPL003") == ["", running.seen[-1]]

    # A configuration change checks everything again.
    replace(project / "mplint.toml", 'ignore = ["MPL003"]\n')
    changed = running.until("Found 0 errors. Watching for file changes.")
    assert changed[0] == "File change detected..."
    assert sorted({line.split(" ")[1][:-1] for line in changed if "checked with" in line}) == ["b.py", "c.py"]

    # A broken configuration is reported, and the watch goes on until it is repaired.
    replace(project / "mplint.toml", "ignore = [\n")
    broken = running.until("error: mplint.toml: invalid TOML")
    assert broken[0] == "File change detected..."
    replace(project / "mplint.toml", "")
    running.until("Found 1 error. Watching for file changes.")

    # A file reached through `extend` is watched too.
    replace(project / "shared.toml", "")
    replace(project / "mplint.toml", 'extend = "shared.toml"\n')
    running.until("Found 1 error. Watching for file changes.")
    replace(project / "shared.toml", 'ignore = ["MPL003"]\n')
    running.until("Found 0 errors. Watching for file changes.")
    assert running.process.poll() is None
