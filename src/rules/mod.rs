//! The rule registry: every rule is a module of its own, named by its rule name, holding its
//! documentation (module doc comments), its metadata and its logic. A rule name is written once,
//! in the `registry!` list below; everything else (the `RuleId` enum, lookup by name, `rules`,
//! `explain`, the README table) derives from it.
//!
//! Rules do not walk syntax. The per-body walk in [`crate::analysis`] computes [`Fact`]s; each
//! rule looks at the facts it cares about and says where, what and how to fix. The engine adds
//! the rule's identity, its configured level, suppression and ordering.

use crate::analysis::facts::Fact;
use crate::diagnostic::{Fix, Level, Note, Provenance, Span};

/// What a rule says about one fact; the engine turns it into a [`crate::diagnostic::Diagnostic`].
#[derive(Debug, Clone)]
pub struct Finding {
    pub span: Span,
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
    pub notes: Vec<Note>,
    pub fix: Option<Fix>,
    /// How the value the finding is about is known, for rules about futures and handles.
    pub provenance: Option<Provenance>,
    /// The strongest level the evidence allows, below the configured one (a guess is at most a
    /// warning).
    pub max_level: Option<Level>,
}

impl Finding {
    pub fn new(span: Span, message: impl Into<String>) -> Finding {
        Finding {
            span,
            message: message.into(),
            label: None,
            help: None,
            notes: Vec::new(),
            fix: None,
            provenance: None,
            max_level: None,
        }
    }

    /// Records how the finding's value is known; a guess caps the level at a warning.
    pub fn provenance(mut self, provenance: Provenance) -> Finding {
        self.provenance = Some(provenance);
        if provenance == Provenance::Guessed {
            self.max_level = Some(Level::Warn);
        }
        self
    }

    /// A runtime-misuse finding inside a `move` closure handed to a call: the closure may run
    /// elsewhere, so its async context is a guess; the message says so and the level is at most
    /// a warning. Unchanged when `in_callback` is false.
    pub fn in_callback(mut self, in_callback: bool) -> Finding {
        if in_callback {
            self.message
                .push_str(" (in a `move` closure handed to a call: it may run elsewhere)");
            self.max_level = Some(Level::Warn);
        }
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn notes(mut self, notes: Vec<Note>) -> Finding {
        self.notes = notes;
        self
    }

    pub fn fix(mut self, fix: Option<Fix>) -> Finding {
        self.fix = fix;
        self
    }
}

/// The sections every rule's documentation has, in order.
pub const DOC_SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad",
    "## Example",
    "## Use instead",
    "## Known limits",
];

/// The documentation sections of a rule, read from its module's `//!` comments.
#[derive(Debug, Clone)]
pub struct RuleDocs {
    /// The whole `//!` text, markdown.
    pub text: String,
}

macro_rules! registry {
    ($($variant:ident => $module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// The identity of a rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $($variant),*
        }

        impl RuleId {
            /// Every rule, in catalog order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant),*];

            /// The rule's snake_case name, as written in flags, config and suppressions.
            pub fn name(self) -> &'static str {
                match self {
                    $(RuleId::$variant => stringify!($module)),*
                }
            }

            pub fn default_level(self) -> Level {
                match self {
                    $(RuleId::$variant => $module::DEFAULT_LEVEL),*
                }
            }

            /// One line, lowercase, no trailing period.
            pub fn summary(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $module::SUMMARY),*
                }
            }

            /// Whether the rule can offer a machine-applicable fix.
            pub fn fixable(self) -> bool {
                match self {
                    $(RuleId::$variant => $module::FIXABLE),*
                }
            }

            /// The source file of the rule's module, from which its docs are read.
            fn source(self) -> &'static str {
                match self {
                    $(RuleId::$variant => include_str!(concat!(stringify!($module), ".rs"))),*
                }
            }

            /// Feeds one fact to the rule.
            pub fn check(self, fact: &Fact, out: &mut Vec<Finding>) {
                match self {
                    $(RuleId::$variant => $module::check(fact, out)),*
                }
            }
        }
    };
}

registry! {
    UnawaitedFuture => unawaited_future,
    BlockOnInAsync => block_on_in_async,
    RuntimeInAsync => runtime_in_async,
    SpawnWithoutRuntime => spawn_without_runtime,
    BlockingInAsync => blocking_in_async,
    LockAcrossAwait => lock_across_await,
    RuntimeInLoop => runtime_in_loop,
    SelectCancelUnsafe => select_cancel_unsafe,
    DetachedTask => detached_task,
    DetachedThread => detached_thread,
    ParseError => parse_error,
    UnusedSuppression => unused_suppression,
}

/// The tool prefix rustc puts before a tool's lint names (`unawaited::unawaited_future`).
pub const TOOL_PREFIX: &str = "unawaited::";

/// The selector for every rule, as ruff spells it.
pub const ALL_RULES: &str = "ALL";

