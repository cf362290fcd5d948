//! UI tests, as clippy's: what a user sees for every fixture file, compared whole with the
//! output blessed beside it — `foo.rs` → `foo.human` (the human format: messages, spans with
//! their carets, labels, notes, help, the fix and the summary line), and, where the file exists,
//! `foo.cargo.jsonl` (`--format cargo`, each line's object pretty-printed) and `foo.sarif`
//! (`--format sarif`, pretty-printed, the working directory's URI written `file:///$ROOT/`).
//!
//! Each fixture tree is checked in one run (`common::trees`), as `unawaited check TREE
//! --no-cache` does, and each file's findings are rendered on their own: paths are relative, there
//! is no colour and no timing, so the text is the same on every machine.
//!
//! After an intended change, re-bless every expected file with
//!
//! ```sh
//! UNAWAITED_BLESS=1 cargo test --test ui
//! ```
//!
//! and review the diff. Blessing also deletes expected files whose fixture is gone. To add the
//! cargo or SARIF output of a fixture, create the empty `foo.cargo.jsonl` or `foo.sarif` and
//! bless.

mod common;
use common::trees;

use serde_json::Value;
use std::path::{Path, PathBuf};
use unawaited::diagnostic::Diagnostic;
use unawaited::engine::Outcome;
use unawaited::render::{self, Format, RenderOptions, Report};

const BLESS_VAR: &str = "UNAWAITED_BLESS";
const BLESS: &str = "UNAWAITED_BLESS=1 cargo test --test ui";

/// The expected-output files: suffix (replacing `.rs`), format, and whether every fixture has
/// one (`false`: only where the file exists).
const OUTPUTS: [(&str, Format, bool); 3] = [
    (".human", Format::Human, true),
    (".cargo.jsonl", Format::Cargo, false),
    (".sarif", Format::Sarif, false),
];

fn blessing() -> bool {
    std::env::var_os(BLESS_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// `fixtures/a/foo.rs` with `.human` → `fixtures/a/foo.human`.
fn beside(fixture: &Path, suffix: &str) -> PathBuf {
    let stem = fixture.file_stem().expect("a file name").to_string_lossy();
    fixture.with_file_name(format!("{stem}{suffix}"))
}

/// One file's findings in one format, as the CLI prints them.
fn render_file(outcome: &Outcome, display: &str, format: Format) -> String {
    let diagnostics: Vec<Diagnostic> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.path == display)
        .cloned()
        .collect();
    let report = Report {
        diagnostics: &diagnostics,
        errors: &[],
        files: 1,
        sources: &outcome.sources,
        notes: &[],
        root: None,
    };
    let mut out = Vec::new();
    render::render(format, &report, RenderOptions::default(), &mut out).expect("renders");
    let text = String::from_utf8(out).expect("UTF-8");
    match format {
        Format::Cargo => text
            .lines()
            .map(|line| pretty(serde_json::from_str(line).expect("one JSON object a line")))
            .collect(),
        Format::Sarif => {
            let mut doc: Value = serde_json::from_str(&text).expect("one JSON document");
            let root = &mut doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
            let uri = root.as_str().expect("%SRCROOT% has a URI");
            assert!(uri.starts_with("file:///") && uri.ends_with('/'), "{uri}");
            *root = Value::from("file:///$ROOT/");
            pretty(doc)
        }
        _ => text,
    }
}

fn pretty(value: Value) -> String {
    serde_json::to_string_pretty(&value).expect("serialises") + "\n"
}

/// Expected files of a tree whose fixture is gone.
fn orphans(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let files = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.file_name() != "target")
        .map(|e| e.expect("fixtures are readable").into_path());
    for path in files {
        let name = path.to_string_lossy().into_owned();
        for (suffix, _, _) in OUTPUTS {
            if let Some(stem) = name.strip_suffix(suffix) {
                if !Path::new(&format!("{stem}.rs")).is_file() {
                    out.push(path.clone());
                }
            }
        }
    }
    out
}

fn diff(expected: &str, actual: &str, path: &Path) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{} (expected)", path.display()), "actual")
        .to_string()
}

#[test]
fn every_fixture_prints_what_is_blessed_beside_it() {
    let bless = blessing();
    let mut failures = Vec::new();
    let mut blessed = Vec::new();
    let mut compared = 0;
    for root in trees::roots() {
        let outcome = trees::check(&root);
        for fixture in trees::rust_files(&root) {
            let display = trees::display(&fixture);
            for (suffix, format, always) in OUTPUTS {
                let path = beside(&fixture, suffix);
                let expected = match std::fs::read_to_string(&path) {
                    Ok(text) => Some(text),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => panic!("{}: {e}", path.display()),
                };
                if expected.is_none() && !always {
                    continue;
                }
                let actual = render_file(&outcome, &display, format);
                compared += 1;
                if expected.as_deref() == Some(actual.as_str()) {
                    continue;
                }
                if bless {
                    std::fs::write(&path, &actual).expect("writes the expected file");
                    blessed.push(path.display().to_string());
                } else {
                    match expected {
                        Some(expected) => failures.push(diff(&expected, &actual, &path)),
                        None => failures.push(format!("{} is missing\n", path.display())),
                    }
                }
            }
        }
        for orphan in orphans(&root) {
            if bless {
                std::fs::remove_file(&orphan).expect("removes a stale expected file");
                blessed.push(format!("{} (removed)", orphan.display()));
            } else {
                failures.push(format!("{}: its fixture is gone\n", orphan.display()));
            }
        }
    }
    assert!(compared > 0, "no fixture found");
    if !blessed.is_empty() {
        eprintln!("blessed:\n  {}", blessed.join("\n  "));
    }
    assert!(
        failures.is_empty(),
        "{} expected output(s) differ:\n\n{}\nIf the change is intended, re-bless with `{BLESS}` and review the diff.",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn expected_files_sit_beside_their_fixture() {
    let fixture = Path::new("fixtures/runtime/a.b.rs");
    assert_eq!(
        beside(fixture, ".cargo.jsonl"),
        Path::new("fixtures/runtime/a.b.cargo.jsonl")
    );
    assert_eq!(
        beside(fixture, ".human"),
        Path::new("fixtures/runtime/a.b.human")
    );
}
