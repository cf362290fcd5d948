//! Expressions: what each kind evaluates to, and in which order its parts are walked.

use super::Walker;
use crate::analysis::facts::ExecContext;
use crate::analysis::value::{Provenance, Started, Val};
use crate::index::facts::TypeKind;
use crate::index::{Ns, Res};
use crate::lower::ir::{self, ExprKind};
use crate::symbol::Symbol;

/// The name a sync guard left as a temporary of an `if let` scrutinee is tracked under.
pub(crate) const SCRUTINEE_GUARD: &str = "<temporary of the `if let` scrutinee>";

/// Deeper than this, an expression is skipped (the nesting pre-check keeps real input far below).
const MAX_EXPR_DEPTH: usize = 2000;

impl Walker<'_, '_> {
    pub(super) fn eval(&mut self, e: &ir::Expr) -> Val {
        if self.depth > MAX_EXPR_DEPTH {
            return Val::Unknown;
        }
        self.depth += 1;
        let v = self.eval_inner(e);
        self.depth -= 1;
        // The first guard made in an `if let` scrutinee being evaluated.
        if let (Val::SyncGuard(_), Some(slot @ None)) = (&v, &mut self.guard_temps) {
            *slot = Some(e.span.get());
        }
        v
    }

    pub(super) fn eval_inner(&mut self, e: &ir::Expr) -> Val {
        match &e.kind {
            ExprKind::Path(p) => self.eval_path(p),
            ExprKind::Call(c) => self.eval_call(c, e.span.get()),
            ExprKind::MethodCall(mc) => {
                let recv_was_used = mc
                    .receiver
                    .bare_ident()
                    .and_then(|n| self.scopes.lookup(n).map(|b| b.used))
                    .unwrap_or(true);
                super::orphans::before_receiver(self, mc);
                let recv = self.eval(&mc.receiver);
                self.eval_method_call(mc, recv, recv_was_used, e.span.get())
            }
            ExprKind::Await(a) => {
                let (base, await_span) = (&a.base, a.await_span.get());
                crate::analysis::walk::select::on_await(self, base);
                let v = self.eval(base);
                self.on_await(await_span);
                // What awaiting gives flowed through the future: inferred at best.
                match v {
                    Val::Future {
                        output: Some(o), ..
                    } => o.flowed(),
                    // A value of a type implementing `Future` (or `IntoFuture`): its impl's
                    // `type Output`.
                    Val::Typed { path, args } => self.impl_output(&path, &args),
                    // A task's handle: a `Result` of what the task returns (`Err` if it
                    // panicked or was cancelled).
                    Val::TaskHandle {
                        output: Some(o), ..
                    } => Val::Typed {
                        path: "Result".into(),
                        args: vec![o.flowed()],
                    },
                    _ => Val::Unknown,
                }
            }
            ExprKind::Try(inner) => match self.eval(inner) {
                // `opt.map(|x| fetch(x))?`: the closure's future itself, as with `.unwrap()`.
                v if super::calls::is_mapped(&v) => v,
                v => v.unwrapped(),
            },
            ExprKind::Async(a) => {
                crate::analysis::walk::select::on_async_block(self, a);
                let spawned = std::mem::take(&mut self.spawned_arg);
                let tail = self.in_body(ExecContext::Async, |w| {
                    super::orphans::enter_body(w, a.is_move);
                    let tail = w.block_value(&a.block);
                    if spawned {
                        w.task_output(&a.block, &tail);
                    }
                    super::orphans::leave_body(w);
                    tail
                });
                // What awaiting it gives is its tail's value, when known.
                let output = (tail != Val::Unknown).then(|| Box::new(tail));
                Val::Future {
                    output,
                    origin: format!("the async block at line {}", a.line),
                    prov: Provenance::Proven,
                    started: Started::No,
                }
            }
            ExprKind::Closure(c) => self.eval_closure(c, None),
            ExprKind::Block(b) => self.block_value(b),
            ExprKind::TryBlock(b) => {
                self.block_value(b);
                Val::Unknown
            }
            ExprKind::Ref(inner) => {
                super::orphans::before_ref(self, inner);
                self.eval(inner)
            }
            ExprKind::Paren(inner) | ExprKind::Group(inner) => self.eval(inner),
            ExprKind::Unary { deref, expr, .. } => {
                let v = self.eval(expr);
                // `*guard` is the guarded value, not the guard.
                match v {
                    Val::SyncGuard(target) if *deref => {
                        crate::analysis::patterns::borrowed(*target)
                    }
                    _ if *deref => v,
                    _ => Val::Unknown,
                }
            }
            ExprKind::Field(f) => {
                let (base, member) = (&f.base, &f.member);
                let base = self.eval(base);
                if let Val::Tuple(parts) = base {
                    return member
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| parts.get(i).cloned())
                        .unwrap_or_default();
                }
                self.field_through_deref(base, member)
            }
            ExprKind::If(i) => {
                self.scopes.push();
                self.eval(&i.cond);
                let cond = i.cond.span.get();
                let guard = self.guard_of_cond(&i.cond);
                self.branches.push((cond, guard));
                let then = self.block_value(&i.then);
                self.pop_scope();
                let other = i.otherwise.as_ref().map(|e| self.eval(e));
                self.branches.pop();
                match other {
                    Some(o) if o.is_future() && then.is_future() => then,
                    _ => Val::Unknown,
                }
            }
            ExprKind::Let(l) => {
                // A sync guard made in the scrutinee and left as a temporary (`if let Some(v) =
                // *state.lock().unwrap()`) lives to the end of the `if let`: held across any
                // `.await` of its block.
                let outer = self.guard_temps.replace(None);
                let v = self.eval(&l.expr);
                let made = std::mem::replace(&mut self.guard_temps, outer).flatten();
                if let (Some(span), false) = (made, v.is_sync_guard()) {
                    self.declare(SCRUTINEE_GUARD.into(), Val::sync_guard(), span);
                    self.mark_used(SCRUTINEE_GUARD);
                }
                self.bind_refutable(&l.pat, v, e.span.get());
                Val::Unknown
            }
            ExprKind::Match(m) => {
                let scrutinee = self.eval(&m.expr);
                for arm in m.arms.iter() {
                    self.scopes.push();
                    self.bind_refutable(&arm.pat, scrutinee.clone(), arm.pat_span.get());
                    if let Some(guard) = &arm.guard {
                        self.eval(guard);
                    }
                    // One arm of several runs under its pattern.
                    let branch = (m.arms.len() > 1)
                        .then(|| (arm.pat_span.get(), self.guard_of_arm(&m.expr, arm)));
                    self.branches.extend(branch);
                    self.eval(&arm.body);
                    self.branches
                        .truncate(self.branches.len() - usize::from(branch.is_some()));
                    self.pop_scope();
                }
                Val::Unknown
            }
            ExprKind::For(f) => {
                self.on_iter_use(&f.expr);
                let drain = super::orphans::loop_start(self, e);
                let coll = self.eval(&f.expr);
                // Owned elements of a vector of futures or handles (`for t in tasks`); a
                // borrowed collection gives references, whose loss is nothing.
                let by_ref = matches!(f.expr.kind, ExprKind::Ref(_));
                let elem = crate::analysis::patterns::iter_item(&coll, by_ref);
                self.loop_depth += 1;
                self.loop_scopes.push(self.scopes.depth());
                self.scopes.push();
                self.bind_refutable(&f.pat, elem, f.pat_span.get());
                // An element left unused in the loop body stays in the caller's hands no less
                // than before the loop: only dropping it by statement, `_` or `drop` counts.
                for name in f.pat.idents() {
                    self.mark_used(&name);
                }
                self.block_value(&f.body);
                self.pop_scope();
                self.loop_depth -= 1;
                self.loop_scopes.pop();
                if let Some(d) = drain {
                    super::orphans::loop_end(self, d);
                }
                Val::Unknown
            }
            ExprKind::While { cond, body } => {
                let drain = super::orphans::loop_start(self, e);
                self.loop_depth += 1;
                self.loop_scopes.push(self.scopes.depth());
                self.scopes.push();
                self.eval(cond);
                self.block_value(body);
                self.pop_scope();
                self.loop_depth -= 1;
                self.loop_scopes.pop();
                if let Some(d) = drain {
                    super::orphans::loop_end(self, d);
                }
                Val::Unknown
            }
            ExprKind::Loop(body) => {
                let drain = super::orphans::loop_start(self, e);
                self.loop_depth += 1;
                self.loop_scopes.push(self.scopes.depth());
                self.block_value(body);
                self.loop_depth -= 1;
                self.loop_scopes.pop();
                if let Some(d) = drain {
                    super::orphans::loop_end(self, d);
                }
                Val::Unknown
            }
            ExprKind::Other(children) | ExprKind::Array(children) | ExprKind::Break(children) => {
                for c in children.iter() {
                    self.eval(c);
                }
                Val::Unknown
            }
            ExprKind::Index(parts) => {
                // `v[i]`: the element, borrowed (a place: nothing is moved out of it).
                let mut vals = parts.iter().map(|p| self.eval(p)).collect::<Vec<_>>();
                vals.truncate(1);
                self.indexed(vals.pop().unwrap_or_default())
            }
            ExprKind::Return(children) => {
                for c in children.iter() {
                    self.eval(c);
                }
                super::orphans::on_return(self, e);
                Val::Unknown
            }
            ExprKind::Cast(c) => {
                let (expr, dyn_trait) = (&c.expr, &c.dyn_trait);
                let v = self.eval(expr);
                match dyn_trait {
                    Some(_) => self.trait_object_val(dyn_trait.as_deref()),
                    // `x as &T` is `x` seen through a reference: its type, nothing to lose.
                    None => crate::analysis::patterns::borrowed(v),
                }
            }
            ExprKind::Tuple(elems) => Val::Tuple(elems.iter().map(|e| self.eval(e)).collect()),
            ExprKind::Struct(s) => {
                let (path, exprs) = (&s.path, &s.exprs);
                for e in exprs.iter() {
                    self.eval(e);
                }
                match self.resolve_path(path, Ns::Type) {
                    Res::Type(p) => Val::typed(p),
                    _ => Val::Unknown,
                }
            }
            ExprKind::Macro(m) => self.eval_macro(m),
            ExprKind::Lit(_) | ExprKind::Opaque => Val::Unknown,
        }
    }

    /// What `.await` on a value of the index's type `path` gives: the `Output` its `Future` or
    /// `IntoFuture` impl defines (inferred: it flowed through the impl).
    /// The value's type arguments are what the impl's parameters of the type mean
    /// (`Reply<Client>` with `type Output = T;` gives a `Client`); a type no source describes
    /// has what the generic signatures say (tokio's `oneshot::Receiver<T>`: a `Result<T, _>`).
    pub(super) fn impl_output(&self, path: &str, args: &[Val]) -> Val {
        let index = self.cx.index;
        if index.type_info(path).is_none() {
            let canon = self.cx.knowledge.canonical_type(path);
            return match crate::analysis::generic_api::assoc(canon, "Output", args) {
                Some((ty, env)) => self
                    .types()
                    .val_of_ty(&ty, self.module, None, &env, 0)
                    .flowed(),
                None => Val::Unknown,
            };
        }
        if !(index.implements(path, "Future") || index.implements(path, "IntoFuture")) {
            return Val::Unknown;
        }
        match index.impl_assoc(path, "Output") {
            Some((ty, m)) => {
                let env = self.types().args_env(path, args);
                self.types().val_of_ty(ty, m, Some(path), &env, 0).flowed()
            }
            None => Val::Unknown,
        }
    }

    /// Evaluates an expression whose value is moved on to where it may be lost (a `let`, a
    /// statement, a call's argument). A future read by name from a binding that was read before
    /// (polled by hand with `fut.as_mut().poll(cx)`, borrowed into `poll_fn` or `select!`,
    /// awaited on another branch) is not known to be unpolled any more: it may have run part
    /// way ([`Started::Polled`]).
    pub(super) fn eval_moved(&mut self, e: &ir::Expr) -> Val {
        let read_before = e
            .bare_ident()
            .and_then(|n| self.scopes.lookup(n).map(|b| b.read))
            .unwrap_or(false);
        match self.eval(e) {
            Val::Future {
                output,
                origin,
                prov,
                ..
            } if read_before => Val::Future {
                output,
                origin,
                prov,
                started: Started::Polled,
            },
            v => v,
        }
    }

    /// `x as &dyn Trait` for a trait of the workspace: its methods are the trait's.
    pub(super) fn trait_object_val(&self, dyn_trait: Option<&[Symbol]>) -> Val {
        let Some(path) = dyn_trait else {
            return Val::Unknown;
        };
        match self.resolve_path(path, Ns::Type) {
            Res::Type(p) if self.cx.index.is_trait(&p) => Val::typed(p),
            _ => Val::Unknown,
        }
    }

    pub(super) fn eval_path(&mut self, p: &ir::Path) -> Val {
        let plain = p.qself == ir::QSelf::None;
        if plain && p.segs.len() == 1 {
            let name = &p.segs[0];
            super::orphans::on_use(self, name);
            if let Some(b) = self.scopes.lookup(name) {
                b.read = true;
            }
            if let Some(v) = self.scopes.use_name(name) {
                if self.moved_offloaded > 0 {
                    let moved = self.built_runtimes.iter().filter(|(n, _)| n == name);
                    self.retracted.extend(moved.map(|(_, i)| *i));
                }
                return v;
            }
        }
        // A unit struct of the workspace used as a value (`Never`), or a unit variant of an
        // enum of the index (`Backend::Tokio`, capitalised as calls of a variant are read): one
        // of its values.
        let capitalised = p
            .segs
            .last()
            .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_uppercase()));
        if plain && !capitalised {
            return self.fn_item_value(&p.segs);
        }
        if plain && capitalised {
            let info = |ty: &str| self.cx.index.type_info(ty).map(|t| &t.def);
            match self.resolve_path(&p.segs, Ns::Value) {
                Res::Type(ty) if info(&ty).is_some_and(|d| d.is_unit) => return Val::typed(ty),
                Res::Assoc(ty, _) if info(&ty).is_some_and(|d| d.kind == TypeKind::Enum) => {
                    return Val::typed(ty)
                }
                // `CLIENT`, `crate::CLIENT`: a static's value, as its declared type says.
                Res::Static(m, name) => return self.static_value(m, name),
                _ => {}
            }
        }
        Val::Unknown
    }

    /// A fn item named as a value (`let g = fetch;`, `.map(Self::load)`, a nested `async fn`
    /// handed out of a block): a callable of what calling it gives, when that is a future (its
    /// other results are left to the call, as before).
    fn fn_item_value(&mut self, segs: &[Symbol]) -> Val {
        let ret = match segs {
            [name] if self.scopes.local_fn(name).is_some() => {
                let sig = self.scopes.local_fn(name).cloned();
                sig.map(|s| self.val_of_sig(&s, self.module, None))
                    .unwrap_or_default()
            }
            _ => match self.resolve_path(segs, Ns::Value) {
                Res::Fn(id) => {
                    let id = self.cx.index.cfg_choice(id, self.owner);
                    self.val_of_fn(id)
                }
                Res::Assoc(ty, name) => match self.cx.index.assoc_fns(&ty, &name) {
                    ids if ids.is_empty() => Val::Unknown,
                    ids => self.val_of_fns(&ids),
                },
                // A static named in lower case: its value, whatever it is.
                Res::Static(m, name) => return self.static_value(m, name),
                _ => Val::Unknown,
            },
        };
        match ret.is_future() {
            true => Val::Callable(Box::new(ret)),
            false => Val::Unknown,
        }
    }

    pub(super) fn eval_closure(
        &mut self,
        c: &ir::Closure,
        ctx_override: Option<ExecContext>,
    ) -> Val {
        let is_async = c.is_async;
        let ctx = if is_async {
            ExecContext::Async
        } else {
            ctx_override.unwrap_or(self.ctx)
        };
        let deferred = self.deferred_closures.contains(&(c as *const _));
        self.deferred += usize::from(deferred);
        let lazy = self.lazy_closure(c).map(|i| (i, self.facts.len()));
        let moved = ctx_override == Some(ExecContext::Offloaded) && c.is_move;
        self.moved_offloaded += usize::from(moved);
        // What the callee says this closure is called with, when it says.
        let hinted = self.closure_inputs.take().unwrap_or_default();
        let ret = self.in_body(ctx, |w| {
            super::orphans::enter_body(w, c.is_move);
            w.scopes.push();
            for (i, input) in c.inputs.iter().enumerate() {
                let val = match input {
                    ir::Pat::Type(pt) => w.val_of_ty(&pt.1, w.module, 0),
                    _ => hinted.get(i).cloned().unwrap_or_default(),
                };
                w.bind_param_pattern(input, val);
            }
            let body = w.eval(&c.body);
            w.pop_scope();
            super::orphans::leave_body(w);
            body
        });
        self.deferred -= usize::from(deferred);
        self.moved_offloaded -= usize::from(moved);
        if let Some((i, start)) = lazy {
            let end = self.facts.len();
            self.lazy_closure_walked(i, (start, end));
        }
        // A future it returns keeps what awaiting it gives (an async closure's is its body's).
        if is_async {
            let origin = format!("the async closure at line {}", c.line);
            let output = (ret != Val::Unknown).then(|| Box::new(ret));
            return Val::Callable(Box::new(Val::future(origin).with_output(output)));
        }
        match ret {
            Val::Future { prov, output, .. } => {
                let origin = format!("the closure at line {}", c.line);
                let fut = Val::future(origin).weakened(prov);
                Val::Callable(Box::new(fut.with_output(output)))
            }
            // Any other result keeps its type, for what it is handed to (`opt.map(|c| c.conn())`
            // gives an `Option` of what `conn` returns).
            v @ (Val::Typed { .. } | Val::Tuple(_)) => Val::Callable(Box::new(v.flowed())),
            _ => Val::Callable(Box::new(Val::Unknown)),
        }
    }
}
