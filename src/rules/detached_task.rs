//! ## What it does
//! Finds the `JoinHandle` of a spawned task (`tokio::spawn`, `spawn_blocking`, `spawn_local`,
//! `task::spawn` of other executors) dropped as a statement or bound to `_`. Off by default.
//!
//! ## Why is this bad
//! The task keeps running, but nobody learns how it ended: its result is lost and a panic in it
//! vanishes with the handle. At shutdown the task may be cut off half-way.
//!
//! ## Example
//! ```rust,ignore
//! tokio::spawn(consume(rx));
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! let consumer = tokio::spawn(consume(rx));
//! consumer.await?;
//! ```
//! or keep the handles in a `JoinSet`.
//!
//! ## Known limits
//! Fire-and-forget tasks are sometimes intended; that is why this rule is `allow` by default.
//! A handle bound to a name that is never used is reported too.

use super::Finding;
use crate::analysis::facts::{Fact, FactKind, ValueKind};
use crate::diagnostic::Level;

pub const DEFAULT_LEVEL: Level = Level::Allow;
pub const SUMMARY: &str = "a spawned task's `JoinHandle` dropped";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    if let FactKind::Dropped {
        value: ValueKind::TaskHandle,
        origin,
        provenance,
        ..
    } = &fact.kind
    {
        out.push(
            Finding::new(fact.span, format!("task handle from {origin} is dropped"))
                .label("the task's result and any panic are lost")
                .help("keep the `JoinHandle` and `.await` it, or collect tasks in a `JoinSet`")
                .provenance(*provenance),
        );
    }
}
