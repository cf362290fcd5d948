//! `--format cargo`: one diagnostic per line, exactly as `rustc --error-format=json` prints them,
//! so that rust-analyzer's `check.overrideCommand` shows findings inline, with quick fixes.
//!
//! The objects are bare rustc diagnostics; `--message-format json` wraps the same objects in
//! cargo's `compiler-message` lines (see [`super::cargo_messages`]).

use super::{human, Report, Sources};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level, Note, RunError, Span};
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};

/// The word rustc uses for a level. SARIF's `level` uses the same three words.
pub(crate) fn severity(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "note",
    }
}

/// A rustc diagnostic, or one of its children, with rustc's field names in rustc's order.
#[derive(Serialize)]
pub(super) struct Message<'a> {
    /// `"diagnostic"` at the top level; children do not carry it.
    #[serde(rename = "$message_type", skip_serializing_if = "Option::is_none")]
    message_type: Option<&'static str>,
    message: Cow<'a, str>,
    code: Option<Code>,
    level: &'static str,
    spans: Vec<SpanJson<'a>>,
    children: Vec<Message<'a>>,
    rendered: Option<String>,
}

#[derive(Serialize)]
struct Code {
    code: String,
    explanation: Option<String>,
}

#[derive(Serialize)]
struct SpanJson<'a> {
    file_name: &'a str,
    byte_start: usize,
    byte_end: usize,
    line_start: usize,
    line_end: usize,
    /// 1-based, in characters, like rustc.
    column_start: usize,
    column_end: usize,
    is_primary: bool,
    text: Vec<SpanLine<'a>>,
    label: Option<&'a str>,
    suggested_replacement: Option<&'a str>,
    suggestion_applicability: Option<&'static str>,
    /// Always `null`: findings are reported where they are written.
    expansion: Option<()>,
}

/// One whole source line a span covers, with the highlighted columns (1-based, characters).
#[derive(Serialize)]
struct SpanLine<'a> {
    text: &'a str,
    highlight_start: usize,
    highlight_end: usize,
}

impl<'a> Message<'a> {
    fn child(level: &'static str, message: &'a str, spans: Vec<SpanJson<'a>>) -> Message<'a> {
        Message {
            message_type: None,
            message: Cow::Borrowed(message),
            code: None,
            level,
            spans,
            children: Vec::new(),
            rendered: None,
        }
    }
}

/// The full source lines `span` covers, as rustc lists them in a span's `text`. Empty when the
/// file's text is unknown or does not match the span.
fn span_lines<'a>(text: Option<&'a str>, span: &Span) -> Vec<SpanLine<'a>> {
    let Some(text) = text else {
        return Vec::new();
    };
    let Some(before) = text.get(..span.start.byte) else {
        return Vec::new();
    };
    let first = before.rfind('\n').map_or(0, |i| i + 1);
    let count = span.end.line.saturating_sub(span.start.line) + 1;
    text[first..]
        .split('\n')
        .take(count)
        .zip(span.start.line..)
        .map(|(line, n)| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            SpanLine {
                text: line,
                highlight_start: if n == span.start.line {
                    span.start.column
                } else {
                    1
                },
                highlight_end: if n == span.end.line {
                    span.end.column
                } else {
                    line.chars().count() + 1
                },
            }
        })
        .collect()
}

fn span_json<'a>(path: &'a str, span: &Span, sources: &'a dyn Sources) -> SpanJson<'a> {
    SpanJson {
        file_name: path,
        byte_start: span.start.byte,
        byte_end: span.end.byte,
        line_start: span.start.line,
        line_end: span.end.line,
        column_start: span.start.column,
        column_end: span.end.column,
        is_primary: true,
        text: span_lines(sources.text(path), span),
        label: None,
        suggested_replacement: None,
        suggestion_applicability: None,
        expansion: None,
    }
}

fn note_child<'a>(d: &'a Diagnostic, note: &'a Note, sources: &'a dyn Sources) -> Message<'a> {
    let path = note.path.as_deref().unwrap_or(&d.path);
    Message::child(
        "note",
        &note.message,
        vec![span_json(path, &note.span, sources)],
    )
}

/// A fix as rustc words a suggestion: a `help` child whose spans carry the replacements.
fn fix_child<'a>(path: &'a str, fix: &'a Fix, sources: &'a dyn Sources) -> Message<'a> {
    let replacement = |edit: &'a Edit| SpanJson {
        suggested_replacement: Some(&edit.text),
        suggestion_applicability: Some(fix.applicability.as_str()),
        ..span_json(path, &edit.span, sources)
    };
    Message::child(
        "help",
        &fix.message,
        fix.edits.iter().map(replacement).collect(),
    )
}

pub(super) fn diagnostic_message<'a>(d: &'a Diagnostic, sources: &'a dyn Sources) -> Message<'a> {
    let notes = d.notes.iter().map(|n| note_child(d, n, sources));
    let help = d.help.iter().map(|h| Message::child("help", h, Vec::new()));
    let fix = d.fix.iter().map(|f| fix_child(&d.path, f, sources));
    Message {
        message_type: Some("diagnostic"),
        message: Cow::Borrowed(&d.message),
        code: Some(Code {
            code: format!("unawaited::{}", d.rule.name()),
            explanation: None,
        }),
        level: severity(d.level),
        spans: vec![SpanJson {
            label: d.label.as_deref(),
            ..span_json(&d.path, &d.span, sources)
        }],
        children: notes.chain(help).chain(fix).collect(),
        rendered: Some(human::render_one(d, sources, false)),
    }
}

/// A run error as rustc reports a file it cannot read: an error with no spans and no code.
pub(super) fn error_message(e: &RunError) -> Message<'_> {
    Message {
        message_type: Some("diagnostic"),
        message: Cow::Owned(format!("{}: {}", e.path, e.message)),
        rendered: Some(human::render_error(e)),
        ..Message::child("error", "", Vec::new())
    }
}

fn write_line(out: &mut dyn Write, message: &Message) -> io::Result<()> {
    serde_json::to_writer(&mut *out, message)?;
    out.write_all(b"\n")
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        write_line(out, &diagnostic_message(d, report.sources))?;
    }
    for e in report.errors {
        write_line(out, &error_message(e))?;
    }
    Ok(())
}
