//! ## What it does
//! Finds futures that are created and then dropped without ever being polled: a call of an
//! `async fn` (or of a function returning `impl Future`, `BoxFuture`, `Pin<Box<dyn Future>>`),
//! an `async` block or the result of an async closure that is used as a statement, bound to `_`,
//! bound to a name that is never used (`_x` included), shadowed before use, or only passed to
//! `drop`/`mem::forget`. It looks at async code *and* sync code.
//!
//! ## Why is this bad
//! Futures are lazy: nothing in an `async fn` runs until the future is awaited, spawned or
//! otherwise polled. A forgotten `.await` silently skips the work — the message is never sent,
//! the row never written, the sleep never slept. rustc warns only for the plain statement form and
//! only after a successful build; `let _ = fut;` and `let _x = fut;` pass silently, and a call from
//! sync code compiles without a word.
//!
//! ## Example
//! ```rust,ignore
//! async fn handle(tx: Sender<Item>) {
//!     for i in 0..5 {
//!         work(i); // nothing happens
//!     }
//!     let _ = tx.send(Item::Done);
//! }
//!
//! fn fire_and_forget() {
//!     fetch_data(); // an async fn called from sync code: never runs
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn handle(tx: Sender<Item>) {
//!     for i in 0..5 {
//!         work(i).await;
//!     }
//!     tx.send(Item::Done).await?;
//! }
//!
//! fn fire_and_forget(rt: &tokio::runtime::Runtime) {
//!     rt.block_on(fetch_data());
//! }
//! ```
//!
//! ## Known limits
//! Without types, a call is known to return a future only when its callee resolves: to an
//! `async fn` or future-returning function of the analysed workspace, to a known API of tokio,
//! futures, async-std, smol, reqwest, hyper, sqlx or tonic, or to a path configured as
//! future-returning. Methods on receivers whose type cannot be worked out are only counted when
//! every definition of that name in the workspace is async and the name is not a common sync one.
//! A future consumed on only one branch is not reported. Values of the workspace's own types
//! that implement `Future` or `IntoFuture` (and tokio's `LocalSet`) count when dropped as a
//! statement or into `_`, not when left in a binding, and never when the type's name says it is a
//! handle or a channel end. In a plain (non-async) `#[test] fn`, a future kept in a `_name`
//! binding or passed by name to `drop` is taken as deliberate — such tests check what creating or
//! dropping a future does — while the statement and `let _ =` forms are still reported.

use super::Finding;
use crate::analysis::facts::{DropHow, ExecContext, Fact, FactKind, ValueKind};
use crate::diagnostic::{Applicability, Fix, Level};

pub const DEFAULT_LEVEL: Level = Level::Deny;
pub const SUMMARY: &str = "a future dropped without being polled, in async or sync code";
pub const FIXABLE: bool = true;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    let FactKind::Dropped {
        value: ValueKind::Future,
        how,
        origin,
        await_fix,
    } = &fact.kind
    else {
        return;
    };
    let in_async = fact.ctx == ExecContext::Async;
    let (message, label) = match how {
        DropHow::Statement if in_async => (
            format!("future returned by {origin} is never awaited"),
            "this future is dropped here without being polled".to_string(),
        ),
        DropHow::Statement => (
            format!("future returned by {origin} is never polled: nothing will run it"),
            "created in sync code and dropped here".to_string(),
        ),
        DropHow::LetUnderscore => (
            format!("future returned by {origin} is bound to `_` and dropped without being polled"),
            "`let _ =` drops the future at once".to_string(),
        ),
        DropHow::UnusedBinding(name) => (
            format!("future `{name}` from {origin} is never polled"),
            format!("`{name}` is never used after this"),
        ),
        DropHow::Shadowed(name) => (
            format!("future `{name}` from {origin} is shadowed before it is polled"),
            format!("`{name}` is bound again before this future is used"),
        ),
        DropHow::ExplicitDrop(dropper) => (
            format!("future from {origin} is passed to `{dropper}` without being polled"),
            format!("`{dropper}` discards the future"),
        ),
    };
    let help = if in_async {
        "add `.await` to run it, or spawn it (`tokio::spawn`) if it should run in the background"
    } else {
        "futures do nothing until polled: `.await` it from an async caller, or drive it with \
         `Runtime::block_on` or `futures::executor::block_on`"
    };
    let fix = match (how, await_fix, in_async) {
        (DropHow::Statement, Some(edit), true) => Some(Fix {
            message: "add `.await`".into(),
            applicability: Applicability::MachineApplicable,
            edits: vec![edit.clone()],
        }),
        _ => None,
    };
    out.push(
        Finding::new(fact.span, message)
            .label(label)
            .help(help)
            .fix(fix),
    );
}
