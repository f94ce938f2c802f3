"""The Ruff options people reach for: ``--ignore-noqa``, ``-s``, ``--fixable``/``--unfixable``/
``--extend-fixable``, ``--no-fix``, ``--extend-per-file-ignores``, ``--config KEY=VALUE``, the
``MPLINT_*`` variables, ``version``/``-V``, the warning for no files, ``rdjson``, ``clean``,
``--statistics``, ``# flake8: noqa`` and ``--show-settings``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import PROXY, UNGUARDED, run_cli

from mplint import __version__

NO_FILES = "warning: No Python files found under the given path(s)\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def diagnostics(project: Path, *args: str, env: dict[str, str] | None = None) -> list[dict[str, object]]:
    result = run_cli("check", "--no-cache", "--output-format", "json", *args, cwd=project, env=env)
    assert result.returncode in (0, 1), result.stderr
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def codes(project: Path, *args: str) -> list[tuple[str, str]]:
    return sorted(
        (Path(str(item["filename"])).name, str(item["code"])) for item in diagnostics(project, *args)
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "app.py", PROXY)
    write(tmp_path / "script.py", UNGUARDED)
    return tmp_path


def test_ignore_noqa(project: Path) -> None:
    write(project / "app.py", PROXY.replace("= 2\n", "= 2  # noqa: MPL001\n"))
    write(project / "script.py", "# mplint: noqa\n" + UNGUARDED)
    assert codes(project) == []
    assert codes(project, "--ignore-noqa") == [("app.py", "MPL001"), ("script.py", "MPL002")]


def test_silent_prints_nothing_but_keeps_the_exit_code(project: Path) -> None:
    result = run_cli("check", "--silent", cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "")
    empty = run_cli("check", "-s", "empty", cwd=write(project / "empty" / "x.txt", "").parent.parent)
    assert (empty.returncode, empty.stdout, empty.stderr) == (0, "", "")
    missing = run_cli("check", "-s", "nowhere", cwd=project)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: ")


def fixes(project: Path, *args: str) -> dict[str, bool]:
    return {str(item["code"]): item["fix"] is not None for item in diagnostics(project, *args)}


def test_fixable_unfixable_and_extend_fixable(project: Path) -> None:
    assert fixes(project) == {"MPL001": True, "MPL002": True}
    assert fixes(project, "--unfixable", "MPL001") == {"MPL001": False, "MPL002": True}
    assert fixes(project, "--fixable", "MPL002") == {"MPL001": False, "MPL002": True}
    assert fixes(project, "--fixable", "MPL002", "--extend-fixable", "proxy-nested-mutation") == {
        "MPL001": True,
        "MPL002": True,
    }
    # The more specific selector wins, as in select/ignore.
    assert fixes(project, "--unfixable", "ALL", "--extend-fixable", "MPL001") == {
        "MPL001": True,
        "MPL002": False,
    }
    write(project / "mplint.toml", 'unfixable = ["MPL00"]\nextend-fixable = ["MPL002"]\n')
    assert fixes(project) == {"MPL001": False, "MPL002": True}
    write(project / "mplint.toml", 'fixable = ["MPL002"]\n')
    assert fixes(project) == {"MPL001": False, "MPL002": True}
    # An unfixable rule is not fixed by --fix, and is not counted as fixable.
    result = run_cli("check", "--fix", "--unsafe-fixes", "--no-cache", "app.py", cwd=project)
    assert result.returncode == 1
    assert (project / "app.py").read_text(encoding="utf-8") == PROXY
    assert "fixable" not in result.stdout


def test_fix_in_the_configuration_and_no_fix(project: Path) -> None:
    write(project / "mplint.toml", "fix = true\n")
    unfixed = run_cli("check", "--no-fix", "--no-cache", cwd=project)
    assert unfixed.returncode == 1
    assert (project / "app.py").read_text(encoding="utf-8") == PROXY
    fixed = run_cli("check", "--no-cache", cwd=project)
    assert "Found 2 errors (1 fixed, 1 remaining)." in fixed.stdout
    assert "tmp = m[0]" in (project / "app.py").read_text(encoding="utf-8")
    # The last of --fix and --no-fix wins.
    write(project / "app.py", PROXY)
    run_cli("check", "--fix", "--no-fix", "--no-cache", cwd=project)
    assert (project / "app.py").read_text(encoding="utf-8") == PROXY


def test_extend_per_file_ignores(project: Path) -> None:
    write(project / "mplint.toml", '[per-file-ignores]\n"app.py" = ["MPL001"]\n')
    assert codes(project) == [("script.py", "MPL002")]
    assert codes(project, "--extend-per-file-ignores", "script.py:MPL002") == []
    assert codes(project, "--per-file-ignores", "script.py:MPL002") == [("app.py", "MPL001")]
    write(project / "mplint.toml", '[extend-per-file-ignores]\n"script.py" = ["MPL002"]\n')
    assert codes(project) == [("app.py", "MPL001")]


def test_inline_config_overrides(project: Path) -> None:
    write(project / "mplint.toml", 'select = ["MPL001"]\n')
    assert codes(project) == [("app.py", "MPL001")]
    assert codes(project, "--config", 'select = ["MPL002"]') == [("script.py", "MPL002")]
    # A file and overrides together: the overrides beat the file; flags beat the overrides.
    write(project / "other.toml", 'select = ["MPL001", "MPL002"]\n')
    assert codes(project, "--config", "other.toml", "--config", "ignore = ['MPL001']") == [
        ("script.py", "MPL002")
    ]
    assert codes(project, "--config", "ignore = ['MPL001']", "--select", "MPL001") == [("app.py", "MPL001")]
    # Dotted keys and globs relative to the working directory.
    assert codes(project, "--config", 'per-file-ignores."app.py" = ["MPL001"]') == []


def test_environment_variables(project: Path) -> None:
    assert diagnostics(project, env={"MPLINT_OUTPUT_FORMAT": "concise"})  # the flag beats it
    concise = run_cli("check", cwd=project, env={"MPLINT_OUTPUT_FORMAT": "concise", "MPLINT_NO_CACHE": "1"})
    assert concise.stdout.startswith("app.py:5:5: MPL001 [*] ")
    bad = run_cli("check", cwd=project, env={"MPLINT_OUTPUT_FORMAT": "xml"})
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: invalid value 'xml' for '--output-format'")
    assert not (project / ".mplint_cache").exists()
    run_cli("check", cwd=project, env={"MPLINT_CACHE_DIR": str(project / "elsewhere")})
    assert (project / "elsewhere" / "CACHEDIR.TAG").is_file()
    assert not (project / ".mplint_cache").exists()
    run_cli("check", cwd=project, env={"MPLINT_NO_CACHE": "false"})
    assert (project / ".mplint_cache").is_dir()
    cleaned = run_cli("clean", cwd=project, env={"MPLINT_CACHE_DIR": str(project / "elsewhere")})
    assert not (project / "elsewhere").exists()
    assert "Removing cache at: elsewhere" in cleaned.stderr


def test_version(project: Path) -> None:
    for args in (("version",), ("-V",), ("--version",)):
        result = run_cli(*args, cwd=project)
        assert (result.returncode, result.stdout) == (0, f"mplint {__version__}\n")
    data = json.loads(run_cli("version", "--output-format", "json", cwd=project).stdout)
    assert data == {"version": __version__}


def test_no_python_files_found(project: Path) -> None:
    write(project / "docs" / "notes.txt", "")
    for args in (("docs",), ("--extend-exclude", "*.py", ".")):
        result = run_cli("check", *args, cwd=project)
        assert (result.returncode, result.stdout, result.stderr) == (0, "All checks passed!\n", NO_FILES)
    json_output = run_cli("check", "--output-format", "json", "docs", cwd=project)
    assert (json_output.stdout, json_output.stderr) == ("[]\n", NO_FILES)
    assert run_cli("check", "app.py", cwd=project).stderr == ""
    show_files = run_cli("check", "--show-files", "docs", cwd=project)
    assert (show_files.returncode, show_files.stdout, show_files.stderr) == (0, "", NO_FILES)


def test_rdjson(project: Path) -> None:
    write(project / "app.py", PROXY.replace('    m[0]["id"] = 2', '    s = "é€"; m[0]["id"] = 2'))
    result = run_cli("check", "--output-format", "rdjson", "--no-cache", "app.py", cwd=project)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["source"] == {"name": "mplint"}
    (diagnostic,) = document["diagnostics"]
    assert set(diagnostic) == {"message", "location", "severity", "code", "suggestions"}
    assert diagnostic["severity"] == "ERROR"
    assert diagnostic["code"]["value"] == "MPL001"
    assert diagnostic["code"]["url"].endswith("#proxy-nested-mutation-mpl001")
    assert diagnostic["location"]["path"] == "app.py"
    # Columns count UTF-8 bytes: `s = "é€"; ` is 10 characters and 13 bytes.
    start = diagnostic["location"]["range"]["start"]
    assert start == {"line": 5, "column": 5 + 13}
    assert diagnostic["suggestions"][0]["text"].startswith("tmp = m[0]")


def test_clean_is_recursive_and_talkative(project: Path) -> None:
    for directory in (project, project / "sub", project / "sub" / "deeper"):
        write(directory / "x.py", PROXY)
        run_cli("check", "x.py", cwd=directory)
        assert (directory / ".mplint_cache" / "CACHEDIR.TAG").is_file()
    impostor = write(project / "data" / ".mplint_cache" / "keep.txt", "mine")
    result = run_cli("clean", cwd=project)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "Removing cache at: .mplint_cache",
        "Removing cache at: sub/.mplint_cache",
        "Removing cache at: sub/deeper/.mplint_cache",
    ]
    assert not any(project.rglob("CACHEDIR.TAG"))
    assert impostor.read_text() == "mine"
    assert run_cli("clean", cwd=project).stderr == "No cache found.\n"
    not_a_cache = run_cli("clean", "--cache-dir", "data", cwd=project)
    assert not_a_cache.stderr.startswith("warning: not removing data: it is not an mplint cache")
    assert impostor.exists()


def test_statistics_total_line_and_fixable_count(project: Path) -> None:
    write(project / "more.py", PROXY)
    result = run_cli("check", "--statistics", "--no-cache", cwd=project)
    assert result.stdout.splitlines() == [
        "2\tMPL001\t[*] proxy-nested-mutation",
        "1\tMPL002\t[ ] missing-main-guard",
        "Found 3 errors.",
        "[*] 2 fixable with the --fix option (1 hidden fix can be enabled with the --unsafe-fixes option).",
    ]
    data = json.loads(run_cli("check", "--statistics", "--output-format", "json", cwd=project).stdout)
    assert data == [
        {"code": "MPL001", "name": "proxy-nested-mutation", "count": 2, "fixable": True, "fixable_count": 2},
        {"code": "MPL002", "name": "missing-main-guard", "count": 1, "fixable": False, "fixable_count": 0},
    ]


def test_flake8_file_level_noqa(project: Path) -> None:
    write(project / "app.py", "# flake8: noqa\n" + PROXY)
    write(project / "script.py", "# flake8: noqa: MPL002, E501\n" + UNGUARDED)
    assert codes(project) == []
    write(project / "script.py", "# flake8: noqa: MPL001, E501\n" + UNGUARDED)
    found = diagnostics(project, "script.py")
    assert [item["code"] for item in found] == ["MPL100", "MPL002"]
    run_cli("check", "--fix", "--no-cache", "script.py", cwd=project)
    assert (project / "script.py").read_text(encoding="utf-8").startswith("# flake8: noqa: E501\n")


def test_show_settings_prints_a_configuration_one_could_write(project: Path) -> None:
    write(
        project / "mplint.toml",
        'unfixable = ["MPL002"]\nfix = true\nbaseline = "b.json"\n[severity]\nMPL0 = "info"\n',
    )
    result = run_cli("check", "--show-settings", "app.py", cwd=project)
    assert result.returncode == 0, result.stderr
    body = result.stdout.split("\n\n", 1)[1]
    assert 'fixable = ["MPL000", "MPL001", "MPL003",' in body
    assert "fix = true\n" in body
    assert 'severity = { MPL000 = "info", ' in body
    assert 'MPL100 = "warning" }' in body
    assert 'baseline = "b.json"' in body
    # Every line is a setting mplint accepts as it is: read back, it gives the same settings.
    write(project / "printed.toml", body)
    again = run_cli("check", "--show-settings", "--config", "printed.toml", "app.py", cwd=project)
    assert again.returncode == 0, again.stderr
    assert again.stdout.split("\n\n", 1)[1] == body


def test_help_lists_the_new_options(project: Path) -> None:
    text = run_cli("check", "--help", cwd=project).stdout
    for option in (
        "--ignore-noqa",
        "--silent",
        "--fixable",
        "--unfixable",
        "--extend-fixable",
        "--no-fix",
        "--extend-per-file-ignores",
        "--baseline",
        "--update-baseline",
        "--watch",
        "MPLINT_CACHE_DIR",
        "MPLINT_OUTPUT_FORMAT",
        "MPLINT_NO_CACHE",
        "rdjson",
        "KEY = VALUE",
    ):
        assert option in text, option
    assert "version" in run_cli("--help", cwd=project).stdout
