//! The checking thread: waits for edits to settle (the debounce, none by default: the edits
//! queued while a check runs are coalesced into the next), then checks every open
//! document against its workspace — on disk and in the index cache, the open buffers standing
//! for their files — publishes what changed and answers the pulls that waited for it.
//!
//! Every open document is checked together, so an edit re-checks the open files whose findings
//! depend on it (callers through the call graph) without working out which they are: the other
//! open files cost one walk each, and the engine skips the rest of the workspace's bodies.

use super::diagnostics::{self, NoteFiles};
use super::documents::{Document, Encoding};
use super::state::{Checked, Pull, Shared, State};
use super::transport::Outgoing;
use crate::diagnostic::Diagnostic;
use crate::engine::{self, Fatal, Options};
use crossbeam_channel::{Receiver, RecvTimeoutError};
use lsp_server::{Message, Notification, Response};
use lsp_types::{
    Diagnostic as LspDiagnostic, DocumentDiagnosticReport, DocumentDiagnosticReportResult,
    FullDocumentDiagnosticReport, MessageType, PublishDiagnosticsParams,
    RelatedFullDocumentDiagnosticReport, Url, WorkspaceDiagnosticReport,
    WorkspaceDiagnosticReportResult, WorkspaceDocumentDiagnosticReport,
    WorkspaceFullDocumentDiagnosticReport,
};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

pub enum Job {
    /// Something changed: check the open documents once things are quiet.
    Check,
    Stop,
}

