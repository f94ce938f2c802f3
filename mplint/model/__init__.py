"""The multiprocessing semantic model of one module (work in progress)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mplint.source import SourceText


@dataclass
class ModuleModel:
    tree: ast.Module
    source: SourceText

    @classmethod
    def build(cls, tree: ast.Module, source: SourceText) -> ModuleModel:
        return cls(tree, source)
