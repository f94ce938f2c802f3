"""``mplint server`` and the configuration files: each document gets its files' settings, the client's
settings override them, and a change reported by the file watcher is read again."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import BOTH, CONFIG, RecordingClient, initialize, open_document, wait_until
from lsprotocol import types

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await initialize(lsp_client)
    yield
    await lsp_client.shutdown_session()


async def next_codes(client: RecordingClient, uri: str, seen: int) -> list[str]:
    """The codes of the first publication for ``uri`` after the ``seen`` ones already received."""
    await wait_until(lambda: len([p for p in client.published if p.uri == uri]) > seen)
    published = [p for p in client.published if p.uri == uri][seen]
    return [str(diagnostic.code) for diagnostic in published.diagnostics]


def config_changed(client: RecordingClient, path: Path) -> None:
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Changed)]
        )
    )


async def test_configuration_files_are_followed_and_read_again(
    client: RecordingClient, tmp_path: Path
) -> None:
    await wait_until(lambda: bool(client.registrations))
    watchers = [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    assert len(watchers) == 1
    options = watchers[0].register_options
    assert options is not None
    patterns = {watcher["globPattern"] for watcher in options["watchers"]}  # type: ignore[index]
    assert {"**/pyproject.toml", "**/mplint.toml", "**/.mplint.toml"} <= patterns

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.mplint]\nselect = ["MPL002"]\n', encoding="utf-8")
    uri = (tmp_path / "both.py").as_uri()
    open_document(client, uri, BOTH)
    assert await next_codes(client, uri, 0) == ["MPL002"]

    pyproject.write_text('[tool.mplint]\nselect = ["MPL001"]\n', encoding="utf-8")
    config_changed(client, pyproject)
    assert await next_codes(client, uri, 1) == ["MPL001"]

    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"mplint": {"extendSelect": ["MPL002"]}})
    )
    assert await next_codes(client, uri, 2) == ["MPL001", "MPL002"]

    pyproject.write_text("[tool.mplint\n", encoding="utf-8")
    config_changed(client, pyproject)
    await next_codes(client, uri, 3)
    await wait_until(lambda: any("pyproject.toml" in message.message for message in client.messages))
    error = next(message for message in client.messages if "pyproject.toml" in message.message)
    assert error.type == types.MessageType.Error

    unrelated = tmp_path / "notes.txt"
    config_changed(client, unrelated)
    seen = len([p for p in client.published if p.uri == uri])
    other = (tmp_path / "other.py").as_uri()
    open_document(client, other, BOTH)
    await wait_until(lambda: any(p.uri == other for p in client.published))
    assert len([p for p in client.published if p.uri == uri]) == seen  # nothing was checked again


UNGUARDED = """\
from multiprocessing import Pool

with Pool() as pool:
    print(pool.map(abs, range(3)))
"""


async def test_fix_safety_overrides_of_the_configuration_files(
    client: RecordingClient, tmp_path: Path
) -> None:
    (tmp_path / "mplint.toml").write_text('extend-safe-fixes = ["MPL002"]\n', encoding="utf-8")
    uri = (tmp_path / "unguarded.py").as_uri()
    open_document(client, uri, UNGUARDED)
    await wait_until(lambda: any(p.uri == uri for p in client.published))
    (diagnostic,) = next(p for p in client.published if p.uri == uri).diagnostics
    assert diagnostic.code == "MPL002"
    assert diagnostic.data["fix"]["applicability"] == "safe"
