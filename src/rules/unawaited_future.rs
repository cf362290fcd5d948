//! ## What it does
//! Finds futures that are created and then dropped without ever being polled: a call of an
//! `async fn` (or of a function returning `impl Future`, `BoxFuture`, `Pin<Box<dyn Future>>`),
//! an `async` block or the result of an async closure that is used as a statement, bound to `_`,
//! bound to a name that is never used (`_x` included), shadowed before use, or only passed to
//! `drop`/`mem::forget`. It looks at async code *and* sync code.
//!
//! Every finding says how the value is known to be a future (the `provenance` field of
//! `--format json`): *proven* (a path resolved to an `async fn`, a declared `impl Future` or
//! `IntoFuture` return, an async block, a knowledge-table entry), *inferred* (a type that flowed to
//! the value through a generic bound, an `.await`, a collection's element) or *guessed* (a method
//! matched by name on a receiver whose type is unknown). An error needs a proven or inferred
//! future; a guessed one is at most a warning, its message says it is a guess, and its fix is
//! never applied without `--unsafe-fixes`.
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
//! every definition of that name in the workspace is async and the name is neither a common sync
//! one nor a sync method of std's I/O, file, network, process or lock types (`sync_data`,
//! `write_all`, `kill`, ...), and then as a guess (a warning at most).
//! A callee whose definition is not on disk (a test helper module left out of a published
//! package, a crate not declared or not fetched) is a future only from how it is used, as a
//! guess: when the file's other calls of it are all awaited, or when this is the file's only
//! call of it and the other files of its scope (the package's tests, examples and benches
//! together, or its library and binaries) await it at least twice and never call it otherwise;
//! the message names one of those files. A method called on a value whose type is named by a path
//! into such a crate (`conn: &undeclared::Conn`, `conn.request()`) is, likewise, a guess from the
//! file's other calls of the method name (on any receiver): all of them awaited, and the name not one
//! of std's sync methods.
//! A future consumed on only one branch is not reported. Values of the workspace's own types
//! that implement `Future` or `IntoFuture` (and tokio's `LocalSet`) count when dropped as a
//! statement or into `_`, not when left in a binding. A type whose name says it is a handle or a
//! channel end (`WorkerHandle`, `EventListener`) is taken at its name when a field may hold a task's
//! handle or a channel end (or it has no fields); when none can, it is a warning at most, and so is
//! a type whose `Drop` does no more than lock, notify and wake (passing a wake-up on to another
//! waiter: only the calls' names say it hands no work on). A type whose `Future` impl needs its type arguments to be futures
//! (`impl<L: Future, R: Future> Future for Either<L, R>`) is one only when those arguments are
//! known futures; with unknown arguments it is unknown (a type named `..Future` stays one, as
//! inferred). `_` binds nothing: in a `match` arm, an `if let`, a `let .. else`, or a part of a
//! `let` pattern whose value is a place (`let (_, b) = pair;`) it drops nothing; only the part of
//! a temporary (`let (_, b) = (f(), g());`) is dropped. A future read by name before (polled by
//! hand with `fut.as_mut().poll(cx)`, borrowed into `poll_fn` or a `select!`, `Pin::new(&mut
//! fut)`) may have run part way, and the walk does not follow polls: stored, kept in a binding or
//! passed to `drop` it is not reported (a deliberate cancellation); dropped as a statement or into
//! `_` it is a warning at most, saying it was polled and loses the rest of its work. A plain `fn` returning a future whose body does work before the returned expression —
//! an expression statement with a call or an assignment to a field (`self.tx.send(cmd)?;`), a
//! `let _ = call();`, a `let x = call()?;` — has started that work: dropping its future loses
//! only the wait, a warning at most with its own message (and nothing for an explicit `drop`).
//! Bindings of plain values (`let tx = self.tx.clone();`) and macros (logging) are not work, so
//! such a fn's future is lazy; work done on only one early-return path still counts as started.
//! So has a fn (a trait's provided method too) whose returned future is made by handing the work
//! to another task or thread (`Box::pin(unblock(work))`, `spawn_blocking(f)`, `tokio::spawn(..)`,
//! in any `cfg` alternative), and a fn named as the runtimes name those calls (`spawn*`,
//! `spawn_blocking`, `unblock`) that returns a future: the name is taken at its word, which errs
//! toward silence. A future made by a trait method declared without a body depends on the
//! implementation: passed to `drop(..)` it is a warning saying so; dropped as a statement or into
//! `_` it is still an error.
//! An `async fn` under the `maybe-async` crate's `#[maybe_async]` (on the fn, its impl or its
//! trait, also under `cfg_attr`) is a plain fn when that crate's `is_sync` feature is on: its
//! dropped future is a warning in async code, saying so, with a fix that is not applied
//! unasked, and nothing in sync code, which is written for the sync build. `#[must_be_sync]`
//! makes it a plain fn always.
//! A value of a type that only receives the outcome of work done elsewhere — every field a
//! oneshot receiver or a spawned task's handle (`DeliveryFuture { rx: oneshot::Receiver<..> }`),
//! or a plain value — runs nothing when polled: dropping it loses the outcome (a delivery
//! report, an error), not the work, a warning at most with its own message. A type holding the
//! receiver of a channel of many messages (`mpsc::Receiver`) may be the driver that does the
//! work for each, and stays a lazy future.
//! In a plain (non-async) `#[test] fn`, a future kept in a `_name`
//! binding is taken as deliberate — such tests check what creating or dropping a future does —
//! and so is, anywhere in test code (test fns, `#[cfg(test)]` modules, `tests/`), a future passed
//! to `drop(..)`: rustc's `unused_must_use` told its author what a dropped future means, and
//! test helpers drop futures to check they type-check. The statement and `let _ =` forms are
//! still reported there, and `drop(..)` outside test code. Elsewhere in test code a future kept
//! in a `_name` binding and never polled is a warning at most: tests hold one there to keep what
//! it owns alive (a link its `close()` future would close).

