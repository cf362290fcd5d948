//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::Path;
use tempfile::TempDir;

/// The binary, with the environment a test expects (no `NO_COLOR`, a time limit).
pub fn unawaited() -> Command {
    let mut cmd = Command::cargo_bin("unawaited").expect("the binary is built");
    cmd.env_remove("NO_COLOR");
    // The cache goes to `target/unawaited/` of the package under test unless a test says.
    for var in [
        "UNAWAITED_CACHE_DIR",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
    ] {
        cmd.env_remove(var);
    }
    // A limit that catches a hang, not a speed target: the huge-input test takes minutes in a
    // debug build on a loaded 2-core machine.
    cmd.timeout(std::time::Duration::from_secs(600));
    cmd
}

/// A throwaway Cargo package `demo` with the given files (paths relative to its root).
pub fn package(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

/// Writes a file, creating its folders.
pub fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().expect("a parent")).expect("folders");
    std::fs::write(p, text).expect("a file");
}

/// Runs `unawaited check --format json ARGS` in `dir`: the document and the exit code.
pub fn check_json(dir: &Path, args: &[&str]) -> (serde_json::Value, i32) {
    let out = unawaited()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out.status.code().unwrap_or(-1))
}

/// Runs `unawaited ARGS` in `dir`, asserts exit code 2 (a usage, configuration or I/O error)
/// and returns standard error. `what` names the case in assertion messages.
pub fn stderr_of_error_run(dir: &Path, args: &[&str], what: &str) -> String {
    let out = unawaited()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{what}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `unawaited ARGS` in `dir`, asserts exit code 0 and returns standard output.
pub fn stdout_of_success(dir: &Path, args: &[&str]) -> String {
    let out = unawaited()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

pub mod forge;
pub mod python;
pub mod trees;

/// The variable that lets a developer skip, knowingly, a test whose subject cannot run on their
/// machine: a comma-separated list of subjects (`precommit`, `lsp`, `pty`, `mkfifo`, `setuid`).
/// `.ci/run` never sets it.
pub const SKIP_VAR: &str = "UNAWAITED_TEST_SKIP";

/// Called when a test cannot run its subject (`why` says what is missing). The test fails with
/// that reason, unless [`SKIP_VAR`] names `subject`: then it says loudly that it skipped. The
/// caller returns right after.
pub fn cannot_run(subject: &str, why: &str) {
    let skipped = std::env::var(SKIP_VAR)
        .unwrap_or_default()
        .split(',')
        .any(|s| s.trim() == subject);
    assert!(
        skipped,
        "{why}: this test cannot check what it promises. Install what it needs (docs/testing.md), \
         or set {SKIP_VAR}={subject} to skip it knowingly"
    );
    eprintln!("SKIPPED ({SKIP_VAR} names `{subject}`): {why}");
}

/// A package in `app` that depends on the registry crate `asyncdep 1.0.0` (locked) and drops the
/// future of `asyncdep::fetch()`, which is async when the crate's sources are on disk.
pub fn app_using_asyncdep(app: &Path) {
    write(
        app,
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nasyncdep = \"1\"\n",
    );
    write(
        app,
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\
         dependencies = [\"asyncdep\"]\n\n[[package]]\nname = \"asyncdep\"\n\
         version = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    );
    write(
        app,
        "src/lib.rs",
        "pub async fn run() {\n    asyncdep::fetch();\n}\n",
    );
}

/// Copies a fixture tree (without `target/` folders).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("the fixture is readable");
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if rel.components().all(|c| c.as_os_str() != "target") {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
