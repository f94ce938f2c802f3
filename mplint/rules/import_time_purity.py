"""What may run again, harmlessly, in every child: the rule that decides which module-level code can stay
outside the main guard when MPL002's fix moves the program's behaviour under it.

Under spawn and forkserver each child re-runs the module's unguarded code. That code must rebuild the
state the child would have inherited under fork, and do nothing else. An expression is *pure* when
evaluating it again gives the same value and does nothing observable:

- literals, f-strings, containers and comprehensions of pure parts, operators on pure operands;
- names of imports, of the module's definitions, of constants kept before it, of builtins, and the
  module's dunders (``__file__``, ``__name__``);
- attribute access and subscripts of pure expressions (``os.sep``, ``sys.argv[1]``, ``os.environ["N"]``);
- calls of the callables in ``PURE_CALLABLES`` (pure builtins and constructors: ``int``, ``Path``,
  ``os.path.join``, ``re.compile``, ``logging.getLogger``...) and of the methods in ``PURE_METHODS``
  (``str.format``, ``dict.get``, ``Path.with_suffix``...), with pure arguments, and no module function
  passed as a callback (``key=``).

Anything else (``open(...)``, ``time.time()``, ``random.random()``, ``Config()``, ``Manager()``) is taken to
have an effect or to give another value in the child. Definitions get one more allowance: their
decorators, default values, base classes and class bodies may call the helpers of ``DEFINITION_HELPERS``
(``functools.wraps``, ``dataclasses.dataclass``...), anything imported from outside the standard library
(``numba.jit``, ``click.command()``: library code that builds a definition), and the module's own
functions whose decoration-time code is itself acceptable.
"""

from __future__ import annotations

import ast
import builtins
import sys
from collections.abc import Callable

from mplint.model import FUNCTION_NODES, ModuleModel, own_nodes, scope_of

