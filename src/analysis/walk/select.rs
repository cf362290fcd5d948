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

use super::Walker;
use crate::analysis::facts::ContextFacts;
use crate::analysis::facts::{ExecContext, Fact, FactKind};
use crate::analysis::value::Val;
use crate::diagnostic::{Note, Span};
use crate::index::facts::DocCancel;
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
#[derive(Debug, Clone)]
enum Op {
    /// A table operation that loses its progress when dropped.
    Loses(String),
    /// A call of an indexed fn: an `async fn` of the workspace (its summary decides), or any fn
    /// whose docs say it is not cancel safe (a dependency's too).
    Fn(FnId),
}

/// What the walk keeps for these checks while it goes through one body.
#[derive(Debug, Default)]
pub(crate) struct CancelState {
    /// Futures bound by a `let` inside a loop to an operation that is not cancel-safe: made anew
    /// in each iteration, and dropped at its end whatever polls them.
    loop_lets: Vec<LoopLet>,
    /// The async block raced as a branch whose body is being walked, if any.
    raced: Option<RacedBlock>,
    /// Where each local's value comes from: (name, the scope of its binding, the outermost
    /// scope of a binding it was taken from, `usize::MAX` when it was made fresh: connected,
    /// opened, built).
    sources: Vec<(String, usize, usize)>,
}

impl CancelState {
    /// The scope at index `index` ended: its bindings are gone.
    pub(super) fn scope_ended(&mut self, index: usize) {
        if !self.loop_lets.is_empty() {
            self.loop_lets.retain(|l| l.scope < index);
        }
        if !self.sources.is_empty() {
            self.sources.retain(|(_, scope, _)| *scope < index);
        }
    }
}

#[derive(Debug)]
struct LoopLet {
    name: String,
    /// The index of the scope the binding is in.
    scope: usize,
    op: Op,
    /// The initialiser.
    span: Span,
}

/// An async block that is a branch's future (possibly wrapped): the operations it awaits are
/// dropped with it when another branch wins.
#[derive(Debug, Clone)]
pub(super) struct RacedBlock {
    block: *const ir::AsyncBlock,
    /// The walk's id of the block's body, and the index of its outermost scope, once the walk
    /// has entered it.
    body: Option<(usize, usize)>,
    span: Span,
    /// The branch that can win instead; `None` for a block bound by a `let` in a loop, whose
    /// operation is only noted (in `found`) until `&mut NAME` is raced.
    winner: Option<Span>,
    fresh_from: usize,
    /// An operation inside was reported: one finding per block.
    reported: bool,
    /// The first operation found inside a block bound by a `let`.
    found: Option<Op>,
}

/// A `select!` in the walk: reports each branch whose operation is not cancel-safe when the
/// select is in a loop of the same body and another branch can win without leaving the loop.
pub(super) fn on_select(w: &mut Walker, branches: &[RaceBranch]) -> Vec<Option<RacedBlock>> {
    let mut raced = vec![None; branches.len()];
    let Some(loop_scope) = w.innermost_loop_scope() else {
        return raced;
    };
    SELECT_LOOPS_SEEN.fetch_add(1, Ordering::Relaxed);
    for (i, branch) in branches.iter().enumerate() {
        let Some(fut) = branch.future else { continue };
        let winner = branches
            .iter()
            .enumerate()
            .find(|(j, b)| *j != i && b.races && !b.leaves_loop);
        let Some((_, winner)) = winner else { continue };
        let winner = winner.future.unwrap_or(winner.handler).span.get();
        let (inner, mut notes) = unwrap(w, fut);
        if let ExprKind::Async(block) = &inner.kind {
            raced[i] = Some(RacedBlock {
                block: &**block,
                body: None,
                span: inner.span.get(),
                winner: Some(winner),
                fresh_from: loop_scope,
                reported: false,
                found: None,
            });
            continue;
        }
        let op = match remade_each_turn(w, inner, loop_scope) {
            Some((op, note)) => {
                notes.push(note);
                op
            }
            None => match classify_unwrapped(w, inner, loop_scope) {
                Some(op) => op,
                None => continue,
            },
        };
        let span = fut.span.get();
        let kind = match op {
            Op::Loses(op) => FactKind::SelectCancelUnsafe {
                op,
                chain: notes,
                winner,
            },
            Op::Fn(callee) => FactKind::RacesFn {
                callee,
                winner,
                notes,
            },
        };
        w.record(span, kind);
    }
    raced
}

