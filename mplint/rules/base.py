"""The rule protocol: a rule holds its documentation and yields diagnostics from the module model."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from mplint.diagnostics import Diagnostic, Fix, Location
from mplint.docs_links import rules_page_url
from mplint.model import ModuleModel
from mplint.settings import Settings
from mplint.source import SourceText


@dataclass
class RuleContext:
    """What a rule sees of one file."""

    path: str
    source: SourceText
    model: ModuleModel
    settings: Settings

    def start(self, node: ast.AST) -> Location:
        return self.source.location(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> Location:
        return self.source.location(
            node.end_lineno,  # type: ignore[attr-defined]
            node.end_col_offset,  # type: ignore[attr-defined]
        )


class Rule:
    """A pitfall: its stable code and name, its documentation, and its check."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    what: ClassVar[str]
    why: ClassVar[str]
    example: ClassVar[str]
    use_instead: ClassVar[str]
    # Hidden setup put before `example` and `use_instead` when tests check that the example fires the
    # rule and its replacement does not; never shown to users, so examples are best complete without it.
    preamble: ClassVar[str] = ""
    fix_safety: ClassVar[str]
    fix_availability: ClassVar[str] = "none"  # "none", "sometimes" or "always"
    fix_kind: ClassVar[str] = ""  # "safe" or "unsafe": how its fix is applied, when it has one
    options: ClassVar[str] = (
        "`start-methods`: a pitfall that cannot bite under the configured start methods is not reported."
    )

    @classmethod
    def url(cls) -> str | None:
        """The rule's section of the rules' page, or None when mplint knows no page."""
        page = rules_page_url()
        return f"{page}#{cls.name}-{cls.code.lower()}" if page is not None else None

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        raise NotImplementedError

    def diagnostic(
        self,
        ctx: RuleContext,
        node: ast.AST,
        message: str,
        fix: Fix | None = None,
    ) -> Diagnostic:
        start = ctx.start(node)
        return Diagnostic(
            code=self.code,
            name=self.name,
            message=message,
            location=start,
            end_location=ctx.end(node),
            fix=fix,
            noqa_row=start.row,
        )
