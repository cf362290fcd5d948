//! The dialect of the tools users know: rule names as rustc, clippy and ruff spell them,
//! `warnings`, `--extend-select`, `--statistics`, cargo's `--message-format`, `cargo unawaited`,
//! the rust-analyzer flycheck command, and messages that name the thing.

mod common;
use common::*;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const LIB: &str = "pub async fn work() {}\n\
pub async fn run() {\n    work(); // start the work\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n\
pub fn spawn_it() {\n    let _ = tokio::spawn(work());\n}\n";

/// (line, rule) of the findings of a JSON run.
fn found(doc: &Value) -> Vec<(u64, String)> {
    doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rules_found(dir: &Path, args: &[&str]) -> Vec<String> {
    let (doc, _) = check_json(dir, args);
    found(&doc).into_iter().map(|(_, r)| r).collect()
}

fn stdout_of(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = unawaited().current_dir(dir).args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn rule_names_in_every_spelling_on_the_command_line() {
    let dir = package(&[("src/lib.rs", LIB)]);
    let d = dir.path();
    let both = ["unawaited_future", "blocking_in_async"];
    assert_eq!(rules_found(d, &["."]), both);
    for spelling in [
        "unawaited_future",
        "unawaited-future",
        "unawaited::unawaited_future",
    ] {
        assert_eq!(
            rules_found(d, &[".", "--select", spelling]),
            ["unawaited_future"],
            "{spelling}"
        );
        assert_eq!(
            rules_found(d, &[".", "-A", spelling]),
            ["blocking_in_async"],
            "{spelling}"
        );
    }
    assert_eq!(rules_found(d, &[".", "-A", "ALL"]), Vec::<String>::new());
    assert_eq!(
        rules_found(d, &[".", "-A", "ALL", "-D", "blocking-in-async"]),
        ["blocking_in_async"]
    );
    // `--extend-select` turns an allow-by-default rule on and keeps the others.
    assert_eq!(
        rules_found(d, &[".", "--extend-select", "detached-task"]),
        ["unawaited_future", "blocking_in_async", "detached_task"]
    );
    assert_eq!(
        rules_found(
            d,
            &[
                ".",
                "--select",
                "blocking_in_async",
                "--extend-select",
                "detached_task"
            ]
        ),
        ["blocking_in_async", "detached_task"]
    );
}

#[test]
fn warnings_mean_what_they_mean_to_rustc() {
    let dir = package(&[("src/lib.rs", LIB)]);
    let d = dir.path();
    let (doc, code) = check_json(d, &[".", "-A", "warnings"]);
    assert_eq!(found(&doc), [(3, "unawaited_future".to_string())]);
    assert_eq!(code, 1, "denied rules still deny");
    let (doc, _) = check_json(d, &[".", "-W", "warnings"]);
    assert_eq!(found(&doc).len(), 2);
    let (doc, code) = check_json(d, &[".", "-D", "warnings", "-A", "unawaited_future"]);
    assert_eq!(doc["diagnostics"][0]["level"], "deny");
    assert_eq!(code, 1);
    let (_, code) = check_json(d, &[".", "-A", "unawaited_future"]);
    assert_eq!(code, 0, "a warning alone does not fail the run");
}

#[test]
fn unknown_rule_names_get_a_did_you_mean_everywhere() {
    let dir = package(&[("src/lib.rs", LIB)]);
    let d = dir.path();
    for (flag, name) in [
        ("-D", "unawaited_futur"),
        ("--select", "blocking-in-asnyc"),
        ("--extend-select", "detached_tsk"),
    ] {
        let err = stderr_of_error_run(d, &["check", ".", flag, name], flag);
        assert!(
            err.contains(&format!("unknown rule `{name}` in {flag}, did you mean `")),
            "{err}"
        );
    }
    let err = stderr_of_error_run(d, &["check", ".", "-A", "nothing_like_it"], "no near name");
    assert!(
        err.contains("unknown rule `nothing_like_it` in -A (see `unawaited rules`)"),
        "{err}"
    );
    let err = stderr_of_error_run(d, &["explain", "unawaited-futures"], "explain");
    assert!(
        err.contains("unknown rule `unawaited-futures`, did you mean `unawaited_future`"),
        "{err}"
    );
    // In configuration.
    write(
        d,
        "unawaited.toml",
        "[rules]\nblocking_in_asyc = \"deny\"\n",
    );
    let err = stderr_of_error_run(d, &["check", "."], "config");
    assert!(
        err.contains(
            "line 2 (`blocking_in_asyc = \"deny\"`): unknown rule `blocking_in_asyc`, did you mean `blocking_in_async`"
        ),
        "{err}"
    );
    // In a suppression.
    write(d, "unawaited.toml", "");
    write(
        d,
        "src/lib.rs",
        "pub async fn work() {}\npub async fn run() {\n    // unawaited: allow(unawaited_futures) -- typo\n    work();\n}\n",
    );
    let (doc, _) = check_json(d, &["."]);
    let unused = &doc["diagnostics"][0];
    assert_eq!(unused["rule"], "unused_suppression");
    assert_eq!(
        unused["message"],
        "suppression names an unknown rule `unawaited_futures`, did you mean `unawaited_future`"
    );
    assert_eq!(unused["help"], "write `unawaited_future`");
    assert_eq!(doc["diagnostics"][1]["rule"], "unawaited_future");
}

#[test]
fn configuration_takes_every_spelling_and_all() {
    let dir = package(&[("src/lib.rs", LIB)]);
    let d = dir.path();
    write(
        d,
        "unawaited.toml",
        "[rules]\nALL = \"allow\"\n\"unawaited::blocking_in_async\" = \"deny\"\ndetached-task = \"warn\"\n",
    );
    let (doc, code) = check_json(d, &["."]);
    assert_eq!(
        found(&doc),
        [(4, "blocking_in_async".into()), (7, "detached_task".into())]
    );
    assert_eq!(doc["diagnostics"][0]["level"], "deny");
    assert_eq!(code, 1);
}

#[test]
fn suppressions_take_every_spelling_file_level_and_clippy_allows() {
    let src = "// unawaited: allow-file(blocking-in-async)\n\
use std::sync::Mutex;\n\
pub async fn work() {}\n\
pub async fn run(m: &Mutex<u8>) {\n\
    work(); // unawaited: allow(unawaited::unawaited_future) -- on purpose\n\
    std::thread::sleep(std::time::Duration::from_millis(1));\n\
    #[allow(clippy::await_holding_lock)]\n\
    let g = m.lock().unwrap();\n\
    work().await;\n\
    drop(g);\n\
    let h = m.lock().unwrap();\n\
    work().await;\n\
    drop(h);\n\
}\n";
    let dir = package(&[("src/lib.rs", src)]);
    let (doc, _) = check_json(dir.path(), &["."]);
    assert_eq!(
        found(&doc),
        [(11, "lock_across_await".to_string())],
        "the file-level, line and attribute suppressions hold; the guard without one is reported"
    );
    // Without the attribute, both guards are reported; without allow-file, the sleep is.
    let bare = src
        .replace("#[allow(clippy::await_holding_lock)]\n", "")
        .replace("// unawaited: allow-file(blocking-in-async)\n", "\n");
    write(dir.path(), "src/lib.rs", &bare);
    let (doc, _) = check_json(dir.path(), &["."]);
    assert_eq!(
        found(&doc),
        [
            (6, "blocking_in_async".to_string()),
            (7, "lock_across_await".to_string()),
            (10, "lock_across_await".to_string())
        ]
    );
}

#[test]
fn json_notes_carry_path_positions_and_message() {
    let src = "use std::sync::Mutex;\npub async fn tick() {}\npub async fn run(m: &Mutex<u8>) {\n    let g = m.lock().unwrap();\n    tick().await;\n    drop(g);\n}\n";
    let dir = package(&[("src/lib.rs", src)]);
    let (doc, _) = check_json(dir.path(), &["."]);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["rule"], "lock_across_await");
    let notes = d["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    let note = &notes[0];
    assert_eq!(note["path"], "src/lib.rs");
    assert_eq!(
        (
            &note["line"],
            &note["column"],
            &note["end_line"],
            &note["end_column"]
        ),
        (
            &Value::from(5),
            &Value::from(12),
            &Value::from(5),
            &Value::from(17)
        ),
        "the `.await` of line 5"
    );
    assert_eq!(
        note["message"],
        "the task may suspend here with the lock held"
    );
}

#[test]
fn statistics_print_only_the_table_in_every_text_format() {
    let src = "pub async fn work() {}\npub async fn run() {\n    work();\n    work();\n    let _ = work();\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n";
    let dir = package(&[("src/lib.rs", src)]);
    let d = dir.path();
    let table = "3  [*] unawaited_future\n1  [ ] blocking_in_async\n";
    // SARIF stays SARIF (tests/habits.rs), JSON is a statistics document (below).
    for format in ["human", "cargo", "github"] {
        let (text, code) = stdout_of(d, &["check", ".", "--statistics", "--format", format]);
        assert_eq!(text, table, "{format}");
        assert_eq!(code, 1, "the exit code is the run's: {format}");
    }
    for format in ["short", "json", "human"] {
        let (text, _) = stdout_of(
            d,
            &["check", ".", "--statistics", "--message-format", format],
        );
        assert_eq!(text, table, "--message-format {format}");
    }
    // Only an unsafe fix: `[-]`, and `[*]` with `--unsafe-fixes`.
    write(
        d,
        "src/lib.rs",
        "pub async fn work() {}\npub async fn run() {\n    let _ = work();\n}\n",
    );
    assert_eq!(
        stdout_of(d, &["check", ".", "--statistics"]).0,
        "1  [-] unawaited_future\n"
    );
    assert_eq!(
        stdout_of(d, &["check", ".", "--statistics", "--unsafe-fixes"]).0,
        "1  [*] unawaited_future\n"
    );
    let (doc, _) = check_json(d, &[".", "--statistics"]);
    assert_eq!(
        doc,
        serde_json::json!({
            "version": 1,
            "statistics": [{
                "rule": "unawaited_future", "count": 1, "in_test": 0, "fixable": false,
                "safe_fixes": 0, "unsafe_fixes": 1
            }],
            "errors": []
        })
    );
    // Findings in test code are counted apart, and `[test-code]` sets their levels.
    write(
        d,
        "src/lib.rs",
        "pub async fn work() {}\npub async fn run() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n\
         #[cfg(test)]\nmod tests {\n    #[tokio::test]\n    async fn t() {\n        std::thread::sleep(std::time::Duration::from_millis(1));\n    }\n}\n",
    );
    write(
        d,
        "tests/it.rs",
        "#[tokio::test]\nasync fn it() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n",
    );
    assert_eq!(
        stdout_of(d, &["check", ".", "--statistics"]).0,
        "3  [ ] blocking_in_async  (2 in test code)\n"
    );
    write(
        d,
        "unawaited.toml",
        "[test-code]\nblocking_in_async = \"allow\"\n",
    );
    assert_eq!(
        stdout_of(d, &["check", ".", "--statistics"]).0,
        "1  [ ] blocking_in_async\n"
    );
    let (doc, _) = check_json(d, &["."]);
    let lines: Vec<u64> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3], "{doc}");
}

