"""The rule registry: every rule by code and by name, and selector resolution."""

from __future__ import annotations

from mplint.rules.args_not_tuple import ArgsNotTuple
from mplint.rules.base import Rule
from mplint.rules.child_global_mutation import ChildGlobalMutation
from mplint.rules.join_before_drain import JoinBeforeDrain
from mplint.rules.missing_main_guard import MissingMainGuard
from mplint.rules.pool_result_after_exit import PoolResultAfterExit
from mplint.rules.proxy_nested_mutation import ProxyNestedMutation
from mplint.rules.syntax_error import SyntaxErrorRule
from mplint.rules.target_called import TargetCalled
from mplint.rules.terminate_with_shared_resource import TerminateWithSharedResource
from mplint.rules.unjoined_process import UnjoinedProcess
from mplint.rules.unpicklable_callable import UnpicklableCallable
from mplint.rules.unsynchronized_shared_update import UnsynchronizedSharedUpdate
from mplint.rules.unused_noqa import UnusedNoqa

RULES: tuple[type[Rule], ...] = (
    SyntaxErrorRule,
    ProxyNestedMutation,
    MissingMainGuard,
    UnjoinedProcess,
    JoinBeforeDrain,
    UnpicklableCallable,
    ArgsNotTuple,
    TargetCalled,
    ChildGlobalMutation,
    UnsynchronizedSharedUpdate,
    PoolResultAfterExit,
    TerminateWithSharedResource,
    UnusedNoqa,
)
ALL_CODES: tuple[str, ...] = tuple(rule.code for rule in RULES)
BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in RULES}
BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in RULES}
# Every code and rule name, as suppression comments may spell them, mapped to the code.
KNOWN_CODES: dict[str, str] = {
    **{code: code for code in ALL_CODES},
    **{n: r.code for n, r in BY_NAME.items()},
}


class UnknownSelectorError(ValueError):
    """A rule selector matches no rule."""


def lookup(code_or_name: str) -> type[Rule] | None:
    """The rule with this exact code (case-insensitive) or name."""
    key = code_or_name.strip()
    return BY_CODE.get(key.upper()) or BY_NAME.get(key.lower())


def resolve_selector(selector: str) -> frozenset[str]:
    """The codes a selector names: ``ALL``, a code, a code prefix such as ``MPL00``, or a rule name."""
    key = selector.strip()
    if key.upper() == "ALL":
        return frozenset(ALL_CODES)
    rule = BY_NAME.get(key.lower())
    if rule is not None:
        return frozenset({rule.code})
    codes = frozenset(code for code in ALL_CODES if code.startswith(key.upper()))
    if not key or not codes:
        raise UnknownSelectorError(f"unknown rule selector: {selector!r}")
    return codes
