//! The machine formats, parsed the way their consumers parse them: rustc diagnostics through
//! `cargo_metadata`'s types (what rust-analyzer reads), SARIF's required fields, GitHub's
//! workflow-command escaping.

mod common;
use common::*;

use cargo_metadata::diagnostic::{Applicability, Diagnostic as RustcDiagnostic, DiagnosticLevel};
use serde_json::Value;
use std::path::Path;

const LIB: &str = "async fn work() {}\nfn settle() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\npub async fn run() {\n    let é = \"ü\"; work();\n    settle();\n}\n";

fn package_with(lib: &str) -> tempfile::TempDir {
    package(&[("src/lib.rs", lib)])
}

fn output(dir: &Path, format: &str) -> (String, i32) {
    let out = unawaited()
        .current_dir(dir)
        .args(["check", "--format", format])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn cargo_format_is_what_rust_analyzer_reads() {
    let dir = package_with(LIB);
    let (text, code) = output(dir.path(), "cargo");
    assert_eq!(code, 1);
    let diags: Vec<RustcDiagnostic> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a rustc diagnostic per line"))
        .collect();
    assert_eq!(diags.len(), 2);
    let fut = diags
        .iter()
        .find(|d| d.code.as_ref().unwrap().code == "unawaited::unawaited_future")
        .unwrap();
    assert_eq!(fut.level, DiagnosticLevel::Error);
    let span = &fut.spans[0];
    assert!(span.is_primary);
    assert_eq!(
        (span.line_start, span.column_start, span.column_end),
        (6, 18, 24),
        "columns count characters"
    );
    assert_eq!(
        &LIB[span.byte_start as usize..span.byte_end as usize],
        "work()"
    );
    assert_eq!(span.text[0].text, "    let é = \"ü\"; work();");
    assert_eq!(
        (span.text[0].highlight_start, span.text[0].highlight_end),
        (18, 24)
    );
    let fix = fut
        .children
        .iter()
        .find(|c| c.spans.iter().any(|s| s.suggested_replacement.is_some()))
        .expect("a fix child");
    assert_eq!(
        fix.spans[0].suggested_replacement.as_deref(),
        Some(".await")
    );
    assert_eq!(
        fix.spans[0].suggestion_applicability,
        Some(Applicability::MachineApplicable)
    );
    assert!(fut
        .rendered
        .as_deref()
        .unwrap()
        .contains("--> src/lib.rs:6:18"));
    let blocking = diags
        .iter()
        .find(|d| d.code.as_ref().unwrap().code == "unawaited::blocking_in_async")
        .unwrap();
    assert_eq!(blocking.level, DiagnosticLevel::Warning);
    let note = blocking
        .children
        .iter()
        .find(|c| c.level == DiagnosticLevel::Note)
        .expect("the chain as a note");
    assert_eq!(note.spans[0].line_start, 3);
    // Clean: exit 0, nothing printed.
    let clean = package_with("pub async fn a() {}\n");
    assert_eq!(output(clean.path(), "cargo"), (String::new(), 0));
}

fn sarif(dir: &Path) -> Value {
    serde_json::from_str(&output(dir, "sarif").0).expect("SARIF is JSON")
}

#[test]
fn sarif_has_the_required_fields_and_stable_fingerprints() {
    let dir = package_with(LIB);
    let doc = sarif(dir.path());
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in unawaited::rules::RuleId::ALL {
        let r = rules
            .iter()
            .find(|r| r["id"] == rule.name())
            .expect("every rule is listed");
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(r["fullDescription"]["text"].as_str().unwrap().len() > 20);
        assert!(r["help"]["text"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad"));
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "unawaited_future")
        .unwrap();
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "unawaited_future"
    );
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/lib.rs");
    assert_eq!(loc["region"]["startLine"], 6);
    assert_eq!(loc["region"]["startColumn"], 18);
    assert!(
        r["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
            == ".await"
    );
    let fp = r["partialFingerprints"]["unawaited/v1"].clone();
    assert!(fp.is_string());
    // The same finding three lines further down keeps its fingerprint.
    let moved = package_with(&format!("// one\n// two\n// three\n{LIB}"));
    let doc = sarif(moved.path());
    let r = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "unawaited_future")
        .unwrap()
        .clone();
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        9
    );
    assert_eq!(r["partialFingerprints"]["unawaited/v1"], fp);
}

#[test]
fn github_annotations_are_escaped_and_drop_columns_on_multi_line_spans() {
    let dir = package_with(LIB);
    let (text, _) = output(dir.path(), "github");
    let first = text
        .lines()
        .find(|l| l.contains("unawaited_future"))
        .unwrap();
    assert_eq!(
        first,
        "::error file=src/lib.rs,line=6,col=18,endLine=6,endColumn=24,title=unawaited (unawaited_future)::future returned by async fn `work` is never awaited%0Ahelp: add `.await` to run it, or spawn it (`tokio::spawn`) if it should run in the background"
    );
    let multi = package_with("async fn w(a: u8, b: u8) {}\nasync fn run() {\n    w(\n        1,\n        2,\n    );\n}\n");
    let (text, _) = output(multi.path(), "github");
    assert!(
        text.starts_with(
            "::error file=src/lib.rs,line=3,endLine=6,title=unawaited (unawaited_future)::"
        ),
        "{text}"
    );
    let (text, _) = output(dir.path(), "github");
    let chain = text
        .lines()
        .find(|l| l.contains("blocking_in_async"))
        .unwrap();
    assert!(
        chain.contains("%0Anote: `settle` calls `std::thread::sleep` here (src/lib.rs:3:5)"),
        "{chain}"
    );
    assert_eq!(
        unawaited::render::github::escape_property("a,b:c%d\ne"),
        "a%2Cb%3Ac%25d%0Ae"
    );
    assert_eq!(
        unawaited::render::github::escape_data("50%, a:b\r\n"),
        "50%25, a:b%0D%0A"
    );
}
