//! The working tree, end to end on temporary git repositories: a run leaves nothing untracked
//! (the cache goes where cargo builds, tagged and git-ignored, never into a nested package);
//! the walk skips what git and `.ignore` files ignore; `clean` removes the cache; paths that
//! are missing, empty or unreadable are reported where a user looks for them.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

const FINDING: &str = "async fn w() {}\npub async fn f() {\n    w();\n}\n";

/// A git repository in a temporary folder, isolated from the user's git configuration (its
/// own `HOME`, so global excludes are the test's).
struct Repo {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        for (path, text) in files {
            write(repo.path(), path, text);
        }
        repo.git(&["init", "-q"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("CARGO_HOME", self.home.path().join(".cargo"));
    }

    fn git(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        self.env(&mut cmd);
        let out = cmd
            .current_dir(self.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .expect("git runs (the end-to-end tests need git)");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn commit_all(&self) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", "start"]);
    }

    /// What `git status` lists: untracked (including ignored-free) and modified files.
    fn status(&self) -> String {
        self.git(&["status", "--porcelain", "--untracked-files=all"])
    }

    /// `unawaited ARGS` in `dir` (relative to the repository): exit code, stdout, stderr.
    fn run_in(&self, dir: &str, args: &[&str]) -> (i32, String, String) {
        let mut cmd = unawaited();
        cmd.env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("CARGO_HOME", self.home.path().join(".cargo"));
        let out = cmd
            .current_dir(self.path().join(dir))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_in(".", args)
    }

    /// The paths of the findings of `unawaited check --format json ARGS`.
    fn paths_found(&self, args: &[&str]) -> Vec<String> {
        let (code, out, err) = self.run(&[&["check", "--format", "json"], args].concat());
        assert!(code < 2, "exit {code}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["path"].as_str().unwrap().to_string())
            .collect()
    }
}

/// Every folder named `target` below `dir`.
fn target_folders(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_dir() && e.file_name() == "target")
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect()
}

/// A workspace with a nested member, a nested package outside it, and no `.gitignore` at all.
fn nested_packages() -> Repo {
    Repo::new(&[
        (
            "Cargo.toml",
            "[package]\nname = \"top\"\nversion = \"0.1.0\"\n\n[workspace]\nmembers = [\"crates/a\"]\nexclude = [\"tools/x\"]\n",
        ),
        ("src/lib.rs", FINDING),
        ("crates/a/Cargo.toml", "[package]\nname = \"a\"\nversion = \"0.1.0\"\n"),
        ("crates/a/src/lib.rs", FINDING),
        ("tools/x/Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.1.0\"\n"),
        ("tools/x/src/main.rs", FINDING),
    ])
}

#[test]
fn a_run_leaves_nothing_untracked() {
    let repo = nested_packages();
    repo.commit_all();
    for (dir, args) in [
        (".", vec!["check", "--exit-zero"]),
        (
            ".",
            vec![
                "check",
                "--exit-zero",
                "tools/x/src/main.rs",
                "crates/a/src/lib.rs",
            ],
        ),
        ("tools/x", vec!["check", "--exit-zero"]),
        (
            "crates/a",
            vec!["check", "--exit-zero", "--format", "sarif"],
        ),
    ] {
        let (code, _, err) = repo.run_in(dir, &args);
        assert_eq!(code, 0, "{dir} {args:?}: {err}");
        assert_eq!(repo.status(), "", "after {args:?} in {dir}");
    }
    assert_eq!(
        target_folders(repo.path()),
        [PathBuf::from("target")],
        "only the top folder's target, none in a nested package"
    );
    let cache = repo.path().join("target/unawaited");
    let tag = std::fs::read_to_string(cache.join("CACHEDIR.TAG")).unwrap();
    assert!(
        tag.starts_with("Signature: 8a477f597d28d172789f06886806bc55\n"),
        "{tag}"
    );
    assert_eq!(
        std::fs::read_to_string(cache.join(".gitignore")).unwrap(),
        "*\n"
    );
    let caches = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".cache"))
        .count();
    assert_eq!(
        caches, 5,
        "an index and a walk cache for the workspace, and for the package outside it, and the \
         run cache of the invocations"
    );

