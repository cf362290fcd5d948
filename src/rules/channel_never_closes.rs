//! ## What it does
//! Finds a loop that drains a channel until it closes — `while let Some(x) = rx.recv().await`,
//! `loop { match rx.recv().await { .., None => break } }`, `let Some(x) = .. else { break }`,
//! `while rx.recv_many(&mut buf, n).await > 0`, a futures receiver or `ReceiverStream` read with
//! `next().await`, and for std channels `for x in rx`, `rx.iter()`, `while let Ok(x) = rx.recv()`
//! — while the same body (or one enclosing it that the loop only borrows from) still holds a
//! sender of that channel: the original or a clone, neither moved away (into a `move` closure or
//! block, or by value into a call) nor dropped before the loop, and where the loop has no other
//! way out (`break`, `return`, a `select!` branch that leaves). `?` and `continue` are not ways
//! out.
//!
//! ## Why is this bad
//! Such a loop ends only when every sender is gone, and this one is dropped only after the loop:
//! once the producers finish, the loop waits forever. A producer/consumer pipeline hangs at its
//! very end, typically in the `join` that waits for the consumer, with no error and no panic.
//!
//! ## Example
//! ```rust,ignore
//! let (tx, mut rx) = mpsc::channel(8);
//! for i in 0..4 {
//!     let tx = tx.clone();
//!     tokio::spawn(async move { tx.send(i).await.ok(); });
//! }
//! while let Some(item) = rx.recv().await { // never ends: `tx` is still held
//!     handle(item);
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! let (tx, mut rx) = mpsc::channel(8);
//! for i in 0..4 {
//!     let tx = tx.clone();
//!     tokio::spawn(async move { tx.send(i).await.ok(); });
//! }
//! drop(tx); // or move it into the last producer
//! while let Some(item) = rx.recv().await {
//!     handle(item);
//! }
//! ```
//!
//! ## Known limits
//! Only channels made in the same function by a known constructor (tokio `mpsc` bounded and
//! unbounded, futures `mpsc`, std `mpsc`) and held in local bindings are followed, with their
//! clones, `subscribe`d receivers and `ReceiverStream`s; senders kept in fields, collections or
//! `Option`s count as moved away. A drain loop in a `move` block or closure (a spawned consumer)
//! does not hold the caller's sender, and is not reported even when the caller keeps the sender
//! while it awaits that consumer. Channels of other crates (flume, kanal, async-channel,
//! crossbeam) are not known. Any `break`, `return` or labelled `continue` in the loop, even
//! in a nested loop, counts as a way out. tokio `broadcast` receivers also end on `Lagged`, so
//! only their `Closed`-only forms would hang; they are not recognised.

use super::Finding;
use crate::analysis::facts::{Fact, FactKind};
use crate::diagnostic::{Level, Note};

pub const DEFAULT_LEVEL: Level = Level::Warn;
pub const SUMMARY: &str =
    "a loop draining a channel until it closes, in a body that still holds a sender of it: it never ends";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    let FactKind::DrainNeverEnds {
        receiver,
        sender,
        sender_span,
        provenance,
    } = &fact.kind
    else {
        return;
    };
    out.push(
        Finding::new(
            fact.span,
            format!("this loop waits for `{receiver}`'s channel to close, but `{sender}`, a sender of it, is still held here"),
        )
        .label("ends only when every sender is dropped")
        .help(format!(
            "drop the sender before the loop (`drop({sender});`), or move it into the last producer"
        ))
        .notes(vec![Note {
            path: None,
            span: *sender_span,
            message: format!("`{sender}` is bound here and dropped only after the loop"),
        }])
        .provenance(*provenance),
    );
}
