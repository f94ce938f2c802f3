"""Every rule's documented example fires the rule and its ``use_instead`` does not, as `mplint rule` and
docs/rules.md show them (after the rule's hidden ``preamble``, when it has one), with every rule enabled."""

from __future__ import annotations

import pytest

from mplint.engine import check_text
from mplint.ruledoc import rule_data, rule_markdown
from mplint.rules import RULES
from mplint.rules.base import Rule
from mplint.settings import Settings
from mplint.workspace.selection import resolve_layers


def codes_found(source: str) -> set[str]:
    settings = Settings(select=resolve_layers([]))
    return {diagnostic.code for diagnostic in check_text(source, "example.py", settings)}


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_example_fires_the_rule(rule: type[Rule]) -> None:
    assert rule.code in codes_found(rule.preamble + rule.example)


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_use_instead_does_not_fire_the_rule(rule: type[Rule]) -> None:
    assert rule.code not in codes_found(rule.preamble + rule.use_instead)


def test_preamble_is_not_shown() -> None:
    rule = RULES[1]
    hidden = type(rule.__name__, (rule,), {"preamble": "import hidden_setup_module\n"})
    assert "hidden_setup_module" not in rule_markdown(hidden)
    assert "hidden_setup_module" not in str(rule_data(hidden))
