"""``torch.multiprocessing.spawn`` and ``start_processes``: each starts ``nprocs`` processes that call
``fn(rank, *args)``, the index of the process first, then the elements of ``args``."""

from __future__ import annotations

import ast

# Canonicalised onto multiprocessing's namespace, as everything under torch.multiprocessing is.
SPAWN = "multiprocessing.spawn"
START_PROCESSES = "multiprocessing.start_processes"
SPAWNING_FUNCTIONS = frozenset({SPAWN, START_PROCESSES})
SPAWNING_NAMES = frozenset(name.rsplit(".", 1)[1] for name in SPAWNING_FUNCTIONS)
PARAMETERS = ("fn", "args", "nprocs", "join", "daemon", "start_method")
LEADING_ARGUMENTS = 1
"""How many arguments ``fn`` receives before the elements of ``args``: the rank."""


def spawn_argument(call: ast.Call, parameter: str) -> ast.expr | None:
    """What a spawn call passes for one of its parameters, by keyword or by position."""
    for keyword in call.keywords:
        if keyword.arg == parameter:
            return keyword.value
    index = PARAMETERS.index(parameter)
    positional = call.args[: index + 1]
    if len(positional) <= index or any(isinstance(a, ast.Starred) for a in positional):
        return None
    return positional[index]


def spawns_several(call: ast.Call) -> bool:
    """Whether the call may start more than one process (``nprocs`` is 1 unless given)."""
    nprocs = spawn_argument(call, "nprocs")
    return nprocs is not None and not (isinstance(nprocs, ast.Constant) and nprocs.value == 1)


def waits_for_children(call: ast.Call) -> bool:
    """Whether the call returns only once its processes have exited (unless ``join=False``)."""
    join = spawn_argument(call, "join")
    return not (isinstance(join, ast.Constant) and not join.value)


def spawn_start_method(call: ast.Call, qualname: str) -> str:
    """The start method of the processes: always spawn for ``spawn``, ``start_method`` (spawn unless
    given) for ``start_processes``; "" when it is not a constant."""
    method = spawn_argument(call, "start_method") if qualname == START_PROCESSES else None
    if method is None:
        return "spawn"
    return method.value if isinstance(method, ast.Constant) and isinstance(method.value, str) else ""
