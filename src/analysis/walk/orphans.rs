//! Work that outlives one future: the ends of channels a loop drains until they close, and task
//! sets (`JoinSet`, `FuturesUnordered`, `AbortOnDropHandle`) that abort or drop their work when
//! they are dropped. The walk calls the hooks here as it goes (bindings, uses of a name, loops,
//! `return`s, scope ends); what a use of a name does to such a value (borrows it, moves it,
//! adds work, drives it) is decided here, from the IR around the use.
//!
//! Unknown is not guilty: a channel end or set used in any way this module cannot read (a name
//! handed to a macro, a `move` body, a call) counts as moved away or driven.

use super::Walker;
use crate::analysis::facts::{FactKind, Provenance, SetDrop};
use crate::analysis::scope::Binding;
use crate::analysis::value::Val;
use crate::diagnostic::Span;
use crate::knowledge::orphans as table;
use crate::lower::ir::{self, ExprKind};

/// What the walk keeps for this module.
#[derive(Debug, Default)]
pub(crate) struct OrphanState {
    /// How the bare name about to be evaluated is used, when not by value.
    use_ctx: Option<UseCtx>,
    /// Closures and async blocks being walked: their body id and whether they are `move`.
    bodies: Vec<(usize, bool)>,
    ends: Vec<End>,
    next_channel: u32,
    /// Drain loops in a body nested in the one holding the sender: judged when the sender's
    /// scope ends (the nested body may run after anything the holder does later).
    pending: Vec<Pending>,
    sets: Vec<Set>,
}

#[derive(Debug, Clone)]
enum UseCtx {
    /// `&x`.
    Borrow,
    /// `x.method(..)`.
    Method(String),
}

#[derive(Debug)]
struct End {
    name: String,
    scope: usize,
    body: usize,
    channel: u32,
    sender: bool,
    /// A std channel (`recv()` blocks, not awaited).
    std: bool,
    span: Span,
    alive: bool,
    moved: bool,
}

#[derive(Debug)]
struct Pending {
    span: Span,
    receiver: String,
    senders: Vec<usize>,
}

#[derive(Debug)]
struct Set {
    name: String,
    ty: &'static str,
    scope: usize,
    body: usize,
    span: Span,
    alive: bool,
    work: bool,
    driven: bool,
    early_return: Option<Span>,
    /// Its scope's end is reached only by `?` or `return` (an endless `loop` stands before it).
    end_unreachable: bool,
}

/// A loop that drains a channel until it closes, found at its head.
pub(super) struct Drain {
    span: Span,
    receiver: String,
    senders: Vec<usize>,
}

fn short(path: &str) -> &str {
    crate::knowledge::path_str::last_segment(path)
}

impl OrphanState {
    fn end(&self, name: &str) -> Option<usize> {
        self.ends.iter().rposition(|e| e.alive && e.name == name)
    }

    fn set(&self, name: &str) -> Option<usize> {
        self.sets.iter().rposition(|s| s.alive && s.name == name)
    }

    /// Whether a use in the current body of a binding of `body` goes through a `move` body.
    fn crosses_move(&self, body: usize) -> bool {
        self.bodies.iter().any(|&(b, mv)| mv && b > body)
    }
}

/// `&x`: the operand is borrowed.
pub(super) fn before_ref(w: &mut Walker, inner: &ir::Expr) {
    if inner.bare_ident().is_some() {
        w.orphans.use_ctx = Some(UseCtx::Borrow);
    }
}

/// `x.m(..)`: the receiver is used by the method.
pub(super) fn before_receiver(w: &mut Walker, mc: &ir::MethodCall) {
    if mc.receiver.bare_ident().is_some() {
        w.orphans.use_ctx = Some(UseCtx::Method(mc.method.to_string()));
    }
}

/// A closure or async block is entered / left.
pub(super) fn enter_body(w: &mut Walker, is_move: bool) {
    let body = w.body;
    w.orphans.bodies.push((body, is_move));
}

