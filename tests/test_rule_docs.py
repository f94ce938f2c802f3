"""The rules' documentation: docs/rules.md and the README's rule section are generated from the rules
themselves and must not drift; every rule documents every section and its URL points at its page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mplint.ruledoc import README_END, README_START, anchor, readme_rules_section, rules_page
from mplint.rules import RULES
from mplint.rules.base import Rule

ROOT = Path(__file__).resolve().parent.parent


def test_docs_rules_page_is_generated_from_the_rules() -> None:
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == rules_page(RULES), "run `python -m mplint.ruledoc` to regenerate docs/rules.md"


def test_readme_rule_section_is_generated_from_the_rules() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(README_START)
    end = readme.index(README_END) + len(README_END)
    assert readme[start:end] == readme_rules_section(RULES), (
        "run `python -m mplint.ruledoc` to regenerate the README's rule section"
    )


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_every_rule_is_documented(rule: type[Rule]) -> None:
    for section in ("summary", "what", "why", "example", "use_instead", "fix_safety", "options"):
        assert getattr(rule, section).strip(), f"{rule.code} has no {section}"
    assert re.fullmatch(r"MPL\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    heading = f"## {rule.name} ({rule.code})"
    assert heading in page
    assert rule.url().endswith("docs/rules.md#" + anchor(rule))