use super::Finding;
use crate::analysis::facts::{
    AwaitFix, DropHow, ExecContext, Fact, FactKind, Output, Provenance, Started, ValueKind,
};
use crate::analysis::value::{AWAITED_ELSEWHERE, AWAITED_IN_OTHER_FILES};
use crate::diagnostic::{Applicability, Edit, Fix, Level, Span};

pub const DEFAULT_LEVEL: Level = Level::Deny;
pub const SUMMARY: &str = "a future dropped without being polled, in async or sync code";
pub const FIXABLE: bool = true;

pub fn check(fact: &Fact, out: &mut Vec<Finding>) {
    let FactKind::Dropped {
        value: ValueKind::Future,
        how,
        origin,
        await_fix,
        provenance,
        started,
    } = &fact.kind
    else {
        return;
    };
    let in_async = fact.ctx == ExecContext::Async;
    let source = source(origin);
    match started {
        Started::No => {}
        Started::ByMaker => return check_started(fact, how, &source, *provenance, out),
        Started::Polled => return check_polled(fact, how, &source, *provenance, out),
        Started::MaybeByMaker if matches!(how, DropHow::ExplicitDrop(_)) => {
            return check_dropped_from_declaration(fact, how, &source, *provenance, out)
        }
        Started::MaybeByMaker => {}
        Started::Receipt => return check_receipt(fact, how, &source, *provenance, out),
        // `drop(listener)` says it is not wanted.
        Started::MaybeHandedOn | Started::NamedLikeHandle
            if matches!(how, DropHow::ExplicitDrop(_)) =>
        {
            return
        }
        Started::MaybeHandedOn | Started::NamedLikeHandle => {}
        // Sync code calling a fn that is async only without a feature is written for the
        // build with it, where the call returns no future.
        Started::AsyncByFeature if !in_async => return,
        Started::AsyncByFeature => {}
    }
    let (mut message, label) = match how {
        DropHow::Statement if in_async => (
            format!("future {source} is never awaited"),
            "this future is dropped here without being polled".to_string(),
        ),
        DropHow::Statement => (
            format!("future {source} is never polled: nothing will run it"),
            "created in sync code and dropped here".to_string(),
        ),
        DropHow::LetUnderscore => (
            format!("future {source} is bound to `_` and dropped without being polled"),
            "`let _ =` drops the future at once".to_string(),
        ),
        DropHow::UnusedBinding(name) => (
            format!("future `{name}` {source} is never polled"),
            format!("`{name}` is never used after this"),
        ),
        DropHow::HeldInTest(name) => (
            format!(
                "future `{name}` {source} is never polled; test code often holds a future under \
                 a `_` name on purpose, to keep what it owns alive"
            ),
            format!("`{name}` is never used after this"),
        ),
        DropHow::Shadowed(name) => (
            format!("future `{name}` {source} is shadowed before it is polled"),
            format!("`{name}` is bound again before this future is used"),
        ),
        DropHow::ExplicitDrop(dropper) => (
            format!("future {source} is passed to `{dropper}` without being polled"),
            format!("`{dropper}` discards the future"),
        ),
    };
    if *provenance == Provenance::Guessed
        && !origin.contains(AWAITED_ELSEWHERE)
        && !origin.contains(AWAITED_IN_OTHER_FILES)
    {
        message.push_str(" (guessed from the method name: the receiver's type is unknown)");
    }
    let help = if in_async {
        "add `.await` to run it, or spawn it (`tokio::spawn`) if it should run in the background"
    } else {
        "futures do nothing until polled: `.await` it from an async caller, or drive it with \
         `Runtime::block_on` or `futures::executor::block_on`"
    };
    let fix = match (how, await_fix) {
        (DropHow::Statement | DropHow::LetUnderscore, Some(f)) if in_async => {
            let mut fix = await_fix_of(fact, how, f);
            // `.await` on a guess, or on what a feature may make a plain value, may not
            // compile: never applied without a look.
            if *provenance == Provenance::Guessed || *started == Started::AsyncByFeature {
                fix.applicability = Applicability::MaybeIncorrect;
            }
            Some(fix)
        }
        _ => None,
    };
    let mut finding = Finding::new(fact.span, message)
        .label(label)
        .help(help)
        .fix(fix)
        .provenance(*provenance);
    // Held on purpose or forgotten: the name says the former, the code proves neither.
    if matches!(how, DropHow::HeldInTest(_)) {
        finding.max_level = Some(Level::Warn);
    }
    // Only names, or a feature, say whether dropping it loses work.
    let named = match started {
        Started::MaybeHandedOn => Some(
            " (its type's `Drop` only locks, notifies and wakes: that this hands no work on is \
             read from the names of the calls)",
        ),
        Started::NamedLikeHandle => Some(
            " (its type is named like a handle, but no field holds a task's handle or a channel \
             end: the name may still mean that its work runs elsewhere)",
        ),
        Started::AsyncByFeature => Some(
            " (`#[maybe_async]` makes it `async` only while the `maybe-async` crate's `is_sync` \
             feature is off: with it on, the call returns its value directly)",
        ),
        _ => None,
    };
    if let Some(why) = named {
        finding.message.push_str(why);
        finding.max_level = Some(Level::Warn);
    }
    out.push(finding);
}

