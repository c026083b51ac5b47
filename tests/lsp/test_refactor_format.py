"""End-to-end tests of the refactorings and inlay hints of issue 16 (exclusion skeleton, expand
macro, extract let, extend types, macro expansions) and the LSP formatting of issue 14."""

from __future__ import annotations

import asyncio
import pathlib
import subprocess

import pytest
from conftest import QLINT, open_doc, position, start, wait_published
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_lsp import apply_edits, codes

MACROS_CONF = """[sysmon_process]
definition = index=sysmon EventCode=1

[wrap(1)]
args = x
definition = `sysmon_process` $x$
"""


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "hunts").mkdir()
    (tmp_path / "app" / "default").mkdir(parents=True)
    (tmp_path / "app" / "default" / "macros.conf").write_text(MACROS_CONF)
    return tmp_path


async def actions_at(client, uri, start_pos, end_pos=None, only=None, diagnostics=()):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start_pos, end_pos or start_pos),
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )


def lint(path: pathlib.Path, text: str) -> str:
    path.write_text(text)
    out = subprocess.run([QLINT, "check", "--format", "concise", str(path)], capture_output=True, text=True)
    return out.stdout + out.stderr


@pytest.mark.parametrize(
    "name,lang,text,expected",
    [
        (
            "broad.kql",
            "kql",
            'DeviceProcessEvents\n| where Timestamp > ago(1d)\n| where FileName startswith "psexec"\n| project DeviceName\n',
            '| where FileName startswith "psexec"\n| where FileName !in~ ("known-good value")\n| project DeviceName',
        ),
        (
            "broad.spl",
            "spl",
            "index=edr process_name=*psexec* earliest=-1d | stats count by host\n",
            'index=edr process_name=*psexec* earliest=-1d\n| search NOT process_name IN ("known-good value") | stats count by host',
        ),
    ],
)
async def test_missing_exclusion_offers_a_case_insensitive_skeleton(
    client: LanguageClient, workspace, name, lang, text, expected
):
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / name, text, lang)
    published = await wait_published(client, uri)
    finding = next(d for d in published.diagnostics if d.code in ("KQL403", "SPL403"))
    actions = await actions_at(client, uri, finding.range.start, finding.range.end, diagnostics=[finding])
    action = next(a for a in actions if "case-insensitive exclusion" in a.title)
    assert action.kind == types.CodeActionKind.QuickFix and action.title.endswith("(unsafe)")
    fixed = apply_edits(text, action.edit.changes[uri])
    assert expected in fixed, fixed
    # The skeleton is an exclusion: the finding is gone, and nothing else appears.
    after = lint(workspace / "hunts" / ("fixed_" + name), fixed)
    assert "403" not in after and "001" not in after, after
    # `--fix` does not apply it: it changes what the query returns.
    path = workspace / "hunts" / ("cli_" + name)
    path.write_text(text)
    subprocess.run([QLINT, "check", "--fix", str(path)], capture_output=True, text=True)
    assert path.read_text() == text


async def test_expand_macro_inlines_the_definition_with_its_arguments(client: LanguageClient, workspace):
    await start(client, workspace)
    text = '`wrap(Image="*\\\\psexec.exe")` | stats count by host\n'
    uri = open_doc(client, workspace / "hunts" / "m.spl", text, "spl")
    actions = await actions_at(client, uri, position(text, "wrap", 1))
    action = next(a for a in actions if a.title == "Expand macro `wrap`")
    assert action.kind == types.CodeActionKind.RefactorInline
    assert apply_edits(text, action.edit.changes[uri]) == (
        'index=sysmon EventCode=1 Image="*\\\\psexec.exe" | stats count by host\n'
    )
    # Only refactorings when the client asks only for those; none on a plain word.
    only = await actions_at(client, uri, position(text, "wrap", 1), only=[types.CodeActionKind.Refactor])
    assert [a.title for a in only] == ["Expand macro `wrap`"]
    assert not await actions_at(client, uri, position(text, "stats", 1), only=[types.CodeActionKind.Refactor])


