//! `unawaited server`: the Language Server Protocol (3.17) over standard input and output.
//!
//! Findings come from the text in the editor's buffers, before anything is saved: every open
//! document is checked against the rest of its workspace (read from disk and the index cache),
//! the open buffers standing for their files. Diagnostics are pushed (`publishDiagnostics`) or
//! pulled (`textDocument/diagnostic`, `workspace/diagnostic`); code actions offer the fixes and
//! a suppression comment; hover shows the rule's documentation.
//!
//! - `transport`: JSON-RPC framing, malformed input answered with errors;
//! - `session`: the handshake and the main loop, one handler per method;
//! - `checker`: the debounced checking thread;
//! - `state`: what the two threads share;
//! - `documents`: open documents, incremental changes, positions;
//! - `diagnostics`, `actions`, `hover`: findings as LSP sees them;
//! - `settings`: `initializationOptions` / `workspace/configuration`.

mod actions;
mod checker;
mod diagnostics;
mod documents;
mod hover;
mod session;
mod settings;
mod state;
mod transport;

use lsp_server::{ErrorCode, Message, Notification, RequestId, Response};
use lsp_types::{LogMessageParams, MessageType, Url};
use transport::Outgoing;

/// Serves on standard input and output until `exit` or the end of input; returns the exit code.
pub fn run() -> i32 {
    let (incoming, out, writer) = transport::start(std::io::stdin(), std::io::stdout());
    let code = session::serve(incoming, out.clone());
    crate::engine::finish_writes();
    out.finish();
    let _ = writer.join();
    code
}

/// A line in the client's log (`window/logMessage`).
fn log(out: &Outgoing, typ: MessageType, message: String) {
    let params = LogMessageParams { typ, message };
    out.send(Message::Notification(Notification::new(
        "window/logMessage".into(),
        params,
    )));
}

fn unknown_document_message(uri: &Url) -> String {
    format!("unknown document `{uri}` (not open)")
}

fn unknown_document(id: RequestId, uri: &Url) -> Response {
    Response::new_err(
        id,
        ErrorCode::InvalidParams as i32,
        unknown_document_message(uri),
    )
}
