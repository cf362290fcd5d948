//! Large files are parsed group by group of their top-level items (issue 30 item 9): the same
//! findings as a parse of the whole file. `UNAWAITED_SPLIT_ABOVE=0` reads every file item by
//! item, so the fixtures check the group path against the whole one.

mod common;
use common::*;

fn check(dir: &std::path::Path, args: &[&str], split_above: Option<&str>) -> String {
    let mut cmd = unawaited();
    cmd.current_dir(dir)
        .args(["check", "--format", "json", "--exit-zero", "--no-cache"])
        .args(args);
    match split_above {
        Some(v) => cmd.env("UNAWAITED_SPLIT_ABOVE", v),
        None => cmd.env_remove("UNAWAITED_SPLIT_ABOVE"),
    };
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The package's findings, which must be the same read whole and read group by group (every
/// file above 1,000 bytes split).
fn whole_and_in_groups(dir: &std::path::Path) -> serde_json::Value {
    let whole = check(dir, &["."], None);
    let items = check(dir, &["."], Some("1000"));
    assert_eq!(whole, items);
    serde_json::from_str(&whole).unwrap()
}

#[test]
fn every_fixture_item_by_item_gives_the_whole_parse_findings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let whole = check(root, &["fixtures"], None);
    let items = check(root, &["fixtures"], Some("0"));
    let doc: serde_json::Value = serde_json::from_str(&whole).expect("JSON");
    assert!(doc["summary"]["diagnostics"].as_u64().unwrap() > 300);
    assert!(whole == items, "the findings differ item by item");
}

#[test]
fn a_large_file_with_a_syntax_error_late_reports_it_as_a_whole_parse_does() {
    let mut text = String::from("#![allow(unused_must_use)]\nasync fn w() {}\n");
    for i in 0..2000 {
        text.push_str(&format!("pub fn f{i}() {{\n    w();\n}}\n"));
    }
    text.push_str("fn broken() {\n    let = ;\n}\n");
    for i in 0..100 {
        text.push_str(&format!("pub fn g{i}() {{}}\n"));
    }
    let dir = package(&[("src/lib.rs", &text)]);
    let doc = whole_and_in_groups(dir.path());
    let found = doc["diagnostics"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["rule"], "parse_error");
    assert_eq!(found[0]["line"], 2 + 3 * 2000 + 2);
}

#[test]
fn a_large_file_split_in_groups_keeps_its_findings_and_suppressions() {
    let mut text =
        String::from("//! Generated.\nasync fn w() {}\nmacro_rules! spawn_w { () => { w() } }\n");
    for i in 0..3000 {
        match i % 3 {
            0 => text.push_str(&format!("pub fn f{i}() {{\n    w();\n}}\n")),
            1 => text.push_str(&format!(
                "pub fn f{i}() {{\n    w(); // unawaited: allow(unawaited_future)\n}}\n"
            )),
            _ => text.push_str(&format!("pub fn f{i}() {{\n    spawn_w!();\n}}\n")),
        }
    }
    text.push_str(
        "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {\n        super::w();\n    }\n}\n",
    );
    let dir = package(&[("src/lib.rs", &text)]);
    let doc = whole_and_in_groups(dir.path());
    assert!(doc["diagnostics"].as_array().unwrap().len() >= 1000);
}

/// The walk of a large file group by group reads what the whole file says: a callee that is
/// not on disk, awaited in the first groups and called once without `.await` in the last one,
/// is a future by its uses in the whole file (its IR's call uses), not in the last group only.
#[test]
fn a_large_file_walked_group_by_group_reads_the_whole_files_uses() {
    let mut text = String::from("async fn first() {\n    support::stop().await;\n}\n");
    for i in 0..3000 {
        text.push_str(&format!("pub fn f{i}() -> u32 {{\n    {i}\n}}\n"));
    }
    text.push_str("async fn last() {\n    support::stop();\n}\n");
    let dir = package(&[("src/lib.rs", &text)]);
    let doc = whole_and_in_groups(dir.path());
    let found = doc["diagnostics"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["line"], 3 + 3 * 3000 + 2);
}

/// The walk reads a split file's groups again from the file (its text is not held from the
/// facts stage to the walk): spans after a BOM, on non-ASCII and CRLF lines, in local macros'
/// calls, are those of the whole parse.
#[test]
fn a_large_file_walked_from_the_file_keeps_its_spans() {
    let mut text = String::from("\u{feff}async fn w() {}\r\nmacro_rules! go { () => { w() } }\n");
    for i in 0..600 {
        match i % 3 {
            0 => text.push_str(&format!("/* é */ pub fn é{i}() {{ w(); }}\r\n")),
            1 => text.push_str(&format!("pub fn f{i}() {{\n    go!();\n}}\n")),
            _ => text.push_str(&format!("pub fn g{i}() {{\n    let _ = 'é'; w();\n}}\n")),
        }
    }
    let dir = package(&[("src/lib.rs", &text)]);
    let doc = whole_and_in_groups(dir.path());
    let found = doc["diagnostics"].as_array().unwrap();
    assert!(found.len() >= 600, "{}", found.len());
    let first = &found[0];
    assert_eq!(first["line"], 3, "{first}");
    assert_eq!(
        first["column"],
        "/* é */ pub fn é0() { ".chars().count() + 1
    );
}
