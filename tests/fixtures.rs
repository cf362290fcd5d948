//! The fixture harness: every `.rs` file under `fixtures/` carries `//~ rule_name` at the end of
//! each line a finding must start on. The run must produce exactly those findings: a missing one
//! and an unexpected one both fail, and the failure lists them all.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use unawaited::engine::{run, Options};

type Key = (String, usize, String);

fn expected_marks(root: &Path) -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for entry in walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.file_name() != "target")
    {
        let entry = entry.expect("fixtures are readable");
        if entry.path().extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("fixtures are UTF-8");
        let display = entry.path().to_string_lossy().replace('\\', "/");
        for (i, line) in text.lines().enumerate() {
            let Some(at) = line.find("//~") else { continue };
            for rule in line[at + 3..].split_whitespace() {
                assert!(
                    unawaited::rules::RuleId::from_name(rule).is_some(),
                    "{display}:{}: `//~ {rule}` names no rule",
                    i + 1
                );
                out.insert((display.clone(), i + 1, rule.to_string()));
            }
        }
    }
    out
}

fn actual(root: &Path) -> BTreeSet<Key> {
    let outcome = run(&Options {
        paths: vec![root.to_path_buf()],
        ..Options::default()
    })
    .expect("the run starts");
    assert!(
        outcome.errors.is_empty(),
        "file errors: {:?}",
        outcome.errors
    );
    outcome
        .diagnostics
        .iter()
        .map(|d| (d.path.clone(), d.span.start.line, d.rule.name().to_string()))
        .collect()
}

fn check_tree(root: &str) {
    let root = PathBuf::from(root);
    let expected = expected_marks(&root);
    assert!(
        !expected.is_empty(),
        "no marks found under {}",
        root.display()
    );
    let actual = actual(&root);
    let missing: Vec<_> = expected.difference(&actual).collect();
    let unexpected: Vec<_> = actual.difference(&expected).collect();
    if !missing.is_empty() || !unexpected.is_empty() {
        let mut msg = String::new();
        for (p, l, r) in &missing {
            msg.push_str(&format!("missing    {p}:{l} {r}\n"));
        }
        for (p, l, r) in &unexpected {
            msg.push_str(&format!("unexpected {p}:{l} {r}\n"));
        }
        panic!("fixture marks and findings differ:\n{msg}");
    }
}

#[test]
fn unawaited_future_fixtures() {
    check_tree("fixtures/unawaited_future");
}

#[test]
fn resolution_fixtures() {
    check_tree("fixtures/resolution");
}

#[test]
fn runtime_fixtures() {
    check_tree("fixtures/runtime");
}

#[test]
fn suppression_fixtures() {
    check_tree("fixtures/suppress");
}

#[test]
fn select_cancel_unsafe_fixtures() {
    check_tree("fixtures/select_cancel_unsafe");
}

#[test]
fn callgraph_fixtures() {
    check_tree("fixtures/callgraph");
}

/// The reference pipeline: correct files give nothing, broken ones exactly their marks.
#[test]
fn reference_pipeline() {
    check_tree("fixtures/pipeline");
}
