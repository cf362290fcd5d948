//! Baselines: recorded findings stay silent when code moves; new ones are reported; a garbage
//! baseline is a clear error.

mod common;
use common::*;

fn lines(dir: &std::path::Path, args: &[&str]) -> (Vec<u64>, i32) {
    let out = unawaited()
        .current_dir(dir)
        .args(["check", ".", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    (lines, out.status.code().unwrap())
}

#[test]
fn baseline_survives_moves_and_reports_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.rs");
    std::fs::write(
        &file,
        "async fn w() {}\nasync fn run() {\n    w();\n    w();\n}\n",
    )
    .unwrap();
    let base = dir.path().join("baseline.json");
    let (found, code) = lines(dir.path(), &["--write-baseline", base.to_str().unwrap()]);
    assert_eq!((found, code), (vec![3, 4], 1));
    // Code moves down by three lines, and one more identical finding appears.
    std::fs::write(
        &file,
        "// a\n// b\n// c\nasync fn w() {}\nasync fn run() {\n    w();\n    w();\n    w();\n}\n",
    )
    .unwrap();
    let (found, code) = lines(dir.path(), &["--baseline", base.to_str().unwrap()]);
    assert_eq!(found, vec![8], "only the third, new call is reported");
    assert_eq!(code, 1);
    std::fs::write(
        &file,
        "// a\nasync fn w() {}\nasync fn run() {\n    w();\n}\n",
    )
    .unwrap();
    assert_eq!(
        lines(dir.path(), &["--baseline", base.to_str().unwrap()]),
        (vec![], 0)
    );
}

#[test]
fn a_garbage_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "fn main() {}\n").unwrap();
    std::fs::write(dir.path().join("b.json"), "{ not json").unwrap();
    let out = unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--baseline", "b.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("b.json: not a baseline file"));
}