/// A future made by a trait method declared without a body, passed to `drop(..)`: the drop is
/// deliberate, and whether the work already began depends on the implementation, which the code
/// does not show. Not proven lost: a warning at most, saying so.
fn check_dropped_from_declaration(
    fact: &Fact,
    how: &DropHow,
    source: &str,
    provenance: Provenance,
    out: &mut Vec<Finding>,
) {
    let DropHow::ExplicitDrop(dropper) = how else {
        return;
    };
    let mut finding = Finding::new(
        fact.span,
        format!(
            "future {source} is passed to `{dropper}` without being polled; the trait declares \
             it without a body, so an implementation may have started its work already"
        ),
    )
    .label(format!("`{dropper}` discards the future"))
    .help("`.await` it if its work must run; if the implementation starts the work itself, say so with a suppression and a reason")
    .provenance(provenance);
    finding.max_level = Some(Level::Warn);
    out.push(finding);
}

/// A future whose maker started the work before returning it: dropping it loses only the wait
/// for that work. A warning at most, never when dropped by name on purpose (`drop(fut)`), and no
/// fix: whether to wait is the caller's choice.
fn check_started(
    fact: &Fact,
    how: &DropHow,
    source: &str,
    provenance: Provenance,
    out: &mut Vec<Finding>,
) {
    warn_lost_outcome(
        fact,
        how,
        format!(
            "future {source} is dropped without being awaited: its work was started when it was \
             made, only waiting for it is lost"
        ),
        "the wait for the work is dropped here",
        "`.await` it to wait until the work is done and to get its outcome: an error the work ends with (a failed delivery) is dropped with the future; drop it with `drop(..)` when the outcome does not matter",
        provenance,
        out,
    );
}

