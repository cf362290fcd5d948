//! ## What it does
//! Reports an inline suppression comment (`// unawaited: allow(rule) -- reason`) that suppressed
//! nothing, one that names a rule that does not exist (with a fix that corrects a misspelt
//! name), and a malformed one that looks like a suppression but is not in the form that works:
//! `// unawaited allow(rule)` without the colon, a block comment `/* unawaited: allow(rule) */`,
//! `allow (rule)`, an unknown directive such as `unawaited: ignore(rule)`, or a missing `)`. The
//! fix rewrites it as the line comment that works (an unsafe fix: once it works, it hides
//! findings).
//!
//! ## Why is this bad
//! A stale suppression hides the next real finding on that line, and a misspelt or malformed
//! one suppresses nothing while looking as if it did.
//!
//! ## Example
//! ```rust,ignore
//! // unawaited: allow(unawaited_future) -- fire and forget
//! worker.start().await;
//! ```
//!
//! ## Use instead
//! Remove the comment once the code it excused is gone.
//!
//! ## Known limits
//! Attribute forms (`#[allow(unused_must_use)]`, `#[cfg_attr(unawaited, allow(..))]`) are not
//! reported when unused: they often serve rustc and clippy too.

use super::Finding;
use crate::analysis::facts::Fact;
use crate::diagnostic::Level;

pub const DEFAULT_LEVEL: Level = Level::Warn;
pub const SUMMARY: &str = "an inline suppression that suppressed nothing";
pub const FIXABLE: bool = true;

/// Raised by the suppression pass, not computed from facts.
pub fn check(_fact: &Fact, _out: &mut Vec<Finding>) {}
