//! End-to-end tests of `unawaited server`: the binary is started and spoken to in LSP over its
//! standard input and output, as an editor would.

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long to wait for any one answer (debug build, busy machine).
const WAIT: Duration = Duration::from_secs(90);

/// The library file as it is on disk: nothing to report.
const LIB_ON_DISK: &str = "mod helper;

async fn fetch() -> u32 {
    1
}

pub async fn run() {
    let _s = \"é🦀\"; fetch().await;
    helper::get();
}
";

/// The same file in the editor, not saved: the future is dropped, after two non-ASCII
/// characters on its line (é is one UTF-16 unit and two bytes, 🦀 two units and four bytes).
const LIB_EDITED: &str = "mod helper;

async fn fetch() -> u32 {
    1
}

pub async fn run() {
    let _s = \"é🦀\"; fetch();
    helper::get();
}
";

const HELPER_ON_DISK: &str = "pub fn get() {}\n";

const HELPER_BLOCKING: &str =
    "pub fn get() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n";

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Messages read while waiting for something else.
    backlog: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(dir: &Path) -> Client {
        Client::start_with(dir, &["server"])
    }

    fn start_with(dir: &Path, args: &[&str]) -> Client {
        Client::start_in_env(dir, args, &[])
    }

    fn start_in_env(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_unawaited"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("the server sends JSON");
                assert_eq!(value["jsonrpc"], "2.0", "{value}");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            rx,
            backlog: Vec::new(),
            next_id: 0,
        }
    }

    /// Starts the server and initializes it with these client capabilities and options.
    fn initialized(dir: &Path, capabilities: Value, options: Value) -> (Client, Value) {
        let mut c = Client::start(dir);
        let root = url(dir);
        let result = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root,
                "capabilities": capabilities,
                "initializationOptions": options,
                "workspaceFolders": [{"uri": root, "name": "demo"}],
            }),
        );
        c.notify("initialized", json!({}));
        (c, result)
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("the server reads");
        stdin.flush().expect("the server reads");
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.send_raw(framed.as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and returns its whole response.
    fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.wait_for(&format!("the response to `{method}`"), |m| {
            m["id"] == id && m.get("method").is_none()
        })
    }

    /// Sends a request and returns its result; an error response fails the test.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The first message (from the backlog, then as they come) that `wanted` accepts.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) if wanted(&m) => return m,
                Ok(m) => self.backlog.push(m),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("waited {WAIT:?} for {what}; got {:#?}", self.backlog)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "the server ended while waiting for {what}; got {:#?}",
                        self.backlog
                    )
                }
            }
        }
    }

    /// The next diagnostics published for `uri` that `wanted` accepts (earlier ones dropped).
    fn diagnostics(
        &mut self,
        uri: &str,
        what: &str,
        wanted: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let accept = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["diagnostics"]
                    .as_array()
                    .is_some_and(|d| wanted(d))
        };
        let m = self.wait_for(what, accept);
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}}),
        );
    }

    /// The document's whole text replaced, as version `version`.
    fn replace(&mut self, uri: &str, version: usize, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
    }

    /// Shuts down and exits; returns the exit code.
    fn shutdown(mut self) -> Option<i32> {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("waits") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `file:` URL for a path whose folder exists (temp folders can sit behind symlinks).
fn url(path: &Path) -> String {
    let path = match path.canonicalize() {
        Ok(path) => path,
        Err(_) => {
            let dir = path
                .parent()
                .expect("a folder")
                .canonicalize()
                .expect("a real folder");
            dir.join(path.file_name().expect("a file name"))
        }
    };
    format!("file://{}", path.display())
}

fn rules(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect()
}

fn has(rule: &'static str) -> impl Fn(&[Value]) -> bool {
    move |d| rules(d).contains(&rule)
}

fn lacks(rule: &'static str) -> impl Fn(&[Value]) -> bool {
    move |d| !rules(d).contains(&rule)
}

fn demo() -> tempfile::TempDir {
    common::package(&[
        ("src/lib.rs", LIB_ON_DISK),
        ("src/helper.rs", HELPER_ON_DISK),
    ])
}

#[test]
fn unsaved_edits_are_checked_fixed_and_explained() {
    let dir = demo();
    let (mut c, init) = Client::initialized(dir.path(), json!({}), Value::Null);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(init["serverInfo"]["name"], "unawaited");

    let lib = url(&dir.path().join("src/lib.rs"));
    c.open(&lib, LIB_EDITED);
    let found = c.diagnostics(&lib, "the dropped future", has("unawaited_future"));
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = &found[0];
    // Line 8, after `    let _s = "é🦀"; `: 19 characters, 20 UTF-16 units.
    assert_eq!(
        d["range"],
        json!({"start": {"line": 7, "character": 20}, "end": {"line": 7, "character": 27}})
    );
    assert_eq!(d["severity"], 1, "deny is an error");
    assert_eq!(d["source"], "unawaited");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("`fetch` is never awaited"),
        "{d}"
    );
    assert!(
        d.get("codeDescription").is_none(),
        "no docs URL is configured"
    );
    assert!(d.get("tags").is_none(), "{d}");

    // Hover on the finding: the rule's documentation.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": lib}, "position": {"line": 7, "character": 22}}),
    );
    let text = hover["contents"]["value"].as_str().expect("markdown");
    assert!(
        text.contains("unawaited_future") && text.contains("## What it does"),
        "{text}"
    );
    let nothing = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": lib}, "position": {"line": 2, "character": 3}}),
    );
    assert_eq!(nothing, Value::Null);

    // Code actions: the fix (safe, preferred), a suppression, and fix-all on request.
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": lib},
            "range": d["range"],
            "context": {"diagnostics": [d]},
        }),
    );
    let actions = actions.as_array().expect("a list");
    let fix = actions
        .iter()
        .find(|a| a["title"] == "add `.await`")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    let insert = json!([{
        "range": {"start": {"line": 7, "character": 27}, "end": {"line": 7, "character": 27}},
        "newText": ".await",
    }]);
    assert_eq!(fix["edit"]["changes"][&lib], insert);
    let suppress = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("suppress"))
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let comment = &suppress["edit"]["changes"][&lib][0];
    assert_eq!(
        comment["range"]["start"],
        json!({"line": 7, "character": 0})
    );
    assert_eq!(
        comment["newText"],
        "    // unawaited: allow(unawaited_future) -- TODO: say why\n"
    );
    assert!(actions
        .iter()
        .any(|a| a["kind"] == "source.fixAll.unawaited"));
    let fix_all = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": lib},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        }),
    );
    assert_eq!(fix_all.as_array().map(Vec::len), Some(1), "{fix_all}");
    assert_eq!(fix_all[0]["kind"], "source.fixAll.unawaited");
    assert_eq!(fix_all[0]["edit"]["changes"][&lib], insert);

    // The user types `.await` (an incremental change): the finding goes.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": lib, "version": 2},
            "contentChanges": [{
                "range": {"start": {"line": 7, "character": 27}, "end": {"line": 7, "character": 27}},
                "text": ".await",
            }],
        }),
    );
    c.diagnostics(&lib, "the finding cleared", lacks("unawaited_future"));
    // Pulled, the same answer.
    let pulled = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": lib}}),
    );
    assert_eq!(pulled["kind"], "full");
    assert_eq!(pulled["items"], json!([]));
    // The server never wrote the file.
    let on_disk = std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap();
    assert_eq!(on_disk, LIB_ON_DISK);
    assert_eq!(c.shutdown(), Some(0));
}

