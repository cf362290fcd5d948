//! `--format sarif`: SARIF 2.1.0 for code scanning (GitHub and others).

use super::Report;
use crate::baseline;
use crate::diagnostic::{Diagnostic, Level, Span};
use crate::rules::RuleId;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use std::io::{self, Write};

/// Characters kept as they are in a relative URI path (RFC 3986 unreserved, and `/`).
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

fn level(l: Level) -> &'static str {
    match l {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "none",
    }
}

/// A repository-relative URI for a display path.
pub fn uri(path: &str) -> String {
    let p = path.strip_prefix("./").unwrap_or(path);
    utf8_percent_encode(p, URI_PATH).to_string()
}

fn region(span: &Span) -> Value {
    json!({
        "startLine": span.start.line,
        "startColumn": span.start.column,
        "endLine": span.end.line,
        "endColumn": span.end.column,
        "charOffset": span.start.byte,
        "charLength": span.end.byte.saturating_sub(span.start.byte),
    })
}

fn location(path: &str, span: &Span, message: Option<&str>) -> Value {
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(path), "uriBaseId": "%SRCROOT%" },
            "region": region(span),
        }
    });
    if let Some(m) = message {
        loc["message"] = json!({ "text": m });
    }
    loc
}

fn section<'a>(docs: &'a str, heading: &str) -> &'a str {
    let Some(start) = docs.find(heading) else {
        return "";
    };
    let body = &docs[start + heading.len()..];
    body[..body.find("\n## ").unwrap_or(body.len())].trim()
}

fn rule_value(rule: RuleId) -> Value {
    let docs = rule.docs().text;
    json!({
        "id": rule.name(),
        "name": rule.name(),
        "shortDescription": { "text": rule.summary() },
        "fullDescription": { "text": section(&docs, "## What it does") },
        "help": { "text": docs, "markdown": docs },
        "defaultConfiguration": { "level": level(rule.default_level()) },
    })
}

fn result_value(d: &Diagnostic, fingerprint: &str) -> Value {
    let rule_index = RuleId::ALL.iter().position(|r| *r == d.rule).unwrap_or(0);
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut v = json!({
        "ruleId": d.rule.name(),
        "ruleIndex": rule_index,
        "level": level(d.level),
        "message": { "text": text },
        "locations": [location(&d.path, &d.span, d.label.as_deref())],
        "partialFingerprints": { "unawaited/v1": fingerprint },
    });
    if !d.notes.is_empty() {
        v["relatedLocations"] = d
            .notes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut loc = location(
                    n.path.as_deref().unwrap_or(&d.path),
                    &n.span,
                    Some(&n.message),
                );
                loc["id"] = json!(i);
                loc
            })
            .collect();
    }
    if let Some(fix) = &d.fix {
        v["fixes"] = json!([{
            "description": { "text": fix.message },
            "artifactChanges": [{
                "artifactLocation": { "uri": uri(&d.path), "uriBaseId": "%SRCROOT%" },
                "replacements": fix.edits.iter().map(|e| json!({
                    "deletedRegion": region(&e.span),
                    "insertedContent": { "text": e.text },
                })).collect::<Vec<_>>(),
            }],
        }]);
    }
    v
}

/// The working directory as a `file:` URI ending in `/`: what repository-relative URIs are
/// relative to.
fn source_root() -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = cwd.to_string_lossy().replace('\\', "/");
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    format!(
        "file://{}/",
        utf8_percent_encode(path.trim_end_matches('/'), URI_PATH)
    )
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let fingerprints = baseline::entries(report.diagnostics, report.sources);
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .zip(&fingerprints)
        .map(|(d, e)| result_value(d, &e.fingerprint))
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": e.message },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(&e.path), "uriBaseId": "%SRCROOT%" } } }],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "unawaited",
                "informationUri": "https://crates.io/crates/unawaited",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": RuleId::ALL.iter().map(|r| rule_value(*r)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "%SRCROOT%": { "uri": source_root() } },
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
