"""Security: mplint never imports or runs the code it checks, parses its configuration without evaluating
it, keeps its cache as data, and writes only the files it was asked to check."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run_cli
from raw_lsp import RawServer, frame, notification, request

from mplint.workers import PARALLEL_THRESHOLD, START_METHOD_VARIABLE, available_cores

PITFALL = (
    "from multiprocessing import Process\n\n\ndef work(x):\n    print(x)\n\n\n"
    'if __name__ == "__main__":\n    p = Process(target=work, args=(1))\n    p.start()\n    p.join()\n'
)
FIXED = PITFALL.replace("args=(1)", "args=(1,)")


def test_fix_does_not_write_through_a_symlink_leaving_the_tree(tmp_path: Path) -> None:
    """A link inside the checked directory to a file outside it is checked, but --fix and --add-noqa
    leave the outside file alone (and say so); the files inside are fixed."""
    outside = tmp_path / "outside" / "shared.py"
    outside.parent.mkdir()
    outside.write_text(PITFALL)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "own.py").write_text(PITFALL)
    os.symlink(outside, tree / "link.py")
    for args in (("--fix",), ("--fix", "--unsafe-fixes"), ("--add-noqa",)):
        result = run_cli("check", "--isolated", "--no-cache", *args, "tree", cwd=tmp_path)
        assert outside.read_text() == PITFALL
        assert (tree / "link.py").is_symlink()
        assert (
            "warning: not writing tree/link.py: it is a symlink to a file outside the checked directory"
            in (result.stderr)
        )
        assert "Traceback" not in result.stderr
    assert "args=(1,)" in (tree / "own.py").read_text()
    # Named on the command line, the link is what was asked for: it is written through.
    result = run_cli("check", "--isolated", "--no-cache", "--fix", "tree/link.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert outside.read_text() == FIXED
    assert (tree / "link.py").is_symlink()


# -- never importing or running the code checked ---------------------------------------------------

SHADOWED = [
    "json",
    "tomllib",
    "tomli",
    "difflib",
    "hashlib",
    "tempfile",
    "fnmatch",
    "pickle",
    "ast",
    "tokenize",
    "typing_extensions",
    "attrs",
    "cattrs",
    "lsprotocol",
    "pygls",
    "flake8",
    "mplint_plugin",
    # imported while a worker started by spawn or forkserver (or the resource tracker) starts up
    "threading",
    "signal",
    "struct",
    "selectors",
    "socket",
    "weakref",
    "multiprocessing",
    # Python 3.10 itself imports runpy from the working directory for any ``python -m``
    *(["runpy"] if sys.version_info >= (3, 11) else []),
]
"""Modules mplint or its dependencies import, planted in the checked directory (the working directory of
the run, which ``python -m`` puts first on ``sys.path``)."""


def marker(markers: Path, name: str) -> str:
    """A line of Python that leaves a marker file named ``name`` when it runs."""
    return f"open({str(markers / name)!r}, 'w').write('ran')\n"


def plant(project: Path, markers: Path) -> None:
    """A project whose every file leaves a marker when imported or run, with pitfalls to fix."""
    project.mkdir()
    markers.mkdir()
    evil = (
        "import multiprocessing\n"
        + marker(markers, "evil")
        + "from multiprocessing import Manager, Pool, Process, Value\n\n\n"
        "def work(shared, counter):\n"
        '    shared[0]["id"] = 2\n'
        "    counter.value += 1\n\n\n"
        "with Pool() as pool:\n"
        "    pool.map(print, [1])\n"
        "manager = Manager()\n"
        "shared = manager.list([{}])\n"
        'counter = Value("i", 0)\n'
        "p = Process(target=work, args=(shared, counter))\n"
        "p.start()\n"
        "p.join()\n"
        "q = Process(target=work(shared, counter), args=(shared))\n"
        "value = 1  # noqa: MPL001\n"
        'if __name__ == "__main__":\n    ' + marker(markers, "evil_main")
    )
    (project / "evil.py").write_text(evil)
    (project / "pkg").mkdir()
    (project / "pkg" / "__init__.py").write_text("import multiprocessing\n" + marker(markers, "package_init"))
    (project / "pkg" / "mod.py").write_text(
        "from . import *\nimport multiprocessing\n" + marker(markers, "mod")
    )
    (project / "conftest.py").write_text("import multiprocessing\n" + marker(markers, "conftest"))
    (project / "setup.py").write_text("import multiprocessing\n" + marker(markers, "setup"))
    (project / "__main__.py").write_text("import multiprocessing\n" + marker(markers, "main"))
    for name in ("sitecustomize", "usercustomize", *SHADOWED):
        (project / f"{name}.py").write_text(marker(markers, f"module_{name}"))
    (project / "libcst").mkdir()
    (project / "libcst" / "__init__.py").write_text(marker(markers, "package_libcst"))
    for index in range(PARALLEL_THRESHOLD):  # enough files to check that workers start
        (project / f"job_{index}.py").write_text(PITFALL)
    (project / "concurrent").mkdir()
    (project / "concurrent" / "__init__.py").write_text(marker(markers, "package_concurrent"))
    (project / "evil.pth").write_text("import os; " + marker(markers, "pth"))
    touch = f"touch {markers / 'shell'}"
    (project / "pyproject.toml").write_text(
        "[tool.mplint]\n"
        f'extend-exclude = ["$({touch})", "`{touch}`", "; {touch}"]\n'
        f"[tool.mplint.per-file-ignores]\n\"__import__('os').system('{touch}')\" = [\"MPL001\"]\n"
    )


def mplint_commands() -> list[list[str]]:
    """``python -m mplint`` and the installed ``mplint`` script."""
    script = Path(sys.executable).parent / "mplint"
    assert script.exists(), "the mplint script is installed beside the interpreter"
    return [[sys.executable, "-m", "mplint"], [str(script)]]


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("start_method", multiprocessing.get_all_start_methods())
def test_checking_and_fixing_never_run_the_code(start_method: str, tmp_path: Path) -> None:
    """With every start method of the workers (fork is the default on Linux only)."""
    if available_cores() < 2:
        pytest.skip("one core: files are checked without workers")
    env = {START_METHOD_VARIABLE: start_method}
    project, markers = tmp_path / "project", tmp_path / "markers"
    for command in mplint_commands():
        plant(project, markers)
        for args in (
            ["check", "."],
            ["check", "--no-cache", "--output-format", "json", "--statistics", "."],
            ["check", "--diff", "--unsafe-fixes", "."],
            ["check", "--add-noqa", "conftest.py"],
            ["check", "--fix", "."],
            ["check", "--fix", "--unsafe-fixes", "."],
            ["check", "--show-settings", "evil.py"],
            ["check", "--show-files", "."],
            ["rule", "--all"],
        ):
            result = run([*command, *args], project, env)
            assert "Traceback" not in result.stderr, result.stderr
            assert "internal error" not in result.stderr, result.stderr
            assert sorted(os.listdir(markers)) == [], (command, args)
        fixed = (project / "evil.py").read_text()
        assert 'if __name__ == "__main__":' in fixed.split("with Pool()")[0]  # the guard fix ran
        assert "args=(shared,)" in fixed
        shutil.rmtree(project)
        shutil.rmtree(markers)


def test_the_flake8_plugin_never_runs_the_code(tmp_path: Path) -> None:
    project, markers = tmp_path / "project", tmp_path / "markers"
    plant(project, markers)
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "MPL", str(project)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "MPL001" in result.stdout, result.stderr
    assert sorted(os.listdir(markers)) == []


def test_the_server_never_runs_the_code(tmp_path: Path) -> None:
    project, markers = tmp_path / "project", tmp_path / "markers"
    plant(project, markers)
    uri = (project / "evil.py").as_uri()
    server = RawServer(cwd=project)
    try:
        server.send(
            frame(request(1, "initialize", {"capabilities": {}, "rootUri": project.as_uri()}))
            + frame(notification("initialized"))
        )
        assert "result" in server.response(1)
        server.send(
            frame(
                notification(
                    "textDocument/didOpen",
                    {
                        "textDocument": {
                            "uri": uri,
                            "languageId": "python",
                            "version": 1,
                            "text": (project / "evil.py").read_text(),
                        }
                    },
                )
            )
        )
        everything = {"start": {"line": 0, "character": 0}, "end": {"line": 40, "character": 0}}
        server.send(
            frame(
                request(
                    2,
                    "textDocument/codeAction",
                    {"textDocument": {"uri": uri}, "range": everything, "context": {"diagnostics": []}},
                )
            )
        )
        actions = server.response(2)["result"]
        assert any(action["kind"] == "source.fixAll.mplint" for action in actions)
        server.send(
            frame(
                notification(
                    "workspace/didChangeWatchedFiles",
                    {"changes": [{"uri": (project / "pyproject.toml").as_uri(), "type": 2}]},
                )
            )
        )
        server.send(
            frame(
                request(
                    3,
                    "textDocument/hover",
                    {"textDocument": {"uri": uri}, "position": {"line": 5, "character": 6}},
                )
            )
        )
        assert "result" in server.response(3)
        assert server.finish() == 0
    finally:
        server.kill()
    assert sorted(os.listdir(markers)) == []


INJECTIONS = {
    "selector": "select = [\"__import__('os').system('touch {marker}')\"]\n",
    "extend a Python file": 'extend = "evil.py"\n',
    "boolean as code": "unsafe-fixes = \"__import__('os').system('touch {marker}')\"\n",
    "output format": 'output-format = "$(touch {marker})"\n',
    "start methods": 'start-methods = ["`touch {marker}`"]\n',
    "TOML that is Python": "import os; os.system('touch {marker}')\n",
}


@pytest.mark.parametrize("name", sorted(INJECTIONS))
def test_configuration_is_parsed_never_evaluated(name: str, tmp_path: Path) -> None:
    project, markers = tmp_path / "project", tmp_path / "markers"
    plant(project, markers)
    (project / "mplint.toml").write_text(INJECTIONS[name].format(marker=markers / "config"))
    result = run([sys.executable, "-m", "mplint", "check", "--fix", "."], project)
    assert result.returncode == 2
    named = "evil.py" if name == "extend a Python file" else "mplint.toml"
    assert result.stderr.startswith(f"error: {named}: "), result.stderr
    assert result.stderr.count("\n") == 1
    assert sorted(os.listdir(markers)) == []


def test_the_cache_is_data(tmp_path: Path) -> None:
    """Cache entries replaced by a pickle that would leave a marker when loaded are ignored as invalid
    JSON: the report is the same and nothing runs."""
    project, markers = tmp_path / "project", tmp_path / "markers"
    plant(project, markers)
    command = [sys.executable, "-m", "mplint", "check", "--output-format", "concise", "."]
    first = run(command, project)
    entries = list((project / ".mplint_cache").rglob("*.json"))
    assert entries
    payload = b"c__builtin__\nopen\n(S'" + str(markers / "pickle").encode() + b"'\nS'w'\ntR."
    for entry in entries:
        entry.write_bytes(payload)
    again = run(command, project)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)
    assert sorted(os.listdir(markers)) == []


def test_fix_writes_only_the_files_it_was_asked_to_check(tmp_path: Path) -> None:
    for name in ("named.py", "sibling.py", "excluded.py", "sub/nested.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(PITFALL)
        os.utime(tmp_path / name, ns=(10**18, 10**18))
    (tmp_path / "mplint.toml").write_text('extend-exclude = ["excluded.py"]\n')
    before = {name: (tmp_path / name).stat() for name in ("sibling.py", "excluded.py", "sub/nested.py")}
    result = run_cli("check", "--no-cache", "--fix", "named.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "named.py").read_text() == FIXED
    result = run_cli("check", "--no-cache", "--fix", "sub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sub/nested.py").read_text() == FIXED
    result = run_cli("check", "--no-cache", "--fix", "--force-exclude", "excluded.py", ".", cwd=tmp_path)
    for name, info in before.items():
        after = (tmp_path / name).stat()
        if name == "excluded.py":
            assert (tmp_path / name).read_text() == PITFALL
            assert (after.st_mtime_ns, after.st_ino) == (info.st_mtime_ns, info.st_ino)
    assert (tmp_path / "sibling.py").read_text() == FIXED
