//! The README's Security section, claim by claim: what a tree under check (a pull request from
//! a stranger) can and cannot make the tool do.
//!
//! - A cache it plants hides no finding: cache files are sealed with a secret key of the user's,
//!   and one sealed any other way is ignored and rewritten (the index cache in the package's
//!   `target/unawaited/` with the walk and run caches beside it, and the dependency cache).

mod common;
use common::forge::{self, Seal};
use common::*;

use std::path::{Path, PathBuf};
use unawaited::files::SealKey;

/// A run of the binary in `dir` with its key in `key_file`: the JSON document.
fn check_with_key(
    dir: &Path,
    key_file: &Path,
    env: &[(&str, &Path)],
    args: &[&str],
) -> serde_json::Value {
    let mut cmd = unawaited();
    cmd.current_dir(dir)
        .env(unawaited::files::KEY_FILE_VAR, key_file)
        .args(["check", "--format", "json", "--exit-zero"])
        .args(args);
    for (var, value) in env {
        cmd.env(var, value);
    }
    let out = cmd.output().expect("runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The (path, line, rule) of every finding of a document.
fn findings(doc: &serde_json::Value) -> Vec<(String, u64, String)> {
    doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The cache files (not the folder's markers) of a cache folder.
fn cache_files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "cache"))
                .collect()
        })
        .unwrap_or_default()
}

const SYNC_FETCH: &str = "pub fn fetch() {}\n";
const ASYNC_FETCH: &str = "pub async fn fetch() {}\n";

/// The pull request of the issue: `fetch` becomes async, its caller drops the future, and the
/// package's `target/unawaited/` holds, under the new file's content hash, the facts of the old
/// sync `fetch`. Sealed as the forger can seal it (the old content-hash seal, a key of its
/// own), the cache is ignored and the dropped future reported; sealed with the user's own key
/// (which the tree cannot know: the control), the same forgery would hide it.
#[test]
fn a_forged_index_cache_hides_no_finding() {
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("key");
    let dir = package(&[
        (
            "src/lib.rs",
            "mod net;\npub async fn run() {\n    net::fetch();\n}\n",
        ),
        ("src/net.rs", SYNC_FETCH),
    ]);
    // The run cache is removed before each run: only the index cache is in play.
    let run_cache = dir.path().join("target/unawaited/run.cache");
    let run = || {
        let _ = std::fs::remove_file(&run_cache);
        findings(&check_with_key(dir.path(), &key_file, &[], &[]))
    };
    assert!(run().is_empty());
    // The index cache (the walk cache beside it is sealed the same way).
    let cache = cache_files_in(&dir.path().join("target/unawaited"))
        .into_iter()
        .find(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("index-"))
        })
        .unwrap();
    let written_by_sync = std::fs::read(&cache).unwrap();
    write(dir.path(), "src/net.rs", ASYNC_FETCH);
    let expected = vec![("src/lib.rs".to_string(), 3, "unawaited_future".to_string())];

    each_forgery(
        &cache,
        &written_by_sync,
        &key_file,
        "a cache",
        |files: &mut forge::IndexPayload| {
            for entry in files.iter_mut().filter(|e| e.0 == "src/net.rs") {
                entry.1 = forge::hash_hex(ASYNC_FETCH);
            }
        },
        &run,
        &expected,
    );
}

