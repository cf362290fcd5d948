//! rustc-style output through codespan-reporting, with ASCII `-->` so editor problem matchers
//! written for rustc read it.

use super::{RenderOptions, Report, Sources};
use crate::diagnostic::{Applicability, Diagnostic, Level, RunError};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer, Chars, Config};
use std::collections::BTreeMap;
use std::io::{self, Write};

fn severity(level: Level) -> Severity {
    match level {
        Level::Deny => Severity::Error,
        Level::Warn => Severity::Warning,
        Level::Allow => Severity::Note,
    }
}

/// Renders one diagnostic as rustc would print it; also used for the `rendered` field of the
/// cargo format.
pub fn render_one(diag: &Diagnostic, sources: &dyn Sources, color: bool) -> String {
    render_marked(diag, sources, color, false)
}

/// ruff's marker of a finding `--fix` fixes (with `--unsafe-fixes`, unsafe fixes too), put
/// before the message: `error[rule]: [*] message`.
pub fn fix_marker(diag: &Diagnostic, opts: RenderOptions) -> &'static str {
    match diag.fix.as_ref().map(|f| f.applicability) {
        Some(Applicability::MachineApplicable) => "[*] ",
        Some(Applicability::MaybeIncorrect) if opts.unsafe_fixes => "[*] ",
        _ => "",
    }
}

/// [`render_one`], with the fixable marker when `marked`.
fn render_marked(diag: &Diagnostic, sources: &dyn Sources, color: bool, marked: bool) -> String {
    let message = if marked {
        std::borrow::Cow::Owned(format!("[*] {}", diag.message))
    } else {
        std::borrow::Cow::Borrowed(diag.message.as_str())
    };
    let mut files = SimpleFiles::new();
    let mut ids = BTreeMap::new();
    let mut file_id = |path: &str, files: &mut SimpleFiles<String, String>| -> Option<usize> {
        if let Some(id) = ids.get(path) {
            return Some(*id);
        }
        let text = sources.text(path)?;
        let id = files.add(path.to_string(), text.to_string());
        ids.insert(path.to_string(), id);
        Some(id)
    };
    let mut cs = CsDiagnostic::new(severity(diag.level))
        .with_code(diag.rule.name())
        .with_message(message.as_ref());
    let mut notes = Vec::new();
    match file_id(&diag.path, &mut files) {
        Some(id) => {
            let mut labels = vec![Label::primary(id, diag.span.start.byte..diag.span.end.byte)
                .with_message(diag.label.clone().unwrap_or_default())];
            for note in &diag.notes {
                let path = note.path.as_deref().unwrap_or(&diag.path);
                match file_id(path, &mut files) {
                    Some(nid) => labels.push(
                        Label::secondary(nid, note.span.start.byte..note.span.end.byte)
                            .with_message(&note.message),
                    ),
                    None => notes.push(format!(
                        "note: {} ({}:{}:{})",
                        note.message, path, note.span.start.line, note.span.start.column
                    )),
                }
            }
            cs = cs.with_labels(labels);
        }
        None => notes.push(format!(
            "at {}:{}:{}",
            diag.path, diag.span.start.line, diag.span.start.column
        )),
    }
    if let Some(help) = &diag.help {
        notes.push(format!("help: {help}"));
    }
    if let Some(fix) = &diag.fix {
        match fixed_line(diag, sources) {
            Some(line) => notes.push(format!("help: {}: `{}`", fix.message, line.trim())),
            None => notes.push(format!("help: {}", fix.message)),
        }
    }
    cs = cs.with_notes(notes);
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    let mut buf = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    if term::emit_to_write_style(&mut buf, &config, &files, &cs).is_err() {
        return format!(
            "{}[{}]: {}\n  --> {}:{}:{}\n",
            diag.level.as_str(),
            diag.rule.name(),
            message,
            diag.path,
            diag.span.start.line,
            diag.span.start.column
        );
    }
    String::from_utf8_lossy(buf.as_slice()).into_owned()
}

