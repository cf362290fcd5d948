//! ## What it does
//! Finds a guard from a sync lock — `std::sync::Mutex::lock`, `RwLock::read`/`write`,
//! parking_lot's — bound to a name that is still alive at a later `.await` in the same body.
//!
//! ## Why is this bad
//! While the task is suspended at the `.await`, the guard keeps the lock. Any other task on the
//! same thread that takes the lock blocks the thread, and the suspended task can never resume to
//! release it: a deadlock. With `std::sync::MutexGuard` the future is also not `Send`.
//! Clippy's `await_holding_lock` finds this too, but only after a full build.
//!
//! ## Example
//! ```rust,ignore
//! async fn bump(state: &Mutex<State>) {
//!     let mut guard = state.lock().unwrap();
//!     guard.count += 1;
//!     save().await;
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn bump(state: &Mutex<State>) {
//!     {
//!         let mut guard = state.lock().unwrap();
//!         guard.count += 1;
//!     }
//!     save().await;
//! }
//! ```
//! or use `tokio::sync::Mutex` when the lock must be held across the `.await`.
//!
//! ## Known limits
//! Only guards bound to a name, or left as temporaries of an `if let`/`while let` scrutinee
//! (which live to the end of its block), are tracked; the lock must be known to be a sync one (its type
//! resolved, or a `.lock()` whose result is unwrapped rather than awaited).

use super::Finding;
use crate::analysis::facts::{Fact, FactKind};
use crate::diagnostic::{Level, Note};

pub const DEFAULT_LEVEL: Level = Level::Warn;
pub const SUMMARY: &str = "a sync lock guard (`lock()` not awaited) alive across an `.await`";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    if let FactKind::GuardAcrossAwait { guard, await_span } = &fact.kind {
        out.push(
            Finding::new(
                fact.span,
                if guard.starts_with('<') {
                    "sync lock guard left as a temporary of the `if let` scrutinee is held across an `.await`".to_string()
                } else {
                    format!("sync lock guard `{guard}` is held across an `.await`")
                },
            )
            .label("the lock is taken here")
            .help("drop the guard before the `.await` (end its block or call `drop`), or use an async mutex such as `tokio::sync::Mutex`")
            .notes(vec![Note {
                path: None,
                span: *await_span,
                message: "the task may suspend here with the lock held".into(),
            }]),
        );
    }
}
