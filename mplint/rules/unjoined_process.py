"""MPL003 unjoined-process: processes, pools, managers and executors that are never joined or shut down."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from mplint.diagnostics import Diagnostic
from mplint.model import (
    FUNCTION_NODES,
    Kind,
    ModuleModel,
    Scope,
    containing_block,
    enclosing_statement,
    own_nodes,
    parent_of,
    position,
    same_expression,
    scope_of,
    statement_index,
    statements_after,
    walk,
)
from mplint.rules.base import Rule, RuleContext

# Calls that only look at an object: passing it to them is not an escape.
HARMLESS_FUNCTIONS = frozenset(
    {"print", "len", "str", "repr", "id", "type", "isinstance", "bool", "hash", "format", "vars"}
)
HARMLESS_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "write", "format"}
)
COLLECTING_METHODS = frozenset({"append", "add", "insert", "appendleft"})
SETUP_METHODS = frozenset({"__init__", "setUp", "setUpClass", "__post_init__", "__enter__", "start"})
CLOSERS: dict[Kind, tuple[frozenset[str], frozenset[str]]] = {
    # kind: (methods that close it, methods that join it); both are needed. Pool.terminate()
    # stops the workers and waits for them itself.
    Kind.POOL: (
        frozenset({"close", "terminate", "__exit__"}),
        frozenset({"join", "terminate", "__exit__"}),
    ),
    Kind.MANAGER: (frozenset({"shutdown", "__exit__"}), frozenset({"shutdown", "__exit__"})),
    Kind.MANAGER_UNSTARTED: (
        frozenset({"shutdown", "__exit__"}),
        frozenset({"shutdown", "__exit__"}),
    ),
    Kind.EXECUTOR: (frozenset({"shutdown", "__exit__"}), frozenset({"shutdown", "__exit__"})),
}
LOOP_NODES = (ast.For, ast.AsyncFor, ast.While)
# The names under which pools, managers and executors are created.
CONSTRUCTOR_NAMES = (
    "Pool",
    "Manager",
    "SyncManager",
    "BaseManager",
    "SharedMemoryManager",
    "ProcessPoolExecutor",
)
SCOPE_NODES = (*FUNCTION_NODES, ast.Module, ast.Lambda, ast.ClassDef)
ITERATION_WRAPPERS = frozenset({"reversed", "list", "sorted", "enumerate", "zip", "iter", "tuple"})


@dataclass
class Uses:
    """How the loads of a name treat the object it holds."""

    methods: set[str]
    managed: bool = False  # used as a `with` item
    escapes: bool = False
    containers: list[str] | None = None


def _called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def classify_uses(model: ModuleModel, loads: Sequence[ast.expr]) -> Uses:
    uses = Uses(methods=set(), containers=[])
    for load in loads:
        parent = parent_of(load)
        if isinstance(parent, ast.Attribute) and parent.value is load:
            uses.methods.add(parent.attr)
            continue
        if isinstance(parent, ast.withitem) and parent.context_expr is load:
            uses.managed = True
            continue
        if isinstance(parent, ast.Call) and load in parent.args:
            name = _called_name(parent)
            if isinstance(parent.func, ast.Name) and name in HARMLESS_FUNCTIONS:
                continue
            if isinstance(parent.func, ast.Attribute) and name in HARMLESS_METHODS:
                continue
            if name in COLLECTING_METHODS and isinstance(parent.func, ast.Attribute):
                owner = parent.func.value
                if isinstance(owner, ast.Name) and uses.containers is not None:
                    uses.containers.append(owner.id)
                    continue
            if name == "closing" and isinstance(parent_of(parent), ast.withitem):
                uses.managed = True
                continue
            uses.escapes = True
            continue
        if isinstance(parent, ast.Assign) and parent.value is load:
            targets = parent.targets
            if len(targets) == 1 and isinstance(targets[0], ast.Subscript):
                container = targets[0].value
                if isinstance(container, ast.Name) and uses.containers is not None:
                    uses.containers.append(container.id)
                    continue
            uses.escapes = True
            continue
        if isinstance(parent, (ast.Compare, ast.JoinedStr, ast.FormattedValue, ast.If, ast.Assert)):
            continue
        if isinstance(parent, ast.Expr):
            continue
        uses.escapes = True
    return uses


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _names_call(node: ast.AST, name: str, methods: frozenset[str]) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in methods
        and isinstance(node.value, ast.Name)
        and node.value.id == name
    )


class JoinPaths:
    """Whether ``name.join()`` runs on every normal path after a statement, to the end of its scope."""

    def __init__(self, name: str, binding_statement: ast.AST | None) -> None:
        self.name = name
        self.binding_statement = binding_statement

    def joins(self, statement: ast.stmt) -> bool:
        if isinstance(statement, ast.If):
            if self.tests_the_process(statement.test) and self.joins_block(statement.body):
                return True  # ``if p is not None: p.join()``: skipped only when there is nothing to join
            return self.joins_block(statement.body) and self.joins_block(statement.orelse)
        if isinstance(statement, (*LOOP_NODES, ast.With, ast.AsyncWith)):
            return self.joins_block(statement.body)
        if isinstance(statement, ast.Try):
            return self.joins_block(statement.body) or self.joins_block(statement.finalbody)
        if isinstance(statement, (*FUNCTION_NODES, ast.ClassDef)):
            return False
        return any(_names_call(node, self.name, frozenset({"join"})) for node in own_nodes([statement]))

    def tests_the_process(self, test: ast.expr) -> bool:
        """``p``, ``p is not None``, ``p.is_alive()``: a test that only asks whether there is a live
        process to join."""
        if isinstance(test, ast.Name):
            return test.id == self.name
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot):
            left, right = test.left, test.comparators[0]
            return (
                isinstance(left, ast.Name)
                and left.id == self.name
                and isinstance(right, ast.Constant)
                and right.value is None
            )
        return (
            isinstance(test, ast.Call)
            and _names_call(test.func, self.name, frozenset({"is_alive"}))
            and not test.args
        )

    def joins_block(self, block: list[ast.stmt]) -> bool:
        for statement in block:
            if self.joins(statement):
                return True
            if isinstance(statement, (ast.Return, ast.Raise, ast.Break, ast.Continue)):
                return False
        return False

    def exits_before_join(self, block: list[ast.stmt]) -> bool:
        for statement in block:
            if self.joins(statement):
                return False
            if isinstance(statement, ast.Return):
                return True
            if isinstance(statement, (*FUNCTION_NODES, ast.ClassDef)):
                continue
            if any(self.exits_before_join(sub) for sub in sub_blocks(statement)):
                return True
        return False

    def joined_after(self, statement: ast.stmt) -> bool:
        current: ast.AST = statement
        while True:
            parent = parent_of(current)
            if parent is None:
                return False
            block = containing_block(parent, current)
            if block is not None:
                for following in statements_after(block, current):
                    if self.joins(following):
                        return True
                    if isinstance(following, ast.Return):
                        return False
                    if not isinstance(following, (*FUNCTION_NODES, ast.ClassDef)) and any(
                        self.exits_before_join(sub) for sub in sub_blocks(following)
                    ):
                        return False
            if isinstance(parent, SCOPE_NODES):
                return False
            if isinstance(parent, ast.Try) and block is not parent.finalbody:
                if self.joins_block(parent.finalbody):
                    return True
            if isinstance(parent, LOOP_NODES) and block is parent.body:
                if self.binding_statement is not None and _inside(self.binding_statement, parent):
                    return False  # the next iteration rebinds the name: this process is lost
            current = parent
            while isinstance(current, (ast.ExceptHandler, ast.match_case)):
                current = parent_of(current)  # type: ignore[assignment]


def sub_blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    blocks: list[list[ast.stmt]] = []
    for field in ("body", "orelse", "finalbody"):
        block = getattr(statement, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            blocks.append(block)
    blocks.extend(handler.body for handler in getattr(statement, "handlers", []) or [])
    blocks.extend(case.body for case in getattr(statement, "cases", []) or [])
    return blocks


def _inside(node: ast.AST, container: ast.AST) -> bool:
    current: ast.AST | None = node
    while current is not None:
        if current is container:
            return True
        current = parent_of(current)
    return False


class UnjoinedProcess(Rule):
    code = "MPL003"
    name = "unjoined-process"
    severity = "warning"  # lifetime: the child outlives the code that started it
    summary = "Process started and never joined, or pool/manager/executor never shut down"
    what = (
        "Flags a `Process` that is started and not joined on every normal path to the end of its "
        "function (or module), a `Pool` neither used in `with` nor closed (or terminated) and joined, a "
        "`Manager()` neither used in `with` nor shut down, and a `ProcessPoolExecutor` neither used in "
        "`with` nor shut down. An object is also lost when its name is bound again before it is joined "
        "or shut down, and when a loop makes a new one on every pass but shuts down only the last, after "
        "the loop. Processes joined through the list (or dict) they were collected in count as joined, "
        "and an object made in a class body counts as shut down through the class (`cls.name` in a "
        "classmethod, `ClassName.name` anywhere) or through `self.name` when instances do not store "
        "their own `name`; daemon processes and objects handed elsewhere (returned, stored on `self`, "
        "passed to another function) are not flagged, except objects created in `__init__`/`setUp` that "
        "no method of the class ever joins or shuts down."
    )
    why = (
        "The parent goes on before the child has finished: results it reads may not be there yet, and "
        "errors in the child go unnoticed. A pool that is never closed and joined is terminated when it "
        "is garbage-collected or at exit, which silently drops work submitted with `apply_async`; "
        "managers and executors that are never shut down leave server and worker processes behind."
    )
    example = (
        "import sys\n"
        "from multiprocessing import Process\n\n\n"
        "def work():\n"
        '    print("working")\n\n\n'
        "def main(quick):\n"
        "    p = Process(target=work)\n"
        "    p.start()\n"
        "    if quick:\n"
        "        return  # p is never joined on this path\n"
        "    p.join()\n\n\n"
        'if __name__ == "__main__":\n'
        '    main(quick="--quick" in sys.argv)\n'
    )
    use_instead = (
        "import sys\n"
        "from multiprocessing import Process\n\n\n"
        "def work():\n"
        '    print("working")\n\n\n'
        "def main(quick):\n"
        "    p = Process(target=work)\n"
        "    p.start()\n"
        "    try:\n"
        "        if quick:\n"
        "            return\n"
        "    finally:\n"
        "        p.join()  # runs on every path, the early return included\n\n\n"
        'if __name__ == "__main__":\n'
        '    main(quick="--quick" in sys.argv)\n'
    )
    fix_safety = "There is no automatic fix: where to wait for a process is a design decision."
    options = "None."

    def __init__(self) -> None:
        self._daemon_names: dict[Scope, set[str]] = {}

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        candidates = model.calls_named("start") + model.constructor_calls(*CONSTRUCTOR_NAMES)
        for call in sorted(set(candidates), key=lambda c: (c.lineno, c.col_offset)):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "start" and not call.args:
                receiver = func.value
                if model.kind(receiver) is Kind.PROCESS:
                    message = self.unjoined_start(model, call, receiver)
                    if message is not None:
                        yield self.diagnostic(ctx, call, message)
                    continue
            made = model.value(call)
            if call in made.origins and made.kind in CLOSERS:
                message = self.unclosed_resource(model, call, made.kind)
                if message is not None:
                    yield self.diagnostic(ctx, call, message)

    # -- processes -------------------------------------------------------------------------------

    def unjoined_start(self, model: ModuleModel, call: ast.Call, receiver: ast.expr) -> str | None:
        value = model.value(receiver)
        if self.daemon_origin(model, value.origins) or expected_to_raise(call):
            return None
        if isinstance(receiver, ast.Call):
            return "this process is started and never joined: keep it in a variable and call `.join()`"
        if isinstance(receiver, ast.Attribute):
            return self.unjoined_attribute(model, receiver, "a process", frozenset({"join"}))
        if isinstance(receiver, ast.Subscript):
            root = receiver.value
            if isinstance(root, ast.Name):
                return self.unjoined_container(model, scope_of(root), root.id)
            return None
        if not isinstance(receiver, ast.Name):
            return None
        name = receiver.id
        scope = scope_of(receiver)
        owner = scope.defining_scope(name)
        if owner is None:
            return None
        if self.daemon_flag_set(owner, name):
            return None
        seen = scope.lookup(name, position(receiver))
        if len(seen) == 1 and seen[0].kind == "for" and seen[0].value is not None:
            attribute = self_attribute_of(seen[0].value)
            if attribute is not None:
                return self.unjoined_self_container(receiver, attribute)
            iterated = iteration_root(seen[0].value)
            if iterated is None:
                return None
            return self.unjoined_container(model, scope_of(iterated), iterated.id)
        loads = model.loads_of(owner, name)
        kept_in = [attribute for load in loads if (attribute := appended_to_self(load)) is not None]
        uses = classify_uses(model, [load for load in loads if appended_to_self(load) is None])
        if kept_in and not uses.escapes and not uses.containers:
            return self.unjoined_self_container(receiver, kept_in[0])
        if uses.escapes or kept_in:
            return None
        if uses.containers:
            return self.unjoined_container(model, owner, uses.containers[0])
        if any(
            isinstance(load_scope_node(n), FUNCTION_NODES) and scope_of(n) is not owner
            for n in model.loads_of(owner, name)
        ):
            return None  # used from functions: joined or not, that is their business
        binding_statement = enclosing_statement(seen[0].node) if len(seen) == 1 else None
        statement = enclosing_statement(call)
        if statement is None:
            return None
        if rebound_before(name, statement, frozenset({"join"})):
            return (
                f"process `{name}` is started, then `{name}` is rebound before it is joined: this "
                f"process is never joined; join it first, or keep every process in a list"
            )
        if JoinPaths(name, binding_statement).joined_after(statement):
            return None
        if self.joined_on_the_next_pass(name, statement, binding_statement):
            return None
        if self.joined_under_the_same_condition(name, statement, binding_statement):
            return None
        return (
            f"process `{name}` is started but not joined on every path: call `{name}.join()` "
            "before the end of the function (in a `finally:` if need be), or make it a daemon"
        )

    @staticmethod
    def unjoined_self_container(start: ast.AST, attribute: str) -> str | None:
        """Processes kept in ``self.<attribute>`` by a method that sets it up (``__init__``...), when no
        method of the class joins them, nor hands the collection to anything else."""
        method = next((a for a in _ancestors(start) if isinstance(a, FUNCTION_NODES)), None)
        cls = parent_of(method) if method is not None else None
        if method is None or not isinstance(cls, ast.ClassDef) or method.name not in SETUP_METHODS:
            return None
        for node in walk(cls):
            if not _self_attribute(node, attribute) or not isinstance(node, ast.Attribute):
                continue
            if isinstance(node.ctx, ast.Store):
                continue
            parent = parent_of(node)
            if isinstance(parent, ast.Attribute) and parent.attr in COLLECTING_METHODS:
                continue
            if self_container_joined(node):
                return None
            if isinstance(parent, ast.Subscript) and isinstance(parent_of(parent), ast.Attribute):
                continue  # self.workers[0].pid...
            if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)):
                continue  # iterated without a join
            if isinstance(parent, ast.Call) and _called_name(parent) in HARMLESS_FUNCTIONS:
                continue
            return None  # handed elsewhere: joined or not, that is its business
        return (
            f"processes kept in `self.{attribute}` are started but no method of `{cls.name}` joins them: "
            f"`for p in self.{attribute}: p.join()`"
        )

    @staticmethod
    def joined_on_the_next_pass(name: str, statement: ast.stmt, binding_statement: ast.AST | None) -> bool:
        """A process started in a loop whose next pass joins it before starting another, and which is
        joined after the loop: ``for ...: p.join(); p = Process(...); p.start()``."""
        started = (statement.lineno, statement.col_offset)
        for ancestor in _ancestors(statement):
            if isinstance(ancestor, (*FUNCTION_NODES, ast.Module, ast.ClassDef)):
                return False
            if isinstance(ancestor, LOOP_NODES):
                if not any(
                    _names_call(node, name, frozenset({"join"}))
                    and (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)) < started
                    for node in walk(ancestor)
                ):
                    return False
                return JoinPaths(name, binding_statement).joined_after(ancestor)
        return False

    @staticmethod
    def joined_under_the_same_condition(
        name: str, statement: ast.stmt, binding_statement: ast.AST | None
    ) -> bool:
        """``if parallel: p.start()`` ... ``if parallel: p.join()``: started and joined under one test."""
        current: ast.AST = statement
        for ancestor in _ancestors(statement):
            if isinstance(ancestor, (*FUNCTION_NODES, ast.Module, ast.ClassDef, *LOOP_NODES)):
                return False
            if isinstance(ancestor, ast.If) and statement_index(ancestor.body, current) is not None:
                parent = parent_of(ancestor)
                block = containing_block(parent, ancestor) if parent is not None else None
                if block is None:
                    return False
                later = statements_after(block, ancestor)
                paths = JoinPaths(name, binding_statement)
                return any(
                    isinstance(following, ast.If)
                    and same_expression(following.test, ancestor.test)
                    and paths.joins_block(following.body)
                    for following in later
                )
            current = ancestor
        return False

    def daemon_origin(self, model: ModuleModel, origins: frozenset[ast.AST]) -> bool:
        for origin in origins:
            if isinstance(origin, ast.Call):
                if any(k.arg == "daemon" and _is_true(k.value) for k in origin.keywords):
                    return True
                made = model.value(origin)
                if isinstance(made.node, ast.ClassDef) and self.class_sets_daemon(made.node):
                    return True
        return False

    @staticmethod
    def class_sets_daemon(node: ast.ClassDef) -> bool:
        for child in walk(node):
            if isinstance(child, ast.Assign) and _is_true(child.value):
                if any(isinstance(t, ast.Attribute) and t.attr == "daemon" for t in child.targets):
                    return True
            if isinstance(child, ast.keyword) and child.arg == "daemon" and _is_true(child.value):
                return True
        return False

    def daemon_flag_set(self, owner: Scope, name: str) -> bool:
        """Whether ``name.daemon = ...`` (anything but False) is assigned anywhere in the scope: the
        names are gathered once per scope, so many processes cost one walk."""
        names = self._daemon_names.get(owner)
        if names is None:
            names = set()
            for node in walk(owner.node):
                if isinstance(node, ast.Assign) and not _is_false(node.value):
                    for target in node.targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and target.attr == "daemon"
                            and isinstance(target.value, ast.Name)
                        ):
                            names.add(target.value.id)
            self._daemon_names[owner] = names
        return name in names

    def unjoined_container(self, model: ModuleModel, scope: Scope, name: str) -> str | None:
        owner = scope.defining_scope(name)
        if owner is None:
            return None
        loads = model.loads_of(owner, name)
        for load in loads:
            if self.container_join(load):
                return None
        for load in loads:
            if self.container_escapes(load):
                return None
        is_dict = bool(loads) and model.value(loads[0]).detail == "dict"
        iterated = f"{name}.values()" if is_dict else name
        return (
            f"processes collected in `{name}` are started but never joined: `for p in {iterated}: p.join()`"
        )

    @staticmethod
    def container_join(load: ast.Name) -> bool:
        parent = parent_of(load)
        # procs[i].join() / procs.pop().join()
        holder: ast.AST | None = parent
        if isinstance(holder, ast.Subscript):
            holder = parent_of(holder)
        elif isinstance(holder, ast.Attribute) and holder.attr in ("pop", "popleft"):
            holder = parent_of(parent_of(holder) or holder)
        if isinstance(holder, ast.Attribute) and holder.attr == "join":
            return True
        if (
            isinstance(holder, ast.Assign)
            and len(holder.targets) == 1
            and isinstance(holder.targets[0], ast.Name)
            and isinstance(parent, ast.Attribute)
            and parent.attr in ("pop", "popleft")
        ):
            taken = holder.targets[0].id  # done = running.popleft(); done.join()
            outer = parent_of(holder)
            block = containing_block(outer, holder) if outer is not None else None
            if block is not None:
                later = statements_after(block, holder)
                if any(_names_call(node, taken, frozenset({"join"})) for e in later for node in walk(e)):
                    return True
        loop = _iterating_loop(load)
        if loop is None:
            return False
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            bound = {n.id for n in walk(loop.target) if isinstance(n, ast.Name)}
            searched: list[ast.AST] = list(loop.body)
        else:
            assert isinstance(loop, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp))
            bound = set()
            for generator in loop.generators:
                bound |= {n.id for n in walk(generator.target) if isinstance(n, ast.Name)}
            searched = [loop.elt] if not isinstance(loop, ast.DictComp) else [loop.value]
        for node in own_nodes(searched):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "join"
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
            ):
                return True
        return False

    @staticmethod
    def container_escapes(load: ast.Name) -> bool:
        parent = parent_of(load)
        if isinstance(parent, (ast.Return, ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(parent, ast.Call) and load in parent.args:
            name = _called_name(parent)
            return name not in HARMLESS_FUNCTIONS | ITERATION_WRAPPERS
        if isinstance(parent, ast.Assign) and parent.value is load:
            return True
        if isinstance(parent, ast.keyword):
            return True
        return False

    def unjoined_attribute(
        self, model: ModuleModel, receiver: ast.Attribute, what: str, closers: frozenset[str]
    ) -> str | None:
        owner = model.value(receiver.value)
        if not owner.is_(Kind.INSTANCE) or not isinstance(owner.node, ast.ClassDef):
            return None
        cls = owner.node
        attr = receiver.attr
        created_in_setup = False
        for method in cls.body:
            if not isinstance(method, FUNCTION_NODES):
                continue
            for node in walk(method):
                if _self_attribute(node, attr):
                    parent = parent_of(node)
                    if isinstance(parent, ast.Attribute) and parent.attr in closers:
                        return None
                    if isinstance(parent, ast.withitem):
                        return None
                    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                        if method.name in SETUP_METHODS:
                            created_in_setup = True
                    elif not isinstance(parent, ast.Attribute):
                        if not isinstance(parent, (ast.Compare, ast.If)):
                            return None  # handed elsewhere
        if not created_in_setup:
            return None
        wanted = " and ".join(f"`.{m}()`" for m in sorted(closers - {"__exit__"})[:2])
        return f"`self.{attr}` holds {what} that no method of `{cls.name}` ever ends with {wanted}"

    # -- pools, managers, executors --------------------------------------------------------------

    def unclosed_resource(self, model: ModuleModel, call: ast.Call, kind: Kind) -> str | None:
        closers, joiners = CLOSERS[kind]
        label = {
            Kind.POOL: "pool",
            Kind.MANAGER: "manager",
            Kind.MANAGER_UNSTARTED: "manager",
            Kind.EXECUTOR: "executor",
        }[kind]
        advice = {
            Kind.POOL: "use `with` or call `.close()` and `.join()`",
            Kind.MANAGER: "use `with` or call `.shutdown()`",
            Kind.MANAGER_UNSTARTED: "use `with` or call `.shutdown()`",
            Kind.EXECUTOR: "use `with` or call `.shutdown()`",
        }[kind]
        parent = parent_of(call)
        if isinstance(parent, ast.withitem):
            return None
        if isinstance(parent, ast.Call) and _called_name(parent) == "closing":
            return None
        if isinstance(parent, ast.Attribute) and parent.value is call:
            if parent.attr in closers | joiners | {"__enter__", "start"}:
                if kind is Kind.MANAGER_UNSTARTED and parent.attr == "start":
                    return f"this {label} is started and never shut down: {advice}"
                return None
            if kind is Kind.MANAGER_UNSTARTED:
                return None
            return f"this {label} is never shut down: {advice}"
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if len(targets) != 1:
                return None
            target = targets[0]
            if isinstance(target, ast.Attribute):
                if kind is Kind.MANAGER_UNSTARTED:
                    return None
                return self.unjoined_attribute(model, target, f"a {label}", closers | joiners)
            if not isinstance(target, ast.Name):
                return None
            return self.unclosed_name(model, target, kind, label, advice)
        return None

    def unclosed_name(
        self, model: ModuleModel, target: ast.Name, kind: Kind, label: str, advice: str
    ) -> str | None:
        closers, joiners = CLOSERS[kind]
        owner = scope_of(target).defining_scope(target.id)
        if owner is None:
            return None
        loads: list[ast.expr] = list(model.loads_of(owner, target.id))
        if owner.kind == "class" and isinstance(owner.node, ast.ClassDef):
            loads.extend(model.class_attribute_loads(owner.node, target.id))
        uses = classify_uses(model, loads)
        if uses.escapes or uses.containers or uses.managed:
            return None
        if kind is Kind.MANAGER_UNSTARTED and "start" not in uses.methods:
            return None
        closed = bool(uses.methods & closers)
        joined = bool(uses.methods & joiners)
        created = enclosing_statement(target)
        if closed and joined and created is not None:
            if rebound_before(target.id, created, closers | joiners):
                return (
                    f"`{target.id}` is rebound before this {label} is shut down: it is never shut down; "
                    f"{advice}"
                )
            if shut_down_only_after_loop(target.id, created, closers | joiners):
                return (
                    f"a new {label} is made on every pass of the loop, and only the last one is shut down: "
                    f"{advice} inside the loop"
                )
        if closed and joined:
            return None
        if kind is Kind.POOL and closed:
            return f"pool `{target.id}` is closed but never joined: call `{target.id}.join()`"
        if kind is Kind.POOL and joined:
            return f"pool `{target.id}` is joined but never closed: call `{target.id}.close()` first"
        return f"{label} `{target.id}` is never shut down: {advice}"


def rebound_before(name: str, statement: ast.stmt, methods: frozenset[str]) -> bool:
    """Whether a later statement of the same block binds ``name`` again before any statement calls one
    of ``methods`` on it: the object it held is then lost."""
    parent = parent_of(statement)
    block = containing_block(parent, statement) if parent is not None else None
    if block is None:
        return False
    for later in statements_after(block, statement):
        if any(_names_call(node, name, methods) for node in walk(later)):
            return False
        targets: list[ast.expr] = []
        if isinstance(later, ast.Assign):
            targets = list(later.targets)
        elif isinstance(later, (ast.AnnAssign, ast.AugAssign)):
            targets = [later.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def shut_down_only_after_loop(name: str, statement: ast.stmt, methods: frozenset[str]) -> bool:
    """Whether the object ``statement`` creates in a loop is shut down only after the loop (so only the
    last one is)."""
    loop: ast.AST | None = None
    for node in _ancestors(statement):
        if not isinstance(node, (ast.Try, ast.With, ast.AsyncWith)):
            loop = node  # an `if` in between may create it only once (``if pool is None:``)
            break
    if loop is None or not isinstance(loop, LOOP_NODES):
        return False
    if any(_names_call(node, name, methods) for node in walk(loop)):
        return False
    if any(isinstance(node, (ast.Break, ast.Return)) for node in walk(loop)):
        return False  # the loop may run once
    return True


def self_attribute_of(expr: ast.expr) -> str | None:
    """``workers`` for ``self.workers`` (also ``list(self.workers)``, ``self.workers[:]``)."""
    current: ast.AST = expr
    while isinstance(current, (ast.Subscript, ast.Call)):
        if isinstance(current, ast.Subscript):
            current = current.value
        elif isinstance(current.func, ast.Name) and current.func.id in ITERATION_WRAPPERS and current.args:
            current = current.args[0]
        else:
            return None
    if (
        isinstance(current, ast.Attribute)
        and isinstance(current.value, ast.Name)
        and current.value.id == "self"
    ):
        return current.attr
    return None


def appended_to_self(load: ast.Name) -> str | None:
    """``workers`` when the load is ``self.workers.append(p)``'s argument."""
    call = parent_of(load)
    if not (isinstance(call, ast.Call) and any(arg is load for arg in call.args)):
        return None
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in COLLECTING_METHODS:
        return self_attribute_of(func.value)
    return None


