//! Configuration: `unawaited.toml` or Cargo metadata, nearest ancestor wins, flags override it,
//! and every bad value is an error naming the file, the line and the key.

mod common;
use common::*;

use std::path::Path;

const SPAWNS: &str = "async fn w() {}\nasync fn run() {\n    tokio::spawn(w());\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n";

fn rules_found(dir: &Path, args: &[&str]) -> Vec<String> {
    let (doc, code) = check_json(dir, args);
    assert!(code < 2, "exit {code}");
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}",
                d["rule"].as_str().unwrap(),
                d["level"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn bad_configuration_names_file_line_and_key() {
    for (toml, expect) in [
        (
            "[rules]\nunawaited_future = \"deny\"\nbogus_key = 1\n",
            "line 3: invalid type",
        ),
        ("exclude = []\nfuture_returnin = [\"x\"]\n", "line 2"),
        (
            "[rules]\nblocking_in_async = \"loud\"\n",
            "line 2: bad level `loud`",
        ),
        (
            "[rules]\nno_such_rule = \"warn\"\n",
            "line 2: unknown rule `no_such_rule`",
        ),
        ("[rules\n", "line 1"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.rs", SPAWNS);
        write(dir.path(), "unawaited.toml", toml);
        let err = stderr_of_error_run(dir.path(), &["check", "."], toml);
        assert!(
            err.contains("unawaited.toml") && err.contains(expect),
            "{toml}: {err}"
        );
    }
}

#[test]
fn levels_from_files_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.rs", SPAWNS);
    assert_eq!(rules_found(dir.path(), &["."]), ["blocking_in_async:warn"]);
    write(
        dir.path(),
        "unawaited.toml",
        "[rules]\ndetached_task = \"deny\"\nblocking_in_async = \"allow\"\n",
    );
    assert_eq!(rules_found(dir.path(), &["."]), ["detached_task:deny"]);
    assert_eq!(
        rules_found(dir.path(), &[".", "-W", "detached_task"]),
        ["detached_task:warn"]
    );
    assert_eq!(
        rules_found(dir.path(), &[".", "--ignore", "detached_task"]),
        Vec::<String>::new()
    );
    assert_eq!(
        rules_found(dir.path(), &[".", "--select", "blocking_in_async"]),
        ["blocking_in_async:warn"]
    );
    assert_eq!(
        rules_found(
            dir.path(),
            &[".", "--ignore", "detached_task", "-D", "detached_task"]
        ),
        ["detached_task:deny"]
    );
    // A nearer file wins for the files below it.
    write(dir.path(), "sub/a.rs", SPAWNS);
    write(
        dir.path(),
        "sub/unawaited.toml",
        "[rules]\ndetached_task = \"allow\"\n",
    );
    assert_eq!(
        rules_found(dir.path(), &["sub"]),
        ["blocking_in_async:warn"]
    );
    // --config replaces discovery.
    write(
        dir.path(),
        "other.toml",
        "[rules]\nblocking_in_async = \"deny\"\n",
    );
    assert_eq!(
        rules_found(dir.path(), &["sub", "--config", "other.toml"]),
        ["blocking_in_async:deny"]
    );
}

#[test]
fn cargo_metadata_table_and_in_house_paths() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[package.metadata.unawaited]\nfuture-returning = [\"vendor_sdk::Client::fetch\", \"vendor_sdk::ping\"]\nblocking = [\"legacy::read_all\"]\nexclude = [\"src/generated/**\"]\n\n[package.metadata.unawaited.rules]\ndetached_task = \"warn\"\n",
    );
    write(
        dir.path(),
        "src/lib.rs",
        "mod generated;\nuse vendor_sdk::Client;\npub async fn run(c: Client) {\n    c.fetch();\n    vendor_sdk::ping();\n    legacy::read_all();\n    tokio::spawn(async {});\n}\n",
    );
    write(
        dir.path(),
        "src/generated/mod.rs",
        "async fn w() {}\nfn f() { w(); }\n",
    );
    let mut found = rules_found(dir.path(), &["."]);
    found.sort();
    assert_eq!(
        found,
        [
            "blocking_in_async:warn",
            "detached_task:warn",
            "unawaited_future:deny",
            "unawaited_future:deny"
        ]
    );
    let bad = tempfile::tempdir().unwrap();
    write(bad.path(), "Cargo.toml", "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n\n[package.metadata.unawaited]\nrules = { x = \"warn\" }\n");
    write(bad.path(), "src/lib.rs", "");
    let err = stderr_of_error_run(bad.path(), &["check", "."], "bad metadata");
    assert!(err.contains("Cargo.toml"), "{err}");
}

#[test]
fn statistics_and_quiet() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.rs", "async fn w() {}\nasync fn run() {\n    w();\n    w();\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n");
    let out = unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--statistics", "-q"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("2  [*] unawaited_future\n1  [ ] blocking_in_async\n"),
        "{text}"
    );
    assert!(!text.contains("files checked"), "-q drops the summary line");
}

#[test]
fn a_config_file_given_by_flag_that_cannot_be_read_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "fn main() {}\n").unwrap();
    std::fs::write(dir.path().join("latin1.toml"), b"exclude = [\"caf\xe9\"]\n").unwrap();
    for (file, reason) in [
        (
            "latin1.toml",
            "cannot read the configuration: not valid UTF-8",
        ),
        ("missing.toml", "cannot read the configuration: "),
    ] {
        let err = stderr_of_error_run(dir.path(), &["check", "a.rs", "--config", file], file);
        assert!(err.contains(file) && err.contains(reason), "{err}");
    }
}

#[test]
fn level_flags_take_comma_separated_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.rs"),
        "async fn w() {}\nasync fn f() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n    w();\n}\n",
    )
    .unwrap();
    let rules = |args: &[&str]| rules_found(dir.path(), &[&["a.rs", "--exit-zero"], args].concat());
    assert_eq!(
        rules(&[]),
        ["blocking_in_async:warn", "unawaited_future:deny"]
    );
    assert_eq!(
        rules(&["-A", "blocking_in_async,unawaited_future"]),
        Vec::<String>::new()
    );
    assert_eq!(
        rules(&["-D", "warnings,unawaited_future"]),
        ["blocking_in_async:deny", "unawaited_future:deny"]
    );
}
