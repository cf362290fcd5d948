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
    for (toml, line, key) in [
        (
            "[rules]\nunawaited_future = \"deny\"\nbogus_key = 1\n",
            "line 3",
            "bogus_key",
        ),
        (
            "exclude = []\nfuture_returnin = [\"x\"]\n",
            "line 2",
            "future_returnin",
        ),
        (
            "[rules]\nblocking_in_async = \"loud\"\n",
            "line 2",
            "blocking_in_async",
        ),
        (
            "[rules]\nno_such_rule = \"warn\"\n",
            "line 2",
            "no_such_rule",
        ),
        ("[rules\n", "line 1", "rules"),
        ("exclude = 3\n", "line 1", "exclude"),
        ("bridges = [1]\n", "line 1", "bridges"),
        (
            "per-file-ignores = { \"t/**\" = [\"nope\"] }\n",
            "line 1",
            "nope",
        ),
        ("extend = \"missing.toml\"\n", "line 1", "missing.toml"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.rs", SPAWNS);
        write(dir.path(), "unawaited.toml", toml);
        let err = stderr_of_error_run(dir.path(), &["check", "."], toml);
        let first = err.lines().next().unwrap_or("");
        assert!(
            first.starts_with(&format!("error: unawaited.toml: {line}")) && first.contains(key),
            "{toml}: {err}"
        );
        // The line's text too, as the README promises.
        let n: usize = line["line ".len()..].parse().unwrap();
        let text = toml.lines().nth(n - 1).unwrap().trim();
        assert!(first.contains(&format!("(`{text}`)")), "{toml}: {err}");
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
    assert!(
        err.contains("Cargo.toml: line 6") && err.contains("unknown rule `x`"),
        "{err}"
    );
}

/// `[workspace.metadata.unawaited]` of a virtual workspace applies to its members, and the
/// `bridges` and `offloading` keys change what is found.
#[test]
fn workspace_metadata_bridges_and_offloading() {
    let dir = tempfile::tempdir().unwrap();
    let body = "pub async fn f() {\n    my_rt::run_blocking(async {});\n    pool::run_on_worker(|| std::thread::sleep(std::time::Duration::from_secs(1)));\n}\n";
    write(dir.path(), "Cargo.toml", "[workspace]\nmembers = [\"m\"]\n");
    write(
        dir.path(),
        "m/Cargo.toml",
        "[package]\nname = \"m\"\nversion = \"0.1.0\"\n",
    );
    write(dir.path(), "m/src/lib.rs", body);
    assert_eq!(rules_found(dir.path(), &["."]), ["blocking_in_async:warn"]);
    write(
        dir.path(),
        "Cargo.toml",
        "[workspace]\nmembers = [\"m\"]\n\n[workspace.metadata.unawaited]\nbridges = [\"my_rt::run_blocking\"]\noffloading = [\"pool::run_on_worker\"]\n",
    );
    assert_eq!(
        rules_found(dir.path(), &["."]),
        ["block_on_in_async:deny"],
        "the bridge is a block_on; the offloaded closure may block"
    );
    write(
        dir.path(),
        "Cargo.toml",
        "[workspace]\nmembers = [\"m\"]\n\n[workspace.metadata.unawaited]\nbridges = [\"my_rt::run_blocking\"]\n\n[workspace.metadata.unawaited.rules]\nblock_on_in_async = \"warn\"\n",
    );
    let mut found = rules_found(dir.path(), &["m/src/lib.rs"]);
    found.sort();
    assert_eq!(found, ["block_on_in_async:warn", "blocking_in_async:warn"]);
}

/// `unawaited.toml` beside a `Cargo.toml` with an `unawaited` table: an error naming both.
#[test]
fn two_configurations_in_one_folder_is_an_error() {
    for table in ["package", "workspace"] {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "Cargo.toml",
            &format!("[package]\nname = \"d\"\nversion = \"0.1.0\"\n\n[{table}.metadata.unawaited]\nblocking = []\n"),
        );
        write(dir.path(), "src/lib.rs", SPAWNS);
        write(
            dir.path(),
            "unawaited.toml",
            "[rules]\ndetached_task = \"deny\"\n",
        );
        let err = stderr_of_error_run(dir.path(), &["check", "."], table);
        assert!(
            err.contains("unawaited.toml")
                && err.contains("Cargo.toml")
                && err.contains(&format!("[{table}.metadata.unawaited]")),
            "{err}"
        );
        // A `Cargo.toml` without the table is no conflict.
        write(
            dir.path(),
            "Cargo.toml",
            "[package]\nname = \"d\"\nversion = \"0.1.0\"\n",
        );
        assert_eq!(
            rules_found(dir.path(), &["."]),
            ["detached_task:deny", "blocking_in_async:warn"]
        );
    }
}