PURE_BUILTINS = frozenset(
    {
        "abs", "all", "any", "ascii", "bin", "bool", "bytearray", "bytes", "callable", "chr", "complex",
        "dict", "divmod", "enumerate", "float", "format", "frozenset", "hex", "int", "isinstance",
        "issubclass", "len", "list", "max", "min", "object", "oct", "ord", "pow", "range", "repr",
        "reversed", "round", "set", "slice", "sorted", "str", "sum", "tuple", "type", "zip",
    }
)  # fmt: skip
PURE_CALLABLES = frozenset(
    {
        *(f"builtins.{name}" for name in PURE_BUILTINS),
        *(f"pathlib.{name}" for name in ("Path", "PurePath", "PurePosixPath", "PureWindowsPath",
                                         "PosixPath", "WindowsPath")),
        *(f"{module}.{name}" for module in ("os.path", "posixpath", "ntpath")
          for name in ("join", "dirname", "basename", "splitext", "split", "normpath", "normcase",
                       "isabs")),
        "os.fspath", "os.cpu_count", "multiprocessing.cpu_count", "multiprocessing.get_context",
        "re.compile", "struct.Struct", "string.Template", "types.SimpleNamespace",
        "types.MappingProxyType", "functools.partial", "decimal.Decimal", "fractions.Fraction",
        "datetime.date", "datetime.datetime", "datetime.time", "datetime.timedelta", "datetime.timezone",
        "collections.namedtuple", "collections.OrderedDict", "collections.defaultdict",
        "collections.deque", "collections.Counter", "collections.ChainMap",
        "typing.TypeVar", "typing.NewType", "typing.NamedTuple", "typing.TypedDict", "typing.cast",
        "typing.ParamSpec", "logging.getLogger", "threading.Lock", "threading.RLock",
        "threading.Event", "threading.Condition", "threading.Semaphore",
        "threading.BoundedSemaphore", "threading.local",
        *(f"numpy.{name}" for name in ("array", "asarray", "arange", "linspace", "zeros", "ones",
                                       "full", "eye", "identity", "zeros_like", "ones_like")),
    }
)  # fmt: skip
# Methods that compute a value from their receiver and arguments, whatever pure receiver they get.
PURE_METHODS = frozenset(
    {
        "format", "join", "split", "rsplit", "splitlines", "strip", "lstrip", "rstrip", "upper", "lower",
        "title", "replace", "encode", "decode", "startswith", "endswith", "zfill", "ljust", "rjust",
        "center", "removeprefix", "removesuffix", "copy", "keys", "values", "items", "get", "count",
        "index", "joinpath", "with_suffix", "with_name", "with_stem", "as_posix", "fromkeys",
    }
)  # fmt: skip
# Calls that, at module level, change the state of an imported module that children read.
CONFIGURATORS = {
    "logging.basicConfig": "logging",
    "logging.config.dictConfig": "logging",
    "logging.config.fileConfig": "logging",
    "logging.disable": "logging",
    "logging.captureWarnings": "logging",
    "warnings.filterwarnings": "warnings",
    "warnings.simplefilter": "warnings",
    "warnings.resetwarnings": "warnings",
    "sys.setrecursionlimit": "sys",
    "sys.setswitchinterval": "sys",
    "socket.setdefaulttimeout": "socket",
    "random.seed": "random",
    "numpy.random.seed": "numpy.random",
    "numpy.set_printoptions": "numpy",
    "torch.manual_seed": "torch",
    "decimal.setcontext": "decimal",
    "locale.setlocale": "locale",
}
# Mutable state of imported modules: a method called on it, or a store into it, changes it.
MUTABLE_IMPORT_STATE = frozenset(
    {"os.environ", "os.environb", "sys.path", "sys.modules", "sys.argv", "sys.meta_path", "sys.path_hooks"}
)
DEFINITION_HELPERS = frozenset(
    {
        "builtins.staticmethod", "builtins.classmethod", "builtins.property",
        "functools.wraps", "functools.lru_cache", "functools.cache", "functools.cached_property",
        "functools.total_ordering", "functools.singledispatch", "functools.singledispatchmethod",
        "dataclasses.dataclass", "dataclasses.field", "abc.abstractmethod", "enum.unique", "enum.auto",
        "contextlib.contextmanager", "contextlib.asynccontextmanager", "typing.overload",
        "typing.final", "typing.runtime_checkable", "typing.no_type_check",
    }
)  # fmt: skip
MODULE_DUNDERS = frozenset({"__file__", "__name__", "__doc__", "__spec__", "__package__", "__builtins__"})
CONTAINER_CALLS = frozenset(
    {
        "builtins.list", "builtins.dict", "builtins.set", "builtins.bytearray",
        "collections.OrderedDict", "collections.defaultdict", "collections.deque", "collections.Counter",
    }
)  # fmt: skip
STATEFUL_CALLS = frozenset(name for name in PURE_CALLABLES if name.startswith(("threading.", "logging.")))
_CONTAINER_NODES = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def callee_name(model: ModuleModel, func: ast.expr) -> str | None:
    """The qualified name a call's callee refers to: ``builtins.int`` for a builtin not shadowed."""
    if isinstance(func, ast.Name) and scope_of(func).defining_scope(func.id) is None:
        if hasattr(builtins, func.id):
            return f"builtins.{func.id}"
    return model.qualname(func)


def constant_kind(model: ModuleModel, value: ast.expr | None) -> str:
    """What a kept constant holds: "container" (changed by its methods), "stateful" (a lock, a logger:
    changed by any method) or "value" (a path, a string, a number: methods compute new values)."""
    if isinstance(value, _CONTAINER_NODES):
        return "container"
    if isinstance(value, ast.Call):
        name = callee_name(model, value.func)
        if name in CONTAINER_CALLS:
            return "container"
        if name in STATEFUL_CALLS:
            return "stateful"
    return "value"


def is_stdlib(qualname: str) -> bool:
    return qualname.split(".", 1)[0] in sys.stdlib_module_names or qualname.startswith("builtins.")


