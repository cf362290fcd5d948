//! Rendering a finished run. Every renderer reads the same [`Report`]; none of them touches an
//! AST, and all of them write to a `Write` so that a closed pipe is an ordinary I/O error.

pub mod cargo;
pub mod cargo_messages;
pub mod docs;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;
pub mod statistics;

use crate::diagnostic::{Applicability, Diagnostic, RunError};
use std::io::{self, Write};

/// Output formats, in the spelling of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc's form: the code, the spans, labels, help and fix (ruff's `full`)
    #[value(alias = "full")]
    Human,
    Json,
    Cargo,
    Sarif,
    Github,
    /// One line a finding, `path:line:col: level[rule]: message` (ruff's `concise`,
    /// `--message-format short`)
    #[value(alias = "concise")]
    Short,
    /// `--message-format json`: cargo's `compiler-message` lines.
    #[value(skip)]
    CargoMessages,
}

pub use crate::source::Sources;

/// Everything a run produced, sorted.
pub struct Report<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub errors: &'a [RunError],
    /// Remarks about the run that are not findings (JSON carries them; the others print them
    /// on standard error).
    pub notes: &'a [String],
    /// How many files were checked (named, not merely indexed).
    pub files: usize,
    pub sources: &'a dyn Sources,
}

/// How to render, beyond the format.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
    /// `-q`: only findings, no summary line.
    pub quiet: bool,
    /// `--statistics`: only the table of findings per rule.
    pub statistics: bool,
    /// `--unsafe-fixes`: unsafe fixes count as fixable.
    pub unsafe_fixes: bool,
}

/// How many findings have a safe fix, and how many an unsafe one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fixable {
    pub safe: usize,
    pub unsafe_: usize,
}

impl Fixable {
    pub fn count<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Fixable {
        let mut n = Fixable::default();
        for d in diagnostics {
            match d.fix.as_ref().map(|f| f.applicability) {
                Some(Applicability::MachineApplicable) => n.safe += 1,
                Some(Applicability::MaybeIncorrect) => n.unsafe_ += 1,
                None => {}
            }
        }
        n
    }

    /// Whether `--fix` (with `--unsafe-fixes` when `unsafe_fixes`) fixes any of them.
    pub fn any_applies(self, unsafe_fixes: bool) -> bool {
        self.safe > 0 || (unsafe_fixes && self.unsafe_ > 0)
    }
}

pub fn render(
    format: Format,
    report: &Report,
    opts: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if opts.statistics {
        return statistics::render(format, report, opts, out);
    }
    match format {
        Format::Human => human::render(report, opts, out),
        Format::Short => short::render(report, opts, out),
        Format::CargoMessages => cargo_messages::render(report, out),
        Format::Json => json::render(report, out),
        Format::Cargo => cargo::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
    }
}
