//! The main loop: the initialize handshake, then requests and notifications until `exit` or
//! the end of standard input. Requests are answered here from the latest results (hover, code
//! actions) or wait for the checking thread (pulls of documents being checked); a panic in a
//! handler becomes an error response and a log line.

use super::checker::{self, Job};
use super::documents::Encoding;
use super::settings::Settings;
use super::state::{Asked, Pull, Shared, State};
use super::transport::{Incoming, Outgoing};
use super::{actions, hover, log, unknown_document_message};
use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::*;
use serde_json::Value;
use std::panic::AssertUnwindSafe;

/// An error answer: the code and the message.
type Failure = (ErrorCode, String);

/// What a request handler gives: an answer now, or nothing yet (a pull that waits).
type Answer = Result<Option<Value>, Failure>;

struct Session {
    out: Outgoing,
    state: Shared,
    jobs: Sender<Job>,
    /// Register file watchers once initialized.
    watch: bool,
    /// Ask the client for the `unawaited` settings.
    pull_configuration: bool,
    shutdown: bool,
}

/// Runs the server until `exit` or the end of input; returns the exit code: 0 after a
/// `shutdown` request, 1 without one (as LSP asks).
pub fn serve(incoming: Receiver<Incoming>, out: Outgoing) -> i32 {
    let Some((id, params)) = handshake(&incoming, &out) else {
        return 1;
    };
    let mut state = State::new();
    let caps = &params.capabilities;
    let utf8 = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
    state.encoding = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    state.push = caps
        .text_document
        .as_ref()
        .is_none_or(|t| t.diagnostic.is_none());
    let workspace = caps.workspace.as_ref();
    state.refresh = workspace
        .and_then(|w| w.diagnostic.as_ref()?.refresh_support)
        .unwrap_or(false);
    if let Some(options) = &params.initialization_options {
        for warning in Settings::unknown_keys(options) {
            state.show_warning(&out, warning);
        }
        match Settings::from_json(options) {
            Ok(s) => state.settings = s,
            Err(e) => state.show_error_once(&out, e),
        }
    }
    out.send(Message::Response(Response::new_ok(
        id,
        initialize_result(state.encoding),
    )));
    let (jobs, jobs_rx) = crossbeam_channel::unbounded();
    let state = Shared::new(state);
    checker::spawn(state.clone(), out.clone(), jobs_rx);
    let mut session = Session {
        out,
        state,
        jobs,
        watch: workspace
            .and_then(|w| w.did_change_watched_files?.dynamic_registration)
            .unwrap_or(false),
        pull_configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
        shutdown: false,
    };
    let code = session.run(&incoming);
    let _ = session.jobs.send(Job::Stop);
    code
}

/// Waits for `initialize`: requests before it get an error, notifications are dropped (but
/// `exit` exits).
fn handshake(
    incoming: &Receiver<Incoming>,
    out: &Outgoing,
) -> Option<(RequestId, InitializeParams)> {
    loop {
        match incoming.recv().unwrap_or(Incoming::Closed) {
            Incoming::Closed => return None,
            Incoming::Malformed { id, code, message } => out.send_error(id, code, &message),
            Incoming::Message(Message::Request(r)) if r.method == "initialize" => {
                match serde_json::from_value::<InitializeParams>(r.params) {
                    Ok(params) => return Some((r.id, params)),
                    Err(e) => out.send(Message::Response(Response::new_err(
                        r.id,
                        ErrorCode::InvalidParams as i32,
                        format!("bad initialize parameters: {e}"),
                    ))),
                }
            }
            Incoming::Message(Message::Request(r)) => {
                out.send(Message::Response(Response::new_err(
                    r.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized yet".into(),
                )))
            }
            Incoming::Message(Message::Notification(n)) if n.method == "exit" => return None,
            Incoming::Message(_) => {}
        }
    }
}

fn initialize_result(encoding: Encoding) -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(match encoding {
                Encoding::Utf8 => PositionEncodingKind::UTF8,
                Encoding::Utf16 => PositionEncodingKind::UTF16,
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new(actions::FIX_ALL),
                ]),
                ..CodeActionOptions::default()
            })),
            diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("unawaited".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "unawaited".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    }
}