/// Before a branch's future is walked: the async block it races, if any, is watched.
pub(super) fn enter_branch(w: &mut Walker, raced: Option<RacedBlock>) -> Option<RacedBlock> {
    std::mem::replace(&mut w.cancel.raced, raced)
}

/// After a branch's future is walked.
pub(super) fn leave_branch(w: &mut Walker, saved: Option<RacedBlock>) {
    w.cancel.raced = saved;
}

/// An async block the walk is about to enter: its body gets the next body id.
pub(super) fn on_async_block(w: &mut Walker, block: &ir::AsyncBlock) {
    let next = w.body_ids().1;
    let scope = w.current_scope() + 1;
    if let Some(r) = &mut w.cancel.raced {
        if std::ptr::eq(r.block, block) && r.body.is_none() {
            r.body = Some((next, scope));
        }
    }
}

/// The name a `let` binds, when it is a plain name (`read`, `mut read`, `read: T`).
fn let_name(pat: &ir::Pat) -> Option<&str> {
    let mut pat = pat;
    while let ir::Pat::Type(t) = pat {
        pat = &t.0;
    }
    match pat {
        ir::Pat::Ident { name, sub: None } => Some(name),
        _ => None,
    }
}

/// Before a `let NAME = async { .. }` inside a loop is walked: the block is watched, so that what
/// it awaits is known when `&mut NAME` is raced (see [`on_let`]). Gives back what was watched
/// before, `None` when nothing changed.
pub(super) fn before_let(w: &mut Walker, pat: &ir::Pat, init: &Expr) -> Option<Option<RacedBlock>> {
    let loop_scope = w.innermost_loop_scope()?;
    let_name(pat)?;
    let ExprKind::Async(block) = &unwrap(w, init).0.kind else {
        return None;
    };
    let watched = RacedBlock {
        block: &**block,
        body: None,
        span: init.span.get(),
        winner: None,
        fresh_from: loop_scope,
        reported: false,
        found: None,
    };
    Some(w.cancel.raced.replace(watched))
}

/// A `let NAME = op` inside a loop, once walked: remembered when `op` is not cancel-safe (or is
/// an async block that awaits such an operation), for a branch that polls `&mut NAME` later in
/// the same iteration.
pub(super) fn on_let(
    w: &mut Walker,
    pat: &ir::Pat,
    init: &Expr,
    saved: Option<Option<RacedBlock>>,
) {
    let watched = match saved {
        Some(previous) => std::mem::replace(&mut w.cancel.raced, previous),
        None => None,
    };
    let source = source_scope(w, init);
    let scope = w.current_scope();
    for name in pat.idents() {
        w.cancel.sources.push((name.to_string(), scope, source));
    }
    let Some(loop_scope) = w.innermost_loop_scope() else {
        return;
    };
    let Some(name) = let_name(pat) else { return };
    let scope = w.current_scope();
    w.cancel
        .loop_lets
        .retain(|l| l.scope < scope || (l.scope == scope && l.name != name));
    let op = match watched {
        Some(block) => block.found,
        None => {
            let (inner, _) = unwrap(w, init);
            if !matches!(inner.kind, ExprKind::MethodCall(_) | ExprKind::Call(_)) {
                return;
            }
            classify_unwrapped(w, inner, loop_scope)
        }
    };
    if let Some(op) = op {
        w.cancel.loop_lets.push(LoopLet {
            name: name.to_string(),
            scope,
            op,
            span: init.span.get(),
        });
    }
}

/// The local a place expression starts from: `conn` in `conn`, `&mut conn`, `conn.inner`.
fn root_binding(e: &Expr) -> Option<&str> {
    let mut e = e;
    for _ in 0..8 {
        e = match &e.kind {
            ExprKind::Ref(inner) | ExprKind::Paren(inner) | ExprKind::Group(inner) => inner,
            ExprKind::Field(f) => &f.base,
            _ => break,
        };
    }
    e.bare_ident()
}