/// The server keeps what it loaded of the dependencies between checks while nothing it was
/// loaded from changes: a dependency's source edited on disk is read again.
#[test]
fn a_dependency_changed_on_disk_is_read_again() {
    let dir = tempfile::tempdir().expect("a temp dir");
    common::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/deps"),
        dir.path(),
    );
    // Older than a second: what was loaded from them can be kept.
    std::thread::sleep(Duration::from_millis(1200));
    let app = dir.path().join("app");
    let env = [
        ("CARGO_HOME", dir.path().join("home")),
        ("UNAWAITED_DEPS_CACHE", dir.path().join("cache")),
    ];
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
    let mut c = Client::start_in_env(&app, &["server"], &env);
    let root = url(&app);
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": root, "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    let lib = url(&app.join("src/lib.rs"));
    let text = |n: usize| {
        format!(
            "pub async fn run() {{\n    pathdep::local();\n}}\n{}",
            "\n".repeat(n)
        )
    };
    c.open(&lib, &text(0));
    c.diagnostics(&lib, "the dependency's async fn", has("unawaited_future"));
    // Checked again with what was kept.
    c.replace(&lib, 2, &text(2));
    c.diagnostics(&lib, "the same finding", has("unawaited_future"));
    common::write(dir.path(), "pathdep/src/lib.rs", "pub fn local() {}\n");
    c.replace(&lib, 3, &text(3));
    c.diagnostics(&lib, "the fn no longer async", lacks("unawaited_future"));
    assert_eq!(c.shutdown(), Some(0));
}

