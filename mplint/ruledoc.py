"""A rule's documentation, assembled from its class attributes, as Markdown or JSON data."""

from __future__ import annotations

from mplint.rules.base import Rule

FIX_AVAILABILITY: dict[str, str] = {
    "always": "Fix is always available.",
    "sometimes": "Fix is sometimes available.",
    "none": "",
}


def _attribute(rule: type[Rule], name: str) -> str:
    value = getattr(rule, name, "")
    return value.strip("\n") if isinstance(value, str) else ""


def _code_block(code: str) -> str:
    return f"```python\n{code.rstrip()}\n```"


def rule_markdown(rule: type[Rule]) -> str:
    """The rule's page: title, summary, what it does, why, an example, its fix safety, options."""
    parts = [f"# {rule.name} ({rule.code})"]
    summary = _attribute(rule, "summary")
    if summary:
        parts.append(summary)
    availability = FIX_AVAILABILITY.get(_attribute(rule, "fix_availability"), "")
    if availability:
        parts.append(availability)
    sections = (
        ("What it does", _attribute(rule, "what")),
        ("Why is this bad?", _attribute(rule, "why")),
    )
    parts.extend(f"## {title}\n{body}" for title, body in sections if body)
    example = _attribute(rule, "example")
    if example:
        block = f"## Example\n{_code_block(example)}"
        use_instead = _attribute(rule, "use_instead")
        if use_instead:
            block += f"\n\nUse instead:\n{_code_block(use_instead)}"
        parts.append(block)
    for title, name in (("Fix safety", "fix_safety"), ("Options", "options")):
        body = _attribute(rule, name)
        if body:
            parts.append(f"## {title}\n{body}")
    return "\n\n".join(parts) + "\n"


def rule_data(rule: type[Rule]) -> dict[str, object]:
    """The rule's documentation fields, for ``--output-format json``."""
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": _attribute(rule, "summary"),
        "what": _attribute(rule, "what"),
        "why": _attribute(rule, "why"),
        "example": _attribute(rule, "example"),
        "use_instead": _attribute(rule, "use_instead"),
        "fix_safety": _attribute(rule, "fix_safety"),
        "fix_availability": _attribute(rule, "fix_availability"),
        "options": _attribute(rule, "options"),
        "url": rule.url(),
        "explanation": rule_markdown(rule),
    }