/// The outermost scope of a binding a value is taken from (`self.reader.lock().await` takes
/// from `self`, `BufReader::new(stream)` from `stream`, `conn.split()` from `conn`), through the
/// locals it was taken from in turn; `usize::MAX` for a value made fresh: a call that connects
/// or opens (`TcpStream::connect(addr)`), a call of only fresh values, a literal.
fn source_scope(w: &Walker, e: &Expr) -> usize {
    fn go(w: &Walker, e: &Expr, depth: usize) -> usize {
        if depth > 16 {
            return 0;
        }
        match &e.kind {
            ExprKind::Await(a) => go(w, &a.base, depth + 1),
            ExprKind::Try(inner)
            | ExprKind::Paren(inner)
            | ExprKind::Group(inner)
            | ExprKind::Ref(inner)
            | ExprKind::Unary { expr: inner, .. } => go(w, inner, depth + 1),
            ExprKind::Field(f) => go(w, &f.base, depth + 1),
            ExprKind::Cast(c) => go(w, &c.expr, depth + 1),
            // `listener.accept()`, `pool.connect()`: a new connection; `self.reader.lock()`,
            // `stream.split()`: a view of the receiver.
            ExprKind::MethodCall(mc) if opens(&mc.method) => usize::MAX,
            ExprKind::MethodCall(mc) => go(w, &mc.receiver, depth + 1),
            // `TcpStream::connect(addr)`, `File::open(path)`: a new reader, whatever the
            // arguments; any other call may wrap or split what it is given
            // (`BufReader::new(stream)`, `split(stream)`).
            ExprKind::Call(c) => match &c.func.kind {
                ExprKind::Path(p) if p.segs.last().is_some_and(|s| opens(s)) => usize::MAX,
                _ => c
                    .args
                    .iter()
                    .map(|a| go(w, a, depth + 1))
                    .min()
                    .unwrap_or(usize::MAX),
            },
            ExprKind::Path(_) => match e.bare_ident() {
                Some(name) => local_source(w, name),
                None => usize::MAX,
            },
            _ => usize::MAX,
        }
    }
    go(w, e, 0)
}

/// A call whose name says it makes a new connection or file.
fn opens(name: &str) -> bool {
    ["connect", "open", "accept", "bind", "create", "dial"]
        .iter()
        .any(|verb| name.starts_with(verb))
}

/// The scope a local's value was taken from: its own, unless its `let` took it from another.
fn local_source(w: &Walker, name: &str) -> usize {
    let Some(scope) = w.binding_scope(name) else {
        return 0;
    };
    let recorded = w
        .cancel
        .sources
        .iter()
        .rev()
        .find(|(n, s, _)| n == name && *s == scope)
        .map(|(_, _, src)| *src);
    match recorded {
        Some(src) => src.min(scope),
        None => scope,
    }
}

/// Whether an awaited operation works on a reader made at `fresh_from` or deeper from nothing
/// outside it: a method whose receiver is such a local, or a workspace fn whose receiver and
/// arguments are all such locals or values made on the spot.
fn on_own_reader(w: &Walker, base: &Expr, fresh_from: usize) -> bool {
    let owned = |e: &Expr| match root_binding(e) {
        Some(_) => source_scope(w, e) >= fresh_from,
        None => false,
    };
    let made_here = |e: &Expr| match root_binding(e) {
        Some(_) => source_scope(w, e) >= fresh_from,
        None => matches!(
            e.kind,
            ExprKind::Lit(_) | ExprKind::Opaque | ExprKind::Array(_) | ExprKind::Macro(_)
        ),
    };
    match &unwrap(w, base).0.kind {
        ExprKind::MethodCall(mc) => {
            owned(&mc.receiver) && {
                let index = w.file_cx().index;
                // A workspace method gets the arguments too: one may be the reader.
                index.methods_named(&mc.method).is_empty() || mc.args.iter().all(made_here)
            }
        }
        ExprKind::Call(c) => !c.args.is_empty() && c.args.iter().all(made_here),
        _ => false,
    }
}

/// `&mut read`, `read.as_mut()`, `read` where `read` was bound in this iteration of the loop to
/// an operation that is not cancel-safe: pinning it and polling it by reference does not keep
/// it, since the binding ends with the iteration.
fn remade_each_turn(w: &mut Walker, e: &Expr, loop_scope: usize) -> Option<(Op, Note)> {
    let mut e = e;
    for _ in 0..4 {
        e = match &e.kind {
            ExprKind::Ref(inner) | ExprKind::Paren(inner) | ExprKind::Group(inner) => inner,
            ExprKind::MethodCall(mc) if mc.args.is_empty() && mc.method == "as_mut" => &mc.receiver,
            _ => break,
        };
    }
    let name = e.bare_ident()?;
    let scope = w.binding_scope(name)?;
    if scope < loop_scope {
        return None;
    }
    let l = w
        .cancel
        .loop_lets
        .iter()
        .rev()
        .find(|l| l.name == name && l.scope == scope)?;
    Some((
        l.op.clone(),
        Note {
            path: None,
            span: l.span,
            message: format!("`{name}` is made anew in each iteration here: polled by reference or not, it is dropped when the iteration ends"),
        },
    ))
}