/// The walk cache (each file's stored findings facts) is sealed the same way: a planted one
/// that says a file found nothing hides no finding.
#[test]
fn a_forged_walk_cache_hides_no_finding() {
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("key");
    let dir = package(&[(
        "src/lib.rs",
        "async fn fetch() {}\npub async fn run() {\n    fetch();\n}\n",
    )]);
    // The run cache is removed before each run: only the walk cache is in play.
    let run_cache = dir.path().join("target/unawaited/run.cache");
    let run = || {
        let _ = std::fs::remove_file(&run_cache);
        findings(&check_with_key(dir.path(), &key_file, &[], &[]))
    };
    let expected = vec![("src/lib.rs".to_string(), 3, "unawaited_future".to_string())];
    assert_eq!(run(), expected);
    let cache = cache_files_in(&dir.path().join("target/unawaited"))
        .into_iter()
        .find(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("walk-"))
        })
        .expect("a walk cache");
    let written = std::fs::read(&cache).unwrap();
    each_forgery(
        &cache,
        &written,
        &key_file,
        "a walk cache",
        |payload: &mut forge::WalkPayload| {
            for entry in payload.1.iter_mut().filter(|e| e.0 == "src/lib.rs") {
                entry.2.facts.clear();
            }
        },
        &run,
        &expected,
    );
}

/// The run cache (a whole run's stored outcome, replayed while nothing it read changed) is
/// sealed the same way: a planted one that says the run found nothing hides no finding.
#[test]
fn a_forged_run_cache_hides_no_finding() {
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("key");
    let dir = package(&[(
        "src/lib.rs",
        "async fn fetch() {}\npub async fn run() {\n    fetch();\n}\n",
    )]);
    let run = || findings(&check_with_key(dir.path(), &key_file, &[], &[]));
    let expected = vec![("src/lib.rs".to_string(), 3, "unawaited_future".to_string())];
    assert_eq!(run(), expected);
    let cache = dir.path().join("target/unawaited/run.cache");
    let written = std::fs::read(&cache).expect("a run cache");
    // The control needs the replay itself to work: the stored outcome is replayed unchanged.
    assert_eq!(run(), expected);
    each_forgery(
        &cache,
        &written,
        &key_file,
        "a run cache",
        |records: &mut forge::RunPayload| {
            for record in records.iter_mut() {
                record.outcome.diagnostics.clear();
            }
        },
        &run,
        &expected,
    );
}

/// Plants forgeries of the sealed `cache` (each from its bytes as `written`, its payload
/// changed by `edit`): sealed the old way (the content hash) and with another key, `run` must
/// still find `expected`; sealed with the user's own key, the control, the forgery must hide it.
fn each_forgery<T: serde::Serialize + serde::de::DeserializeOwned>(
    cache: &Path,
    written: &[u8],
    key_file: &Path,
    what_cache: &str,
    edit: impl Fn(&mut T),
    run: &dyn Fn() -> Vec<(String, u64, String)>,
    expected: &[(String, u64, String)],
) {
    let user_key = SealKey::load_or_create(key_file).expect("the run made the key");
    let another_key = SealKey::from_bytes([7; 32]);
    let cases = [
        ("the content-hash seal", Seal::ContentHash, false),
        ("another key", Seal::Key(&another_key), false),
        ("the user's key (control)", Seal::Key(&user_key), true),
    ];
    for (what, seal, hides) in cases {
        std::fs::write(cache, written).unwrap();
        forge::reseal(cache, seal, &edit);
        let found = run();
        if hides {
            assert!(found.is_empty(), "{what}: the forgery itself is sound");
        } else {
            assert_eq!(found, expected, "{what_cache} forged with {what}");
        }
    }
}

/// A fake `$CARGO_HOME` holding the registry crate `asyncdep 1.0.0` (whose `fetch` is async) and
/// a package using it, which drops `asyncdep::fetch()`'s future.
fn package_with_dependency() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let krate = home.join("registry/src/index.crates.io-0000000000000000/asyncdep-1.0.0");
    write(
        &krate,
        "Cargo.toml",
        "[package]\nname = \"asyncdep\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    write(&krate, "src/lib.rs", ASYNC_FETCH);
    let app = dir.path().join("app");
    app_using_asyncdep(&app);
    (dir, home, app)
}

