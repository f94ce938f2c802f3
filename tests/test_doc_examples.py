"""The terminal sessions of the README and of docs/ reproduce byte for byte: every ``console`` block is
run, command by command, in a project made for it (the page's own example program and configuration),
and must print what the page shows. A block without a project here fails, so that a new example gets one.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("README.md", "docs/usage.md", "docs/configuration.md", "docs/integrations.md")
SHOWN_ROOT = "/tmp/project"  # the project's directory as the pages show it
PROGRAMS = {"mplint": [sys.executable, "-m", "mplint"], "flake8": [sys.executable, "-m", "flake8"]}


@dataclass(frozen=True)
class Command:
    line: str
    expected: str


@dataclass(frozen=True)
class Session:
    page: str
    number: int  # the console block's number in the page, from 1
    commands: tuple[Command, ...]

    @property
    def name(self) -> str:
        return f"{self.page}#{self.number}:{self.commands[0].line}"


def page_text(page: str) -> str:
    return (ROOT / page).read_text(encoding="utf-8")


def sessions(page: str) -> list[Session]:
    found = []
    for number, block in enumerate(re.findall(r"^```console\n(.*?)^```$", page_text(page), re.S | re.M), 1):
        commands: list[Command] = []
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            line, _, output = part.partition("\n")
            commands.append(Command(line, output))
        found.append(Session(page, number, tuple(commands)))
    return found


def code_block(page: str, language: str, after: str = "") -> str:
    """The first ``language`` block of the page after the text ``after``."""
    text = page_text(page)
    match = re.compile(rf"^```{language}\n(.*?)^```$", re.S | re.M).search(text, text.index(after))
    assert match is not None
    return match.group(1)


# --- The projects ---------------------------------------------------------------------------------------


def example_program(page: str) -> Callable[[Path], None]:
    def make(project: Path) -> None:
        (project / "example.py").write_text(code_block(page, "python"), encoding="utf-8")

    return make


USAGE_EXAMPLE = example_program("docs/usage.md")
RUN_ONCE = "from multiprocessing import Pool\n\nwith Pool() as pool:\n    pool.map(abs, range(3))\n"


def configured_tree(project: Path) -> None:
    """The tree the configuration page's ``-v`` and ``--show-settings`` examples are run in."""
    USAGE_EXAMPLE(project)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / ".gitignore").write_text("generated/\n", encoding="utf-8")
    for directory in ("build", "generated", "scripts"):
        (project / directory).mkdir()
    (project / "build" / "lib.py").write_text(RUN_ONCE, encoding="utf-8")
    (project / "generated" / "api.py").write_text(RUN_ONCE, encoding="utf-8")
    (project / "scripts" / "run_once.py").write_text(RUN_ONCE, encoding="utf-8")
    pyproject = code_block("docs/configuration.md", "toml", after="(That is for this `pyproject.toml`:)")
    (project / "pyproject.toml").write_text(pyproject, encoding="utf-8")


def with_pyproject(text: str) -> Callable[[Path], None]:
    def make(project: Path) -> None:
        USAGE_EXAMPLE(project)
        (project / "pyproject.toml").write_text(text, encoding="utf-8")

    return make


Setup = Callable[[Path], None]
# For each console block: one project for the whole session, or one per command.
PROJECTS: dict[tuple[str, int], Setup | list[Setup]] = {
    ("README.md", 1): example_program("README.md"),
    **{("docs/usage.md", number): USAGE_EXAMPLE for number in range(1, 8)},
    ("docs/configuration.md", 1): USAGE_EXAMPLE,
    ("docs/configuration.md", 2): configured_tree,
    ("docs/configuration.md", 3): configured_tree,
    ("docs/configuration.md", 4): [
        with_pyproject('[tool.mplint]\nselect = "MPL001"\n'),
        with_pyproject('[tool.mplint]\nselect = ["MPL001"\n'),
        with_pyproject('[tool.mplint]\nignore = ["MPL9"]\n'),
    ],
    ("docs/configuration.md", 5): USAGE_EXAMPLE,
    ("docs/integrations.md", 2): USAGE_EXAMPLE,
}
NOT_RUN_HERE = {
    ("docs/integrations.md", 1): "pre-commit's own output; tests/test_pre_commit.py runs the hooks",
}

ALL_SESSIONS = [session for page in PAGES for session in sessions(page)]


def run(command: Command, project: Path) -> str:
    words = shlex.split(command.line)
    stdin = stdout = None
    if "<" in words:
        stdin = project / words.pop(words.index("<") + 1)
        words.remove("<")
    if ">" in words:
        stdout = project / words.pop(words.index(">") + 1)
        words.remove(">")
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "CI_PROJECT_DIR")}
    with open(stdin or os.devnull, "rb") as source:
        completed = subprocess.run(
            [*PROGRAMS[words[0]], *words[1:]],
            cwd=project,
            env=env,
            stdin=source,
            capture_output=True,
            timeout=120,
        )
    if stdout is not None:
        stdout.write_bytes(completed.stdout)
        completed.stdout = b""
    out, err = (
        stream.decode("utf-8").replace(str(project), SHOWN_ROOT)
        for stream in (completed.stdout, completed.stderr)
    )
    # The page shows both streams as a terminal does; which comes first depends on buffering.
    return out + err if out + err == command.expected else err + out


@pytest.mark.parametrize("session", ALL_SESSIONS, ids=[session.name for session in ALL_SESSIONS])
def test_session_reproduces(session: Session, tmp_path: Path) -> None:
    key = (session.page, session.number)
    if key in NOT_RUN_HERE:
        pytest.skip(NOT_RUN_HERE[key])
    assert key in PROJECTS, f"no project for the console block {session.name}: add one to PROJECTS"
    setups = PROJECTS[key]
    for index, command in enumerate(session.commands):
        if isinstance(setups, list) or index == 0:
            project = tmp_path / f"project{index}"
            project.mkdir()
            (setups[index] if isinstance(setups, list) else setups)(project)
        assert run(command, project) == command.expected, f"{session.page}: $ {command.line}"
