"""``mplint server`` end to end: a real LSP client over stdio drives ``python -m mplint server``."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsp_support import (
    CONFIG,
    RecordingClient,
    apply_edits,
    document_edits,
    initialize,
    open_document,
    published_for,
    replace_all,
    wait_until,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound

from mplint.rules import lookup

pytestmark = pytest.mark.asyncio(loop_scope="module")

TRAP = """\
from multiprocessing import Manager, Process


def test_manager(m):
    m[0]["id"] = 2


if __name__ == "__main__":
    with Manager() as manager:
        m = manager.list()
        m.append({"id": 1})
        p = Process(target=test_manager, args=(m,))
        p.start()
        p.join()
        print(m[0])
"""
TRAP_FIXED = TRAP.replace('    m[0]["id"] = 2\n', '    tmp = m[0]\n    tmp["id"] = 2\n    m[0] = tmp\n')
TRAP_FIX_TITLE = "mplint (MPL001): Assign `m[0]` to `tmp`, change it, and write it back"
EMOJI_TRAP = TRAP.replace('    m[0]["id"] = 2\n', '    label = "😀"; m[0]["id"] = 2\n')
UNGUARDED = """\
from multiprocessing import Pool


def square(x):
    return x * x


with Pool() as pool:
    print(pool.map(square, range(10)))
