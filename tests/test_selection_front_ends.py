"""The same layers of rule selection resolve to the same rules through every front end: a configuration
file read by the CLI, the CLI's flags over it, the language server's client settings over it, and the
flake8 plugin. Ruff's precedence: within a layer the more specific selector wins (an ``ignore`` beats a
``select`` of the same specificity); a later layer overrides an earlier one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mplint import flake8_plugin
from mplint.rules import ALL_CODES
from mplint.server.settings import parse_client_settings
from mplint.server.workspace_config import WorkspaceConfig

Layer = dict[str, list[str]]

TRAP = Path(__file__).resolve().parent.parent / "fixtures" / "documents" / "trap_buggy.py"
"""A program on which mplint reports MPL001 (and MPL003)."""

MPL0 = frozenset(code for code in ALL_CODES if code.startswith("MPL0"))

CASES: list[tuple[str, Layer, Layer | None, frozenset[str]]] = [
    (
        "exact select beats prefix ignore",
        {"select": ["MPL001"], "ignore": ["MPL0"]},
        None,
        frozenset({"MPL001"}),
    ),
    ("exact ignore beats prefix select", {"select": ["MPL0"], "ignore": ["MPL001"]}, None, MPL0 - {"MPL001"}),
    (
        "same selector: ignore wins",
        {"select": ["MPL001", "MPL002"], "ignore": ["MPL002"]},
        None,
        frozenset({"MPL001"}),
    ),
    (
        "exact extend-select beats prefix ignore",
        {"extend-select": ["MPL001"], "ignore": ["MPL0"]},
        None,
        frozenset(ALL_CODES) - MPL0 | {"MPL001"},
    ),
    (
        "later layer re-enables what the first ignored",
        {"ignore": ["MPL001"]},
        {"extend-select": ["MPL001"]},
        frozenset(ALL_CODES),
    ),
    (
        "later layer: exact extend-select beats its own prefix ignore",
        {"select": ["MPL0"]},
        {"extend-select": ["MPL001"], "ignore": ["MPL0"]},
        frozenset({"MPL001"}),
    ),
    (
        "later layer: exact select beats its own prefix ignore",
        {"ignore": ["MPL002"]},
        {"select": ["MPL001"], "ignore": ["MPL0"]},
        frozenset({"MPL001"}),
    ),
]

IDS = [case[0] for case in CASES]

ONE_LAYER = [case for case in CASES if case[2] is None]
"""The cases a front end that gives one layer (the command line's flags, the client's settings, the flake8
plugin's file) can express."""
ONE_LAYER_IDS = [case[0] for case in ONE_LAYER]


def write_config(root: Path, layer: Layer) -> Path:
    lines = ["[tool.mplint]", *(f"{key} = {json.dumps(value)}" for key, value in layer.items())]
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = root / "a.py"
    source.write_text("import multiprocessing\n", encoding="utf-8")
    return source


def cli_enabled(root: Path, *flags: str) -> frozenset[str]:
    result = subprocess.run(
        [sys.executable, "-m", "mplint", "check", "--show-settings", *flags, "a.py"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("select = "))
    return frozenset(json.loads(line.removeprefix("select = ")))


def cli_flags(layer: Layer) -> list[str]:
    return [f"--{key}={','.join(value)}" for key, value in layer.items()]


def client_settings(layer: Layer) -> dict[str, list[str]]:
    names = {"select": "select", "extend-select": "extendSelect", "ignore": "ignore"}
    return {names[key]: value for key, value in layer.items()}


@pytest.mark.parametrize(("name", "first", "second", "expected"), CASES, ids=IDS)
def test_cli_flags_over_a_configuration_file(
    tmp_path: Path, name: str, first: Layer, second: Layer | None, expected: frozenset[str]
) -> None:
    write_config(tmp_path, first)
    assert cli_enabled(tmp_path, *cli_flags(second or {})) == expected


@pytest.mark.parametrize(("name", "first", "second", "expected"), ONE_LAYER, ids=ONE_LAYER_IDS)
def test_cli_flags_alone(
    tmp_path: Path, name: str, first: Layer, second: Layer | None, expected: frozenset[str]
) -> None:
    write_config(tmp_path, {})
    assert cli_enabled(tmp_path, "--isolated", *cli_flags(first)) == expected


@pytest.mark.parametrize(("name", "first", "second", "expected"), CASES, ids=IDS)
def test_server_client_settings_over_a_configuration_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    first: Layer,
    second: Layer | None,
    expected: frozenset[str],
) -> None:
    source = write_config(tmp_path, first)
    monkeypatch.chdir(tmp_path)
    base = WorkspaceConfig().settings_for(str(source))
    assert parse_client_settings(client_settings(second or {})).apply(base).select == expected


@pytest.mark.parametrize(("name", "first", "second", "expected"), ONE_LAYER, ids=ONE_LAYER_IDS)
def test_server_client_settings_alone(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    first: Layer,
    second: Layer | None,
    expected: frozenset[str],
) -> None:
    source = write_config(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    base = WorkspaceConfig().settings_for(str(source))
    assert parse_client_settings(client_settings(first)).apply(base).select == expected


@pytest.mark.parametrize(("name", "first", "second", "expected"), ONE_LAYER, ids=ONE_LAYER_IDS)
def test_flake8_plugin_reads_the_configuration_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    first: Layer,
    second: Layer | None,
    expected: frozenset[str],
) -> None:
    source = write_config(tmp_path, first)
    monkeypatch.chdir(tmp_path)
    flake8_plugin._resolver.cache_clear()
    try:
        assert flake8_plugin.settings_for(str(source)).select == expected
    finally:
        flake8_plugin._resolver.cache_clear()


@pytest.mark.parametrize(
    ("flags", "reported"),
    [(["--select", "MPL001", "--ignore", "MPL0"], True), (["--select", "MPL0", "--ignore", "MPL001"], False)],
)
def test_flake8_options_follow_the_same_precedence(tmp_path: Path, flags: list[str], reported: bool) -> None:
    """flake8's own ``--select``/``--ignore`` over the plugin's codes: the more specific wins there too."""
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *flags, str(TRAP)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (" MPL001 " in result.stdout) is reported, result.stdout + result.stderr
