//! The index cache: results with and without it are identical; a corrupt, truncated, foreign
//! or forged cache file is ignored and rebuilt; two runs at once never corrupt it;
//! `--no-cache` neither reads nor writes it; an edited file is re-parsed.

mod common;
use common::*;

use std::path::{Path, PathBuf};

/// A copy of the reference pipeline (a real Cargo package with findings in many files).
fn pipeline_copy() -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pipeline");
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(&src)
        .into_iter()
        .filter_entry(|e| e.file_name() != "target")
        .flatten()
    {
        let rel = entry.path().strip_prefix(&src).unwrap();
        let dest = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
    dir
}

/// The cache files in the package's default cache folder.
fn cache_files(dir: &Path) -> Vec<PathBuf> {
    cache_files_in(&dir.join("target/unawaited"))
}

/// The cache files (`index-*.cache`, and any temporary file left) in a cache folder.
fn cache_files_in(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name != "CACHEDIR.TAG" && name != ".gitignore"
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The index cache file in the package's default cache folder.
fn index_cache_file(dir: &Path) -> PathBuf {
    let files = cache_files(dir);
    let index = files.iter().find(|f| {
        let name = f.file_name().unwrap().to_string_lossy();
        name.starts_with("index-")
    });
    index
        .unwrap_or_else(|| panic!("no index cache: {files:?}"))
        .clone()
}

/// The JSON document of a run, as text (findings, errors and summary).
fn run(dir: &Path, args: &[&str]) -> String {
    let args = [&["check", "--format", "json", "--exit-zero"], args].concat();
    let text = stdout_of_success(dir, &args);
    assert!(count(&text) > 0, "findings expected: {text}");
    text
}

fn count(json: &str) -> u64 {
    let doc: serde_json::Value = serde_json::from_str(json).unwrap();
    doc["summary"]["diagnostics"].as_u64().unwrap()
}

#[test]
fn results_are_identical_with_and_without_the_cache() {
    let dir = pipeline_copy();
    let uncached = run(dir.path(), &["--no-cache"]);
    assert!(count(&uncached) > 10, "the pipeline's mistakes are found");
    assert!(
        cache_files(dir.path()).is_empty(),
        "--no-cache writes nothing"
    );

    let cold = run(dir.path(), &[]);
    let files = cache_files(dir.path());
    assert_eq!(
        files.len(),
        3,
        "one index cache, one walk cache and one run cache for the package: {files:?}"
    );
    let written = |f: &PathBuf| std::fs::metadata(f).unwrap().modified().unwrap();
    let times: Vec<_> = files.iter().map(written).collect();
    let warm = run(dir.path(), &[]);
    assert_eq!(uncached, cold);
    assert_eq!(uncached, warm);
    assert_eq!(
        files.iter().map(written).collect::<Vec<_>>(),
        times,
        "a warm run with nothing changed does not rewrite the caches"
    );

    // One file named: the same findings for it as in the whole run, warm or not.
    let file = "src/broken/block_on_in_consumer.rs";
    let one = run(dir.path(), &[file]);
    let one_uncached = run(dir.path(), &[file, "--no-cache"]);
    assert_eq!(one, one_uncached);
    let in_whole: Vec<serde_json::Value> = serde_json::from_str::<serde_json::Value>(&warm)
        .unwrap()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == file)
        .cloned()
        .collect();
    let alone: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(alone["diagnostics"].as_array().unwrap(), &in_whole);
}

#[test]
fn an_edited_file_is_parsed_again() {
    let dir = package(&[
        (
            "src/lib.rs",
            "mod net;\npub async fn run() {\n    net::fetch();\n}\n",
        ),
        ("src/net.rs", "pub fn fetch() {}\n"),
    ]);
    let (doc, _) = check_json(dir.path(), &["--exit-zero"]);
    assert_eq!(doc["summary"]["diagnostics"], 0, "{doc}");
    assert_eq!(cache_files(dir.path()).len(), 3);
    // `fetch` becomes async: the caller's finding must appear, the cache notwithstanding.
    write(dir.path(), "src/net.rs", "pub async fn fetch() {}\n");
    let (doc, _) = check_json(dir.path(), &["--exit-zero", "src/lib.rs"]);
    assert_eq!(doc["summary"]["diagnostics"], 1, "{doc}");
    assert_eq!(doc["diagnostics"][0]["line"], 3);
}

