"""Shared fixtures: a pygls client (through pytest-lsp) talking to the real `qlint lsp`."""

from __future__ import annotations

import asyncio
import os
import pathlib
import time

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = pathlib.Path(__file__).resolve().parents[2]
QLINT = os.environ.get("QLINT_BIN") or str(ROOT / "target" / "debug" / "qlint")


def make_client() -> LanguageClient:
    """A test client that records every diagnostics publication and registration."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # every PublishDiagnosticsParams, in arrival order
    client.registrations = []
    features = dict(DEFAULT_CLIENT_FEATURES)

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    def register(client: LanguageClient, params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[QLINT, "lsp"], client_factory=make_client)
)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def start(
    client: LanguageClient,
    root: pathlib.Path | None = None,
    encodings: list[str] | None = None,
    options: dict | None = None,
) -> types.InitializeResult:
    """Sends initialize/initialized with realistic capabilities."""
    general = None
    if encodings is not None:
        general = types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind(e) for e in encodings]
        )
    capabilities = types.ClientCapabilities(
        general=general,
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            ),
            configuration=False,
        ),
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(
                    documentation_format=[types.MarkupKind.Markdown]
                )
            ),
            document_symbol=types.DocumentSymbolClientCapabilities(
                hierarchical_document_symbol_support=True
            ),
        ),
    )
    folders = None
    if root is not None:
        folders = [types.WorkspaceFolder(uri=root.as_uri(), name=root.name)]
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            workspace_folders=folders,
            root_uri=root.as_uri() if root else None,
            initialization_options=options,
        )
    )


def open_doc(
    client: LanguageClient, path: pathlib.Path, text: str, language_id: str, version: int = 1
) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language_id, version=version, text=text
            )
        )
    )
    return uri


async def wait_published(
    client: LanguageClient, uri: str, version: int | None = None, timeout: float = 15.0
) -> types.PublishDiagnosticsParams:
    """The first publication for `uri` (at `version`, when given) after now or already seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in client.published:
            if p.uri == uri and (version is None or p.version == version):
                return p
        await asyncio.sleep(0.02)
    seen = [(p.uri, p.version) for p in client.published]
    raise AssertionError(f"no diagnostics for {uri} v{version}; seen {seen}")


def position(text: str, needle: str, delta: int = 0, utf8: bool = False) -> types.Position:
    """The LSP position of `needle` (plus `delta` characters) in `text`."""
    offset = text.index(needle) + delta
    before = text[:offset]
    line = before.count("\n")
    col_text = before[before.rfind("\n") + 1 :]
    if utf8:
        character = len(col_text.encode("utf-8"))
    else:
        character = len(col_text.encode("utf-16-le")) // 2
    return types.Position(line=line, character=character)


def hover_text(result: types.Hover | None) -> str:
    assert result is not None, "expected a hover"
    contents = result.contents
    assert isinstance(contents, types.MarkupContent)
    return contents.value
