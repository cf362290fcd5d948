//! The fixture harness: every `.rs` file under `fixtures/` carries `//~ rule_name` at the end of
//! each line a finding must start on (`//~ rule rule` when the line holds two). The run must
//! produce exactly those findings, counted: a missing one, an unexpected one and a duplicate all
//! fail, and the failure lists them all.
//!
//! The trees are found on disk (`common::trees`), so a mark in a new folder is enforced. Where a
//! finding starts and ends, its message, label, help, notes and fix are compared with the whole
//! expected output blessed beside each fixture, by `tests/ui.rs`.

mod common;
use common::trees;

use std::collections::BTreeMap;
use std::path::Path;

/// (path, line, rule) → how many findings.
type Counts = BTreeMap<(String, usize, String), usize>;

fn expected_marks(root: &Path) -> Counts {
    let mut out = Counts::new();
    for file in trees::rust_files(root) {
        let text = std::fs::read_to_string(&file).expect("fixtures are UTF-8");
        let display = trees::display(&file);
        for (i, line) in text.lines().enumerate() {
            let Some(at) = line.find("//~") else { continue };
            for rule in line[at + 3..].split_whitespace() {
                assert!(
                    unawaited::rule_id::RuleId::from_name(rule).is_some(),
                    "{display}:{}: `//~ {rule}` names no rule",
                    i + 1
                );
                *out.entry((display.clone(), i + 1, rule.to_string()))
                    .or_default() += 1;
            }
        }
    }
    out
}

fn actual(root: &Path) -> Counts {
    let mut out = Counts::new();
    for d in trees::check(root).diagnostics {
        *out.entry((d.path.clone(), d.span.start.line, d.rule.name().to_string()))
            .or_default() += 1;
    }
    out
}

/// The differences between marks and findings, one line each.
fn differences(expected: &Counts, actual: &Counts) -> Vec<String> {
    let mut keys: Vec<_> = expected.keys().chain(actual.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key @ (path, line, rule) in keys {
        let want = expected.get(key).copied().unwrap_or(0);
        let got = actual.get(key).copied().unwrap_or(0);
        let what = match (want, got) {
            (w, g) if w == g => continue,
            (_, 0) => "missing   ",
            (0, _) => "unexpected",
            _ => "count     ",
        };
        out.push(format!(
            "{what} {path}:{line} {rule} (marked {want}, found {got})"
        ));
    }
    out
}

/// Every tree, the reference pipeline included: correct files give nothing, the others exactly
/// their marks.
#[test]
fn every_fixture_tree_gives_exactly_its_marks() {
    let mut failures = Vec::new();
    let mut marks = 0;
    for root in trees::roots() {
        let expected = expected_marks(&root);
        marks += expected.values().sum::<usize>();
        failures.extend(differences(&expected, &actual(&root)));
    }
    assert!(marks > 0, "no marks found under fixtures/");
    assert!(
        failures.is_empty(),
        "fixture marks and findings differ:\n{}",
        failures.join("\n")
    );
}

/// The comparison itself: a duplicate finding on a marked line fails, as a missing and an
/// unexpected one do.
#[test]
fn duplicates_and_misses_are_differences() {
    let key = |line: usize| ("a.rs".to_string(), line, "unawaited_future".to_string());
    let expected = Counts::from([(key(1), 1), (key(2), 1)]);
    let actual = Counts::from([(key(1), 2), (key(3), 1)]);
    assert_eq!(
        differences(&expected, &actual),
        [
            "count      a.rs:1 unawaited_future (marked 1, found 2)",
            "missing    a.rs:2 unawaited_future (marked 1, found 0)",
            "unexpected a.rs:3 unawaited_future (marked 0, found 1)",
        ]
    );
    assert!(differences(&expected, &expected).is_empty());
}
