"""The catalogue of the multiprocessing API: which qualified names make which kinds of objects.

Qualified names are canonicalised first: the drop-in packages ``multiprocess``, ``billiard`` and
``torch.multiprocessing`` mirror ``multiprocessing`` and are mapped onto it, and everything under
``multiprocessing.dummy`` (threads behind the same API) is kept apart so that it is never mistaken for
the process-based original.
"""

from __future__ import annotations

import enum

DROP_IN_PACKAGES: dict[str, str] = {
    "multiprocessing": "multiprocessing",
    "multiprocess": "multiprocessing",
    "billiard": "multiprocessing",
    "torch.multiprocessing": "multiprocessing",
}
# Packages that pickle with dill or cloudpickle: lambdas and closures survive the trip to a child.
DILL_PACKAGES = ("multiprocess", "pathos", "loky", "joblib")


class Kind(enum.Enum):
    """What an expression evaluates to, as far as multiprocessing is concerned."""

    UNKNOWN = "unknown"
    NONE = "none"
    PLAIN = "plain"  # a plain container literal or constructor: list(), {}, dict(...)
    MODULE = "module"  # the multiprocessing module itself, which acts as the default context
    CONTEXT = "context"  # get_context(...)
    PROCESS = "process"
    POOL = "pool"
    THREAD_POOL = "thread_pool"
    MANAGER = "manager"  # a started manager: Manager()
    MANAGER_UNSTARTED = "manager_unstarted"  # SyncManager() / BaseManager(): starts with .start()
    EXECUTOR = "executor"
    THREAD_EXECUTOR = "thread_executor"
    QUEUE = "queue"
    PIPE = "pipe"  # the pair returned by Pipe()
    CONNECTION = "connection"
    LOCK = "lock"
    SHARED_VALUE = "shared_value"
    SHARED_ARRAY = "shared_array"
    PROXY = "proxy"
    COPY = "copy"  # a value read out of a proxy: a local copy
    ASYNC_RESULT = "async_result"
    RESULT_ITERATOR = "result_iterator"
    FUTURE = "future"
    CONTAINER = "container"  # a list/tuple/set whose elements are known
    FUNCTION = "function"  # a function (or method) defined in the module
    CLASS = "class"  # a class defined in the module
    INSTANCE = "instance"  # an instance of a class defined in the module
    PARTIAL = "partial"  # functools.partial(...)
    API = "api"  # a multiprocessing callable not yet called, e.g. the name Manager


def canonical(qualname: str) -> str:
    """Map a drop-in package's qualified name onto ``multiprocessing``'s."""
    for package, target in DROP_IN_PACKAGES.items():
        if qualname == package or qualname.startswith(package + "."):
            return target + qualname[len(package) :]
    return qualname


def is_multiprocessing_name(qualname: str) -> bool:
    return qualname == "multiprocessing" or qualname.startswith("multiprocessing.")


MP = "multiprocessing"

# Constructors and factories, by canonical qualified name (the short form is the top-level name, which a
# context object also offers as an attribute).
_CONSTRUCTORS: dict[str, tuple[Kind, str]] = {}


def _register(kind: Kind, detail: str, *names: str) -> None:
    for name in names:
        _CONSTRUCTORS[name] = (kind, detail)


_register(
    Kind.PROCESS,
    "",
    f"{MP}.Process",
    f"{MP}.process.BaseProcess",
    f"{MP}.context.Process",
    f"{MP}.context.SpawnProcess",
    f"{MP}.context.ForkProcess",
    f"{MP}.context.ForkServerProcess",
    f"{MP}.popen_spawn_posix.Process",
)
_register(Kind.POOL, "", f"{MP}.Pool", f"{MP}.pool.Pool")
_register(Kind.THREAD_POOL, "", f"{MP}.pool.ThreadPool")
_register(Kind.MANAGER, "", f"{MP}.Manager")
_register(
    Kind.MANAGER_UNSTARTED,
    "",
    f"{MP}.managers.SyncManager",
    f"{MP}.managers.BaseManager",
    f"{MP}.managers.SharedMemoryManager",
)
_register(
    Kind.EXECUTOR,
    "",
    "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor",
)
_register(
    Kind.THREAD_EXECUTOR,
    "",
    "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.thread.ThreadPoolExecutor",
)
for _queue in ("Queue", "SimpleQueue", "JoinableQueue"):
    _register(Kind.QUEUE, _queue, f"{MP}.{_queue}", f"{MP}.queues.{_queue}")
