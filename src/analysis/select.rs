//! Cancel safety. In a loop around `select!`, every iteration drops the branches that lost; a
//! branch whose operation keeps progress inside its future (a half-read line, the bytes
//! `read_exact` already took) loses that progress. This module finds such branches for the walk
//! ([`on_select`]), records which `async fn`s of the workspace are not cancel-safe themselves
//! ([`on_await`], [`on_fn_docs`]), and, across files, follows the awaits to a fixed point
//! ([`CancelSummaries`]) so that a branch calling such a function is reported with the chain.
//!
//! What is an operation: the tables of [`crate::knowledge::cancel_safety`], matched on the
//! method name when the receiver's type is an external one, a workspace type that does not
//! declare the method (an extension trait's), or unknown and no workspace type declares a method
//! of that name; and workspace `async fn`s, only through resolved calls. Unknown is not guilty.

use super::facts::{ExecContext, Fact, FactKind};
use super::value::Val;
use super::walk::Walker;
use crate::callgraph::ContextFacts;
use crate::diagnostic::{Note, Span};
use crate::index::{FnId, Index, Res};
use crate::knowledge::cancel_safety::{self, CancelSafety, Entry};
use crate::lower::ir::{self, Expr, ExprKind};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many `select!`s in loops the walk has looked at in this process (for the benchmark's
/// census, `examples/select_census.rs`).
#[doc(hidden)]
pub static SELECT_LOOPS_SEEN: AtomicUsize = AtomicUsize::new(0);

/// A branch of a `select!`, as the macro module parses it.
pub(super) struct RaceBranch<'e> {
    /// The branch's future (`None` for `else`, `default`, `complete`).
    pub future: Option<&'e Expr>,
    pub handler: &'e Expr,
    /// Whether the branch can win over the others: a future, or futures' `default` (taken
    /// when no future is ready at once, dropping them all).
    pub races: bool,
    /// The handler always leaves the loop (`break`, `return`, a block ending in one, a panic):
    /// the shutdown pattern, where the loss happens only when the loop is left on purpose.
    pub leaves_loop: bool,
}

/// What a branch future or an awaited expression runs, as far as cancel safety goes.
enum Op {
    /// A table operation that loses its progress when dropped.
    Loses(String),
    /// A call of a workspace `async fn`.
    Fn(FnId),
}

/// A `select!` in the walk: reports each branch whose operation is not cancel-safe when the
/// select is in a loop of the same body and another branch can win without leaving the loop.
pub(super) fn on_select(w: &mut Walker, branches: &[RaceBranch]) {
    let Some(loop_scope) = w.innermost_loop_scope() else {
        return;
    };
    SELECT_LOOPS_SEEN.fetch_add(1, Ordering::Relaxed);
    for (i, branch) in branches.iter().enumerate() {
        let Some(fut) = branch.future else { continue };
        let winner = branches
            .iter()
            .enumerate()
            .find(|(j, b)| *j != i && b.races && !b.leaves_loop);
        let Some((_, winner)) = winner else { continue };
        let Some(op) = classify(w, fut, loop_scope) else {
            continue;
        };
        let winner = winner.future.unwrap_or(winner.handler).span.get();
        let span = fut.span.get();
        let kind = match op {
            Op::Loses(op) => FactKind::SelectCancelUnsafe {
                op,
                chain: Vec::new(),
                winner,
            },
            Op::Fn(callee) => FactKind::RacesFn { callee, winner },
        };
        w.record(span, kind);
    }
}

/// An `.await` in the own body of an `async fn`: records what the call graph needs to know
/// whether the function is cancel-safe.
pub(super) fn on_await(w: &mut Walker, base: &Expr) {
    let (ctx, own_body, owner) = w.in_fn_body();
    let Some(owner) = owner else { return };
    if ctx != ExecContext::Async || !own_body || !w.file_cx().index.fn_info(owner).sig.is_async {
        return;
    }
    // Locals of the body (scope 1 on) are made fresh on each call; parameters (scope 0) are
    // the caller's.
    let kind = match classify(w, base, 1) {
        Some(Op::Loses(op)) => FactKind::NotCancelSafe { op: Some(op) },
        Some(Op::Fn(callee)) if callee != owner => FactKind::AwaitsFn { callee },
        _ => return,
    };
    w.record(base.span.get(), kind);
}

/// An `async fn` whose doc comment has a `# Cancel safety` section saying it is not cancel safe.
pub(super) fn on_fn_docs(w: &mut Walker, f: &ir::Fn) {
    if !f.is_async || w.in_fn_body().2.is_none() {
        return;
    }
    if f.docs_not_cancel_safe {
        w.record(f.name_span.get(), FactKind::NotCancelSafe { op: None });
    }
}

/// What a future expression runs. `fresh_from`: the scope depth from which bindings are made
/// anew for each run (the loop's body, or an `async fn`'s body).
fn classify(w: &mut Walker, e: &Expr, fresh_from: usize) -> Option<Op> {
    match &strip(e).kind {
        ExprKind::MethodCall(mc) => method_op(w, mc, fresh_from),
        ExprKind::Call(c) => call_op(w, c),
        _ => None,
    }
}