/// Whether `written` spells `name`, with `-` for `_` allowed (`unawaited-future`).
fn spells(written: &str, name: &str) -> bool {
    written.len() == name.len()
        && written
            .bytes()
            .zip(name.bytes())
            .all(|(w, n)| w == n || (w == b'-' && n == b'_'))
}

impl RuleId {
    /// The rule a name stands for, in any of its spellings: `unawaited_future`,
    /// `unawaited-future`, `unawaited::unawaited_future` (the code editors show).
    pub fn from_name(name: &str) -> Option<RuleId> {
        let name = name.strip_prefix(TOOL_PREFIX).unwrap_or(name);
        RuleId::ALL.iter().copied().find(|r| spells(name, r.name()))
    }

    /// The rule's documentation: the `//!` lines of its module, markdown.
    pub fn docs(self) -> RuleDocs {
        let mut text = String::new();
        for line in self.source().lines() {
            let Some(rest) = line.strip_prefix("//!") else {
                if !text.is_empty() {
                    break;
                }
                continue;
            };
            text.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            text.push('\n');
        }
        RuleDocs { text }
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The call at the end of a call chain (`std::fs::read` in "`load` calls `std::fs::read` here"):
/// what an indirect finding is really about.
pub fn reached(chain: &[Note]) -> Option<&str> {
    let last = chain.last()?.message.as_str();
    let end = last.rfind('`')?;
    let start = last[..end].rfind('`')?;
    Some(&last[start + 1..end])
}

/// The markdown table of rules that the README carries (a test keeps the README in step).
pub fn markdown_table() -> String {
    let mut out = String::from("| rule | default | fix | finds |\n|---|---|---|---|\n");
    for rule in RuleId::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            rule.name(),
            rule.default_level().as_str(),
            if rule.fixable() { "yes" } else { "" },
            rule.summary()
        ));
    }
    out
}

/// A rule name that names no rule, with the nearest real one when there is a close one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule {
    pub name: String,
    pub suggestion: Option<&'static str>,
}

impl UnknownRule {
    /// What to write instead: `, did you mean `x`` or ` (see `unawaited rules`)`.
    pub fn hint(&self) -> String {
        match self.suggestion {
            Some(s) => format!(", did you mean `{s}`"),
            None => " (see `unawaited rules`)".into(),
        }
    }
}

impl std::fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown rule `{}`{}", self.name, self.hint())
    }
}

/// The rules a user-written name selects: one rule in any spelling ([`RuleId::from_name`]), or
/// every rule for `ALL`. Flags, configuration and suppressions all read names through this.
pub fn rules_named(name: &str) -> Result<Vec<RuleId>, UnknownRule> {
    let name = name.trim();
    if name == ALL_RULES {
        return Ok(RuleId::ALL.to_vec());
    }
    RuleId::from_name(name)
        .map(|r| vec![r])
        .ok_or_else(|| UnknownRule {
            name: name.to_string(),
            suggestion: did_you_mean(
                name,
                RuleId::ALL.iter().map(|r| r.name()).chain([ALL_RULES]),
            ),
        })
}

/// The candidate nearest to `name` by edit distance (ignoring case, `-`/`_` and the tool
/// prefix), when it is close enough to be a typo: at most a third of the name's length, as
/// rustc's suggestions for lint names.
pub fn did_you_mean(
    name: &str,
    candidates: impl IntoIterator<Item = &'static str>,
) -> Option<&'static str> {
    let norm = |s: &str| {
        s.strip_prefix(TOOL_PREFIX)
            .unwrap_or(s)
            .to_ascii_lowercase()
            .replace('-', "_")
    };
    let written = norm(name);
    let limit = written.chars().count().max(3) / 3;
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&written, &norm(c)), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_every_spelling() {
        for name in [
            "unawaited_future",
            "unawaited-future",
            "unawaited::unawaited_future",
            "unawaited::unawaited-future",
        ] {
            assert_eq!(
                RuleId::from_name(name),
                Some(RuleId::UnawaitedFuture),
                "{name}"
            );
        }
        assert_eq!(RuleId::from_name("unawaited__future"), None);
        assert_eq!(RuleId::from_name("Unawaited_Future"), None);
        assert_eq!(rules_named("ALL").unwrap(), RuleId::ALL);
    }

    #[test]
    fn did_you_mean_only_for_near_names() {
        let unknown = rules_named("blocking_in_asnyc").unwrap_err();
        assert_eq!(unknown.suggestion, Some("blocking_in_async"));
        assert_eq!(
            unknown.to_string(),
            "unknown rule `blocking_in_asnyc`, did you mean `blocking_in_async`"
        );
        assert_eq!(rules_named("all").unwrap_err().suggestion, Some("ALL"));
        let far = rules_named("frobnicate").unwrap_err();
        assert_eq!(far.suggestion, None);
        assert_eq!(
            far.to_string(),
            "unknown rule `frobnicate` (see `unawaited rules`)"
        );
    }
}
