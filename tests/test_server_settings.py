"""The language server's client settings: validation, and how they override the configuration."""

from __future__ import annotations

import pytest

from mplint.rules import ALL_CODES
from mplint.server.settings import (
    ClientSettings,
    SettingsError,
    parse_client_settings,
    section_in,
    unknown_keys,
)
from mplint.settings import Settings
from mplint.workspace.selection import default_settings


def test_settings_resolve_selectors_in_lists_or_comma_separated_strings() -> None:
    settings = parse_client_settings(
        {"select": ["MPL00"], "extendSelect": "MPL100", "ignore": "missing-main-guard, MPL003"}
    )
    applied = settings.apply(default_settings())
    prefixed = {code for code in ALL_CODES if code.startswith("MPL00")}
    assert {"MPL000", "MPL001", "MPL002", "MPL003"} <= prefixed and "MPL100" not in prefixed
    assert applied.select == frozenset(prefixed - {"MPL002", "MPL003"} | {"MPL100"})


def test_settings_may_come_wrapped_in_an_mplint_section() -> None:
    settings = parse_client_settings(
        {"mplint": {"select": "MPL001", "unsafeFixes": True, "startMethods": ["spawn"]}}
    )
    applied = settings.apply(default_settings())
    assert applied.select == frozenset({"MPL001"})
    assert applied.unsafe_fixes is True
    assert applied.start_methods == ("spawn",)


def test_unset_keys_keep_the_configuration_files_values() -> None:
    base = Settings(select=frozenset({"MPL001", "MPL002"}), unsafe_fixes=True, start_methods=("fork",))
    assert ClientSettings().apply(base) == base
    assert parse_client_settings(None).apply(base) == base
    assert parse_client_settings({"ignore": ["MPL002"]}).apply(base).select == frozenset({"MPL001"})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"select": ["MPL9"]}, "unknown rule selector: 'MPL9'"),
        ({"ignore": [1]}, "`ignore` must be a list of strings"),
        ({"unsafeFixes": "yes"}, "`unsafeFixes` must be true or false"),
        ({"startMethods": ["thread"]}, "unknown start method thread"),
        ({"startMethods": []}, "unknown start method (none given)"),
        (["select"], "settings must be an object"),
    ],
)
def test_invalid_settings_are_rejected_with_a_reason(raw: object, message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_client_settings(raw)


def test_unknown_keys_are_named() -> None:
    assert unknown_keys({"select": [], "extend_select": [], "debounce": 1}) == ["debounce", "extend_select"]
    assert unknown_keys({"mplint": {"ignore": []}}) == []


def test_a_configuration_change_without_mplint_settings_holds_no_section() -> None:
    assert section_in({"mplint": {"select": "MPL001"}}) == {"select": "MPL001"}
    assert section_in({"ignore": ["MPL001"], "other": 1}) == {"ignore": ["MPL001"], "other": 1}
    assert section_in({"pylsp": {"plugins": {}}}) is None
    assert section_in(None) is None
    assert section_in([]) is None