/// Wrappers that keep the future what it was: parentheses, `.fuse()`, `.boxed()`,
/// `Box::pin(..)`.
fn strip(mut e: &Expr) -> &Expr {
    for _ in 0..8 {
        e = match &e.kind {
            ExprKind::Paren(inner) | ExprKind::Group(inner) => inner,
            ExprKind::MethodCall(mc)
                if mc.args.is_empty()
                    && matches!(mc.method.as_str(), "fuse" | "boxed" | "boxed_local") =>
            {
                &mc.receiver
            }
            ExprKind::Call(c) if c.args.len() == 1 && is_box_pin(&c.func) => &c.args[0],
            _ => return e,
        };
    }
    e
}

fn is_box_pin(func: &Expr) -> bool {
    let ExprKind::Path(p) = &func.kind else {
        return false;
    };
    let segs = &p.segs;
    segs.len() >= 2 && segs[segs.len() - 2] == "Box" && segs[segs.len() - 1] == "pin"
}

fn method_op(w: &mut Walker, mc: &ir::MethodCall, fresh_from: usize) -> Option<Op> {
    let name = mc.method.clone();
    let index = w.file_cx().index;
    // Cancel-safe entries give nothing: skip the receiver's evaluation for them.
    let entry = cancel_safety::method(&name).filter(|e| e.safety != CancelSafety::Safe);
    let workspace = index.methods_named(&name);
    if entry.is_none() && !workspace.iter().any(|&id| is_async_fn(index, id)) {
        return None;
    }
    let recv = w.with_quiet(|w| w.eval_expr(&mc.receiver));
    match &recv {
        Val::Typed { path, .. } if index.type_info(path).is_some() => {
            let ids = index.methods_of(path, &name);
            match ids.as_slice() {
                [id] if is_async_fn(index, *id) => Some(Op::Fn(*id)),
                [] => table_op(w, entry?, &name, &mc.args, fresh_from),
                _ => None,
            }
        }
        Val::Typed { .. } => table_op(w, entry?, &name, &mc.args, fresh_from),
        Val::Unknown if workspace.is_empty() => table_op(w, entry?, &name, &mc.args, fresh_from),
        _ => None,
    }
}

fn call_op(w: &mut Walker, c: &ir::Call) -> Option<Op> {
    let ExprKind::Path(p) = &c.func.kind else {
        return None;
    };
    if p.qself != ir::QSelf::None {
        return None;
    }
    let index = w.file_cx().index;
    match w.resolve_value(&p.segs) {
        Res::Fn(id) if is_async_fn(index, id) => Some(Op::Fn(id)),
        Res::Assoc(ty, name) => match index.methods_of(&ty, &name).as_slice() {
            [id] if is_async_fn(index, *id) => Some(Op::Fn(*id)),
            _ => None,
        },
        Res::External(path) => {
            let entry = cancel_safety::function(&path)?;
            table_op(w, entry, &path, &c.args, usize::MAX)
        }
        _ => None,
    }
}

fn is_async_fn(index: &Index, id: FnId) -> bool {
    let sig = &index.fn_info(id).sig;
    sig.is_async && !sig.runtime_attr
}

fn table_op(w: &Walker, entry: &Entry, name: &str, args: &[Expr], fresh_from: usize) -> Option<Op> {
    let loses = match entry.safety {
        CancelSafety::Safe => false,
        CancelSafety::Loses => true,
        CancelSafety::KeptInBuffer(i) => {
            args.get(i).is_some_and(|a| fresh_buffer(w, a, fresh_from))
        }
    };
    loses.then(|| Op::Loses(name.to_string()))
}

/// Whether a buffer argument is made anew for each run: a temporary (`&mut Vec::new()`) or a
/// local declared at `fresh_from` or deeper. A field, a parameter, a binding from outside the
/// loop keep what a cancelled call left there; anything else is not known to be fresh.
fn fresh_buffer(w: &Walker, arg: &Expr, fresh_from: usize) -> bool {
    let mut e = arg;
    loop {
        e = match &e.kind {
            ExprKind::Ref(inner) | ExprKind::Paren(inner) | ExprKind::Group(inner) => inner,
            _ => break,
        };
    }
    if let Some(name) = e.bare_ident() {
        return w.binding_scope(name).is_some_and(|s| s >= fresh_from);
    }
    matches!(
        e.kind,
        ExprKind::Call(_) | ExprKind::Macro(_) | ExprKind::Array(_)
    )
}

// ----- across files: which async fns are not cancel-safe ------------------------------------

/// Which `async fn`s' awaits matter: those a `select!` branch in a loop calls, and what they
/// await, transitively. Only their files need walking for the summaries: following every await
/// of every walked file would walk most of a workspace for a run naming one file.
#[derive(Debug, Default)]
pub struct AwaitDemand {
    demanded: HashSet<FnId>,
    /// What each walked `async fn` awaits.
    awaits: HashMap<FnId, Vec<FnId>>,
}

