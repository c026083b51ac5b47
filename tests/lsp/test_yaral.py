"""End-to-end tests of the YARA-L editor features (issue 12): diagnostics at the misspelt
field or value with a suggestion, hover on UDM fields and functions, completion of UDM paths
field by field, of enum values and of functions, go-to-definition of variables, the outline,
semantic tokens, and a quick fix."""

from __future__ import annotations

import pathlib

import pytest
from conftest import open_doc, position, start, wait_published
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_editor_depth import decode, items_of
from test_lsp import apply_edits, complete, hover_at, labels

RULE = """rule suspicious_logins {
  meta:
    author = "qlint tests"

  events:
    $login.metadata.event_type = "USER_LOGON"
    $login.principal.hostnme = $host
    $login.target.user.userid = $user
    $proc.metadata.event_type = "PROCESS_LAUNCH"
    $proc.principal.hostname = $host
    re.regex($proc.target.process.command_line, `-enc\\s`) nocase

  match:
    $host, $user over 30m

  outcome:
    $risk = max(50)

  condition:
    $login and $proc and $risk > 10
}
"""


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "rules").mkdir()
    return tmp_path


async def test_misspelt_field_and_enum_value_are_reported_where_they_are(
    client: LanguageClient, workspace
):
    await start(client, workspace)
    uri = open_doc(client, workspace / "rules" / "logins.yaral", RULE, "yaral")
    published = await wait_published(client, uri)
    by_code = {d.code: d for d in published.diagnostics}
    field = by_code["YL201"]
    assert field.range.start == position(RULE, "hostnme")
    assert field.range.end == position(RULE, "hostnme", len("hostnme"))
    assert field.message == "unknown UDM field `hostnme` in `noun`; did you mean `hostname`?"
    value = by_code["YL202"]
    assert value.range.start == position(RULE, '"USER_LOGON"')
    assert "did you mean `USER_LOGIN`?" in value.message
    assert value.severity == types.DiagnosticSeverity.Error


async def test_language_id_is_enough_for_an_untitled_rule(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaral", version=1, text=RULE)
        )
    )
    published = await wait_published(client, uri)
    assert "YL201" in {d.code for d in published.diagnostics}