impl Session {
    fn run(&mut self, incoming: &Receiver<Incoming>) -> i32 {
        loop {
            let message = match incoming.recv().unwrap_or(Incoming::Closed) {
                Incoming::Closed => return if self.shutdown { 0 } else { 1 },
                Incoming::Malformed { id, code, message } => {
                    self.out.send_error(id, code, &message);
                    continue;
                }
                Incoming::Message(m) => m,
            };
            match message {
                Message::Request(r) => self.on_request(r),
                Message::Notification(n) if n.method == "exit" => {
                    return if self.shutdown { 0 } else { 1 };
                }
                Message::Notification(n) => {
                    let method = n.method.clone();
                    match std::panic::catch_unwind(AssertUnwindSafe(|| self.on_notification(n))) {
                        Ok(Ok(())) => {}
                        Ok(Err(message)) => log(&self.out, MessageType::WARNING, message),
                        Err(_) => log(
                            &self.out,
                            MessageType::ERROR,
                            format!("internal error while handling `{method}`"),
                        ),
                    }
                }
                Message::Response(r) => self.on_response(r),
            }
        }
    }

    fn on_request(&mut self, r: Request) {
        let id = r.id.clone();
        let method = r.method.clone();
        let answer = if self.shutdown {
            Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            ))
        } else if method == "shutdown" {
            self.shutdown = true;
            Ok(Some(Value::Null))
        } else {
            std::panic::catch_unwind(AssertUnwindSafe(|| self.dispatch(r))).unwrap_or_else(|_| {
                Err((
                    ErrorCode::InternalError,
                    format!("internal error while handling `{method}`"),
                ))
            })
        };
        let response = match answer {
            Ok(Some(value)) => Response::new_ok(id, value),
            Ok(None) => return,
            Err((code, message)) => {
                if matches!(code, ErrorCode::InternalError) {
                    log(&self.out, MessageType::ERROR, message.clone());
                }
                Response::new_err(id, code as i32, message)
            }
        };
        self.out.send(Message::Response(response));
    }

    fn dispatch(&mut self, r: Request) -> Answer {
        match r.method.as_str() {
            "textDocument/hover" => {
                let p: HoverParams = params(r)?;
                let at = p.text_document_position_params;
                self.hover(&at.text_document.uri, at.position)
            }
            "textDocument/codeAction" => {
                let p: CodeActionParams = params(r)?;
                self.code_actions(&p)
            }
            "textDocument/diagnostic" => {
                let id = r.id.clone();
                let p: DocumentDiagnosticParams = params(r)?;
                let uri = p.text_document.uri;
                let mut s = self.state.lock();
                if s.docs.get(&uri).is_none() {
                    return Err(unknown(&uri));
                }
                if let Some(c) = s.current(&uri) {
                    return Ok(Some(json(checker::document_report(c.lsp.clone()))));
                }
                s.pulls.push(Pull::Document(id, uri));
                drop(s);
                let _ = self.jobs.send(Job::Check);
                Ok(None)
            }
            "workspace/diagnostic" => {
                let id = r.id.clone();
                let _: WorkspaceDiagnosticParams = params(r)?;
                self.state.lock().pulls.push(Pull::Workspace(id));
                Ok(None)
            }
            "initialize" => Err((
                ErrorCode::InvalidRequest,
                "the server is already initialized".into(),
            )),
            method => Err((
                ErrorCode::MethodNotFound,
                format!("unknown method `{method}`"),
            )),
        }
    }

    fn hover(&self, uri: &Url, position: Position) -> Answer {
        let s = self.state.lock();
        let doc = s.docs.get(uri).ok_or_else(|| unknown(uri))?;
        let Some(checked) = s.current(uri) else {
            return Ok(Some(Value::Null));
        };
        let index = super::documents::LineIndex::new(&doc.text);
        let byte = index.offset(&doc.text, position, s.encoding);
        Ok(Some(json(hover::hover(checked, byte))))
    }

    fn code_actions(&self, p: &CodeActionParams) -> Answer {
        let uri = &p.text_document.uri;
        let s = self.state.lock();
        s.docs.get(uri).ok_or_else(|| unknown(uri))?;
        let Some(checked) = s.current(uri) else {
            return Ok(Some(json(Vec::<CodeActionOrCommand>::new())));
        };
        let only = p.context.only.as_deref();
        Ok(Some(json(actions::code_actions(
            uri, checked, p.range, only, s.encoding,
        ))))
    }

    fn on_notification(&mut self, n: Notification) -> Result<(), String> {
        let bad = |e: serde_json::Error| format!("bad parameters of `{}`: {e}", n.method);
        let method = n.method.as_str();
        match method {
            "initialized" => {
                self.register_watchers();
                self.ask_configuration();
                Ok(())
            }
            "textDocument/didOpen" => {
                let p: DidOpenTextDocumentParams =
                    serde_json::from_value(n.params.clone()).map_err(bad)?;
                let d = p.text_document;
                self.state.lock().docs.open(d.uri, d.version, d.text);
                self.check();
                Ok(())
            }
            "textDocument/didChange" => {
                let p: DidChangeTextDocumentParams =
                    serde_json::from_value(n.params.clone()).map_err(bad)?;
                let mut s = self.state.lock();
                let encoding = s.encoding;
                let d = p.text_document;
                s.docs
                    .change(&d.uri, d.version, p.content_changes, encoding)?;
                drop(s);
                self.check();
                Ok(())
            }
            "textDocument/didClose" => {
                let p: DidCloseTextDocumentParams =
                    serde_json::from_value(n.params.clone()).map_err(bad)?;
                let uri = p.text_document.uri;
                let mut s = self.state.lock();
                s.docs.close(&uri);
                s.results.remove(&uri);
                if s.push {
                    checker::publish(&self.out, &uri, None, Vec::new());
                }
                // Pulls of the closed document get their error now.
                s.answer_pulls(&self.out, false);
                drop(s);
                self.check();
                Ok(())
            }
            // What is on disk changed: files other documents depend on, configuration files.
            "textDocument/didSave" | "workspace/didChangeWatchedFiles" => {
                self.check();
                Ok(())
            }
            "workspace/didChangeConfiguration" => {
                let p: DidChangeConfigurationParams =
                    serde_json::from_value(n.params.clone()).map_err(bad)?;
                let has_ours = p.settings.get("unawaited").is_some();
                if has_ours || !self.pull_configuration {
                    self.apply_settings(&p.settings);
                } else {
                    self.ask_configuration();
                }
                Ok(())
            }
            "$/cancelRequest" => {
                let p: CancelParams = serde_json::from_value(n.params.clone()).map_err(bad)?;
                let id = match p.id {
                    NumberOrString::Number(n) => RequestId::from(n),
                    NumberOrString::String(s) => RequestId::from(s),
                };
                let mut s = self.state.lock();
                if let Some(i) = s.pulls.iter().position(|p| *p.id() == id) {
                    s.pulls.remove(i);
                    self.out.send(Message::Response(Response::new_err(
                        id,
                        ErrorCode::RequestCanceled as i32,
                        "cancelled".into(),
                    )));
                }
                Ok(())
            }
            // Contexts are found from each file's own path, so any number of workspace folders
            // just works; `$/` notifications may be ignored.
            _ => Ok(()),
        }
    }

    fn on_response(&mut self, r: Response) {
        let asked = self.state.lock().asked.remove(&r.id);
        if asked == Some(Asked::Configuration) {
            if let Some(value) = r.result.as_ref().and_then(|v| v.get(0)) {
                self.apply_settings(value);
            }
        }
    }

    fn apply_settings(&mut self, value: &Value) {
        let mut s = self.state.lock();
        for warning in Settings::unknown_keys(value) {
            s.show_warning(&self.out, warning);
        }
        match Settings::from_json(value) {
            Ok(settings) => {
                s.settings = settings;
                s.clear_error();
            }
            Err(e) => s.show_error_once(&self.out, e),
        }
        drop(s);
        self.check();
    }

    fn check(&self) {
        let _ = self.jobs.send(Job::Check);
    }

    fn register_watchers(&self) {
        if !self.watch {
            return;
        }
        let watchers: Vec<FileSystemWatcher> = ["**/*.rs", "**/unawaited.toml", "**/Cargo.toml"]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.into()),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "unawaited-watched-files".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: Some(json(DidChangeWatchedFilesRegistrationOptions { watchers })),
        };
        let params = json(RegistrationParams {
            registrations: vec![registration],
        });
        self.state
            .lock()
            .request(&self.out, "client/registerCapability", params);
    }

    fn ask_configuration(&self) {
        if !self.pull_configuration {
            return;
        }
        let params = json(ConfigurationParams {
            items: vec![ConfigurationItem {
                scope_uri: None,
                section: Some("unawaited".into()),
            }],
        });
        self.state
            .lock()
            .request(&self.out, "workspace/configuration", params);
    }
}

fn params<P: serde::de::DeserializeOwned>(r: Request) -> Result<P, Failure> {
    serde_json::from_value(r.params).map_err(|e| {
        (
            ErrorCode::InvalidParams,
            format!("bad parameters of `{}`: {e}", r.method),
        )
    })
}

fn unknown(uri: &Url) -> Failure {
    (ErrorCode::InvalidParams, unknown_document_message(uri))
}

fn json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
