//! `--fix` and `--diff`: fixes are applied atomically, re-parsed first, and refused when the file
//! is read-only, changed since it was read, or would not parse; safe fixes by default, unsafe
//! ones with `--unsafe-fixes`, and no fix adds a rustc warning.

mod common;
use common::*;

use unawaited::diagnostic::{Applicability, Edit, Fix, Position, Span};
use unawaited::fix::{apply_fixes, fix_file, Outcome};

/// A safe fix made of `edits`.
fn fix_of(edits: Vec<Edit>) -> Fix {
    Fix {
        message: "test".into(),
        applicability: Applicability::MachineApplicable,
        edits,
    }
}

fn fixable_count(dir: &std::path::Path) -> (usize, usize) {
    let out = unawaited()
        .current_dir(dir)
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = doc["diagnostics"].as_array().unwrap();
    (
        diags.len(),
        diags
            .iter()
            .filter(|d| d["fix"]["applicability"] == "MachineApplicable")
            .count(),
    )
}

#[test]
fn fixing_the_fixtures_leaves_nothing_fixable() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("fixtures/unawaited_future/async_context.rs").unwrap();
    std::fs::write(dir.path().join("case.rs"), &text).unwrap();
    let (before, fixable) = fixable_count(dir.path());
    assert!(fixable >= 10, "the fixture has fixable findings: {fixable}");
    unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--fix"])
        .assert()
        .code(1);
    let (after, fixable_after) = fixable_count(dir.path());
    assert_eq!(fixable_after, 0, "no safe fix is left");
    assert_eq!(
        after,
        before - fixable,
        "exactly the fixable findings are gone"
    );
    let fixed = std::fs::read_to_string(dir.path().join("case.rs")).unwrap();
    assert!(fixed.contains("        work(i).await; //~ unawaited_future"));
    assert!(syn::parse_file(&fixed).is_ok());
    // Running again changes nothing.
    unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--fix"])
        .assert()
        .code(1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("case.rs")).unwrap(),
        fixed
    );
}

#[test]
fn diff_shows_the_fix_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = "async fn work() {}\nasync fn run() {\n    work();\n}\n";
    std::fs::write(dir.path().join("a.rs"), text).unwrap();
    let out = unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--diff"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains("--- a/a.rs") && diff.contains("+++ b/a.rs"),
        "{diff}"
    );
    assert!(
        diff.contains("-    work();\n+    work().await;\n"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.rs")).unwrap(),
        text
    );
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(clean.path().join("a.rs"), "async fn w() {}\n").unwrap();
    unawaited()
        .current_dir(clean.path())
        .args(["check", ".", "--diff"])
        .assert()
        .code(0)
        .stdout("");
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_not_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.rs");
    let text = "async fn work() {}\nasync fn run() {\n    work();\n}\n";
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--fix", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("read-only"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

fn at(byte: usize) -> Position {
    Position {
        line: 1,
        column: byte + 1,
        byte,
    }
}

#[test]
fn a_file_changed_since_it_was_read_is_not_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.rs");
    std::fs::write(&path, "fn a() { b(); }\n").unwrap();
    let edit = Edit {
        span: Span {
            start: at(12),
            end: at(12),
        },
        text: ".await".into(),
    };
    let analysed = "fn a() { c(); }\n";
    match fix_file(&path, "a.rs", analysed, &[&fix_of(vec![edit])]) {
        Outcome::Refused(e) => assert!(
            e.message.contains("changed since it was read"),
            "{}",
            e.message
        ),
        other => panic!("fixed a file that changed: {other:?}"),
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "fn a() { b(); }\n");
}

#[test]
fn a_fix_that_would_not_parse_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.rs");
    let text = "fn a() { b(); }\n";
    std::fs::write(&path, text).unwrap();
    let edit = Edit {
        span: Span {
            start: at(9),
            end: at(9),
        },
        text: "(".into(),
    };
    match fix_file(&path, "a.rs", text, &[&fix_of(vec![edit])]) {
        Outcome::Refused(e) => assert!(e.message.contains("would not parse"), "{}", e.message),
        other => panic!("wrote a broken file: {other:?}"),
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_file_deleted_before_the_fix_is_not_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.rs");
    let text = "async fn b() {}\nasync fn a() { b(); }\n";
    std::fs::write(&path, text).unwrap();
    std::fs::remove_file(&path).unwrap();
    let edit = Edit {
        span: Span {
            start: at(34),
            end: at(34),
        },
        text: ".await".into(),
    };
    match fix_file(&path, "a.rs", text, &[&fix_of(vec![edit])]) {
        Outcome::Refused(e) => assert!(
            e.message.contains("no such file or directory"),
            "{}",
            e.message
        ),
        other => panic!("fixed a file that is gone: {other:?}"),
    }
    assert!(!path.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );
}