async def test_hover_on_udm_fields_and_functions(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = open_doc(client, workspace / "rules" / "logins.yaral", RULE, "yaral")
    md = await hover_at(client, uri, RULE, "event_type", 2)
    assert "metadata.event_type" in md and "enum" in md and "`PROCESS_LAUNCH`" in md
    md = await hover_at(client, uri, RULE, "command_line", 2)
    assert "target.process.command_line" in md and "string" in md
    md = await hover_at(client, uri, RULE, "regex(", 2)
    assert "re.regex" in md and "takes 2" in md


async def test_completion_of_paths_field_by_field_values_and_functions(
    client: LanguageClient, workspace
):
    await start(client, workspace)
    text = "rule r {\n  events:\n    $e.principal.\n    $e.metadata.event_type = \n    strings.\n}\n"
    uri = open_doc(client, workspace / "rules" / "c.yaral", text, "yaral")
    fields = labels(await complete(client, uri, position(text, "principal.", len("principal."))))
    assert {"hostname", "ip", "process", "user"} <= set(fields)
    values = items_of(await complete(client, uri, position(text, "event_type = ", len("event_type = "))))
    by_label = {i.label: i for i in values}
    assert '"PROCESS_LAUNCH"' in by_label and '"USER_LOGIN"' in by_label
    assert by_label['"PROCESS_LAUNCH"'].kind == types.CompletionItemKind.EnumMember
    functions = labels(await complete(client, uri, position(text, "strings.", len("strings."))))
    assert "to_lower" in functions and "hostname" not in functions

    # Inside a half-typed value the quote is replaced too.
    text2 = 'rule r {\n  events:\n    $e.metadata.event_type = "PROC\n}\n'
    uri2 = open_doc(client, workspace / "rules" / "c2.yaral", text2, "yaral")
    items = items_of(await complete(client, uri2, position(text2, '"PROC', 5)))
    launch = next(i for i in items if i.label == '"PROCESS_LAUNCH"')
    assert launch.text_edit.range.start == position(text2, '"PROC')
    assert apply_edits(text2, [launch.text_edit]).count('"PROCESS_LAUNCH"') == 1


async def test_definition_of_placeholders_events_and_outcomes(client: LanguageClient, workspace):
    await start(client, workspace)
    uri = open_doc(client, workspace / "rules" / "logins.yaral", RULE, "yaral")
    doc = types.TextDocumentIdentifier(uri=uri)

    async def definition_of(needle: str, nth_from: str) -> types.Position:
        at = RULE.index(needle, RULE.index(nth_from))
        before = RULE[:at]
        pos = types.Position(line=before.count("\n"), character=at - before.rfind("\n") - 1 + 1)
        loc = await client.text_document_definition_async(types.DefinitionParams(text_document=doc, position=pos))
        assert loc is not None, needle
        return loc.range.start

    # `$host` in match: bound at its first use in events.
    assert await definition_of("$host", "match:") == position(RULE, "$host")
    # `$proc` in the condition: the event variable's first line.
    assert await definition_of("$proc", "condition:") == position(RULE, "$proc")
    # `$risk` in the condition: its outcome assignment.
    assert await definition_of("$risk", "condition:") == position(RULE, "$risk")


async def test_outline_has_one_symbol_per_rule_with_its_sections(client: LanguageClient, workspace):
    await start(client, workspace)
    text = RULE + "\nrule second {\n  events:\n    $e.principal.hostname = \"h\"\n  condition:\n    $e\n}\n"
    uri = open_doc(client, workspace / "rules" / "two.yaral", text, "yaral")
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert [s.name for s in symbols] == ["suspicious_logins", "second"]
    assert [c.name for c in symbols[0].children] == ["meta", "events", "match", "outcome", "condition"]
    assert symbols[1].range.start.line == text[: text.index("rule second")].count("\n")


async def test_semantic_tokens(client: LanguageClient, workspace):
    result = await start(client, workspace)
    legend = result.capabilities.semantic_tokens_provider.legend.token_types
    uri = open_doc(client, workspace / "rules" / "logins.yaral", RULE, "yaral")
    full = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    lines = RULE.split("\n")
    seen = {(lines[l][c : c + n], legend[t]) for l, c, n, t in decode(full.data)}
    for expected in [
        ("rule", "keyword"),
        ("suspicious_logins", "class"),
        ("events", "keyword"),
        ("$login", "variable"),
        ("event_type", "property"),
        ('"USER_LOGON"', "string"),
        ("re", "function"),
        ("regex", "function"),
        ("`-enc\\s`", "regexp"),
        ("nocase", "keyword"),
        ("30m", "number"),
        ("max", "function"),
    ]:
        assert expected in seen, (expected, sorted(seen))


async def test_quick_fix_appends_nocase_to_a_windows_exclusion(client: LanguageClient, workspace):
    await start(client, workspace)
    text = (
        "rule r {\n  events:\n    $e.metadata.event_type = \"PROCESS_LAUNCH\"\n"
        "    $e.target.process.file.full_path != \"C:\\\\Windows\\\\System32\\\\conhost.exe\"\n"
        "  condition:\n    $e\n}\n"
    )
    uri = open_doc(client, workspace / "rules" / "fix.yaral", text, "yaral")
    published = await wait_published(client, uri)
    finding = next(d for d in published.diagnostics if d.code == "YL401")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=finding.range,
            context=types.CodeActionContext(diagnostics=[finding]),
        )
    )
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and "nocase" in a.title)
    fixed = apply_edits(text, fix.edit.changes[uri])
    assert 'conhost.exe" nocase\n' in fixed
