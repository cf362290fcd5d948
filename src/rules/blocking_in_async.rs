//! ## What it does
//! Finds known blocking calls in async context: `std::thread::sleep`, `std::fs` functions and
//! `File` I/O, `std::process::Command::{output, status}` and `Child::wait`, std channel `recv`
//! and `SyncSender::send`, `std::thread::JoinHandle::join`, `Condvar::wait`, `Barrier::wait`,
//! `std::net` connects, accepts and reads, `std::io::stdin().read_line`, `reqwest::blocking`, and
//! sync helpers that reach one of those. Users add in-house blocking paths in config.
//!
//! ## Why is this bad
//! An executor runs many tasks on few threads. A task that blocks its thread stalls every other
//! task scheduled there: timers fire late, sockets are not read, and with a single-threaded
//! runtime the whole program stops.
//!
//! ## Example
//! ```rust,ignore
//! async fn consume(rx: Receiver<Item>) {
//!     std::thread::sleep(Duration::from_millis(10));
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn consume(rx: Receiver<Item>) {
//!     tokio::time::sleep(Duration::from_millis(10)).await;
//! }
//! ```
//! or move the blocking work to `tokio::task::spawn_blocking`.
//!
//! ## Known limits
//! Calls are matched on resolved paths and typed receivers, never on a bare method name, so a
//! blocking call on a receiver of unknown type is missed. tokio's `blocking_*` calls panic on a
//! runtime thread; where a test expects that panic (`#[should_panic]`, a `catch_unwind` closure)
//! they are not reported, while calls that only block (`std::thread::sleep`) still are.

use super::Finding;
use crate::analysis::facts::{Effect, ExecContext, Fact, FactKind};
use crate::diagnostic::Level;

pub const DEFAULT_LEVEL: Level = Level::Warn;
pub const SUMMARY: &str = "a known blocking call in async context, outside offloading closures";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    if let FactKind::Call {
        effect: Effect::Blocking,
        callee,
        chain,
        expects_panic,
        ..
    } = &fact.kind
    {
        if fact.ctx != ExecContext::Async {
            return;
        }
        // A `#[should_panic]` test or a `catch_unwind` closure checks that this call panics.
        if *expects_panic && crate::knowledge::panics_on_runtime_thread(callee) {
            return;
        }
        let message = if chain.is_empty() {
            format!("blocking call `{callee}` inside async code")
        } else {
            match super::reached(chain) {
                Some(end) => format!("`{callee}` blocks (in `{end}`) and is called inside async code"),
                None => format!("`{callee}` blocks and is called inside async code"),
            }
        };
        out.push(
            Finding::new(fact.span, message)
                .label("blocks the executor thread")
                .help("use the async equivalent, or run it in `tokio::task::spawn_blocking`")
                .notes(chain.clone()),
        );
    }
}
