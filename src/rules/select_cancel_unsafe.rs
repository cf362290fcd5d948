//! ## What it does
//! Finds a branch of `tokio::select!` (or `futures::select!` / `select_biased!`) inside a `loop`,
//! `while`, `while let` or `for` whose future is an operation that is not cancel-safe:
//! `read_line`, `read_to_string`, `read_exact`, `read_u16` and the wider integer and float
//! reads, `write_all`, `tokio::io::copy`; `read_until`, `read_to_end` and `write_all_buf` when
//! their buffer is made fresh in each iteration; `async fn`s of the workspace that await one of
//! those (the finding shows the chain); and any function, of the workspace or of a dependency
//! read from its sources, whose docs have a `# Cancel safety` section saying it is not cancel
//! safe (one documented cancel safe is never suspect). The operation is found where code hides
//! it: inside a wrapper that owns it (`timeout(d, op)`, `timeout_at`, `op.timeout(d)`,
//! `Box::pin(op)`, `op.boxed()`, `pin!(op)`), awaited inside an async block raced as the branch,
//! or bound and pinned inside the loop and polled as `&mut fut`, which makes it anew each turn.
//!
//! ## Why is this bad
//! Each time another branch wins, `select!` drops the losing futures. An operation that is
//! half-way done keeps its progress inside its future — the first half of a line, the bytes
//! `read_exact` already took, the part of a record `write_all` already wrote — and the next
//! iteration starts a new one: that progress is gone. The stream is silently out of step, lines
//! are lost or split, records are written twice or torn. tokio documents this in the
//! "Cancel safety" section of each such method; no compiler or linter checks it.
//!
//! ## Example
//! ```rust,ignore
//! let mut line = String::new();
//! loop {
//!     tokio::select! {
//!         n = reader.read_line(&mut line) => handle(&line, n?),
//!         _ = heartbeat.tick() => send_ping().await,
//!     }
//! }
//! ```
//!
//! ## Use instead
//! A cancel-safe operation, which keeps its state outside the future:
//! ```rust,ignore
//! let mut lines = reader.lines();
//! loop {
//!     tokio::select! {
//!         line = lines.next_line() => handle(line?),
//!         _ = heartbeat.tick() => send_ping().await,
//!     }
//! }
//! ```
//! or the future created once, outside the loop, pinned, and polled by reference, so losing a
//! race does not drop it: the heartbeat may win any number of times, and the read goes on where
//! it was (make a new one only once it has completed, e.g. with `read.set(..)`):
//! ```rust,ignore
//! let read = reader.read_line(&mut line);
//! tokio::pin!(read);
//! loop {
//!     tokio::select! {
//!         n = &mut read => { n?; break; }
//!         _ = heartbeat.tick() => send_ping().await,
//!     }
//! }
//! handle(&line);
//! ```
//! A select whose other branches all leave the loop (`break`, `return`: the shutdown pattern)
//! is not reported: the read is dropped only when the loop is being left on purpose.
//!
//! ## Known limits
//! Only operations the tables know, functions documented not cancel safe, and workspace
//! `async fn`s reached through resolved calls count; a method on a receiver of unknown type
//! counts only when no type of the workspace declares a method of that name. Selects in an async
//! block or closure made inside a loop are not followed, nor a future bound in the loop and
//! moved into a helper before it is raced. An `async fn` counts as not cancel-safe when it
//! awaits such an operation anywhere in its own body on a reader it did not open itself, unless
//! its docs say it is cancel safe; an async block raced as a branch is reported at the first such
//! operation it awaits on a reader from outside the block. A reader the future opens itself
//! (connected, opened or built in its body, directly or through helpers it hands only such
//! locals to) is dropped with it: nothing is left out of step. A local taken from a parameter,
//! `self` or a guard of shared state (`self.reader.lock().await`) is not the future's own. The
//! help fits the operation: a cancel-safe read for reads, a cursor kept outside the loop for
//! writes, the future made once and pinned for a workspace fn (a handshake, a request).

use super::Finding;
use crate::analysis::facts::{Fact, FactKind};
use crate::diagnostic::{Level, Note};

pub const DEFAULT_LEVEL: Level = Level::Warn;
pub const SUMMARY: &str = "a not-cancel-safe operation raced in a `select!` loop: its progress is lost when another branch wins";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    let FactKind::SelectCancelUnsafe { op, chain, winner } = &fact.kind else {
        return;
    };
    let message =
        format!("`{op}` is not cancel-safe, and this `select!` loop drops it whenever another branch wins");
    let mut notes = vec![Note {
        path: None,
        span: *winner,
        message: "when this branch wins, the operation is dropped half-way".into(),
    }];
    notes.extend(chain.iter().cloned());
    out.push(
        Finding::new(fact.span, message)
            .label("progress made here is lost when another branch wins")
            .help(crate::knowledge::cancel_safety::advice(op))
            .notes(notes),
    );
}
