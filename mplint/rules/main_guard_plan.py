"""Which top-level statements stay at module level and which move under the main guard, or why no move
keeps the program's behaviour.

The contract: the program behaves under spawn and forkserver as it did under fork. A child under fork
inherits the parent's state at the start; a child under spawn rebuilds it by running the module's
unguarded code again. So what stays at module level is what rebuilds that state without doing anything
else: imports, definitions, constants that are pure by the rule of ``import_time_purity``, blocks made
only of these (``try: import x`` / ``except ImportError:``, ``if TYPE_CHECKING:``), statements that only
build a kept constant (``TABLE["k"] = 1``, ``NAMES.append("x")``) and pure changes of ``sys.path`` and
``os.environ``. Everything else is the program's behaviour and moves, in its order, under the guard.

The move is refused (an ``Obstacle``) when it would change what a function, a class or a kept statement
sees: a name the module's functions read that is bound or changed by code that moves (``MANAGER =
Manager()`` read by ``def Namespace()``), a definition whose decorator or default value does something,
a kept statement that code before it reads, a main guard of an odd shape, a module-level ``global``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from mplint.model import FUNCTION_NODES, ModuleModel, own_nodes, parent_of, scope_of
from mplint.rules.import_time_purity import (
    CONFIGURATORS,
    MUTABLE_IMPORT_STATE,
    PURE_METHODS,
    Purity,
    callee_name,
    constant_kind,
)

CONTAINER_MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "setdefault", "add", "discard", "remove", "pop", "clear",
     "sort", "reverse", "appendleft", "extendleft", "popitem", "__setitem__"}
)  # fmt: skip
READ_ONLY_METHODS = PURE_METHODS | {"__getitem__", "__contains__", "__len__", "isdisjoint", "issubset"}
LOGGER_OUTPUT = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
DEFINITIONS = (*FUNCTION_NODES, ast.ClassDef)


@dataclass(frozen=True)
class Obstacle:
    """Why the program's behaviour cannot move under the guard without changing what it does."""

    reason: str


def plan(model: ModuleModel, flagged: set[int]) -> list[bool] | Obstacle | None:
    """For each top-level statement, whether it moves under the guard (None: nothing to move)."""
    if not any(id(statement) in flagged for statement in model.tree.body):
        return None
    return Planner(model, flagged).plan()


