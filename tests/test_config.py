"""Configuration files, globs, gitignore matching, rule selection layers and per-file settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mplint.diagnostics import Applicability, Diagnostic, Fix, Location
from mplint.fix_safety import adjust_fix_safety
from mplint.fixer import fix_text
from mplint.rules import ALL_CODES
from mplint.settings import Settings
from mplint.workspace.config import Resolver, resolve_settings
from mplint.workspace.config_file import ConfigError, Selection, config_in, read_config
from mplint.workspace.gitignore import GitIgnore
from mplint.workspace.globs import GlobError, compile_glob
from mplint.workspace.selection import default_settings, resolve_fix_safety, resolve_layers

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ALL = frozenset(ALL_CODES)
UNGUARDED = (
    "from multiprocessing import Process\n\n\ndef work():\n    pass\n\n\n"
    "p = Process(target=work)\np.start()\np.join()\n"
)  # MPL002, with an unsafe fix
PROXY = (
    'from multiprocessing import Manager, Process\n\n\ndef work(m):\n    m[0]["id"] = 2\n\n\n'
    'if __name__ == "__main__":\n    with Manager() as manager:\n        m = manager.list()\n'
    "        p = Process(target=work, args=(m,))\n        p.start()\n        p.join()\n"
)  # MPL001, with a safe fix


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)


# -- globs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "expected"),
    [
        ("build", "build", True, True),
        ("build", "src/build", True, True),
        ("build", "src/build.py", False, False),
        ("*.py", "a.py", False, True),
        ("*.py", "deep/down/a.py", False, True),
        ("src/*.py", "src/a.py", False, True),
        ("src/*.py", "src/sub/a.py", False, False),
        ("src/*.py", "lib/src/a.py", False, False),
        ("/top.py", "top.py", False, True),
        ("/top.py", "sub/top.py", False, False),
        ("gen/", "gen", True, True),
        ("gen/", "gen", False, False),
        ("**/cache", "a/b/cache", True, True),
        ("**/cache", "cache", True, True),
        ("a/**/b.py", "a/b.py", False, True),
        ("a/**/b.py", "a/x/y/b.py", False, True),
        ("a/**", "a/x/y.py", False, True),
        ("a/**", "a", True, False),
        ("f?o.py", "foo.py", False, True),
        ("f?o.py", "f/o.py", False, False),
        ("[ab].py", "b.py", False, True),
        ("[!ab].py", "c.py", False, True),
        ("[!ab].py", "a.py", False, False),
        ("x[!a]y", "x/y", False, False),
        ("\\#hash.py", "#hash.py", False, True),
        ("a*b", "a/b", False, False),
    ],
)
def test_glob_matching(pattern: str, path: str, is_dir: bool, expected: bool) -> None:
    assert compile_glob(pattern).matches(path, is_dir) is expected


@pytest.mark.parametrize(
    "pattern", ["*.py", "build", "gen/", "f?o.py", "**", "a**b", "\\#x", "{a,b}.py", "[ab].py", "x[!a]y"]
)
def test_name_patterns_match_on_the_last_component_alone(pattern: str) -> None:
    glob = compile_glob(pattern, braces=True)
    assert (glob.name_automaton is None) == ("[" in pattern)
    paths = [
        "a.py",
        "d/a.py",
        "foo.py",
        "d/build",
        "build/x",
        "gen",
        "x/gen",
        "ab",
        "a/b",
        "#x",
        "b.py",
        "x/y",
    ]
    for path in paths:
        for is_dir in (False, True):
            expected = glob.matches(path, is_dir)
            if glob.name_automaton is not None:
                assert glob.matches_name(path.rsplit("/", 1)[-1], is_dir) is expected, (path, is_dir)


def test_braces_only_in_configuration_globs() -> None:
    glob = compile_glob("{tests,docs}/*.py", braces=True)
    assert glob.matches("tests/a.py", False) and glob.matches("docs/b.py", False)
    assert not glob.matches("src/a.py", False)
    assert compile_glob("{a,b}.py").matches("{a,b}.py", False)


def test_negated_glob() -> None:
    glob = compile_glob("!tests/*")
    assert glob.negated and glob.matches("tests/a.py", False)


@pytest.mark.parametrize("pattern", ["", "!", "/", "[abc", "a\\", "{a,b"])
def test_invalid_globs(pattern: str) -> None:
    with pytest.raises(GlobError, match="invalid glob"):
        compile_glob(pattern, braces=True)


# -- gitignore, checked against git itself ----------------------------------------------------------


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    ).stdout


GITIGNORE_TREE = {
    ".gitignore": "# comment\n*.log\nbuild/\n/root_only.py\ndocs/**/gen_*.py\n!keep.log\nspace\\ \n",
    "pkg/.gitignore": "local.py\n!important.log\n*.tmp\nsub/\n",
    "pkg/sub2/.gitignore": "!local.py\n",
    ".git/info/exclude": "secret_*\n",
    # git ends a line at LF alone (dropping a CR before it): a form feed is part of the pattern
    "pkg/sub3/.gitignore": "crlf.py\r\nform\x0cfeed.py\n",
}
GITIGNORE_FILES = [
    "a.py",
    "a.log",
    "keep.log",
    "root_only.py",
    "pkg/root_only.py",
    "build/x.py",
    "pkg/build/x.py",
    "build.py",
    "docs/gen_a.py",
    "docs/api/gen_b.py",
    "docs/api/deep/gen_c.py",
    "docs/api/other.py",
    "pkg/local.py",
    "pkg/important.log",
    "pkg/other.log",
    "pkg/x.tmp",
    "pkg/sub/a.py",
    "pkg/sub2/local.py",
    "pkg/sub2/x.tmp",
    "local.py",
    "secret_key.py",
    "pkg/secret_thing.py",
    "space ",
    "pkg/sub3/crlf.py",
    "pkg/sub3/feed.py",
]


def test_gitignore_agrees_with_git(tmp_path: Path) -> None:
    git("init", "-q", cwd=tmp_path)
    for name, text in GITIGNORE_TREE.items():
        write(tmp_path / name, text)
    for name in GITIGNORE_FILES:
        write(tmp_path / name, "x = 1\n")
    ignored_by_git = set(git("check-ignore", *GITIGNORE_FILES, cwd=tmp_path).splitlines())
    assert ignored_by_git  # the tree exercises both outcomes
    gitignore = GitIgnore()
    for name in GITIGNORE_FILES:
        path = tmp_path / name
        # a walk never enters an ignored directory, so an ignored parent ignores the file
        chain = [path, *[parent for parent in path.parents if len(parent.parts) > len(tmp_path.parts)]]
        ours = any(gitignore.match(item, item.is_dir()) is not None for item in chain)
        assert ours == (name in ignored_by_git), name


def test_gitignore_needs_a_work_tree(tmp_path: Path) -> None:
    write(tmp_path / ".gitignore", "*.py\n")
    assert GitIgnore().match(write(tmp_path / "a.py", ""), False) is None


def test_gitignore_names_the_pattern_and_file(tmp_path: Path) -> None:
    git("init", "-q", cwd=tmp_path)
    write(tmp_path / "pkg" / ".gitignore", "gen_*.py\n")
    found = GitIgnore().match(tmp_path / "pkg" / "gen_a.py", False)
    assert found is not None
    assert (found.pattern, found.file) == ("gen_*.py", tmp_path / "pkg" / ".gitignore")


# -- reading configuration files ----------------------------------------------------------------------


def test_pyproject_table_and_mplint_toml(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.mplint]\nselect = ["MPL001"]\nunsafe-fixes = true\n')
    options = read_config(tmp_path / "pyproject.toml")
    assert options.selections == (Selection(select=("MPL001",)),)
    assert options.unsafe_fixes is True
    write(tmp_path / "mplint.toml", 'ignore = ["proxy-nested-mutation"]\nstart-methods = ["spawn"]\n')
    options = read_config(tmp_path / "mplint.toml")
    assert options.selections == (Selection(ignore=("proxy-nested-mutation",)),)
    assert options.start_methods == ("spawn",)


def test_which_file_configures_a_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.black]\nline-length = 100\n")
    assert config_in(tmp_path) is None  # a pyproject.toml without [tool.mplint] is not a config file
    write(tmp_path / "pyproject.toml", "[tool.mplint]\n")
    assert config_in(tmp_path) == tmp_path / "pyproject.toml"
    write(tmp_path / "mplint.toml", "")
    assert config_in(tmp_path) == tmp_path / "mplint.toml"
    write(tmp_path / ".mplint.toml", "")
    assert config_in(tmp_path) == tmp_path / ".mplint.toml"


def config_error(tmp_path: Path, name: str, text: str) -> str:
    path = write(tmp_path / name, text)
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "pyproject.toml",
            "[tool.mplint]\nselect = 3\n",
            "pyproject.toml: [tool.mplint] select: expected a list of strings, got int",
        ),
        (
            "mplint.toml",
            'select = ["MPL001", 2]\n',
            "mplint.toml: select: expected a list of strings, got a list containing int",
        ),
        (
            "mplint.toml",
            "respect-gitignore = 'yes'\n",
            "mplint.toml: respect-gitignore: expected a boolean, got str",
        ),
        ("mplint.toml", "selct = []\n", "mplint.toml: selct: unknown key (did you mean 'select'?)"),
        (
            "mplint.toml",
            "[tool.mplint]\nselect = []\n",
            "mplint.toml: tool: unknown key (outside pyproject.toml the keys are top-level",
        ),
        ("mplint.toml", 'ignore = ["MPL9"]\n', "mplint.toml: ignore: unknown rule selector: 'MPL9'"),
        (
            "pyproject.toml",
            '[tool.mplint]\nper-file-ignores = { "tests/*" = "MPL001" }\n',
            'pyproject.toml: [tool.mplint] per-file-ignores."tests/*": expected a list of strings, got str',
        ),
        (
            "mplint.toml",
            "per-file-ignores = []\n",
            "mplint.toml: per-file-ignores: expected a table of globs to lists of rule selectors, got array",
        ),
        (
            "mplint.toml",
            'exclude = ["[oops"]\n',
            "mplint.toml: exclude: invalid glob '[oops': unclosed '['",
        ),
        (
            "mplint.toml",
            'start-methods = ["fork", "thread"]\n',
            "mplint.toml: start-methods: unknown start method 'thread' "
            "(expected some of fork, spawn, forkserver)",
        ),
        ("mplint.toml", "start-methods = []\n", "mplint.toml: start-methods: expected at least one of fork"),
        ("mplint.toml", 'output-format = "xml"\n', "mplint.toml: output-format: unknown output format 'xml'"),
        ("mplint.toml", "extend = 1\n", "mplint.toml: extend: expected a string, got int"),
        ("mplint.toml", 'extend = "missing.toml"\n', "mplint.toml: extend: no such file: missing.toml"),
        (
            "pyproject.toml",
            "[tool]\nmplint = 1\n",
            "pyproject.toml: [tool.mplint]: expected a table, got int",
        ),
    ],
)
def test_configuration_errors_name_file_and_key(tmp_path: Path, name: str, text: str, message: str) -> None:
    assert config_error(tmp_path, name, text).startswith(message)


def test_invalid_toml_gives_the_parser_message(tmp_path: Path) -> None:
    text = "[tool.mplint\nselect = []\n"
    with pytest.raises(tomllib.TOMLDecodeError) as parser:
        tomllib.loads(text)
    assert config_error(tmp_path, "pyproject.toml", text) == f"pyproject.toml: invalid TOML: {parser.value}"


def test_extend_layers_the_files(tmp_path: Path) -> None:
    write(
        tmp_path / "base" / "base.toml",
        'select = ["MPL001", "MPL002"]\nextend-exclude = ["gen"]\noutput-format = "concise"\n'
        'per-file-ignores = { "legacy/*" = ["MPL001"] }\n',
    )
    child = write(tmp_path / "proj" / "mplint.toml", 'extend = "../base/base.toml"\nignore = ["MPL002"]\n')
    options = read_config(child)
    assert options.path == child
    assert resolve_layers(options.selections) == {"MPL001"}
    assert options.output_format == "concise"
    (gen,) = options.extend_exclude
    assert gen.base == tmp_path / "base"  # the base file's globs stay relative to it
    assert options.per_file_ignores is not None


def test_extend_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "a.toml", 'extend = "b.toml"\n')
    write(tmp_path / "b.toml", 'extend = "a.toml"\n')
    with pytest.raises(ConfigError, match=r"circular extend: a\.toml -> b\.toml -> a\.toml"):
        read_config(tmp_path / "a.toml")


# -- rule selection ---------------------------------------------------------------------------------


def test_selection_layers_and_specificity() -> None:
    assert resolve_layers([]) == ALL
    assert resolve_layers([Selection(select=("MPL001",), ignore=("MPL",))]) == {"MPL001"}
    assert resolve_layers([Selection(select=("MPL",), ignore=("MPL001",))]) == ALL - {"MPL001"}
    assert resolve_layers([Selection(select=("MPL001",), ignore=("proxy-nested-mutation",))]) == set()
    config = Selection(select=("MPL001", "MPL002"), ignore=("MPL002",))
    assert resolve_layers([config, Selection(extend_select=("MPL003",))]) == {"MPL001", "MPL003"}
    assert resolve_layers([config, Selection(select=("MPL003",))]) == {"MPL003"}  # select starts over
    assert resolve_layers([config, Selection(ignore=("MPL001",))]) == set()


def test_fix_safety_specificity() -> None:
    assert resolve_fix_safety(["MPL"], ["MPL002"]) == (ALL - {"MPL002"}, {"MPL002"})
    assert resolve_fix_safety(["MPL002"], ["MPL"]) == ({"MPL002"}, ALL - {"MPL002"})
    assert resolve_fix_safety(["MPL002"], ["missing-main-guard"]) == (set(), {"MPL002"})


# -- per-file settings ------------------------------------------------------------------------------


def test_closest_configuration_wins(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.mplint]\nselect = ["MPL001"]\n')
    write(tmp_path / "sub" / "mplint.toml", 'select = ["MPL002"]\nstart-methods = ["spawn"]\n')
    write(tmp_path / "sub" / "deeper" / "pyproject.toml", "[tool.other]\n")
    resolver = Resolver()
    assert resolver.settings_for(tmp_path / "a.py").select == {"MPL001"}
    deep = resolver.settings_for(tmp_path / "sub" / "deeper" / "b.py")
    assert deep.select == {"MPL002"} and deep.start_methods == ("spawn",)
    assert resolver.project_for(tmp_path / "sub" / "b.py").config_path == tmp_path / "sub" / "mplint.toml"


def test_files_outside_every_configuration_use_the_working_directory_one(tmp_path: Path) -> None:
    write(tmp_path / "proj" / "mplint.toml", 'select = ["MPL003"]\n')
    elsewhere = tmp_path / "elsewhere" / "a.py"
    assert Resolver(cwd=tmp_path / "proj").settings_for(elsewhere).select == {"MPL003"}
    assert Resolver(cwd=tmp_path).settings_for(elsewhere).select == ALL


def test_per_file_ignores_with_negation(tmp_path: Path) -> None:
    write(
        tmp_path / "mplint.toml",
        '[per-file-ignores]\n"tests/*" = ["MPL003"]\n"!src/**" = ["MPL001"]\n"__init__.py" = ["MPL002"]\n',
    )
    resolver = Resolver()

    def ignored(name: str) -> set[str]:
        return set(ALL - resolver.settings_for(tmp_path / name).select)

    assert ignored("src/app/main.py") == set()
    assert ignored("tests/test_a.py") == {"MPL003", "MPL001"}
    assert ignored("tests/deep/test_b.py") == {"MPL003", "MPL001"}  # "tests/*" matches the directory
    assert ignored("scripts/run.py") == {"MPL001"}
    assert ignored("src/pkg/__init__.py") == {"MPL002"}


def test_config_option_makes_globs_relative_to_the_working_directory(tmp_path: Path) -> None:
    config = write(tmp_path / "configs" / "strict.toml", '[per-file-ignores]\n"tests/*" = ["MPL001"]\n')
    write(tmp_path / "mplint.toml", 'select = ["MPL002"]\n')  # not read: --config wins
    resolver = Resolver(config=config)
    assert resolver.settings_for(tmp_path / "tests" / "t.py").select == ALL - {"MPL001"}
    assert resolver.settings_for(tmp_path / "configs" / "tests" / "t.py").select == ALL


def test_isolated_ignores_configuration_files(tmp_path: Path) -> None:
    write(tmp_path / "mplint.toml", 'select = ["MPL002"]\n')
    assert Resolver(isolated=True).settings_for(tmp_path / "a.py") == default_settings()


def test_exclusions_last_match_wins(tmp_path: Path) -> None:
    write(tmp_path / "mplint.toml", 'exclude = ["gen", "!gen/keep.py"]\nextend-exclude = ["*_pb2.py"]\n')
    project = Resolver().project_for(tmp_path / "a.py")
    assert project.exclusion(tmp_path / "gen", True) is not None
    assert project.exclusion(tmp_path / "gen" / "keep.py", False) is None
    assert project.exclusion(tmp_path / "x" / "a_pb2.py", False) is not None
    assert project.exclusion(tmp_path / "build", True) is None  # exclude replaces the defaults
    assert project.exclusion_of_named(tmp_path / "gen" / "other.py", False) is not None


def test_resolve_settings_for_the_language_server(tmp_path: Path) -> None:
    write(
        tmp_path / "pkg" / "pyproject.toml",
        '[tool.mplint]\nignore = ["MPL003"]\nunsafe-fixes = true\nextend-safe-fixes = ["MPL002"]\n'
        '[tool.mplint.per-file-ignores]\n"gen_*.py" = ["MPL001"]\n',
    )
    settings = resolve_settings(tmp_path / "pkg" / "gen_x.py")
    assert settings.select == ALL - {"MPL003", "MPL001"}
    assert settings.unsafe_fixes is True
    assert settings.extend_safe_fixes == {"MPL002"}
    write(tmp_path / "pkg" / "pyproject.toml", "[tool.mplint]\nselect = 1\n")
    with pytest.raises(ConfigError, match="expected a list of strings"):
        resolve_settings(tmp_path / "pkg" / "gen_x.py")


# -- fix safety overrides -----------------------------------------------------------------------------


def test_extend_safe_fixes_promotes_an_unsafe_fix() -> None:
    plain = fix_text(UNGUARDED, "u.py", default_settings(), unsafe=False)
    assert plain.text == UNGUARDED and [d.code for d in plain.remaining] == ["MPL002"]
    promoted = Settings(select=ALL, extend_safe_fixes=frozenset({"MPL002"}))
    fixed = fix_text(UNGUARDED, "u.py", promoted, unsafe=False)
    assert 'if __name__ == "__main__":' in fixed.text and fixed.remaining == []


def test_extend_unsafe_fixes_demotes_a_safe_fix() -> None:
    demoted = Settings(select=ALL, extend_unsafe_fixes=frozenset({"MPL001"}))
    kept = fix_text(PROXY, "m.py", demoted, unsafe=False)
    assert kept.text == PROXY
    (remaining,) = kept.remaining
    assert remaining.fix is not None and remaining.fix.applicability is Applicability.UNSAFE
    assert fix_text(PROXY, "m.py", demoted, unsafe=True).text != PROXY


def test_display_only_fixes_stay_display_only() -> None:
    here = Location(1, 1)
    diagnostic = Diagnostic(
        "MPL003", "unjoined-process", "m", here, here, Fix("look", (), Applicability.DISPLAY_ONLY)
    )
    settings = Settings(select=ALL, extend_safe_fixes=ALL, extend_unsafe_fixes=frozenset())
    assert adjust_fix_safety([diagnostic], settings) == [diagnostic]


def test_paths_are_made_absolute_without_resolving_links(tmp_path: Path) -> None:
    write(tmp_path / "real" / "mplint.toml", 'select = ["MPL001"]\n')
    os.symlink(tmp_path / "real", tmp_path / "link")
    assert Resolver().project_for(Path("link") / "a.py").config_path == tmp_path / "link" / "mplint.toml"