/// The server keeps the files it found in a context between checks while the folders it
/// walked are unchanged: a file created on disk is found at the next check.
#[test]
fn a_file_created_on_disk_is_found_at_the_next_check() {
    let dir = demo();
    // Older than a second: what was found in them can be kept.
    std::thread::sleep(Duration::from_millis(1200));
    let (mut c, _) = Client::initialized(dir.path(), json!({}), Value::Null);
    let lib = url(&dir.path().join("src/lib.rs"));
    let text = |n: usize| {
        format!(
            "mod later;\n\npub async fn run() {{\n    later::work();\n}}\n{}",
            "\n".repeat(n)
        )
    };
    c.open(&lib, &text(0));
    c.diagnostics(&lib, "nothing known of `later`", lacks("unawaited_future"));
    c.replace(&lib, 2, &text(2));
    c.diagnostics(&lib, "still nothing known", lacks("unawaited_future"));
    common::write(dir.path(), "src/later.rs", "pub async fn work() {}\n");
    c.replace(&lib, 3, &text(3));
    c.diagnostics(&lib, "the new file read", has("unawaited_future"));
    assert_eq!(c.shutdown(), Some(0));
}

/// A macro another file defines is expanded with the call the buffer holds, not the one on
/// disk.
#[test]
fn a_macro_call_is_expanded_as_the_buffer_writes_it() {
    let dir = common::package(&[
        ("src/lib.rs", "#[macro_use]\nmod defs;\nmod user;\n"),
        (
            "src/defs.rs",
            "macro_rules! make {\n    ($n:ident) => { pub async fn $n() {} };\n}\n",
        ),
        (
            "src/user.rs",
            "make!(save);\n\npub async fn run() {\n    store();\n}\n",
        ),
    ]);
    let (mut c, _) = Client::initialized(dir.path(), json!({}), Value::Null);
    let user = url(&dir.path().join("src/user.rs"));
    c.open(
        &user,
        "make!(save);\n\npub async fn run() {\n    store();\n}\n",
    );
    c.diagnostics(&user, "`store` unknown", lacks("unawaited_future"));
    c.replace(
        &user,
        2,
        "make!(store);\n\npub async fn run() {\n    store();\n}\n",
    );
    c.diagnostics(&user, "`store` made by the macro", has("unawaited_future"));
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn an_edit_to_a_callee_rechecks_its_callers() {
    let dir = demo();
    let (mut c, _) = Client::initialized(dir.path(), json!({}), Value::Null);
    let lib = url(&dir.path().join("src/lib.rs"));
    let helper = url(&dir.path().join("src/helper.rs"));
    c.open(&lib, LIB_ON_DISK);
    c.open(&helper, HELPER_ON_DISK);
    let first = c.diagnostics(&lib, "the first check", |_| true);
    assert_eq!(first, Vec::<Value>::new());
    // `get` starts blocking, in the helper's buffer only: the caller in lib.rs is flagged.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": helper, "version": 2},
            "contentChanges": [{"text": HELPER_BLOCKING}],
        }),
    );
    let found = c.diagnostics(&lib, "the caller flagged", has("blocking_in_async"));
    let d = &found[0];
    assert_eq!(d["range"]["start"], json!({"line": 8, "character": 4}));
    assert_eq!(d["severity"], 2, "warn is a warning");
    let related = &d["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], helper);
    assert_eq!(
        related["location"]["range"]["start"],
        json!({"line": 1, "character": 4})
    );
    assert!(
        related["message"]
            .as_str()
            .unwrap()
            .contains("std::thread::sleep"),
        "{related}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn utf8_positions_when_the_client_asks() {
    let dir = demo();
    let caps = json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}});
    let (mut c, init) = Client::initialized(dir.path(), caps, Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let lib = url(&dir.path().join("src/lib.rs"));
    c.open(&lib, LIB_EDITED);
    let found = c.diagnostics(&lib, "the dropped future", has("unawaited_future"));
    // 4 + 10 + 2 (é) + 4 (🦀) + 3 bytes.
    assert_eq!(
        found[0]["range"]["start"],
        json!({"line": 7, "character": 23})
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn settings_levels_pulls_cancel_and_configuration_files() {
    let dir = demo();
    // The client pulls diagnostics; a long debounce keeps a pull waiting.
    let caps = json!({"textDocument": {"diagnostic": {}}});
    let options = json!({"levels": {"unawaited_future": "warn"}, "debounceMs": 1500});
    let (mut c, _) = Client::initialized(dir.path(), caps, options);
    let lib = url(&dir.path().join("src/lib.rs"));
    c.open(&lib, LIB_EDITED);
    let waiting = c.send_request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": lib}}),
    );
    c.notify("$/cancelRequest", json!({"id": waiting}));
    let cancelled = c.wait_for("the cancelled pull", |m| m["id"] == waiting);
    assert_eq!(cancelled["error"]["code"], -32800, "{cancelled}");
    let pulled = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": lib}}),
    );
    let items = pulled["items"].as_array().expect("items");
    assert_eq!(rules(items), ["unawaited_future"]);
    assert_eq!(items[0]["severity"], 2, "the settings made it a warning");
    assert!(
        !c.backlog
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"),
        "a pulling client gets no pushed diagnostics"
    );
    // A configuration file appears: the server re-reads it when told files changed.
    common::write(
        dir.path(),
        "unawaited.toml",
        "[rules]\nunawaited_future = \"allow\"\n",
    );
    // A workspace pull waits for the next check (a long poll).
    let waiting = c.send_request("workspace/diagnostic", json!({"previousResultIds": []}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"unawaited": {"debounceMs": 0}}}),
    );
    let config = url(&dir.path().join("unawaited.toml"));
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config, "type": 1}]}),
    );
    let report = c.wait_for("the workspace pull", |m| m["id"] == waiting);
    let items = &report["result"]["items"];
    assert_eq!(items[0]["uri"], lib, "{report}");
    assert_eq!(items[0]["items"], json!([]), "{report}");
    assert_eq!(c.shutdown(), Some(0));
}