/// `extend` inherits a parent's keys; the child's win (rule by rule for levels); a missing
/// target and a cycle are errors naming the file and line.
#[test]
fn extend_inherits_and_the_child_wins() {
    let dir = tempfile::tempdir().unwrap();
    // One repository holds both (`extend` out of the repository is refused: tests/security.rs).
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "base/unawaited.toml",
        "exclude = [\"gen/**\"]\n\n[rules]\ndetached_task = \"deny\"\nblocking_in_async = \"deny\"\n",
    );
    write(
        dir.path(),
        "proj/unawaited.toml",
        "extend = \"../base/unawaited.toml\"\n\n[rules]\nblocking_in_async = \"allow\"\n",
    );
    write(dir.path(), "proj/a.rs", SPAWNS);
    write(dir.path(), "proj/gen/g.rs", SPAWNS);
    write(dir.path(), "base/gen/g.rs", SPAWNS);
    // The parent's rule level, the child's other level; the parent's exclude is relative to
    // the parent's folder, so `proj/gen` is checked.
    assert_eq!(
        rules_found(dir.path(), &["proj"]),
        ["detached_task:deny", "detached_task:deny"]
    );
    let shown = config_of(dir.path(), "proj/a.rs");
    assert!(
        shown.contains("rules.detached_task = \"deny\"")
            && shown.contains("base/unawaited.toml:4: rules.detached_task"),
        "{shown}"
    );
    assert!(
        shown.contains("rules.blocking_in_async = \"allow\"")
            && shown.contains("proj/unawaited.toml:4: rules.blocking_in_async"),
        "{shown}"
    );
    // A cycle.
    write(
        dir.path(),
        "base/unawaited.toml",
        "extend = \"../proj/unawaited.toml\"\n",
    );
    let err = stderr_of_error_run(dir.path(), &["check", "proj"], "cycle");
    assert!(
        err.contains("line 1") && err.contains("`extend` makes a cycle"),
        "{err}"
    );
}

/// `per-file-ignores`: globs relative to the configuration's folder turn rules off for the
/// files they match, over the command line's levels (as in ruff).
#[test]
fn per_file_ignores() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sub/unawaited.toml",
        "[per-file-ignores]\n\"tests/**\" = [\"blocking_in_async\", \"detached_task\"]\n\"*.rs\" = [\"detached_task\"]\n",
    );
    write(dir.path(), "sub/tests/t.rs", SPAWNS);
    write(dir.path(), "sub/src/a.rs", SPAWNS);
    write(dir.path(), "sub/top.rs", SPAWNS);
    write(dir.path(), "tests/outside.rs", SPAWNS);
    let found = |path: &str| rules_found(dir.path(), &[path, "-W", "detached_task"]);
    assert_eq!(found("sub/tests/t.rs"), Vec::<String>::new());
    assert_eq!(
        found("sub/src/a.rs"),
        ["detached_task:warn", "blocking_in_async:warn"],
        "`*.rs` does not cross a `/`"
    );
    assert_eq!(found("sub/top.rs"), ["blocking_in_async:warn"]);
    assert_eq!(
        found("tests/outside.rs"),
        ["detached_task:warn", "blocking_in_async:warn"]
    );
    // The origin is the table's first glob.
    let shown = config_of(dir.path(), "sub/tests/t.rs");
    assert!(
        shown.contains("rules.blocking_in_async = \"allow\"")
            && shown.contains("sub/unawaited.toml:2: per-file-ignores"),
        "{shown}"
    );
}

/// `unawaited config PATH`: every setting, with the file and key it comes from.
fn config_of(dir: &Path, path: &str) -> String {
    stdout_of_success(dir, &["config", path])
}

#[test]
fn config_shows_each_setting_and_its_origin() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.rs", SPAWNS);
    let shown = config_of(dir.path(), "a.rs");
    assert!(
        shown.starts_with("# settings for a.rs: no configuration file, defaults\n"),
        "{shown}"
    );
    assert!(
        shown.contains("rules.unawaited_future = \"deny\""),
        "{shown}"
    );
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"d\"\nversion = \"0.1.0\"\n\n[package.metadata.unawaited]\nexclude = [\"a.rs\"]\nblocking = [\"x::y\"]\n",
    );
    let shown = config_of(dir.path(), "a.rs");
    for line in [
        "# settings for a.rs from Cargo.toml",
        "excluded = true",
        "Cargo.toml:6: package.metadata.unawaited.exclude",
        "blocking = [\"x::y\"]",
        "Cargo.toml:7: package.metadata.unawaited.blocking",
        "bridges = []",
    ] {
        assert!(shown.contains(line), "{line} in {shown}");
    }
    let err = stderr_of_error_run(
        dir.path(),
        &["config", "a.rs", "--config", "none.toml"],
        "--config",
    );
    assert!(
        err.contains("none.toml: cannot read the configuration"),
        "{err}"
    );
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