#[test]
fn message_format_short_and_human() {
    let dir = package(&[("src/lib.rs", LIB)]);
    let d = dir.path();
    let (short, code) = stdout_of(d, &["check", ".", "--message-format", "short"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = short.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "src/lib.rs:3:5: error[unawaited_future]: [*] future returned by async fn `work` is never awaited",
            "src/lib.rs:4:5: warning[blocking_in_async]: blocking call `std::thread::sleep` inside async code",
        ]
    );
    assert!(
        lines[2].starts_with("unawaited: 1 file checked: 1 error, 1 warning"),
        "{short}"
    );
    let human = stdout_of(d, &["check", ".", "--message-format", "human"]).0;
    assert_eq!(human, stdout_of(d, &["check", "."]).0);
    // The help shows the fixed line without its trailing comment.
    assert!(
        human.contains("= help: add `.await`: `work().await;`\n"),
        "{human}"
    );
    let out = unawaited()
        .current_dir(d)
        .args(["check", ".", "--message-format", "json", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the two format flags conflict");
}

/// Parses cargo's JSON message lines; every line must be one.
fn cargo_messages(text: &str) -> Vec<cargo_metadata::Message> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn message_format_json_is_what_cargo_clippy_prints() {
    let dir = package(&[
        ("src/lib.rs", LIB),
        (
            "src/bin/tool.rs",
            "async fn w() {}\nfn main() { let _x = w(); }\n",
        ),
        ("tests/it.rs", "async fn w() {}\nfn t() { w(); }\n"),
    ]);
    let d = dir.path();
    let (text, code) = stdout_of(d, &["check", ".", "--message-format", "json"]);
    assert_eq!(code, 1);
    let messages = cargo_messages(&text);
    let root = d.canonicalize().unwrap();
    let mut seen = Vec::new();
    for m in &messages[..messages.len() - 1] {
        let cargo_metadata::Message::CompilerMessage(m) = m else {
            panic!("not a compiler message: {m:?}");
        };
        let code = m.message.code.as_ref().unwrap().code.clone();
        assert!(code.starts_with("unawaited::"), "{code}");
        let span = &m.message.spans[0];
        let kind = m.target.kind[0].to_string();
        assert!(
            m.target.src_path.as_std_path().starts_with(d)
                || m.target.src_path.as_std_path().starts_with(&root),
            "{}",
            m.target.src_path
        );
        seen.push((span.file_name.clone(), kind, m.target.name.clone()));
        assert!(
            m.package_id.repr.starts_with("path+file://")
                && m.package_id.repr.ends_with("#demo@0.1.0"),
            "{}",
            m.package_id.repr
        );
    }
    seen.dedup();
    assert_eq!(
        seen,
        [
            (
                "src/bin/tool.rs".to_string(),
                "bin".to_string(),
                "tool".to_string()
            ),
            ("src/lib.rs".into(), "lib".into(), "demo".into()),
            ("tests/it.rs".into(), "test".into(), "it".into()),
        ]
    );
    match messages.last().unwrap() {
        cargo_metadata::Message::BuildFinished(b) => assert!(!b.success),
        other => panic!("the last line is not build-finished: {other:?}"),
    }
    // The raw line has cargo's fields, in cargo's shape.
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["reason"], "compiler-message");
    assert!(first["manifest_path"]
        .as_str()
        .unwrap()
        .ends_with("Cargo.toml"));
    assert_eq!(first["message"]["$message_type"], "diagnostic");
}

/// The `cargo-unawaited` binary, as cargo runs it (`cargo unawaited ARGS` runs
/// `cargo-unawaited unawaited ARGS`).
fn cargo_unawaited() -> Command {
    let mut cmd = Command::cargo_bin("cargo-unawaited").expect("the binary is built");
    cmd.arg("unawaited");
    cmd.env_remove("NO_COLOR");
    cmd.timeout(std::time::Duration::from_secs(180));
    cmd
}

#[test]
fn cargo_unawaited_runs_like_unawaited() {
    let dir = package(&[("src/lib.rs", LIB)]);
    let d = dir.path();
    let direct = unawaited()
        .current_dir(d)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let through_cargo = cargo_unawaited()
        .current_dir(d)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(through_cargo.status.code(), Some(1));
    assert_eq!(direct.stdout, through_cargo.stdout);
    // With no subcommand, `check` is meant.
    let bare = cargo_unawaited()
        .current_dir(d)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(bare.stdout, direct.stdout);
    let plain = cargo_unawaited().current_dir(d).output().unwrap();
    assert!(String::from_utf8(plain.stdout)
        .unwrap()
        .contains("error[unawaited_future]"));
    let rules = cargo_unawaited().arg("rules").output().unwrap();
    assert!(String::from_utf8(rules.stdout)
        .unwrap()
        .contains("unawaited_future"));
}

/// A crate `cargo check` builds offline (no dependencies) with a rustc warning and a finding.
fn flycheck_crate(lib: &str) -> tempfile::TempDir {
    package(&[("src/lib.rs", lib)])
}

fn flycheck(dir: &Path) -> (Vec<cargo_metadata::Message>, i32) {
    flycheck_with(unawaited(), dir, "flycheck")
}

/// Runs the flycheck command (`flycheck`, or `--flycheck` for `cargo unawaited`) in `dir`.
fn flycheck_with(
    mut cmd: Command,
    dir: &Path,
    spelling: &str,
) -> (Vec<cargo_metadata::Message>, i32) {
    let out = cmd
        .current_dir(dir)
        .args([spelling, "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    (cargo_messages(&text), out.status.code().unwrap_or(-1))
}

fn codes_of(messages: &[cargo_metadata::Message]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| match m {
            cargo_metadata::Message::CompilerMessage(m) => Some(
                m.message
                    .code
                    .as_ref()
                    .map_or(String::new(), |c| c.code.clone()),
            ),
            _ => None,
        })
        .collect()
}

#[test]
fn flycheck_merges_cargo_check_and_the_findings() {
    let dir = flycheck_crate(
        "pub async fn work() {}\npub fn sync_caller() {\n    let unused = 1;\n    let _ = work();\n}\n",
    );
    let (messages, code) = flycheck(dir.path());
    assert_eq!(code, 0, "cargo's exit code");
    let codes = codes_of(&messages);
    assert!(codes.contains(&"unused_variables".to_string()), "{codes:?}");
    assert!(
        codes.contains(&"unawaited::unawaited_future".to_string()),
        "{codes:?}"
    );
    let finished: Vec<bool> = messages
        .iter()
        .filter_map(|m| match m {
            cargo_metadata::Message::BuildFinished(b) => Some(b.success),
            _ => None,
        })
        .collect();
    assert_eq!(finished, [true], "one build-finished line, cargo's");
    assert!(matches!(
        messages.last(),
        Some(cargo_metadata::Message::BuildFinished(_))
    ));
    // `cargo unawaited --flycheck` is the same command.
    let (through_cargo, code) = flycheck_with(cargo_unawaited(), dir.path(), "--flycheck");
    assert_eq!(code, 0);
    assert_eq!(codes_of(&through_cargo), codes);

    // A compile error: cargo's failure is kept, and the findings still come.
    write(
        dir.path(),
        "src/lib.rs",
        "pub async fn work() {}\npub async fn run() {\n    work();\n    let x: u8 = \"no\";\n}\n",
    );
    let (messages, code) = flycheck(dir.path());
    assert_eq!(code, 101);
    let codes = codes_of(&messages);
    assert!(codes.contains(&"E0308".to_string()), "{codes:?}");
    assert!(
        codes.contains(&"unawaited::unawaited_future".to_string()),
        "{codes:?}"
    );
    assert!(matches!(
        messages.last(),
        Some(cargo_metadata::Message::BuildFinished(b)) if !b.success
    ));
}

#[test]
fn messages_name_the_thing() {
    let src = "use std::future::Future;\nuse std::pin::Pin;\nuse std::task::{Context, Poll};\n\
pub struct Serve;\n\
impl Future for Serve {\n    type Output = ();\n    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> { Poll::Ready(()) }\n}\n\
pub struct Store;\n\
impl Store {\n    pub fn open() -> Store { let _ = std::fs::read(\"x\"); Store }\n}\n\
pub fn serve() -> Serve { Serve }\n\
pub fn later() -> impl Future<Output = ()> { async {} }\n\
pub async fn run() {\n    Serve;\n    serve();\n    later();\n    let _s = Store::open();\n    let f = async {\n        1\n    };\n}\n\
pub async fn wait(rx: std::sync::mpsc::Receiver<u8>) {\n    let _ = rx.recv();\n}\n";
    let dir = package(&[("src/lib.rs", src)]);
    let (doc, _) = check_json(dir.path(), &["."]);
    let messages: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "future of type `Serve` is never awaited",
            "future of type `Serve` is never awaited",
            "future returned by fn `later` is never awaited",
            "`Store::open` blocks (in `std::fs::read`) and is called inside async code",
            "future `f` from the async block at line 20 is never polled",
            "blocking call `std::sync::mpsc::Receiver::recv` inside async code",
        ]
    );
}