async def test_extract_let_from_a_selection(client: LanguageClient, workspace):
    await start(client, workspace)
    text = "SigninLogs\n| where TimeGenerated > ago(1h)\n| where ResultType == 50126\n"
    uri = open_doc(client, workspace / "hunts" / "e.kql", text, "kql")
    actions = await actions_at(client, uri, position(text, "ago"), position(text, "ago", 7))
    action = next(a for a in actions if a.kind == types.CodeActionKind.RefactorExtract)
    assert action.title == "Extract `ago(1h)` into `let extracted`"
    fixed = apply_edits(text, action.edit.changes[uri])
    assert fixed == (
        "let extracted = ago(1h);\nSigninLogs\n| where TimeGenerated > extracted\n| where ResultType == 50126\n"
    )
    assert "KQL0" not in lint(workspace / "hunts" / "e_fixed.kql", fixed)
    # An expression that reads a column cannot leave its pipeline: nothing is offered.
    column = await actions_at(client, uri, position(text, "ResultType"), position(text, "50126", 5))
    assert not [a for a in column if a.kind == types.CodeActionKind.RefactorExtract]


async def test_extract_let_in_a_sentinel_rule_keeps_the_yaml(client: LanguageClient, workspace):
    await start(client, workspace)
    text = "id: 1\nname: r\nkind: Scheduled\nquery: |\n  SigninLogs\n  | where TimeGenerated > ago(1h)\nseverity: Low\n"
    uri = open_doc(client, workspace / "hunts" / "rule.yaml", text, "yaml")
    actions = await actions_at(client, uri, position(text, "ago"), position(text, "ago", 7))
    action = next(a for a in actions if a.kind == types.CodeActionKind.RefactorExtract)
    assert apply_edits(text, action.edit.changes[uri]) == (
        "id: 1\nname: r\nkind: Scheduled\nquery: |\n  let extracted = ago(1h);\n  SigninLogs\n"
        "  | where TimeGenerated > extracted\nseverity: Low\n"
    )


async def inlay_hints(client, uri, text):
    end = types.Position(text.count("\n") + 1, 0)
    return await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(0, 0), end),
        )
    )


async def test_inlay_hints_for_extend_types(client: LanguageClient, workspace):
    result = await start(client, workspace)
    assert result.capabilities.inlay_hint_provider
    text = "DeviceProcessEvents\n| extend Lower = tolower(FileName), Ago = now() - Timestamp\n"
    uri = open_doc(client, workspace / "hunts" / "h.kql", text, "kql")
    hints = await inlay_hints(client, uri, text)
    shown = {(h.position.line, h.position.character, h.label) for h in hints}
    assert (1, len("| extend Lower"), ": string") in shown, shown
    assert (1, text.split("\n")[1].index(" = now"), ": timespan") in shown, shown
    assert all(h.kind == types.InlayHintKind.Type for h in hints)


@pytest.mark.parametrize("enabled", [False, True])
async def test_macro_expansion_hints_are_opt_in(client: LanguageClient, workspace, enabled):
    options = {"inlayHints": {"macroExpansion": True}} if enabled else None
    await start(client, workspace, options=options)
    text = "`wrap(host=dc01)` | stats count by host\n"
    uri = open_doc(client, workspace / "hunts" / "x.spl", text, "spl")
    hints = await inlay_hints(client, uri, text)
    if not enabled:
        assert not hints
        return
    assert [(h.position.character, h.label) for h in hints] == [
        (len("`wrap(host=dc01)`"), "= index=sysmon EventCode=1 host=dc01")
    ]


async def format_doc(client, uri, range_=None):
    opts = types.FormattingOptions(tab_size=4, insert_spaces=True)
    doc = types.TextDocumentIdentifier(uri=uri)
    if range_ is None:
        return await client.text_document_formatting_async(
            types.DocumentFormattingParams(text_document=doc, options=opts)
        )
    return await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(text_document=doc, range=range_, options=opts)
    )