_register(Kind.PIPE, "", f"{MP}.Pipe", f"{MP}.connection.Pipe")
for _lock in ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event", "Barrier"):
    _register(Kind.LOCK, _lock, f"{MP}.{_lock}", f"{MP}.synchronize.{_lock}")
_register(Kind.SHARED_VALUE, "", f"{MP}.Value", f"{MP}.sharedctypes.Value")
_register(Kind.SHARED_VALUE, "raw", f"{MP}.RawValue", f"{MP}.sharedctypes.RawValue")
_register(Kind.SHARED_ARRAY, "", f"{MP}.Array", f"{MP}.sharedctypes.Array")
_register(Kind.SHARED_ARRAY, "raw", f"{MP}.RawArray", f"{MP}.sharedctypes.RawArray")
_register(Kind.CONTEXT, "", f"{MP}.get_context", f"{MP}.context.SpawnContext")
_register(Kind.CONTEXT, "", f"{MP}.context.ForkContext", f"{MP}.context.ForkServerContext")
_register(Kind.CONTEXT, "", f"{MP}.context.DefaultContext", f"{MP}.context.BaseContext")


def constructed_kind(qualname: str) -> tuple[Kind, str] | None:
    """What calling the multiprocessing callable ``qualname`` returns, or None if it is not one."""
    if qualname.startswith(f"{MP}.dummy"):
        if qualname.endswith(".Pool"):
            return (Kind.THREAD_POOL, "")
        return None
    return _CONSTRUCTORS.get(qualname)


# What a manager's methods return: the proxy type for each typeid registered by SyncManager.
MANAGER_PROXY_TYPES: dict[str, str] = {
    "list": "list",
    "dict": "dict",
    "Namespace": "namespace",
    "Value": "value",
    "Array": "array",
    "Queue": "queue",
    "JoinableQueue": "queue",
    "Lock": "lock",
    "RLock": "lock",
    "Semaphore": "lock",
    "BoundedSemaphore": "lock",
    "Condition": "lock",
    "Event": "lock",
    "Barrier": "lock",
    "Pool": "pool",
}

# Proxy classes usable as annotations, by canonical qualified name.
PROXY_ANNOTATIONS: dict[str, str] = {
    f"{MP}.managers.DictProxy": "dict",
    f"{MP}.managers.ListProxy": "list",
    f"{MP}.managers.ValueProxy": "value",
    f"{MP}.managers.NamespaceProxy": "namespace",
    f"{MP}.managers.ArrayProxy": "array",
}
PROXY_ANNOTATION_NAMES: dict[str, str] = {
    name.rsplit(".", 1)[1]: proxy for name, proxy in PROXY_ANNOTATIONS.items()
}

# Methods that change a builtin list, dict, set or bytearray in place.
IN_PLACE_METHODS = frozenset(
    {
        # list / bytearray
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "clear",
        "sort",
        "reverse",
        # dict
        "update",
        "setdefault",
        "popitem",
        # set
        "add",
        "discard",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
    }
)

# Methods of list/dict proxies that return a copy of a stored value.
PROXY_READ_METHODS = frozenset({"get", "setdefault"})

POOL_MAP_METHODS = frozenset({"map", "map_async", "imap", "imap_unordered"})
POOL_STARMAP_METHODS = frozenset({"starmap", "starmap_async"})
POOL_APPLY_METHODS = frozenset({"apply", "apply_async"})
POOL_SUBMISSION_METHODS = POOL_MAP_METHODS | POOL_STARMAP_METHODS | POOL_APPLY_METHODS
EXECUTOR_SUBMISSION_METHODS = frozenset({"submit", "map"})

# Names that ``from multiprocessing import *`` brings in (the public API of its default context).
STAR_EXPORTS = frozenset(
    {
        "Process",
        "Pool",
        "Manager",
        "Queue",
        "SimpleQueue",
        "JoinableQueue",
        "Pipe",
        "Lock",
        "RLock",
        "Semaphore",
        "BoundedSemaphore",
        "Condition",
        "Event",
        "Barrier",
        "Value",
        "RawValue",
        "Array",
        "RawArray",
        "get_context",
        "current_process",
        "parent_process",
        "active_children",
        "set_start_method",
        "get_start_method",
        "freeze_support",
        "cpu_count",
    }
)
