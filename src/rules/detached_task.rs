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
        // The call that spawned the task when it is known, else the handle's type.
        let message = match origin.strip_prefix("type ") {
            Some(ty) => format!("a task's handle ({ty}) is dropped: the task is detached"),
            None => format!("the task spawned by {origin} is detached: its handle is dropped"),
        };
        out.push(
            Finding::new(fact.span, message)
                .label("the task runs on, but its result and any panic are lost")
                .help("to see how it ends, keep the handle and `.await` it (or collect tasks in a `JoinSet`); if the task is meant to run on by itself (for the program's life), say so once: `// unawaited: allow(detached_task) -- why`")
                .provenance(*provenance),
        );
    }
}
