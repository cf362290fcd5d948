//! ## What it does
//! Reports a file that cannot be parsed as Rust (a syntax error, or nesting deeper than the
//! analyser accepts). The file is skipped; every other file is still checked.
//!
//! ## Why is this bad
//! A file that is not analysed hides whatever is in it. The finding makes the gap visible
//! instead of passing silently.
//!
//! ## Example
//! ```rust,ignore
//! fn main() {
//!     let x = ;
//! }
//! ```
//!
//! ## Use instead
//! Fix the syntax error; code that does not parse does not compile either.
//!
//! ## Known limits
//! Macro-heavy files that rustc accepts are accepted here too: macro bodies are token trees.

use super::Finding;
use crate::analysis::facts::Fact;
use crate::diagnostic::Level;

pub const DEFAULT_LEVEL: Level = Level::Warn;
pub const SUMMARY: &str = "a file syn cannot parse (reported and skipped, never a crash)";
pub const FIXABLE: bool = false;

/// Parse errors are raised by the engine, not computed from facts.
pub fn check(_fact: &Fact, _out: &mut Vec<Finding>) {}
