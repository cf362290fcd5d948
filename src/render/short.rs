//! `--message-format short`: rustc's short form, one line a finding
//! (`path:line:col: error[rule]: message`, with ruff's `[*]` before the message of a finding
//! `--fix` fixes), then the summary.

use super::{cargo::severity, human, RenderOptions, Report};
use std::io::{self, Write};

pub fn render(report: &Report, opts: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}{}",
            d.path,
            d.span.start.line,
            d.span.start.column,
            severity(d.level),
            d.rule.name(),
            human::fix_marker(d, opts),
            d.message
        )?;
    }
    for e in report.errors {
        writeln!(out, "{}: error: {}", e.path, e.message)?;
    }
    human::summary(report, opts, out)
}
