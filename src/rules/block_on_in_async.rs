//! ## What it does
//! Finds `block_on` of any executor — `Runtime::block_on`, `Handle::block_on`,
//! `futures::executor::block_on`, `async_std::task::block_on`, `smol::block_on`,
//! `pollster::block_on`, ... — called in async context, directly or through sync helpers.
//!
//! ## Why is this bad
//! Blocking on a future from inside a runtime either panics ("Cannot start a runtime from within
//! a runtime") or blocks the executor thread that the inner future needs, which deadlocks.
//!
//! ## Example
//! ```rust,ignore
//! async fn consume(rt: &Runtime) {
//!     let item = rt.block_on(fetch());
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn consume() {
//!     let item = fetch().await;
//! }
//! ```
//!
//! ## Known limits
//! Closures handed to offloading calls (`spawn_blocking`, `block_in_place`, `thread::spawn`) are
//! sync context and not reported. Calls through trait objects or unresolved receivers are not
//! followed. Where a panic is expected — the body of a `#[should_panic]` test, a closure given
//! to `catch_unwind` or to a function of the workspace that hands it to `catch_unwind` (a test
//! helper) — the panic is what the code checks, and nothing is reported. In a `move`
//! closure handed to a call (a handler a mock server keeps and runs on its own thread), that the
//! closure runs in async code is a guess: a warning at most, saying so.

use super::Finding;
use crate::analysis::facts::{Effect, ExecContext, Fact, FactKind};
use crate::diagnostic::Level;

pub const DEFAULT_LEVEL: Level = Level::Deny;
pub const SUMMARY: &str = "`block_on` of any executor called in async context (panics or deadlocks)";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    if let FactKind::Call {
        effect: Effect::BlockOn,
        callee,
        chain,
        expects_panic,
        in_callback,
        ..
    } = &fact.kind
    {
        // A `#[should_panic]` test or a `catch_unwind` closure checks that this panics.
        if fact.ctx != ExecContext::Async || *expects_panic {
            return;
        }
        let message = if chain.is_empty() {
            format!("`{callee}` blocks on a future inside async code")
        } else {
            match super::reached(chain) {
                Some(end) => format!("`{callee}` blocks on a future (in `{end}`) and is called inside async code"),
                None => format!("`{callee}` reaches `block_on` and is called inside async code"),
            }
        };
        let blocker = super::reached(chain).unwrap_or(callee);
        let (label, help) = if enters_a_runtime(blocker) {
            (
                "enters a runtime from inside a running one: it panics",
                "`.await` the future instead; from sync code called by async code, use `tokio::task::block_in_place` or make the helper async",
            )
        } else {
            (
                "parks the executor thread until the future is done: it can deadlock",
                "`.await` the future instead, or make the helper async so that its callers can",
            )
        };
        let finding = Finding::new(fact.span, message)
            .label(label)
            .help(help)
            .notes(chain.clone());
        out.push(finding.in_callback(*in_callback));
    }
}

/// Whether the `block_on` enters a runtime (tokio's panics when called on a runtime thread),
/// rather than parking the thread as a plain executor (`futures::executor::block_on`, smol,
/// pollster) does.
fn enters_a_runtime(blocker: &str) -> bool {
    blocker.starts_with("tokio") || blocker.contains("Runtime::") || blocker.contains("Handle::")
}
