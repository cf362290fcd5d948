//! The SARIF the binary prints, validated against the SARIF 2.1.0 JSON Schema
//! (`tests/schemas/`, with its origin and licence), formats included (`uri`, `uri-reference`):
//! what GitHub code scanning and other SARIF consumers check on upload.

mod common;
use common::*;

use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("schemas/sarif-2.1.0.json")).expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

/// Every violation, one a line, with where it is.
fn violations(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn sarif_of(dir: &std::path::Path, args: &[&str], code: i32) -> Value {
    let out = unawaited()
        .current_dir(dir)
        .args(["check", "--no-cache", "--format", "sarif"])
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

fn assert_valid(doc: &Value, what: &str) {
    let errors = violations(&validator(), doc);
    assert!(
        errors.is_empty(),
        "{what}: the SARIF breaks the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
}

/// The reference pipeline gives findings of every rule, with notes, fixes and call chains.
#[test]
fn the_reference_pipeline_s_sarif_is_valid() {
    let doc = sarif_of(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &["fixtures/pipeline"],
        1,
    );
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() > 10, "{doc}");
    assert!(results.iter().any(|r| r.get("fixes").is_some()));
    assert!(results.iter().any(|r| r.get("relatedLocations").is_some()));
    assert_valid(&doc, "fixtures/pipeline");
}

/// Run errors (tool execution notifications), paths that need percent-encoding, a finding on a
/// non-ASCII line, and a clean run.
#[test]
fn errors_odd_paths_and_clean_runs_are_valid_sarif() {
    let dir = package(&[
        (
            "src/lib.rs",
            "mod odd;\nmod latin1;\n#[path = \"my dir/50%,#x.rs\"]\nmod x;\nasync fn work() {}\npub async fn run() {\n    let é = \"ü\"; work();\n}\n",
        ),
        ("src/odd.rs", ""),
        ("src/my dir/50%,#x.rs", "async fn w() {}\nfn g() { w(); }\n"),
    ]);
    std::fs::write(dir.path().join("src/latin1.rs"), b"// caf\xe9\n").unwrap();
    let doc = sarif_of(dir.path(), &["."], 2);
    let notifications = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notifications.as_array().map(Vec::len), Some(1), "{doc}");
    assert_eq!(doc["runs"][0]["results"].as_array().map(Vec::len), Some(2));
    assert_valid(&doc, "errors and odd paths");

    let clean = package(&[("src/lib.rs", "pub fn f() {}\n")]);
    let doc = sarif_of(clean.path(), &["."], 0);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    assert_valid(&doc, "a clean run");
}

/// The validation is not vacuous: breaking a field the schema constrains is caught.
#[test]
fn the_schema_rejects_broken_sarif() {
    let dir = package(&[(
        "src/lib.rs",
        "async fn work() {}\npub async fn run() {\n    work();\n}\n",
    )]);
    let doc = sarif_of(dir.path(), &["."], 1);
    let validator = validator();
    assert!(violations(&validator, &doc).is_empty());
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut copy = doc.clone();
        edit(&mut copy);
        violations(&validator, &copy)
    };
    for (what, errors) in [
        (
            "an unknown level",
            broken(&|d| d["runs"][0]["results"][0]["level"] = "fatal".into()),
        ),
        (
            "a line 0",
            broken(&|d| {
                d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
                    ["startLine"] = 0.into()
            }),
        ),
        (
            "a wrong version",
            broken(&|d| d["version"] = "2.0.0".into()),
        ),
        (
            "an unknown property",
            broken(&|d| d["runs"][0]["results"][0]["severity"] = "high".into()),
        ),
    ] {
        assert!(!errors.is_empty(), "{what} passes the schema");
    }
}