    // `clean` says what it removed, from anywhere in the tree.
    let (code, out, err) = repo.run_in("tools/x", &["clean"]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(
        err.contains("removed") && err.contains("target/unawaited") && err.contains("7 files"),
        "{err}"
    );
    assert!(!cache.exists());
    let (code, _, err) = repo.run(&["clean"]);
    assert_eq!(code, 0);
    assert!(err.contains("no cache in target/unawaited"), "{err}");
    assert_eq!(repo.status(), "");
}

#[test]
fn the_cache_goes_where_cargo_builds() {
    let repo = nested_packages();
    repo.commit_all();
    // `build.target-dir` of `.cargo/config.toml`, relative to the folder holding `.cargo/`.
    write(
        repo.path(),
        ".cargo/config.toml",
        "[build]\ntarget-dir = \"build/out\"\n",
    );
    repo.commit_all();
    let (code, _, err) = repo.run_in("tools/x", &["check", "--exit-zero"]);
    assert_eq!(code, 0, "{err}");
    assert!(repo
        .path()
        .join("build/out/unawaited/CACHEDIR.TAG")
        .is_file());
    assert_eq!(target_folders(repo.path()), Vec::<PathBuf>::new());
    assert_eq!(repo.status(), "");
    // `CARGO_TARGET_DIR` wins, relative to the working directory.
    let out = unawaited()
        .current_dir(repo.path().join("crates"))
        .env("CARGO_TARGET_DIR", "../tgt")
        .env("HOME", repo.home.path())
        .args(["check", "--exit-zero", "a"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(repo.path().join("tgt/unawaited/.gitignore").is_file());
    assert_eq!(repo.status(), "");
    // `clean` finds the same folder.
    let (code, _, err) = repo.run(&["clean", "tools/x"]);
    assert_eq!(code, 0);
    assert!(err.contains("removed build/out/unawaited"), "{err}");
}

#[test]
fn the_walk_skips_what_git_ignores() {
    // A virtual manifest: the files outside its packages are loose files, all found by the
    // walk (a package's walk skips what none of its targets compiles, see `tests/cli.rs`).
    let repo = Repo::new(&[
        ("Cargo.toml", "[workspace]\nmembers = []\n"),
        ("src/lib.rs", FINDING),
        (".gitignore", "/vendor/\n*.generated.rs\n"),
        ("vendor/dep/lib.rs", FINDING),
        ("gen/api.generated.rs", FINDING),
        ("data/.gitignore", "*.rs\n!keep.rs\n"),
        ("data/input.rs", FINDING),
        ("data/keep.rs", FINDING),
        (".ignore", "fixtures/\n"),
        ("fixtures/case.rs", FINDING),
        ("scratch/try.rs", FINDING),
        ("node_modules/pkg/x.rs", FINDING),
    ]);
    write(repo.path(), ".git/info/exclude", "scratch/\n");
    write(repo.home.path(), ".config/git/ignore", "node_modules/\n");
    repo.commit_all();
    let git_sees = repo.status();
    assert_eq!(git_sees, "", "git ignores the same files");
    assert_eq!(repo.paths_found(&["."]), ["data/keep.rs", "src/lib.rs"]);
    let mut all = repo.paths_found(&[".", "--no-ignore"]);
    all.sort();
    assert_eq!(
        all,
        [
            "data/input.rs",
            "data/keep.rs",
            "fixtures/case.rs",
            "gen/api.generated.rs",
            "node_modules/pkg/x.rs",
            "scratch/try.rs",
            "src/lib.rs",
            "vendor/dep/lib.rs"
        ]
    );
    // Named on the command line: checked, unless --force-exclude (as in ruff).
    assert_eq!(
        repo.paths_found(&["vendor/dep/lib.rs"]),
        ["vendor/dep/lib.rs"]
    );
    assert_eq!(repo.paths_found(&["vendor"]), ["vendor/dep/lib.rs"]);
    assert_eq!(
        repo.paths_found(&[
            "--force-exclude",
            "vendor/dep/lib.rs",
            "gen/api.generated.rs",
            "scratch",
            "src/lib.rs"
        ]),
        ["src/lib.rs"]
    );
    assert_eq!(repo.status(), "");
}

#[test]
fn outside_a_repository_gitignore_means_nothing_but_ignore_does() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "a.rs\n");
    write(dir.path(), ".ignore", "b.rs\n");
    write(dir.path(), "a.rs", FINDING);
    write(dir.path(), "b.rs", FINDING);
    let (doc, _) = check_json(dir.path(), &["."]);
    let paths: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["a.rs"]);
}

#[test]
fn missing_empty_and_unreadable_paths() {
    let repo = Repo::new(&[("a.rs", FINDING), ("docs/readme.md", "# docs\n")]);
    // A missing path: an error on stderr, nothing on stdout, exit 2.
    let (code, out, err) = repo.run(&["check", "a.rs", "gone.rs"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err, "error: gone.rs: no such file or directory\n");
    // A folder with no Rust file: a warning on stderr, exit 0.
    let (code, out, err) = repo.run(&["check", "docs"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(err, "warning: no Rust file to check in `docs`\n");
    // Unreadable (not UTF-8) files are reported; --exit-zero exits 0 all the same.
    std::fs::write(repo.path().join("latin1.rs"), b"// caf\xe9\n").unwrap();
    let (code, out, _) = repo.run(&["check", "--format", "json", "--exit-zero", "."]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["errors"][0]["path"], "latin1.rs", "{doc}");
    assert_eq!(doc["summary"]["diagnostics"], 1, "{doc}");
    let (code, out, _) = repo.run(&["check", "--format", "sarif", "--exit-zero", "."]);
    assert_eq!(code, 0, "the README's SARIF step passes on such a tree");
    assert!(out.contains("latin1.rs"), "{out}");
    let (code, _, _) = repo.run(&["check", "."]);
    assert_eq!(code, 2, "without --exit-zero, a file error is exit 2");
}