/// The same for the dependency cache: facts of a sync `fetch` for the registry crate's async
/// one, in the cache folder, sealed without the user's key, change nothing.
#[test]
fn a_forged_dependency_cache_hides_no_finding() {
    let (dir, home, app) = package_with_dependency();
    let key_file = dir.path().join("key");
    let deps_cache = dir.path().join("deps-cache");
    let env = [
        ("CARGO_HOME", home.as_path()),
        ("UNAWAITED_DEPS_CACHE", &deps_cache),
    ];
    // The app's index cache is removed after each run: only the dependency cache is in play.
    let run = || findings(&check_with_key(&app, &key_file, &env, &[]));
    let expected = vec![("src/lib.rs".to_string(), 2, "unawaited_future".to_string())];
    assert_eq!(run(), expected);
    let cache = cache_files_in(&deps_cache)
        .pop()
        .expect("the dependency cache");
    let written = std::fs::read(&cache).unwrap();
    std::fs::remove_dir_all(app.join("target")).unwrap();

    each_forgery(
        &cache,
        &written,
        &key_file,
        "a dependency cache",
        |stored: &mut forge::DepsPayload| {
            let (hash, facts) = stored.3.get_mut("src/lib.rs").expect("lib.rs cached");
            *facts = forge::facts_of(SYNC_FETCH);
            *hash = forge::hash_hex(SYNC_FETCH);
        },
        &|| {
            let found = run();
            std::fs::remove_dir_all(app.join("target")).unwrap();
            found
        },
        &expected,
    );
}

/// Without a key that can be read or made (its folder is a file; a key others may read), no
/// cache is read or written, and the findings are the same.
#[test]
fn without_a_usable_key_no_cache_is_used() {
    let dir = package(&[(
        "src/lib.rs",
        "async fn w() {}\npub async fn f() {\n    w();\n}\n",
    )]);
    let keys = tempfile::tempdir().unwrap();
    std::fs::write(keys.path().join("plain"), "a file").unwrap();
    let no_key = keys.path().join("plain/key");
    let doc = check_with_key(dir.path(), &no_key, &[], &[]);
    assert_eq!(findings(&doc).len(), 1, "{doc}");
    assert!(cache_files_in(&dir.path().join("target/unawaited")).is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let shared = keys.path().join("shared");
        std::fs::write(&shared, [5u8; 32]).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).unwrap();
        let doc = check_with_key(dir.path(), &shared, &[], &[]);
        assert_eq!(findings(&doc).len(), 1, "{doc}");
        assert!(cache_files_in(&dir.path().join("target/unawaited")).is_empty());
        assert_eq!(std::fs::read(&shared).unwrap(), [5u8; 32], "left as it was");
    }
}

/// What a file outside the repository holds: a line no output may ever show.
const SECRET: &str = "OUTSIDE_SECRET_7f3a";

/// A git repository `repo/` (a package with one finding of its own) beside a folder
/// `outside/` holding what the tree must not read: `secret.rs` (a text that does not parse and
/// whose first line is the secret) and `blocking.rs` (a blocking `get`, the secret in a
/// comment).
fn repository_beside_outside() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    write(&outside, "secret.rs", &format!("{SECRET}=hunter2 {{\n"));
    write(
        &outside,
        "blocking.rs",
        &format!(
            "// {SECRET}\npub fn get() {{\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}}\n"
        ),
    );
    write(&outside, "conf.toml", &format!("{SECRET} = = 1\n"));
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(
        &repo,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    (dir, repo)
}

/// Every output format the CLI has, as (what, arguments).
const FORMATS: &[(&str, &[&str])] = &[
    ("human", &["--format", "human"]),
    ("short", &["--format", "short"]),
    ("concise", &["--output-format", "concise"]),
    ("json", &["--format", "json"]),
    ("sarif", &["--format", "sarif"]),
    ("github", &["--format", "github"]),
    ("cargo", &["--format", "cargo"]),
    ("cargo json", &["--message-format", "json"]),
    ("cargo short", &["--message-format", "short"]),
];

