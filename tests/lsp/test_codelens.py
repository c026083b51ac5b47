"""End-to-end tests of the "Run tests" code lens (issue 17): a hunt with a test file gets a
lens above its query; running it puts failing expectations on the test file as diagnostics and
shows a summary; a passing run clears them."""

from __future__ import annotations

import asyncio
import pathlib

from conftest import open_doc, start, wait_published
from lsprotocol import types
from pytest_lsp import LanguageClient

HUNT = """# Credential access hunts

## LSASS access by unusual processes

```kql
DeviceEvents
| where ActionType == "OpenProcessApiCall"
| where FileName =~ "lsass.exe"
| where InitiatingProcessFileName !in~ ("MsMpEng.exe", "svchost.exe")
| project DeviceName, InitiatingProcessFileName
```

## Something without tests

```kql
SecurityEvent | where EventID == 4769
```
"""

TESTS = """rule: ../hunts/lsass.md#1
now: 2024-07-15T12:00:00Z
tests:
  - name: procdump fires
    tables:
      DeviceEvents:
        - {ActionType: OpenProcessApiCall, FileName: LSASS.EXE, InitiatingProcessFileName: procdump.exe, DeviceName: h1}
    expect:
      count: 1
  - name: svchost is excluded
    tables:
      DeviceEvents:
        - {ActionType: OpenProcessApiCall, FileName: lsass.exe, InitiatingProcessFileName: SVCHOST.EXE, DeviceName: h2}
    expect:
      count: COUNT
"""


def workspace(tmp_path: pathlib.Path, count: int) -> tuple[pathlib.Path, pathlib.Path]:
    (tmp_path / "hunts").mkdir(exist_ok=True)
    (tmp_path / "tests").mkdir(exist_ok=True)
    hunt = tmp_path / "hunts" / "lsass.md"
    hunt.write_text(HUNT)
    test_file = tmp_path / "tests" / "lsass.test.yaml"
    test_file.write_text(TESTS.replace("COUNT", str(count)))
    return hunt, test_file


async def lenses(client: LanguageClient, uri: str) -> list[types.CodeLens]:
    params = types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    return await client.text_document_code_lens_async(params) or []


async def run(client: LanguageClient, lens: types.CodeLens):
    assert lens.command is not None
    params = types.ExecuteCommandParams(
        command=lens.command.command, arguments=lens.command.arguments
    )
    return await client.workspace_execute_command_async(params)


async def last_published(
    client: LanguageClient, uri: str, after: int
) -> types.PublishDiagnosticsParams:
    for _ in range(500):
        found = [p for p in client.published[after:] if p.uri == uri]
        if found:
            return found[-1]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no diagnostics published for {uri}")


async def test_lens_runs_tests_and_marks_the_failing_expectation(
    client: LanguageClient, tmp_path
):
    hunt, test_file = workspace(tmp_path, count=1)  # the exclusion test wrongly expects a hit
    result = await start(client, tmp_path)
    assert result.capabilities.code_lens_provider is not None
    assert "qlint.runTests" in result.capabilities.execute_command_provider.commands
    uri = open_doc(client, hunt, HUNT, "markdown")

    found = await lenses(client, uri)
    assert len(found) == 1, "only the first query has a test file"
    lens = found[0]
    assert lens.command.title == "Run tests (2)"
    assert lens.range.start.line == HUNT.splitlines().index("DeviceEvents")

    seen = len(client.published)
    summary = await run(client, lens)
    assert summary == "1 passed, 1 failed"
    published = await last_published(client, test_file.as_uri(), seen)
    [diagnostic] = published.diagnostics
    text = test_file.read_text().splitlines()
    failing_line = len(text) - 1  # the last `count:` line, 0-based
    assert text[failing_line].strip() == "count: 1"
    assert diagnostic.range.start.line == failing_line
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.message == "svchost is excluded: expected 1 rows, got 0"
    assert any(m.message == "qlint tests: 1 passed, 1 failed" for m in client.messages)

    # Fix the expectation: the next run clears the diagnostic.
    workspace(tmp_path, count=0)
    seen = len(client.published)
    assert await run(client, lens) == "2 passed"
    published = await last_published(client, test_file.as_uri(), seen)
    assert list(published.diagnostics) == []


async def test_no_lens_without_a_test_file(client: LanguageClient, tmp_path):
    hunt, test_file = workspace(tmp_path, count=0)
    test_file.unlink()
    await start(client, tmp_path)
    uri = open_doc(client, hunt, HUNT, "markdown")
    assert await lenses(client, uri) == []


async def test_runs_use_the_unsaved_text_of_the_rule(client: LanguageClient, tmp_path):
    hunt, test_file = workspace(tmp_path, count=0)  # passes against the saved hunt
    await start(client, tmp_path)
    edited = HUNT.replace('"MsMpEng.exe", "svchost.exe"', '"MsMpEng.exe"')
    uri = open_doc(client, hunt, edited, "markdown")  # the exclusion is gone, not saved
    [lens] = await lenses(client, uri)
    seen = len(client.published)
    assert await run(client, lens) == "1 passed, 1 failed"
    published = await last_published(client, test_file.as_uri(), seen)
    assert [d.message for d in published.diagnostics] == [
        "svchost is excluded: expected 0 rows, got 1"
    ]


async def test_results_survive_on_an_open_test_file(client: LanguageClient, tmp_path):
    hunt, test_file = workspace(tmp_path, count=1)
    await start(client, tmp_path)
    test_uri = open_doc(client, test_file, test_file.read_text(), "yaml")
    await wait_published(client, test_uri)  # its own lint, before any test run
    uri = open_doc(client, hunt, HUNT, "markdown")
    [lens] = await lenses(client, uri)
    seen = len(client.published)
    assert await run(client, lens) == "1 passed, 1 failed"
    published = await last_published(client, test_uri, seen)
    assert [d.code for d in published.diagnostics] == ["test-failed"]
    assert published.version == 1  # merged into the open document's lint results