pub(super) fn leave_body(w: &mut Walker) {
    w.orphans.bodies.pop();
}

/// A bare name is read (or mentioned by a macro, when `ctx_known` is false).
pub(super) fn on_use(w: &mut Walker, name: &str) {
    let ctx = w.orphans.use_ctx.take();
    let st = &mut w.orphans;
    if let Some(i) = st.end(name) {
        let crosses = st.crosses_move(st.ends[i].body);
        // A method that takes the sender by value (`into_sink()`) or closes the channel
        // (`close_channel()`, `disconnect()`) ends what it holds.
        let borrowed = match &ctx {
            Some(UseCtx::Borrow) => true,
            Some(UseCtx::Method(m)) => {
                !(m.starts_with("into") || table::CLOSES.contains(&m.as_str()))
            }
            None => false,
        };
        if crosses || !borrowed {
            st.ends[i].moved = true;
        }
    }
    if let Some(i) = st.set(name) {
        let crosses = st.crosses_move(st.sets[i].body);
        match &ctx {
            Some(UseCtx::Method(m)) if !crosses && table::ADDS_WORK.contains(&m.as_str()) => {
                st.sets[i].work = true;
            }
            Some(UseCtx::Method(m)) if !crosses && table::INSPECTS.contains(&m.as_str()) => {}
            _ => st.sets[i].driven = true,
        }
    }
}

/// A `let` was bound: channel ends, their clones and streams, task sets.
pub(super) fn on_let(w: &mut Walker, local: &ir::Local, val: &Val) {
    let Some(init) = &local.init else {
        return;
    };
    let pat = strip_type(&local.pat);
    let span = local.span.get();
    match pat {
        ir::Pat::Tuple(elems) if elems.len() == 2 => channel_pair(w, elems, init, val, span),
        ir::Pat::Ident { name, sub: None } => {
            derived_end(w, name, init, val, span);
            // `let set: JoinSet<_> = futs.collect();`: the annotation says what was collected.
            let annotated = match &local.pat {
                ir::Pat::Type(pt) => w.val_of_ty(&pt.1, w.module, 0),
                _ => Val::Unknown,
            };
            let val = if annotated.path().is_some() {
                &annotated
            } else {
                val
            };
            task_set(w, name, init, val, span);
        }
        ir::Pat::Wild if !is_place(init) => dropped_set(w, init, val, span, SetDrop::LetUnderscore),
        _ => {}
    }
}

/// `expr;`: a task set made and dropped at once.
pub(super) fn on_statement(w: &mut Walker, e: &ir::Expr, val: &Val) {
    if !is_place(e) {
        dropped_set(w, e, val, e.span.get(), SetDrop::Statement);
    }
}

fn strip_type(p: &ir::Pat) -> &ir::Pat {
    match p {
        ir::Pat::Type(pt) => strip_type(&pt.0),
        ir::Pat::Paren(p) => strip_type(p),
        other => other,
    }
}

fn is_place(e: &ir::Expr) -> bool {
    match &e.kind {
        ExprKind::Path(_) | ExprKind::Field(_) => true,
        ExprKind::Paren(inner) | ExprKind::Group(inner) => is_place(inner),
        _ => false,
    }
}

fn call_name(e: &ir::Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Call(c) => match &c.func.kind {
            ExprKind::Path(p) => p.segs.last().map(|s| s.as_str()),
            _ => None,
        },
        ExprKind::Paren(inner) | ExprKind::Group(inner) => call_name(inner),
        _ => None,
    }
}