/// Runs `unawaited check ARGS` in `dir` in every format, every note shown: the whole output of
/// each (standard output and error), which must not hold the secret.
fn assert_never_shown(dir: &Path, args: &[&str]) {
    for (what, format) in FORMATS {
        let out = unawaited()
            .current_dir(dir)
            .args(["check", "--show-notes", "--exit-zero"])
            .args(*format)
            .args(args)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(SECRET), "{what} {args:?} shows it: {text}");
    }
}

/// The notes of a JSON run.
fn notes_of(doc: &serde_json::Value) -> Vec<String> {
    doc["notes"]
        .as_array()
        .map(|n| n.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// A symbolic link to a file or a folder outside the repository is not read as a source: a
/// note names the link; nothing of what it leads to is shown, in any format, whether the
/// folder or the link itself is named. The same text inside the repository is shown (the
/// control: the secret would be printed if it were read).
#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_repository_is_not_read() {
    let (dir, repo) = repository_beside_outside();
    let outside = dir.path().join("outside");
    write(
        &repo,
        "src/lib.rs",
        "mod secret;\nmod linked;\npub async fn run() {\n    linked::blocking::get();\n}\n",
    );
    std::os::unix::fs::symlink(outside.join("secret.rs"), repo.join("src/secret.rs")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.join("src/linked")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.rs"), repo.join("build.rs")).unwrap();
    let (doc, _) = check_json(&repo, &["--exit-zero"]);
    assert_eq!(doc["diagnostics"], serde_json::json!([]), "{doc}");
    let notes = notes_of(&doc);
    for link in ["src/secret.rs", "src/linked", "build.rs"] {
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with(&format!("{link}: a symbolic link that leads outside"))),
            "{notes:?}"
        );
    }
    assert_never_shown(&repo, &[]);
    assert_never_shown(&repo, &["src/secret.rs"]);
    assert_never_shown(&repo, &["src/linked"]);
    // The control: the same text inside the repository is read, and its line shown.
    std::fs::remove_file(repo.join("src/secret.rs")).unwrap();
    std::fs::copy(outside.join("secret.rs"), repo.join("src/secret.rs")).unwrap();
    let out = unawaited()
        .current_dir(&repo)
        .args(["check", "--exit-zero"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(SECRET));
}

/// `#[path]` and `include!` that lead outside the repository are not read: a note names the
/// file that holds them, and the outside file's items are unknown (its blocking `get` is not
/// reported), in any format.
#[test]
fn path_and_include_out_of_the_repository_are_not_read() {
    let (_dir, repo) = repository_beside_outside();
    write(
        &repo,
        "src/lib.rs",
        "#[path = \"../../outside/blocking.rs\"]\nmod blocking;\n\
         include!(\"../../outside/secret.rs\");\n\
         pub async fn run() {\n    blocking::get();\n}\n",
    );
    let (doc, _) = check_json(&repo, &["--exit-zero"]);
    assert_eq!(doc["diagnostics"], serde_json::json!([]), "{doc}");
    let notes = notes_of(&doc);
    for how in ["#[path]", "include!"] {
        let note = format!("src/lib.rs: `{how}` leads outside the repository: not read");
        assert!(notes.contains(&note), "{notes:?}");
    }
    assert_never_shown(&repo, &[]);
    // The control: the same module inside the repository is read, and its blocking call found.
    std::fs::copy(
        repo.join("../outside/blocking.rs"),
        repo.join("src/blocking.rs"),
    )
    .unwrap();
    write(
        &repo,
        "src/lib.rs",
        "#[path = \"blocking.rs\"]\nmod blocking;\npub async fn run() {\n    blocking::get();\n}\n",
    );
    let (doc, _) = check_json(&repo, &["--exit-zero"]);
    assert_eq!(doc["diagnostics"][0]["rule"], "blocking_in_async", "{doc}");
}

/// A target path in `Cargo.toml` that leads outside the repository is not read either.
#[test]
fn a_manifest_target_out_of_the_repository_is_not_read() {
    let (_dir, repo) = repository_beside_outside();
    write(
        &repo,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [lib]\npath = \"../outside/secret.rs\"\n",
    );
    write(&repo, "src/main.rs", "fn main() {}\n");
    let (doc, _) = check_json(&repo, &["--exit-zero"]);
    assert!(
        notes_of(&doc).contains(
            &"Cargo.toml: a target's `path` leads outside the repository: not read".to_string()
        ),
        "{doc}"
    );
    assert_never_shown(&repo, &[]);
}

/// `extend` out of the repository is refused (exit 2, the extending line named); with
/// `--allow-extend-outside` it is read, and an error in it names the file and line without
/// quoting it; a valid one applies.
#[test]
fn extend_out_of_the_repository_is_refused_and_never_quoted() {
    let (dir, repo) = repository_beside_outside();
    write(
        &repo,
        "src/lib.rs",
        "async fn w() {}\npub async fn run() {\n    w();\n}\n",
    );
    write(
        &repo,
        "unawaited.toml",
        "extend = \"../outside/conf.toml\"\n",
    );
    let err = stderr_of_error_run(&repo, &["check"], "extend out");
    assert!(
        err.contains("unawaited.toml: line 1")
            && err.contains("`extend` leads outside the repository")
            && err.contains("--allow-extend-outside"),
        "{err}"
    );
    assert!(!err.contains(SECRET), "{err}");
    let err = stderr_of_error_run(
        &repo,
        &["check", "--allow-extend-outside"],
        "extend out, allowed",
    );
    assert!(
        err.contains("conf.toml: line 1") && !err.contains(SECRET),
        "{err}"
    );
    for (what, format) in FORMATS {
        let out = unawaited()
            .current_dir(&repo)
            .args(["check", "--allow-extend-outside"])
            .args(*format)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(SECRET), "{what}: {text}");
    }
    // Allowed and valid: the outside file's level applies.
    write(
        &dir.path().join("outside"),
        "conf.toml",
        "[rules]\nunawaited_future = \"allow\"\n",
    );
    let (doc, code) = check_json(&repo, &["--allow-extend-outside"]);
    assert_eq!((doc["summary"]["diagnostics"].as_u64(), code), (Some(0), 0));
    // `unawaited config` shows the settings under the same rule.
    let err = stderr_of_error_run(&repo, &["config", "src/lib.rs"], "config, extend out");
    assert!(
        err.contains("`extend` leads outside the repository"),
        "{err}"
    );
    let shown = stdout_of_success(&repo, &["config", "--allow-extend-outside", "src/lib.rs"]);
    assert!(shown.contains("unawaited_future = \"allow\""), "{shown}");
    // Inside the repository, `extend` works without the flag.
    write(
        &repo,
        "base.toml",
        "[rules]\nunawaited_future = \"allow\"\n",
    );
    write(&repo, "unawaited.toml", "extend = \"base.toml\"\n");
    let (doc, code) = check_json(&repo, &[]);
    assert_eq!((doc["summary"]["diagnostics"].as_u64(), code), (Some(0), 0));
}

/// A dependency's source (under `$CARGO_HOME`) is read but never quoted: a file of it that
/// does not parse is a note naming its path, and its text appears in no format.
#[test]
fn dependency_sources_are_never_quoted() {
    let (dir, home, app) = package_with_dependency();
    let krate = home.join("registry/src/index.crates.io-0000000000000000/asyncdep-1.0.0");
    write(&krate, "src/lib.rs", &format!("{SECRET}=hunter2 {{\n"));
    let deps_cache = dir.path().join("deps-cache");
    for (what, format) in FORMATS {
        let out = unawaited()
            .current_dir(&app)
            .env("CARGO_HOME", &home)
            .env("UNAWAITED_DEPS_CACHE", &deps_cache)
            .args(["check", "--show-notes", "--exit-zero"])
            .args(*format)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(SECRET), "{what}: {text}");
        assert!(text.contains("does not parse"), "{what}: {text}");
    }
}
