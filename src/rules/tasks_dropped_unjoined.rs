//! ## What it does
//! Finds a `tokio::task::JoinSet`, `futures::stream::FuturesUnordered` or
//! `tokio_util::task::AbortOnDropHandle` that had work added (`spawn`, `push`, `extend`,
//! `collect()` into it, a task wrapped) and is then dropped without being driven: its scope ends
//! and nothing ever joined, polled, awaited, returned, stored or handed it on; or the body
//! `return`s before anything did; or it is put straight into `let _ =` or dropped as a statement.
//!
//! ## Why is this bad
//! Dropping a `JoinSet` or an `AbortOnDropHandle` aborts every task in it, often before they ran;
//! dropping a `FuturesUnordered` drops its futures unpolled. The work is silently lost — unlike
//! a plain `tokio::spawn`, whose dropped `JoinHandle` only detaches the task.
//!
//! ## Example
//! ```rust,ignore
//! async fn refresh_all(ids: Vec<u64>) {
//!     let mut set = JoinSet::new();
//!     for id in ids {
//!         set.spawn(refresh(id));
//!     }
//! } // every task is aborted here
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn refresh_all(ids: Vec<u64>) {
//!     let mut set = JoinSet::new();
//!     for id in ids {
//!         set.spawn(refresh(id));
//!     }
//!     while let Some(done) = set.join_next().await {
//!         done.expect("refresh task");
//!     }
//! }
//! ```
//! or `set.detach_all()` when the tasks should outlive the set.
//!
//! ## Known limits
//! Only sets held in local bindings are followed; any use other than adding work or asking its
//! length counts as driving it (handed to a call, borrowed, moved into a closure), and once
//! driven, a later `return` is not reported (a race that takes the first result and drops the
//! rest is deliberate). Error paths are not reported: `?` and `return Err(..)`. A binding named
//! `_name` is a guard kept to abort on scope exit, as is any named `AbortOnDropHandle`. A
//! `FuturesUnordered` whose futures nothing polls at all is `unawaited_future`'s finding.

use super::Finding;
use crate::analysis::facts::{Fact, FactKind, SetDrop};
use crate::diagnostic::{Level, Note};

pub const DEFAULT_LEVEL: Level = Level::Warn;
pub const SUMMARY: &str = "a `JoinSet` / `FuturesUnordered` / `AbortOnDropHandle` with work in it, dropped undriven: its tasks are aborted or never run";
pub const FIXABLE: bool = false;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    let FactKind::SetDropped {
        set,
        name,
        how,
        provenance,
    } = &fact.kind
    else {
        return;
    };
    let what = if set == "FuturesUnordered" {
        "its futures are dropped unpolled"
    } else {
        "its tasks are aborted"
    };
    let subject = match name {
        Some(n) => format!("`{n}`, a `{set}` with work in it,"),
        None if set.starts_with(['A', 'E', 'I', 'O', 'U']) => {
            format!("an `{set}` with work in it")
        }
        None => format!("a `{set}` with work in it"),
    };
    let (label, notes) = match how {
        SetDrop::EndOfScope => (
            format!("nothing drives it: {what} at the end of its scope"),
            Vec::new(),
        ),
        SetDrop::Return(span) => (
            "made here".to_string(),
            vec![Note {
                path: None,
                span: *span,
                message: format!("this `return` drops it before it is driven: {what}"),
            }],
        ),
        SetDrop::Statement => (format!("dropped at once: {what}"), Vec::new()),
        SetDrop::LetUnderscore => (format!("`let _ =` drops it at once: {what}"), Vec::new()),
    };
    let help = if set == "AbortOnDropHandle" {
        "keep it in a binding (`let _task = ..`) for as long as the task should run, or `.await` it"
    } else if set == "FuturesUnordered" {
        "drive it (`while let Some(r) = set.next().await`) before it goes, or return it"
    } else {
        "join it (`set.join_all().await`, `while let Some(r) = set.join_next().await`), or `detach_all()` if the tasks should outlive it"
    };
    out.push(
        Finding::new(fact.span, format!("{subject} is dropped without being joined"))
            .label(label)
            .help(help)
            .notes(notes)
            .provenance(*provenance),
    );
}
