//! ## What it does
//! Finds a runtime (`tokio::runtime::Runtime::new()`, `runtime::Builder::new_*()...build()`,
//! other executors' equivalents) built in async context, directly or through sync helpers.
//!
//! ## Why is this bad
//! Dropping a runtime inside another runtime's context panics ("Cannot drop a runtime in a
//! context where blocking is not allowed"), and using it there means `block_on`, which panics or
//! deadlocks.
//!
//! ## Example
//! ```rust,ignore
//! async fn handler() {
//!     let rt = tokio::runtime::Runtime::new().unwrap();
//!     rt.spawn(work());
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn handler() {
//!     tokio::spawn(work());
//! }
//! ```
//!
//! ## Known limits
//! A runtime built inside `std::thread::spawn` or `spawn_blocking` is fine and not reported, nor
//! one bound to a name that moves to another thread or is consumed by `shutdown_background()` or
//! `shutdown_timeout(..)` (no drop happens in async code). Where a panic is expected — the body
//! of a `#[should_panic]` test, a closure given to `catch_unwind` — the panic is what the code
//! checks, and nothing is reported. In a `move` closure handed to a call, that the closure runs
//! in async code is a guess: a warning at most, saying so.

use super::Finding;
use crate::analysis::facts::{Effect, ExecContext, Fact, FactKind};
use crate::diagnostic::Level;

pub const DEFAULT_LEVEL: Level = Level::Deny;
pub const SUMMARY: &str = "a runtime built in async context (panics when dropped there)";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    if let FactKind::Call {
        effect: Effect::BuildsRuntime,
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
            format!("runtime built with `{callee}` inside async code")
        } else {
            match super::reached(chain) {
                Some(end) => format!("`{callee}` builds a runtime (with `{end}`) and is called inside async code"),
                None => format!("`{callee}` builds a runtime and is called inside async code"),
            }
        };
        let finding = Finding::new(fact.span, message)
            .label("a runtime cannot be dropped or blocked on inside another runtime")
            .help("use the running runtime (`tokio::spawn`, `Handle::current()`), or build the runtime on a thread of its own")
                .notes(chain.clone());
        out.push(finding.in_callback(*in_callback));
    }
}
