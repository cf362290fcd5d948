//! ## What it does
//! Finds a lazy stream — made by `futures::stream::iter`, `once`, `repeat`, `unfold`, `select`,
//! `tokio_stream::iter`, or a `StreamExt` adaptor (`map`, `filter`, `then`, `buffered`, ...) of a
//! known stream — that is dropped without ever being polled: used as a statement, bound to `_`,
//! bound to a name that is never used, or shadowed before use.
//!
//! ## Why is this bad
//! Streams are as lazy as futures: no closure of the chain runs and no item is made until
//! something polls the stream (`next().await`, `for_each(..).await`, `collect().await`,
//! `forward`). A chain built for its side effects (`.then(|x| save(x))`) and then dropped does
//! nothing. rustc warns only for the statement form, and only after a build.
//!
//! ## Example
//! ```rust,ignore
//! async fn save_all(rows: Vec<Row>) {
//!     stream::iter(rows).then(|row| save(row)); // nothing is saved
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn save_all(rows: Vec<Row>) {
//!     stream::iter(rows).for_each(|row| save(row)).await;
//! }
//! ```
//!
//! ## Known limits
//! Iterator adaptors of the same names are not streams: the receiver must be known to be a
//! stream (a table entry, a stream type of tokio-stream or futures, a workspace type
//! implementing `Stream`). Streams returned by the workspace's own functions are not followed.
//! A dropped `forward(sink)` or `send_all(..)` is a future: `unawaited_future` reports it.
//! `drop(stream)` says the stream is not wanted and is not reported.

use super::Finding;
use crate::analysis::facts::{DropHow, Fact, FactKind, ValueKind};
use crate::diagnostic::Level;

pub const DEFAULT_LEVEL: Level = Level::Warn;
pub const SUMMARY: &str = "a lazy stream built and dropped without being polled";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    let FactKind::Dropped {
        value: ValueKind::Stream,
        how,
        origin,
        provenance,
        ..
    } = &fact.kind
    else {
        return;
    };
    let (message, label) = match how {
        DropHow::Statement => (
            format!("stream made by {origin} is never polled"),
            "this stream is dropped here: nothing in it runs".to_string(),
        ),
        DropHow::LetUnderscore => (
            format!("stream made by {origin} is bound to `_` and never polled"),
            "`let _ =` drops the stream at once".to_string(),
        ),
        DropHow::UnusedBinding(name) | DropHow::HeldInTest(name) => (
            format!("stream `{name}` made by {origin} is never polled"),
            format!("`{name}` is never used after this"),
        ),
        DropHow::Shadowed(name) => (
            format!("stream `{name}` made by {origin} is shadowed before it is polled"),
            format!("`{name}` is bound again before this stream is used"),
        ),
        DropHow::ExplicitDrop(_) => return,
    };
    out.push(
        Finding::new(fact.span, message)
            .label(label)
            .help("poll it: `.for_each(..).await`, `.collect::<Vec<_>>().await`, or `while let Some(x) = s.next().await`")
            .provenance(*provenance),
    );
}
