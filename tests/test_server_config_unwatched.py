"""``mplint server`` with a client that cannot watch files (as Neovim 0.7): no registration is asked for,
and an edited, added or extended configuration file still takes effect at the document's next check,
because the server compares the configuration files' modification times before each check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import BOTH, CONFIG, RecordingClient, initialize, open_document, replace_all, wait_until
from lsprotocol import types

from mplint.server.workspace_config import WorkspaceConfig


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await initialize(lsp_client, watch=False)
    yield
    await lsp_client.shutdown_session()


def rewrite(path: Path, text: str) -> None:
    """Write ``text`` and move the modification time on, as a later save would (a file system's clock may
    be coarser than two writes in a row)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


async def codes_of_version(client: RecordingClient, uri: str, version: int) -> list[str]:
    def arrived() -> bool:
        return any(p.uri == uri and p.version == version for p in client.published)

    await wait_until(arrived)
    published = [p for p in client.published if p.uri == uri and p.version == version][-1]
    return [str(diagnostic.code) for diagnostic in published.diagnostics]


@pytest.mark.asyncio(loop_scope="module")
async def test_edited_configuration_applies_without_file_watching(
    client: RecordingClient, tmp_path: Path
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    rewrite(pyproject, '[tool.mplint]\nselect = ["MPL002"]\n')
    uri = (tmp_path / "both.py").as_uri()
    open_document(client, uri, BOTH)
    assert await codes_of_version(client, uri, 1) == ["MPL002"]

    rewrite(pyproject, '[tool.mplint]\nselect = ["MPL001"]\n')
    replace_all(client, uri, BOTH, 2)
    assert await codes_of_version(client, uri, 2) == ["MPL001"]

    # A closer configuration file appears, and extends a shared one.
    (tmp_path / "pkg").mkdir()
    shared = tmp_path / "shared.toml"
    rewrite(shared, 'select = ["MPL002"]\n')
    inner_uri = (tmp_path / "pkg" / "both.py").as_uri()
    open_document(client, inner_uri, BOTH)
    assert await codes_of_version(client, inner_uri, 1) == ["MPL001"]
    rewrite(tmp_path / "pkg" / "mplint.toml", 'extend = "../shared.toml"\n')
    replace_all(client, inner_uri, BOTH, 2)
    assert await codes_of_version(client, inner_uri, 2) == ["MPL002"]

    rewrite(shared, 'select = ["MPL001", "MPL002"]\n')
    replace_all(client, inner_uri, BOTH, 3)
    assert sorted(await codes_of_version(client, inner_uri, 3)) == ["MPL001", "MPL002"]

    assert not [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]


def test_settings_stay_cached_while_the_files_are_unchanged(tmp_path: Path) -> None:
    config = WorkspaceConfig()
    rewrite(tmp_path / "mplint.toml", 'select = ["MPL001"]\n')
    document = str(tmp_path / "a.py")
    first = config.settings_for(document)
    assert config.settings_for(document) is first
    (tmp_path / "mplint.toml").unlink()
    assert config.settings_for(document) is not first
