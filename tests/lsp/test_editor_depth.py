"""End-to-end tests of issue 16: completion by position, operator and field hovers, did-you-mean
quick fixes, rename and references, semantic tokens, multi-query `.kql` files."""

from __future__ import annotations

import pathlib
import subprocess

import pytest
from conftest import QLINT, open_doc, position, start, wait_published
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_lsp import apply_edits, codes, complete, hover_at, labels

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
    (tmp_path / "hunts" / "saved.spl").write_text("`sysmon_process` | stats count by host\n")
    return tmp_path


def items_of(result):
    return result.items if isinstance(result, types.CompletionList) else result


async def test_completion_offers_operators_after_an_operand(client: LanguageClient, workspace):
    await start(client, workspace)
    text = "DeviceProcessEvents\n| where FileName \n| join kind= (SigninLogs) on DeviceName"
    uri = open_doc(client, workspace / "hunts" / "op.kql", text, "kql")
    items = items_of(await complete(client, uri, position(text, "FileName ", 9)))
    by_label = {i.label: i for i in items}
    assert {"has", "==", "=~", "startswith", "in~"} <= set(by_label)
    assert "ProcessCommandLine" not in by_label, "no columns where an operator goes"
    assert "whole term" in by_label["has"].detail and "case-insensitive" in by_label["has"].detail
    assert "case-sensitive" in by_label["=="].detail
    # Ranked: the client sorts by sortText; `==` and `has` come before `<=`.
    assert by_label["has"].sort_text < by_label["<="].sort_text
    kinds = labels(await complete(client, uri, position(text, "kind=", 5)))
    assert {"inner", "leftouter", "leftanti", "innerunique"} <= set(kinds)
    assert "DeviceName" not in kinds


async def test_completion_snippets_when_the_client_takes_them(client: LanguageClient, workspace):
    await start(client, workspace)
    text = "DeviceProcessEvents\n| "
    uri = open_doc(client, workspace / "hunts" / "s.kql", text, "kql")
    items = items_of(await complete(client, uri, types.Position(1, 2)))
    where = next(i for i in items if i.label == "where")
    # The test client does not announce snippet support: plain text, never `${1:...}`.
    assert where.text_edit.new_text == "where"
    assert items[0].label == "where", [i.label for i in items[:5]]


async def test_completion_columns_first_after_project_and_by(client: LanguageClient, workspace):
    await start(client, workspace)
    text = "DeviceProcessEvents\n| summarize count() by \n| project-away "
    uri = open_doc(client, workspace / "hunts" / "p.kql", text, "kql")
    after_by = items_of(await complete(client, uri, position(text, "by ", 3)))
    first = sorted(after_by, key=lambda i: i.sort_text)[0]
    assert first.kind == types.CompletionItemKind.Field, first.label
    away = items_of(await complete(client, uri, position(text, "project-away ", 13)))
    assert away and all(i.kind == types.CompletionItemKind.Field for i in away)


async def test_spl_fields_after_stats_by_and_functions_by_command(
    client: LanguageClient, workspace
):
    await start(client, workspace)
    text = (
        'index=win EventCode=4625 | rex field=_raw "user=(?<user>\\w+)" '
        "| eval src=lower(host) | stats count by \n| eval y=\n| stats "
    )
    uri = open_doc(client, workspace / "hunts" / "f.spl", text, "spl")
    by = items_of(await complete(client, uri, position(text, "count by ", 9)))
    by_label = {i.label: i for i in by}
    assert {"EventCode", "user", "src"} <= set(by_label)
    assert "rex" in by_label["user"].detail and "eval" in by_label["src"].detail
    assert "lower" not in by_label and "count" not in by_label, "no functions after `by`"
    in_eval = labels(await complete(client, uri, position(text, "eval y=", 7)))
    assert "lower" in in_eval and "dc" not in in_eval
    in_stats = labels(await complete(client, uri, position(text, "| stats ", 8)))
    assert "dc" in in_stats and "lower" not in in_stats and "per_second" not in in_stats
    details = {i.label: i.detail for i in items_of(await complete(client, uri, position(text, "eval y=", 7)))}
    assert details["cos"].startswith("cos(") and details["bit_or"].startswith("bit_or(")