#[test]
fn a_corrupt_truncated_or_foreign_cache_is_ignored_and_rebuilt() {
    let dir = pipeline_copy();
    let expected = run(dir.path(), &["--no-cache"]);
    run(dir.path(), &[]);
    let file = index_cache_file(dir.path());
    let good = std::fs::read(&file).unwrap();
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x01;
    let mut foreign = good.clone();
    foreign[..21].copy_from_slice(b"some-other-tool-cache");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("truncated", good[..good.len() / 3].to_vec()),
        ("one byte flipped", flipped),
        ("foreign", foreign),
        (
            "binary garbage",
            (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
        ("valid header, garbage body", {
            let newline = good.iter().position(|&b| b == b'\n').unwrap();
            let mut v = good[..=newline].to_vec();
            v.extend_from_slice(b"{\"files\": [[\"src/lib.rs\", \"zz\", null]]}");
            v
        }),
    ];
    // Without the run cache, which would replay the outcome without reading the index cache.
    let run_cache = dir.path().join("target/unawaited/run.cache");
    for (what, bytes) in cases {
        std::fs::write(&file, &bytes).unwrap();
        let _ = std::fs::remove_file(&run_cache);
        assert_eq!(run(dir.path(), &[]), expected, "with a {what} cache file");
        assert_eq!(
            std::fs::read(&file).unwrap(),
            good,
            "rebuilt after a {what} one"
        );
    }
    // A folder where the cache file should be: the run still works.
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir(&file).unwrap();
    assert_eq!(run(dir.path(), &[]), expected);
}

/// A cache folder that cannot be created (its parent is a regular file, which stops root
/// too): the run works, with the same findings, and writes nothing.
#[test]
fn an_unwritable_cache_folder_is_not_an_error() {
    let dir = pipeline_copy();
    let expected = run(dir.path(), &["--no-cache"]);
    std::fs::write(dir.path().join("plain"), "a file").unwrap();
    assert_eq!(run(dir.path(), &["--cache-dir", "plain/cache"]), expected);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("plain")).unwrap(),
        "a file"
    );
    assert!(cache_files(dir.path()).is_empty(), "no fallback to target/");
}

/// `UNAWAITED_CACHE_DIR` puts the cache elsewhere; `--cache-dir` wins over it.
#[test]
fn the_cache_folder_can_be_chosen() {
    let dir = package(&[(
        "src/lib.rs",
        "async fn w() {}\npub async fn f() {\n    w();\n}\n",
    )]);
    let elsewhere = tempfile::tempdir().unwrap();
    let by_env = elsewhere.path().join("env");
    let by_flag = elsewhere.path().join("flag");
    let run_with = |args: &[&str]| {
        let out = unawaited()
            .current_dir(dir.path())
            .env("UNAWAITED_CACHE_DIR", &by_env)
            .args(["check", "--exit-zero", "-q"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
    };
    run_with(&[]);
    assert_eq!(cache_files_in(&by_env).len(), 3);
    assert!(by_env.join("CACHEDIR.TAG").is_file() && by_env.join(".gitignore").is_file());
    assert!(
        !dir.path().join("target").exists(),
        "nothing in the package"
    );
    run_with(&["--cache-dir", by_flag.to_str().unwrap()]);
    assert_eq!(cache_files_in(&by_flag).len(), 3, "the flag wins");
    // `clean` finds the same folder the same way, and says what it removed.
    let out = unawaited()
        .current_dir(dir.path())
        .env("UNAWAITED_CACHE_DIR", &by_env)
        // `clean` removes the dependency cache too: not the user's, here.
        .env("UNAWAITED_DEPS_CACHE", dir.path().join("deps-cache"))
        .arg("clean")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("removed") && said.contains("(5 files)"),
        "{said}"
    );
    assert!(!by_env.exists());
    assert_eq!(
        cache_files_in(&by_flag).len(),
        3,
        "only the folder asked for"
    );
}

/// A cache forged as the tree could forge it — the facts of a sync `fetch` under the content
/// hash of an async one, sealed as cache files were before they had a key — hides nothing: its
/// seal does not check out, so it is ignored and rewritten (tests/security.rs forges more ways).
#[test]
fn a_forged_cache_does_not_hide_a_finding() {
    let dir = package(&[
        (
            "src/lib.rs",
            "mod net;\npub async fn run() {\n    net::fetch();\n}\n",
        ),
        ("src/net.rs", "pub fn fetch() {}\n"),
    ]);
    let count = |args: &[&str]| {
        check_json(dir.path(), &[&["--exit-zero"], args].concat()).0["summary"]["diagnostics"]
            .clone()
    };
    assert_eq!(count(&[]), 0);
    let async_fetch = "pub async fn fetch() {}\n";
    write(dir.path(), "src/net.rs", async_fetch);
    let file = index_cache_file(dir.path());
    forge::reseal(
        &file,
        forge::Seal::ContentHash,
        |files: &mut forge::IndexPayload| {
            for entry in files.iter_mut().filter(|e| e.0 == "src/net.rs") {
                entry.1 = forge::hash_hex(async_fetch);
            }
        },
    );
    let forged = std::fs::read(&file).unwrap();
    assert_eq!(count(&[]), 1, "the forged cache hides nothing");
    assert_ne!(std::fs::read(&file).unwrap(), forged, "it is rewritten");
    assert_eq!(count(&["--no-cache"]), 1);
}

#[test]
fn concurrent_runs_never_corrupt_the_cache() {
    let dir = pipeline_copy();
    let expected = run(dir.path(), &["--no-cache"]);
    // Each round: several runs at once on a cold cache, all writing it.
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(dir.path().join("target/unawaited"));
        let outputs: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| run(dir.path(), &["--jobs", "1"])))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for out in outputs {
            assert_eq!(out, expected);
        }
        let files = cache_files(dir.path());
        assert_eq!(files.len(), 3, "no temporary file left behind: {files:?}");
        let read = |f: &PathBuf| std::fs::read(f).unwrap();
        let before: Vec<Vec<u8>> = files.iter().map(read).collect();
        assert_eq!(run(dir.path(), &[]), expected);
        assert_eq!(
            files.iter().map(read).collect::<Vec<_>>(),
            before,
            "the cache a concurrent round left is whole and valid: a warm run keeps it"
        );
    }
}

