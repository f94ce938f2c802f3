"""Every link mplint prints comes from ``[project.urls]`` in pyproject.toml, through the installed package
metadata: the JSON ``url``, SARIF's ``helpUri`` and ``informationUri``; without metadata it falls back to
the source tree's own rules page, and never invents an address."""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

import pytest

from mplint import docs_links
from mplint.rules import RULES
from tests.cli_support import run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
TRAP = """\
from multiprocessing import Manager, Process


def work(m):
    m[0]["id"] = 2


if __name__ == "__main__":
    with Manager() as manager:
        m = manager.list([{"id": 1}])
        p = Process(target=work, args=(m,))
        p.start()
        p.join()
"""


def project_urls() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        urls: dict[str, str] = tomllib.load(file)["project"]["urls"]
    return urls


def test_installed_metadata_carries_the_pyproject_addresses() -> None:
    urls = project_urls()
    assert docs_links.metadata_url("Rules") == urls["Rules"]
    assert docs_links.metadata_url("Homepage") == urls["Homepage"]


def test_printed_links_come_from_the_metadata(tmp_path: Path) -> None:
    urls = project_urls()
    (tmp_path / "example.py").write_text(TRAP, encoding="utf-8")
    (diagnostic,) = json.loads(run_cli("check", "--output-format", "json", cwd=tmp_path).stdout)
    assert diagnostic["url"] == urls["Rules"] + "#proxy-nested-mutation-mpl001"
    log = json.loads(run_cli("check", "--output-format", "sarif", cwd=tmp_path).stdout)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == urls["Homepage"]
    assert [rule["helpUri"] for rule in driver["rules"]] == [
        f"{urls['Rules']}#{rule.name}-{rule.code.lower()}" for rule in RULES
    ]


@pytest.fixture
def no_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    """As when mplint runs from a source tree that was never installed."""

    def missing(name: str) -> metadata.PackageMetadata:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(docs_links.metadata, "metadata", missing)
    docs_links.rules_page_url.cache_clear()
    docs_links.homepage_url.cache_clear()
    yield
    docs_links.rules_page_url.cache_clear()
    docs_links.homepage_url.cache_clear()


@pytest.mark.usefixtures("no_metadata")
def test_without_metadata_links_point_to_the_source_trees_page() -> None:
    page = (ROOT / "docs" / "rules.md").resolve().as_uri()
    assert RULES[1].url() == f"{page}#proxy-nested-mutation-mpl001"
    assert docs_links.homepage_url() is None


@pytest.mark.usefixtures("no_metadata")
def test_without_metadata_or_page_there_is_no_link(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from mplint.report.sarif import driver, rule_descriptor

    monkeypatch.setattr(docs_links, "SOURCE_TREE_RULES_PAGE", tmp_path / "absent.md")
    assert RULES[1].url() is None
    assert "helpUri" not in rule_descriptor(RULES[1])
    assert "informationUri" not in driver()