async def test_hover_on_operators_and_spl_fields(client: LanguageClient, workspace):
    await start(client, workspace)
    text = 'DeviceProcessEvents\n| where FileName startswith "a" and FolderPath has "x" and DeviceName =~ "y"'
    uri = open_doc(client, workspace / "hunts" / "h.kql", text, "kql")
    for op, words in [("startswith", "case-insensitive"), ("has", "whole term"), ("=~", "ignoring case")]:
        hovered = await hover_at(client, uri, text, f" {op} ", 2)
        assert f"`{op}`" in hovered and words in hovered, hovered
    spl = "index=win | eval short=lower(host) | table short"
    uri = open_doc(client, workspace / "hunts" / "h.spl", spl, "spl")
    field = await hover_at(client, uri, spl, "table short", 7)
    assert "`eval short=lower(host)`" in field, field
    option = "| tstats summariesonly=true count from datamodel=Endpoint.Processes"
    uri = open_doc(client, workspace / "hunts" / "o.spl", option, "spl")
    hovered = await hover_at(client, uri, option, "summariesonly", 2)
    assert "option" in hovered and "tstats" in hovered, hovered


DID_YOU_MEAN = [
    ("a.kql", "kql", "DeviceProcesEvents | take 1\n", "KQL201", "DeviceProcessEvents"),
    ("b.kql", "kql", 'DeviceProcessEvents | where FileNme == "a" | where FileNme != "b"\n', "KQL202", "FileName"),
    ("c.kql", "kql", "DeviceProcessEvents | extend x = tolowr(FileName)\n", "KQL203", "tolower"),
    ("d.spl", "spl", "index=main | stast count\n", "SPL104", "stats"),
    ("e.spl", "spl", "`sysmon_proces` | stats count\n", "SPL102", "sysmon_process"),
    ("f.spl", "spl", "| tstats count from datamodel=Endpoint.Processs by Processes.dest\n", "SPL201", "Processes"),
    ("g.spl", "spl", "| tstats count from datamodel=Endpoint.Processes by Processes.proces_name\n", "SPL202", "Processes.process_name"),
]


@pytest.mark.parametrize("name,lang,text,code,suggestion", DID_YOU_MEAN)
async def test_every_did_you_mean_is_a_quick_fix(
    client: LanguageClient, workspace, name, lang, text, code, suggestion
):
    await start(client, workspace)
    uri = open_doc(client, workspace / "hunts" / name, text, lang)
    published = await wait_published(client, uri)
    diagnostic = next(d for d in published.diagnostics if d.code == code)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    action = next(a for a in actions if suggestion in a.title)
    assert action.title.endswith("(unsafe)") and not action.is_preferred
    fixed = apply_edits(text, action.edit.changes[uri])
    assert suggestion in fixed
    # The fixed text no longer has the finding.
    fixed_path = workspace / "hunts" / ("fixed_" + name)
    fixed_path.write_text(fixed)
    out = subprocess.run(
        [QLINT, "check", "--format", "concise", str(fixed_path)], capture_output=True, text=True
    )
    assert code not in out.stdout, out.stdout
    if code == "KQL202":
        assert fixed.count("FileName") == 2, "every use in the scope is fixed"


async def test_cli_fix_leaves_did_you_mean_alone(workspace):
    path = workspace / "hunts" / "t.kql"
    path.write_text("DeviceProcesEvents | take 1\n")
    subprocess.run([QLINT, "check", "--fix", str(path)], capture_output=True, text=True)
    assert path.read_text() == "DeviceProcesEvents | take 1\n"


async def test_rename_and_references_of_a_let(client: LanguageClient, workspace):
    await start(client, workspace)
    text = 'let procs = DeviceProcessEvents | where FileName == "a";\nprocs | join (procs) on DeviceId\n| extend p = "procs"'
    uri = open_doc(client, workspace / "hunts" / "r.kql", text, "kql")
    doc = types.TextDocumentIdentifier(uri=uri)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc,
            position=position(text, "procs |"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert len(refs) == 3
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc, position=position(text, "(procs)", 2))
    )
    assert prepared.start == position(text, "(procs)", 1)
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=doc, position=position(text, "procs", 1), new_name="hits")
    )
    renamed = apply_edits(text, edit.changes[uri])
    assert renamed.startswith("let hits = ") and "hits | join (hits)" in renamed
    assert '"procs"' in renamed, "strings are not renamed"