/// The primary line with the fix applied, when all its edits fall on that line.
fn fixed_line(diag: &Diagnostic, sources: &dyn Sources) -> Option<String> {
    let fix = diag.fix.as_ref()?;
    let text = sources.text(&diag.path)?;
    let line = diag.span.start.line;
    let line_start = text
        .get(..diag.span.start.byte)?
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut edits: Vec<_> = fix.edits.iter().collect();
    if edits
        .iter()
        .any(|e| e.span.start.line != line || e.span.end.line != line)
    {
        return None;
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start.byte));
    // A comment after the finding is not part of what the fix shows.
    let after = diag.span.end.byte.max(line_start).min(line_end);
    let line_end = text[after..line_end]
        .find("//")
        .or_else(|| text[after..line_end].find("/*"))
        .map_or(line_end, |i| after + i);
    let mut out = text
        .get(line_start..line_end)?
        .trim_end_matches('\r')
        .trim_end()
        .to_string();
    for e in edits {
        let (a, b) = (
            e.span.start.byte.checked_sub(line_start)?,
            e.span.end.byte.checked_sub(line_start)?,
        );
        if b > out.len() || !out.is_char_boundary(a) || !out.is_char_boundary(b) {
            return None;
        }
        out.replace_range(a..b, &e.text);
    }
    Some(out)
}

pub fn render_error(err: &RunError) -> String {
    format!("error: {}: {}\n", err.path, err.message)
}

pub fn render(report: &Report, opts: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    for diag in report.diagnostics {
        let marked = !fix_marker(diag, opts).is_empty();
        out.write_all(render_marked(diag, report.sources, opts.color, marked).as_bytes())?;
    }
    for err in report.errors {
        out.write_all(render_error(err).as_bytes())?;
    }
    summary(report, opts, out)
}

/// The closing lines (unless `-q`): what was checked and found, and what `--fix` could fix.
pub fn summary(report: &Report, opts: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    if opts.quiet {
        return Ok(());
    }
    let deny = report
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Deny)
        .count();
    let warn = report.diagnostics.len() - deny;
    let files = report.files;
    let noun = if files == 1 { "file" } else { "files" };
    if report.diagnostics.is_empty() && report.errors.is_empty() {
        writeln!(out, "unawaited: {files} {noun} checked, no findings")?;
    } else {
        // A file that does not parse is a warning, not a file error: say so, or "0 file
        // errors" reads as if every file had been analysed.
        let unparsed = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == crate::rule_id::RuleId::ParseError)
            .count();
        let unparsed = match unparsed {
            0 => String::new(),
            1 => " (1 file not parsed)".to_string(),
            n => format!(" ({n} files not parsed)"),
        };
        writeln!(
            out,
            "unawaited: {files} {noun} checked: {deny} error{}, {warn} warning{}{unparsed}, {} file error{}",
            plural(deny),
            plural(warn),
            report.errors.len(),
            plural(report.errors.len())
        )?;
    }
    let fixable = super::Fixable::count(report.diagnostics);
    let (now, hidden) = if opts.unsafe_fixes {
        (fixable.safe + fixable.unsafe_, 0)
    } else {
        (fixable.safe, fixable.unsafe_)
    };
    let flag = if opts.unsafe_fixes {
        "`--fix --unsafe-fixes`"
    } else {
        "`--fix`"
    };
    match (now, hidden) {
        (0, 0) => {}
        (0, h) => writeln!(
            out,
            "unawaited: {h} fixable with `--fix --unsafe-fixes` (unsafe fixes: review them)"
        )?,
        (n, 0) => writeln!(out, "unawaited: {n} fixable with {flag}")?,
        (n, h) => writeln!(
            out,
            "unawaited: {n} fixable with {flag} ({h} more with `--fix --unsafe-fixes`)"
        )?,
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
