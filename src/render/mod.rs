//! Rendering a finished run. Every renderer reads the same [`Report`]; none of them touches an
//! AST, and all of them write to a `Write` so that a closed pipe is an ordinary I/O error.

pub mod cargo;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::diagnostic::{Diagnostic, RunError};
use std::collections::HashMap;
use std::io::{self, Write};

/// Output formats, in the spelling of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Cargo,
    Sarif,
    Github,
}

/// The texts of the files that findings point into, keyed by display path.
pub trait Sources {
    fn text(&self, path: &str) -> Option<&str>;
}

impl Sources for HashMap<String, String> {
    fn text(&self, path: &str) -> Option<&str> {
        self.get(path).map(String::as_str)
    }
}

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
    pub statistics: bool,
}

pub fn render(
    format: Format,
    report: &Report,
    opts: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, opts, out),
        Format::Json => json::render(report, out),
        Format::Cargo => cargo::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
    }
}
