"""The pre-commit hooks, run by the real ``pre-commit try-repo`` on a repository with a buggy program.

pre-commit installs mplint from this repository's HEAD commit into an environment of its own
(under a temporary PRE_COMMIT_HOME, shared by the tests of this module); the hook definitions in
``.pre-commit-hooks.yaml`` must therefore be committed for changes to them to be tested.
"""

from __future__ import annotations

import os
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


def try_repo(hook: str, project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "PRE_COMMIT_COLOR": "never",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    head = git("rev-parse", "HEAD", cwd=REPO_ROOT)
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO_ROOT), hook]
    return subprocess.run(
        [*command, "--ref", head, "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


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
