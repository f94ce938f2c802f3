"""Security: mplint never imports or runs the code it checks, parses its configuration without evaluating
it, keeps its cache as data, and writes only the files it was asked to check."""

from __future__ import annotations

import os
from pathlib import Path

from cli_support import run_cli

PITFALL = (
    "from multiprocessing import Process\n\n\ndef work(x):\n    print(x)\n\n\n"
    'if __name__ == "__main__":\n    p = Process(target=work, args=(1))\n    p.start()\n    p.join()\n'
)
FIXED = PITFALL.replace("args=(1)", "args=(1,)")


def test_fix_does_not_write_through_a_symlink_leaving_the_tree(tmp_path: Path) -> None:
    """A link inside the checked directory to a file outside it is checked, but --fix and --add-noqa
    leave the outside file alone (and say so); the files inside are fixed."""
    outside = tmp_path / "outside" / "shared.py"
    outside.parent.mkdir()
    outside.write_text(PITFALL)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "own.py").write_text(PITFALL)
    os.symlink(outside, tree / "link.py")
    for args in (("--fix",), ("--fix", "--unsafe-fixes"), ("--add-noqa",)):
        result = run_cli("check", "--isolated", "--no-cache", *args, "tree", cwd=tmp_path)
        assert outside.read_text() == PITFALL
        assert (tree / "link.py").is_symlink()
        assert (
            "warning: not writing tree/link.py: it is a symlink to a file outside the checked directory"
            in (result.stderr)
        )
        assert "Traceback" not in result.stderr
    assert "args=(1,)" in (tree / "own.py").read_text()
    # Named on the command line, the link is what was asked for: it is written through.
    result = run_cli("check", "--isolated", "--no-cache", "--fix", "tree/link.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert outside.read_text() == FIXED
    assert (tree / "link.py").is_symlink()
