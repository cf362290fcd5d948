//! The pre-commit hook, run for real through the `pre-commit` tool on a scratch repository: a
//! staged bad file fails the commit, a staged good one passes. Without the tool the test fails,
//! unless `UNAWAITED_TEST_SKIP=precommit` (`.ci/run` installs it and never skips).

mod common;

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "git {args:?}");
}

/// Runs the hook through `pre-commit try-repo`; true when it passes. An internal error of
/// pre-commit itself (not a hook failure) is retried once, with its log shown.
fn try_repo(dir: &Path, home: &Path, file: &str) -> bool {
    for attempt in 0..2 {
        let out = Command::new("pre-commit")
            .current_dir(dir)
            .env("PRE_COMMIT_HOME", home)
            .args([
                "try-repo",
                env!("CARGO_MANIFEST_DIR"),
                "unawaited",
                "--files",
                file,
            ])
            .output()
            .expect("pre-commit runs");
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
        return out.status.success();
    }
    panic!("pre-commit failed internally twice");
}

#[test]
fn the_hook_fails_a_bad_commit_and_passes_a_good_one() {
    if let Err(e) = Command::new("pre-commit").arg("--version").output() {
        common::cannot_run(
            "precommit",
            &format!("the `pre-commit` tool cannot be run ({e}); `pip install pre-commit`"),
        );
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["config", "user.email", "t@example.com"]);
    git(repo.path(), &["config", "user.name", "t"]);
    std::fs::write(
        repo.path().join("bad.rs"),
        "async fn w() {}\nfn main() {\n    w();\n}\n",
    )
    .unwrap();
    std::fs::write(
        repo.path().join("good.rs"),
        "async fn w() {}\nasync fn run() {\n    w().await;\n}\n",
    )
    .unwrap();
    git(repo.path(), &["add", "bad.rs", "good.rs"]);
    assert!(
        !try_repo(repo.path(), home.path(), "bad.rs"),
        "a staged bad file fails the hook"
    );
    assert!(
        try_repo(repo.path(), home.path(), "good.rs"),
        "a staged good file passes"
    );
}
