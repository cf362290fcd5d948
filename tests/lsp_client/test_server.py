"""`unawaited server` driven by pytest-lsp, a client built for testing language servers: it
checks every message against the LSP specification and against the capabilities of real editors
(recorded from Visual Studio Code and Neovim). `cargo test` runs it (`tests/lsp_pytest.rs`, in
the tests' own Python environment); by hand:

    python3 -m pytest -p no:cacheprovider -o asyncio_mode=auto tests/lsp_client
"""

import os
import pathlib
import sys
import tempfile

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The binary `cargo test` runs it against (`tests/lsp_pytest.rs` names it); run by hand, the debug
# build where cargo puts it, `CARGO_TARGET_DIR` (relative to the working folder, as cargo reads
# it) or `target/`.
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target").resolve()
BINARY = os.environ.get("UNAWAITED_BIN") or str(TARGET / "debug" / "unawaited")

# A package whose file, as edited (not saved), drops a future after non-ASCII text.
PACKAGE = pathlib.Path(tempfile.mkdtemp(prefix="unawaited-lsp-")).resolve()
(PACKAGE / "src").mkdir()
(PACKAGE / "Cargo.toml").write_text(
    '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n'
)
ON_DISK = 'async fn fetch() -> u32 {\n    1\n}\n\npub async fn run() {\n    let _s = "é🦀"; fetch().await;\n}\n'
EDITED = ON_DISK.replace("fetch().await;", "fetch();")
(PACKAGE / "src" / "lib.rs").write_text(ON_DISK)
URI = (PACKAGE / "src" / "lib.rs").as_uri()
# `fetch()` on line 6: 4 + 10 + 1 + 2 + 3 UTF-16 code units in.
FINDING = types.Range(
    start=types.Position(line=5, character=20), end=types.Position(line=5, character=27)
)


def open_edited(client: LanguageClient) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=URI, language_id="rust", version=1, text=EDITED
            )
        )
    )


async def start(client: LanguageClient, editor: str) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor),
            root_uri=PACKAGE.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=PACKAGE.as_uri(), name="demo")],
        )
    )


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BINARY, "server"]))
async def vscode(lsp_client: LanguageClient):
    # The server registers file watchers, as VS Code's capabilities allow.
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        assert params.registrations[0].method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES

    await start(lsp_client, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BINARY, "server"]))
async def neovim(lsp_client: LanguageClient):
    await start(lsp_client, "neovim@v0.8.0")
    yield
    await lsp_client.shutdown_session()


async def test_vscode_pulls_diagnostics_fixes_and_hovers(vscode: LanguageClient):
    open_edited(vscode)
    report = await vscode.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    assert [d.code for d in report.items] == ["unawaited_future"]
    finding = report.items[0]
    assert finding.range == FINDING
    assert finding.severity == types.DiagnosticSeverity.Error
    assert finding.source == "unawaited"

    actions = await vscode.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=finding.range,
            context=types.CodeActionContext(diagnostics=[finding]),
        )
    )
    fix = next(a for a in actions if a.title == "add `.await`")
    assert fix.is_preferred
    (edit,) = fix.edit.changes[URI]
    assert edit.new_text == ".await" and edit.range.start == FINDING.end

    hover = await vscode.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(line=5, character=22),
        )
    )
    assert "unawaited_future" in hover.contents.value


async def test_neovim_gets_pushed_diagnostics_that_clear(neovim: LanguageClient):
    open_edited(neovim)
    await neovim.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in neovim.diagnostics[URI]] == ["unawaited_future"]
    assert neovim.diagnostics[URI][0].range == FINDING
    neovim.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=FINDING.end, end=FINDING.end), text=".await"
                )
            ],
        )
    )
    await neovim.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(neovim.diagnostics[URI]) == []


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-o", "asyncio_mode=auto"]))
