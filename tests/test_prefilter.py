"""The prefilter is exact: on every fixture and on the standard library's multiprocessing code (and a
sample of the rest), checking with the prefilter gives the same diagnostics as analysing everything."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from mplint.engine import check_text
from mplint.prefilter import Relevance, relevance
from mplint.source import decode_source
from mplint.workspace.selection import default_settings

ROOT = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def corpus() -> list[Path]:
    files = sorted((ROOT / "fixtures").rglob("*.py"))
    files += sorted((STDLIB / "multiprocessing").rglob("*.py"))
    files += sorted((STDLIB / "concurrent").rglob("*.py"))
    every = sorted(p for p in STDLIB.glob("*.py"))
    files += every[::7]  # a deterministic sample of modules that mostly do not use multiprocessing
    return files


@pytest.mark.parametrize("path", corpus(), ids=lambda p: str(p.relative_to(p.parents[1])))
def test_prefilter_never_drops_a_diagnostic(path: Path) -> None:
    text = decode_source(path.read_bytes()).text
    settings = default_settings()
    assert check_text(text, str(path), settings) == check_text(text, str(path), settings, prefilter=False)


def test_relevance_levels() -> None:
    assert relevance(b"import multiprocessing\n") is Relevance.FULL
    assert relevance("from concurrent.futures import ProcessPoolExecutor\n") is Relevance.FULL
    assert relevance(b"import torch.multiprocessing as mp\n") is Relevance.FULL
    assert relevance(b"m = Manager().list()\n") is Relevance.SYNTAX
    assert relevance(b"lock = threading.Lock()\nq = queue.Queue()\n") is Relevance.NONE
    assert relevance(b"multiprocessingx = 1\n") is Relevance.NONE
    assert relevance(b"print('hello')\n") is Relevance.NONE
    assert relevance(b"# not multiprocessing: concurrent access only\nx = 1\n") is Relevance.NONE
    assert relevance(b"def f():\n    import os, multiprocessing\n") is Relevance.FULL
    assert relevance(b"if TYPE_CHECKING: from multiprocessing.managers import DictProxy\n") is Relevance.FULL
    assert relevance(b"from torch import multiprocessing as mp\n") is Relevance.FULL
