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
use crate::rule_id::RuleId;

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

        impl RuleId {
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

crate::rule_id::for_each_rule!(registry);

impl RuleId {
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
