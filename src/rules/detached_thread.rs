//! ## What it does
//! Finds the `JoinHandle` of `std::thread::spawn` (or `thread::Builder::spawn`) dropped as a
//! statement or bound to `_`. Off by default.
//!
//! ## Why is this bad
//! The thread is detached: its result and a panic in it are lost, and when `main` returns the
//! process exits with the thread cut off wherever it was.
//!
//! ## Example
//! ```rust,ignore
//! std::thread::spawn(move || work(rx));
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! let worker = std::thread::spawn(move || work(rx));
//! worker.join().expect("worker panicked");
//! ```
//!
//! ## Known limits
//! Threads spawned inside `thread::scope` are joined by the scope and never reported.

use super::Finding;
use crate::analysis::facts::{Fact, FactKind, ValueKind};
use crate::diagnostic::Level;

pub const DEFAULT_LEVEL: Level = Level::Allow;
pub const SUMMARY: &str = "a `std::thread` `JoinHandle` dropped";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    if let FactKind::Dropped {
        value: ValueKind::ThreadHandle,
        origin,
        provenance,
        ..
    } = &fact.kind
    {
        out.push(
            Finding::new(fact.span, format!("thread handle from {origin} is dropped"))
                .label("the thread is detached: its result and any panic are lost")
                .help("keep the `JoinHandle` and `join()` it")
                .provenance(*provenance),
        );
    }
}