#[test]
fn a_fix_is_applied_whole_or_not_at_all() {
    let text = "fn a() { b(); }\n";
    let insert = |byte: usize, t: &str| Edit {
        span: Span {
            start: at(byte),
            end: at(byte),
        },
        text: t.into(),
    };
    let first = fix_of(vec![insert(9, "let _ = "), insert(12, ".await")]);
    // Its second edit lands where the first fix inserts: it is left out, and so is its first.
    let second = fix_of(vec![insert(13, "?"), insert(12, "!")]);
    let (fixed, applied) = apply_fixes(text, &[&first, &second]);
    assert_eq!(applied, [true, false]);
    assert_eq!(fixed, "fn a() { let _ = b().await; }\n");
}

/// A crate that compiles on its own (no dependencies, so `cargo check` needs no network), with
/// a future of each kind of output dropped as a statement and into `_`.
const CRATE_LIB: &str = r#"#[must_use]
pub struct Token;

pub async fn unit() {}

pub async fn fallible() -> Result<u32, String> {
    Ok(1)
}

pub async fn token() -> Token {
    Token
}

pub async fn in_result_fn() -> Result<(), String> {
    unit(); // run it
    fallible();
    Ok(())
}

pub async fn in_unit_fn() {
    unit();
    fallible();
    token();
    let _ = unit();
    count();
}

pub async fn count() -> u32 {
    1
}
"#;

/// The warnings `cargo check` gives on the crate in `dir`: (line, message), and whether it built.
fn cargo_check_warnings(dir: &std::path::Path) -> (Vec<(u64, String)>, bool) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(dir)
        .args(["check", "--offline", "--quiet", "--message-format", "json"])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .expect("cargo runs");
    let mut warnings = Vec::new();
    for message in cargo_metadata::Message::parse_stream(out.stdout.as_slice()) {
        if let Ok(cargo_metadata::Message::CompilerMessage(m)) = message {
            let line = m.message.spans.first().map_or(0, |s| s.line_start as u64);
            warnings.push((line, m.message.message.clone()));
        }
    }
    warnings.sort();
    (warnings, out.status.success())
}

fn crate_dir() -> tempfile::TempDir {
    package(&[("src/lib.rs", CRATE_LIB)])
}

#[test]
fn no_fix_adds_a_rustc_warning() {
    let dir = crate_dir();
    let (before, built) = cargo_check_warnings(dir.path());
    assert!(built, "the crate builds as written");
    assert!(
        before.iter().any(|(_, m)| m.contains("must be used")),
        "rustc warns about the dropped futures: {before:?}"
    );
    // Safe fixes only: no warning that was not there before.
    unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--fix"])
        .assert()
        .code(1);
    let lib = std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap();
    assert!(lib.contains("    unit().await; // run it\n"), "{lib}");
    assert!(
        lib.contains("    fallible();\n"),
        "unsafe fixes wait for the flag: {lib}"
    );
    let (after_safe, built) = cargo_check_warnings(dir.path());
    assert!(built, "{lib}");
    for w in &after_safe {
        assert!(before.contains(w), "--fix added a warning {w:?}\n{lib}");
    }
    // Then the unsafe ones: every future is awaited and rustc has nothing to say.
    unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--fix", "--unsafe-fixes"])
        .assert()
        .code(0);
    let lib = std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap();
    for line in [
        "    fallible().await?;\n    Ok(())",
        "    unit().await;\n    let _ = fallible().await;\n    let _ = token().await;\n    let _ = unit().await;\n    count().await;\n",
    ] {
        assert!(lib.contains(line), "{line:?} in\n{lib}");
    }
    let (after, built) = cargo_check_warnings(dir.path());
    assert!(built, "{lib}");
    assert_eq!(after, [], "no warning after the fixes\n{lib}");
}

#[test]
fn the_summary_says_what_more_is_fixable_and_show_fixes_lists_the_changes() {
    let dir = crate_dir();
    let out = unawaited()
        .current_dir(dir.path())
        .args(["check", "."])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("unawaited: 3 fixable with `--fix` (4 more with `--fix --unsafe-fixes`)\n"),
        "{text}"
    );
    let out = unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--fix", "--show-fixes"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unawaited: fixed 3 findings:\n"), "{err}");
    assert!(
        err.contains("  src/lib.rs:15:5: unawaited_future: add `.await`\n")
            && err.contains("  src/lib.rs:21:5: unawaited_future: add `.await`\n")
            && err.contains("  src/lib.rs:25:5: unawaited_future: add `.await`\n"),
        "{err}"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("unawaited: 4 fixable with `--fix --unsafe-fixes`"),
        "{text}"
    );
}