/// `let (tx, rx) = mpsc::channel(n);`
fn channel_pair(w: &mut Walker, elems: &[ir::Pat], init: &ir::Expr, val: &Val, span: Span) {
    let Val::Tuple(parts) = val else { return };
    let (Some(s), Some(r)) = (
        parts.first().and_then(Val::path),
        parts.get(1).and_then(Val::path),
    ) else {
        return;
    };
    let k = w.cx.knowledge;
    let (s, r) = (k.canonical_type(s), k.canonical_type(r));
    if !table::is_channel_pair(s, r)
        || !call_name(init).is_some_and(|n| table::CHANNEL_MAKERS.contains(&n))
    {
        return;
    }
    let channel = w.orphans.next_channel;
    w.orphans.next_channel += 1;
    let std = s.starts_with("std::");
    for (pat, sender) in elems.iter().zip([true, false]) {
        if let ir::Pat::Ident { name, sub: None } = strip_type(pat) {
            add_end(w, name, channel, sender, std, span);
        }
    }
}

fn add_end(w: &mut Walker, name: &str, channel: u32, sender: bool, std: bool, span: Span) {
    let (scope, body) = (w.current_scope(), w.body);
    w.orphans.ends.push(End {
        name: name.to_string(),
        scope,
        body,
        channel,
        sender,
        std,
        span,
        alive: true,
        moved: false,
    });
}