/// An `.await` in the own body of an `async fn`: records what the call graph needs to know
/// whether the function is cancel-safe.
pub(super) fn on_await(w: &mut Walker, base: &Expr) {
    on_await_in_raced_block(w, base);
    let (ctx, own_body, owner) = w.in_fn_body();
    let Some(owner) = owner else { return };
    if ctx != ExecContext::Async || !own_body || !w.file_cx().index.fn_info(owner).sig.is_async {
        return;
    }
    // A reader the function opened itself (connected, opened, built in its body) is dropped
    // with its future: what a cancelled read took from it is lost with it, and nothing is
    // left out of step for the caller.
    if let Some(params) = w.params_scope() {
        if on_own_reader(w, base, params + 1) {
            return;
        }
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

/// An `.await` in the body of an async block raced as a branch: an operation that is not
/// cancel-safe there loses what it did when another branch wins.
fn on_await_in_raced_block(w: &mut Walker, base: &Expr) {
    let current = w.body_ids().0;
    let Some(r) = &w.cancel.raced else { return };
    let Some((body, block_scope)) = r.body else {
        return;
    };
    if body != current || r.reported {
        return;
    }
    let (block_span, winner, fresh_from) = (r.span, r.winner, r.fresh_from);
    // A reader opened inside the block goes with it: nothing outlives the block out of step.
    if on_own_reader(w, base, block_scope) {
        return;
    }
    let Some(winner) = winner else {
        // Bound by a `let`: only noted, for the branch that races it.
        if r.found.is_none() {
            let op = classify(w, base, fresh_from);
            if let Some(r) = &mut w.cancel.raced {
                r.found = op;
            }
        }
        return;
    };
    let note = Note {
        path: None,
        span: block_span,
        message:
            "this async block is the branch's future: what it has done so far is dropped with it"
                .into(),
    };
    let kind = match classify(w, base, fresh_from) {
        Some(Op::Loses(op)) => {
            if let Some(r) = &mut w.cancel.raced {
                r.reported = true;
            }
            FactKind::SelectCancelUnsafe {
                op,
                chain: vec![note],
                winner,
            }
        }
        Some(Op::Fn(callee)) => FactKind::RacesFn {
            callee,
            winner,
            notes: vec![note],
        },
        None => return,
    };
    w.record(base.span.get(), kind);
}

/// A fn whose doc comment has a `# Cancel safety` section saying it is not cancel safe: the
/// witness points at its name.
pub(super) fn on_fn_docs(w: &mut Walker, f: &ir::Fn) {
    let (_, _, owner) = w.in_fn_body();
    let Some(owner) = owner else { return };
    if w.file_cx().index.fn_info(owner).sig.cancel_doc == DocCancel::NotSafe {
        w.record(f.name_span.get(), FactKind::NotCancelSafe { op: None });
    }
}

/// What a future expression runs. `fresh_from`: the scope depth from which bindings are made
/// anew for each run (the loop's body, or an `async fn`'s body).
fn classify(w: &mut Walker, e: &Expr, fresh_from: usize) -> Option<Op> {
    let (inner, _) = unwrap(w, e);
    classify_unwrapped(w, inner, fresh_from)
}

fn classify_unwrapped(w: &mut Walker, e: &Expr, fresh_from: usize) -> Option<Op> {
    match &e.kind {
        ExprKind::MethodCall(mc) => method_op(w, mc, fresh_from),
        ExprKind::Call(c) => call_op(w, c),
        _ => None,
    }
}

/// The future a wrapper owns, through parentheses, `Box::pin(..)`, `pin!(..)`, `.fuse()`,
/// `.boxed()` and the other combinators of [`cancel_safety::WRAPPER_METHODS`], and timeouts
/// ([`cancel_safety::WRAPPER_FNS`]): dropping the wrapper drops it. Each named wrapper gives a
/// note.
fn unwrap<'e>(w: &Walker, e: &'e Expr) -> (&'e Expr, Vec<Note>) {
    let mut e = e;
    let mut wrappers: Vec<String> = Vec::new();
    for _ in 0..8 {
        let next = match &e.kind {
            ExprKind::Paren(inner) | ExprKind::Group(inner) => Some(&**inner),
            ExprKind::MethodCall(mc) if cancel_safety::is_wrapper_method(&mc.method) => {
                if mc.method != "fuse" {
                    let args = if mc.args.is_empty() { "()" } else { "(..)" };
                    wrappers.push(format!("`.{}{args}`", mc.method));
                }
                Some(&mc.receiver)
            }
            ExprKind::Call(c) => wrapper_fn(w, c).and_then(|(name, i)| {
                wrappers.push(format!("`{name}(..)`"));
                c.args.get(i)
            }),
            ExprKind::Macro(m) => match &m.form {
                ir::MacroForm::Pin(inner) => Some(&**inner),
                _ => None,
            },
            _ => None,
        };
        match next {
            Some(inner) => e = inner,
            None => break,
        }
    }
    let notes = if wrappers.is_empty() {
        Vec::new()
    } else {
        vec![Note {
            path: None,
            span: e.span.get(),
            message: format!(
                "{} owns this operation's future, and drops it when dropped",
                wrappers.join(" in ")
            ),
        }]
    };
    (e, notes)
}

/// A call of a function that owns its future argument: its name and the argument's index.
fn wrapper_fn(w: &Walker, c: &ir::Call) -> Option<(String, usize)> {
    let ExprKind::Path(p) = &c.func.kind else {
        return None;
    };
    if is_box_pin(&c.func) && c.args.len() == 1 {
        return Some(("Box::pin".into(), 0));
    }
    if p.qself != ir::QSelf::None {
        return None;
    }
    let path = match w.resolve_value(&p.segs) {
        Res::External(path) => path,
        // A dependency's fn read from its sources (`tokio::time::timeout::timeout`): the public
        // path the tables know it by.
        Res::Fn(id) => {
            let index = w.file_cx().index;
            if !index.is_dep_file(index.fn_info(id).file()) {
                return None;
            }
            let (public, _) = w.cx.knowledge.function_in_crate(&index.fn_path(id))?;
            public.to_string()
        }
        _ => return None,
    };
    let i = cancel_safety::wrapper_fn(&path)?;
    Some((p.segs.join("::"), i))
}

fn is_box_pin(func: &Expr) -> bool {
    let ExprKind::Path(p) = &func.kind else {
        return false;
    };
    let segs = &p.segs;
    segs.len() >= 2 && segs[segs.len() - 2] == "Box" && segs[segs.len() - 1] == "pin"
}

fn method_op(w: &mut Walker, mc: &ir::MethodCall, fresh_from: usize) -> Option<Op> {
    let name = mc.method;
    let index = w.file_cx().index;
    // Cancel-safe entries give nothing: skip the receiver's evaluation for them.
    let entry = cancel_safety::method(&name).filter(|e| e.safety != CancelSafety::Safe);
    let workspace = index.methods_named(&name);
    if entry.is_none()
        && !index.has_not_cancel_safe_method(&name)
        && !workspace.iter().any(|&id| raceable_fn(index, id))
    {
        return None;
    }
    let recv = w.with_quiet(|w| w.eval_expr(&mc.receiver));
    match &recv {
        Val::Typed { path, .. } if index.type_info(path).is_some() => {
            let ids = index.methods_of(path, &name);
            match ids.as_slice() {
                [id] => fn_op(index, *id),
                [] => table_op(w, entry?, &name, &mc.args, fresh_from),
                _ => None,
            }
        }
        Val::Typed { .. } | Val::Stream { .. } => table_op(w, entry?, &name, &mc.args, fresh_from),
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
        Res::Fn(id) => fn_op(index, id),
        Res::Assoc(ty, name) => match index.assoc_fns(&ty, &name).as_slice() {
            [id] => fn_op(index, *id),
            _ => None,
        },
        Res::External(path) => {
            let entry = cancel_safety::function(&path)?;
            table_op(w, entry, &path, &c.args, usize::MAX)
        }
        _ => None,
    }
}

/// A call of an indexed fn (the workspace's or a dependency's): an `async fn`, whose summary
/// says whether it is cancel-safe, or any fn whose docs say it is not cancel safe. One
/// documented cancel safe is not suspect, whatever it awaits.
fn fn_op(index: &Index, id: FnId) -> Option<Op> {
    match index.fn_info(id).sig.cancel_doc {
        DocCancel::Safe => None,
        DocCancel::NotSafe => Some(Op::Fn(id)),
        DocCancel::Silent => is_async_fn(index, id).then_some(Op::Fn(id)),
    }
}

/// Whether a call of this fn can be a finding: an `async fn`, or documented not cancel safe.
fn raceable_fn(index: &Index, id: FnId) -> bool {
    let sig = &index.fn_info(id).sig;
    sig.cancel_doc == DocCancel::NotSafe
        || (sig.cancel_doc == DocCancel::Silent && is_async_fn(index, id))
}

fn is_async_fn(index: &Index, id: FnId) -> bool {
    let sig = &index.fn_info(id).sig;
    sig.is_async && !sig.runtime_attr()
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
    pub fn compute(index: &Index, files: &ContextFacts) -> CancelSummaries {
        let mut s = CancelSummaries::default();
        let mut edges: Vec<(FnId, FnId, &str, Span)> = Vec::new();
        for (path, facts) in files {
            for fact in facts.iter() {
                let Some(owner) = fact.owner else { continue };
                // Its docs say it is cancel safe: what it awaits is its author's business.
                if index.fn_info(owner).sig.cancel_doc == DocCancel::Safe {
                    continue;
                }
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
                if s.witness.contains_key(caller) || !s.not_cancel_safe(index, *callee) {
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
            let FactKind::RacesFn {
                callee,
                winner,
                ref notes,
            } = fact.kind
            else {
                continue;
            };
            if !self.not_cancel_safe(index, callee) {
                continue;
            }
            let mut chain = notes.clone();
            chain.extend(self.chain(index, callee));
            out.push(Fact {
                span: fact.span,
                ctx: fact.ctx,
                owner: fact.owner,
                kind: FactKind::SelectCancelUnsafe {
                    op: index.fn_info(callee).sig.name.to_string(),
                    chain,
                    winner,
                },
            });
        }
        out
    }

    /// Whether calling `f` races something that is not cancel-safe: its body shows it, or its
    /// docs say so (a dependency's, whose body is never walked).
    fn not_cancel_safe(&self, index: &Index, f: FnId) -> bool {
        self.witness.contains_key(&f) || index.fn_info(f).sig.cancel_doc == DocCancel::NotSafe
    }

    /// The path from `start` to the operation that is not cancel-safe, as notes.
    fn chain(&self, index: &Index, start: FnId) -> Vec<Note> {
        let mut notes = Vec::new();
        let mut current = start;
        let mut seen = vec![start];
        loop {
            let Some(w) = self.witness.get(&current) else {
                // Documented not cancel safe, in a file that was not walked.
                let info = index.fn_info(current);
                let path = index.file_path(info.file());
                if info.sig.cancel_doc == DocCancel::NotSafe {
                    if let Some(span) = name_span(path, info.sig.line as usize, &info.sig.name) {
                        notes.push(Note {
                            path: Some(path.display().to_string()),
                            span,
                            message: format!(
                                "the docs of `{}` say it is not cancel safe",
                                without_version(&index.fn_path(current))
                            ),
                        });
                    }
                }
                break;
            };
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

/// Where the name of the fn `name` declared on `line` (1-based) of the file at `path` is: read
/// from the file, for a note into a dependency's sources (only when a finding shows one).
fn name_span(path: &std::path::Path, line: usize, name: &str) -> Option<Span> {
    use crate::diagnostic::Position;
    let text = std::fs::read_to_string(path).ok()?;
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let line_text = text[start..].lines().next()?;
    let at = line_text.find(&format!("fn {name}")).map(|i| i + 3)?;
    let column = line_text[..at].chars().count() + 1;
    let pos = |byte: usize, column: usize| Position { line, column, byte };
    Some(Span {
        start: pos(start + at, column),
        end: pos(start + at + name.len(), column + name.chars().count()),
    })
}

/// `tokio@1.40.0::io::X` (a dependency's path in the index) as its users write it.
fn without_version(path: &str) -> String {
    match path.split_once("::") {
        Some((krate, rest)) => format!("{}::{rest}", krate.split('@').next().unwrap_or(krate)),
        None => path.to_string(),
    }
}
