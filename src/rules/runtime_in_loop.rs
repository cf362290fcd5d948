//! ## What it does
//! Finds a runtime built inside the body of a `for`, `while` or `loop`.
//!
//! ## Why is this bad
//! Building a runtime starts thread pools, timers and an I/O driver; doing it per iteration costs
//! milliseconds and threads each time, and tasks spawned on one iteration's runtime are cancelled
//! when it is dropped at the end of the iteration.
//!
//! ## Example
//! ```rust,ignore
//! for url in urls {
//!     let rt = Runtime::new()?;
//!     rt.block_on(fetch(url))?;
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! let rt = Runtime::new()?;
//! for url in urls {
//!     rt.block_on(fetch(url))?;
//! }
//! ```
//!
//! ## Known limits
//! A loop around a call of a helper that builds a runtime is not reported; a runtime built in a
//! closure called from a loop is not reported.

use super::Finding;
use crate::analysis::facts::{Effect, Fact, FactKind};
use crate::diagnostic::Level;

pub const DEFAULT_LEVEL: Level = Level::Warn;
pub const SUMMARY: &str = "a runtime built inside a loop body";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    if let FactKind::Call {
        effect: Effect::BuildsRuntime,
        callee,
        in_loop: true,
        chain,
        ..
    } = &fact.kind
    {
        if !chain.is_empty() {
            return;
        }
        out.push(
            Finding::new(fact.span, format!("runtime built with `{callee}` on every loop iteration"))
                .label("a new runtime per iteration")
                .help("build the runtime once, before the loop, and reuse it"),
        );
    }
}
