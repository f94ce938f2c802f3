"""Abstract values: what an expression holds (a manager, a proxy of some type, a copy read out of a proxy,
a process, a pool...), and how they are joined."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mplint.model.api import Kind


@dataclass(frozen=True)
class Value:
    """An abstract value.

    ``origins`` are the creation calls of the object (several when paths merge): proxies are tracked by
    origin so that what they hold (``d["a"] = m.list()``) is known wherever they flow. ``node`` is the
    definition behind a FUNCTION, CLASS, INSTANCE or PARTIAL value.
    """

    kind: Kind
    detail: str = ""
    origins: frozenset[ast.AST] = frozenset()
    element: Value | None = None
    items: tuple[Value, ...] | None = None
    node: ast.AST | None = None

    def is_(self, *kinds: Kind) -> bool:
        return self.kind in kinds

    @property
    def known(self) -> bool:
        return self.kind not in (Kind.UNKNOWN, Kind.NONE)


UNKNOWN = Value(Kind.UNKNOWN)
NONE = Value(Kind.NONE)
PLAIN = Value(Kind.PLAIN)
COPY = Value(Kind.COPY)


def container(element: Value, items: tuple[Value, ...] | None = None) -> Value:
    return Value(Kind.CONTAINER, element=element, items=items)


def join(values: list[Value]) -> Value:
    """The value a name holds when it may hold any of ``values``.

    Unknown and None parts are dropped (an unresolvable path says nothing against a known one); kinds that
    disagree give UNKNOWN, so a name that is a proxy on one path and a plain dict on another is not treated
    as a proxy.
    """
    known = [value for value in values if value.known]
    if not known:
        return NONE if values and all(v.kind is Kind.NONE for v in values) else UNKNOWN
    first = known[0]
    if all(value == first for value in known[1:]):
        return first
    if any(value.kind is not first.kind for value in known):
        return UNKNOWN
    if first.kind in (Kind.FUNCTION, Kind.CLASS, Kind.PARTIAL) and any(
        value.node is not first.node for value in known
    ):
        return UNKNOWN
    details = {value.detail for value in known}
    origins = frozenset().union(*(value.origins for value in known))
    element = None
    if first.kind is Kind.CONTAINER:
        element = join([value.element or UNKNOWN for value in known])
    nodes = {value.node for value in known}
    return Value(
        first.kind,
        detail=first.detail if len(details) == 1 else "",
        origins=origins,
        element=element,
        node=first.node if len(nodes) == 1 else None,
    )
