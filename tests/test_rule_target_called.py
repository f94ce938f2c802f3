"""MPL007's fix keeps the comments written inside the call it rewrites, and gives a program that parses."""

from __future__ import annotations

import ast
import re
import textwrap

import pytest
from rule_support import fixed

PROGRAMS = {
    "process": """\
        import multiprocessing

        def work(item, flag=False):
            print(item, flag)

        if __name__ == "__main__":
            p = multiprocessing.Process(
                target=work(  # the work
                    1,  # the item
                    flag=True,  # a flag
                )
            )
            p.start()
            p.join()
        """,
    "process without arguments": """\
        import multiprocessing

        def work():
            print("done")

        if __name__ == "__main__":
            p = multiprocessing.Process(target=work(  # nothing to pass
            ))
            p.start()
            p.join()
        """,
    "pool": """\
        import multiprocessing

        def work(item):
            print(item)

        if __name__ == "__main__":
            with multiprocessing.Pool(2) as pool:
                pool.apply(work(3,  # three
                ))
        """,
}


def comments(text: str) -> list[str]:
    return re.findall(r"#[^\n]*?(?=\s*(?:#|\n|$))", text)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_the_fix_keeps_every_comment(name: str) -> None:
    text = textwrap.dedent(PROGRAMS[name])
    result = fixed(text, "MPL007", unsafe=True)
    assert result != text, "the fix was not applied"
    ast.parse(result)
    assert "work(" not in result.split("def work")[1].split("\n", 1)[1]
    assert comments(result) == comments(text)


def test_without_comments_the_fix_stays_on_one_line() -> None:
    text = textwrap.dedent(
        """\
        import multiprocessing

        def work(item, flag=False):
            print(item, flag)

        if __name__ == "__main__":
            p = multiprocessing.Process(target=work(1, flag=True))
        """
    )
    result = fixed(text, "MPL007", unsafe=True)
    assert 'Process(target=work, args=(1,), kwargs={"flag": True})' in result