/// A file named on the command line is checked even when `exclude` names it, unless
/// `--force-exclude` or `force-exclude = true` (ruff's semantics); a walk always skips it.
#[test]
fn excluded_files_named_explicitly() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gen/g.rs", SPAWNS);
    write(dir.path(), "a.rs", SPAWNS);
    write(dir.path(), "unawaited.toml", "exclude = [\"gen/**\"]\n");
    let files = |args: &[&str]| check_json(dir.path(), args).0["summary"]["files"].clone();
    assert_eq!(files(&["."]), 1);
    assert_eq!(files(&["gen/g.rs", "a.rs"]), 2);
    assert_eq!(files(&["gen/g.rs", "a.rs", "--force-exclude"]), 1);
    write(
        dir.path(),
        "unawaited.toml",
        "exclude = [\"gen/**\"]\nforce-exclude = true\n",
    );
    assert_eq!(files(&["gen/g.rs", "a.rs"]), 1);
}

/// Every TOML spelling of the same table means the same thing: a dotted header with no parent
/// header, an explicit parent header, dotted keys and inline tables, in `[package.metadata]`,
/// `[workspace.metadata]` and `unawaited.toml` alike (issue 30, item 2).
#[test]
fn every_toml_spelling_of_a_table_means_the_same() {
    const PACKAGE: &str = "[package]\nname = \"d\"\nversion = \"0.1.0\"\n\n";
    // The same settings: `blocking_in_async` off everywhere, `detached_task` a warning, and
    // `unawaited_future` off under `tests/`.
    let spellings = [
        "[T.rules]\nblocking_in_async = \"allow\"\ndetached_task = \"warn\"\n\n[T.per-file-ignores]\n\"tests/**\" = [\"unawaited_future\"]\n",
        "[T]\n\n[T.rules]\nblocking_in_async = \"allow\"\ndetached_task = \"warn\"\n\n[T.per-file-ignores]\n\"tests/**\" = [\"unawaited_future\"]\n",
        "[T]\nrules.blocking_in_async = \"allow\"\nrules.detached_task = \"warn\"\nper-file-ignores.\"tests/**\" = [\"unawaited_future\"]\n",
        "[T]\nrules = { blocking_in_async = \"allow\", detached_task = \"warn\" }\nper-file-ignores = { \"tests/**\" = [\"unawaited_future\"] }\n",
        "[T.per-file-ignores]\n\"tests/**\" = [\"unawaited_future\"]\n\n[T.rules]\nblocking_in_async = \"allow\"\ndetached_task = \"warn\"\n",
        "[T.rules]\nblocking_in_async = \"allow\"\ndetached_task = \"warn\"\n\n[T]\nper-file-ignores = { \"tests/**\" = [\"unawaited_future\"] }\n",
    ];
    let code = "async fn w() {}\npub async fn run() {\n    tokio::spawn(w());\n    std::thread::sleep(std::time::Duration::from_millis(1));\n    w();\n}\n";
    let expected_src = ["detached_task:warn", "unawaited_future:deny"];
    for (holder, table) in [
        ("package", "package.metadata.unawaited"),
        ("workspace", "workspace.metadata.unawaited"),
        ("unawaited.toml", ""),
    ] {
        for spelling in spellings {
            let dir = tempfile::tempdir().unwrap();
            let text = if table.is_empty() {
                // Top level: `[T.rules]` is `[rules]`, `[T]` holds the top-level keys.
                spelling
                    .replace("[T]\n\n", "")
                    .replace("[T]\n", "")
                    .replace("[T.", "[")
            } else {
                spelling.replace("[T", &format!("[{table}"))
            };
            // A `[T]` that came after other tables cannot move to the top: skip that spelling.
            if table.is_empty() && spelling.contains("\n[T]") {
                continue;
            }
            match holder {
                "package" => write(dir.path(), "Cargo.toml", &format!("{PACKAGE}{text}")),
                "workspace" => write(
                    dir.path(),
                    "Cargo.toml",
                    &format!("{PACKAGE}[workspace]\n\n{text}"),
                ),
                _ => {
                    write(dir.path(), "Cargo.toml", PACKAGE);
                    write(dir.path(), "unawaited.toml", &text);
                }
            }
            write(dir.path(), "src/lib.rs", code);
            write(dir.path(), "tests/t.rs", code);
            let mut found = rules_found(dir.path(), &["src"]);
            found.sort();
            assert_eq!(found, expected_src, "{holder}:\n{text}");
            assert_eq!(
                rules_found(dir.path(), &["tests"]),
                ["detached_task:warn"],
                "{holder}:\n{text}"
            );
            let shown = config_of(dir.path(), "tests/t.rs");
            let prefix = if table.is_empty() {
                String::new()
            } else {
                format!("{table}.")
            };
            assert!(
                shown.contains(&format!("{prefix}rules.detached_task"))
                    && shown.contains(&format!("{prefix}per-file-ignores")),
                "{holder}:\n{text}\n{shown}"
            );
        }
    }
}
