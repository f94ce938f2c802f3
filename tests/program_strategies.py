"""Hypothesis strategies for realistic multiprocessing programs, built from pieces: Manager proxies and the
nested values they hold, workers that change them (in place, through aliases, under locks or not), processes,
pools and queues, with or without the ``__main__`` guard, in any indentation and line-break style.

The pieces are those the rules look for, in right and wrong versions, so that generated programs carry
diagnostics and fixes of every fixable rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

Line = tuple[int, str]  # indentation level, text

IMPORT_STYLES = {
    "from": (
        "from multiprocessing import Array, Lock, Manager, Pool, Process, Queue, RawValue, Value",
        "",
    ),
    "module": ("import multiprocessing", "multiprocessing."),
    "alias": ("import multiprocessing as mp", "mp."),
}

KINDS = ("list", "dict", "namespace", "value", "raw_value", "array", "queue", "lock")
MANAGED = ("list", "dict", "namespace")


def creation(kind: str, name: str, prefix: str) -> list[Line]:
    """The statements that make a shared object of ``kind`` (``manager`` is in scope for proxies)."""
    return {
        "list": [(0, f'{name} = manager.list([{{"id": 1}}, [0, 1], {{"tags": []}}])')],
        "dict": [(0, f'{name} = manager.dict({{"k": [1], "n": {{"x": 0}}}})')],
        "namespace": [(0, f"{name} = manager.Namespace()"), (0, f"{name}.items = []")],
        "value": [(0, f'{name} = {prefix}Value("i", 0)')],
        "raw_value": [(0, f'{name} = {prefix}RawValue("i", 0)')],
        "array": [(0, f'{name} = {prefix}Array("i", 4)')],
        "queue": [(0, f"{name} = {prefix}Queue()")],
        "lock": [(0, f"{name} = {prefix}Lock()")],
    }[kind]


def mutations(kind: str, s: str, v: str) -> list[list[Line]]:
    """What a worker may do to a parameter holding a shared object of ``kind``: pitfalls and not."""
    common: list[list[Line]] = [[(0, f"print({s})")], [(0, f"RESULTS.append({v})")]]
    return (
        common
        + {
            "list": [
                [(0, f'{s}[0]["id"] = {v}')],
                [(0, f"{s}[1].append({v})")],
                [(0, f"{s}[1][0] += {v}")],
                [(0, f'{s}[2]["tags"].append({v})')],
                [(0, f"item = {s}[0]"), (0, f'item["id"] = {v}')],
                [(0, f"item = {s}[0]"), (0, f'item["id"] = {v}'), (0, f"{s}[0] = item")],
                [(0, f"{s}.append({v})")],
                [(0, f'{s}[0] = {{"id": {v}}}')],
                [(0, f"{s}[-1].clear()")],
                [(0, f"for row in {s}:"), (1, "print(row)")],
                [(0, f"{s}[next_index()].append({v})")],
            ],
            "dict": [
                [(0, f'{s}["k"].append({v})')],
                [(0, f'{s}["n"]["x"] = {v}')],
                [(0, f'{s}.setdefault("k", []).append({v})')],
                [(0, f'{s}["k"] = [{v}]')],
                [(0, f'{s}["n"]["x"] += 1  # noqa: MPL001')],
                [(0, f'{s}["k"].append({v})  # noqa: MPL003')],
                [(0, f"for key, values in {s}.items():"), (1, f"values.append({v})")],
            ],
            "namespace": [
                [(0, f"{s}.items.append({v})")],
                [(0, f"{s}.items = [{v}]")],
                [(0, f"{s}.items += [{v}]")],
            ],
            "value": [
                [(0, f"{s}.value += {v}")],
                [(0, f"with {s}.get_lock():"), (1, f"{s}.value += {v}")],
                [(0, f"{s}.value = {s}.value + {v}")],
                [(0, "for _ in range(10):"), (1, f"{s}.value += 1")],
            ],
            "raw_value": [[(0, f"{s}.value += {v}")]],
            "array": [
                [(0, f"{s}[0] += {v}")],
                [(0, f"for i in range(len({s})):"), (1, f"{s}[i] += 1")],
                [(0, f"with {s}.get_lock():"), (1, f"{s}[1] += {v}")],
            ],
            "queue": [[(0, f"{s}.put([{v}] * 1000)")], [(0, f"{s}.put({v})")]],
            "lock": [[(0, f"with {s}:"), (1, f"print({v})")]],
        }[kind]
    )


@dataclass(frozen=True)
class Style:
    indent: str
    newline: str
    blank_lines: int


def render(lines: list[Line], style: Style) -> str:
    return "".join((style.indent * level + text if text else "") + style.newline for level, text in lines)


def indented(lines: list[Line], by: int) -> list[Line]:
    return [(level + by, text) for level, text in lines]


@st.composite
def wrapped(draw: st.DrawFn, lines: list[Line]) -> list[Line]:
    """``lines`` as they are, or inside an ``if``, a ``for``, a ``try`` or a ``with`` block."""
    how = draw(st.sampled_from(["plain", "plain", "if", "for", "try", "while"]))
    if how == "if":
        return [(0, "if True:"), *indented(lines, 1)]
    if how == "for":
        return [(0, "for attempt in range(2):"), *indented(lines, 1)]
    if how == "try":
        return [(0, "try:"), *indented(lines, 1), (0, "finally:"), (1, "pass")]
    if how == "while":
        return [(0, "while True:"), *indented(lines, 1), (1, "break")]
    return lines


@st.composite
def worker(draw: st.DrawFn, name: str, kind: str) -> list[Line]:
    value = draw(st.sampled_from(["1", "2", "x", "'text'", "None", "[1, 2]", '{"a": 1}']))
    choices = mutations(kind, "shared", value)
    body: list[Line] = []
    for piece in draw(st.lists(st.sampled_from(choices), min_size=1, max_size=4)):
        body.extend(draw(wrapped(piece)))
    if draw(st.booleans()):
        body.insert(0, (0, "# change the shared object"))
    return [(0, f"def {name}(shared, x=1):"), *indented(body, 1)]


@st.composite
def start(draw: st.DrawFn, target: str, obj: str, kind: str, prefix: str, index: int) -> list[Line]:
    """How the main code hands ``obj`` to ``target``: processes, pools, and their pitfalls."""
    how = draw(
        st.sampled_from(
            [
                "process",
                "process",
                "no_comma",
                "string_args",
                "called",
                "loop",
                "pool",
                "pool_lambda",
                "apply_async_after",
                "join_then_get",
                "terminate",
                "unjoined",
            ]
        )
    )
    p = f"p{index}"
    if how == "process":
        return [
            (0, f"{p} = {prefix}Process(target={target}, args=({obj},))"),
            (0, f"{p}.start()"),
            (0, f"{p}.join()"),
        ]
    if how == "no_comma":
        return [
            (0, f"{p} = {prefix}Process(target={target}, args=({obj}))"),
            (0, f"{p}.start()"),
            (0, f"{p}.join()"),
        ]
    if how == "string_args":
        return [
            (0, f'{p} = {prefix}Process(target=print, args=("{obj}"))'),
            (0, f"{p}.start()"),
            (0, f"{p}.join()"),
        ]
    if how == "called":
        return [
            (0, f"{p} = {prefix}Process(target={target}({obj}))"),
            (0, f"{p}.start()"),
            (0, f"{p}.join()"),
        ]
    if how == "loop":
        return [
            (0, f"workers = [{prefix}Process(target={target}, args=({obj},)) for _ in range(2)]"),
            (0, "for worker in workers:"),
            (1, "worker.start()"),
            (0, "for worker in workers:"),
            (1, "worker.join()"),
        ]
    if how == "pool":
        return [(0, f"with {prefix}Pool(2) as pool:"), (1, f"pool.map({target}, [{obj}] * 2)")]
    if how == "pool_lambda":
        return [(0, f"with {prefix}Pool(2) as pool:"), (1, f"pool.map(lambda item: {target}(item), [{obj}])")]
    if how == "apply_async_after":
        return [
            (0, f"with {prefix}Pool(2) as pool:"),
            (1, f"result = pool.apply_async({target}, ({obj},))"),
            (0, "print(result.get())"),
        ]
    if how == "join_then_get":
        return [
            (0, f"{p} = {prefix}Process(target={target}, args=({obj},))"),
            (0, f"{p}.start()"),
            (0, f"{p}.join()"),
            (0, f"print({obj}.get())" if kind == "queue" else f"print({obj})"),
        ]
    if how == "terminate":
        return [
            (0, f"{p} = {prefix}Process(target={target}, args=({obj},))"),
            (0, f"{p}.start()"),
            (0, f"{p}.terminate()"),
            (0, f"{p}.join()"),
        ]
    return [(0, f"{p} = {prefix}Process(target={target}, args=({obj},))"), (0, f"{p}.start()")]


@st.composite
def programs(draw: st.DrawFn) -> str:
    """The source of a multiprocessing program (it always parses)."""
    import_line, prefix = IMPORT_STYLES[draw(st.sampled_from(sorted(IMPORT_STYLES)))]
    style = Style(
        indent=draw(st.sampled_from(["    ", "  ", "\t"])),
        newline=draw(st.sampled_from(["\n", "\n", "\r\n"])),
        blank_lines=draw(st.integers(0, 2)),
    )
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3))
    lines: list[Line] = [(0, import_line)]
    if draw(st.booleans()):
        lines.append((0, "import os  # noqa: MPL001"))
    lines.extend([(0, "")] * 2)
    lines.append((0, "RESULTS = []"))
    lines.append((0, "def next_index():"))
    lines.append((1, "return 0"))
    for index, kind in enumerate(kinds):
        lines.extend([(0, "")] * style.blank_lines)
        lines.extend(draw(worker(f"work{index}", kind)))
    main: list[Line] = []
    for index, kind in enumerate(kinds):
        main.extend(creation(kind, f"obj{index}", prefix))
    for index, kind in enumerate(kinds):
        main.extend(draw(start(f"work{index}", f"obj{index}", kind, prefix, index)))
    main.append((0, "print(RESULTS)"))
    if any(kind in MANAGED for kind in kinds):
        main.append((0, "print(obj0)"))
        if draw(st.booleans()):
            main = [(0, f"with {prefix}Manager() as manager:"), *indented(main, 1)]
        else:
            main = [(0, f"manager = {prefix}Manager()"), *main, (0, "manager.shutdown()")]
    if draw(st.booleans()):
        lines.extend([(0, "")] * 2)
        lines.append((0, 'if __name__ == "__main__":'))
        lines.extend(indented(main, 1))
    else:
        lines.append((0, ""))
        lines.extend(main)
    return render(lines, style)


# -- programs for MPL002's fix: behaviour at import time around the first process start -------------

# What the worker reads as a global: pure constants (the fix keeps them) and ones it cannot keep.
GUARD_CONSTANTS = {
    "literal": ("SCALE = 3", True),
    "builtin_call": ('SCALE = int("3")', True),
    "environment": ('SCALE = int(os.environ.get("MPLINT_SCALE", "3"))', True),
    "derived": ("BASE = 1\nSCALE = BASE + len((1, 2))", True),
    "path": ('OUT = Path("out")\nSCALE = len(OUT.name) + 0', True),
    "file_read": ("SCALE = len(open(__file__).read()) * 0 + 3", False),
    "pid": ("SCALE = 3 + os.getpid() * 0", False),
}
# Import-time effects before the start: each leaves a trace the program prints at the end.
GUARD_EFFECTS = {
    "print": ('print("setting up")', True),
    "trace_file": ('with open("trace.txt", "a") as trace:\n    trace.write("setup\\n")', True),
    "counter_file": ('open("count.txt", "a").write(".")', True),
    "fresh_directory": ('shutil.rmtree("out", ignore_errors=True)\nos.makedirs("out")', True),
    "registry": ("SEEN = []\nSEEN.append(3)", True),
    "registry_changed": ("SEEN = []\nSEEN.append(os.getpid() * 0 + 3)", False),
    "global_setup": ("def setup():\n    global SCALE\n    SCALE = 3\n\n\nsetup()", False),
}
GUARD_STARTS = ("pool", "process", "executor")
GUARD_METHOD_CALLS = ("none", "set_start_method", "get_context")


@dataclass(frozen=True)
class GuardProgram:
    """A program (``main.py``, maybe with a library ``helpers.py``) and whether MPL002's fix may apply."""

    files: dict[str, str]
    fixable: bool
    start_method_call: bool  # the program sets its start method: it is run as a plain script

    def text(self, method: str) -> dict[str, str]:
        """The files, with the program's own start-method call choosing ``method``."""
        return {name: source.replace("{METHOD}", method) for name, source in self.files.items()}


