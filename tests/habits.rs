//! ruff's and cargo's habits (issue 30, item 6): the fixable marker, "Would fix N findings",
//! `--statistics` in the machine formats, `-v`/`-vv`, `-D warning`, `--fix` on standard input
//! and `unawaited clean` of the dependency cache. (The language server's are in tests/server.rs.)

mod common;
use common::*;

use serde_json::Value;
use std::path::Path;

const LIB: &str =
    "async fn w() {}\npub async fn run() {\n    w();\n    let _ = std::fs::read(\"x\");\n}\n";

fn demo() -> tempfile::TempDir {
    package(&[("src/lib.rs", LIB)])
}

fn run(dir: &Path, args: &[&str]) -> (String, String, Option<i32>) {
    let out = unawaited().current_dir(dir).args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code(),
    )
}

/// `[*]` before the message of a finding `--fix` fixes, in the human and concise outputs; not
/// on one without a fix; unsafe fixes only with `--unsafe-fixes`.
#[test]
fn fixable_findings_are_marked() {
    let dir = demo();
    let (short, _, _) = run(dir.path(), &["check", "--format", "short", "--no-cache"]);
    assert!(
        short.contains("src/lib.rs:3:5: error[unawaited_future]: [*] future returned"),
        "{short}"
    );
    assert!(
        short.contains("warning[blocking_in_async]: blocking call"),
        "no marker without a fix: {short}"
    );
    let (human, _, _) = run(dir.path(), &["check", "--no-cache"]);
    assert!(
        human.contains("error[unawaited_future]: [*] future returned"),
        "{human}"
    );
    let (json, _, _) = run(dir.path(), &["check", "--format", "json", "--no-cache"]);
    assert!(
        !json.contains("[*]"),
        "the machine formats keep the message: {json}"
    );
}

/// `--fix --diff`, as ruff: the diff on standard output, then "Would fix N findings".
#[test]
fn fix_diff_says_how_many_it_would_fix() {
    let dir = demo();
    let (diff, err, code) = run(dir.path(), &["check", "--fix", "--diff", "--no-cache"]);
    assert_eq!(code, Some(1));
    assert!(diff.contains("+    w().await;"), "{diff}");
    assert!(err.trim_end().ends_with("Would fix 1 finding"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap(),
        LIB
    );
}

/// `--statistics` keeps the machine format asked for: a JSON document, a SARIF document with
/// the table in the run's properties.
#[test]
fn statistics_in_json_and_sarif_are_those_formats() {
    let dir = demo();
    let (sarif, _, _) = run(
        dir.path(),
        &["check", "--statistics", "--format", "sarif", "--no-cache"],
    );
    let doc: Value = serde_json::from_str(&sarif).unwrap_or_else(|e| panic!("{e}: {sarif}"));
    assert_eq!(doc["version"], "2.1.0");
    let stats = &doc["runs"][0]["properties"]["statistics"];
    assert_eq!(stats.as_array().map(Vec::len), Some(2), "{stats}");
    assert_eq!(doc["runs"][0]["results"].as_array().map(Vec::len), Some(2));
    let (json, _, _) = run(
        dir.path(),
        &["check", "--statistics", "--format", "json", "--no-cache"],
    );
    let doc: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(doc["statistics"].as_array().map(Vec::len), Some(2), "{doc}");
}

/// `-v` says which configuration and cache each context used and how long the run took;
/// `-vv` each stage's time; `--verbose` before the subcommand too, for both binaries.
#[test]
fn verbose_as_cargo_means_it() {
    let dir = demo();
    write(
        dir.path(),
        "unawaited.toml",
        "[rules]\ndetached_task = \"warn\"\n",
    );
    for args in [
        &["check", "-v", "-q"][..],
        &["-v", "check", "-q"],
        &["--verbose", "check", "-q"],
    ] {
        let (_, err, _) = run(dir.path(), args);
        assert!(
            err.contains("unawaited: context . (1 file): configuration unawaited.toml; cache target/unawaited"),
            "{args:?}: {err}"
        );
        assert!(err.contains("unawaited: finished in"), "{args:?}: {err}");
        assert!(!err.contains("discover:"), "stage times are -vv's: {err}");
    }
    // Without the run cache, which would replay the outcome with no stage after discovery.
    let _ = std::fs::remove_file(dir.path().join("target/unawaited/run.cache"));
    let (_, err, _) = run(dir.path(), &["-vv", "check", "-q"]);
    assert!(
        err.contains("unawaited: discover:") && err.contains("unawaited: walk"),
        "{err}"
    );
    let out = assert_cmd::Command::cargo_bin("cargo-unawaited")
        .unwrap()
        .current_dir(dir.path())
        .args(["unawaited", "--verbose", "-q"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unawaited: context"), "{err}");
    let out = assert_cmd::Command::cargo_bin("cargo-unawaited")
        .unwrap()
        .current_dir(dir.path())
        .args(["unawaited", "-v", "check", "-q"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unawaited: context"), "{err}");
}

/// rustc's group is `warnings`: `-D warning` is a usage error that says so.
#[test]
fn deny_warning_suggests_warnings() {
    let dir = demo();
    let err = stderr_of_error_run(dir.path(), &["check", "-D", "warning"], "-D warning");
    assert!(
        err.contains("unknown rule `warning` in -D, did you mean `warnings`"),
        "{err}"
    );
}

/// `--fix` on standard input prints the fixed text (what an editor's "fix on save" reads) and
/// says what remains on standard error.
#[test]
fn fix_on_standard_input_prints_the_fixed_text() {
    let dir = demo();
    let out = unawaited()
        .current_dir(dir.path())
        .args([
            "check",
            "--fix",
            "-",
            "--stdin-filename",
            "src/lib.rs",
            "--no-cache",
        ])
        .write_stdin(LIB)
        .output()
        .unwrap();
    let fixed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(fixed, LIB.replace("    w();", "    w().await;"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("blocking_in_async") && err.contains("fixed 1 finding"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(0), "only a warning remains");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap(),
        LIB
    );
}

/// `unawaited clean` removes the dependency cache's files too, and leaves another program's.
#[test]
fn clean_removes_the_dependency_cache() {
    let dir = demo();
    let deps = tempfile::tempdir().unwrap();
    let ours = deps.path().join("deps");
    write(&ours, "tokio-1.0.0.cache", "x");
    write(&ours, "CACHEDIR.TAG", "x");
    let shared = deps.path().join("shared");
    write(&shared, "serde-1.0.0.cache", "x");
    write(&shared, "notes.txt", "mine");
    for (cache, gone) in [(&ours, true), (&shared, false)] {
        let out = unawaited()
            .current_dir(dir.path())
            .env("UNAWAITED_DEPS_CACHE", cache)
            .arg("clean")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("removed the dependency cache") && said.contains("(1 file)"),
            "{said}"
        );
        assert_eq!(!cache.exists(), gone, "{said}");
    }
    assert!(!shared.join("serde-1.0.0.cache").exists());
    assert_eq!(
        std::fs::read_to_string(shared.join("notes.txt")).unwrap(),
        "mine"
    );
}