/// (line, applicability, message) of the fix of each finding in `dir`.
fn fixes_of(dir: &std::path::Path) -> Vec<(u64, String, String)> {
    let (doc, _) = check_json(dir, &["."]);
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                text(&d["fix"]["applicability"]),
                text(&d["fix"]["message"]),
            )
        })
        .collect()
}

#[test]
fn unsafe_fixes_are_marked_maybe_incorrect() {
    let dir = crate_dir();
    let owned = fixes_of(dir.path());
    let fixes: Vec<(u64, &str, &str)> = owned
        .iter()
        .map(|(line, a, m)| (*line, a.as_str(), m.as_str()))
        .collect();
    assert_eq!(
        fixes,
        [
            (15, "MachineApplicable", "add `.await`"),
            (16, "MaybeIncorrect", "add `.await?`"),
            (21, "MachineApplicable", "add `.await`"),
            (
                22,
                "MaybeIncorrect",
                "add `.await` and bind its output to `_`"
            ),
            (
                23,
                "MaybeIncorrect",
                "add `.await` and bind its output to `_`"
            ),
            (24, "MaybeIncorrect", "add `.await`"),
            (25, "MachineApplicable", "add `.await`"),
        ]
    );
}

/// `--fix` on standard input prints the fixed text (as ruff does) and writes no file.
#[test]
fn fix_on_standard_input_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = unawaited()
        .current_dir(dir.path())
        .args(["check", "-", "--stdin-filename", "a.rs", "--fix"])
        .write_stdin("async fn w() {}\nasync fn r() { w(); }\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "async fn w() {}\nasync fn r() { w().await; }\n"
    );
    assert!(!dir.path().join("a.rs").exists());
}

#[test]
fn known_apis_fix_by_their_output() {
    let src = "use tokio::sync::mpsc::Sender;\nuse std::time::Duration;\n\
pub async fn run(tx: Sender<u8>) {\n    tokio::time::sleep(Duration::from_millis(1));\n    tx.send(1);\n}\n";
    let dir = package(&[("src/lib.rs", src)]);
    let fixes: Vec<(u64, String)> = fixes_of(dir.path())
        .into_iter()
        .map(|(line, applicability, _)| (line, applicability))
        .collect();
    assert_eq!(
        fixes,
        [
            (4, "MachineApplicable".to_string()),
            (5, "MaybeIncorrect".to_string())
        ],
        "sleep gives `()`; send gives a `Result`"
    );
}

#[test]
fn diff_shows_unsafe_fixes_only_when_asked() {
    let dir = crate_dir();
    let diff = |extra: &[&str]| {
        let out = unawaited()
            .current_dir(dir.path())
            .args(["check", ".", "--diff"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let safe = diff(&[]);
    assert!(safe.contains("+    unit().await; // run it\n"), "{safe}");
    assert!(!safe.contains("let _ = fallible().await"), "{safe}");
    let all = diff(&["--unsafe-fixes"]);
    assert!(all.contains("+    let _ = fallible().await;\n"), "{all}");
    assert!(all.contains("+    fallible().await?;\n"), "{all}");
}

/// A malformed suppression comment is reported with an unsafe fix that rewrites it; once
/// rewritten it suppresses what it named, and a misspelt rule name is corrected too.
#[test]
fn a_malformed_suppression_is_rewritten_into_one_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let text = "async fn work() {}\nasync fn run() {\n    // unawaited allow(unawaited_future) -- fire and forget\n    work();\n    work(); /* unawaited: allow(unawaited_futur) */\n}\n";
    std::fs::write(dir.path().join("a.rs"), text).unwrap();
    unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--fix", "-A", "unawaited_future"])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.rs")).unwrap(),
        text,
        "the fix is unsafe: not applied by --fix alone"
    );
    unawaited()
        .current_dir(dir.path())
        .args([
            "check",
            ".",
            "--fix",
            "--unsafe-fixes",
            "-A",
            "unawaited_future",
        ])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.rs")).unwrap(),
        "async fn work() {}\nasync fn run() {\n    // unawaited: allow(unawaited_future) -- fire and forget\n    work();\n    work(); // unawaited: allow(unawaited_futur)\n}\n"
    );
    unawaited()
        .current_dir(dir.path())
        .args([
            "check",
            ".",
            "--fix",
            "--unsafe-fixes",
            "-A",
            "unawaited_future",
        ])
        .assert()
        .code(0);
    let (doc, code) = check_json(dir.path(), &["."]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["diagnostics"].as_array().unwrap().len(), 0, "{doc}");
}
