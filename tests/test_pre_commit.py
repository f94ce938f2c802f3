"""The pre-commit hooks, run by the real ``pre-commit`` on a repository with a buggy program: through
``try-repo``, and in the two forms the README prints (its ``try-repo`` line and its
``.pre-commit-config.yaml``, with this repository and its HEAD commit for the placeholders).

pre-commit installs mplint from this repository's HEAD commit into an environment of its own
(under a temporary PRE_COMMIT_HOME, shared by the tests of this module); the hook definitions in
``.pre-commit-hooks.yaml`` must therefore be committed for changes to them to be tested.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

BUGGY = """\
from multiprocessing import Manager, Process


def test_manager(m):
    m[0]["id"] = 2


if __name__ == "__main__":
    with Manager() as manager:
        m = manager.list()
        m.append({"id": 1})
        p = Process(target=test_manager, args=(m,))
        p.start()
        p.join()
        print(m[0])
"""
FIXED = BUGGY.replace('    m[0]["id"] = 2\n', '    tmp = m[0]\n    tmp["id"] = 2\n    m[0] = tmp\n')


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    git("init", "-q", cwd=tmp_path)
    (tmp_path / "example.py").write_text(BUGGY, encoding="utf-8")
    git("add", "example.py", cwd=tmp_path)
    return tmp_path


def pre_commit(args: list[str], project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "PRE_COMMIT_COLOR": "never",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def try_repo(hook: str, project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    head = git("rev-parse", "HEAD", cwd=REPO_ROOT)
    args = ["try-repo", str(REPO_ROOT), hook, "--ref", head, "--all-files", "--color", "never"]
    return pre_commit(args, project, home)


def readme_pre_commit_section() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return readme[readme.index("\n## pre-commit\n") : readme.index("\n## CI\n")]


def fill_placeholders(text: str) -> str:
    """The README's placeholders for this repository: its path, and its HEAD commit."""
    head = git("rev-parse", "HEAD", cwd=REPO_ROOT)
    return text.replace("PATH_OR_URL", str(REPO_ROOT)).replace("COMMIT", head)


def test_readme_forms_work_as_printed(project: Path, pre_commit_home: Path) -> None:
    section = readme_pre_commit_section()
    (line,) = re.findall(r"^pre-commit try-repo .*$", section, re.M)
    tried = pre_commit(shlex.split(fill_placeholders(line))[1:], project, pre_commit_home)
    assert tried.returncode == 1, tried.stdout + tried.stderr
    assert "- files were modified by this hook" in tried.stdout
    assert (project / "example.py").read_text(encoding="utf-8") == FIXED

    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match is not None
    assert "rev: COMMIT" in match.group(1)
    (project / ".pre-commit-config.yaml").write_text(fill_placeholders(match.group(1)), encoding="utf-8")
    (project / "example.py").write_text(BUGGY, encoding="utf-8")
    git("add", ".pre-commit-config.yaml", "example.py", cwd=project)
    fixed = pre_commit(["run", "--all-files", "--color", "never"], project, pre_commit_home)
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert "Found 1 error (1 fixed, 0 remaining)." in fixed.stdout
    assert (project / "example.py").read_text(encoding="utf-8") == FIXED
    again = pre_commit(["run", "--all-files", "--color", "never"], project, pre_commit_home)
    assert again.returncode == 0 and "Passed" in again.stdout, again.stdout + again.stderr


def test_check_hook_fails_then_fix_hook_repairs(project: Path, pre_commit_home: Path) -> None:
    check = try_repo("mplint", project, pre_commit_home)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "- hook id: mplint\n" in check.stdout
    assert "example.py:5:5: MPL001 [*] `m[0]` is a copy read out of a manager proxy" in check.stdout
    assert "Found 1 error." in check.stdout
    assert (project / "example.py").read_text(encoding="utf-8") == BUGGY

    fix = try_repo("mplint-fix", project, pre_commit_home)
    assert fix.returncode == 1, fix.stdout + fix.stderr
    assert "- hook id: mplint-fix\n" in fix.stdout
    assert "- files were modified by this hook" in fix.stdout
    assert "Found 1 error (1 fixed, 0 remaining)." in fix.stdout
    assert (project / "example.py").read_text(encoding="utf-8") == FIXED

    again = try_repo("mplint", project, pre_commit_home)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "mplint" in again.stdout and "Passed" in again.stdout
