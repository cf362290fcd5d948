//! ## What it does
//! Finds `tokio::spawn`, `tokio::task::spawn_local`, `Handle::current()` and the like called from
//! a sync `fn main` that has no `#[tokio::main]`, outside any `block_on` or runtime `enter()`, or
//! from private sync functions that only such a `main` reaches.
//!
//! ## Why is this bad
//! Spawning needs a running runtime; without one it panics at run time with "there is no reactor
//! running, must be called from the context of a Tokio 1.x runtime".
//!
//! ## Example
//! ```rust,ignore
//! fn main() {
//!     tokio::spawn(serve());
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! #[tokio::main]
//! async fn main() {
//!     tokio::spawn(serve()).await.unwrap();
//! }
//! ```
//!
//! ## Known limits
//! Only `fn main` and the functions it alone reaches are judged; a library function may be
//! called from inside a runtime by its users and is never reported.

use super::Finding;
use crate::analysis::facts::{Effect, ExecContext, Fact, FactKind};
use crate::diagnostic::Level;

pub const DEFAULT_LEVEL: Level = Level::Deny;
pub const SUMMARY: &str = "`tokio::spawn` & co. from a sync `fn main` (or code only it reaches) with no runtime";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    if let FactKind::Call {
        effect: Effect::NeedsRuntime,
        callee,
        no_runtime: true,
        chain,
        ..
    } = &fact.kind
    {
        if fact.ctx == ExecContext::Async {
            return;
        }
        let message = if chain.is_empty() {
            format!("`{callee}` called with no runtime running")
        } else {
            match super::reached(chain) {
                Some(end) => format!("`{callee}` needs a runtime (for `{end}`) and is called with none running"),
                None => format!("`{callee}` needs a runtime and is called with none running"),
            }
        };
        out.push(
            Finding::new(fact.span, message)
                .label("panics: there is no reactor running")
                .help("run this inside a runtime: `#[tokio::main]`, or `Runtime::block_on` / `Runtime::enter()` around it")
                .notes(chain.clone()),
        );
    }
}
