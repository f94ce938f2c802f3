"""Rules reach the model through ``mplint.model`` alone, never through one of its submodules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mplint.model

RULES = Path(__file__).resolve().parent.parent / "mplint" / "rules"


def submodule_imports(tree: ast.Module) -> list[str]:
    """The model submodules a rule module imports, by any spelling: ``from mplint.model.x import y``,
    ``import mplint.model.x``, ``from mplint.model import x`` naming a submodule, and the relative forms
    (``from ..model.x import y``, ``from ..model import x``) resolved from ``mplint.rules``."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names if a.name.startswith("mplint.model."))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                package = ["mplint", "rules"][: max(0, 2 - (node.level - 1))]
                module = ".".join([*package, *([module] if module else [])])
            if module.startswith("mplint.model."):
                found.append(module)
            elif module == "mplint.model":
                found.extend(
                    f"mplint.model.{a.name}"
                    for a in node.names
                    if (RULES.parent / "model" / f"{a.name}.py").exists()
                    or (RULES.parent / "model" / a.name).is_dir()
                )
    return found


@pytest.mark.parametrize("path", sorted(RULES.glob("*.py")), ids=lambda path: path.name)
def test_rule_imports_the_model_only_through_its_package(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert submodule_imports(tree) == []


@pytest.mark.parametrize(
    "line",
    [
        "from mplint.model.scopes import position",
        "import mplint.model.scopes",
        "import mplint.model.scopes as scopes",
        "from mplint.model import scopes",
        "from ..model.scopes import position",
        "from ..model import scopes",
        "def f():\n    from mplint.model.api import Kind",
    ],
)
def test_every_spelling_of_a_submodule_import_is_caught(line: str) -> None:
    assert submodule_imports(ast.parse(line)) != []


@pytest.mark.parametrize(
    "line",
    ["from mplint.model import Kind, ModuleModel", "import mplint.model", "from .base import Rule"],
)
def test_package_imports_pass(line: str) -> None:
    assert submodule_imports(ast.parse(line)) == []


def test_every_exported_name_exists() -> None:
    missing = [name for name in mplint.model.__all__ if not hasattr(mplint.model, name)]
    assert missing == []
