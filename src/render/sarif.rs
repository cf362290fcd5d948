//! `--format sarif`: one SARIF 2.1.0 document for code scanning (GitHub and others).
//!
//! Regions are lines and columns, columns counted in code points (`columnKind` says so). Paths
//! become URIs relative to `%SRCROOT%`, the repository root from the command line (the working
//! directory in a report without a root), which is what the report's paths are relative to. Each result carries a fingerprint of its rule, path, line text and occurrence
//! (the one baselines use), so a finding keeps its identity when code above it moves.

use super::cargo::severity;
use super::Report;
use crate::baseline;
use crate::diagnostic::{Diagnostic, Fix, Note, RunError, Span};
use crate::rule_id::RuleId;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};
use std::io::{self, Write};
use std::path::{Path, MAIN_SEPARATOR};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The repository (`repository` in Cargo.toml): the tool's `informationUri`, and each rule's
/// `helpUri` is its page in the repository (`docs/rules/RULE.md`). Unset, no link is made up.
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");
const SRCROOT: &str = "%SRCROOT%";
/// The `partialFingerprints` key; the suffix changes whenever the fingerprint's recipe does.
const FINGERPRINT_KEY: &str = "unawaited/v1";

/// Bytes kept as they are in a URI path: RFC 3986 unreserved characters and `/`.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// The same, keeping `:` too, for absolute `file:` URIs (`file:///C:/src`).
const FILE_URI_PATH: &AsciiSet = &URI_PATH.remove(b':');

/// A display path with forward slashes and no leading `./`: the repository-relative spelling
/// that code scanning and GitHub annotations expect when run from the repository root.
pub(crate) fn relative_path(path: &str) -> String {
    let forward = path.replace(MAIN_SEPARATOR, "/");
    let mut rest = forward.as_str();
    while let Some(tail) = rest.strip_prefix("./") {
        rest = tail.trim_start_matches('/');
    }
    rest.to_string()
}

/// An absolute path as a `file:` URI (`file:///home/x`, `file:///C:/x`).
fn file_uri(path: &str) -> String {
    let path = relative_path(path);
    let slash = if path.starts_with('/') { "" } else { "/" };
    format!(
        "file://{slash}{}",
        utf8_percent_encode(&path, FILE_URI_PATH)
    )
}

/// Where a display path points: relative to `%SRCROOT%`, or a `file:` URI if it is absolute.
fn artifact_location(path: &str) -> Value {
    if Path::new(path).is_absolute() {
        return json!({ "uri": file_uri(path) });
    }
    let uri = utf8_percent_encode(&relative_path(path), URI_PATH).to_string();
    json!({ "uri": uri, "uriBaseId": SRCROOT })
}

/// `%SRCROOT%` as an absolute URI ending in `/`: the folder the paths are relative to (the
/// repository root, or else the working directory).
fn original_uri_base_ids(root: Option<&Path>) -> Option<Value> {
    let cwd = match root {
        Some(root) => root.to_path_buf(),
        None => std::env::current_dir().ok()?,
    };
    let root = file_uri(&cwd.to_string_lossy());
    let root = format!("{}/", root.trim_end_matches('/'));
    Some(json!({ SRCROOT: { "uri": root } }))
}

/// A text region; columns are 1-based code points and the end column is exclusive, as ours are.
fn region(span: &Span) -> Value {
    json!({
        "startLine": span.start.line,
        "startColumn": span.start.column,
        "endLine": span.end.line,
        "endColumn": span.end.column,
    })
}

fn location(path: &str, span: &Span, message: Option<&str>) -> Value {
    let mut loc = Map::new();
    loc.insert(
        "physicalLocation".into(),
        json!({ "artifactLocation": artifact_location(path), "region": region(span) }),
    );
    if let Some(text) = message {
        loc.insert("message".into(), json!({ "text": text }));
    }
    Value::Object(loc)
}

/// The body of one `## Heading` section of a rule's markdown docs.
fn section<'a>(docs: &'a str, heading: &str) -> &'a str {
    let mut start = None;
    let mut offset = 0;
    for line in docs.split_inclusive('\n') {
        let next = offset + line.len();
        match start {
            None if line.trim_end() == heading => start = Some(next),
            Some(s) if line.starts_with("## ") => return docs[s..offset].trim(),
            _ => {}
        }
        offset = next;
    }
    start.map_or("", |s| docs[s..].trim())
}

fn rule_descriptor(rule: RuleId, repository: &str) -> Value {
    let docs = rule.docs().text;
    let mut d = json!({
        "id": rule.name(),
        "name": rule.name(),
        "shortDescription": { "text": rule.summary() },
        "fullDescription": { "text": section(&docs, "## What it does") },
        "help": { "text": docs, "markdown": docs },
        "defaultConfiguration": { "level": severity(rule.default_level()) },
    });
    if let Some(page) = rule_page(rule, repository) {
        d["helpUri"] = json!(page);
    }
    d
}