/// What a run without the cache reports, as JSON: what every cached run must match.
fn fresh_json(dir: &Path) -> String {
    stdout_of_success(
        dir,
        &["check", "--format", "json", "--exit-zero", "--no-cache"],
    )
}

/// How many files a run walked and how many it took from the walk cache, as
/// `UNAWAITED_TIMINGS` says, and its JSON document. The run cache is removed first: a replayed
/// run walks nothing at all.
fn walked_and_reused(dir: &Path, args: &[&str]) -> (String, usize, usize) {
    let _ = std::fs::remove_file(dir.join("target/unawaited/run.cache"));
    let (doc, err) = timed_run(dir, args);
    let line = err
        .lines()
        .find(|l| l.contains("files walked"))
        .unwrap_or_else(|| panic!("no walk line: {err}"));
    let number = |after: &str| -> usize {
        let at = line.find(after).unwrap();
        let digits: String = line[..at]
            .trim_end()
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.chars().rev().collect::<String>().parse().unwrap()
    };
    (doc, number("files walked"), number("reused"))
}

/// The walk cache: a warm run with nothing changed walks nothing; an edited body walks that
/// file again and nothing else; an edited signature, a configuration change and a deleted file
/// walk again what they can change. Every run gives what a run without the cache gives.
#[test]
fn walks_are_reused_only_while_nothing_they_read_changed() {
    let dir = package(&[
        (
            "src/lib.rs",
            "mod net;\nmod util;\npub async fn run() {\n    net::fetch();\n    util::helper();\n    \
             legacy::read_all();\n}\n",
        ),
        ("src/net.rs", "pub fn fetch() {}\n"),
        (
            "src/util.rs",
            "pub fn helper() { let x = 1; let _ = x; }\npub async fn tick() {}\n\
             pub async fn later() {\n    tick().await;\n}\n",
        ),
    ]);
    let fresh = |args: &[&str]| -> String {
        stdout_of_success(
            dir.path(),
            &[
                &["check", "--format", "json", "--exit-zero", "--no-cache"],
                args,
            ]
            .concat(),
        )
    };
    let cold = walked_and_reused(dir.path(), &[]);
    assert_eq!(cold.0, fresh(&[]));
    assert_eq!((cold.1, cold.2), (3, 0), "cold: every file walked");
    let warm = walked_and_reused(dir.path(), &[]);
    assert_eq!(warm.0, fresh(&[]));
    assert_eq!((warm.1, warm.2), (0, 3), "nothing changed: nothing walked");

    // A body edited on its own lines: that file alone is walked, and its new finding shows.
    write(
        dir.path(),
        "src/util.rs",
        "pub fn helper() { let x = 2; tick(); }\npub async fn tick() {}\n\
         pub async fn later() {\n    tick().await;\n}\n",
    );
    let edited = walked_and_reused(dir.path(), &[]);
    assert_eq!(edited.0, fresh(&[]));
    assert_eq!((edited.1, edited.2), (1, 2), "only the edited file");
    assert!(
        edited.0.contains("\"path\":\"src/util.rs\""),
        "{}",
        edited.0
    );
    // One file named: its walk is taken from the cache too, with the same findings.
    let one = walked_and_reused(dir.path(), &["src/util.rs"]);
    assert_eq!(one.0, fresh(&["src/util.rs"]));
    assert_eq!(one.1, 0);

    // A body that grows by lines moves the fns below it, and names a new path: no other
    // file's walk reads either, so that file alone is walked again.
    write(
        dir.path(),
        "src/util.rs",
        "pub fn helper() {\n    let x = 2;\n    tick();\n    std::thread::yield_now();\n}\n\
         pub async fn tick() {}\npub async fn later() {\n    tick().await;\n}\n",
    );
    let moved = walked_and_reused(dir.path(), &[]);
    assert_eq!(moved.0, fresh(&[]));
    assert_eq!((moved.1, moved.2), (1, 2), "only the edited file");

    // A sync fn made async in another file: the caller's finding appears; the file that does
    // not name it is not walked again.
    write(dir.path(), "src/net.rs", "pub async fn fetch() {}\n");
    let signature = walked_and_reused(dir.path(), &[]);
    assert_eq!(signature.0, fresh(&[]));
    assert!(signature.0.contains("\"line\":4"), "{}", signature.0);
    assert_eq!(
        (signature.1, signature.2),
        (2, 1),
        "the edited file and the one that names `fetch`"
    );

    // A fn added: only its file (no other names it).
    write(
        dir.path(),
        "src/util.rs",
        "pub fn helper() {\n    let x = 2;\n    tick();\n    std::thread::yield_now();\n}\n\
         pub async fn tick() {}\npub async fn later() {\n    tick().await;\n}\n\
         pub fn job() -> Job { Job }\npub struct Job;\n",
    );
    let added = walked_and_reused(dir.path(), &[]);
    assert_eq!(added.0, fresh(&[]));
    assert_eq!((added.1, added.2), (1, 2), "only the edited file");

    // A parameter added to a fn others call.
    write(dir.path(), "src/net.rs", "pub async fn fetch(_n: u32) {}\n");
    let params = walked_and_reused(dir.path(), &[]);
    assert_eq!(params.0, fresh(&[]));
    assert_eq!((params.1, params.2), (2, 1));

    // A caller of `job`, then an impl of `Future` for the type `job` returns, in a third file:
    // the caller names neither `Job` nor `Future`, but `job`, whose return type changed what
    // it is.
    write(
        dir.path(),
        "src/lib.rs",
        "mod net;\nmod util;\npub async fn run() {\n    net::fetch(1);\n    util::helper();\n    \
         legacy::read_all();\n    util::job();\n}\n",
    );
    let caller = walked_and_reused(dir.path(), &[]);
    assert_eq!(caller.0, fresh(&[]));
    write(
        dir.path(),
        "src/net.rs",
        "pub async fn fetch(_n: u32) {}\n\
         impl std::future::Future for crate::util::Job {\n    type Output = ();\n    \
         fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) \
         -> std::task::Poll<()> {\n        std::task::Poll::Ready(())\n    }\n}\n",
    );
    let through_type = walked_and_reused(dir.path(), &[]);
    assert_eq!(through_type.0, fresh(&[]));
    assert_ne!(through_type.0, caller.0, "the dropped `Job` is reported");
    assert_eq!(
        through_type.1, 3,
        "the edited file, the caller of `job` and the file that names `Job`"
    );

    // A fn others call removed.
    write(
        dir.path(),
        "src/util.rs",
        "pub async fn tick() {}\npub async fn later() {\n    tick().await;\n}\n\
         pub fn job() -> Job { Job }\npub struct Job;\n",
    );
    let removed = walked_and_reused(dir.path(), &[]);
    assert_eq!(removed.0, fresh(&[]));
    assert_eq!(
        (removed.1, removed.2),
        (2, 1),
        "the edited file and its caller"
    );

    // A file added (and declared).
    write(
        dir.path(),
        "src/extra.rs",
        "pub async fn more() {}\npub async fn go() {\n    more();\n}\n",
    );
    write(
        dir.path(),
        "src/lib.rs",
        "mod net;\nmod util;\nmod extra;\npub async fn run() {\n    net::fetch(1);\n    \
         legacy::read_all();\n    util::job();\n}\n",
    );
    let new_file = walked_and_reused(dir.path(), &[]);
    assert_eq!(new_file.0, fresh(&[]));
    assert!(new_file.0.contains("src/extra.rs"), "{}", new_file.0);
    assert_eq!(
        (new_file.1, new_file.2),
        (2, 2),
        "the new file and the edited one"
    );
    let signature = new_file;

    // The configuration names a blocking fn: the walk of the unchanged caller knows it.
    write(
        dir.path(),
        "unawaited.toml",
        "blocking = [\"legacy::read_all\"]\n",
    );
    let configured = walked_and_reused(dir.path(), &[]);
    assert_eq!(configured.0, fresh(&[]));
    assert_eq!(configured.1, 4, "every file");
    assert_ne!(configured.0, signature.0, "the blocking call is reported");

    // A file deleted: what it held is gone for every file that names it.
    std::fs::remove_file(dir.path().join("src/net.rs")).unwrap();
    let deleted = walked_and_reused(dir.path(), &[]);
    assert_eq!(deleted.0, fresh(&[]));
    assert_ne!(deleted.0, configured.0);
    assert!(deleted.1 < 4, "not every file: {}", deleted.1);
    let again = walked_and_reused(dir.path(), &[]);
    assert_eq!(again.0, deleted.0);
    assert_eq!(again.1, 0);
}