def self_container_joined(node: ast.Attribute) -> bool:
    """Whether a use of ``self.<attribute>`` joins its processes: a loop over it that joins each one,
    ``self.workers[i].join()``, ``self.workers.pop().join()``."""
    parent = parent_of(node)
    holder: ast.AST | None = parent
    if isinstance(holder, ast.Subscript):
        holder = parent_of(holder)
    elif isinstance(holder, ast.Attribute) and holder.attr in ("pop", "popleft"):
        holder = parent_of(parent_of(holder) or holder)
    if isinstance(holder, ast.Attribute) and holder.attr == "join":
        return True
    current: ast.AST = node
    outer = parent_of(current)
    while isinstance(outer, (ast.Call, ast.Subscript)) and not isinstance(outer, ast.comprehension):
        current, outer = outer, parent_of(outer)
    loop_body: list[ast.AST] = []
    bound: set[str] = set()
    if isinstance(outer, (ast.For, ast.AsyncFor)) and outer.iter is current:
        loop_body, bound = list(outer.body), {n.id for n in walk(outer.target) if isinstance(n, ast.Name)}
    elif isinstance(outer, ast.comprehension) and outer.iter is current:
        comprehension = parent_of(outer)
        element = getattr(comprehension, "elt", None)
        loop_body = [element] if element is not None else []
        bound = {n.id for n in walk(outer.target) if isinstance(n, ast.Name)}
    return any(
        isinstance(n, ast.Attribute)
        and n.attr == "join"
        and isinstance(n.value, ast.Name)
        and n.value.id in bound
        for n in own_nodes(loop_body)
    )


