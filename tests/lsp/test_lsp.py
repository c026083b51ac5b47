"""End-to-end tests: the real `qlint lsp` binary, a real LSP client, stdio."""

from __future__ import annotations

import asyncio
import pathlib
import time

import pytest
from conftest import hover_text, open_doc, position, start, wait_published
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from pytest_lsp import LanguageClient

HUNT_KQL = """// qlint: ignore KQL401
let suspicious = dynamic(["rundll32.exe", "regsvr32.exe"]);
let lower_name = (s:string) { tolower(s) };
DeviceProcessEvents
| where Timestamp > ago(7d)
| where FileName in~ (suspicious)
| extend Lowered = lower_name(FileName)
| project Timestamp, DeviceName, FileName, Lowered
"""

HUNT_SPL = """`sysmon_process` ```qlint: ignore SPL401```
| tstats summariesonly=true count from datamodel=Endpoint.Processes where Processes.process_name="rundll32.exe" by Processes.dest
| eval host=lower(Processes.dest)
"""

MACROS_CONF = """[sysmon_process]
definition = index=sysmon EventCode=1

[filter_noise(1)]
args = field
definition = search NOT $field$="svchost.exe"
"""


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]


def labels(result) -> list[str]:
    items = result.items if isinstance(result, types.CompletionList) else result
    return [i.label for i in items or []]


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Applies LSP text edits (UTF-16 positions) to `text`."""
    lines = text.split("\n")

    def offset(p: types.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: p.line])
        line = lines[p.line] if p.line < len(lines) else ""
        units = line.encode("utf-16-le")[: p.character * 2].decode("utf-16-le")
        return before + len(units)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
    return text


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "hunts").mkdir()
    (tmp_path / "app" / "default").mkdir(parents=True)
    (tmp_path / "app" / "default" / "macros.conf").write_text(MACROS_CONF)
    return tmp_path


# ---------------------------------------------------------------------------------------------
# Lifecycle, positions, diagnostics


async def test_initialize_advertises_capabilities(client: LanguageClient, workspace):
    result = await start(client, workspace)
    caps = result.capabilities
    assert result.server_info.name == "qlint"
    assert caps.position_encoding == types.PositionEncodingKind.Utf16
    assert caps.text_document_sync.change == types.TextDocumentSyncKind.Incremental
    assert caps.hover_provider and caps.definition_provider and caps.document_symbol_provider
    assert {"|", "`", "."} <= set(caps.completion_provider.trigger_characters)
    assert types.CodeActionKind.QuickFix in caps.code_action_provider.code_action_kinds
    # The server asks to watch configuration, schema and macro files.
    for _ in range(100):
        if client.registrations:
            break
        await asyncio.sleep(0.02)
    assert any(r.method == "workspace/didChangeWatchedFiles" for r in client.registrations)


LINE_WITH_EMOJI = 'let s = "héllo😀"; // qlint: ignore KQL401\nDeviceEvents\n'


async def test_utf16_columns_by_default(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / "u.kql", LINE_WITH_EMOJI, "kql")
    published = await wait_published(client, uri, 1)
    (d,) = [d for d in published.diagnostics if d.code == "QL003"]
    assert d.range.start == position(LINE_WITH_EMOJI, "// qlint")


async def test_utf8_columns_when_offered(client: LanguageClient, workspace):
    result = await start(client, workspace, encodings=["utf-8", "utf-16"])
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    uri = open_doc(client, workspace / "hunts" / "u.kql", LINE_WITH_EMOJI, "kql")
    published = await wait_published(client, uri, 1)
    (d,) = [d for d in published.diagnostics if d.code == "QL003"]
    assert d.range.start == position(LINE_WITH_EMOJI, "// qlint", utf8=True)
    assert d.range.start != position(LINE_WITH_EMOJI, "// qlint")
    # Requests use UTF-8 columns too: hover on `DeviceEvents` (line 1) still lands.
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(LINE_WITH_EMOJI, "s =", utf8=True),
        )
    )
    assert "let s" in hover_text(hover)


async def test_diagnostics_follow_incremental_changes(client: LanguageClient, workspace):
    await start(client, workspace)
    path = workspace / "hunts" / "hunt.kql"
    uri = open_doc(client, path, HUNT_KQL, "kql")
    first = await wait_published(client, uri, 1)
    assert "QL003" in codes(first.diagnostics)
    (unused,) = [d for d in first.diagnostics if d.code == "QL003"]
    assert unused.range.start.line == 0
    assert unused.severity == types.DiagnosticSeverity.Warning
    assert unused.source == "qlint"

    # Delete the first line: the unused suppression goes away.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(0, 0), types.Position(1, 0)), text=""
                )
            ],
        )
    )
    second = await wait_published(client, uri, 2)
    assert "QL003" not in codes(second.diagnostics)

    # Put it back further down, through a full-text change.
    text = HUNT_KQL.replace("| where Timestamp", "// qlint: ignore KQL402\n| where Timestamp")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    third = await wait_published(client, uri, 3)
    (unused,) = [d for d in third.diagnostics if d.code == "QL003" and "KQL402" in d.message]
    assert unused.range.start == position(text, "// qlint: ignore KQL402")


async def test_burst_of_100_changes_latest_version_wins(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / "burst.kql", "DeviceEvents\n", "kql")
    await wait_published(client, uri, 1)
    before = len(client.published)
    # 100 keystrokes appending to line 0, then the last one adds a suppression comment.
    for i in range(100):
        version = i + 2
        text = " // qlint: ignore KQL999" if i == 99 else "x"
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(0, 12 + i), types.Position(0, 12 + i)),
                        text=text,
                    )
                ],
            )
        )
    t0 = time.monotonic()
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 0)
        )
    )
    assert time.monotonic() - t0 < 5.0, "the server stalled after a burst of changes"
    del hover
    last = await wait_published(client, uri, 101)
    assert "QL003" in codes(last.diagnostics)
    (d,) = [d for d in last.diagnostics if d.code == "QL003"]
    assert d.range.start == types.Position(0, 12 + 99 + 1)
    await asyncio.sleep(0.5)
    after = [p for p in client.published[before:] if p.uri == uri]
    versions = [p.version for p in after]
    # Debounced: far fewer publications than changes; never an older version after a newer one.
    assert len(after) <= 10, versions
    assert versions == sorted(versions), versions
    assert versions[-1] == 101


# ---------------------------------------------------------------------------------------------
# Robustness


async def test_malformed_messages_and_unknown_methods_do_not_kill_the_server(
    client: LanguageClient, workspace
):
    await start(client, workspace)
    stdin = client._server.stdin
    for raw in [
        b"Content-Length: 9\r\n\r\n{garbage}",
        b"Content-Length: 5\r\n\r\nhello",
        b"Content-Length: 11\r\n\r\n[1, 2, 3,4]",
        b"X-Nonsense: yes\r\n\r\n",
        b'Content-Length: 24\r\n\r\n{"jsonrpc":"2.0","id":{}}',
    ]:
        stdin.write(raw)
    await stdin.drain()
    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("qlint/noSuchMethod", {})
    # A notification nobody handles is ignored.
    client.protocol.notify("qlint/noSuchNotification", {})
    uri = open_doc(client, workspace / "hunts" / "alive.kql", "let x = 1;\nT | extend y = x\n", "kql")
    published = await wait_published(client, uri, 1)
    assert published.version == 1
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(1, 15)
        )
    )
    assert "let x = 1" in hover_text(hover)


async def test_out_of_range_positions_are_clamped(client: LanguageClient, workspace):
    await start(client, workspace)
    text = "let x = 1;\nT | extend y = x\n"
    uri = open_doc(client, workspace / "hunts" / "range.kql", text, "kql")
    await wait_published(client, uri, 1)
    far = types.Position(line=100_000, character=100_000)
    doc = types.TextDocumentIdentifier(uri=uri)
    assert await client.text_document_hover_async(types.HoverParams(text_document=doc, position=far)) is None
    await client.text_document_completion_async(types.CompletionParams(text_document=doc, position=far))
    await client.text_document_definition_async(types.DefinitionParams(text_document=doc, position=far))
    # A column past the end of a line clamps to the end of that line.
    past_eol = types.Position(line=0, character=500)
    await client.text_document_hover_async(types.HoverParams(text_document=doc, position=past_eol))
    # A change whose range lies past the end of the document appends at the end.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(far, types.Position(line=200_000, character=3)),
                    text="// qlint: ignore KQL401\nT\n",
                )
            ],
        )
    )
    published = await wait_published(client, uri, 2)
    (d,) = [d for d in published.diagnostics if d.code == "QL003"]
    assert d.range.start == types.Position(line=2, character=0)
    # Unknown documents are answered, not crashed on.
    other = types.TextDocumentIdentifier(uri=(workspace / "nope.kql").as_uri())
    assert await client.text_document_hover_async(types.HoverParams(text_document=other, position=far)) is None


async def test_ten_megabyte_document(client: LanguageClient, workspace):
    await start(client, workspace)
    line = "| where FileName =~ \"rundll32.exe\" and ProcessCommandLine has \"javascript\"\n"
    body = "DeviceProcessEvents\n" + line * (10 * 1024 * 1024 // len(line))
    text = "// qlint: ignore KQL401\n" + body
    assert len(text) > 10 * 1024 * 1024
    uri = open_doc(client, workspace / "hunts" / "big.kql", text, "kql")
    # The server keeps answering while it lints.
    t0 = time.monotonic()
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(2, 3)
        )
    )
    assert time.monotonic() - t0 < 30
    del hover
    published = await wait_published(client, uri, 1, timeout=180)
    assert "QL003" in codes(published.diagnostics)
    # An edit at the very end is applied and linted too.
    last_line = text.count("\n")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(last_line, 0), types.Position(last_line, 0)),
                    text="| take 10\n",
                )
            ],
        )
    )
    await wait_published(client, uri, 2, timeout=180)


# ---------------------------------------------------------------------------------------------
# Hover


async def hover_at(client, uri, text, needle, delta=1) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position(text, needle, delta)
        )
    )
    return hover_text(result)


async def test_hover_kql(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / "hunt.kql", HUNT_KQL, "kql")
    table = await hover_at(client, uri, HUNT_KQL, "DeviceProcessEvents")
    assert "DeviceProcessEvents" in table and "FileName" in table and "string" in table
    column = await hover_at(client, uri, HUNT_KQL, "FileName in~")
    assert "`FileName`: `string`" in column and "DeviceProcessEvents" in column
    function = await hover_at(client, uri, HUNT_KQL, "tolower")
    assert "tolower" in function and "string" in function
    operator = await hover_at(client, uri, HUNT_KQL, "where Timestamp")
    assert "where" in operator
    let = await hover_at(client, uri, HUNT_KQL, "suspicious)")
    assert 'let suspicious = dynamic(["rundll32.exe"' in let
    user_fn = await hover_at(client, uri, HUNT_KQL, "lower_name(FileName")
    assert "user function" in user_fn and "(s:string)" in user_fn
    extended = await hover_at(client, uri, HUNT_KQL, "Lowered\n")
    assert "`Lowered`" in extended and "computed in this query" in extended


async def test_hover_spl(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / "hunt.spl", HUNT_SPL, "spl")
    command = await hover_at(client, uri, HUNT_SPL, "tstats")
    assert "tstats" in command
    macro = await hover_at(client, uri, HUNT_SPL, "sysmon_process")
    assert "index=sysmon EventCode=1" in macro and "macros.conf" in macro
    field = await hover_at(client, uri, HUNT_SPL, "Processes.process_name", 12)
    assert "process_name" in field and "Endpoint" in field
    function = await hover_at(client, uri, HUNT_SPL, "lower(")
    assert "lower" in function


# ---------------------------------------------------------------------------------------------
# Completion


async def complete(client, uri, pos):
    return await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos)
    )


async def test_completion_kql(client: LanguageClient, workspace):
    await start(client, workspace)
    text = "DeviceProcessEvents\n| extend Lowered = tolower(FileName)\n| where \n| "
    uri = open_doc(client, workspace / "hunts" / "c.kql", text, "kql")
    at_start = labels(await complete(client, uri, types.Position(0, 0)))
    assert "DeviceProcessEvents" in at_start and "SecurityEvent" in at_start
    assert "where" not in at_start
    in_where = labels(await complete(client, uri, position(text, "where ", 6)))
    assert {"FileName", "ProcessCommandLine", "Lowered", "tolower"} <= set(in_where)
    assert "DeviceProcessEvents" not in in_where
    after_pipe = labels(await complete(client, uri, types.Position(3, 2)))
    assert {"where", "project", "summarize", "extend"} <= set(after_pipe)
    # After `project`, only the projected columns remain.
    text2 = "DeviceProcessEvents\n| project FileName, Cmd = ProcessCommandLine\n| where "
    uri2 = open_doc(client, workspace / "hunts" / "c2.kql", text2, "kql")
    cols = labels(await complete(client, uri2, position(text2, "where ", 6)))
    assert "FileName" in cols and "Cmd" in cols and "ProcessCommandLine" not in cols


async def test_completion_spl(client: LanguageClient, workspace):
    await start(client, workspace)
    text = "`` \n| tstats count from datamodel= \n| tstats count from datamodel=Endpoint.Processes by Processes. \n| "
    uri = open_doc(client, workspace / "hunts" / "c.spl", text, "spl")
    macros = labels(await complete(client, uri, types.Position(0, 1)))
    assert {"sysmon_process", "filter_noise"} <= set(macros)
    commands = labels(await complete(client, uri, types.Position(3, 2)))
    assert {"tstats", "stats", "eval", "rex"} <= set(commands)
    models = labels(await complete(client, uri, position(text, "datamodel= ", 10)))
    assert "Endpoint.Processes" in models
    fields = labels(await complete(client, uri, position(text, "Processes. ", 10)))
    assert "Processes.process_name" in fields and "Processes.dest" in fields
    eval_text = "| eval x=lo"
    uri2 = open_doc(client, workspace / "hunts" / "e.spl", eval_text, "spl")
    functions = labels(await complete(client, uri2, types.Position(0, len(eval_text))))
    assert "lower" in functions


# ---------------------------------------------------------------------------------------------
# Definition, symbols, code actions


async def test_definition_of_lets_functions_and_macros(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / "hunt.kql", HUNT_KQL, "kql")
    doc = types.TextDocumentIdentifier(uri=uri)
    loc = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc, position=position(HUNT_KQL, "suspicious)", 2))
    )
    assert loc.uri == uri
    assert loc.range.start == position(HUNT_KQL, "suspicious =")
    loc = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc, position=position(HUNT_KQL, "lower_name(FileName", 3))
    )
    assert loc.range.start == position(HUNT_KQL, "lower_name =")

    spl_uri = open_doc(client, workspace / "hunts" / "hunt.spl", HUNT_SPL, "spl")
    loc = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=spl_uri),
            position=position(HUNT_SPL, "sysmon_process", 3),
        )
    )
    macros = workspace / "app" / "default" / "macros.conf"
    assert pathlib.Path(loc.uri.removeprefix("file://")).resolve() == macros.resolve()
    assert loc.range.start.line == 0


MARKDOWN = """# Rare parent processes