/// `--stdio`, which clients pass, is accepted; a settings key that is not one is named in a
/// warning with the key it may mean, and the others still apply (issue 30, item 6).
#[test]
fn stdio_and_a_warning_for_an_unknown_setting() {
    let dir = demo();
    let mut c = Client::start_with(dir.path(), &["server", "--stdio"]);
    let root = url(dir.path());
    c.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": root,
            "capabilities": {},
            "initializationOptions": {"unawaited": {"level": {"unawaited_future": "allow"}, "debounceMs": 0}},
        }),
    );
    c.notify("initialized", json!({}));
    let shown = c.wait_for("the warning", |m| {
        m["method"] == "window/showMessage" && m["params"]["type"] == 2
    });
    let message = shown["params"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("unknown setting `level`") && message.contains("did you mean `levels`"),
        "{shown}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn bad_input_gets_errors_and_the_server_goes_on() {
    let dir = demo();
    let mut c = Client::start(dir.path());
    // Before initialize.
    let early = c.request_raw("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let parse = c.wait_for("a parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(parse["id"], Value::Null);
    let (mut c, _) = {
        let root = url(dir.path());
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": root, "capabilities": {}}),
        );
        c.notify("initialized", json!({}));
        (c, init)
    };
    c.send(json!({"jsonrpc": "2.0", "id": 99, "method": 5}));
    let invalid = c.wait_for("an invalid request", |m| m["id"] == 99);
    assert_eq!(invalid["error"]["code"], -32600, "{invalid}");
    let again = c.request_raw("initialize", json!({"processId": null, "capabilities": {}}));
    assert_eq!(again["error"]["code"], -32600, "{again}");
    let unknown_method = c.request_raw("unawaited/nothing", json!({}));
    assert_eq!(unknown_method["error"]["code"], -32601, "{unknown_method}");
    let lib = url(&dir.path().join("src/lib.rs"));
    let unknown_doc = c.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": lib}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(unknown_doc["error"]["code"], -32602, "{unknown_doc}");
    assert!(unknown_doc["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unknown document"));
    let bad_params = c.request_raw("textDocument/codeAction", json!({"textDocument": 3}));
    assert_eq!(bad_params["error"]["code"], -32602, "{bad_params}");
    // A change to a document that is not open, and a notification nobody knows: logged.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": lib, "version": 2}, "contentChanges": [{"text": ""}]}),
    );
    c.notify("unawaited/unknownNotification", json!({}));
    // A document that does not parse (the bin target: cargo compiles it): a `parse_error`
    // finding, and the others go on.
    let broken = url(&dir.path().join("src/main.rs"));
    c.open(&broken, "fn broken( {\n");
    c.open(&lib, LIB_EDITED);
    let parse_error = c.diagnostics(&broken, "a parse error", has("parse_error"));
    assert_eq!(parse_error[0]["severity"], 2);
    c.diagnostics(&lib, "the other file checked", has("unawaited_future"));
    // A document checked on its own, nested far deeper than real code (a 50,000-link method
    // chain): the checker thread's stack holds it, and the server goes on.
    let deep = "untitled:deep".to_string();
    let chain = format!(
        "async fn f(x: X) {{\n    x{};\n    g();\n}}\nasync fn g() {{}}\n",
        ".a()".repeat(50_000)
    );
    c.open(&deep, &chain);
    c.diagnostics(&deep, "the deep document checked", has("unawaited_future"));
    // Shut down: later requests are refused, and `exit` ends the process with 0.
    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    let refused = c.request_raw("textDocument/hover", json!({}));
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(0));
}