/// The `id` cargo itself gives the package in `dir` (`cargo metadata`).
fn cargo_package_id(dir: &Path) -> String {
    let out = std::process::Command::new(env!("CARGO"))
        .current_dir(dir)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    doc["packages"][0]["id"].as_str().unwrap().to_string()
}

/// Package ids are cargo's, letter for letter: `#VERSION` when the folder is named as the
/// package, `#NAME@VERSION` otherwise, the folder percent-encoded; rust-analyzer groups
/// messages by them, so flycheck's lines and cargo's share one.
#[test]
fn package_ids_are_the_ones_cargo_writes() {
    let tmp = tempfile::tempdir().unwrap();
    for folder in ["demo", "elsewhere", "with space"] {
        let d = tmp.path().join(folder);
        write(
            &d,
            "Cargo.toml",
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        );
        write(&d, "src/lib.rs", LIB);
        let expected = cargo_package_id(&d);
        let (text, _) = stdout_of(&d, &["check", ".", "--message-format", "json"]);
        for m in cargo_messages(&text) {
            if let cargo_metadata::Message::CompilerMessage(m) = m {
                assert_eq!(m.package_id.repr, expected, "{folder}");
            }
        }
    }
    // Through flycheck, beside cargo's own messages for the same package.
    let d = tmp.path().join("demo");
    write(
        &d,
        "src/lib.rs",
        "pub async fn work() {}\npub fn sync_caller() {\n    let unused = 1;\n    let _ = work();\n}\n",
    );
    let (messages, _) = flycheck(&d);
    let ids: std::collections::BTreeSet<String> = messages
        .iter()
        .filter_map(|m| match m {
            cargo_metadata::Message::CompilerMessage(m) => Some(m.package_id.repr.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        ids.len(),
        1,
        "cargo's and unawaited's lines share one id: {ids:?}"
    );
    assert_eq!(ids.first(), Some(&cargo_package_id(&d)));
}

/// ruff's `--output-format`, with ruff's names: `concise` is the one-line form, `full` rustc's.
#[test]
fn output_format_is_an_alias_of_format_with_ruffs_names() {
    let dir = package(&[("src/lib.rs", LIB)]);
    let d = dir.path();
    for (ruff, ours) in [
        (
            ["--output-format", "concise"],
            ["--message-format", "short"],
        ),
        (["--output-format", "full"], ["--format", "human"]),
        (["--output-format", "json"], ["--format", "json"]),
        (["--output-format", "sarif"], ["--format", "sarif"]),
    ] {
        let (a, code_a) = stdout_of(d, &["check", ".", "--color", "never", ruff[0], ruff[1]]);
        let (b, code_b) = stdout_of(d, &["check", ".", "--color", "never", ours[0], ours[1]]);
        assert_eq!((a.as_str(), code_a), (b.as_str(), code_b), "{ruff:?}");
    }
    let (short, _) = stdout_of(d, &["check", ".", "--output-format", "concise"]);
    assert!(
        short.contains("src/lib.rs:3:5: error[unawaited_future]: "),
        "{short}"
    );
}

/// ruff's `--fix --diff`: the fixes shown as a diff, nothing written; exit 1 when there is a
/// fix to show, 0 when there is none.
#[test]
fn fix_with_diff_shows_the_fixes_and_writes_nothing() {
    let lib = "pub async fn work() {}\npub async fn run() {\n    work();\n}\n";
    let dir = package(&[("src/lib.rs", lib)]);
    let d = dir.path();
    let (diff, code) = stdout_of(d, &["check", ".", "--fix", "--diff"]);
    assert_eq!(code, 1, "{diff}");
    assert!(diff.contains("+    work().await;"), "{diff}");
    assert_eq!(std::fs::read_to_string(d.join("src/lib.rs")).unwrap(), lib);
    // Once fixed, nothing to show.
    let (_, code) = stdout_of(d, &["check", ".", "--fix"]);
    assert_eq!(code, 0);
    let (diff, code) = stdout_of(d, &["check", ".", "--fix", "--diff"]);
    assert_eq!((diff.as_str(), code), ("", 0));
}

/// A workspace `ws/` (virtual) with members `a` and `b`, each with one finding in `src/` and
/// `a` one in `tests/` too.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n");
    let member = |name: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
    };
    let bad = "pub async fn work() {}\npub async fn run() {\n    work();\n}\n";
    write(d, "a/Cargo.toml", &member("a"));
    write(d, "a/src/lib.rs", bad);
    write(d, "a/tests/it.rs", bad);
    write(d, "b/Cargo.toml", &member("b"));
    write(d, "b/src/lib.rs", bad);
    dir
}