Some prose.

```kql
let parents = DeviceProcessEvents | summarize by InitiatingProcessFileName;
parents | take 10
```

## Splunk version

```spl
| tstats count from datamodel=Endpoint.Processes by Processes.parent_process_name
```
"""

YAML_RULE = """id: 5b0c9b5a-4a4e-4b8e-9f7e-1a2b3c4d5e6f
name: Suspicious rundll32
severity: Medium
query: |
  // qlint: ignore KQL401
  let names = dynamic(["rundll32.exe"]);
  DeviceProcessEvents
  | where FileName in~ (names)
"""


async def test_document_symbols(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / "hunt.kql", HUNT_KQL, "kql")
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert [(s.name, s.kind) for s in symbols] == [
        ("suspicious", types.SymbolKind.Variable),
        ("lower_name", types.SymbolKind.Function),
    ]
    assert symbols[0].selection_range.start == position(HUNT_KQL, "suspicious =")

    md_uri = open_doc(client, workspace / "hunts" / "hunt.md", MARKDOWN, "markdown")
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=md_uri))
    )
    assert [s.name for s in symbols] == ["Rare parent processes", "Splunk version"]
    assert symbols[0].range.start == position(MARKDOWN, "```kql")
    assert [c.name for c in symbols[0].children] == ["parents"]
    assert symbols[0].children[0].selection_range.start == position(MARKDOWN, "parents =")

    yaml_uri = open_doc(client, workspace / "hunts" / "rule.yaml", YAML_RULE, "yaml")
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=yaml_uri))
    )
    assert [s.name for s in symbols] == ["Suspicious rundll32"]
    assert symbols[0].children[0].selection_range.start == position(YAML_RULE, "names =")


async def test_embedded_queries_get_diagnostics_hover_and_fixes(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / "rule.yaml", YAML_RULE, "yaml")
    published = await wait_published(client, uri, 1)
    (d,) = [d for d in published.diagnostics if d.code == "QL003"]
    assert d.range.start == position(YAML_RULE, "// qlint")
    hover = await hover_at(client, uri, YAML_RULE, "names)")
    assert 'let names = dynamic(["rundll32.exe"])' in hover
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    (action,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    fixed = apply_edits(YAML_RULE, action.edit.changes[uri])
    assert "qlint: ignore" not in fixed
    assert "query: |\n  let names" in fixed


async def test_code_action_quickfix_for_rule_fix(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / "hunt.kql", HUNT_KQL, "kql")
    published = await wait_published(client, uri, 1)
    (d,) = [d for d in published.diagnostics if d.code == "QL003"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(d.range.start, d.range.start),
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    quickfixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert quickfixes, actions
    action = quickfixes[0]
    assert action.is_preferred  # a safe fix
    assert action.diagnostics[0].code == "QL003"
    fixed = apply_edits(HUNT_KQL, action.edit.changes[uri])
    assert fixed == HUNT_KQL.split("\n", 1)[1]
    # Nothing to fix away from diagnostics.
    none = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(5, 0), types.Position(5, 1)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not none


# ---------------------------------------------------------------------------------------------
# Configuration and workspace knowledge


async def test_qlint_toml_is_read_and_reloaded(client: LanguageClient, workspace):
    config = workspace / "qlint.toml"
    config.write_text('ignore = ["QL003"]\n')
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / "hunt.kql", HUNT_KQL, "kql")
    first = await wait_published(client, uri, 1)
    assert "QL003" not in codes(first.diagnostics)
    count = len(client.published)
    config.write_text("# everything on\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    for _ in range(500):
        later = [p for p in client.published[count:] if p.uri == uri]
        if later:
            break
        await asyncio.sleep(0.02)
    assert later, "no diagnostics after the configuration changed"
    assert "QL003" in codes(later[-1].diagnostics)


async def test_schemas_from_settings_and_macros_reload(client: LanguageClient, workspace):
    schema = workspace / "custom.json"
    schema.write_text(
        '{"Name": "HuntNotes_CL", "Properties": ['
        '{"Name": "TimeGenerated", "Type": "DateTime"}, {"Name": "Analyst_s", "Type": "String"}]}'
    )
    await start(client, workspace)
    text = "HuntNotes_CL\n| where Analyst_s == \"me\"\n"
    uri = open_doc(client, workspace / "hunts" / "notes.kql", text, "kql")
    await wait_published(client, uri, 1)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"qlint": {"schemas": ["custom.json"]}})
    )
    hover = None
    for _ in range(200):
        hover = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 2)
            )
        )
        if hover is not None:
            break
        await asyncio.sleep(0.05)
    assert "Analyst_s" in hover_text(hover)

    # A new macro appears in completion once macros.conf changes on disk.
    macros = workspace / "app" / "default" / "macros.conf"
    macros.write_text(MACROS_CONF + "\n[brand_new_macro]\ndefinition = index=new\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=macros.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    spl_uri = open_doc(client, workspace / "hunts" / "m.spl", "``", "spl")
    found = []
    for _ in range(200):
        found = labels(await complete(client, spl_uri, types.Position(0, 1)))
        if "brand_new_macro" in found:
            break
        await asyncio.sleep(0.05)
    assert "brand_new_macro" in found