/// `let tx2 = tx.clone();`, `let rx2 = tx.subscribe();`, `let s = ReceiverStream::new(rx);`
fn derived_end(w: &mut Walker, name: &str, init: &ir::Expr, val: &Val, span: Span) {
    let from = match &init.kind {
        ExprKind::MethodCall(mc) if mc.args.is_empty() => {
            let Some(src) = mc.receiver.bare_ident().and_then(|n| w.orphans.end(n)) else {
                return;
            };
            let e = &w.orphans.ends[src];
            match (mc.method.as_str(), e.sender) {
                ("clone", sender) => Some((src, sender)),
                ("subscribe", true) => Some((src, false)),
                _ => None,
            }
        }
        ExprKind::Call(c) if c.args.len() == 1 => {
            let is_stream = val.path().is_some_and(|p| {
                table::RECEIVER_STREAMS.contains(&w.cx.knowledge.canonical_type(p))
            });
            let src = c.args[0].bare_ident().and_then(|n| w.orphans.end(n));
            match src {
                Some(src) if is_stream && !w.orphans.ends[src].sender => Some((src, false)),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some((src, sender)) = from {
        let (channel, std) = (w.orphans.ends[src].channel, w.orphans.ends[src].std);
        add_end(w, name, channel, sender, std, span);
    }
}

/// The task set a value is, if it is one.
fn set_type(w: &Walker, val: &Val) -> Option<&'static str> {
    let path = w.cx.knowledge.canonical_type(val.path()?);
    table::TASK_SETS.iter().copied().find(|t| *t == path)
}

/// `let mut set = JoinSet::new();`, `let set: JoinSet<_> = futs.collect();`
fn task_set(w: &mut Walker, name: &str, init: &ir::Expr, val: &Val, span: Span) {
    let Some(ty) = set_type(w, val) else { return };
    // `let _refresher = AbortOnDropHandle::new(..)`: a guard, dropped on purpose when its scope
    // ends; an `AbortOnDropHandle` is always one. In a `#[should_panic]` test, what the set does
    // is the panic it checks.
    if name.starts_with('_') || short(ty) == "AbortOnDropHandle" || w.expects_panic > 0 {
        return;
    }
    let collected = matches!(&init.kind, ExprKind::MethodCall(mc) if mc.method == "collect");
    let (scope, body) = (w.current_scope(), w.body);
    w.orphans.sets.push(Set {
        name: name.to_string(),
        ty,
        scope,
        body,
        span,
        alive: true,
        work: collected,
        driven: false,
        early_return: None,
        end_unreachable: false,
    });
}

/// A task set with work in it, made and dropped at once.
fn dropped_set(w: &mut Walker, init: &ir::Expr, val: &Val, span: Span, how: SetDrop) {
    let Some(ty) = set_type(w, val) else { return };
    let work = match &init.kind {
        ExprKind::MethodCall(mc) => mc.method == "collect",
        _ => short(ty) == "AbortOnDropHandle" && call_name(init) == Some("new"),
    };
    if work {
        w.record(
            span,
            FactKind::SetDropped {
                set: short(ty).to_string(),
                name: None,
                how,
                provenance: Provenance::Proven,
            },
        );
    }
}

/// A statement of a block was walked: after an endless `loop` (no `break` in it), the rest of the
/// block, and its end, are reached only by `?` or `return`.
pub(super) fn after_stmt(w: &mut Walker, stmt: &ir::Stmt) {
    let ir::Stmt::Expr { expr, .. } = stmt else {
        return;
    };
    let ExprKind::Loop(body) = &expr.kind else {
        return;
    };
    if block_breaks(body) {
        return;
    }
    let scope = w.current_scope();
    for s in w.orphans.sets.iter_mut() {
        if s.alive && s.scope == scope {
            s.end_unreachable = true;
        }
    }
}

/// Whether a `break` (or a labelled `continue`) may leave a loop with this body.
fn block_breaks(b: &ir::Block) -> bool {
    b.stmts.iter().any(|s| stmt_leaves(s, false))
}

/// `return ..`: task sets of this body with work in them, not driven yet, are dropped here.
/// `return Err(..)` is an error path, as `?` is.
pub(super) fn on_return(w: &mut Walker, e: &ir::Expr) {
    let ExprKind::Return(value) = &e.kind else {
        return;
    };
    if value.first().and_then(call_name) == Some("Err") {
        return;
    }
    let body = w.body;
    for s in w.orphans.sets.iter_mut() {
        if s.alive && s.body == body && s.work && !s.driven && s.early_return.is_none() {
            s.early_return = Some(e.span.get());
        }
    }
}

/// The scope at index `depth` ended, with its bindings.
pub(super) fn scope_ended(w: &mut Walker, depth: usize, bindings: &[Binding]) {
    let mut facts = Vec::new();
    for s in w.orphans.sets.iter_mut() {
        if !s.alive || s.scope < depth {
            continue;
        }
        s.alive = false;
        if !s.work {
            continue;
        }
        let how = match (s.driven, s.early_return) {
            (false, None) if s.end_unreachable => continue,
            (false, None) => SetDrop::EndOfScope,
            (false, Some(span)) if s.end_unreachable => SetDrop::Return(span),
            (false, _) => SetDrop::EndOfScope,
            (true, Some(span)) => SetDrop::Return(span),
            (true, None) => continue,
        };
        // A `FuturesUnordered` of futures that nothing uses is a lost future
        // (`unawaited_future`), not twice a finding.
        let lost_futures = bindings
            .iter()
            .rev()
            .find(|b| b.name == s.name)
            .is_some_and(|b| !b.used && b.val.droppable_kind().is_some());
        if how == SetDrop::EndOfScope && (short(s.ty) == "FuturesUnordered" || lost_futures) {
            continue;
        }
        facts.push((
            s.span,
            FactKind::SetDropped {
                set: short(s.ty).to_string(),
                name: Some(s.name.clone()),
                how,
                provenance: Provenance::Proven,
            },
        ));
    }
    let mut ending = Vec::new();
    for (i, e) in w.orphans.ends.iter_mut().enumerate() {
        if e.alive && e.scope >= depth {
            e.alive = false;
            ending.push(i);
        }
    }
    let st = &mut w.orphans;
    let mut k = 0;
    while k < st.pending.len() {
        let p = &mut st.pending[k];
        let held = p
            .senders
            .iter()
            .copied()
            .find(|i| ending.contains(i) && !st.ends[*i].moved);
        if let Some(i) = held {
            let p = st.pending.remove(k);
            let e = &st.ends[i];
            facts.push((p.span, drain_fact(p.receiver, e)));
            continue;
        }
        p.senders.retain(|i| !ending.contains(i));
        if p.senders.is_empty() {
            st.pending.remove(k);
        } else {
            k += 1;
        }
    }
    for (span, kind) in facts {
        w.record(span, kind);
    }
}

fn drain_fact(receiver: String, sender: &End) -> FactKind {
    FactKind::DrainNeverEnds {
        receiver,
        sender: sender.name.clone(),
        sender_span: sender.span,
        provenance: Provenance::Proven,
    }
}

// ----- drain loops -------------------------------------------------------------------------

/// At the head of a loop: whether it drains a channel until it closes, with no other way out,
/// while a sender of that channel is still held.
pub(super) fn loop_start(w: &mut Walker, e: &ir::Expr) -> Option<Drain> {
    // Most bodies hold no channel: their loops are not looked into.
    if !w.orphans.ends.iter().any(|e| e.alive && !e.sender) {
        return None;
    }
    let (receiver, head_end) = drain_form(w, e)?;
    let st = &w.orphans;
    let rx = st.end(&receiver)?;
    let channel = st.ends[rx].channel;
    let senders: Vec<usize> = st
        .ends
        .iter()
        .enumerate()
        .filter(|(_, s)| s.alive && s.sender && s.channel == channel && !s.moved)
        .filter(|(_, s)| !st.crosses_move(s.body))
        .map(|(i, _)| i)
        .collect();
    if senders.is_empty() {
        return None;
    }
    let mut span = e.span.get();
    span.end = head_end;
    Some(Drain {
        span,
        receiver,
        senders,
    })
}

/// After the loop was walked: a sender moved away inside it may end it.
pub(super) fn loop_end(w: &mut Walker, drain: Drain) {
    let body = w.body;
    let st = &mut w.orphans;
    let senders: Vec<usize> = drain
        .senders
        .into_iter()
        .filter(|&i| !st.ends[i].moved)
        .collect();
    if let Some(&i) = senders.iter().find(|&&i| st.ends[i].body == body) {
        let fact = drain_fact(drain.receiver, &st.ends[i]);
        w.record(drain.span, fact);
    } else if !senders.is_empty() {
        st.pending.push(Pending {
            span: drain.span,
            receiver: drain.receiver,
            senders,
        });
    }
}

/// The receiver a loop drains until its channel closes, and where the loop's head ends, when
/// the loop has no other way out.
fn drain_form(w: &Walker, e: &ir::Expr) -> Option<(String, crate::diagnostic::Position)> {
    let st = &w.orphans;
    match &e.kind {
        ExprKind::While { cond, body } => {
            let rx = match &cond.kind {
                // `while let Some(x) = rx.recv().await`, `while let Ok(x) = rx.recv()`
                ExprKind::Let(l) if some_or_ok(&l.pat) => drained(st, &l.expr)?,
                // `while rx.recv().await.is_some()`
                ExprKind::MethodCall(mc) if mc.method == "is_some" => drained(st, &mc.receiver)?,
                // `while rx.recv_many(&mut buf, n).await > 0`
                ExprKind::Other(parts) | ExprKind::Index(parts) => drained(st, parts.first()?)?,
                _ => return None,
            };
            if body.stmts.iter().any(stmt_exits) {
                return None;
            }
            Some((rx, cond.span.get().end))
        }
        // `for x in rx`, `for x in &rx`, `for x in rx.iter()` (std)
        ExprKind::For(f) => {
            let src = match &f.expr.kind {
                ExprKind::Ref(inner) => inner.bare_ident()?,
                ExprKind::MethodCall(mc) if mc.method == "iter" && mc.args.is_empty() => {
                    mc.receiver.bare_ident()?
                }
                _ => f.expr.bare_ident()?,
            };
            let i = st.end(src)?;
            if st.ends[i].sender || !st.ends[i].std || f.body.stmts.iter().any(stmt_exits) {
                return None;
            }
            Some((src.to_string(), f.expr.span.get().end))
        }
        // `loop { match rx.recv().await { Some(x) => .., None => break } }` and
        // `loop { let Some(x) = rx.recv().await else { break }; .. }`
        ExprKind::Loop(body) => {
            let mut found = None;
            for stmt in body.stmts.iter() {
                if found.is_none() {
                    if let Some((rx, rest_exits)) = closing_stmt(st, stmt) {
                        if rest_exits {
                            return None;
                        }
                        found = Some(rx);
                        continue;
                    }
                }
                if stmt_exits(stmt) {
                    return None;
                }
            }
            let mut head = e.span.get().start;
            head.column += 4;
            head.byte += 4;
            Some((found?, head))
        }
        _ => None,
    }
}

/// A statement of a `loop` body that leaves the loop only when the channel closes: the receiver,
/// and whether it has another way out.
fn closing_stmt(st: &OrphanState, stmt: &ir::Stmt) -> Option<(String, bool)> {
    match stmt {
        ir::Stmt::Let(l) => {
            let init = l.init.as_ref()?;
            if let (Some(div), true) = (&l.diverge, some_or_ok(&l.pat)) {
                let rx = drained(st, init)?;
                return expr_exits(div).then_some((rx, false));
            }
            closing_match(st, init)
        }
        ir::Stmt::Expr { expr, .. } => closing_match(st, expr).or_else(|| {
            // `if let Some(x) = rx.recv().await { .. } else { break }`
            let ExprKind::If(i) = &expr.kind else {
                return None;
            };
            let ExprKind::Let(l) = &i.cond.kind else {
                return None;
            };
            if !some_or_ok(&l.pat) {
                return None;
            }
            let rx = drained(st, &l.expr)?;
            if !i.otherwise.as_ref().is_some_and(expr_exits) {
                return None;
            }
            Some((rx, block_exits(&i.then)))
        }),
        _ => None,
    }
}

/// `match rx.recv().await { Some(x) => .., None => break }`
fn closing_match(st: &OrphanState, e: &ir::Expr) -> Option<(String, bool)> {
    let ExprKind::Match(m) = &e.kind else {
        return None;
    };
    let rx = drained(st, &m.expr)?;
    let mut closes = false;
    let mut other = false;
    for arm in m.arms.iter() {
        let exits = expr_exits(&arm.body) || arm.guard.as_ref().is_some_and(expr_exits);
        match &arm.pat {
            ir::Pat::Ident { name, sub: None } if name == "None" => closes |= exits,
            _ => other |= exits,
        }
    }
    closes.then_some((rx, other))
}

fn some_or_ok(p: &ir::Pat) -> bool {
    matches!(p, ir::Pat::TupleStruct { path, elems } if elems.len() == 1
        && path.last().is_some_and(|s| s == "Some" || s == "Ok"))
}

/// The tracked receiver a drain call reads from: `rx.recv().await`, `stream.next().await`,
/// `rx.recv_many(..).await`, `rx.recv()` of a std channel.
fn drained(st: &OrphanState, e: &ir::Expr) -> Option<String> {
    let (mc, awaited) = match &e.kind {
        ExprKind::Await(a) => match &a.base.kind {
            ExprKind::MethodCall(mc) => (mc, true),
            _ => return None,
        },
        ExprKind::MethodCall(mc) => (mc, false),
        ExprKind::Paren(inner) | ExprKind::Group(inner) => return drained(st, inner),
        _ => return None,
    };
    let name = mc.receiver.bare_ident()?;
    let end = &st.ends[st.end(name)?];
    let ok = match (mc.method.as_str(), awaited) {
        ("recv" | "recv_many" | "next", true) => !end.std,
        ("recv", false) => end.std,
        _ => false,
    };
    (ok && !end.sender).then(|| name.to_string())
}

/// Whether a statement may leave the loop it is in (`break`, `return`, a labelled `continue`),
/// outside closures and async blocks. `?` does not count.
fn stmt_exits(s: &ir::Stmt) -> bool {
    stmt_leaves(s, true)
}

fn expr_exits(e: &ir::Expr) -> bool {
    leaves(e, true)
}

fn block_exits(b: &ir::Block) -> bool {
    b.stmts.iter().any(stmt_exits)
}

/// As [`stmt_exits`]; a `return` counts only when `ret`.
fn stmt_leaves(s: &ir::Stmt, ret: bool) -> bool {
    let x = |e: &ir::Expr| leaves(e, ret);
    match s {
        ir::Stmt::Let(l) => l.init.as_ref().is_some_and(x) || l.diverge.as_deref().is_some_and(x),
        ir::Stmt::Expr { expr, .. } => x(expr),
        ir::Stmt::Macro { mac, .. } => macro_leaves(mac, ret),
        ir::Stmt::Pin { form, .. } => match form {
            ir::PinForm::Lets(stmts) => stmts.iter().any(|s| stmt_leaves(s, ret)),
            ir::PinForm::Macro(mac) => macro_leaves(mac, ret),
            ir::PinForm::Names(_) => false,
        },
        ir::Stmt::Item(_) | ir::Stmt::Other => false,
    }
}

fn macro_leaves(mac: &ir::Macro, ret: bool) -> bool {
    let x = |e: &ir::Expr| leaves(e, ret);
    match &mac.form {
        ir::MacroForm::AssertOk(es) | ir::MacroForm::Exprs(es) | ir::MacroForm::QuietExprs(es) => {
            es.iter().any(x)
        }
        ir::MacroForm::Pin(e) => x(e),
        ir::MacroForm::Select(branches) => branches.iter().any(|b| {
            b.leaves_loop
                || x(&b.handler)
                || b.future.as_ref().is_some_and(x)
                || b.condition.as_ref().is_some_and(x)
        }),
        ir::MacroForm::QuietStmts(stmts, _) => stmts.iter().any(|s| stmt_leaves(s, ret)),
        // Input that does not parse: it may leave.
        ir::MacroForm::Idents(_) => true,
    }
}

/// As [`expr_exits`]; a `return` counts only when `ret`.
fn leaves(e: &ir::Expr, ret: bool) -> bool {
    let x = |e: &ir::Expr| leaves(e, ret);
    let b = |b: &ir::Block| b.stmts.iter().any(|s| stmt_leaves(s, ret));
    match &e.kind {
        ExprKind::Break(_) => true,
        ExprKind::Return(_) => ret,
        ExprKind::Async(_)
        | ExprKind::Closure(_)
        | ExprKind::Lit(_)
        | ExprKind::Opaque
        | ExprKind::Path(_) => false,
        ExprKind::Call(c) => x(&c.func) || c.args.iter().any(x),
        ExprKind::MethodCall(mc) => x(&mc.receiver) || mc.args.iter().any(x),
        ExprKind::Await(a) => x(&a.base),
        ExprKind::Try(e)
        | ExprKind::Paren(e)
        | ExprKind::Group(e)
        | ExprKind::Ref(e)
        | ExprKind::Unary { expr: e, .. } => x(e),
        ExprKind::Field(f) => x(&f.base),
        ExprKind::Cast(c) => x(&c.expr),
        ExprKind::Block(bl) | ExprKind::TryBlock(bl) | ExprKind::Loop(bl) => b(bl),
        ExprKind::If(i) => x(&i.cond) || b(&i.then) || i.otherwise.as_ref().is_some_and(x),
        ExprKind::Let(l) => x(&l.expr),
        ExprKind::Match(m) => {
            x(&m.expr)
                || m.arms
                    .iter()
                    .any(|a| x(&a.body) || a.guard.as_ref().is_some_and(x))
        }
        ExprKind::For(f) => x(&f.expr) || b(&f.body),
        ExprKind::While { cond, body } => x(cond) || b(body),
        ExprKind::Tuple(es) | ExprKind::Array(es) | ExprKind::Other(es) | ExprKind::Index(es) => {
            es.iter().any(x)
        }
        ExprKind::Struct(s) => s.exprs.iter().any(x),
        ExprKind::Macro(m) => macro_leaves(m, ret),
    }
}