def dotted(expr: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    return ".".join([expr.id, *reversed(parts)])


def read_path(name: ast.Name) -> str:
    """The longest attribute chain read from a loaded name: ``MANAGER.Namespace`` for
    ``MANAGER.Namespace(**kw)``."""
    node: ast.AST = name
    parent = parent_of(node)
    while isinstance(parent, ast.Attribute) and parent.value is node:
        node, parent = parent, parent_of(parent)
    return dotted(node) or name.id


def conflicts(first: str, second: str) -> bool:
    """Whether two dotted paths name the same object or one contains the other."""
    return first == second or first.startswith(second + ".") or second.startswith(first + ".")


class PathIndex:
    """Dotted paths grouped by their first name, to find a conflicting one without comparing them all."""

    def __init__(self) -> None:
        self.by_root: dict[str, dict[str, str]] = {}

    def add(self, path: str, note: str = "") -> None:
        self.by_root.setdefault(path.split(".", 1)[0], {}).setdefault(path, note)

    def conflict(self, path: str) -> tuple[str, str] | None:
        """A stored path that conflicts with ``path``, and its note."""
        for stored, note in self.by_root.get(path.split(".", 1)[0], {}).items():
            if conflicts(path, stored):
                return stored, note
        return None


def bound_names(statement: ast.stmt) -> set[str]:
    """Module-level names a statement binds (``del`` counts)."""
    names: set[str] = set()
    for node in own_nodes([statement]):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            if scope_of(node).function_scope().kind == "module":
                names.add(node.id)
        elif isinstance(node, (*DEFINITIONS,)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def module_loads(roots: list[ast.AST]) -> Iterator[ast.Name]:
    """Loads in ``roots`` (nested functions included) of names the module scope defines, or unknown."""
    for root in roots:
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                owner = scope_of(node).defining_scope(node.id)
                if owner is None or owner.kind == "module":
                    yield node


class Planner:
    """One module's plan: classify each top-level statement, then look for what the move would break."""

    def __init__(self, model: ModuleModel, flagged: set[int]) -> None:
        self.model = model
        self.flagged = flagged
        self.body = model.tree.body
        self.module_scope = model.scopes.scopes[0]
        self.kept_names: set[str] = set()
        self.kinds: dict[str, str] = {}  # kept constant -> constant_kind
        self.purity = Purity(model, self.kept_names.__contains__)
        self._changes: dict[int, set[str]] = {}
        self._definition_reads: dict[int, set[str]] = {}

    # -- classification ---------------------------------------------------------------------------

    def plan(self) -> list[bool] | Obstacle:
        moves: list[bool] = []
        moved_changes = PathIndex()  # paths changed by the moved code so far
        for statement in self.body:
            reason = self.refusal(statement)
            if reason is not None:
                return Obstacle(reason)
            keep = id(statement) not in self.flagged and self.keeps(statement)
            if keep and not isinstance(statement, DEFINITIONS) and self.reads_any(statement, moved_changes):
                keep = False  # it reads what the moved code before it changed: it must run after it
            if keep and isinstance(statement, DEFINITIONS):
                obstacle = self.purity.definition_obstacle(statement)
                if obstacle is not None:
                    return Obstacle(f"`{statement.name}` cannot stay at module level as it is: {obstacle}")
            if isinstance(statement, DEFINITIONS) and not keep:
                return Obstacle(f"`{statement.name}` would have to move, and the children need it")
            moves.append(not keep)
            if keep:
                for name in bound_names(statement):
                    self.kept_names.add(name)
                    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
                        self.kinds.setdefault(name, constant_kind(self.model, statement.value))
            else:
                for path in self.changes(statement):
                    moved_changes.add(path)
        return self.check(moves)

    def refusal(self, statement: ast.stmt) -> str | None:
        if isinstance(statement, ast.Global):
            return "a module-level `global` statement"
        if isinstance(statement, ast.If):
            guard = self.model.is_main_guard(statement.test)
            if guard is not None and not (guard is True and not statement.orelse):
                return f"the main guard `if {ast.unparse(statement.test)}:` has an unusual shape"
        return None

    def keeps(self, statement: ast.stmt) -> bool:
        """Whether a statement only rebuilds state a child needs, harmlessly."""
        pure = self.purity.pure
        if isinstance(statement, (ast.Import, ast.ImportFrom, *DEFINITIONS, ast.Pass)):
            return True
        if isinstance(statement, ast.Expr):
            value = statement.value
            if isinstance(value, ast.Constant):
                return True  # a docstring, ``...``
            return isinstance(value, ast.Call) and self.builds_kept_state(value)
        if isinstance(statement, ast.Assign):
            if not pure(statement.value):
                return False
            return all(self.kept_target(target) for target in statement.targets)
        if isinstance(statement, ast.AnnAssign):
            value_pure = statement.value is None or pure(statement.value)
            return value_pure and pure(statement.annotation) and self.kept_target(statement.target)
        if isinstance(statement, ast.AugAssign):
            target = statement.target
            return pure(statement.value) and isinstance(target, ast.Name) and target.id in self.kept_names
        if isinstance(statement, ast.Assert):
            return pure(statement.test) and (statement.msg is None or pure(statement.msg))
        if isinstance(statement, ast.If):
            if self.model.is_main_guard(statement.test) is not None:
                return False
            return pure(statement.test) and self.block_kept([*statement.body, *statement.orelse])
        if isinstance(statement, ast.Try):
            handlers_pure = all(h.type is None or pure(h.type) for h in statement.handlers)
            blocks = [*statement.body, *statement.orelse, *statement.finalbody]
            blocks += [inner for handler in statement.handlers for inner in handler.body]
            return handlers_pure and self.block_kept(blocks)
        return False

    def block_kept(self, statements: list[ast.stmt]) -> bool:
        before = set(self.kept_names)
        for inner in statements:
            kept = id(inner) not in self.flagged and self.keeps(inner)
            if kept and isinstance(inner, DEFINITIONS):
                kept = self.purity.definition_obstacle(inner) is None
            if not kept:
                self.kept_names.intersection_update(before)
                return False
            self.kept_names.update(bound_names(inner))
        return True

    def kept_target(self, target: ast.expr) -> bool:
        """A name, or a store into a kept container (``TABLE["k"] = v``)."""
        if isinstance(target, ast.Name):
            return True
        if isinstance(target, (ast.Tuple, ast.List)):
            return all(self.kept_target(element) for element in target.elts)
        if isinstance(target, ast.Subscript):
            path = dotted(target.value)
            if path in MUTABLE_IMPORT_STATE:
                return self.purity.pure(target.slice)
            return self.kinds.get(path or "") == "container" and self.purity.pure(target.slice)
        return False

    def builds_kept_state(self, call: ast.Call) -> bool:
        """``NAMES.append("x")`` on a kept container, ``sys.path.insert(0, ...)``: pure arguments."""
        func = call.func
        if not isinstance(func, ast.Attribute) or not self.purity.arguments_pure(call):
            return False
        receiver = dotted(func.value)
        if receiver in MUTABLE_IMPORT_STATE:
            return func.attr in CONTAINER_MUTATORS
        return self.kinds.get(receiver or "") == "container" and func.attr in CONTAINER_MUTATORS

    # -- what statements read and change ------------------------------------------------------------

    def reads_any(self, statement: ast.stmt, paths: PathIndex) -> bool:
        return any(paths.conflict(read) is not None for read in self.reads(statement))

    def reads(self, statement: ast.stmt) -> set[str]:
        """Paths a statement reads when it runs (and, for a definition, when it is called)."""
        return {read_path(name) for name in module_loads([statement])}

    def changes(self, statement: ast.stmt) -> set[str]:
        """Paths a moved statement binds or changes, with those the module functions it calls change."""
        cached = self._changes.get(id(statement))
        if cached is None:
            cached = bound_names(statement) | self.mutations(list(own_nodes([statement])), set())
            self._changes[id(statement)] = cached
        return cached

    def mutations(self, nodes: list[ast.AST], seen: set[int]) -> set[str]:
        changed: set[str] = set()
        for node in nodes:
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for target in targets:
                    for element in ast.walk(target):
                        if isinstance(element, (ast.Attribute, ast.Subscript)):
                            base = element if isinstance(element, ast.Attribute) else element.value
                            path = dotted(base)
                            if path is not None and self.is_global(base):
                                changed.add(path)
            elif isinstance(node, ast.Call):
                changed |= self.call_mutations(node, seen)
        return changed

    def is_global(self, expr: ast.expr) -> bool:
        while isinstance(expr, ast.Attribute):
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return False
        owner = scope_of(expr).defining_scope(expr.id)
        return owner is not None and owner.kind == "module"

    def call_mutations(self, call: ast.Call, seen: set[int]) -> set[str]:
        changed: set[str] = set()
        func = call.func
        name = callee_name(self.model, func)
        if name is not None and name in CONFIGURATORS:
            changed.add(CONFIGURATORS[name])
        if isinstance(func, ast.Attribute) and self.is_global(func.value):
            receiver = dotted(func.value)
            if receiver is not None and self.method_changes(receiver, func.attr):
                changed.add(receiver)
        for argument in call.args:
            # a kept container handed to a call that is not pure may be changed by it (``shuffle(L)``)
            if isinstance(argument, ast.Name) and self.kinds.get(argument.id) == "container":
                if name != "builtins.print" and not self.purity.pure(call):
                    changed.add(argument.id)
        function = self.purity._local_function(func)
        if function is not None and id(function) not in seen:
            seen.add(id(function))
            changed |= self.function_changes(function, seen)
        return changed

    def method_changes(self, receiver: str, method: str) -> bool:
        root = receiver.split(".")[0]
        bindings = self.module_scope.bindings.get(root, [])
        if bindings and all(binding.kind == "import" for binding in bindings):
            return receiver in MUTABLE_IMPORT_STATE and method not in READ_ONLY_METHODS
        kind = self.kinds.get(receiver)
        if kind == "value":
            return False  # a path, a string: its methods make new values
        if kind == "stateful" and method in LOGGER_OUTPUT:
            return False
        return method not in READ_ONLY_METHODS

    def function_changes(self, function: ast.FunctionDef | ast.AsyncFunctionDef, seen: set[int]) -> set[str]:
        """What calling a module function changes at module level: ``global`` names it assigns, globals it
        changes through methods or stores, and what the module functions it calls change."""
        inner_nodes = [node for statement in function.body for node in ast.walk(statement)]
        changed = {name for node in inner_nodes if isinstance(node, ast.Global) for name in node.names}
        return changed | self.mutations(inner_nodes, seen)

    # -- what the move would break ------------------------------------------------------------------

    def check(self, moves: list[bool]) -> list[bool] | Obstacle:
        body = self.body
        readers = PathIndex()
        for path, reader in self.readers(moves).items():
            readers.add(path, reader)
        kept_definitions = {
            name for statement, moved in zip(body, moves, strict=True) if not moved
            if isinstance(statement, DEFINITIONS) for name in bound_names(statement)
        }  # fmt: skip
        first_binding: dict[str, int] = {}
        last_kept_binding: dict[str, tuple[int, ast.stmt]] = {}
        for index, (statement, moved) in enumerate(zip(body, moves, strict=True)):
            names = bound_names(statement)
            for name in names:
                first_binding.setdefault(name, index)
            if not moved:
                for name in names | self.construction_roots(statement):
                    last_kept_binding[name] = (index, statement)
        for index, (statement, moved) in enumerate(zip(body, moves, strict=True)):
            if not moved:
                continue
            where = f"line {statement.lineno}"
            for path in sorted(self.changes(statement)):
                found = readers.conflict(path)
                if found is not None:
                    return Obstacle(self.unreachable(statement, path, *found))
                if path in kept_definitions:
                    return Obstacle(f"`{path}` is a definition the code at {where} rebinds")
            # A statement kept after this one rises above it: refuse if this one reads what that one
            # binds while an earlier binding exists.
            for name in sorted({path.split(".")[0] for path in self.transitive_reads(statement)}):
                later = last_kept_binding.get(name)
                if later is not None and later[0] > index and first_binding.get(name, index) < index:
                    return Obstacle(
                        f"`{name}` is rebound at line {later[1].lineno}, after code at {where} that reads "
                        "it and must stay before it"
                    )
        if not any(moves):
            return Obstacle("nothing can move under the guard")
        return moves

    def unreachable(self, statement: ast.stmt, path: str, read: str, reader: str) -> str:
        """The obstacle of moved code that binds or changes what a kept definition reads."""
        where = f"line {statement.lineno}"
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and path in bound_names(statement):
            value = ast.unparse(statement.value) if statement.value is not None else ""
            if len(value) > 40:
                value = value[:37] + "..."
            return (
                f"`{read}` is read by {reader}, and `{path} = {value}` ({where}) is not a pure constant: "
                "it cannot stay at module level, and the children need it"
            )
        what = "binds" if path in bound_names(statement) else "changes"
        return (
            f"`{read}` is read by {reader}, and the code that {what} `{path}` ({where}) would move out of "
            "the children's reach"
        )

    def readers(self, moves: list[bool]) -> dict[str, str]:
        """Paths that the kept functions and classes read (at call time, as globals), and the kept
        constants they read in turn, each with who reads it first."""
        readers: dict[str, str] = {}
        constants: dict[str, ast.stmt] = {}
        for statement, moved in zip(self.body, moves, strict=True):
            if moved:
                continue
            for node in ast.walk(statement):
                if isinstance(node, (*DEFINITIONS, ast.Lambda)):
                    owner = f"`{node.name}`" if isinstance(node, DEFINITIONS) else "a lambda"
                    for loaded in module_loads([node]):
                        readers.setdefault(read_path(loaded), owner)
            if not isinstance(statement, DEFINITIONS):
                for bound in bound_names(statement):
                    constants.setdefault(bound, statement)
        pending = list(readers)
        while pending:
            path = pending.pop()
            constant = constants.pop(path.split(".")[0], None)
            if constant is None:
                continue
            for read in self.reads(constant):
                if read not in readers:
                    reader = readers[path]
                    through = path.split(".")[0]
                    readers[read] = reader if "through" in reader else f"{reader} (through `{through}`)"
                    pending.append(read)
        return readers

    def construction_roots(self, statement: ast.stmt) -> set[str]:
        roots: set[str] = set()
        for node in own_nodes([statement]):
            if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
                path = dotted(node.value)
                if path:
                    roots.add(path.split(".")[0])
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                path = dotted(node.func.value)
                if path:
                    roots.add(path.split(".")[0])
        return roots

    def transitive_reads(self, statement: ast.stmt) -> set[str]:
        """What a statement reads, with what the module's functions and classes it names read."""
        reads = self.reads(statement)
        for root in {path.split(".")[0] for path in reads}:
            for binding in self.module_scope.bindings.get(root, []):
                if isinstance(binding.node, DEFINITIONS):
                    reads = reads | self.definition_reads(binding.node)
        return reads

    def definition_reads(self, definition: ast.AST) -> set[str]:
        """What a definition reads when it runs or is called, with what the definitions it names read
        (computed once per definition)."""
        cached = self._definition_reads.get(id(definition))
        if cached is not None:
            return cached
        reads: set[str] = set()
        self._definition_reads[id(definition)] = reads  # a recursive definition sees what is known so far
        pending: list[ast.AST] = [definition]
        seen = {id(definition)}
        while pending:
            root = pending.pop()
            for name in module_loads([root]):
                reads.add(read_path(name))
                for binding in self.module_scope.bindings.get(name.id, []):
                    if isinstance(binding.node, DEFINITIONS) and id(binding.node) not in seen:
                        seen.add(id(binding.node))
                        pending.append(binding.node)
        return reads
