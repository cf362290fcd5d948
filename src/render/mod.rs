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
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
    /// The folder the paths are relative to; `None`: the working directory.
    pub root: Option<&'a Path>,
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
    /// Paths from the repository root in SARIF and GitHub annotations, from the Cargo workspace
    /// root in cargo's formats, wherever the run started (the report's paths are relative to
    /// the working directory).
    pub rooted_paths: bool,
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
    if opts.rooted_paths && report.root.is_none() {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = match format {
            Format::Sarif | Format::Github => crate::repo::root_of(&cwd),
            Format::Cargo | Format::CargoMessages => {
                crate::repo::cargo_root(&cwd).or_else(|| crate::repo::root_of(&cwd))
            }
            _ => None,
        };
        if let Some(root) = root.filter(|r| *r != cwd) {
            let rebased = Rebased::new(report, &cwd, &root);
            let report = Report {
                diagnostics: &rebased.diagnostics,
                errors: &rebased.errors,
                notes: report.notes,
                files: report.files,
                sources: &rebased,
                root: Some(&root),
            };
            return render_as(format, &report, opts, out);
        }
    }
    render_as(format, report, opts, out)
}

fn render_as(
    format: Format,
    report: &Report,
    opts: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if opts.statistics {
        let opts = RenderOptions {
            statistics: false,
            ..opts
        };
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

/// A report's findings with their paths from another root, and its sources under those paths.
struct Rebased<'a> {
    diagnostics: Vec<Diagnostic>,
    errors: Vec<RunError>,
    /// New path → the path the sources know.
    old: HashMap<String, String>,
    sources: &'a dyn Sources,
}

impl<'a> Rebased<'a> {
    fn new(report: &Report<'a>, cwd: &Path, root: &Path) -> Rebased<'a> {
        let mut old = HashMap::new();
        let mut rebase = |path: &str| -> String {
            let abs: PathBuf = crate::files::normalize(&cwd.join(path));
            let new = match abs.strip_prefix(root) {
                Ok(rel) => crate::repo::slashed(rel),
                Err(_) => crate::repo::slashed(&abs),
            };
            old.entry(new.clone()).or_insert_with(|| path.to_string());
            new
        };
        let diagnostics = report
            .diagnostics
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.path = rebase(&d.path);
                for note in &mut d.notes {
                    if let Some(p) = &note.path {
                        note.path = Some(rebase(p));
                    }
                }
                d
            })
            .collect();
        let errors = report
            .errors
            .iter()
            .map(|e| RunError {
                path: rebase(&e.path),
                message: e.message.clone(),
            })
            .collect();
        Rebased {
            diagnostics,
            errors,
            old,
            sources: report.sources,
        }
    }
}

impl Sources for Rebased<'_> {
    fn text(&self, path: &str) -> Option<&str> {
        self.sources
            .text(self.old.get(path).map_or(path, String::as_str))
    }
}
