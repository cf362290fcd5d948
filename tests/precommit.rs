//! The pre-commit hook, run for real through the `pre-commit` tool on scratch repositories: a
//! staged bad file fails the commit, a staged good one passes. `pre-commit` comes from the tests'
//! own Python environment (`tests/common/python.rs`, pinned versions, built once under the
//! target folder); a machine that cannot build it fails the tests, unless
//! `UNAWAITED_TEST_SKIP=precommit`.
//!
//! The published hook (`.pre-commit-hooks.yaml`, `language: rust`) is built by pre-commit
//! itself, its build kept in the target folder so that only the first run pays for the
//! dependencies.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BAD: &str = "async fn w() {}\nfn main() {\n    w();\n}\n";
const GOOD: &str = "async fn w() {}\nasync fn run() {\n    w().await;\n}\n";

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "git {args:?}");
}

/// The interpreter of the tests' Python environment, or `None` when the test cannot run (it
/// has then failed, or been skipped knowingly).
fn python() -> Option<PathBuf> {
    match common::python::python() {
        Ok(p) => Some(p),
        Err(e) => {
            common::cannot_run(
                "precommit",
                &format!("the tests' Python environment with pre-commit cannot be built: {e}"),
            );
            None
        }
    }
}

/// A scratch git repository with `bad.rs` and `good.rs` staged, and `config` as its
/// `.pre-commit-config.yaml` when given.
fn scratch_repo(config: Option<&str>) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    git(r, &["init", "-q"]);
    git(r, &["config", "user.email", "t@example.com"]);
    git(r, &["config", "user.name", "t"]);
    std::fs::write(r.join("bad.rs"), BAD).unwrap();
    std::fs::write(r.join("good.rs"), GOOD).unwrap();
    if let Some(config) = config {
        std::fs::write(r.join(".pre-commit-config.yaml"), config).unwrap();
        git(r, &["add", ".pre-commit-config.yaml"]);
    }
    git(r, &["add", "bad.rs", "good.rs"]);
    repo
}

/// Runs `python -m pre_commit ARGS` in `dir` with its own `PRE_COMMIT_HOME`, `path_first`
/// before `PATH`; an internal error of pre-commit itself (not a hook failure) is retried once.
/// Whether the hook passed, and what pre-commit printed.
fn pre_commit_output(
    python: &Path,
    dir: &Path,
    home: &Path,
    path_first: Option<&Path>,
    envs: &[(&str, PathBuf)],
    args: &[&str],
) -> (bool, String) {
    for attempt in 0..2 {
        let mut cmd = Command::new(python);
        cmd.current_dir(dir)
            .env("PRE_COMMIT_HOME", home)
            .env_remove("NO_COLOR")
            .args(["-m", "pre_commit"])
            .args(args);
        if let Some(first) = path_first {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let joined = std::env::join_paths(
                std::iter::once(first.to_path_buf()).chain(std::env::split_paths(&path)),
            )
            .unwrap();
            cmd.env("PATH", joined);
        }
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out: Output = cmd.output().expect("pre-commit runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if text.contains("An unexpected error has occurred") {
            let log = std::fs::read_to_string(home.join("pre-commit.log")).unwrap_or_default();
            eprintln!("pre-commit failed internally (attempt {attempt}):\n{text}\n{log}");
            continue;
        }
        if !out.status.success() {
            assert!(
                text.contains("unawaited_future"),
                "the hook failed for the finding: {text}"
            );
        }
        return (out.status.success(), text);
    }
    panic!("pre-commit failed internally twice");
}

#[test]
fn the_published_hook_builds_and_runs() {
    let Some(python) = python() else { return };
    let repo = scratch_repo(None);
    let home = tempfile::tempdir().unwrap();
    // pre-commit builds the tool with `cargo install`: into a folder kept in the target folder
    // (only the first run builds the dependencies), unoptimised (the hook's behaviour, not its
    // speed, is under test).
    let build = common::python::target_dir().join("unawaited-test-hook-build");
    let envs = [
        ("CARGO_TARGET_DIR", build),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0".into()),
        ("CARGO_PROFILE_RELEASE_INCREMENTAL", "true".into()),
    ];
    eprintln!("pre-commit builds the hook from this repository (language: rust); a minute or two the first time");
    // One run (one build): the bad file fails it, the good one is not named.
    let (passed, text) = pre_commit_output(
        &python,
        repo.path(),
        home.path(),
        None,
        &envs,
        &[
            "try-repo",
            env!("CARGO_MANIFEST_DIR"),
            "unawaited",
            "--files",
            "bad.rs",
            "good.rs",
        ],
    );
    assert!(!passed, "a staged bad file fails the hook: {text}");
    assert!(
        text.contains("bad.rs:3:5") && !text.contains("good.rs:"),
        "{text}"
    );
}
