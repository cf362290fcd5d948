//! Dependencies read from their sources: `fixtures/deps/app` checked with a fake `$CARGO_HOME`
//! (`fixtures/deps/home`), offline. Each test works on a copy of the fixture, so it can break it.

mod common;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/deps");

/// A copy of the fixture: `app/`, `home/` (the `$CARGO_HOME`), `pathdep/`, and `cache/` for the
/// dependency facts.
struct Copy {
    dir: TempDir,
}

impl Copy {
    fn new() -> Copy {
        let dir = tempfile::tempdir().expect("a temp dir");
        common::copy_tree(Path::new(FIXTURE), dir.path());
        Copy { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn registry(&self, rel: &str) -> PathBuf {
        self.path("home/registry/src/index.crates.io-0000000000000000")
            .join(rel)
    }

    /// `unawaited check --format json ARGS` in `app/` with `CARGO_HOME=home`: the findings
    /// (line, rule) of `src/lib.rs`, the notes and the whole document.
    fn run(&self, home: &Path, args: &[&str]) -> (BTreeSet<(u64, String)>, Vec<String>, Value) {
        let out = common::unawaited()
            .current_dir(self.path("app"))
            .env("CARGO_HOME", home)
            .env("UNAWAITED_DEPS_CACHE", self.path("cache"))
            .args(["check", "--format", "json"])
            .args(args)
            .output()
            .expect("runs");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_eq!(doc["errors"], Value::Array(Vec::new()), "no file errors");
        let findings = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["path"] == "src/lib.rs")
            .map(|d| {
                (
                    d["line"].as_u64().unwrap(),
                    d["rule"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let notes = doc["notes"]
            .as_array()
            .map(|n| n.iter().map(|s| s.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        (findings, notes, doc)
    }

    /// The findings (line, rule) in `app/src/FILE` of a run with the fixture's home.
    fn findings_in(&self, file: &str, args: &[&str]) -> BTreeSet<(u64, String)> {
        let (_, _, doc) = self.run_home(args);
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["path"] == format!("src/{file}"))
            .map(|d| {
                (
                    d["line"].as_u64().unwrap(),
                    d["rule"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn run_home(&self, args: &[&str]) -> (BTreeSet<(u64, String)>, Vec<String>, Value) {
        self.run(&self.path("home"), args)
    }
}

/// The `//~ rule` marks of the app.
fn marks() -> BTreeSet<(u64, String)> {
    let out = marks_in("lib.rs");
    assert!(out.len() >= 10, "{out:?}");
    out
}

/// The `//~ rule` marks of `app/src/FILE`.
fn marks_in(file: &str) -> BTreeSet<(u64, String)> {
    let text = std::fs::read_to_string(Path::new(FIXTURE).join("app/src").join(file)).unwrap();
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(at) = line.find("//~") {
            for rule in line[at + 3..].split_whitespace() {
                out.insert((i as u64 + 1, rule.to_string()));
            }
        }
    }
    out
}

fn fetch_notes(notes: &[String]) -> Vec<&String> {
    notes.iter().filter(|n| n.contains("cargo fetch")).collect()
}

/// Every file below `dir` with its size and modification time.
fn snapshot(dir: &Path) -> BTreeSet<(PathBuf, u64, std::time::SystemTime)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .map(|e| {
            let m = e.metadata().unwrap();
            (e.path().to_path_buf(), m.len(), m.modified().unwrap())
        })
        .collect()
}

#[test]
fn dependency_futures_are_flagged_only_when_the_sources_are_read() {
    let c = Copy::new();
    let home_before = snapshot(&c.path("home"));
    let (found, notes, _) = c.run_home(&[]);
    assert_eq!(found, marks(), "notes: {notes:?}");
    // One note for the dependency the code names whose sources are missing.
    let fetch = fetch_notes(&notes);
    assert_eq!(fetch.len(), 1, "{notes:?}");
    assert!(fetch[0].contains("missing 1.0.0"), "{notes:?}");
    // The crate that does not parse is named; the module nobody names is never read.
    assert!(
        notes
            .iter()
            .any(|n| n.contains("broken-0.1.0") && n.contains("does not parse")),
        "{notes:?}"
    );
    assert!(!notes.iter().any(|n| n.contains("heavy.rs")), "{notes:?}");
    // A crate the code names that the manifest does not declare (`tokio::select!`) is named
    // once; declared ones, std, the package's own modules and paths written only in comments
    // and strings (`in_a_comment::helper`) are not.
    let undeclared: Vec<&String> = notes
        .iter()
        .filter(|n| n.contains("declares no such dependency"))
        .collect();
    assert_eq!(undeclared.len(), 1, "{notes:?}");
    assert!(undeclared[0].contains("`tokio`"), "{notes:?}");
    // Facts cached in the user cache folder; nothing written under `$CARGO_HOME`.
    assert!(std::fs::read_dir(c.path("cache")).unwrap().count() >= 5);
    assert_eq!(snapshot(&c.path("home")), home_before);

    // Without the sources: no finding of the dependencies' futures.
    let (found, notes, _) = c.run_home(&["--no-deps"]);
    assert!(found.is_empty(), "{found:?}");
    assert!(notes.is_empty(), "{notes:?}");
}

/// The tables are a floor: reading a dependency's sources never loses a future the tables know
/// (futures-util's combinators, each in a module named like it under a `mod.rs`), and it finds
/// futures no table knows (a `pin_project!` struct implementing `Future`).
#[test]
fn reading_sources_only_adds_to_what_the_tables_know() {
    let c = Copy::new();
    let with_sources = c.findings_in("floor.rs", &[]);
    assert_eq!(with_sources, marks_in("floor.rs"));
    let tables_only = c.findings_in("floor.rs", &["--no-deps"]);
    assert!(
        // 3 futures, 1 stream, 2 futures through a guard the tables describe
        tables_only.is_subset(&with_sources) && tables_only.len() == 6,
        "{tables_only:?} against {with_sources:?}"
    );
}

/// A dependency's `unblock` (its body not analysed) offloads the closure it is given, as the
/// runtimes' calls of that name do.
#[test]
fn a_dependencys_offloading_call_is_known_by_its_name() {
    let c = Copy::new();
    assert_eq!(c.findings_in("offload.rs", &[]), marks_in("offload.rs"));
    // What rests on that name alone is a guess: never an error.
    let (_, _, doc) = c.run_home(&[]);
    let lost: Vec<_> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == "src/offload.rs" && d["rule"] == "unawaited_future")
        .collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(lost[0]["level"], "warn", "{lost:?}");
    assert_eq!(lost[0]["provenance"], "guessed", "{lost:?}");
}

#[test]
fn the_config_key_turns_it_off() {
    let c = Copy::new();
    common::write(&c.path("app"), "unawaited.toml", "deps = false\n");
    let (found, notes, _) = c.run_home(&[]);
    assert!(found.is_empty(), "{found:?}");
    assert!(notes.is_empty(), "{notes:?}");
    std::fs::remove_file(c.path("app/unawaited.toml")).unwrap();
    common::write(
        &c.path("app"),
        "Cargo.toml",
        &(std::fs::read_to_string(Path::new(FIXTURE).join("app/Cargo.toml")).unwrap()
            + "\n[package.metadata.unawaited]\ndeps = false\n"),
    );
    let (found, _, _) = c.run_home(&[]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn without_a_lock_the_manifests_requirements_pick_the_versions() {
    let c = Copy::new();
    std::fs::remove_file(c.path("app/Cargo.lock")).unwrap();
    let (found, notes, _) = c.run_home(&[]);
    assert_eq!(found, marks(), "notes: {notes:?}");
    assert_eq!(fetch_notes(&notes).len(), 1, "{notes:?}");
}

#[test]
fn a_malformed_or_huge_lock_is_a_note_and_the_run_goes_on() {
    let c = Copy::new();
    std::fs::write(c.path("app/Cargo.lock"), "[[package]\nname = = 3\n").unwrap();
    let (found, notes, _) = c.run_home(&[]);
    assert_eq!(found, marks(), "notes: {notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Cargo.lock") && n.contains("not a valid lock file")),
        "{notes:?}"
    );

    let big = "# padding\n".repeat(2 << 20);
    std::fs::write(c.path("app/Cargo.lock"), big).unwrap();
    let (found, notes, _) = c.run_home(&[]);
    assert_eq!(found, marks(), "notes: {notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Cargo.lock") && n.contains("larger than")),
        "{notes:?}"
    );
}

#[test]
fn missing_sources_are_one_note_naming_cargo_fetch() {
    let c = Copy::new();
    let empty = tempfile::tempdir().unwrap();
    let (found, notes, doc) = c.run(empty.path(), &[]);
    // The path dependency is still read; nothing else is known.
    let local: BTreeSet<(u64, String)> = marks()
        .into_iter()
        .filter(|(line, _)| *line == 17)
        .collect();
    assert_eq!(found, local, "{notes:?}");
    let fetch = fetch_notes(&notes);
    assert_eq!(fetch.len(), 1, "{notes:?}");
    for name in ["asyncdep 1.0.0", "asyncdep 2.0.0", "facade 0.3.0", "gitdep"] {
        assert!(fetch[0].contains(name), "{name}: {}", fetch[0]);
    }
    assert_eq!(doc["summary"]["errors"], 0);
}

#[test]
fn a_symlink_loop_or_an_unreadable_folder_is_a_note() {
    let c = Copy::new();
    let lib = c.registry("asyncdep-1.0.0/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, text + "\n#[path = \"looped.rs\"]\npub mod looped;\n").unwrap();
    let looped = c.registry("asyncdep-1.0.0/src/looped.rs");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&looped, &looped).unwrap();
    let app = c.path("app/src/lib.rs");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(
        &app,
        text + "\npub async fn more() {\n    asyncdep::looped::x();\n}\n",
    )
    .unwrap();
    let (found, notes, _) = c.run_home(&[]);
    assert_eq!(found, marks(), "notes: {notes:?}");
    #[cfg(unix)]
    assert!(notes.iter().any(|n| n.contains("looped.rs")), "{notes:?}");

    // An unreadable dependency folder (only meaningful when permissions are enforced).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = c.registry("facade-util-0.3.0");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
        let enforced = std::fs::read_dir(&dir).is_err();
        let (found, notes, _) = c.run_home(&["--no-cache"]);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        if enforced {
            let mut expected = marks();
            expected.retain(|(line, _)| *line != 14);
            assert_eq!(found, expected, "{notes:?}");
            assert!(
                notes.iter().any(|n| n.contains("facade-util-0.3.0")),
                "{notes:?}"
            );
        } else {
            assert_eq!(found, marks());
        }
    }
}

#[test]
fn registry_facts_are_cached_by_version_and_path_dependencies_by_content() {
    let c = Copy::new();
    let (first, _, _) = c.run_home(&[]);
    assert_eq!(first, marks());
    // A registry version never changes: its cached facts are used as they are (here, even
    // though the file was edited behind the cache's back).
    let lib = c.registry("asyncdep-1.0.0/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, text.replace("pub async fn fetch", "pub fn fetch")).unwrap();
    // A path dependency is read again when its content changes.
    std::fs::write(c.path("pathdep/src/lib.rs"), "pub fn local() {}\n").unwrap();
    let (second, _, _) = c.run_home(&[]);
    let mut expected = marks();
    expected.retain(|(line, _)| *line != 17);
    assert_eq!(second, expected);
    // Without the cache, the edited registry file is read as it now is.
    let (third, _, _) = c.run_home(&["--no-cache"]);
    expected.retain(|(line, _)| *line != 7);
    assert_eq!(third, expected);
}

#[test]
fn human_output_prints_the_note_on_standard_error() {
    let c = Copy::new();
    let out = common::unawaited()
        .current_dir(c.path("app"))
        .env("CARGO_HOME", c.path("home"))
        .env("UNAWAITED_DEPS_CACHE", c.path("cache"))
        .args(["check", "--color", "never"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("cargo fetch").count(), 1, "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("cargo fetch"));
}

/// Writes `files` (relative path, text) under `root`.
fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The (file, line, rule) of every finding of `unawaited check --format json .` in `dir`.
fn findings_of(dir: &Path, home: &Path) -> (BTreeSet<(String, u64, String)>, Vec<String>) {
    let out = common::unawaited()
        .current_dir(dir)
        .env("CARGO_HOME", home)
        .env("UNAWAITED_DEPS_CACHE", dir.join("deps-cache"))
        .args(["check", "--format", "json", "."])
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let findings = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let notes = doc["notes"]
        .as_array()
        .map(|n| n.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    (findings, notes)
}

/// A workspace that patches a crate with its own member (`[patch.crates-io]`) and commits no
/// lock reads the member, as cargo builds it, not a registry copy of the same crate that sits in
/// `$CARGO_HOME`; `[replace]` is followed the same way.
#[test]
fn a_patched_crate_is_read_from_the_patch_not_the_registry() {
    for patch in [
        "[patch.crates-io]\nrt = { path = \"rt\" }\n",
        "[patch.crates-io.rt]\npath = \"rt\"\n",
        "[replace]\n\"rt:1.0.0\" = { path = \"rt\" }\n",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        let home = dir.path().join("home");
        write_tree(
            &ws,
            &[
                (
                    "Cargo.toml",
                    &format!("[workspace]\nmembers = [\"rt\", \"app\"]\n\n{patch}"),
                ),
                (
                    "rt/Cargo.toml",
                    "[package]\nname = \"rt\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
                ),
                (
                    "rt/src/lib.rs",
                    "pub mod time {\n    pub async fn advance() {}\n}\n",
                ),
                (
                    "app/Cargo.toml",
                    "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                     [dependencies]\nrt = \"1\"\n",
                ),
                (
                    "app/src/lib.rs",
                    "pub async fn run() {\n    rt::time::advance();\n}\n",
                ),
            ],
        );
        // The registry copy: the same crate, where `advance` is not async.
        write_tree(
            &home,
            &[
                (
                    "registry/src/index.crates.io-0000000000000000/rt-1.0.0/Cargo.toml",
                    "[package]\nname = \"rt\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
                ),
                (
                    "registry/src/index.crates.io-0000000000000000/rt-1.0.0/src/lib.rs",
                    "pub mod time {\n    pub fn advance() {}\n}\n",
                ),
            ],
        );
        let (findings, notes) = findings_of(&ws, &home);
        assert!(
            findings.contains(&("app/src/lib.rs".into(), 2, "unawaited_future".into())),
            "{patch}: {findings:?} {notes:?}"
        );
    }
}

/// When the version the lock pins is not on disk, another version the manifest accepts is read,
/// and a note says which, once.
#[test]
fn a_version_other_than_the_locked_one_is_named_in_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("app");
    let home = dir.path().join("home");
    let registry = "registry/src/index.crates.io-0000000000000000/rt-1.0.0";
    write_tree(
        &pkg,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [dependencies]\nrt = \"1\"\n",
            ),
            (
                "Cargo.lock",
                "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\
                 dependencies = [\"rt\"]\n\n[[package]]\nname = \"rt\"\nversion = \"1.0.1\"\n\
                 source = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
            ),
            (
                "src/lib.rs",
                "pub async fn run() {\n    rt::time::advance();\n}\n",
            ),
        ],
    );
    write_tree(
        &home,
        &[
            (
                &format!("{registry}/Cargo.toml"),
                "[package]\nname = \"rt\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
            ),
            (
                &format!("{registry}/src/lib.rs"),
                "pub mod time {\n    pub async fn advance() {}\n}\n",
            ),
        ],
    );
    let (findings, notes) = findings_of(&pkg, &home);
    assert!(
        findings.contains(&("src/lib.rs".into(), 2, "unawaited_future".into())),
        "{findings:?}"
    );
    let about: Vec<&String> = notes.iter().filter(|n| n.starts_with("rt: ")).collect();
    assert_eq!(about.len(), 1, "{notes:?}");
    assert!(
        about[0].contains("the lock pins 1.0.1") && about[0].contains("1.0.0 is read instead"),
        "{notes:?}"
    );
}

/// A `mod x;` whose file is not on disk is named in a note, and a callee in it that the file
/// awaits everywhere else is a future by that evidence only: a warning, never an error.
#[test]
fn a_missing_module_is_a_note_and_its_awaited_callees_are_guesses() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    write_tree(
        &pkg,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"pkg\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("src/lib.rs", "pub fn f() {}\n"),
            (
                "tests/it.rs",
                "mod helpers;\n\nasync fn t() {\n    helpers::start().await;\n    \
                 helpers::start();\n}\n",
            ),
        ],
    );
    let out = common::unawaited()
        .current_dir(&pkg)
        .env("CARGO_HOME", dir.path().join("home"))
        .args(["check", "--format", "json", "--show-notes", "."])
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let finding = &doc["diagnostics"][0];
    assert_eq!(finding["path"], "tests/it.rs", "{doc}");
    assert_eq!(finding["line"], 5);
    assert_eq!(finding["level"], "warn", "inferred from use only: {doc}");
    let notes = doc["notes"].to_string();
    assert!(
        notes.contains("tests/it.rs: `mod helpers;` has no file"),
        "{notes}"
    );
}

/// Two contexts of one run that read the same dependencies share what the first of them
/// parsed (each crate's macros searched and each file parsed once a run, not once a context):
/// each finds what it finds alone, cold and warm, and the dependency cache each fills serves
/// a later run of it alone.
#[test]
fn contexts_that_read_the_same_dependencies_find_what_they_find_alone() {
    let c = Copy::new();
    common::copy_tree(&c.path("app"), &c.path("app2"));
    let run = |dirs: &[&str], cache: &str| {
        let out = common::unawaited()
            .current_dir(c.dir.path())
            .env("CARGO_HOME", c.path("home"))
            .env("UNAWAITED_DEPS_CACHE", c.path(cache))
            .args(["check", "--format", "json", "--jobs", "2"])
            .args(dirs)
            .output()
            .expect("runs");
        let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let path = d["path"].as_str().unwrap().to_string();
                (path, d["line"].as_u64().unwrap(), d["rule"].to_string())
            })
            .collect::<BTreeSet<_>>()
    };
    let alone: BTreeSet<_> = run(&["app"], "cache-app")
        .into_iter()
        .chain(run(&["app2"], "cache-app2"))
        .collect();
    let marked = alone
        .iter()
        .filter(|(p, _, _)| p == "app/src/lib.rs")
        .count();
    assert_eq!(marked, marks().len(), "{alone:?}");
    assert_eq!(run(&["app", "app2"], "cache"), alone, "cold, together");
    assert_eq!(run(&["app", "app2"], "cache"), alone, "warm, together");
    assert_eq!(
        run(&["app2"], "cache"),
        run(&["app2"], "cache-app2"),
        "warm, alone"
    );
}

/// A crate the tables describe, analysed itself (actix-server's own `ServerHandle::stop`): the
/// table says the call gives a future, and the source says more — the maker sends the command
/// before it returns the future that waits for the reply. Dropping it loses only the wait: a
/// warning as a statement, nothing for an explicit `drop`, as for any such maker.
#[test]
fn the_source_says_when_a_table_api_starts_its_work() {
    let dir = tempfile::tempdir().expect("a temp dir");
    common::write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"actix-server\"\nversion = \"2.0.0\"\nedition = \"2021\"\n",
    );
    common::write(
        dir.path(),
        "src/lib.rs",
        "use std::future::Future;\n\
         pub struct ServerHandle { tx: std::sync::mpsc::Sender<bool> }\n\
         impl ServerHandle {\n\
         \x20   pub fn stop(&self, graceful: bool) -> impl Future<Output = ()> {\n\
         \x20       let _ = self.tx.send(graceful);\n\
         \x20       async {}\n\
         \x20   }\n\
         }\n\
         pub async fn shut(h: &ServerHandle) {\n\
         \x20   drop(h.stop(true));\n\
         \x20   h.stop(false);\n\
         }\n",
    );
    let (doc, _) = common::check_json(dir.path(), &["--no-cache"]);
    let found: Vec<(u64, String)> = doc["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(found, [(11, "warn".to_string())], "{doc}");
}