/// The files with findings, `/`-separated and relative to `root`, of a JSON run in `cwd`.
fn files_found(root: &Path, cwd: &Path, out: &std::process::Output) -> Vec<String> {
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    let root = root.canonicalize().unwrap();
    let mut files: Vec<String> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = cwd.join(f["path"].as_str().unwrap());
            let p = p.canonicalize().unwrap_or(p);
            p.strip_prefix(&root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files.dedup();
    files
}

/// `cargo unawaited` selects packages as `cargo clippy` does: the package holding the current
/// folder (all of it, from any subfolder), `-p NAME`, `--workspace`, `--manifest-path`.
#[test]
fn cargo_unawaited_selects_packages_as_cargo_does() {
    let dir = workspace();
    let d = dir.path();
    let run = |cwd: &Path, args: &[&str]| {
        let out = cargo_unawaited()
            .current_dir(cwd)
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        files_found(d, cwd, &out)
    };
    let a = ["a/src/lib.rs", "a/tests/it.rs"];
    // From a subfolder: the whole package, where `unawaited check` checks the folder.
    assert_eq!(run(&d.join("a/tests"), &[]), a);
    let plain = unawaited()
        .current_dir(d.join("a/tests"))
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        files_found(d, &d.join("a/tests"), &plain),
        ["a/tests/it.rs"]
    );
    // From the package's own folder and with `check` named.
    assert_eq!(run(&d.join("a"), &["check"]), a);
    // A virtual manifest's folder: the whole workspace, as cargo.
    let all = ["a/src/lib.rs", "a/tests/it.rs", "b/src/lib.rs"];
    assert_eq!(run(d, &[]), all);
    // Selection flags.
    assert_eq!(run(&d.join("a/src"), &["-p", "b"]), ["b/src/lib.rs"]);
    assert_eq!(run(&d.join("a/src"), &["--package", "b", "-p", "a"]), all);
    assert_eq!(run(&d.join("a/src"), &["--workspace"]), all);
    assert_eq!(
        run(&d.join("a"), &["--manifest-path", "../b/Cargo.toml"]),
        ["b/src/lib.rs"]
    );
    // Mistakes are usage errors naming the thing, as cargo's.
    let out = cargo_unawaited()
        .current_dir(d)
        .args(["-p", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`nope` did not match any packages"), "{err}");
    let out = cargo_unawaited()
        .current_dir(d)
        .args(["--manifest-path", "missing/Cargo.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A path and a selection together are refused, as clap refuses conflicting flags.
    let out = cargo_unawaited()
        .current_dir(d)
        .args(["check", "a", "-p", "b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn cargo_unawaited_help_says_no_subcommand_means_check() {
    let out = cargo_unawaited().arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("With no subcommand, `check` is meant"),
        "{help}"
    );
    assert!(help.contains("Usage: cargo unawaited"), "{help}");
}

/// rust-analyzer runs the flycheck on every save: its notes are one line, said when they change.
#[test]
fn flycheck_says_its_notes_once() {
    let dir = package(&[("src/lib.rs", "pub fn f() {\n    alpha::run();\n}\n")]);
    let d = dir.path();
    write(
        d,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nalpha = \"1\"\n",
    );
    let home = tempfile::tempdir().unwrap();
    let notes = || {
        let out = unawaited()
            .current_dir(d)
            .env("CARGO_HOME", home.path())
            .env("UNAWAITED_DEPS_CACHE", home.path().join("deps-cache"))
            .env("CARGO_TARGET_DIR", d.join("target"))
            .args(["flycheck", "--offline", "--quiet"])
            .output()
            .unwrap();
        String::from_utf8(out.stderr)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("unawaited: note:"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let first = notes();
    assert!(
        first.len() == 1 && first[0].contains("the sources of 1 dependency"),
        "{first:?}"
    );
    assert_eq!(notes(), Vec::<String>::new());
}
