"""MPL001 proxy-nested-mutation: an in-place change to a value read out of a manager proxy is lost."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from mplint.diagnostics import Applicability, Diagnostic, Fix
from mplint.model import (
    IN_PLACE_METHODS,
    PROXY_READ_METHODS,
    Binding,
    Kind,
    ModuleModel,
    Scope,
    enclosing_statement,
    own_nodes,
    parent_of,
    position,
    scope_of,
)
from mplint.rules import edits
from mplint.rules.base import Rule, RuleContext

LOOP_NODES = (ast.For, ast.AsyncFor, ast.While)
JUMP_NODES = (ast.Return, ast.Break, ast.Continue, ast.Raise)
BLOCK_FIELDS = ("body", "orelse", "finalbody")


@dataclass(frozen=True)
class Mutation:
    """An in-place change: ``node`` is what is reported, ``receiver`` the object changed."""

    node: ast.AST
    receiver: ast.expr
    statement: ast.stmt | None


def mutations(model: ModuleModel) -> Iterator[Mutation]:
    candidates = model.nodes(ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.Call)
    for node in candidates:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            for target in node.targets:
                targets.extend(_flatten(target))
        elif isinstance(node, ast.AugAssign):
            targets.append(node.target)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets.append(node.target)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                targets.extend(_flatten(target))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in IN_PLACE_METHODS:
                yield Mutation(node, node.func.value, enclosing_statement(node))
            continue
        for target in targets:
            if isinstance(target, (ast.Subscript, ast.Attribute)):
                yield Mutation(target, target.value, enclosing_statement(target))


def _flatten(target: ast.expr) -> Iterator[ast.expr]:
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _flatten(element)
    elif isinstance(target, ast.Starred):
        yield from _flatten(target.value)
    else:
        yield target


def read_base(expr: ast.expr) -> ast.expr | None:
    """The object a read expression reads from: ``P`` in ``P[k]``, ``P.a`` and ``P.get(k)``."""
    if isinstance(expr, (ast.Subscript, ast.Attribute)):
        return expr.value
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        if expr.func.attr in PROXY_READ_METHODS:
            return expr.func.value
    return None


def copy_read(model: ModuleModel, receiver: ast.expr) -> tuple[ast.expr, ast.expr] | None:
    """The read ``C`` of proxy ``P`` that ``receiver`` is a copy of, if it reads through a proxy."""
    current = receiver
    while model.is_copy(current):
        base = read_base(current)
        if base is None:
            return None
        base_kind = model.kind(base)
        if base_kind is Kind.PROXY:
            return current, base
        if base_kind is not Kind.COPY:
            return None
        current = base
    return None


def alias_root(model: ModuleModel, receiver: ast.expr) -> ast.Name | None:
    current = receiver
    while isinstance(current, (ast.Subscript, ast.Attribute)) and model.is_copy(current):
        current = current.value
    if isinstance(current, ast.Name) and model.is_copy(current):
        return current
    return None


def write_back_target(model: ModuleModel, read: ast.expr, base: ast.expr) -> ast.expr | None:
    """The key expression to write back with (``k`` of ``P[k]``/``P.get(k)``), None for an attribute."""
    if isinstance(read, ast.Subscript):
        return read.slice
    if isinstance(read, ast.Call) and read.args:
        return read.args[0]
    return None


class ProxyNestedMutation(Rule):
    code = "MPL001"
    name = "proxy-nested-mutation"
    summary = "In-place change to a value read out of a manager proxy is lost"
    what = (
        "Flags in-place changes to an object read out of a `multiprocessing.Manager` proxy: "
        "`d[k][j] = v`, `d[k].append(x)`, `ns.items.append(x)`, `v.value.append(x)`, and aliases "
        "such as `x = d[k]; x.append(1)` where `x` is never written back or used again."
    )
    why = (
        "A proxy hands out copies: `d[k]` pickles the stored object in the manager's server process and "
        "unpickles a new one in yours. Changing that copy in place never reaches the manager, so the "
        "change is silently lost for every process. Only assignments through the proxy itself "
        "(`__setitem__`, `__setattr__` on a Namespace, `.value =` on a Value) are sent to the manager."
    )
    example = (
        "from multiprocessing import Manager, Process\n\n\n"
        "def worker(shared):\n"
        '    shared[0]["id"] = 2  # changes a local copy\n\n\n'
        'if __name__ == "__main__":\n'
        "    with Manager() as manager:\n"
        '        shared = manager.list([{"id": 1}])\n'
        "        p = Process(target=worker, args=(shared,))\n"
        "        p.start()\n"
        "        p.join()\n"
        "        print(shared[0])  # {'id': 1}\n"
    )
    use_instead = (
        "from multiprocessing import Manager, Process\n\n\n"
        "def worker(shared):\n"
        "    record = shared[0]\n"
        '    record["id"] = 2\n'
        "    shared[0] = record  # __setitem__ sends it to the manager\n\n\n"
        'if __name__ == "__main__":\n'
        "    with Manager() as manager:\n"
        '        shared = manager.list([{"id": 1}])\n'
        "        p = Process(target=worker, args=(shared,))\n"
        "        p.start()\n"
        "        p.join()\n"
        "        print(shared[0])  # {'id': 2}\n"
    )
    fix_safety = (
        "The temp-variable fix is safe: the key is evaluated once (a key with side effects is bound to a "
        "temporary of its own first) and the result is written back through the proxy. For an alias the "
        "write-back is inserted after the last mutation; it is only a suggestion when the key or the "
        "proxy is rebound in between, or when control may leave the block before the write-back."
    )
    fix_availability = "sometimes"
    fix_kind = "safe"
    options = "None."

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        model = ctx.model
        aliases: dict[tuple[int, str], list[tuple[Mutation, ast.Name]]] = {}
        for mutation in mutations(model):
            read = copy_read(model, mutation.receiver)
            if read is not None:
                yield self.direct(ctx, mutation, *read)
                continue
            root = alias_root(model, mutation.receiver)
            if root is not None:
                scope = scope_of(root)
                aliases.setdefault((id(scope), root.id), []).append((mutation, root))
        for group in aliases.values():
            yield from self.alias_group(ctx, group)

    # -- direct mutations ------------------------------------------------------------------------

    def direct(self, ctx: RuleContext, mutation: Mutation, read: ast.expr, proxy: ast.expr) -> Diagnostic:
        read_text = edits.text_of(ctx.source, read)
        message = (
            f"`{read_text}` is a copy read out of a manager proxy: this in-place change is lost; "
            "assign it to a variable, change that, and write it back"
        )
        fix = self.temp_variable_fix(ctx, mutation, read, proxy)
        return self.diagnostic(ctx, mutation.node, message, fix)

    def temp_variable_fix(
        self, ctx: RuleContext, mutation: Mutation, read: ast.expr, proxy: ast.expr
    ) -> Fix | None:
        statement = mutation.statement
        if not self.fixable_statement(mutation, statement):
            return None
        assert statement is not None
        if not edits.is_pure(proxy):
            return None
        source, model = ctx.source, ctx.model
        proxy_text = edits.text_of(source, proxy)
        tmp = model.fresh_name("tmp")
        setup: list[str] = []
        key = write_back_target(model, read, proxy)
        if key is not None:
            key_text = edits.text_of(source, key)
            if not edits.is_pure(key):
                key_name = model.fresh_name("key")
                setup.append(f"{key_name} = {key_text}")
                if isinstance(read, ast.Subscript):
                    read_text = f"{proxy_text}[{key_name}]"
                else:
                    read_start, _ = edits.span(source, read)
                    key_start, key_end = edits.span(source, key)
                    _, read_end = edits.span(source, read)
                    read_text = source.text[read_start:key_start] + key_name + source.text[key_end:read_end]
                key_text = key_name
            else:
                read_text = edits.text_of(source, read)
            if isinstance(key, ast.Tuple) and not key_text.startswith("("):
                key_text = f"({key_text})"
            write_back = f"{proxy_text}[{key_text}] = {tmp}"
        else:
            assert isinstance(read, ast.Attribute)
            read_text = edits.text_of(source, read)
            write_back = f"{proxy_text}.{read.attr} = {tmp}"
        setup.append(f"{tmp} = {read_text}")
        layout = edits.statement_layout(source, statement)
        read_start, read_end = edits.span(source, read)
        changed = source.text[layout.start : read_start] + tmp + source.text[read_end : layout.end]
        if layout.owns_lines:
            newline = source.newline
            lines = [*setup, changed + layout.trailing, write_back]
            content = (newline + layout.indent).join(lines)
            edit = edits.replace(source, layout.start, layout.line_end, content)
        else:
            content = "; ".join([*setup, changed, write_back])
            edit = edits.replace(source, layout.start, layout.end, content)
        title = f"Assign `{edits.text_of(source, read)}` to `{tmp}`, change it, and write it back"
        return Fix(title, (edit,), Applicability.SAFE)

    @staticmethod
    def fixable_statement(mutation: Mutation, statement: ast.stmt | None) -> bool:
        if statement is None:
            return False
        node = mutation.node
        if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            if isinstance(node, ast.Call):
                return isinstance(statement, ast.Assign) and statement.value is node
            targets = (
                statement.targets if isinstance(statement, (ast.Assign, ast.Delete)) else [statement.target]
            )
            return node in targets
        if isinstance(statement, ast.Expr):
            return statement.value is node
        return False

    # -- aliases ---------------------------------------------------------------------------------

    def alias_group(self, ctx: RuleContext, group: list[tuple[Mutation, ast.Name]]) -> Iterator[Diagnostic]:
        model = ctx.model
        _, first_root = group[0]
        scope = scope_of(first_root)
        name = first_root.id
        if scope.defining_scope(name) is not scope or name in scope.global_names:
            return
        mutation_roots = {id(root) for _, root in group}
        uses = [node for node in model.loads_of(scope, name) if id(node) not in mutation_roots]
        by_binding: dict[int, list[Mutation]] = {}
        bindings: dict[int, Binding] = {}
        for mutation, root in group:
            seen = scope.lookup(name, position(root))
            if len(seen) != 1 or not self.alias_binding(model, seen[0]):
                continue
            binding = seen[0]
            if self.used_after(mutation, binding, uses):
                continue
            by_binding.setdefault(id(binding), []).append(mutation)
            bindings[id(binding)] = binding
        for key, flagged in by_binding.items():
            binding = bindings[key]
            fix = self.write_back_fix(ctx, binding, flagged, scope)
            source_text = edits.text_of(ctx.source, binding.value) if binding.value else name
            for mutation in flagged:
                message = (
                    f"`{name}` is a copy read out of a manager proxy (`{source_text}`): this in-place "
                    f"change is lost because `{name}` is never written back"
                )
                yield self.diagnostic(ctx, mutation.node, message, fix)

    @staticmethod
    def alias_binding(model: ModuleModel, binding: Binding) -> bool:
        if binding.kind not in ("assign", "annassign", "walrus", "for"):
            return False
        return binding.value is not None

    @staticmethod
    def used_after(mutation: Mutation, binding: Binding, uses: list[ast.Name]) -> bool:
        statement = mutation.statement or mutation.node
        end = (getattr(statement, "end_lineno", 0), getattr(statement, "end_col_offset", 0))
        loops = [a for a in _ancestors_until_scope(mutation.node) if isinstance(a, LOOP_NODES)]
        for use in uses:
            if position(use) >= end:
                return True
            for loop in loops:
                if _inside(use, loop) and not _inside(binding.node, loop):
                    return True
        return False

    def write_back_fix(
        self, ctx: RuleContext, binding: Binding, flagged: list[Mutation], scope: Scope
    ) -> Fix | None:
        model, source = ctx.model, ctx.source
        name = binding.name
        target = self.write_back_text(ctx, binding)
        if target is None:
            return None
        write_back, names = target
        block_owner, block = self.binding_block(binding)
        if block is None:
            return None
        last = max(flagged, key=lambda m: position(m.node))
        anchor = _statement_in_block(last.node, block)
        if anchor is None:
            return None
        applicability = Applicability.SAFE
        binding_stmt = enclosing_statement(binding.node)
        start = binding.effective
        stop = (anchor.end_lineno or 0, anchor.end_col_offset or 0)
        for other in names:
            for rebinding in scope.bindings.get(other, []):
                if rebinding is not binding and start < rebinding.effective <= stop:
                    applicability = Applicability.DISPLAY_ONLY
        if any(isinstance(node, JUMP_NODES) for node in own_nodes([anchor])):
            applicability = Applicability.DISPLAY_ONLY
        del binding_stmt, block_owner, model
        layout = edits.statement_layout(source, anchor)
        if layout.owns_lines:
            content = source.newline + layout.indent + write_back
            edit = edits.replace(source, layout.line_end, layout.line_end, content)
        elif isinstance(anchor, ast.stmt) and not isinstance(anchor, _COMPOUND):
            edit = edits.replace(source, layout.end, layout.end, f"; {write_back}")
        else:
            return None
        return Fix(f"Write `{name}` back: `{write_back}`", (edit,), applicability)

    def write_back_text(self, ctx: RuleContext, binding: Binding) -> tuple[str, set[str]] | None:
        model, source = ctx.model, ctx.source
        name = binding.name
        value = binding.value
        if value is None:
            return None
        if binding.kind in ("assign", "annassign", "walrus"):
            if binding.path:
                return None
            base = read_base(value)
            if base is None or not model.is_proxy(base) or not edits.is_pure(base):
                return None
            proxy_text = edits.text_of(source, base)
            if isinstance(value, ast.Attribute):
                return f"{proxy_text}.{value.attr} = {name}", edits.names_in(base)
            key = write_back_target(model, value, base)
            if key is None or not edits.is_pure(key):
                return None
            return (
                f"{proxy_text}[{edits.text_of(source, key)}] = {name}",
                edits.names_in(base) | edits.names_in(key),
            )
        if binding.kind == "for" and binding.path == (1,):
            loop = parent_of(binding.node)
            while loop is not None and not isinstance(loop, (ast.For, ast.AsyncFor)):
                loop = parent_of(loop)
            if loop is None or not isinstance(loop.target, ast.Tuple) or len(loop.target.elts) != 2:
                return None
            key_name = loop.target.elts[0]
            if not isinstance(key_name, ast.Name):
                return None
            iterated = loop.iter
            proxy: ast.expr | None = None
            if isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Attribute):
                if iterated.func.attr == "items" and not iterated.args:
                    proxy = iterated.func.value
            elif isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Name):
                if iterated.func.id == "enumerate" and len(iterated.args) == 1:
                    proxy = iterated.args[0]
            if proxy is None or not model.is_proxy(proxy) or not edits.is_pure(proxy):
                return None
            proxy_text = edits.text_of(source, proxy)
            return f"{proxy_text}[{key_name.id}] = {name}", edits.names_in(proxy) | {key_name.id}
        return None

    @staticmethod
    def binding_block(binding: Binding) -> tuple[ast.AST | None, list[ast.stmt] | None]:
        if binding.kind == "for":
            loop = parent_of(binding.node)
            while loop is not None and not isinstance(loop, (ast.For, ast.AsyncFor)):
                loop = parent_of(loop)
            if loop is None:
                return None, None
            return loop, loop.body
        statement = enclosing_statement(binding.node)
        if statement is None:
            return None, None
        owner = parent_of(statement)
        if owner is None:
            return None, None
        for field in BLOCK_FIELDS:
            block = getattr(owner, field, None)
            if isinstance(block, list) and statement in block:
                return owner, block
        if isinstance(owner, ast.ExceptHandler) or hasattr(owner, "cases"):
            return owner, getattr(owner, "body", None)
        return owner, getattr(owner, "body", None)


_COMPOUND = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Match,
)


def _ancestors_until_scope(node: ast.AST) -> Iterator[ast.AST]:
    parent = parent_of(node)
    while parent is not None and not isinstance(
        parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module)
    ):
        yield parent
        parent = parent_of(parent)


def _inside(node: ast.AST, container: ast.AST) -> bool:
    parent: ast.AST | None = node
    while parent is not None:
        if parent is container:
            return True
        parent = parent_of(parent)
    return False


def _statement_in_block(node: ast.AST, block: list[ast.stmt]) -> ast.stmt | None:
    current: ast.AST | None = node
    while current is not None:
        if isinstance(current, ast.stmt) and current in block:
            return current
        current = parent_of(current)
    return None