impl AwaitDemand {
    /// Takes in a fact of a walked file; gives the functions newly in demand, whose files must
    /// be walked too.
    pub fn observe(&mut self, fact: &Fact) -> Vec<FnId> {
        let mut out = Vec::new();
        match (&fact.kind, fact.owner) {
            (FactKind::RacesFn { callee, .. }, _) => self.demand(*callee, &mut out),
            (FactKind::AwaitsFn { callee }, Some(owner)) => {
                self.awaits.entry(owner).or_default().push(*callee);
                if self.demanded.contains(&owner) {
                    self.demand(*callee, &mut out);
                }
            }
            _ => {}
        }
        out
    }

    fn demand(&mut self, f: FnId, out: &mut Vec<FnId>) {
        let mut stack = vec![f];
        while let Some(f) = stack.pop() {
            if self.demanded.insert(f) {
                out.push(f);
                stack.extend(self.awaits.get(&f).into_iter().flatten().copied());
            }
        }
    }
}

/// Chains longer than this are cut (the finding stands; the notes stop).
const MAX_CHAIN: usize = 12;

#[derive(Debug, Clone)]
enum Step {
    /// The function's own body awaits this operation (`None`: its docs say it is not cancel
    /// safe).
    Own(Option<String>),
    /// The function awaits this workspace `async fn`, which is not cancel-safe.
    Awaits(FnId),
}

#[derive(Debug, Clone)]
struct Witness {
    step: Step,
    path: String,
    span: Span,
}

/// Which `async fn`s of a context are not cancel-safe, and why.
#[derive(Debug, Default)]
pub struct CancelSummaries {
    witness: HashMap<FnId, Witness>,
}

impl CancelSummaries {
    pub fn compute(files: &ContextFacts) -> CancelSummaries {
        let mut s = CancelSummaries::default();
        let mut edges: Vec<(FnId, FnId, &str, Span)> = Vec::new();
        for (path, facts) in files {
            for fact in facts.iter() {
                let Some(owner) = fact.owner else { continue };
                match &fact.kind {
                    FactKind::NotCancelSafe { op } => {
                        s.witness.entry(owner).or_insert_with(|| Witness {
                            step: Step::Own(op.clone()),
                            path: path.to_string(),
                            span: fact.span,
                        });
                    }
                    FactKind::AwaitsFn { callee } => edges.push((owner, *callee, path, fact.span)),
                    _ => {}
                }
            }
        }
        edges.sort_by_key(|(caller, callee, _, span)| (*caller, *callee, span.start.line));
        // Each round only adds witnesses, so it ends after at most (functions) rounds.
        loop {
            let mut changed = false;
            for (caller, callee, path, span) in &edges {
                if s.witness.contains_key(caller) || !s.witness.contains_key(callee) {
                    continue;
                }
                s.witness.insert(
                    *caller,
                    Witness {
                        step: Step::Awaits(*callee),
                        path: path.to_string(),
                        span: *span,
                    },
                );
                changed = true;
            }
            if !changed {
                break;
            }
        }
        s
    }

    /// The findings that `select!` branches calling workspace `async fn`s add once those are
    /// known not to be cancel-safe.
    pub fn indirect_facts(&self, index: &Index, facts: &[Fact]) -> Vec<Fact> {
        let mut out = Vec::new();
        for fact in facts {
            let FactKind::RacesFn { callee, winner } = fact.kind else {
                continue;
            };
            if !self.witness.contains_key(&callee) {
                continue;
            }
            out.push(Fact {
                span: fact.span,
                ctx: fact.ctx,
                owner: fact.owner,
                kind: FactKind::SelectCancelUnsafe {
                    op: index.fn_info(callee).sig.name.clone(),
                    chain: self.chain(index, callee),
                    winner,
                },
            });
        }
        out
    }

    /// The path from `start` to the operation that is not cancel-safe, as notes.
    fn chain(&self, index: &Index, start: FnId) -> Vec<Note> {
        let mut notes = Vec::new();
        let mut current = start;
        let mut seen = vec![start];
        while let Some(w) = self.witness.get(&current) {
            let name = &index.fn_info(current).sig.name;
            let message = match &w.step {
                Step::Own(Some(op)) => {
                    format!("`{name}` awaits `{op}` here, which is not cancel-safe")
                }
                Step::Own(None) => format!("the docs of `{name}` say it is not cancel safe"),
                Step::Awaits(callee) => {
                    format!("`{name}` awaits `{}` here", index.fn_info(*callee).sig.name)
                }
            };
            notes.push(Note {
                path: Some(w.path.clone()),
                span: w.span,
                message,
            });
            match w.step {
                Step::Awaits(callee) if !seen.contains(&callee) && notes.len() < MAX_CHAIN => {
                    seen.push(callee);
                    current = callee;
                }
                _ => break,
            }
        }
        notes
    }
}