class Purity:
    """Decides purity against the names available where the expression runs (``available(name)``)."""

    def __init__(self, model: ModuleModel, available: Callable[[str], bool]) -> None:
        self.model = model
        self.available = available

    def pure(self, expr: ast.AST, local: frozenset[str] = frozenset()) -> bool:
        """Whether ``expr`` is pure by the module's rule; ``local`` are comprehension variables."""
        if isinstance(expr, ast.Constant):
            return True
        if isinstance(expr, ast.Name):
            return expr.id in local or self._name_available(expr.id)
        if isinstance(expr, (ast.Attribute, ast.Starred)):
            return self.pure(expr.value, local)
        if isinstance(expr, ast.Subscript):
            return self.pure(expr.value, local) and self.pure(expr.slice, local)
        if isinstance(expr, ast.Slice):
            parts = (expr.lower, expr.upper, expr.step)
            return all(part is None or self.pure(part, local) for part in parts)
        if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
            return all(self.pure(element, local) for element in expr.elts)
        if isinstance(expr, ast.Dict):
            keys = [key for key in expr.keys if key is not None]
            return all(self.pure(part, local) for part in (*keys, *expr.values))
        if isinstance(expr, ast.JoinedStr):
            return all(self.pure(part, local) for part in expr.values)
        if isinstance(expr, ast.FormattedValue):
            spec = expr.format_spec
            return self.pure(expr.value, local) and (spec is None or self.pure(spec, local))
        if isinstance(expr, ast.BinOp):
            return self.pure(expr.left, local) and self.pure(expr.right, local)
        if isinstance(expr, ast.UnaryOp):
            return self.pure(expr.operand, local)
        if isinstance(expr, ast.BoolOp):
            return all(self.pure(value, local) for value in expr.values)
        if isinstance(expr, ast.Compare):
            return all(self.pure(part, local) for part in (expr.left, *expr.comparators))
        if isinstance(expr, ast.IfExp):
            return all(self.pure(part, local) for part in (expr.test, expr.body, expr.orelse))
        if isinstance(expr, _COMPREHENSIONS):
            return self._comprehension_pure(expr, local)
        if isinstance(expr, ast.Lambda):
            return True  # a definition: its body runs when it is called
        if isinstance(expr, ast.Call):
            return self._call_pure(expr, local)
        return False

    def _name_available(self, name: str) -> bool:
        if name in MODULE_DUNDERS or self.available(name):
            return True
        return hasattr(builtins, name) and name not in self.model.scopes.scopes[0].bindings

    def _comprehension_pure(self, expr: ast.AST, local: frozenset[str]) -> bool:
        assert isinstance(expr, _COMPREHENSIONS)
        names = set(local)
        for generator in expr.generators:
            if not self.pure(generator.iter, frozenset(names)):
                return False
            names.update(node.id for node in ast.walk(generator.target) if isinstance(node, ast.Name))
            if not all(self.pure(test, frozenset(names)) for test in generator.ifs):
                return False
        inner = frozenset(names)
        if isinstance(expr, ast.DictComp):
            return self.pure(expr.key, inner) and self.pure(expr.value, inner)
        return self.pure(expr.elt, inner)

    def _call_pure(self, call: ast.Call, local: frozenset[str]) -> bool:
        if not self.arguments_pure(call, local):
            return False
        func = call.func
        if callee_name(self.model, func) in PURE_CALLABLES:
            return True
        return isinstance(func, ast.Attribute) and func.attr in PURE_METHODS and self.pure(func.value, local)

    def arguments_pure(self, call: ast.Call, local: frozenset[str] = frozenset()) -> bool:
        for argument in (*call.args, *(keyword.value for keyword in call.keywords)):
            if not self.pure(argument, local) or self._is_callback(argument):
                return False
        return True

    def _is_callback(self, argument: ast.expr) -> bool:
        """A function of the module passed to a call may be called by it (``sorted(key=rank)``)."""
        if isinstance(argument, ast.Lambda):
            return True
        if isinstance(argument, ast.Name):
            bindings = self.model.scopes.scopes[0].bindings.get(argument.id, [])
            return any(binding.kind in ("def", "class") for binding in bindings)
        return False

    # -- definitions --------------------------------------------------------------------------------

    def definition_obstacle(self, statement: ast.stmt, seen: frozenset[int] = frozenset()) -> str | None:
        """Why running a definition again in every child would do something (None: it would not)."""
        for node in definition_time_nodes(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                owner = scope_of(node).defining_scope(node.id)
                if owner is not None and owner.kind == "module" and not self.available(node.id):
                    return f"the definition reads `{node.id}` when it runs, and `{node.id}` cannot stay"
            if not isinstance(node, ast.Call) or self._definition_call_acceptable(node, seen):
                continue
            return f"`{ast.unparse(node.func)}(...)` is called when the definition runs"
        for decorator in getattr(statement, "decorator_list", []):
            if isinstance(decorator, (ast.Name, ast.Attribute)):
                name = callee_name(self.model, decorator)
                if name is not None and not _builds_definitions(name):
                    return f"the decorator `@{ast.unparse(decorator)}` does more than build the definition"
                local = self._local_function(decorator)
                if local is not None and not self._local_function_acceptable(local, False, seen):
                    return f"the decorator `@{ast.unparse(decorator)}` does more than build the definition"
        return None

    def _definition_call_acceptable(self, call: ast.Call, seen: frozenset[int]) -> bool:
        if self._call_pure(call, frozenset()):
            return True
        name = callee_name(self.model, call.func)
        if name is not None and _builds_definitions(name):
            return True
        local = self._local_function(call.func)
        return local is not None and self._local_function_acceptable(local, True, seen)

    def _local_function(self, func: ast.expr) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        if not isinstance(func, ast.Name):
            return None
        bindings = self.model.scopes.scopes[0].bindings.get(func.id, [])
        nodes = [binding.node for binding in bindings]
        if len(nodes) == 1 and isinstance(nodes[0], FUNCTION_NODES):
            return nodes[0]
        return None

    def _local_function_acceptable(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, factory: bool, seen: frozenset[int]
    ) -> bool:
        """Whether the code a local decorator runs when it decorates calls only acceptable things: its
        own body (and, for a decorator factory called in the decorator, the functions it returns)."""
        if id(function) in seen:
            return True
        seen = seen | {id(function)}
        bodies: list[ast.stmt] = list(function.body)
        if factory:
            bodies += [inner for s in function.body if isinstance(s, FUNCTION_NODES) for inner in s.body]
        for node in own_nodes(list(bodies)):
            if isinstance(node, ast.Call) and not self._decoration_call_acceptable(node, seen):
                return False
        return True

    def _decoration_call_acceptable(self, call: ast.Call, seen: frozenset[int]) -> bool:
        func = call.func
        name = callee_name(self.model, func)
        if name is not None:
            if name in PURE_CALLABLES or name in DEFINITION_HELPERS or name in _ATTRIBUTE_BUILTINS:
                return True
            return not is_stdlib(name)  # print, os.*, time.*: an effect, or another value in the child
        local = self._local_function(func)
        if local is not None:
            return self._local_function_acceptable(local, True, seen)
        return isinstance(func, ast.Attribute)  # a method of a value (``registry.append(fn)``): in memory


def _builds_definitions(qualname: str) -> bool:
    return qualname in PURE_CALLABLES or qualname in DEFINITION_HELPERS or not is_stdlib(qualname)


_ATTRIBUTE_BUILTINS = frozenset({"builtins.setattr", "builtins.getattr", "builtins.hasattr"})


def definition_time_nodes(statement: ast.stmt) -> list[ast.AST]:
    """The nodes of a definition that run when the definition does: decorators, default values,
    annotations, base classes, and a class body (the bodies of its methods excepted)."""
    roots: list[ast.AST] = []
    if isinstance(statement, FUNCTION_NODES):
        arguments = statement.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        roots += [*statement.decorator_list, *arguments.defaults]
        roots += [d for d in arguments.kw_defaults if d is not None]
        roots += [a.annotation for a in every if a.annotation is not None]
        if statement.returns is not None:
            roots.append(statement.returns)
        return list(own_nodes(roots))
    if isinstance(statement, ast.ClassDef):
        nodes = list(own_nodes([*statement.decorator_list, *statement.bases, *statement.keywords]))
        for inner in statement.body:
            if isinstance(inner, (*FUNCTION_NODES, ast.ClassDef)):
                nodes += definition_time_nodes(inner)
            else:
                nodes += list(own_nodes([inner]))
        return nodes
    return list(own_nodes([statement]))
