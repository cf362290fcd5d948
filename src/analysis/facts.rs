//! The facts the per-body walk computes and the rules consume.

pub use crate::diagnostic::Provenance;
use crate::diagnostic::{Edit, Note, Span};
use serde::{Deserialize, Serialize};

/// Where a piece of code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExecContext {
    /// The body of an `async fn`, async block or async closure, or a closure run inline there.
    Async,
    /// Plain synchronous code.
    Sync,
    /// A closure or fn handed to an offloading call (`spawn_blocking`, `thread::spawn`, ...):
    /// synchronous, on a thread where blocking is fine.
    Offloaded,
}

/// What kind of value an expression produces, as far as the walk can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ValueKind {
    /// A future that does nothing until polled.
    Future,
    /// A spawned task's handle (`tokio::task::JoinHandle` and the like): the task runs anyway.
    TaskHandle,
    /// A `std::thread::JoinHandle`.
    ThreadHandle,
    /// A lazy stream (`stream::iter(..)`, a `StreamExt` adaptor chain): nothing runs until it
    /// is polled.
    Stream,
}

/// How a task set with work in it was dropped without being driven.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetDrop {
    /// Its binding's scope ends: it is dropped there.
    EndOfScope,
    /// The body returns (not with `?` or `Err`) before anything drives it.
    Return(Span),
    /// `expr;`
    Statement,
    /// `let _ = expr;`
    LetUnderscore,
}

/// How a value was lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DropHow {
    /// `expr;`
    Statement,
    /// `let _ = expr;`
    LetUnderscore,
    /// `let name = expr;` and `name` is never used afterwards.
    UnusedBinding(String),
    /// `let _name = expr;` in test code (a test fn, a `#[cfg(test)]` module), and `_name` is
    /// never used: the leading `_` says unused on purpose, and tests hold a future so to keep
    /// what it owns alive (a link it would close). Futures only.
    HeldInTest(String),
    /// `let name = expr;` and `name` is bound again before it was used.
    Shadowed(String),
    /// `drop(expr)` or `mem::forget(expr)`.
    ExplicitDrop(String),
}

/// Whether a future's work had begun before it was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Started {
    /// Nothing ran: the future is lazy and was never polled.
    #[default]
    No,
    /// Made by a plain fn that starts the work before it returns the future (sends the command,
    /// then returns a future that waits for the reply): dropping it loses the wait.
    ByMaker,
    /// Read by name before (polled by hand, raced by reference in `select!`): it may have run
    /// part way, and dropping it loses the rest.
    Polled,
    /// Made by a trait method declared without a body: an implementation may have started the
    /// work when it made the future, or not; the code does not say.
    MaybeByMaker,
    /// A value of a type that only receives the outcome of work done elsewhere (every field a
    /// oneshot receiver or a spawned task's handle, or a plain value: `DeliveryFuture { rx:
    /// oneshot::Receiver<..> }`): polling it runs nothing, so dropping it loses the outcome,
    /// never the work.
    Receipt,
    /// A value of a type whose `Drop` passes a wake-up on to another waiter (locks, notifies,
    /// wakes): dropping it may hand its work on; only the calls' names say either way.
    MaybeHandedOn,
    /// A value of a type named like a handle (`ExitHandle`) whose fields hold no task's handle
    /// and no channel end: the name may still mean that the work runs elsewhere.
    NamedLikeHandle,
    /// Made by an `async fn` that is `async` only while a feature is off (the `maybe-async`
    /// crate's `#[maybe_async]`, whose `is_sync` feature makes it a plain fn): a future in async
    /// code, but sync code calling it is written for the build where it is none.
    AsyncByFeature,
}

/// Where `.await` would go, and what the fix's safety depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitFix {
    /// Inserts `.await` after the future.
    pub edit: Edit,
    /// What awaiting it gives.
    pub output: Output,
    /// The enclosing function returns a `Result` and the `.await` would be in its own body (not
    /// in a nested async block or closure), so `?` can pass an error on.
    pub in_result_fn: bool,
}

/// What awaiting a future gives, as far as the safety of adding `.await` depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Output {
    /// `()`, a number, `bool`, `char` or `String`: not `#[must_use]`, so awaiting the future
    /// as a statement cannot add a warning.
    Plain,
    /// A `Result`, which is `#[must_use]`.
    Result,
    /// Anything else, known or not: it may be `#[must_use]`.
    Other,
}

pub use crate::knowledge::Effect;

/// A constant a call passes, as far as a condition on it can be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Const {
    /// `None`.
    None,
    /// `Some(..)`.
    Some,
    Bool(bool),
    Int(u128),
}

/// What a call passes for one parameter of its callee (the receiver is the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arg {
    Const(Const),
    /// The caller's own parameter at this index, passed on as it is.
    Param(u16),
    /// Anything else.
    Other,
}

/// A condition on one of the function's own parameters, under which a branch runs:
/// `if let Some(p) = param`, `if flag`, `if !flag`, `param.is_none()`, a `Some`/`None` arm of a
/// `match` on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guard {
    /// The parameter's index (the receiver is the first).
    pub param: u16,
    pub test: Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Test {
    IsSome,
    IsNone,
    /// The `bool` parameter is this value.
    Is(bool),
}

impl Test {
    /// Whether the condition is false when the parameter is `c`: the branch cannot run.
    pub fn fails_for(self, c: Const) -> bool {
        matches!(
            (self, c),
            (Test::IsSome, Const::None) | (Test::IsNone, Const::Some)
        ) || matches!((self, c), (Test::Is(want), Const::Bool(got)) if want != got)
    }
}