/// Evidence from use across files: `tests/b.rs`'s only call of `support::stop` (its module is
/// not on disk) is a future while the other test files await every call of it. A warm run
/// after another file changes what they say walks `b.rs` again, and gives what a cold run
/// gives; a file that read nothing of them is not walked again.
#[test]
fn a_walk_that_read_other_files_is_redone_when_they_change() {
    let awaited = "mod support;\n#[tokio::test]\nasync fn a() {\n    support::stop().await;\n    \
                   support::stop().await;\n}\n";
    let dir = package(&[
        ("src/lib.rs", "pub async fn run() {}\n"),
        ("tests/a.rs", awaited),
        (
            "tests/b.rs",
            "mod support;\n#[tokio::test]\nasync fn b() {\n    support::stop();\n}\n",
        ),
        ("tests/c.rs", "#[test]\nfn c() {}\n"),
    ]);
    let fresh = || fresh_json(dir.path());
    let cold = walked_and_reused(dir.path(), &[]);
    assert_eq!(cold.0, fresh());
    assert!(cold.0.contains("\"path\":\"tests/b.rs\""), "{}", cold.0);
    assert!(
        cold.0.contains("as in tests/a.rs"),
        "the message names the file: {}",
        cold.0
    );

    // `a.rs` calls it once without `.await` too: nothing is inferred any more.
    write(
        dir.path(),
        "tests/a.rs",
        &awaited.replace("}\n", "}\npub fn sync_stop() {\n    support::stop();\n}\n"),
    );
    let edited = walked_and_reused(dir.path(), &[]);
    assert_eq!(edited.0, fresh());
    assert!(
        !edited.0.contains("\"path\":\"tests/b.rs\""),
        "{}",
        edited.0
    );
    assert_eq!(
        (edited.1, edited.2),
        (2, 2),
        "the edited file and the one that read it"
    );

    // Back: the finding comes back.
    write(dir.path(), "tests/a.rs", awaited);
    let back = walked_and_reused(dir.path(), &[]);
    assert_eq!(back.0, fresh());
    assert_eq!(back.0, cold.0);
    // One file named: the other files of its scope count all the same.
    let one = walked_and_reused(dir.path(), &["tests/b.rs"]);
    let fresh_one = stdout_of_success(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--exit-zero",
            "--no-cache",
            "tests/b.rs",
        ],
    );
    assert_eq!(one.0, fresh_one);
    assert!(one.0.contains("\"path\":\"tests/b.rs\""), "{}", one.0);
}

