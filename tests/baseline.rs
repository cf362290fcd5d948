//! Baselines: recorded findings stay silent when code moves; new ones are reported; writing one
//! exits 0 and says how many it recorded; a run says how many it hid; a garbage or unwritable
//! baseline is a clear error.

mod common;
use common::*;

fn lines(dir: &std::path::Path, args: &[&str]) -> (Vec<u64>, i32, String) {
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
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (lines, out.status.code().unwrap(), stderr)
}

/// `--write-baseline`: the exit code and standard error; nothing on standard output.
fn write_baseline(dir: &std::path::Path, file: &str) -> (i32, String) {
    let out = unawaited()
        .current_dir(dir)
        .args(["check", ".", "--write-baseline", file])
        .output()
        .unwrap();
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap(), stderr)
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
    let (code, err) = write_baseline(dir.path(), "baseline.json");
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "unawaited: recorded 2 findings in baseline.json\n");
    let base = dir.path().join("baseline.json");
    let base = base.to_str().unwrap();
    // Code moves down by three lines, and one more identical finding appears.
    std::fs::write(
        &file,
        "// a\n// b\n// c\nasync fn w() {}\nasync fn run() {\n    w();\n    w();\n    w();\n}\n",
    )
    .unwrap();
    let (found, code, err) = lines(dir.path(), &["--baseline", base]);
    assert_eq!(found, vec![8], "only the third, new call is reported");
    assert_eq!(code, 1);
    assert_eq!(
        err,
        format!("unawaited: 2 findings hidden by the baseline {base}\n")
    );
    std::fs::write(
        &file,
        "// a\nasync fn w() {}\nasync fn run() {\n    w();\n}\n",
    )
    .unwrap();
    let (found, code, err) = lines(dir.path(), &["--baseline", base]);
    assert_eq!((found, code), (vec![], 0));
    assert!(err.contains("1 finding hidden by the baseline"), "{err}");
    let (_, _, err) = lines(dir.path(), &["--baseline", base, "-q"]);
    assert_eq!(err, "", "-q says nothing more");
}

#[test]
fn an_empty_baseline_is_written_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "fn main() {}\n").unwrap();
    let (code, err) = write_baseline(dir.path(), "b.json");
    assert_eq!(
        (code, err.as_str()),
        (0, "unawaited: recorded 0 findings in b.json\n")
    );
    let text = std::fs::read_to_string(dir.path().join("b.json")).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["findings"],
        serde_json::json!([])
    );
}

#[test]
fn a_garbage_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "fn main() {}\n").unwrap();
    std::fs::write(dir.path().join("b.json"), "{ not json").unwrap();
    let err = stderr_of_error_run(
        dir.path(),
        &["check", ".", "--baseline", "b.json"],
        "garbage",
    );
    assert!(err.contains("b.json: not a baseline file"), "{err}");
}

/// A baseline that cannot be written (its folder is a file: fails for root too) is an error
/// naming it, exit 2, and nothing is reported as if it had been recorded.
#[test]
fn an_unwritable_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.rs"),
        "async fn w() {}\nasync fn f() { w(); }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("plain"), "a file, not a folder").unwrap();
    let err = stderr_of_error_run(
        dir.path(),
        &["check", "a.rs", "--write-baseline", "plain/b.json"],
        "unwritable baseline",
    );
    assert!(
        err.starts_with("error: plain/b.json: cannot write the baseline: "),
        "{err}"
    );
    assert!(!err.contains("recorded"), "{err}");
}

/// Files that cannot be checked are not in the baseline: writing one says so, exit 2 (0 with
/// `--exit-zero`).
#[test]
fn a_baseline_over_unreadable_files_says_what_it_misses() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.rs"),
        "async fn w() {}\nasync fn f() { w(); }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("latin1.rs"), b"// caf\xe9\nfn main() {}\n").unwrap();
    let err = stderr_of_error_run(
        dir.path(),
        &["check", ".", "--write-baseline", "b.json"],
        "file error",
    );
    assert!(err.contains("recorded 1 finding in b.json"), "{err}");
    assert!(err.contains("error: latin1.rs: not valid UTF-8"), "{err}");
    let out = unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--write-baseline", "b.json", "--exit-zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}
