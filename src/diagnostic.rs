//! What a finding is, independent of how it is rendered.
//!
//! Positions are computed once, in the worker that parsed the file, so renderers never touch an
//! AST: lines are 1-based, columns are 1-based and counted in characters (Unicode scalar values),
//! byte offsets are 0-based into the file as it is on disk (a BOM included). Ends are exclusive.

use crate::rule_id::RuleId;
use serde::{Deserialize, Serialize};

/// How serious a finding is; the order is the order of strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }
}

/// How a finding's value is known to be what the rule says it is (a future, a task handle): the
/// strength of the evidence, strongest first. A deny-level finding needs [`Provenance::Proven`] or
/// [`Provenance::Inferred`]; a [`Provenance::Guessed`] one is at most a warning.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// Read from a declaration: a path resolved to an `async fn`, a declared `impl Future` or
    /// `IntoFuture` return, an async block, a knowledge-table entry.
    #[default]
    Proven,
    /// A type that flowed to the value: through bindings, returns, `.await`, generic bounds,
    /// associated types, collection elements.
    Inferred,
    /// A method name matched on a receiver whose type is unknown.
    Guessed,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Proven => "proven",
            Provenance::Inferred => "inferred",
            Provenance::Guessed => "guessed",
        }
    }

    /// The weaker of two pieces of evidence (a value made of both is known only as well as its
    /// weaker part).
    pub fn weaker(self, other: Provenance) -> Provenance {
        self.max(other)
    }

    /// What this evidence becomes once it flowed one step further (a proven future bound to a
    /// generic parameter, the output of an `.await`): inferred at best.
    pub fn flowed(self) -> Provenance {
        self.max(Provenance::Inferred)
    }
}

/// One point in a file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 0-based byte offset into the file's bytes.
    pub byte: usize,
}

/// A half-open range of a file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub start: Position,
    pub end: Position,
}

/// How safe a fix is to apply without a human looking, in rustc's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Applicability {
    MachineApplicable,
    MaybeIncorrect,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "MachineApplicable",
            Applicability::MaybeIncorrect => "MaybeIncorrect",
        }
    }
}

/// A replacement of one range of the file by new text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// A suggested change that resolves a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, shown as a help line ("add `.await`").
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// A secondary location: a step of a call chain, the `.await` a guard is held across, ...
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The file the note points into; `None` means the finding's own file.
    pub path: Option<String>,
    pub span: Span,
    pub message: String,
}

/// One finding, ready to be rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub rule: RuleId,
    pub level: Level,
    /// The path as the user gave it, or relative to the working directory.
    pub path: String,
    pub span: Span,
    /// Lowercase, no trailing period (rustc style).
    pub message: String,
    /// A short label under the primary span.
    pub label: Option<String>,
    pub help: Option<String>,
    pub notes: Vec<Note>,
    pub fix: Option<Fix>,
    /// How the value the finding is about is known (for the rules about futures and handles).
    pub provenance: Option<Provenance>,
    /// In test or example code (a `tests/`, `examples/` or `benches/` file, a `#[cfg(test)]`
    /// module, a test fn): `[test-code]` levels apply, `--statistics` counts it apart.
    pub in_test: bool,
}

impl Diagnostic {
    /// The order output is sorted in: path, line, column, rule.
    pub fn sort_key(&self) -> (&str, usize, usize, &'static str) {
        (
            &self.path,
            self.span.start.line,
            self.span.start.column,
            self.rule.name(),
        )
    }
}

/// A problem that is not a finding: a file that cannot be read, a bad configuration value, ...
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunError {
    pub path: String,
    pub message: String,
}