"""


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await initialize(lsp_client)
    yield
    await lsp_client.shutdown_session()


def trap_range(line: int = 4, start: int = 4) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start), end=types.Position(line=line, character=start + 10)
    )


async def code_actions(
    client: RecordingClient, uri: str, at: types.Range, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=at,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    assert result is not None
    return [action for action in result if isinstance(action, types.CodeAction)]


async def test_diagnostics_on_open_carry_code_link_source_and_fix(client: RecordingClient) -> None:
    uri = "untitled:open.py"
    open_document(client, uri, TRAP)
    (diagnostic,) = await published_for(client, uri, 1)
    rule = lookup("MPL001")
    assert rule is not None
    assert diagnostic.code == "MPL001"
    assert diagnostic.source == "mplint"
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href == rule.url()
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range == trap_range()
    assert diagnostic.message.startswith("`m[0]` is a copy read out of a manager proxy")
    assert diagnostic.data["fix"]["applicability"] == "safe"
    assert diagnostic.data["fix"]["title"] == "Assign `m[0]` to `tmp`, change it, and write it back"
    (edit,) = diagnostic.data["fix"]["edits"]
    assert edit["range"] == {"start": {"line": 4, "character": 4}, "end": {"line": 4, "character": 18}}


async def test_ranges_count_utf16_code_units_after_an_emoji(client: RecordingClient) -> None:
    uri = "untitled:emoji.py"
    open_document(client, uri, EMOJI_TRAP)
    (diagnostic,) = await published_for(client, uri, 1)
    # `    label = "😀"; ` is 17 code points, 18 UTF-16 code units: the emoji takes two.
    assert diagnostic.range == trap_range(start=18)
    actions = await code_actions(client, uri, diagnostic.range)
    fix = next(action for action in actions if action.title == TRAP_FIX_TITLE)
    fixed = apply_edits(EMOJI_TRAP, document_edits(fix.edit, uri, 1))
    assert '    label = "😀"; tmp = m[0]; tmp["id"] = 2; m[0] = tmp\n' in fixed


async def test_quick_fix_writes_the_copy_back_through_a_temporary(client: RecordingClient) -> None:
    uri = "untitled:quickfix.py"
    open_document(client, uri, TRAP, version=7)
    await published_for(client, uri, 7)
    actions = await code_actions(client, uri, trap_range())
    fix = next(action for action in actions if action.title == TRAP_FIX_TITLE)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred is True
    assert fix.diagnostics is not None and fix.diagnostics[0].code == "MPL001"
    assert apply_edits(TRAP, document_edits(fix.edit, uri, 7)) == TRAP_FIXED


async def test_disable_for_this_line_adds_or_merges_a_noqa_comment(client: RecordingClient) -> None:
    uri = "untitled:disable.py"
    open_document(client, uri, TRAP)
    await published_for(client, uri, 1)
    actions = await code_actions(client, uri, trap_range())
    disable = next(action for action in actions if action.title == "Disable MPL001 for this line")
    assert disable.kind == types.CodeActionKind.QuickFix
    disabled = apply_edits(TRAP, document_edits(disable.edit, uri, 1))
    assert disabled == TRAP.replace('    m[0]["id"] = 2\n', '    m[0]["id"] = 2  # noqa: MPL001\n')

    merged_uri = "untitled:disable-merge.py"
    with_e501 = TRAP.replace('    m[0]["id"] = 2\n', '    m[0]["id"] = 2  # noqa: E501\n')
    open_document(client, merged_uri, with_e501)
    await published_for(client, merged_uri, 1)
    actions = await code_actions(client, merged_uri, trap_range())
    disable = next(action for action in actions if action.title == "Disable MPL001 for this line")
    merged = apply_edits(with_e501, document_edits(disable.edit, merged_uri, 1))
    assert '    m[0]["id"] = 2  # noqa: E501, MPL001\n' in merged
    replace_all(client, merged_uri, merged, 2)
    assert await published_for(client, merged_uri, 2) == []


async def test_fix_all_applies_safe_fixes_only(client: RecordingClient) -> None:
    uri = "untitled:fixall.py"
    text = (
        TRAP
        + "\n\n"
        + UNGUARDED.replace("from multiprocessing import Pool\n", "from multiprocessing import Pool\n")
    )
    open_document(client, uri, TRAP)
    await published_for(client, uri, 1)
    actions = await code_actions(client, uri, trap_range(), only=[types.CodeActionKind.SourceFixAll])
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.mplint"
    assert apply_edits(TRAP, document_edits(fix_all.edit, uri, 1)) == TRAP_FIXED
    assert text  # the unsafe case below uses a document of its own

    unsafe_uri = "untitled:unguarded.py"
    open_document(client, unsafe_uri, UNGUARDED)
    (diagnostic,) = await published_for(client, unsafe_uri, 1)
    assert diagnostic.code == "MPL002" and diagnostic.data["fix"]["applicability"] == "unsafe"
    actions = await code_actions(client, unsafe_uri, diagnostic.range)
    unsafe = next(action for action in actions if action.title.startswith("mplint (MPL002)"))
    assert unsafe.title.endswith(" (unsafe)")
    assert unsafe.is_preferred is False
    guarded = apply_edits(UNGUARDED, document_edits(unsafe.edit, unsafe_uri, 1))
    assert 'if __name__ == "__main__":\n    with Pool() as pool:\n' in guarded
    # Without the unsafeFixes setting there is nothing for fix-all to do.
    assert await code_actions(client, unsafe_uri, diagnostic.range, only=["source.fixAll"]) == []


async def test_hover_shows_the_rule_documentation(client: RecordingClient) -> None:
    uri = "untitled:hover.py"
    text = TRAP.replace("    p.join()\n", "    p.join()  # noqa: MPL001, unjoined-process\n")
    open_document(client, uri, text)
    await published_for(client, uri, 1)
    docs_line = next(number for number, line in enumerate(text.splitlines()) if "noqa" in line)
    column = text.splitlines()[docs_line].index("MPL001") + 2
    on_code = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=docs_line, character=column),
        )
    )
    assert on_code is not None and isinstance(on_code.contents, types.MarkupContent)
    assert on_code.contents.kind == types.MarkupKind.Markdown
    assert on_code.contents.value.startswith("# proxy-nested-mutation (MPL001)")
    assert on_code.range is not None and on_code.range.start.character == column - 2
    name_column = text.splitlines()[docs_line].index("unjoined-process") + 3
    on_name = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=docs_line, character=name_column),
        )
    )
    assert on_name is not None and isinstance(on_name.contents, types.MarkupContent)
    assert on_name.contents.value.startswith("# unjoined-process (MPL003)")
    on_diagnostic = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=4, character=6)
        )
    )
    assert on_diagnostic is not None and isinstance(on_diagnostic.contents, types.MarkupContent)
    assert on_diagnostic.contents.value.startswith("# proxy-nested-mutation (MPL001)")
    assert "## Why is this bad?" in on_diagnostic.contents.value
    elsewhere = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=2)
        )
    )
    assert elsewhere is None


async def test_an_edit_that_fixes_the_code_clears_the_diagnostic(client: RecordingClient) -> None:
    uri = "untitled:clears.py"
    open_document(client, uri, TRAP)
    assert len(await published_for(client, uri, 1)) == 1
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=4, character=4), end=types.Position(line=4, character=18)
                    ),
                    text='tmp = m[0]\n    tmp["id"] = 2\n    m[0] = tmp',
                )
            ],
        )
    )
    assert await published_for(client, uri, 2) == []


async def test_saving_checks_again_and_closing_clears(client: RecordingClient) -> None:
    uri = "untitled:save-close.py"
    open_document(client, uri, TRAP)
    assert len(await published_for(client, uri, 1)) == 1
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_until(lambda: len([p for p in client.published if p.uri == uri]) == 2)
    assert len(client.published[-1].diagnostics) == 1 and client.published[-1].version == 1
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_until(lambda: len([p for p in client.published if p.uri == uri]) == 3)
    assert list(client.diagnostics[uri]) == []


async def test_results_for_outdated_versions_are_never_published(client: RecordingClient) -> None:
    uri = "untitled:typing.py"
    open_document(client, uri, TRAP)
    for version in range(2, 7):
        replace_all(client, uri, TRAP + f"\nvalue = {version}\n", version)
    await published_for(client, uri, 6)
    versions = [params.version for params in client.published if params.uri == uri]
    assert set(versions) <= {1, 6} and versions[-1] == 6


async def test_an_unparsable_buffer_gives_mpl000(client: RecordingClient) -> None:
    uri = "untitled:broken.py"
    open_document(client, uri, "import multiprocessing\ndef f(:\n    pass\n")
    (diagnostic,) = await published_for(client, uri, 1)
    assert diagnostic.code == "MPL000"
    assert diagnostic.message.startswith("SyntaxError:")
    assert diagnostic.range.start == types.Position(line=1, character=6)


async def test_odd_requests_are_tolerated_and_the_server_keeps_serving(client: RecordingClient) -> None:
    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("mplint/noSuchMethod", {})
    replace_all(client, "untitled:never-opened.py", TRAP, 3)
    far = types.Position(line=999, character=999)
    assert (
        await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri="untitled:never-opened.py"), position=far
            )
        )
        is None
    )
    uri = "untitled:still-serving.py"
    open_document(client, uri, TRAP)
    assert len(await published_for(client, uri, 1)) == 1
    assert (
        await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=far)
        )
        is None
    )
    actions = await code_actions(client, uri, types.Range(start=far, end=far))
    assert [action.kind for action in actions] == ["source.fixAll.mplint"]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(range=types.Range(start=far, end=far), text="\n")
            ],
        )
    )
    assert len(await published_for(client, uri, 2)) == 1
    assert "untitled:never-opened.py" not in {params.uri for params in client.published}


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def configured(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await initialize(lsp_client, options={"select": ["MPL002"], "unsafeFixes": True})
    yield
    await lsp_client.shutdown_session()


async def test_settings_decide_what_is_reported(configured: RecordingClient) -> None:
    client = configured
    trap, unguarded = "untitled:settings-trap.py", "untitled:settings-unguarded.py"
    open_document(client, trap, TRAP)
    open_document(client, unguarded, UNGUARDED)
    assert await published_for(client, trap, 1) == []
    (diagnostic,) = await published_for(client, unguarded, 1)
    assert diagnostic.code == "MPL002"
    (fix_all,) = await code_actions(client, unguarded, diagnostic.range, only=["source.fixAll"])
    assert 'if __name__ == "__main__":' in apply_edits(UNGUARDED, document_edits(fix_all.edit, unguarded, 1))

    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"mplint": {"select": ["MPL9"]}})
    )
    await wait_until(lambda: any("MPL9" in message.message for message in client.messages))
    error = next(message for message in client.messages if "MPL9" in message.message)
    assert error.type == types.MessageType.Error
    kept = "untitled:settings-kept.py"
    open_document(client, kept, TRAP + "\n\n" + UNGUARDED)
    assert [diagnostic.code for diagnostic in await published_for(client, kept, 1)] == ["MPL002"]

    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"mplint": {"select": ["MPL001"], "ignore": "MPL002"}})
    )
    await wait_until(lambda: len([p for p in client.published if p.uri == trap]) >= 2)
    (mutation,) = client.diagnostics[trap]
    assert mutation.code == "MPL001"
    await wait_until(lambda: len([p for p in client.published if p.uri == unguarded]) >= 2)
    assert list(client.diagnostics[unguarded]) == []

    # A change without mplint's settings makes the server ask for its section.
    client.set_configuration({"select": "missing-main-guard"}, section="mplint")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"other": {}}))
    await wait_until(lambda: len([p for p in client.published if p.uri == unguarded]) >= 3)
    assert [diagnostic.code for diagnostic in client.diagnostics[unguarded]] == ["MPL002"]


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def pulling(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await initialize(lsp_client, pull=True, resolve=True)
    yield
    await lsp_client.shutdown_session()


async def test_pull_diagnostics_and_resolved_fix_all(pulling: RecordingClient) -> None:
    client = pulling
    uri = "untitled:pull.py"
    open_document(client, uri, TRAP)
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    (diagnostic,) = report.items
    assert diagnostic.code == "MPL001" and diagnostic.range == trap_range()
    assert report.result_id is not None
    again = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=report.result_id
        )
    )
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    assert again.result_id == report.result_id

    (fix_all,) = await code_actions(client, uri, trap_range(), only=["source.fixAll.mplint"])
    assert fix_all.edit is None and fix_all.data is not None
    resolved = await client.code_action_resolve_async(fix_all)
    assert apply_edits(TRAP, document_edits(resolved.edit, uri, 1)) == TRAP_FIXED

    replace_all(client, uri, TRAP_FIXED, 2)
    fixed_report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=report.result_id
        )
    )
    assert isinstance(fixed_report, types.RelatedFullDocumentDiagnosticReport)
    assert list(fixed_report.items) == []
    assert not any(params.uri == uri for params in client.published)
    await wait_until(lambda: bool(client.registrations))
    watchers = [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    assert watchers, "the server watches the configuration files"
