//! The pre-commit hook, run for real through the `pre-commit` tool on scratch repositories: a
//! staged bad file fails the commit, a staged good one passes. `pre-commit` comes from the tests'
//! own Python environment (`tests/common/python.rs`, pinned versions, built once under the
//! target folder); a machine that cannot build it fails the tests, unless
//! `UNAWAITED_TEST_SKIP=precommit`.
//!
//! Two ways in, as the README gives them: the README's `repo: local` snippet, pasted as it is,
//! running the binary cargo built (fast); and the published hook (`.pre-commit-hooks.yaml`, a
//! script that builds the tool with `cargo install --locked` on its first run) — the slow one,
//! its build kept in the target folder so that only the first run pays for the dependencies.
//!
//! What fails a commit (issue 30): deny-level findings in the staged files or in the files that
//! call what they define (`--dependents`); warnings pass and are shown (`verbose: true`).

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
/// True when the hook passes.
fn pre_commit(
    python: &Path,
    dir: &Path,
    home: &Path,
    path_first: Option<&Path>,
    envs: &[(&str, PathBuf)],
    args: &[&str],
) -> bool {
    pre_commit_output(python, dir, home, path_first, envs, args).0
}

/// [`pre_commit`], with what pre-commit printed.
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

/// The README's `repo: local` snippet (the YAML block of its pre-commit section that has one).
fn readme_local_snippet() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("\n### pre-commit\n")
        .nth(1)
        .expect("the README has a pre-commit section");
    let section = section.split("\n### ").next().unwrap();
    section
        .split("```yaml\n")
        .skip(1)
        .filter_map(|block| block.split("\n```").next())
        .find(|block| block.contains("repo: local"))
        .expect("the pre-commit section has a `repo: local` snippet")
        .to_string()
}

#[test]
fn the_readmes_local_hook_works_as_pasted() {
    let Some(python) = python() else { return };
    let snippet = readme_local_snippet();
    let repo = scratch_repo(Some(&snippet));
    let home = tempfile::tempdir().unwrap();
    // `language: system` runs the `unawaited` on PATH: the one cargo built.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_unawaited")).parent().unwrap();
    let run = |file: &str| {
        pre_commit(
            &python,
            repo.path(),
            home.path(),
            Some(bin_dir),
            &[],
            &["run", "--files", file],
        )
    };
    assert!(!run("bad.rs"), "a staged bad file fails the hook");
    assert!(run("good.rs"), "a staged good file passes");
    // What the hook leaves behind is git-ignored: `git status` lists no new file.
    let status = Command::new("git")
        .current_dir(repo.path())
        .args(["status", "--porcelain", "--untracked-files=all"])
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(!status.lines().any(|l| l.starts_with("??")), "{status}");
}

/// Runs the README's `repo: local` hook on what is staged in `repo` (as `git commit` would),
/// with the binary cargo built first on `PATH`: (passed, what pre-commit printed).
fn run_local_hook_on_staged(python: &Path, repo: &Path) -> (bool, String) {
    let home = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_unawaited")).parent().unwrap();
    pre_commit_output(python, repo, home.path(), Some(bin_dir), &[], &["run"])
}

/// A scratch git repository holding a package, committed, with the README's local hook.
fn committed_package(files: &[(&str, &str)]) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    git(r, &["init", "-q"]);
    git(r, &["config", "user.email", "t@example.com"]);
    git(r, &["config", "user.name", "t"]);
    let manifest = "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    std::fs::write(r.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(r.join(".gitignore"), "target/\n").unwrap();
    std::fs::write(r.join(".pre-commit-config.yaml"), readme_local_snippet()).unwrap();
    for (path, text) in files {
        let path = r.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(r, &["add", "."]);
    git(r, &["commit", "-q", "--no-verify", "-m", "start"]);
    repo
}