pub fn spawn(state: Shared, out: Outgoing, jobs: Receiver<Job>) {
    std::thread::Builder::new()
        .name("unawaited-checker".into())
        // A document checked on its own is parsed and walked on this thread: as deep a stack
        // as the engine's workers, so that what they accept cannot overflow here.
        .stack_size(crate::engine::WORKER_STACK)
        .spawn(move || {
            while let Ok(Job::Check) = jobs.recv() {
                let debounce = state.lock().settings.debounce();
                loop {
                    match jobs.recv_timeout(debounce) {
                        Ok(Job::Check) => continue,
                        Err(RecvTimeoutError::Timeout) => break,
                        Ok(Job::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                check_open_documents(&state, &out);
            }
        })
        .expect("a checker thread");
}

fn check_open_documents(state: &Shared, out: &Outgoing) {
    let (docs, settings, encoding) = {
        let s = state.lock();
        let docs: Vec<(Url, Document)> = s
            .docs
            .open
            .iter()
            .map(|(u, d)| (u.clone(), d.clone()))
            .collect();
        (docs, s.settings.clone(), s.encoding)
    };
    let flags = settings.flags().unwrap_or_default();
    let buffers: Vec<(PathBuf, String)> = docs
        .iter()
        .filter_map(|(_, d)| Some((d.path.clone()?, d.text.clone())))
        .collect();
    let opts = Options {
        paths: Vec::new(),
        stdin: None,
        flags: flags.clone(),
        config_file: settings.config.clone(),
        jobs: 0,
        no_cache: false,
        cache_dir: crate::cache::explicit_dir(None),
        resident: true,
        ..Options::default()
    };
    let started = std::time::Instant::now();
    let outcome = match std::panic::catch_unwind(|| engine::run_with_buffers(&opts, &buffers)) {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(fatal)) => {
            let message = match fatal {
                Fatal::Config(e) => format!("{}: {}", e.path, e.message),
                Fatal::Other(e) => e,
            };
            state.lock().show_error_once(out, message);
            return;
        }
        Err(_) => {
            super::log(
                out,
                MessageType::ERROR,
                "internal error: the check panicked".into(),
            );
            return;
        }
    };
    state.lock().clear_error();
    for e in &outcome.errors {
        super::log(
            out,
            MessageType::ERROR,
            format!("{}: {}", e.path, e.message),
        );
    }
    let mut by_path: HashMap<&str, Vec<Diagnostic>> = HashMap::new();
    for d in &outcome.diagnostics {
        by_path.entry(d.path.as_str()).or_default().push(d.clone());
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let open_paths: HashMap<&Path, (&Url, &str)> = docs
        .iter()
        .filter_map(|(u, d)| Some((d.path.as_deref()?, (u, d.text.as_str()))))
        .collect();
    let note_files = |shown: &str| -> Option<(Url, String)> {
        let path = cwd.join(shown);
        if let Some((uri, text)) = open_paths.get(path.as_path()) {
            return Some(((*uri).clone(), text.to_string()));
        }
        let text = match outcome.sources.get(shown) {
            Some(text) => text.clone(),
            None => std::fs::read_to_string(&path).ok()?,
        };
        Some((Url::from_file_path(&path).ok()?, text))
    };
    let mut checked = Vec::new();
    for (uri, doc) in &docs {
        let diagnostics = match &doc.path {
            Some(path) => by_path
                .remove(path.display().to_string().replace('\\', "/").as_str())
                .unwrap_or_default(),
            None => check_alone(uri, &doc.text, &flags, out),
        };
        checked.push((
            uri.clone(),
            convert(uri, doc, diagnostics, encoding, &settings, &note_files),
        ));
    }
    if std::env::var_os("UNAWAITED_SERVER_TIMINGS").is_some() {
        eprintln!(
            "unawaited server: checked {} documents in {:.1} ms",
            docs.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    state.lock().record(out, checked);
}

/// A document that is not a file (`untitled:`) is checked on its own.
fn check_alone(
    uri: &Url,
    text: &str,
    flags: &crate::config::LevelFlags,
    out: &Outgoing,
) -> Vec<Diagnostic> {
    let checked = std::panic::catch_unwind(AssertUnwindSafe(|| {
        engine::check_source(uri.as_str(), text, flags)
    }));
    checked.unwrap_or_else(|_| {
        super::log(
            out,
            MessageType::ERROR,
            format!("{uri}: internal error while analysing this document"),
        );
        Vec::new()
    })
}

fn convert(
    uri: &Url,
    doc: &Document,
    diagnostics: Vec<Diagnostic>,
    encoding: Encoding,
    settings: &super::settings::Settings,
    note_files: &NoteFiles,
) -> Checked {
    let lsp = diagnostics
        .iter()
        .map(|d| diagnostics::to_lsp(d, uri, &doc.text, encoding, settings, note_files))
        .collect();
    Checked {
        version: doc.version,
        text: doc.text.clone(),
        diagnostics,
        lsp,
    }
}

impl State {
    /// Keeps the results of a check, publishes the documents whose diagnostics changed, and
    /// answers the pulls that can be answered now.
    fn record(&mut self, out: &Outgoing, checked: Vec<(Url, Checked)>) {
        let mut changed = false;
        for (uri, c) in checked {
            // Closed while it was checked: forget it.
            if !self.docs.open.contains_key(&uri) {
                continue;
            }
            let same = self
                .results
                .get(&uri)
                .is_some_and(|old| old.version == c.version && old.lsp == c.lsp);
            if !same {
                changed = true;
                if self.push {
                    publish(out, &uri, Some(c.version), c.lsp.clone());
                }
            }
            self.results.insert(uri, c);
        }
        self.answer_pulls(out, true);
        if changed && !self.push && self.refresh {
            self.request(out, "workspace/diagnostic/refresh", serde_json::Value::Null);
        }
    }

    /// Answers the pending pulls whose documents are checked at their current version. A
    /// workspace pull is answered after a check (`after_check`), as a long poll.
    pub fn answer_pulls(&mut self, out: &Outgoing, after_check: bool) {
        let pulls = std::mem::take(&mut self.pulls);
        for pull in pulls {
            match &pull {
                Pull::Document(id, uri) => match self.current(uri) {
                    Some(c) => {
                        let report = document_report(c.lsp.clone());
                        out.send(Message::Response(Response::new_ok(id.clone(), report)));
                    }
                    None if self.docs.open.contains_key(uri) => self.pulls.push(pull),
                    None => out.send(Message::Response(super::unknown_document(id.clone(), uri))),
                },
                Pull::Workspace(id) => {
                    let all_current = self.docs.open.keys().all(|u| self.current(u).is_some());
                    if !(after_check && all_current) {
                        self.pulls.push(pull);
                        continue;
                    }
                    let items = self
                        .docs
                        .open
                        .iter()
                        .filter_map(|(uri, doc)| {
                            let c = self.current(uri)?;
                            Some(WorkspaceDocumentDiagnosticReport::Full(
                                WorkspaceFullDocumentDiagnosticReport {
                                    uri: uri.clone(),
                                    version: Some(doc.version as i64),
                                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                                        result_id: None,
                                        items: c.lsp.clone(),
                                    },
                                },
                            ))
                        })
                        .collect();
                    let report =
                        WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport {
                            items,
                        });
                    out.send(Message::Response(Response::new_ok(id.clone(), report)));
                }
            }
        }
    }

    /// The results of a document, if they are for its current text.
    pub fn current(&self, uri: &Url) -> Option<&Checked> {
        let doc = self.docs.get(uri)?;
        self.results
            .get(uri)
            .filter(|c| c.version == doc.version && c.text == doc.text)
    }
}

pub fn document_report(items: Vec<LspDiagnostic>) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
        RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: None,
                items,
            },
        },
    ))
}

pub fn publish(out: &Outgoing, uri: &Url, version: Option<i32>, diagnostics: Vec<LspDiagnostic>) {
    let params = PublishDiagnosticsParams {
        uri: uri.clone(),
        diagnostics,
        version,
    };
    out.send(Message::Notification(Notification::new(
        "textDocument/publishDiagnostics".into(),
        params,
    )));
}