/// The files of one context with their facts: (display path, facts).
pub type ContextFacts<'a> = [(&'a str, &'a [Fact])];

/// One fact about a function body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fact {
    pub span: Span,
    pub ctx: ExecContext,
    /// The indexed function whose body holds the fact (`None` for nested fns, consts, ...).
    pub owner: Option<crate::index::FnId>,
    pub kind: FactKind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FactKind {
    /// A value of `value` kind was created and lost without being polled or joined.
    Dropped {
        value: ValueKind,
        how: DropHow,
        /// Describes what produced it, e.g. "async fn `fetch`" or "async block".
        origin: String,
        /// Where `.await` would go to consume it (async context only).
        await_fix: Option<AwaitFix>,
        /// How the value is known to be a future or handle.
        provenance: Provenance,
        /// The future's work had begun before it was lost: dropping it loses the rest.
        started: Started,
    },
    /// A call with a known runtime effect.
    Call {
        effect: Effect,
        /// The called function, as written or resolved (`std::thread::sleep`).
        callee: String,
        /// Inside a `for`/`while`/`loop` body of the same function.
        in_loop: bool,
        /// The call happens where no runtime is running (a sync `fn main` without a runtime, or
        /// code only such a main reaches).
        no_runtime: bool,
        /// For indirect effects: the call chain from this call site to the effect.
        chain: Vec<Note>,
        /// The call is where a panic is expected (a `#[should_panic]` test, a closure given to
        /// `catch_unwind`): a misuse that panics is what the code checks there.
        expects_panic: bool,
        /// The call is in a `move` closure handed to another call, which may run it later or on
        /// another thread (a callback): that it runs in async code is a guess.
        in_callback: bool,
        /// The async runtime the code's crate names, for help that fits it.
        runtime: Option<crate::knowledge::runtimes::Runtime>,
        /// The condition the call runs under in its function (the outermost `if` condition or
        /// `match` arm pattern), if any; for a call through sync helpers, a condition one of
        /// them has on the way (see [`crate::callgraph`]): it may not happen.
        branch: Option<Span>,
        /// What `branch` tests, when it is a condition on a parameter of the function.
        #[serde(default)]
        guard: Option<Guard>,
    },
    /// A call of a sync function of the workspace; the call graph's edges. Rules fire on these
    /// only once the callee's summary is known (see [`crate::callgraph`]).
    CallsFn {
        callee: crate::index::FnId,
        in_loop: bool,
        no_runtime: bool,
        /// See [`FactKind::Call`].
        expects_panic: bool,
        /// See [`FactKind::Call`].
        branch: Option<Span>,
        /// See [`FactKind::Call`].
        #[serde(default)]
        guard: Option<Guard>,
        /// What the call passes for each of the callee's parameters, by position.
        #[serde(default)]
        args: Vec<Arg>,
        /// See [`FactKind::Call`].
        in_callback: bool,
    },
    /// A sync lock guard bound to `guard` is alive at an `.await`.
    GuardAcrossAwait { guard: String, await_span: Span },
    /// A branch of a `select!` in a loop runs `op`, which loses its progress when dropped
    /// half-way, and another branch can win without leaving the loop (see
    /// [`super::select`]). `chain` leads from a workspace `async fn` to the operation.
    SelectCancelUnsafe {
        op: String,
        chain: Vec<Note>,
        /// Where a branch that can win instead is.
        winner: Span,
    },
    /// Like [`FactKind::SelectCancelUnsafe`], but the branch calls a workspace `async fn`:
    /// reported once the callee is known not to be cancel-safe.
    RacesFn {
        callee: crate::index::FnId,
        winner: Span,
        /// What the finding shows before the callee's chain (a wrapper, an async block).
        notes: Vec<Note>,
    },
    /// The owner, an `async fn`, awaits `op`, which is not cancel-safe, in its own body; or its
    /// doc comment says it is not cancel safe (`op` is `None`).
    NotCancelSafe { op: Option<String> },
    /// The owner, an `async fn`, awaits a call of the workspace `async fn` `callee`.
    AwaitsFn { callee: crate::index::FnId },
    /// A loop that ends only when its channel closes (`while let Some(x) = rx.recv().await`)
    /// runs while `sender`, a sender of the same channel, is still held by its body or an
    /// enclosing one: the channel cannot close before the loop ends.
    DrainNeverEnds {
        receiver: String,
        sender: String,
        /// The binding that holds the sender.
        sender_span: Span,
        provenance: Provenance,
    },
    /// A task set (`JoinSet`, `FuturesUnordered`, `AbortOnDropHandle`) that had work added is
    /// dropped without being driven; the fact's span is where it was made.
    SetDropped {
        /// The type's name (`JoinSet`).
        set: String,
        /// The binding, if it has one.
        name: Option<String>,
        how: SetDrop,
        provenance: Provenance,
    },
}

impl FactKind {
    /// The workspace function a fact needs the summary of (its file must be walked too). The
    /// callees of [`FactKind::AwaitsFn`] are walked only on demand (see
    /// [`super::select::AwaitDemand`]).
    pub fn reached_fn(&self) -> Option<crate::index::FnId> {
        match self {
            FactKind::CallsFn { callee, .. } | FactKind::RacesFn { callee, .. } => Some(*callee),
            _ => None,
        }
    }

    /// Whether the call graph reads this fact of a file walked only for its functions.
    pub fn feeds_call_graph(&self) -> bool {
        matches!(
            self,
            FactKind::Call { .. }
                | FactKind::CallsFn { .. }
                | FactKind::NotCancelSafe { .. }
                | FactKind::AwaitsFn { .. }
        )
    }
}
