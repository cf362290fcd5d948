//! What the main loop and the checking thread share: the open documents, the latest results,
//! the settings, the pulls waiting for a check.

use super::documents::{Documents, Encoding};
use super::settings::Settings;
use super::transport::Outgoing;
use crate::diagnostic::Diagnostic;
use lsp_server::{Message, Notification, Request, RequestId};
use lsp_types::Diagnostic as LspDiagnostic;
use lsp_types::{MessageType, ShowMessageParams, Url};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// A document as it was checked.
#[derive(Debug, Clone)]
pub struct Checked {
    pub version: i32,
    /// The text the findings' positions point into.
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// The same findings, as sent to the client.
    pub lsp: Vec<LspDiagnostic>,
}

/// A diagnostic pull that waits for a check.
#[derive(Debug)]
pub enum Pull {
    Document(RequestId, Url),
    Workspace(RequestId),
}

impl Pull {
    pub fn id(&self) -> &RequestId {
        match self {
            Pull::Document(id, _) | Pull::Workspace(id) => id,
        }
    }
}

/// Why the server sent a request to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Configuration,
    Other,
}

pub struct State {
    pub docs: Documents,
    pub results: HashMap<Url, Checked>,
    pub settings: Settings,
    pub encoding: Encoding,
    /// Publish diagnostics (the client does not pull them).
    pub push: bool,
    /// The client accepts `workspace/diagnostic/refresh`.
    pub refresh: bool,
    pub pulls: Vec<Pull>,
    /// Requests sent to the client, waiting for their responses.
    pub asked: HashMap<RequestId, Asked>,
    next_request: u64,
    /// The last error shown to the user, so that a broken configuration is shown once, not on
    /// every keystroke.
    shown_error: Option<String>,
}

impl State {
    pub fn new() -> State {
        State {
            docs: Documents::default(),
            results: HashMap::new(),
            settings: Settings::default(),
            encoding: Encoding::Utf16,
            push: true,
            refresh: false,
            pulls: Vec::new(),
            asked: HashMap::new(),
            next_request: 0,
            shown_error: None,
        }
    }

    /// Sends a request to the client.
    pub fn request(
        &mut self,
        out: &Outgoing,
        method: &str,
        params: serde_json::Value,
    ) -> RequestId {
        self.next_request += 1;
        let id = RequestId::from(format!("unawaited-{}", self.next_request));
        let asked = if method == "workspace/configuration" {
            Asked::Configuration
        } else {
            Asked::Other
        };
        self.asked.insert(id.clone(), asked);
        out.send(Message::Request(Request::new(
            id.clone(),
            method.into(),
            params,
        )));
        id
    }

    /// Shows an error to the user unless it is the one shown last.
    pub fn show_error_once(&mut self, out: &Outgoing, message: String) {
        super::log(out, MessageType::ERROR, message.clone());
        if self.shown_error.as_ref() == Some(&message) {
            return;
        }
        self.shown_error = Some(message.clone());
        let params = ShowMessageParams {
            typ: MessageType::ERROR,
            message: format!("unawaited: {message}"),
        };
        out.send(Message::Notification(Notification::new(
            "window/showMessage".into(),
            params,
        )));
    }

    /// Shows a warning to the user (and logs it).
    pub fn show_warning(&self, out: &Outgoing, message: String) {
        super::log(out, MessageType::WARNING, message.clone());
        let params = ShowMessageParams {
            typ: MessageType::WARNING,
            message: format!("unawaited: {message}"),
        };
        out.send(Message::Notification(Notification::new(
            "window/showMessage".into(),
            params,
        )));
    }

    pub fn clear_error(&mut self) {
        self.shown_error = None;
    }
}

/// The state behind a mutex. A panic while it is held does not make it unusable: the data is
/// consistent between statements, and a dead server would be worse.
#[derive(Clone)]
pub struct Shared(Arc<Mutex<State>>);

impl Shared {
    pub fn new(state: State) -> Shared {
        Shared(Arc::new(Mutex::new(state)))
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
