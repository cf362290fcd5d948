//! `--fix` and `--diff`: fixes are applied atomically, re-parsed first, and refused when the file
//! is read-only, changed since it was read, or would not parse.

mod common;
use common::*;

use unawaited::diagnostic::{Edit, Position, Span};
use unawaited::fix::{fix_file, Outcome};

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
        diags.iter().filter(|d| !d["fix"].is_null()).count(),
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
    assert_eq!(fixable_after, 0);
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
    match fix_file(&path, "a.rs", analysed, &[edit]) {
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
    match fix_file(&path, "a.rs", text, &[edit]) {
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
    match fix_file(&path, "a.rs", text, &[edit]) {
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