/// A run with `UNAWAITED_TIMINGS`: its JSON document, and whether it replayed the stored
/// outcome of the last run of the same invocation.
/// A macro one file defines and another calls: what the call expands to is read from both
/// files, so a change to the rules walks the caller again (and only the files naming what it
/// makes).
#[test]
fn a_changed_macro_walks_again_the_files_naming_what_it_makes() {
    let rules = |body: &str| format!("macro_rules! make {{\n    ($n:ident) => {{ {body} }};\n}}\n");
    let dir = package(&[
        (
            "src/lib.rs",
            "#[macro_use]\nmod defs;\nmod user;\nmod other;\n",
        ),
        ("src/defs.rs", &rules("pub async fn $n() {}")),
        (
            "src/user.rs",
            "make!(store);\n\npub async fn run() {\n    store();\n}\n",
        ),
        ("src/other.rs", "pub async fn unrelated() {}\n"),
    ]);
    let fresh = || fresh_json(dir.path());
    let cold = walked_and_reused(dir.path(), &[]);
    assert_eq!(cold.0, fresh());
    assert!(cold.0.contains("\"path\":\"src/user.rs\""), "{}", cold.0);
    write(dir.path(), "src/defs.rs", &rules("pub fn $n() {}"));
    let changed = walked_and_reused(dir.path(), &[]);
    assert_eq!(changed.0, fresh());
    assert!(!changed.0.contains("src/user.rs"), "{}", changed.0);
    assert_eq!(
        (changed.1, changed.2),
        (2, 2),
        "the macro's file and the one that names what it makes"
    );

    // What the macro makes mentions a type; the type becomes a future: a file that names the
    // made fn (not the type) is walked again.
    write(
        dir.path(),
        "src/defs.rs",
        &rules("pub fn $n() -> crate::other::Work { crate::other::Work }"),
    );
    write(
        dir.path(),
        "src/user.rs",
        "make!(store);\n\npub async fn run() {\n    store();\n}\n",
    );
    write(dir.path(), "src/other.rs", "pub struct Work;\n");
    let plain = walked_and_reused(dir.path(), &[]);
    assert_eq!(plain.0, fresh());
    assert!(!plain.0.contains("src/user.rs"), "{}", plain.0);
    write(
        dir.path(),
        "src/other.rs",
        "pub struct Work;\nimpl std::future::Future for Work {\n    type Output = ();\n    \
         fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> \
         std::task::Poll<()> {\n        std::task::Poll::Ready(())\n    }\n}\n",
    );
    let future = walked_and_reused(dir.path(), &[]);
    assert_eq!(future.0, fresh());
    assert!(
        future.0.contains("\"path\":\"src/user.rs\""),
        "{}",
        future.0
    );
}