/// Issue 30, item 1: the commit that makes `save` async stages only `store.rs`; its caller
/// `api.rs`, unchanged and not staged, now drops a future. The hook (`--dependents`) checks
/// the files that call what the staged files define, and fails on the caller's finding.
#[test]
fn the_hook_fails_on_a_caller_the_staged_change_breaks() {
    let Some(python) = python() else { return };
    let repo = committed_package(&[
        ("src/lib.rs", "pub mod api;\npub mod store;\n"),
        ("src/store.rs", "pub fn save() {}\n"),
        (
            "src/api.rs",
            "pub async fn handle() {\n    crate::store::save();\n}\n",
        ),
        ("src/other.rs", "pub fn unrelated() {}\n"),
    ]);
    let r = repo.path();
    std::fs::write(r.join("src/store.rs"), "pub async fn save() {}\n").unwrap();
    git(r, &["add", "src/store.rs"]);
    let (passed, text) = run_local_hook_on_staged(&python, r);
    assert!(
        !passed,
        "the change that breaks a caller fails the hook: {text}"
    );
    assert!(
        text.contains("src/api.rs:2:5"),
        "the caller's finding: {text}"
    );
    assert!(
        text.contains("2 files checked"),
        "store.rs and its caller, not other.rs: {text}"
    );
}

/// Issue 30, item 5: what the hook shows and what fails a commit. Warnings (a blocking call in
/// async code, a file that does not parse) pass, and the hook shows them (`verbose: true`);
/// a deny-level finding fails it.
#[test]
fn the_hook_shows_warnings_and_fails_on_errors() {
    let Some(python) = python() else { return };
    let repo = committed_package(&[("src/lib.rs", "pub mod a;\n"), ("src/a.rs", "\n")]);
    let r = repo.path();
    let warning =
        "pub async fn f() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n";
    std::fs::write(r.join("src/a.rs"), warning).unwrap();
    git(r, &["add", "src/a.rs"]);
    let (passed, text) = run_local_hook_on_staged(&python, r);
    assert!(passed, "a warning does not fail the commit: {text}");
    assert!(
        text.contains("warning[blocking_in_async]") && text.contains("src/a.rs:2:5"),
        "the passing hook shows the warning: {text}"
    );
    std::fs::write(r.join("src/a.rs"), "pub fn broken( {\n").unwrap();
    git(r, &["add", "src/a.rs"]);
    let (passed, text) = run_local_hook_on_staged(&python, r);
    assert!(passed, "a file that does not parse is a warning: {text}");
    assert!(
        text.contains("warning[parse_error]") && text.contains("(1 file not parsed)"),
        "the hook says the file was not parsed: {text}"
    );
    std::fs::write(
        r.join("src/a.rs"),
        "async fn w() {}\npub fn f() {\n    w();\n}\n",
    )
    .unwrap();
    git(r, &["add", "src/a.rs"]);
    let (passed, text) = run_local_hook_on_staged(&python, r);
    assert!(!passed, "a deny-level finding fails the commit: {text}");
}

/// The hook definitions agree: the README's local snippet runs what the published hook runs
/// (`--force-exclude --dependents`), both show warnings, and the published one builds with the
/// committed Cargo.lock (issue 30, items 1, 5 and 7).
#[test]
fn the_hook_definitions_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let published = std::fs::read_to_string(root.join(".pre-commit-hooks.yaml")).unwrap();
    let local = readme_local_snippet();
    let field = |text: &str, key: &str| -> String {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("no `{key}` in {text}"))
            .to_string()
    };
    let published_entry = field(&published, "entry");
    let local_entry = field(&local, "entry");
    let args = |entry: &str| entry.split_once(" check ").map(|(_, a)| a.to_string());
    assert_eq!(args(&published_entry), args(&local_entry));
    assert!(local_entry.contains("--dependents"), "{local_entry}");
    for hook in [&published, &local] {
        assert_eq!(field(hook, "verbose"), "true", "{hook}");
    }
    let script = published_entry.split(' ').next().unwrap();
    let script = std::fs::read_to_string(root.join(script)).unwrap();
    assert!(
        script
            .lines()
            .any(|l| l.trim_start().starts_with("cargo install --locked")),
        "{script}"
    );
}

#[test]
fn the_published_hook_builds_and_runs() {
    let Some(python) = python() else { return };
    let repo = scratch_repo(None);
    let home = tempfile::tempdir().unwrap();
    // The hook's script builds the tool with `cargo install --locked`: into a folder kept in the
    // target folder (only the first run builds the dependencies), unoptimised (the hook's
    // behaviour, not its speed, is under test).
    let build = common::python::target_dir().join("unawaited-test-hook-build");
    let envs = [
        ("CARGO_TARGET_DIR", build),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0".into()),
        ("CARGO_PROFILE_RELEASE_INCREMENTAL", "true".into()),
    ];
    eprintln!("the hook builds the tool from this repository (cargo install --locked); minutes the first time");
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
