//! ## What it does
//! Reports an inline suppression comment (`// unawaited: allow(rule) -- reason`) that suppressed
//! nothing, and one that names a rule that does not exist.
//!
//! ## Why is this bad
//! A stale suppression hides the next real finding on that line, and a misspelt one suppresses
//! nothing while looking as if it did.
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
pub const FIXABLE: bool = false;

/// Raised by the suppression pass, not computed from facts.
pub fn check(_fact: &Fact, _out: &mut Vec<Finding>) {}