fn replayed(dir: &Path, args: &[&str]) -> (String, bool) {
    let (doc, err) = timed_run(dir, args);
    (doc, err.contains("outcome replayed"))
}

/// A run with `UNAWAITED_TIMINGS` and `--exit-zero`: its JSON document and standard error.
fn timed_run(dir: &Path, args: &[&str]) -> (String, String) {
    let out = unawaited()
        .current_dir(dir)
        .env("UNAWAITED_TIMINGS", "1")
        .args(["check", "--format", "json", "--exit-zero"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (String::from_utf8(out.stdout).unwrap(), err)
}

/// The run cache: a run whose inputs (files, their texts, configuration, manifests, options)
/// are what the stored run read replays its outcome; any change runs again, and every run gives
/// what a run without the cache gives.
#[test]
fn a_run_is_replayed_only_while_nothing_it_read_changed() {
    let dir = package(&[
        (
            "src/lib.rs",
            "mod net;\npub async fn run() {\n    net::fetch();\n    legacy::read_all();\n}\n",
        ),
        ("src/net.rs", "pub async fn fetch() {}\n"),
    ]);
    let fresh = |args: &[&str]| -> String {
        let args = [
            &["check", "--format", "json", "--exit-zero", "--no-cache"],
            args,
        ]
        .concat();
        stdout_of_success(dir.path(), &args)
    };
    let step = |what: &str, args: &[&str], replays: bool| {
        let (doc, was) = replayed(dir.path(), args);
        assert_eq!(
            doc,
            fresh(args),
            "{what}: the findings of a run without the cache"
        );
        assert_eq!(was, replays, "{what}: replayed");
        doc
    };
    step("cold", &[], false);
    let warm = step("nothing changed", &[], true);
    assert!(warm.contains("\"line\":3"), "{warm}");
    // Other options are another invocation.
    step(
        "another option, cold",
        &["--select", "unawaited_future"],
        false,
    );
    step(
        "another option, warm",
        &["--select", "unawaited_future"],
        true,
    );
    step("the first invocation is kept too", &[], true);
    // The same text written again (new times): read, hashed, found unchanged.
    write(dir.path(), "src/net.rs", "pub async fn fetch() {}\n");
    step("same text, new times", &[], true);
    // A changed signature.
    write(dir.path(), "src/net.rs", "pub fn fetch() {}\n");
    let sync = step("an edited file", &[], false);
    assert_ne!(sync, warm);
    step("then unchanged", &[], true);
    // A configuration appears, then changes.
    write(
        dir.path(),
        "unawaited.toml",
        "blocking = [\"legacy::read_all\"]\n",
    );
    let configured = step("a new configuration", &[], false);
    assert_ne!(configured, sync);
    write(dir.path(), "unawaited.toml", "\n");
    step("an edited configuration", &[], false);
    // A file added, then deleted.
    write(
        dir.path(),
        "src/extra.rs",
        "pub async fn more() {}\npub async fn f() { more(); }\n",
    );
    write(
        dir.path(),
        "src/lib.rs",
        "mod net;\nmod extra;\npub async fn run() {\n    net::fetch();\n}\n",
    );
    let added = step("a file added", &[], false);
    assert!(added.contains("src/extra.rs"), "{added}");
    std::fs::remove_file(dir.path().join("src/extra.rs")).unwrap();
    step("a file deleted", &[], false);
    step("then unchanged", &[], true);
    // The manifest: another edition may change what the files mean.
    let manifest = std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
    write(
        dir.path(),
        "Cargo.toml",
        &format!("{manifest}\n[dependencies]\n"),
    );
    step("an edited manifest", &[], false);
}

/// What the dependencies gave is part of what a run read: a dependency's sources that appear in
/// `$CARGO_HOME` (after `cargo fetch`) or change there are read again, not replayed past.
#[test]
fn a_run_is_not_replayed_past_a_dependency_change() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("registry/src")).unwrap();
    let app = dir.path().join("app");
    app_using_asyncdep(&app);
    let run = |args: &[&str]| -> (String, bool) {
        let out = unawaited()
            .current_dir(&app)
            .env("CARGO_HOME", &home)
            .env("UNAWAITED_DEPS_CACHE", dir.path().join("deps-cache"))
            .env("UNAWAITED_TIMINGS", "1")
            .args(["check", "--format", "json", "--exit-zero"])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        (
            String::from_utf8(out.stdout).unwrap(),
            err.contains("outcome replayed"),
        )
    };
    let missing = run(&[]);
    assert!(
        !missing.1 && !missing.0.contains("unawaited_future"),
        "{}",
        missing.0
    );
    // The registry folders and the crate's files, old enough to be taken by their metadata.
    let krate = home.join("registry/src/index.crates.io-0000000000000000/asyncdep-1.0.0");
    write(
        &krate,
        "Cargo.toml",
        "[package]\nname = \"asyncdep\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    write(&krate, "src/lib.rs", "pub async fn fetch() {}\n");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let found = run(&[]);
    assert!(!found.1, "the sources appeared: not replayed");
    assert_eq!(found.0, run(&["--no-cache"]).0);
    assert!(found.0.contains("unawaited_future"), "{}", found.0);
    assert!(run(&[]).1, "then unchanged: replayed");
    // The dependency's file changes (a path dependency being edited, say). The dependency
    // cache takes a registry crate as immutable: it is removed, to leave the run cache alone
    // in play.
    write(&krate, "src/lib.rs", "pub fn fetch() {}\n");
    std::fs::remove_dir_all(dir.path().join("deps-cache")).unwrap();
    let changed = run(&[]);
    assert!(!changed.1, "a dependency's file changed: not replayed");
    assert_eq!(changed.0, run(&["--no-cache"]).0);
    assert!(!changed.0.contains("unawaited_future"), "{}", changed.0);
}

/// A process that checks again and again (the language server) keeps each file's facts in
/// memory and does not read a file whose metadata did not change: a file changed on disk
/// between two checks is read again, and every check finds what a run without the cache finds.
#[test]
fn a_resident_check_reads_again_what_changed_on_disk() {
    let dir = package(&[
        (
            "src/lib.rs",
            "mod net;\npub async fn run() {\n    net::fetch();\n}\n",
        ),
        ("src/net.rs", "pub fn fetch() {}\n"),
    ]);
    let check = |resident: bool, no_cache: bool| {
        let opts = unawaited::engine::Options {
            paths: vec![dir.path().to_path_buf()],
            resident,
            no_cache,
            cache_dir: Some(dir.path().join("cache")),
            ..Default::default()
        };
        let outcome = unawaited::engine::run(&opts).expect("a run");
        let mut found: Vec<(String, usize)> = outcome
            .diagnostics
            .iter()
            .map(|d| (d.rule.name().to_string(), d.span.start.line))
            .collect();
        found.sort();
        found
    };
    assert_eq!(check(true, false), check(false, true));
    assert!(check(true, false).is_empty());
    // Changed at once (within the second of the last check: its metadata is not trusted
    // then), then unchanged a second later, then changed again.
    write(dir.path(), "src/net.rs", "pub async fn fetch() {}\n");
    assert_eq!(check(true, false), [("unawaited_future".to_string(), 3)]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(check(true, false), [("unawaited_future".to_string(), 3)]);
    write(dir.path(), "src/net.rs", "pub fn fetch() {} // sync\n");
    assert_eq!(check(true, false), check(false, true));
    assert!(check(true, false).is_empty());
}

/// A resident check (the language server's) keeps each file's part of the walk cache's
/// fingerprint and the sums per name, and updates them by the files that changed: an edit that
/// changes a name another file's walk reads walks that file again (its finding appears), an
/// edit to a body alone walks the edited file only. Every check gives what a check from
/// scratch gives.
#[test]
fn a_resident_check_walks_again_only_the_files_reading_a_changed_name() {
    let dir = package(&[
        (
            "src/lib.rs",
            "mod net;\nmod util;\npub async fn run() {\n    net::fetch();\n}\n",
        ),
        ("src/net.rs", "pub fn fetch() {}\n"),
        ("src/util.rs", "pub fn helper() {}\n"),
    ]);
    let net = dir.path().join("src/net.rs");
    let check = |resident: bool, text: &str| {
        let opts = unawaited::engine::Options {
            paths: vec![dir.path().to_path_buf()],
            resident,
            no_cache: !resident,
            cache_dir: Some(dir.path().join("cache")),
            ..Default::default()
        };
        let buffers = [(net.clone(), text.to_string())];
        let outcome = unawaited::engine::run_with_buffers(&opts, &buffers).expect("a run");
        let found: Vec<(String, usize)> = outcome
            .diagnostics
            .iter()
            .map(|d| (d.rule.name().to_string(), d.span.start.line))
            .collect();
        (found, outcome.walked)
    };
    let step = |text: &str| {
        let (found, walked) = check(true, text);
        assert_eq!(found, check(false, text).0, "{text}");
        (found, walked)
    };
    assert_eq!(step("pub fn fetch() {}\n"), (vec![], 3), "cold");
    // A body: the edited file alone, again and again.
    assert_eq!(step("pub fn fetch() { let _ = 1; }\n"), (vec![], 1));
    assert_eq!(step("pub fn fetch() { let _ = 2; }\n"), (vec![], 1));
    // `fetch` made async: the caller is walked again (not `util.rs`) and flagged.
    let flagged = vec![("unawaited_future".to_string(), 4)];
    assert_eq!(
        step("pub async fn fetch() { let _ = 2; }\n"),
        (flagged.clone(), 2)
    );
    assert_eq!(step("pub async fn fetch() { let _ = 3; }\n"), (flagged, 1));
    // Back: the caller again, its finding gone.
    assert_eq!(step("pub fn fetch() { let _ = 3; }\n"), (vec![], 2));
}

/// The runtime the files name shapes the help of every file's findings (`spawn_blocking` of
/// which runtime): a body that starts naming another runtime walks every file again.
#[test]
fn a_runtime_named_anew_walks_every_file_again() {
    let dir = package(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        (
            "src/a.rs",
            "pub async fn f() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
        ),
        (
            "src/b.rs",
            "pub fn g() {\n    let _ = tokio::runtime::Builder::new_current_thread();\n}\n",
        ),
    ]);
    let fresh = || fresh_json(dir.path());
    let tokio = walked_and_reused(dir.path(), &[]);
    assert_eq!(tokio.0, fresh());
    assert!(
        tokio.0.contains("tokio::task::spawn_blocking"),
        "{}",
        tokio.0
    );
    write(
        dir.path(),
        "src/b.rs",
        "pub fn g() {\n    let _ = tokio::runtime::Builder::new_current_thread();\n    \
         let _ = async_std::task::block_on;\n}\n",
    );
    let both = walked_and_reused(dir.path(), &[]);
    assert_eq!(both.0, fresh());
    assert_ne!(both.0, tokio.0, "the help no longer names tokio's call");
}