async def test_rename_a_macro_across_macros_conf_and_searches(client: LanguageClient, workspace):
    await start(client, workspace)
    search = "`sysmon_process` | `wrap(1)` | stats count\n"
    uri = open_doc(client, workspace / "hunts" / "m.spl", search, "spl")
    doc = types.TextDocumentIdentifier(uri=uri)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc,
            position=position(search, "sysmon_process"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    conf = workspace / "app" / "default" / "macros.conf"
    saved = workspace / "hunts" / "saved.spl"
    by_file = {}
    for r in refs:
        by_file.setdefault(r.uri, []).append(r.range.start.line)
    assert by_file == {uri: [0], conf.as_uri(): [0, 5], saved.as_uri(): [0]}, by_file
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=doc, position=position(search, "sysmon_process", 2), new_name="sysmon_proc")
    )
    new_conf = apply_edits(MACROS_CONF, edit.changes[conf.as_uri()])
    assert new_conf.startswith("[sysmon_proc]\n") and "`sysmon_proc` $x$" in new_conf
    assert apply_edits(search, edit.changes[uri]).startswith("`sysmon_proc` |")


def decode(data: list[int]) -> list[tuple[int, int, int, int]]:
    out, line, col = [], 0, 0
    for i in range(0, len(data), 5):
        dl, ds, length, ty = data[i : i + 4]
        line += dl
        col = ds if dl else col + ds
        out.append((line, col, length, ty))
    return out


async def test_semantic_tokens_full_and_range(client: LanguageClient, workspace):
    result = await start(client, workspace)
    legend = result.capabilities.semantic_tokens_provider.legend.token_types
    text = 'DeviceProcessEvents\n| where FileName has "x" // c\n| extend l = tolower(FileName)'
    uri = open_doc(client, workspace / "hunts" / "t.kql", text, "kql")
    doc = types.TextDocumentIdentifier(uri=uri)
    full = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(text_document=doc))
    lines = text.split("\n")
    seen = {(lines[l][c : c + n], legend[t]) for l, c, n, t in decode(full.data)}
    for expected in [
        ("DeviceProcessEvents", "class"),
        ("where", "keyword"),
        ("FileName", "property"),
        ("has", "operator"),
        ('"x"', "string"),
        ("// c", "comment"),
        ("tolower", "function"),
    ]:
        assert expected in seen, (expected, seen)
    ranged = await client.text_document_semantic_tokens_range_async(
        types.SemanticTokensRangeParams(
            text_document=doc, range=types.Range(types.Position(2, 0), types.Position(2, 40))
        )
    )
    assert {l for l, _, _, _ in decode(ranged.data)} == {2}
    spl = "`sysmon_process` | stats count by host"
    uri = open_doc(client, workspace / "hunts" / "t.spl", spl, "spl")
    full = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    seen = {(spl[c : c + n], legend[t]) for _, c, n, t in decode(full.data)}
    assert ("`sysmon_process`", "macro") in seen and ("stats", "keyword") in seen


async def test_multi_query_kql_file(client: LanguageClient, workspace):
    await start(client, workspace)
    text = 'DeviceProcessEvents\n| where Timestamp > ago(1d)\n| where FileName == "a.exe"\n\nSigninLogs\n| where TimeGenerated > ago(1d)\n| take 10\n'
    uri = open_doc(client, workspace / "hunts" / "two.kql", text, "kql")
    published = await wait_published(client, uri)
    assert "KQL001" not in codes(published.diagnostics), published.diagnostics
    # The CLI agrees: two queries, no syntax error.
    path = workspace / "hunts" / "two.kql"
    path.write_text(text)
    out = subprocess.run([QLINT, "check", "--format", "concise", str(path)], capture_output=True, text=True)
    assert "KQL001" not in out.stdout and "2 queries" in out.stderr, out.stderr
    # A broken second query: the error is in it, the first stays clean.
    broken = text.replace("| take 10", "| where ResultType ==")
    uri2 = open_doc(client, workspace / "hunts" / "broken.kql", broken, "kql")
    published = await wait_published(client, uri2)
    errors = [d for d in published.diagnostics if d.code == "KQL001"]
    assert [d.range.start.line for d in errors] == [6]
    # Completion where the next query is typed, after a blank line, offers tables again.
    tables = labels(await complete(client, uri, types.Position(4, 3)))
    assert "SigninLogs" in tables
    typing = 'DeviceProcessEvents\n| where FileName == "a.exe"\n\n'
    uri3 = open_doc(client, workspace / "hunts" / "typing.kql", typing, "kql")
    tables = labels(await complete(client, uri3, types.Position(3, 0)))
    assert "SigninLogs" in tables and "has" not in tables
