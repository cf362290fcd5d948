//! `--format github`: GitHub Actions workflow commands, one annotation per finding, escaped as
//! the actions toolkit escapes them.
//!
//! GitHub honours columns only on single-line annotations, so a finding that spans several lines
//! is annotated by lines alone.

use super::cargo::severity;
use super::sarif::relative_path;
use super::Report;
use crate::diagnostic::{Diagnostic, Level, RunError};
use std::io::{self, Write};

/// Escapes the message (data) part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`): as data, and `:` and `,` too.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command for a level: rustc's word, except that GitHub says `notice` for `note`.
fn command(level: Level) -> &'static str {
    match level {
        Level::Allow => "notice",
        level => severity(level),
    }
}

/// `::COMMAND key=value,...::MESSAGE`, every part escaped.
fn workflow_command(command: &str, properties: &[(&str, String)], message: &str) -> String {
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(message)
    )
}

/// The message, then the notes with their positions, then the help, one per line.
fn message(d: &Diagnostic) -> String {
    let notes = d.notes.iter().map(|note| {
        let path = relative_path(note.path.as_deref().unwrap_or(&d.path));
        let start = note.span.start;
        format!(
            "note: {} ({path}:{}:{})",
            note.message, start.line, start.column
        )
    });
    let help = d.help.iter().map(|help| format!("help: {help}"));
    let lines: Vec<String> = std::iter::once(d.message.clone())
        .chain(notes)
        .chain(help)
        .collect();
    lines.join("\n")
}

pub fn annotation(d: &Diagnostic) -> String {
    let (start, end) = (d.span.start, d.span.end);
    let single_line = start.line == end.line;
    let mut properties = vec![
        ("file", relative_path(&d.path)),
        ("line", start.line.to_string()),
    ];
    if single_line {
        properties.push(("col", start.column.to_string()));
    }
    properties.push(("endLine", end.line.to_string()));
    if single_line {
        properties.push(("endColumn", end.column.to_string()));
    }
    properties.push(("title", format!("unawaited ({})", d.rule.name())));
    workflow_command(command(d.level), &properties, &message(d))
}

fn error_annotation(e: &RunError) -> String {
    workflow_command("error", &[("file", relative_path(&e.path))], &e.message)
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        writeln!(out, "{}", annotation(d))?;
    }
    for e in report.errors {
        writeln!(out, "{}", error_annotation(e))?;
    }
    Ok(())
}