/// A rule's documentation page in the repository, when the repository is known.
fn rule_page(rule: RuleId, repository: &str) -> Option<String> {
    let repository = repository.trim_end_matches('/');
    (!repository.is_empty())
        .then(|| format!("{repository}/blob/HEAD/docs/rules/{}.md", rule.name()))
}

/// The `tool.driver` object: the tool, its version, its rules and, when the repository is known,
/// links into it.
fn driver(repository: &str) -> Value {
    let rules: Vec<Value> = RuleId::ALL
        .iter()
        .map(|r| rule_descriptor(*r, repository))
        .collect();
    let mut driver = json!({
        "name": "unawaited",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if !repository.is_empty() {
        driver["informationUri"] = json!(repository);
    }
    driver
}

fn related_location(d: &Diagnostic, id: usize, note: &Note) -> Value {
    let path = note.path.as_deref().unwrap_or(&d.path);
    let mut loc = location(path, &note.span, Some(&note.message));
    loc["id"] = json!(id);
    loc
}

fn fix_value(path: &str, fix: &Fix) -> Value {
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| json!({ "deletedRegion": region(&e.span), "insertedContent": { "text": e.text } }))
        .collect();
    json!({
        "description": { "text": fix.message },
        "artifactChanges": [{
            "artifactLocation": artifact_location(path),
            "replacements": replacements,
        }],
    })
}

fn message_text(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

fn result(d: &Diagnostic, fingerprint: &str) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(d.rule.name()));
    if let Some(index) = RuleId::ALL.iter().position(|rule| *rule == d.rule) {
        r.insert("ruleIndex".into(), json!(index));
    }
    r.insert("level".into(), json!(severity(d.level)));
    r.insert("message".into(), json!({ "text": message_text(d) }));
    let primary = location(&d.path, &d.span, d.label.as_deref());
    r.insert("locations".into(), json!([primary]));
    if !d.notes.is_empty() {
        let related = d.notes.iter().enumerate();
        let related: Vec<Value> = related.map(|(i, n)| related_location(d, i, n)).collect();
        r.insert("relatedLocations".into(), json!(related));
    }
    r.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint }),
    );
    if let Some(fix) = &d.fix {
        r.insert("fixes".into(), json!([fix_value(&d.path, fix)]));
    }
    Value::Object(r)
}

fn notification(e: &RunError) -> Value {
    json!({
        "level": "error",
        "message": { "text": e.message },
        "locations": [{ "physicalLocation": { "artifactLocation": artifact_location(&e.path) } }],
    })
}

fn run(report: &Report) -> Value {
    let fingerprints = baseline::entries(report.diagnostics, report.sources);
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .zip(&fingerprints)
        .map(|(d, entry)| result(d, &entry.fingerprint))
        .collect();
    let notifications: Vec<Value> = report.errors.iter().map(notification).collect();
    let mut run = Map::new();
    run.insert("tool".into(), json!({ "driver": driver(REPOSITORY) }));
    run.insert("columnKind".into(), json!("unicodeCodePoints"));
    if let Some(bases) = original_uri_base_ids(report.root) {
        run.insert("originalUriBaseIds".into(), bases);
    }
    run.insert(
        "invocations".into(),
        json!([{
            "executionSuccessful": report.errors.is_empty(),
            "toolExecutionNotifications": notifications,
        }]),
    );
    run.insert("results".into(), json!(results));
    Value::Object(run)
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    render_with(report, None, out)
}

/// The document, with `statistics` (`--statistics`: the count of findings per rule) in the
/// run's property bag.
pub fn render_with(
    report: &Report,
    statistics: Option<Value>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut run = run(report);
    if let (Some(stats), Value::Object(run)) = (statistics, &mut run) {
        run.insert("properties".into(), json!({ "statistics": stats }));
    }
    let doc = json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": [run] });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 30, item 7: links go to the repository and to each rule's page in it, pages that
    /// exist (`docs/rules/`); with no repository known, no link at all (never a made-up one).
    #[test]
    fn links_point_into_the_repository_or_nowhere() {
        let d = driver("https://example.org/team/unawaited/");
        assert_eq!(d["informationUri"], "https://example.org/team/unawaited/");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (rule, r) in RuleId::ALL.iter().zip(d["rules"].as_array().unwrap()) {
            let uri = r["helpUri"].as_str().unwrap();
            let page = uri
                .strip_prefix("https://example.org/team/unawaited/blob/HEAD/")
                .unwrap();
            assert_eq!(page, format!("docs/rules/{}.md", rule.name()));
            assert!(root.join(page).is_file(), "{page}");
        }
        let d = driver("");
        assert!(d.get("informationUri").is_none());
        assert!(d["rules"][0].get("helpUri").is_none());
        assert_eq!(driver(REPOSITORY)["informationUri"].as_str(), {
            Some(REPOSITORY).filter(|r| !r.is_empty())
        });
    }
}