async def test_format_document_kql_and_spl_like_the_cli(client: LanguageClient, workspace):
    result = await start(client, workspace)
    assert result.capabilities.document_formatting_provider
    assert result.capabilities.document_range_formatting_provider
    for name, lang, text in [
        ("f.kql", "kql", 'DeviceProcessEvents | where FileName =~ "a.exe" | project DeviceName\n'),
        ("f.spl", "spl", "index=edr | stats count by host | where count > 5\n"),
    ]:
        uri = open_doc(client, workspace / "hunts" / name, text, lang)
        formatted = apply_edits(text, await format_doc(client, uri))
        cli = subprocess.run(
            [QLINT, "fmt", "--lang", lang, "-"], input=text, capture_output=True, text=True
        ).stdout
        assert formatted == cli and formatted != text, (formatted, cli)
        # Formatting what is formatted changes nothing.
        uri2 = open_doc(client, workspace / "hunts" / ("again_" + name), formatted, lang)
        assert not await format_doc(client, uri2)


async def test_a_query_that_does_not_parse_is_never_formatted(client: LanguageClient, workspace):
    await start(client, workspace)
    text = "T | wher a == 1\n\nDeviceEvents | take 1\n"
    uri = open_doc(client, workspace / "hunts" / "b.kql", text, "kql")
    edits = await format_doc(client, uri)
    formatted = apply_edits(text, edits)
    # The broken query stays byte for byte; the good one is formatted.
    assert formatted == "T | wher a == 1\n\nDeviceEvents\n| take 1\n", formatted
    # A lone broken query: no edit at all.
    uri = open_doc(client, workspace / "hunts" / "c.kql", "T | where (a ==\n", "kql")
    assert not await format_doc(client, uri)


async def test_range_formatting_formats_only_the_queries_the_range_touches(
    client: LanguageClient, workspace
):
    await start(client, workspace)
    text = (
        "# Hunts\n\nProse | with a pipe.\n\n```kql\nT | take 1\n```\n\n"
        "```spl\nindex=a | head 1\n```\n\n```kql\nU | count\n```\n"
    )
    uri = open_doc(client, workspace / "hunts" / "h.md", text, "markdown")
    line = text.split("\n").index("index=a | head 1")
    edits = await format_doc(client, uri, types.Range(types.Position(line, 3), types.Position(line, 5)))
    assert apply_edits(text, edits) == text.replace("index=a | head 1", "index=a\n| head 1")
    whole = apply_edits(text, await format_doc(client, uri))
    assert "T\n| take 1" in whole and "U\n| count" in whole and "Prose | with a pipe." in whole


async def test_range_formatting_in_a_sentinel_rule_reindents_the_block(client: LanguageClient, workspace):
    await start(client, workspace)
    text = 'id: 1\nname: "a | b"\nquery: |\n  SigninLogs | where ResultType == 50126 | take 5\nseverity: Low\n'
    uri = open_doc(client, workspace / "hunts" / "r.yaml", text, "yaml")
    edits = await format_doc(client, uri, types.Range(types.Position(3, 4), types.Position(3, 8)))
    assert apply_edits(text, edits) == (
        'id: 1\nname: "a | b"\nquery: |\n  SigninLogs\n  | where ResultType == 50126\n  | take 5\nseverity: Low\n'
    )


async def test_formatting_follows_qlint_toml_and_says_what_it_left(client: LanguageClient, workspace):
    (workspace / "qlint.toml").write_text('[format]\nspl-command-case = "lower"\n')
    await start(client, workspace)
    text = "index=edr | STATS count BY Host | Table Host\n"
    uri = open_doc(client, workspace / "hunts" / "l.spl", text, "spl")
    assert apply_edits(text, await format_doc(client, uri)) == (
        "index=edr\n| stats count BY Host\n| table Host\n"
    )
    # A search in a quoted YAML string keeps its layout, and the user is told why and where.
    quoted = "name: x\nsearch: '| tstats count from datamodel=Endpoint.Processes by Processes.dest | `x_filter`'\n"
    uri = open_doc(client, workspace / "hunts" / "d.yml", quoted, "yaml")
    assert not await format_doc(client, uri)
    for _ in range(100):
        if client.messages:
            break
        await asyncio.sleep(0.02)
    message = client.messages[-1]
    assert message.type == types.MessageType.Warning
    assert "line 2" in message.message and "block scalar" in message.message, message.message
