"""``mplint rule``: print the documentation of one rule, or of all of them."""

from __future__ import annotations

import json
import sys

from mplint.report.escape import printable
from mplint.ruledoc import rule_data, rule_markdown
from mplint.rules import RULES, lookup
from mplint.rules.base import Rule


class UnknownRuleError(LookupError):
    """No rule has this code or name."""


def select_rules(code_or_name: str | None, all_rules: bool) -> list[type[Rule]]:
    if all_rules:
        return list(RULES)
    if code_or_name is None:
        raise UnknownRuleError("a rule code or name is required (or --all)")
    rule = lookup(code_or_name)
    if rule is None:
        raise UnknownRuleError(f"unknown rule: {code_or_name}")
    return [rule]


def render(rules: list[type[Rule]], output_format: str, as_list: bool) -> str:
    if output_format == "json":
        data = [rule_data(rule) for rule in rules]
        return json.dumps(data if as_list else data[0], indent=2, ensure_ascii=False) + "\n"
    return "\n".join(rule_markdown(rule) for rule in rules)


def run_rule(code_or_name: str | None, all_rules: bool, output_format: str) -> int:
    """Print the documentation; 0 on success, 2 for an unknown rule."""
    try:
        rules = select_rules(code_or_name, all_rules)
    except UnknownRuleError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return 2
    sys.stdout.write(render(rules, output_format, as_list=all_rules))
    return 0
