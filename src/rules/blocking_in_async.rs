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
//! A helper that blocks only under a condition "may block", and the notes show the condition;
//! where the call passes a constant that rules it out (`None` for `if let Some(p) = path`,
//! `false` for `if verbose`), it is not reported. Open options given `O_NONBLOCK` do not wait,
//! nor do the closures of a lazy iterator a helper only hands on (into a stream, into a closure
//! run by `spawn_blocking`); a bounded std channel's `send` may block, while the channel is full.

use super::Finding;
use crate::analysis::facts::{Effect, ExecContext, Fact, FactKind};
use crate::diagnostic::Level;
use crate::knowledge::runtimes::Runtime;

pub const DEFAULT_LEVEL: Level = Level::Warn;
pub const SUMMARY: &str = "a known blocking call in async context, outside offloading closures";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    if let FactKind::Call {
        effect: Effect::Blocking,
        callee,
        chain,
        expects_panic,
        runtime,
        branch,
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
        // Through a helper that blocks only on one branch (`if let Some(p) = opts.ca_file`):
        // it may block, the chain's notes show the condition.
        let maybe = !chain.is_empty() && branch.is_some();
        let blocker = super::reached(chain).unwrap_or(callee);
        // A call that waits only in some states (a bounded channel's send, when it is full).
        let waits = blocks_when(blocker);
        let message = if chain.is_empty() {
            match waits {
                Some(when) => format!("`{callee}` may block inside async code: it waits {when}"),
                None => format!("blocking call `{callee}` inside async code"),
            }
        } else if let (Some(when), false) = (waits, maybe) {
            format!("`{callee}` may block (in `{blocker}`, which waits {when}) and is called inside async code")
        } else {
            let verb = if maybe { "may block" } else { "blocks" };
            match super::reached(chain) {
                Some(end) if maybe => format!(
                    "`{callee}` may block (in `{end}`, on one branch) and is called inside async code"
                ),
                Some(end) => format!("`{callee}` blocks (in `{end}`) and is called inside async code"),
                None => format!("`{callee}` {verb} and is called inside async code"),
            }
        };
        out.push(
            Finding::new(fact.span, message)
                .label(if maybe || waits.is_some() {
                    "may block the executor thread"
                } else {
                    "blocks the executor thread"
                })
                .help(help(blocker, *runtime))
                .notes(chain.clone()),
        );
    }
}

/// When a call that blocks only in some states waits: a bounded std channel's `send` returns
/// at once while the channel has room.
fn blocks_when(callee: &str) -> Option<&'static str> {
    match callee {
        "std::sync::mpsc::SyncSender::send" => Some("while the channel is full"),
        _ => None,
    }
}

/// What to do instead, in the terms of the code's runtime: its async equivalent of the call
/// when it has one, and its own way to run blocking work (a neutral one when the runtime is
/// unknown).
fn help(blocker: &str, runtime: Option<Runtime>) -> String {
    let Some(rt) = runtime else {
        return "run it where blocking is allowed: the runtime's blocking pool \
                (`spawn_blocking`, `blocking::unblock`) or a thread of its own"
            .into();
    };
    match rt.equivalent(blocker) {
        Some(eq) => format!("use `{eq}` instead, or run it in `{}`", rt.offload()),
        None => format!("run it in `{}`", rt.offload()),
    }
}