#[test]
fn the_server_ends_when_its_input_closes() {
    let dir = demo();
    let (mut c, _) = Client::initialized(dir.path(), json!({}), Value::Null);
    c.stdin.take();
    // No `shutdown` came first: exit code 1, as LSP asks of `exit` without one.
    assert_eq!(c.wait_exit(), Some(1));
}

/// The server keeps to the repository it is opened on, as `unawaited check` does: a module
/// that is a symbolic link to a file outside is not read (its blocking call is not reported)
/// and nothing of it reaches the editor; the same file inside the repository is read.
#[cfg(unix)]
#[test]
fn the_repository_is_the_boundary() {
    const SECRET: &str = "OUTSIDE_SECRET_7f3a";
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.rs");
    std::fs::write(&outside, format!("// {SECRET}\n{HELPER_BLOCKING}")).unwrap();
    let repo = dir.path().join("repo");
    for (path, text) in [
        (
            "Cargo.toml",
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("src/lib.rs", LIB_ON_DISK),
    ] {
        common::write(&repo, path, text);
    }
    std::fs::create_dir(repo.join(".git")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.join("src/helper.rs")).unwrap();
    let check = |expected: fn(&[Value]) -> bool| {
        let (mut c, _) = Client::initialized(&repo, json!({}), Value::Null);
        let lib = url(&repo.join("src/lib.rs"));
        c.open(&lib, LIB_ON_DISK);
        let found = c.diagnostics(&lib, "the check", |_| true);
        assert!(expected(&found), "{found:?}");
        let said = format!("{found:?}{:?}", c.backlog);
        assert!(!said.contains(SECRET), "{said}");
        assert_eq!(c.shutdown(), Some(0));
    };
    check(|d| !rules(d).contains(&"blocking_in_async"));
    std::fs::remove_file(repo.join("src/helper.rs")).unwrap();
    std::fs::copy(&outside, repo.join("src/helper.rs")).unwrap();
    check(|d| rules(d).contains(&"blocking_in_async"));
}

/// The server keeps its cache where the CLI would (`UNAWAITED_CACHE_DIR`), not in the
/// workspace's `target/`.
#[test]
fn the_server_keeps_its_cache_in_the_cache_folder_given() {
    let dir = demo();
    let cache = tempfile::tempdir().expect("a temp dir");
    let mut c = Client::start_in_env(
        dir.path(),
        &["server"],
        &[("UNAWAITED_CACHE_DIR", cache.path())],
    );
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": url(dir.path()), "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    let lib = url(&dir.path().join("src/lib.rs"));
    c.open(&lib, LIB_ON_DISK);
    c.diagnostics(&lib, "the file checked", |_| true);
    assert_eq!(c.shutdown(), Some(0));
    assert!(
        !dir.path().join("target").exists(),
        "nothing written in the workspace's target/"
    );
    let written = std::fs::read_dir(cache.path()).map_or(0, |d| d.count());
    assert!(written > 0, "the cache is in the folder given");
}
