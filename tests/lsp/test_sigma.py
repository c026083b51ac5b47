"""Sigma rules through the real `qlint lsp`: what an editor shows for a rule file.

Diagnostics land on the YAML line of the mistake, hover explains modifiers, taxonomy fields
and search identifiers, completion offers modifiers, field names of the logsource and search
identifiers, go-to-definition jumps from the condition to the selection, and the outline has
one symbol per rule with its search identifiers.
"""

from __future__ import annotations

import pathlib

import pytest
from conftest import hover_text, open_doc, position, start, wait_published
from lsprotocol import types
from pytest_lsp import LanguageClient

# A rule with five mistakes, each reported on the line that holds it.
BROKEN = """title: Whoami with privileges
id: 502b42de-4306-40b4-9596-6f590c81f073
status: experimental
logsource:
    product: windows
    category: process_creation
detection:
    selection_img:
        Image|endswith: '\\whoami.exe'
    selection_cli:
        Commandline|contians: '/priv'
    filter_temp:
        Image|startswith: 'C:\\Users\\*\\AppData\\'
    condition: selection_image and selection_cli and not filter_temp
level: high
"""

GOOD = """title: Whoami
id: 502b42de-4306-40b4-9596-6f590c81f073
status: experimental
logsource:
    product: windows
    category: process_creation
detection:
    selection_img:
        Image|endswith: '\\whoami.exe'
    selection_cli:
        CommandLine|contains: '/priv'
    filter_temp:
        Image|startswith: 'C:\\Users\\'
    condition: all of selection_* and not filter_temp
level: high
"""


@pytest.fixture
def rules(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "rules").mkdir()
    return tmp_path


def found(diagnostics) -> list[tuple[str, int, int]]:
    return sorted((d.code, d.range.start.line, d.range.start.character) for d in diagnostics)


async def test_a_broken_rule_gets_each_error_on_its_line(client: LanguageClient, rules):
    await start(client, rules)
    uri = open_doc(client, rules / "rules" / "whoami.yml", BROKEN, "yaml")
    published = await wait_published(client, uri, 1)
    at = lambda needle, delta=0: (position(BROKEN, needle, delta).line, position(BROKEN, needle, delta).character)
    expected = [
        ("SIG101", *at("selection_image")),  # the condition names a selection that does not exist
        ("SIG103", *at("selection_img:")),  # so `selection_img` is never used
        ("SIG104", *at("contians")),  # unknown modifier
        ("SIG114", *at("\\*")),  # `\*` is a literal star, not a folder and a wildcard
        ("SIG201", *at("Commandline")),  # not a taxonomy field
    ]
    assert found(published.diagnostics) == sorted(expected), published.diagnostics
    by_code = {d.code: d for d in published.diagnostics}
    assert "did you mean `contains`" in by_code["SIG104"].message
    assert "did you mean `CommandLine`" in by_code["SIG201"].message
    assert by_code["SIG101"].severity == types.DiagnosticSeverity.Error
    # Fixing the text clears them all.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=GOOD)],
        )
    )
    published = await wait_published(client, uri, 2)
    assert [d.code for d in published.diagnostics] == []


async def test_a_misspelt_logsource(client: LanguageClient, rules):
    await start(client, rules)
    text = GOOD.replace("product: windows", "product: windwos")
    uri = open_doc(client, rules / "rules" / "typo.yml", text, "yaml")
    published = await wait_published(client, uri, 1)
    (d,) = published.diagnostics
    assert (d.code, d.range.start) == ("SIG202", position(text, "windwos"))
    assert "did you mean `windows`" in d.message


async def test_yaml_that_does_not_parse_gets_one_error_where_it_stops(client: LanguageClient, rules):
    await start(client, rules)
    text = GOOD.replace("    selection_cli:\n", "    selection_cli: [\n")
    uri = open_doc(client, rules / "rules" / "broken_yaml.yml", text, "yaml")
    published = await wait_published(client, uri, 1)
    codes = [d.code for d in published.diagnostics]
    assert codes == ["QL002"], published.diagnostics
    line = published.diagnostics[0].range.start.line
    assert position(text, "selection_cli").line <= line <= position(text, "filter_temp").line


async def test_second_rule_of_a_file_reports_at_its_own_lines(client: LanguageClient, rules):
    await start(client, rules)
    second = GOOD.replace("CommandLine|contains", "CommandLine|contians")
    text = GOOD + "---\n" + second
    uri = open_doc(client, rules / "rules" / "two.yml", text, "yaml")
    published = await wait_published(client, uri, 1)
    (d,) = published.diagnostics
    assert d.code == "SIG104"
    assert d.range.start.line == len(GOOD.splitlines()) + 1 + second.splitlines().index(
        "        CommandLine|contians: '/priv'"
    )


async def test_hover_on_modifier_field_and_identifier(client: LanguageClient, rules):
    await start(client, rules)
    uri = open_doc(client, rules / "rules" / "whoami.yml", GOOD, "yaml")
    await wait_published(client, uri, 1)
    doc = types.TextDocumentIdentifier(uri=uri)

    async def hover(needle: str, delta: int) -> str:
        result = await client.text_document_hover_async(
            types.HoverParams(text_document=doc, position=position(GOOD, needle, delta))
        )
        return hover_text(result)

    assert "`|endswith`" in await hover("endswith", 2)
    assert "`windows` `process_creation` category taxonomy" in await hover("CommandLine", 3)
    text = await hover("filter_temp\n", 2)
    assert "filter_temp" in text and "Image|startswith" in text
    assert "matches 2 search identifier" in await hover("selection_*", 3)


async def test_completion_of_modifiers_fields_and_identifiers(client: LanguageClient, rules):
    await start(client, rules)

    async def labels(text: str, name: str, needle: str, delta: int) -> list[str]:
        uri = open_doc(client, rules / "rules" / name, text, "yaml")
        result = await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=position(text, needle, delta)
            )
        )
        items = result.items if isinstance(result, types.CompletionList) else result
        return [i.label for i in items or []]

    assert await labels(GOOD, "a.yml", "endswith:", 4) == ["endswith"]
    assert "filter_temp" in await labels(GOOD, "a.yml", "not filter_temp", 7)
    # A key being typed has no `:` yet, so the YAML does not parse: still completed.
    typing = GOOD.replace("'/priv'\n", "'/priv'\n        Parent\n")
    assert await labels(typing, "b.yml", "Parent\n", 6) == [
        "ParentCommandLine",
        "ParentImage",
        "ParentProcessGuid",
        "ParentProcessId",
        "ParentUser",
    ]
    typing = GOOD.replace("CommandLine|contains: '/priv'", "CommandLine|cont")
    assert await labels(typing, "c.yml", "|cont", 5) == ["contains"]


async def test_definition_from_condition_and_outline(client: LanguageClient, rules):
    await start(client, rules)
    uri = open_doc(client, rules / "rules" / "whoami.yml", GOOD, "yaml")
    doc = types.TextDocumentIdentifier(uri=uri)
    loc = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc, position=position(GOOD, "not filter_temp", 6))
    )
    loc = loc[0] if isinstance(loc, list) else loc
    assert loc.range.start == position(GOOD, "filter_temp:")
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc))
    assert [s.name for s in symbols] == ["Whoami"]
    assert [c.name for c in symbols[0].children] == ["selection_img", "selection_cli", "filter_temp"]
    assert symbols[0].children[2].selection_range.start == position(GOOD, "filter_temp:")
