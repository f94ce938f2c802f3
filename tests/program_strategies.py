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
