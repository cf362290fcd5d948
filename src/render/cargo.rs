//! `--format cargo`: one rustc diagnostic (as `rustc --error-format=json` prints them) per line,
//! so rust-analyzer's `check.overrideCommand` shows findings inline, with quick fixes.

use super::{human, Report, Sources};
use crate::diagnostic::{Diagnostic, Level, Span};
use serde_json::{json, Value};
use std::io::{self, Write};

fn level(l: Level) -> &'static str {
    match l {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "note",
    }
}

/// The source lines a span covers, with the highlighted columns (1-based, in characters).
fn span_text(text: Option<&str>, span: &Span) -> Value {
    let Some(text) = text else { return json!([]) };
    let lines: Vec<&str> = text.lines().collect();
    (span.start.line..=span.end.line.max(span.start.line))
        .filter_map(|n| {
            let line = lines.get(n.checked_sub(1)?)?.trim_end_matches('\r');
            let start = if n == span.start.line {
                span.start.column
            } else {
                1
            };
            let end = if n == span.end.line {
                span.end.column
            } else {
                line.chars().count() + 1
            };
            Some(json!({ "text": line, "highlight_start": start, "highlight_end": end }))
        })
        .collect()
}

fn span_value(
    path: &str,
    span: &Span,
    sources: &dyn Sources,
    primary: bool,
    label: Option<&str>,
) -> Value {
    json!({
        "file_name": path,
        "byte_start": span.start.byte,
        "byte_end": span.end.byte,
        "line_start": span.start.line,
        "line_end": span.end.line,
        "column_start": span.start.column,
        "column_end": span.end.column,
        "is_primary": primary,
        "text": span_text(sources.text(path), span),
        "label": label,
        "suggested_replacement": null,
        "suggestion_applicability": null,
        "expansion": null,
    })
}

fn child(level: &str, message: &str, spans: Vec<Value>) -> Value {
    json!({ "message": message, "code": null, "level": level, "spans": spans, "children": [], "rendered": null })
}

pub fn diagnostic_value(d: &Diagnostic, sources: &dyn Sources) -> Value {
    let mut children = Vec::new();
    for note in &d.notes {
        let path = note.path.as_deref().unwrap_or(&d.path);
        children.push(child(
            "note",
            &note.message,
            vec![span_value(path, &note.span, sources, true, None)],
        ));
    }
    if let Some(help) = &d.help {
        children.push(child("help", help, Vec::new()));
    }
    if let Some(fix) = &d.fix {
        let spans = fix
            .edits
            .iter()
            .map(|e| {
                let mut s = span_value(&d.path, &e.span, sources, true, None);
                s["suggested_replacement"] = json!(e.text);
                s["suggestion_applicability"] = json!(fix.applicability.as_str());
                s
            })
            .collect();
        children.push(child("help", &fix.message, spans));
    }
    json!({
        "$message_type": "diagnostic",
        "message": d.message,
        "code": { "code": format!("unawaited::{}", d.rule.name()), "explanation": null },
        "level": level(d.level),
        "spans": [span_value(&d.path, &d.span, sources, true, d.label.as_deref())],
        "children": children,
        "rendered": human::render_one(d, sources, false),
    })
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        serde_json::to_writer(&mut *out, &diagnostic_value(d, report.sources))?;
        out.write_all(b"\n")?;
    }
    for e in report.errors {
        let message = format!("{}: {}", e.path, e.message);
        let mut v = child("error", &message, Vec::new());
        v["$message_type"] = json!("diagnostic");
        v["rendered"] = json!(human::render_error(e));
        serde_json::to_writer(&mut *out, &v)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
