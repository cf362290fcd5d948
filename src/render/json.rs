//! `--format json`: one document, the contract documented in docs/output-formats.md.

use super::Report;
use crate::diagnostic::{Diagnostic, Span};
use serde_json::{json, Value};
use std::io::{self, Write};

/// The version of the JSON document's schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

fn span_fields(span: &Span) -> [(&'static str, Value); 4] {
    [
        ("line", json!(span.start.line)),
        ("column", json!(span.start.column)),
        ("end_line", json!(span.end.line)),
        ("end_column", json!(span.end.column)),
    ]
}

fn object(fields: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

pub fn diagnostic_value(d: &Diagnostic) -> Value {
    let fix = match &d.fix {
        None => Value::Null,
        Some(fix) => json!({
            "applicability": fix.applicability.as_str(),
            "message": fix.message,
            "edits": fix.edits.iter().map(|e| {
                let mut v = object(span_fields(&e.span));
                v["text"] = json!(e.text);
                v
            }).collect::<Vec<_>>(),
        }),
    };
    let mut v = object([
        ("rule", json!(d.rule.name())),
        ("level", json!(d.level.as_str())),
        ("path", json!(d.path)),
    ]);
    for (k, val) in span_fields(&d.span) {
        v[k] = val;
    }
    v["message"] = json!(d.message);
    v["help"] = json!(d.help);
    v["notes"] = d
        .notes
        .iter()
        .map(|n| {
            let mut nv = object(span_fields(&n.span));
            nv["path"] = json!(n.path.as_deref().unwrap_or(&d.path));
            nv["message"] = json!(n.message);
            nv
        })
        .collect();
    v["fix"] = fix;
    // How the finding's value is known (`proven`, `inferred`, `guessed`), for the rules about
    // futures and handles; `null` for the others. Added in version 1: readers ignore unknown keys.
    v["provenance"] = json!(d.provenance.map(|p| p.as_str()));
    v
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut doc = json!({
        "version": SCHEMA_VERSION,
        "diagnostics": report.diagnostics.iter().map(diagnostic_value).collect::<Vec<_>>(),
        "errors": report.errors,
        "summary": {
            "files": report.files,
            "diagnostics": report.diagnostics.len(),
            "errors": report.errors.len(),
        },
    });
    if !report.notes.is_empty() {
        doc["notes"] = json!(report.notes);
    }
    serde_json::to_writer(&mut *out, &doc)?;
    out.write_all(b"\n")
}
