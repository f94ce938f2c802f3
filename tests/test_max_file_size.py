"""The bound on memory per file: a source to analyse that is longer than ``max-file-size`` is skipped with
a clear error (exit 2, as for a file that cannot be read), never analysed; the other files are checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import run_cli

from mplint.engine import FileTooLarge, check_text
from mplint.server.documents import Document
from mplint.server.linting import run_check
from mplint.settings import DEFAULT_MAX_FILE_SIZE, Settings
from mplint.workspace.selection import default_settings

PITFALL = (
    "import multiprocessing\n\ndef work(s):\n    pass\n\n"
    'p = multiprocessing.Process(target=work, args=("abc"))\n'
)


def padded(size: int) -> str:
    """A module with the pitfall, padded with comments to ``size`` characters."""
    return PITFALL + "#" * (size - len(PITFALL) - 1) + "\n"


def test_a_file_above_the_limit_is_skipped_with_an_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mplint]\nmax-file-size = 2000\n", encoding="utf-8")
    (tmp_path / "large.py").write_text(padded(2001), encoding="utf-8")
    (tmp_path / "small.py").write_text(padded(2000), encoding="utf-8")
    (tmp_path / "plain.py").write_text("x = 1\n" * 1000, encoding="utf-8")  # never parsed: no limit
    result = run_cli("check", "--no-cache", "--output-format", "concise", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        "error: large.py: not checked: 2,001 characters is more than max-file-size = 2,000" in result.stderr
    )
    assert "small.py:6:" in result.stdout
    assert "large.py" not in result.stdout and "plain.py" not in result.stdout
    assert "Traceback" not in result.stderr


def test_zero_means_no_limit() -> None:
    text = padded(5000)
    with pytest.raises(FileTooLarge):
        check_text(text, "m.py", Settings(select=default_settings().select, max_file_size=4999))
    unlimited = check_text(text, "m.py", Settings(select=default_settings().select, max_file_size=0))
    assert [d.code for d in unlimited] == ["MPL006"]


def test_the_default_limit_is_ten_million_characters() -> None:
    assert default_settings().max_file_size == DEFAULT_MAX_FILE_SIZE == 10_000_000


@pytest.mark.parametrize("value", ["-1", '"big"', "true", "1.5"])
def test_an_invalid_limit_is_a_configuration_error(tmp_path: Path, value: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.mplint]\nmax-file-size = {value}\n", encoding="utf-8")
    (tmp_path / "m.py").write_text(PITFALL, encoding="utf-8")
    result = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "max-file-size: expected a number of characters" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_server_says_why_a_document_is_not_checked() -> None:
    settings = Settings(select=default_settings().select, max_file_size=1000)
    diagnostics, error = run_check(Document("file:///tmp/big.py", padded(1001), 1), settings)
    assert diagnostics == ()
    assert error is not None and "not checked: 1,001 characters is more than max-file-size = 1,000" in error