/// A value of a type that only receives the outcome of work done elsewhere (a oneshot
/// receiver, a task's handle, [`Started::Receipt`]): polling it runs nothing, so dropping it
/// loses the outcome, never the work. A warning at most, never when dropped by name on purpose
/// (`drop(fut)`), and no fix: whether the outcome matters is the caller's choice.
fn check_receipt(
    fact: &Fact,
    how: &DropHow,
    source: &str,
    provenance: Provenance,
    out: &mut Vec<Finding>,
) {
    warn_lost_outcome(
        fact,
        how,
        format!(
            "future {source} is dropped without being awaited: it only receives the outcome of \
             work done elsewhere, so the outcome is lost, not the work"
        ),
        "the outcome is dropped here",
        "`.await` it to get the outcome: an error the work ends with (a failed delivery) is dropped with the future; drop it with `drop(..)` when the outcome does not matter",
        provenance,
        out,
    );
}

/// A future whose work runs whether or not it is polled, dropped: what is lost is its outcome.
/// A warning at most with no fix, and nothing for an explicit `drop(..)`.
fn warn_lost_outcome(
    fact: &Fact,
    how: &DropHow,
    message: String,
    label: &str,
    help: &str,
    provenance: Provenance,
    out: &mut Vec<Finding>,
) {
    if matches!(how, DropHow::ExplicitDrop(_)) {
        return;
    }
    let mut finding = Finding::new(fact.span, message)
        .label(label)
        .help(help)
        .provenance(provenance);
    finding.max_level = Some(Level::Warn);
    out.push(finding);
}

/// A future read by name before (polled by hand, raced by reference in `select!`) and then
/// dropped: it may have run part way, so it is not "never polled"; dropping it as a statement or
/// into `_` loses the rest of its work, a warning at most. Kept in a binding, stored or passed to
/// `drop`, it is taken as deliberate (a cancellation), and nothing is reported.
fn check_polled(
    fact: &Fact,
    how: &DropHow,
    source: &str,
    provenance: Provenance,
    out: &mut Vec<Finding>,
) {
    if !matches!(how, DropHow::Statement | DropHow::LetUnderscore) {
        return;
    }
    let mut finding = Finding::new(
        fact.span,
        format!("future {source} is dropped before it completes: it was polled before, and the rest of its work is lost"),
    )
    .label("dropped here, after it was used above")
    .help("`.await` it to finish its work, or pass it to `drop` if cancelling it is intended")
    .provenance(provenance);
    finding.max_level = Some(Level::Warn);
    out.push(finding);
}

/// The fix that adds `.await`, in ruff's safety tiers: safe (MachineApplicable) only for a
/// statement whose future gives `()` or another type known not to be `#[must_use]`, where
/// running the future is all that changes. A `Result`
/// or any other output may be `#[must_use]`, so awaiting it as a statement could add rustc's
/// `unused_must_use` warning: the fix binds it to `_` (or passes an error on with `?` in a function
/// returning a `Result`), and is unsafe (MaybeIncorrect). `let _ = fut;` may drop the future on
/// purpose, so awaiting it there is unsafe too.
fn await_fix_of(fact: &Fact, how: &DropHow, f: &AwaitFix) -> Fix {
    let unsafe_fix = |message: &str, edits: Vec<Edit>| Fix {
        message: message.into(),
        applicability: Applicability::MaybeIncorrect,
        edits,
    };
    match (how, f.output) {
        (DropHow::Statement, Output::Plain) => Fix {
            message: "add `.await`".into(),
            applicability: Applicability::MachineApplicable,
            edits: vec![f.edit.clone()],
        },
        (DropHow::Statement, Output::Result) if f.in_result_fn => unsafe_fix(
            "add `.await?`",
            vec![Edit {
                text: ".await?".into(),
                ..f.edit.clone()
            }],
        ),
        (DropHow::Statement, _) => {
            let start = Span {
                start: fact.span.start,
                end: fact.span.start,
            };
            let bind = Edit {
                span: start,
                text: "let _ = ".into(),
            };
            unsafe_fix(
                "add `.await` and bind its output to `_`",
                vec![bind, f.edit.clone()],
            )
        }
        _ => unsafe_fix("add `.await`", vec![f.edit.clone()]),
    }
}

/// Where the future came from, as the message says it: "returned by async fn `work`" (a
/// function or method made it), "of type `Serve`" (a value of a future type), "from the async
/// block at line 12" (an async block or closure, by where it starts).
fn source(origin: &str) -> String {
    if origin.starts_with("type ") {
        format!("of {origin}")
    } else if origin.starts_with("the ") {
        format!("from {origin}")
    } else {
        format!("returned by {origin}")
    }
}