def guard_program(
    constant: str, effects: tuple[str, ...], start: str, method_call: str, library: bool
) -> GuardProgram:
    """One program of the family: a worker reading a global, import-time effects, a start, a report."""
    constant_text, fixable = GUARD_CONSTANTS[constant]
    fixable = fixable or library  # the library is not the file fixed: only the script is
    lines = ["import os", "import shutil", "import multiprocessing", "from pathlib import Path"]
    lines += ["from concurrent.futures import ProcessPoolExecutor"]
    helper = "helpers." if library else ""
    if library:
        lines.append("import helpers")
    lines += ["", ""]
    worker = ["def work(i):", "    if os.path.exists('out'):", "        open(f'out/{i}', 'w').close()"]
    worker += ["    return i * SCALE"]
    if library:
        library_text = "\n".join(
            ["import os", "from pathlib import Path", "", "", constant_text, "", "", *worker]
        )
        files = {"helpers.py": library_text + "\n"}
    else:
        lines += [constant_text, "", "", *worker, ""]
        files = {}
    effects_lines: list[str] = []
    for effect in effects:
        text, effect_fixable = GUARD_EFFECTS[effect]
        fixable = fixable and effect_fixable
        effects_lines += ["", text, ""]
    if "registry" in effects or "registry_changed" in effects:
        lines[-1:] = ["", "def seen():", "    return len(SEEN)", ""]
    lines += effects_lines
    creator = "multiprocessing"
    if method_call == "set_start_method":
        lines.append('multiprocessing.set_start_method("{METHOD}")')
    elif method_call == "get_context":
        lines.append('context = multiprocessing.get_context("{METHOD}")')
        creator = "context"
    if start == "pool":
        lines += [f"with {creator}.Pool(2) as pool:", f"    results = pool.map({helper}work, range(4))"]
    elif start == "process":
        lines += [f"p = {creator}.Process(target={helper}work, args=(1,))", "p.start()", "p.join()"]
        lines += ["results = [p.exitcode]"]
    else:
        context = ", mp_context=context" if creator == "context" else ""
        lines += [f"with ProcessPoolExecutor(2{context}) as executor:"]
        lines += [f"    results = list(executor.map({helper}work, range(4)))"]
    lines += ["print(results)"]
    if "trace_file" in effects:
        lines.append('print("setup ran", open("trace.txt").read().count("setup"), "times")')
    if "counter_file" in effects:
        lines.append('print("counted", len(open("count.txt").read()))')
    if "fresh_directory" in effects:
        lines.append('print(len(os.listdir("out")), "files")')
    if "registry" in effects or "registry_changed" in effects:
        lines.append("print(seen())")
    files["main.py"] = "\n".join(lines) + "\n"
    return GuardProgram(files, fixable, method_call == "set_start_method")


@st.composite
def guard_programs(draw: st.DrawFn) -> GuardProgram:
    """A program of the MPL002 fix family, drawn at random."""
    constant = draw(st.sampled_from(sorted(GUARD_CONSTANTS)))
    effects = tuple(draw(st.lists(st.sampled_from(sorted(GUARD_EFFECTS)), max_size=2, unique=True)))
    if "global_setup" in effects:
        constant = "literal"
    start = draw(st.sampled_from(GUARD_STARTS))
    method_call = draw(st.sampled_from(GUARD_METHOD_CALLS))
    library = draw(st.booleans())
    return guard_program(constant, effects, start, method_call, library)
