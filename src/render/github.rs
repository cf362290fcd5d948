//! `--format github`: GitHub Actions workflow commands, one annotation per finding, escaped as
//! the actions toolkit escapes them.

use super::Report;
use crate::diagnostic::{Diagnostic, Level};
use std::io::{self, Write};

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`): also `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn annotation(d: &Diagnostic) -> String {
    let command = if d.level == Level::Deny {
        "error"
    } else {
        "warning"
    };
    let mut props = vec![
        format!("file={}", escape_property(&d.path)),
        format!("line={}", d.span.start.line),
    ];
    let single_line = d.span.start.line == d.span.end.line;
    if single_line {
        props.push(format!("col={}", d.span.start.column));
    }
    props.push(format!("endLine={}", d.span.end.line));
    if single_line {
        props.push(format!("endColumn={}", d.span.end.column));
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("unawaited ({})", d.rule.name()))
    ));
    let mut message = d.message.clone();
    for note in &d.notes {
        let path = note.path.as_deref().unwrap_or(&d.path);
        let at = format!("{path}:{}:{}", note.span.start.line, note.span.start.column);
        message.push_str(&format!("\nnote: {} ({at})", note.message));
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{command} {}::{}", props.join(","), escape_data(&message))
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        writeln!(out, "{}", annotation(d))?;
    }
    for e in report.errors {
        writeln!(
            out,
            "::error file={}::{}",
            escape_property(&e.path),
            escape_data(&e.message)
        )?;
    }
    Ok(())
}