def expected_to_raise(node: ast.AST) -> bool:
    """Whether ``node`` runs inside ``with self.assertRaises(...)`` or ``with pytest.raises(...)``."""
    for ancestor in _ancestors(node):
        if isinstance(ancestor, SCOPE_NODES):
            return False
        if isinstance(ancestor, (ast.With, ast.AsyncWith)):
            for item in ancestor.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and _called_name(expr) in RAISES_CONTEXTS:
                    return True
    return False


RAISES_CONTEXTS = frozenset({"assertRaises", "assertRaisesRegex", "raises"})


def _ancestors(node: ast.AST) -> Iterator[ast.AST]:
    parent = parent_of(node)
    while parent is not None:
        yield parent
        parent = parent_of(parent)


def _is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def _self_attribute(node: ast.AST, attr: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == attr
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def load_scope_node(node: ast.AST) -> ast.AST:
    return scope_of(node).node


def iteration_root(expr: ast.expr) -> ast.Name | None:
    """The container a loop iterates over: ``procs`` in ``procs``, ``procs[:]``, ``procs.values()``,
    ``reversed(procs)``, ``enumerate(procs)``."""
    current: ast.AST = expr
    while True:
        if isinstance(current, ast.Name):
            return current
        if isinstance(current, ast.Subscript):
            current = current.value
        elif isinstance(current, ast.Call):
            if isinstance(current.func, ast.Attribute) and current.func.attr in (
                "values",
                "items",
                "copy",
            ):
                current = current.func.value
            elif (
                isinstance(current.func, ast.Name) and current.func.id in ITERATION_WRAPPERS and current.args
            ):
                current = current.args[0]
            else:
                return None
        else:
            return None


def _iterating_loop(load: ast.Name) -> ast.AST | None:
    """The for loop or comprehension whose iterable ``load`` is the root of."""
    current: ast.AST = load
    parent = parent_of(current)
    while parent is not None:
        if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is current:
            return parent
        if isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            if any(generator.iter is current for generator in parent.generators):
                return parent
            return None
        if isinstance(parent, (ast.Subscript, ast.Attribute, ast.Call)):
            current, parent = parent, parent_of(parent)
            continue
        return None
    return None
