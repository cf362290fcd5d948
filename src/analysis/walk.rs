//! One walk per function body. It keeps a context stack (async, sync, offloaded), lexical scopes
//! of bindings with a light value kind each, and records [`Fact`]s: values lost without being
//! polled, calls with a runtime effect, sync guards alive at an `.await`.
//!
//! Unknown is not guilty: whatever cannot be resolved is `Val::Unknown`, which is never reported.

use super::facts::{AwaitFix, DropHow, Effect, ExecContext, Fact, FactKind};
use super::scope::{Binding, Scopes};
use super::value::Val;
use crate::diagnostic::{Edit, Span};
use crate::index::facts::FnSig;
use crate::index::types::Ty;
use crate::index::{FileId, FnId, Index, ModId, Ns, Res};
use crate::knowledge::{Api, Knowledge, Ret, Role, COMMON_SYNC_METHODS};
use crate::lower::ir::{self, ExprKind};

/// What every walk of one file shares.
pub struct FileCx<'a> {
    pub index: &'a Index,
    pub knowledge: &'a Knowledge,
    pub file: FileId,
}

/// Methods of futures that give a future again.
const FUTURE_COMBINATORS: &[&str] = &[
    "as_mut",
    "by_ref",
    "boxed",
    "boxed_local",
    "fuse",
    "map",
    "then",
    "and_then",
    "or_else",
    "map_ok",
    "map_err",
    "err_into",
    "ok_into",
    "inspect",
    "inspect_ok",
    "inspect_err",
    "shared",
    "catch_unwind",
    "instrument",
    "in_current_span",
    "with_current_subscriber",
    "timeout",
    "remote_handle",
    "into_future",
    "left_future",
    "right_future",
    "unit_error",
    "flatten",
];

/// Associated functions that construct a value of their type.
const CONSTRUCTORS: &[&str] = &[
    "new",
    "default",
    "with_capacity",
    "builder",
    "create",
    "open",
    "connect",
    "bind",
];

/// Analyses every function body of a lowered file.
pub fn analyze(cx: &FileCx, file: &ir::File) -> Vec<Fact> {
    let mut facts = Vec::new();
    let mut inline_path = Vec::new();
    let cx = WalkCx {
        base: cx,
        macro_bodies: &file.macro_bodies,
    };
    walk_items(&cx, &file.items, &mut inline_path, None, &mut facts, 0);
    facts
}

/// What every walk of one file shares, with what the file itself defines for the walk.
pub(super) struct WalkCx<'a> {
    base: &'a FileCx<'a>,
    /// The bodies of the file's local nullary macros.
    macro_bodies: &'a [ir::Expr],
}

impl<'a> std::ops::Deref for WalkCx<'a> {
    type Target = FileCx<'a>;
    fn deref(&self) -> &FileCx<'a> {
        self.base
    }
}

fn walk_items(
    cx: &WalkCx,
    items: &[ir::Item],
    inline_path: &mut Vec<String>,
    module: Option<ModId>,
    facts: &mut Vec<Fact>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    let Some(m) = module.or_else(|| cx.index.module_of(cx.file, inline_path)) else {
        return;
    };
    for item in items {
        match item {
            ir::Item::Fn(f) => {
                let is_main = f.name == "main"
                    && cx.index.modules[m].parent.is_none()
                    && inline_path.is_empty();
                walk_fn(cx, m, None, &[], f, is_main, facts);
            }
            ir::Item::Impl {
                self_ty,
                generics,
                fns,
            } => {
                let self_ty = cx.index.type_path(m, self_ty);
                for f in fns.iter() {
                    walk_fn(cx, m, self_ty.clone(), generics, f, false, facts);
                }
            }
            ir::Item::Trait {
                name,
                generics,
                fns,
            } => {
                let self_ty = Some(format!("{}::{}", cx.index.modules[m].path, name));
                for f in fns.iter() {
                    walk_fn(cx, m, self_ty.clone(), generics, f, false, facts);
                }
            }
            ir::Item::Mod { name, items } => {
                inline_path.push(name.clone());
                walk_items(cx, items, inline_path, None, facts, depth + 1);
                inline_path.pop();
            }
            ir::Item::Const(e) => {
                let mut w = Walker::new(cx, m, None, facts, ExecContext::Sync);
                w.eval(e);
                w.finish();
            }
            ir::Item::Use(_) => {}
        }
    }
}

fn walk_fn(
    cx: &WalkCx,
    m: ModId,
    self_ty: Option<String>,
    outer_generics: &[(String, Ty)],
    f: &ir::Fn,
    is_main: bool,
    facts: &mut Vec<Fact>,
) {
    let ctx = if f.is_async {
        ExecContext::Async
    } else {
        ExecContext::Sync
    };
    let mut w = Walker::new(cx, m, self_ty, facts, ctx);
    w.owner = cx.index.fn_at(cx.file, f.line, &f.name);
    w.no_runtime = is_main && !f.is_async && !f.runtime_attr;
    super::select::on_fn_docs(&mut w, f);
    w.sync_test = !f.is_async && f.test_attr;
    let mut params = outer_generics.to_vec();
    params.extend(f.generics.iter().cloned());
    w.set_generics(&params);
    for input in f.params.iter() {
        match input {
            ir::Param::SelfParam => {
                let val = w.self_ty.clone().map(Val::typed).unwrap_or_default();
                w.declare_param("self", val);
            }
            ir::Param::Typed(pat, ty) => {
                let val = w.val_of_ty(ty, m, 0);
                w.bind_param_pattern(pat, val);
            }
        }
    }
    if f.returns_iterator {
        if let Some(tail) = f.body.tail() {
            w.deferred_closures = lazy_chain_closures(tail);
        }
    }
    w.block_value(&f.body);
    w.finish();
}

pub(super) struct Walker<'a, 'f> {
    cx: &'a WalkCx<'a>,
    module: ModId,
    self_ty: Option<String>,
    facts: &'f mut Vec<Fact>,
    scopes: Scopes,
    ctx: ExecContext,
    loop_depth: usize,
    /// The scope depth at the start of each enclosing loop (see [`super::select`]).
    loop_scopes: Vec<usize>,
    /// In a sync `fn main` with no runtime entered.
    no_runtime: bool,
    body: usize,
    next_body: usize,
    /// The indexed function being walked.
    owner: Option<FnId>,
    /// A runtime was entered (`rt.enter()`) earlier in this function.
    entered: bool,
    /// Inside the arguments of a macro whose meaning is unknown: nothing is reported there.
    quiet: usize,
    /// In a plain `#[test] fn` (and the closures and async blocks in it): a future kept in a
    /// `_name` binding or dropped by name there is held on purpose, to test what creating or
    /// dropping it does (panics, laziness, drop order).
    sync_test: bool,
    depth: usize,
    /// Generic parameters in scope (the impl's and the fn's) and what their bounds mean.
    generics: Vec<(String, Val)>,
    /// Set while an argument of a spawning call is evaluated: an async block there whose tail is
    /// a future hands that future to the task as its output, unpolled.
    spawned_arg: bool,
    /// The call whose arguments are being evaluated spawns a task with them.
    spawning: bool,
    /// Closures of the lazy iterator chain a function returns (by address).
    deferred_closures: Vec<*const ir::Closure>,
    /// The runtime-building fact of the `let` being evaluated, if any (index in `facts`).
    last_built: Option<usize>,
    /// Locals holding a runtime built in this body, with their fact.
    built_runtimes: Vec<(String, usize)>,
    /// Inside a `move` closure handed to an offloading call (`thread::spawn(move || ..)`).
    moved_offloaded: usize,
    /// Facts withdrawn before the walk ends (a runtime moved to another thread).
    retracted: Vec<usize>,
    /// The `let` being bound carries a `#[cfg]`: a binding of the same name under another
    /// `#[cfg]` is an alternative, not shadowing.
    cfg_local: bool,
    /// Inside a closure given to a lazy adaptor whose result the function returns: the
    /// closure's effects are not the function's own (it only builds the closure).
    deferred: usize,
}

/// Deeper than this, an expression is skipped (the nesting pre-check keeps real input far below).
const MAX_EXPR_DEPTH: usize = 2000;

impl<'a, 'f> Walker<'a, 'f> {
    fn new(
        cx: &'a WalkCx<'a>,
        module: ModId,
        self_ty: Option<String>,
        facts: &'f mut Vec<Fact>,
        ctx: ExecContext,
    ) -> Self {
        let mut scopes = Scopes::default();
        scopes.push();
        Walker {
            cx,
            module,
            self_ty,
            facts,
            scopes,
            ctx,
            loop_depth: 0,
            loop_scopes: Vec::new(),
            no_runtime: false,
            body: 0,
            next_body: 1,
            owner: None,
            entered: false,
            quiet: 0,
            sync_test: false,
            depth: 0,
            generics: Vec::new(),
            spawned_arg: false,
            spawning: false,
            cfg_local: false,
            deferred: 0,
            deferred_closures: Vec::new(),
            last_built: None,
            built_runtimes: Vec::new(),
            moved_offloaded: 0,
            retracted: Vec::new(),
        }
    }

    /// `tokio::spawn(async move { client.send(x) })`: the task's output is the tail's future,
    /// which nothing polls.
    fn task_output(&mut self, block: &ir::Block, tail: &Val) {
        let Some(e) = block.tail() else {
            return;
        };
        if !tail.is_future() {
            return;
        }
        let span = e.span;
        let fix = e.awaitable().then_some(Edit {
            span: Span {
                start: span.end,
                end: span.end,
            },
            text: ".await".into(),
        });
        self.report_lost(tail, DropHow::Statement, span, fix);
    }

    /// Binds the generic parameters in scope to what their bounds mean (twice, so that
    /// `C: FnOnce() -> Fut, Fut: Future` sees `Fut`).
    fn set_generics(&mut self, params: &[(String, Ty)]) {
        for _ in 0..2 {
            let vals = params
                .iter()
                .map(|(n, t)| (n.clone(), self.val_of_ty(t, self.module, 0)))
                .collect();
            self.generics = vals;
        }
    }

    fn types(&self) -> super::types_env::TypeCx<'a> {
        super::types_env::TypeCx {
            index: self.cx.index,
            knowledge: self.cx.knowledge,
            module: self.module,
        }
    }

    fn finish(mut self) {
        while self.scopes.depth() > 0 {
            self.pop_scope();
        }
        let mut gone = std::mem::take(&mut self.retracted);
        gone.sort_unstable();
        gone.dedup();
        for i in gone.into_iter().rev() {
            if i < self.facts.len() {
                self.facts.remove(i);
            }
        }
    }

    fn push_fact(&mut self, span: Span, kind: FactKind) {
        if self.quiet == 0 {
            self.facts.push(Fact {
                span,
                ctx: self.ctx,
                owner: if self.deferred > 0 { None } else { self.owner },
                kind,
            });
        }
    }

    // ----- scopes and bindings -------------------------------------------------------------

    fn pop_scope(&mut self) {
        let Some(scope) = self.scopes.pop() else {
            return;
        };
        for b in scope.bindings {
            if !b.used && !b.param {
                self.report_lost(&b.val, DropHow::UnusedBinding(b.name.clone()), b.span, None);
            }
        }
    }

    fn declare(&mut self, name: String, val: Val, span: Span) {
        let body = self.body;
        let cfg = self.cfg_local;
        let scope = self.scopes.current();
        let shadowed = scope
            .latest(&name)
            .filter(|b| !b.used && !b.param)
            .and_then(|b| {
                b.used = true;
                // `#[cfg(unix)] let x = ..; #[cfg(not(unix))] let x = ..;`: only one exists.
                (!(cfg && b.cfg)).then(|| (b.val.clone(), b.span))
            });
        scope.declare(Binding {
            name: name.clone(),
            val,
            used: false,
            span,
            param: false,
            body,
            guard_done: false,
            cfg,
        });
        if let Some((old, old_span)) = shadowed {
            self.report_lost(&old, DropHow::Shadowed(name), old_span, None);
        }
    }

    fn declare_param(&mut self, name: &str, val: Val) {
        let body = self.body;
        self.scopes.current().declare(Binding {
            name: name.to_string(),
            val,
            used: false,
            span: Span::default(),
            param: true,
            body,
            guard_done: false,
            cfg: false,
        });
    }

    fn bind_param_pattern(&mut self, pat: &ir::Pat, val: Val) {
        match pat {
            ir::Pat::Ident { name, .. } => self.declare_param(name, val),
            ir::Pat::Type(p, _) => self.bind_param_pattern(p, val),
            ir::Pat::Ref(p) => self.bind_param_pattern(p, val),
            other => {
                for name in other.idents() {
                    self.declare_param(&name, Val::Unknown);
                }
            }
        }
    }

    /// Binds the names of a `let`/`for`/`match` pattern to (parts of) a value.
    fn bind_pattern(&mut self, pat: &ir::Pat, val: Val, span: Span) {
        match pat {
            ir::Pat::Wild => self.report_lost(&val, DropHow::LetUnderscore, span, None),
            ir::Pat::Ident { name, sub } => {
                if let Some(sub) = sub {
                    self.bind_pattern(sub, Val::Unknown, span);
                }
                self.declare(name.clone(), val, span);
            }
            ir::Pat::Type(p, ty) => {
                let ann = self.val_of_ty(ty, self.module, 0);
                let val = if ann == Val::Unknown { val } else { ann };
                self.bind_pattern(p, val, span);
            }
            ir::Pat::Ref(p) => self.bind_pattern(p, val, span),
            ir::Pat::Paren(p) => self.bind_pattern(p, val, span),
            ir::Pat::Tuple(elems) => {
                let parts = match val {
                    Val::Tuple(parts) if parts.len() == elems.len() => parts,
                    _ => vec![Val::Unknown; elems.len()],
                };
                for (p, v) in elems.iter().zip(parts) {
                    self.bind_pattern(p, v, span);
                }
            }
            ir::Pat::TupleStruct { path, elems } if elems.len() == 1 => {
                let variant = path.last().map(String::as_str).unwrap_or_default();
                let inner = if matches!(variant, "Some" | "Ok") {
                    val.unwrapped()
                } else {
                    self.field_val(path, "0")
                };
                if let Some(p) = elems.first() {
                    self.bind_pattern(p, inner, span);
                }
            }
            // `let Self { tx, .. } = self;`: each field gets its declared type.
            ir::Pat::Struct { path, fields } => {
                for (name, p) in fields.iter() {
                    let v = self.field_val(path, name);
                    self.bind_pattern(p, v, span);
                }
            }
            other => {
                for name in other.idents() {
                    self.declare(name, Val::Unknown, span);
                }
            }
        }
    }

    /// Whether `e` names a binding that was already used (polled by hand, borrowed, ...):
    /// dropping such a value afterwards is not losing it.
    fn binding_used_before(&mut self, e: &ir::Expr) -> bool {
        e.bare_ident()
            .and_then(|n| self.scopes.lookup(n).map(|b| b.used))
            .unwrap_or(false)
    }

    /// The declared type of field `name` of the struct a pattern's path names.
    fn field_val(&self, path: &[String], name: &str) -> Val {
        let Res::Type(ty) = self.resolve_path(path, Ns::Type) else {
            return Val::Unknown;
        };
        self.types().field_of(
            &Val::typed(ty),
            name,
            self.self_ty.as_deref(),
            &self.generics,
        )
    }

    fn mark_used(&mut self, name: &str) {
        self.scopes.use_name(name);
    }

    // ----- facts ---------------------------------------------------------------------------

    fn report_lost(&mut self, val: &Val, how: DropHow, span: Span, await_fix: Option<Edit>) {
        if self.sync_test && matches!(&how, DropHow::UnusedBinding(name) if name.starts_with('_')) {
            return;
        }
        if matches!(how, DropHow::Statement | DropHow::LetUnderscore) {
            if let Some(origin) = self.future_object(val) {
                let fut = Val::future(origin);
                return self.report_lost(&fut, how, span, await_fix);
            }
        }
        if let Some((value, origin)) = val.droppable_kind() {
            let origin = origin.to_string();
            let await_fix = match await_fix {
                Some(edit) if self.ctx == ExecContext::Async => Some(AwaitFix {
                    edit,
                    output: val.await_output(),
                    in_result_fn: self.body == 0
                        && self
                            .owner
                            .is_some_and(|id| returns_result(&self.cx.index.fn_info(id).sig.ret)),
                }),
                _ => None,
            };
            self.push_fact(
                span,
                FactKind::Dropped {
                    value,
                    how,
                    origin,
                    await_fix,
                },
            );
        }
    }

    /// A value of a nominal type that is itself a future (a workspace struct implementing
    /// `Future` or `IntoFuture`, tokio's `LocalSet`): dropping it as a statement or into `_` loses
    /// the work it stands for. Only those two forms count: such values are also kept in
    /// bindings for other reasons (polled by hand, dropped on purpose), and names of handles and
    /// channel ends are never taken for futures.
    fn future_object(&self, val: &Val) -> Option<String> {
        let Val::Typed { path, .. } = val else {
            return None;
        };
        let name = short_type(path);
        let future = if self.cx.index.type_info(path).is_some() {
            (self.cx.index.implements(path, "Future")
                || self.cx.index.implements(path, "IntoFuture"))
                && !crate::knowledge::is_handle_like_name(name)
                && self.types().lazy_on_drop(path)
        } else {
            self.cx.knowledge.is_future_object(path)
        };
        future.then(|| format!("type `{name}`"))
    }

    fn effect(&mut self, effect: Effect, callee: String, span: Span) {
        if effect == Effect::NeedsRuntime && self.entered {
            return;
        }
        let in_loop = self.loop_depth > 0;
        let no_runtime = self.no_runtime;
        if effect == Effect::BuildsRuntime && self.quiet == 0 {
            self.last_built = Some(self.facts.len());
        }
        self.push_fact(
            span,
            FactKind::Call {
                effect,
                callee,
                in_loop,
                no_runtime,
                chain: Vec::new(),
            },
        );
    }

    fn on_await(&mut self, await_span: Span) {
        let body = self.body;
        for (guard, span) in self.scopes.take_live_guards(body) {
            self.push_fact(span, FactKind::GuardAcrossAwait { guard, await_span });
        }
    }

    /// Releases a guard bound to `name` (moved into a call, or dropped).
    fn release(&mut self, name: &str) {
        if let Some(b) = self.scopes.lookup(name) {
            if b.val == Val::SyncGuard {
                b.guard_done = true;
            }
        }
    }

    // ----- bodies, blocks, statements ------------------------------------------------------

    fn block_value(&mut self, block: &ir::Block) -> Val {
        self.scopes.push();
        self.register_block_items(&block.stmts);
        let mut last = Val::Unknown;
        for (i, stmt) in block.stmts.iter().enumerate() {
            let is_tail = i + 1 == block.stmts.len();
            last = self.stmt(stmt, is_tail);
        }
        self.pop_scope();
        last
    }

    /// `use` and `fn` items declared in a block are visible in all of it.
    fn register_block_items(&mut self, stmts: &[ir::Stmt]) {
        for stmt in stmts {
            match stmt {
                ir::Stmt::Item(ir::Item::Use(uses)) => {
                    for u in uses.iter() {
                        if u.glob {
                            self.scopes.current().globs.push(u.target.clone());
                        } else {
                            self.scopes
                                .current()
                                .uses
                                .insert(u.alias.clone(), u.target.clone());
                        }
                    }
                }
                ir::Stmt::Item(ir::Item::Fn(f)) => {
                    if let Some(sig) = &f.local_sig {
                        let sig = FnSig::clone(sig);
                        self.scopes.current().fns.insert(sig.name.clone(), sig);
                    }
                }
                _ => {}
            }
        }
    }

    fn stmt(&mut self, stmt: &ir::Stmt, is_tail: bool) -> Val {
        match stmt {
            ir::Stmt::Let(local) => {
                let span = local.span;
                self.last_built = None;
                let val = match &local.init {
                    Some(init) => {
                        let v = self.eval(init);
                        if let Some(diverge) = &local.diverge {
                            self.eval(diverge);
                        }
                        v
                    }
                    None => Val::Unknown,
                };
                let init_span = local.init.as_ref().map(|i| i.span).unwrap_or(span);
                // Report at the `let` line, where the future was made.
                let report_span = Span {
                    start: span.start,
                    end: init_span.end,
                };
                // `let rt = Builder::..build()?;`: moving `rt` into a thread's closure later
                // takes the runtime out of async code.
                if let (Some(i), ir::Pat::Ident { name, .. }) = (self.last_built.take(), &local.pat)
                {
                    self.built_runtimes.push((name.clone(), i));
                }
                self.cfg_local = local.cfg;
                match &local.init {
                    // `let _ = fut;`: `.await` goes after the initialiser.
                    Some(init)
                        if matches!(local.pat, ir::Pat::Wild)
                            && local.diverge.is_none()
                            && init.awaitable() =>
                    {
                        let fix = await_edit(init_span);
                        self.report_lost(&val, DropHow::LetUnderscore, report_span, Some(fix));
                    }
                    _ => self.bind_pattern(&local.pat, val, report_span),
                }
                self.cfg_local = false;
                Val::Unknown
            }
            ir::Stmt::Expr { expr: e, semi } => {
                let v = self.eval(e);
                if *semi {
                    let span = e.span;
                    let fix = e.awaitable().then(|| await_edit(span));
                    self.report_lost(&v, DropHow::Statement, span, fix);
                    Val::Unknown
                } else if is_tail {
                    v
                } else {
                    Val::Unknown
                }
            }
            ir::Stmt::Pin { span, form } => {
                // `tokio::pin!(fut);` re-binds `fut` to the pinned future: it must still be
                // polled through the new name.
                match form {
                    ir::PinForm::Names(names) => {
                        for name in names.iter() {
                            let val = self.scopes.use_name(name).unwrap_or_default();
                            self.declare(name.clone(), val, *span);
                        }
                    }
                    // `tokio::pin! { let f1 = one(); let f2 = two(); }`: the `let`s bind
                    // pinned futures under their own names.
                    ir::PinForm::Lets(stmts) => {
                        for s in stmts.iter() {
                            self.stmt(s, false);
                        }
                    }
                    ir::PinForm::Macro(mac) => {
                        self.eval_macro(mac);
                    }
                }
                Val::Unknown
            }
            ir::Stmt::Macro { mac, span, semi } => {
                let v = self.eval_macro(mac);
                if *semi {
                    self.report_lost(&v, DropHow::Statement, *span, None);
                }
                Val::Unknown
            }
            ir::Stmt::Item(item) => {
                self.nested_item(item);
                Val::Unknown
            }
            ir::Stmt::Other => Val::Unknown,
        }
    }

    fn nested_item(&mut self, item: &ir::Item) {
        let mut nested = Vec::new();
        match item {
            ir::Item::Fn(f) => walk_fn(self.cx, self.module, None, &[], f, false, &mut nested),
            ir::Item::Use(_) => {}
            _ => walk_items(
                self.cx,
                std::slice::from_ref(item),
                &mut Vec::new(),
                Some(self.module),
                &mut nested,
                1,
            ),
        }
        if self.quiet == 0 {
            self.facts.extend(nested);
        }
    }

    /// Runs `f` in a new body (async block, closure) with its own context.
    fn in_body<T>(&mut self, ctx: ExecContext, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = (self.ctx, self.loop_depth, self.body);
        self.ctx = ctx;
        self.loop_depth = 0;
        self.body = self.next_body;
        self.next_body += 1;
        let out = f(self);
        (self.ctx, self.loop_depth, self.body) = saved;
        out
    }

    // ----- expressions ---------------------------------------------------------------------

    fn eval(&mut self, e: &ir::Expr) -> Val {
        if self.depth > MAX_EXPR_DEPTH {
            return Val::Unknown;
        }
        self.depth += 1;
        let v = self.eval_inner(e);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, e: &ir::Expr) -> Val {
        match &e.kind {
            ExprKind::Path(p) => self.eval_path(p),
            ExprKind::Call(c) => self.eval_call(c, e.span),
            ExprKind::MethodCall(mc) => self.eval_method_call(mc, e.span),
            ExprKind::Await { base, await_span } => {
                super::select::on_await(self, base);
                let v = self.eval(base);
                self.on_await(*await_span);
                match v {
                    Val::Future {
                        output: Some(o), ..
                    } => *o,
                    _ => Val::Unknown,
                }
            }
            ExprKind::Try(inner) => self.eval(inner).unwrapped(),
            ExprKind::Async(a) => {
                let spawned = std::mem::take(&mut self.spawned_arg);
                self.in_body(ExecContext::Async, |w| {
                    let tail = w.block_value(&a.block);
                    if spawned {
                        w.task_output(&a.block, &tail);
                    }
                });
                Val::future(format!("the async block at line {}", a.line))
            }
            ExprKind::Closure(c) => self.eval_closure(c, None),
            ExprKind::Block(b) => self.block_value(b),
            ExprKind::TryBlock(b) => {
                self.block_value(b);
                Val::Unknown
            }
            ExprKind::Paren(inner) | ExprKind::Group(inner) | ExprKind::Ref(inner) => {
                self.eval(inner)
            }
            ExprKind::Unary { deref, expr } => {
                let v = self.eval(expr);
                // `*guard` is the guarded value, not the guard.
                if *deref && v != Val::SyncGuard {
                    v
                } else {
                    Val::Unknown
                }
            }
            ExprKind::Field { base, member } => {
                let base = self.eval(base);
                if let Val::Tuple(parts) = base {
                    return member
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| parts.get(i).cloned())
                        .unwrap_or_default();
                }
                self.types()
                    .field_of(&base, member, self.self_ty.as_deref(), &self.generics)
            }
            ExprKind::If(i) => {
                self.scopes.push();
                self.eval(&i.cond);
                let then = self.block_value(&i.then);
                self.pop_scope();
                let other = i.otherwise.as_ref().map(|e| self.eval(e));
                match other {
                    Some(o) if o.is_future() && then.is_future() => then,
                    _ => Val::Unknown,
                }
            }
            ExprKind::Let(l) => {
                let v = self.eval(&l.expr);
                self.bind_refutable(&l.pat, v, e.span);
                Val::Unknown
            }
            ExprKind::Match(m) => {
                let scrutinee = self.eval(&m.expr);
                for arm in m.arms.iter() {
                    self.scopes.push();
                    self.bind_refutable(&arm.pat, scrutinee.clone(), arm.pat_span);
                    if let Some(guard) = &arm.guard {
                        self.eval(guard);
                    }
                    self.eval(&arm.body);
                    self.pop_scope();
                }
                Val::Unknown
            }
            ExprKind::For(f) => {
                let coll = self.eval(&f.expr);
                // Owned elements of a vector of futures or handles (`for t in tasks`); a
                // borrowed collection gives references, whose loss is nothing.
                let by_ref = matches!(f.expr.kind, ExprKind::Ref(_));
                let elem = super::patterns::iter_item(&coll, by_ref);
                self.loop_depth += 1;
                self.loop_scopes.push(self.scopes.depth());
                self.scopes.push();
                self.bind_refutable(&f.pat, elem, f.pat_span);
                // An element left unused in the loop body stays in the caller's hands no less
                // than before the loop: only dropping it by statement, `_` or `drop` counts.
                for name in f.pat.idents() {
                    self.mark_used(&name);
                }
                self.block_value(&f.body);
                self.pop_scope();
                self.loop_depth -= 1;
                self.loop_scopes.pop();
                Val::Unknown
            }
            ExprKind::While { cond, body } => {
                self.loop_depth += 1;
                self.loop_scopes.push(self.scopes.depth());
                self.scopes.push();
                self.eval(cond);
                self.block_value(body);
                self.pop_scope();
                self.loop_depth -= 1;
                self.loop_scopes.pop();
                Val::Unknown
            }
            ExprKind::Loop(body) => {
                self.loop_depth += 1;
                self.loop_scopes.push(self.scopes.depth());
                self.block_value(body);
                self.loop_depth -= 1;
                self.loop_scopes.pop();
                Val::Unknown
            }
            ExprKind::Other(children) | ExprKind::Array(children) => {
                for c in children.iter() {
                    self.eval(c);
                }
                Val::Unknown
            }
            ExprKind::Cast { expr, dyn_trait } => {
                self.eval(expr);
                self.trait_object_val(dyn_trait.as_deref())
            }
            ExprKind::Tuple(elems) => Val::Tuple(elems.iter().map(|e| self.eval(e)).collect()),
            ExprKind::Struct { path, exprs } => {
                for e in exprs.iter() {
                    self.eval(e);
                }
                match self.resolve_path(path, Ns::Type) {
                    Res::Type(p) => Val::typed(p),
                    _ => Val::Unknown,
                }
            }
            ExprKind::Macro(m) => self.eval_macro(m),
            ExprKind::Opaque => Val::Unknown,
        }
    }

    /// `x as &dyn Trait` for a trait of the workspace: its methods are the trait's.
    fn trait_object_val(&self, dyn_trait: Option<&[String]>) -> Val {
        let Some(path) = dyn_trait else {
            return Val::Unknown;
        };
        match self.resolve_path(path, Ns::Type) {
            Res::Type(p) if self.cx.index.is_trait(&p) => Val::typed(p),
            _ => Val::Unknown,
        }
    }

    /// Patterns of `if let`, `while let`, `match` arms and `for`: a `_` there is not a drop.
    fn bind_refutable(&mut self, pat: &ir::Pat, val: Val, span: Span) {
        match pat {
            ir::Pat::Wild => {}
            ir::Pat::Or(cases) => {
                for name in cases.first().map(ir::Pat::idents).unwrap_or_default() {
                    self.declare(name, Val::Unknown, span);
                }
            }
            _ => self.bind_pattern(pat, val, span),
        }
        // Names bound by refutable patterns are often only used inside: count them as used.
        for name in pat.idents() {
            if let Some(b) = self.scopes.lookup(&name) {
                if !b.val.is_future() {
                    b.used = true;
                }
            }
        }
    }

    fn eval_path(&mut self, p: &ir::Path) -> Val {
        let plain = p.qself == ir::QSelf::None;
        if plain && p.segs.len() == 1 {
            let name = &p.segs[0];
            if let Some(v) = self.scopes.use_name(name) {
                if self.moved_offloaded > 0 {
                    let moved = self.built_runtimes.iter().filter(|(n, _)| n == name);
                    self.retracted.extend(moved.map(|(_, i)| *i));
                }
                return v;
            }
        }
        // A unit struct of the workspace used as a value (`Never`).
        let capitalised = p
            .segs
            .last()
            .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_uppercase()));
        if plain && capitalised {
            if let Res::Type(ty) = self.resolve_path(&p.segs, Ns::Value) {
                if self.cx.index.type_info(&ty).is_some_and(|t| t.def.is_unit) {
                    return Val::typed(ty);
                }
            }
        }
        Val::Unknown
    }

    fn eval_closure(&mut self, c: &ir::Closure, ctx_override: Option<ExecContext>) -> Val {
        let is_async = c.is_async;
        let ctx = if is_async {
            ExecContext::Async
        } else {
            ctx_override.unwrap_or(self.ctx)
        };
        let deferred = self.deferred_closures.contains(&(c as *const _));
        self.deferred += usize::from(deferred);
        let moved = ctx_override == Some(ExecContext::Offloaded) && c.is_move;
        self.moved_offloaded += usize::from(moved);
        let ret = self.in_body(ctx, |w| {
            w.scopes.push();
            for input in c.inputs.iter() {
                let val = match input {
                    ir::Pat::Type(_, ty) => w.val_of_ty(ty, w.module, 0),
                    _ => Val::Unknown,
                };
                w.bind_param_pattern(input, val);
            }
            let body = w.eval(&c.body);
            w.pop_scope();
            body
        });
        self.deferred -= usize::from(deferred);
        self.moved_offloaded -= usize::from(moved);
        if is_async {
            let origin = format!("the async closure at line {}", c.line);
            return Val::Callable(Box::new(Val::future(origin)));
        }
        match ret {
            Val::Future { .. } => {
                let origin = format!("the closure at line {}", c.line);
                Val::Callable(Box::new(Val::future(origin)))
            }
            _ => Val::Callable(Box::new(Val::Unknown)),
        }
    }

    /// Evaluates call arguments: closures run in `arg_ctx`, values dropped by a dropper are lost.
    fn eval_args<'e>(
        &mut self,
        args: impl Iterator<Item = &'e ir::Expr>,
        role: Role,
        callee: &str,
    ) -> Vec<Val> {
        let arg_ctx = match role {
            Role::Offloads => Some(ExecContext::Offloaded),
            _ => None,
        };
        let spawning = std::mem::take(&mut self.spawning);
        let mut vals = Vec::new();
        for arg in args {
            let polled_before = self.binding_used_before(arg);
            self.spawned_arg = spawning && matches!(arg.kind, ExprKind::Async(_));
            let v = match (&arg.kind, arg_ctx) {
                (ExprKind::Closure(c), Some(ctx)) => {
                    let v = self.eval_closure(c, Some(ctx));
                    // `thread::spawn(|| async { .. })`: the thread only builds the future.
                    if matches!(&v, Val::Callable(ret) if ret.is_future()) {
                        let span = arg.span;
                        let fut = Val::future("a closure run on another thread");
                        self.report_lost(&fut, DropHow::Statement, span, None);
                    }
                    v
                }
                _ => self.eval(arg),
            };
            self.spawned_arg = false;
            if let Some(name) = arg.bare_ident() {
                self.release(name);
            }
            let deliberate = self.sync_test && arg.bare_ident().is_some();
            if role == Role::Dropper && !polled_before && !deliberate {
                let span = arg.span;
                self.report_lost(&v, DropHow::ExplicitDrop(callee.to_string()), span, None);
            }
            vals.push(v);
        }
        vals
    }

    fn eval_call(&mut self, call: &ir::Call, span: Span) -> Val {
        let ExprKind::Path(p) = &call.func.kind else {
            let f = self.eval(&call.func);
            self.eval_args(call.args.iter(), Role::Plain, "");
            return match f {
                Val::Callable(ret) => *ret,
                _ => Val::Unknown,
            };
        };
        let mut segs = p.segs.to_vec();
        // `<Self>::f(..)` and `<Type>::f(..)` (no trait) are `Self::f(..)` and `Type::f(..)`.
        if let ir::QSelf::Plain(ty_segs) = &p.qself {
            let mut full = ty_segs.to_vec();
            full.append(&mut segs);
            segs = full;
        }
        if p.qself == ir::QSelf::None && segs.len() == 1 {
            if let Some(Val::Callable(ret)) = self.scopes.use_name(&segs[0]) {
                self.eval_args(call.args.iter(), Role::Plain, "");
                return match *ret {
                    Val::Future { output, .. } => Val::Future {
                        output,
                        origin: format!("`{}`", segs[0]),
                    },
                    other => other,
                };
            }
            if let Some(sig) = self.scopes.local_fn(&segs[0]).cloned() {
                self.eval_args(call.args.iter(), Role::Plain, "");
                return self.val_of_sig(&sig, self.module, None);
            }
        }
        if p.qself == ir::QSelf::Other {
            self.eval_args(call.args.iter(), Role::Plain, "");
            return Val::Unknown;
        }
        match self.resolve_path(&segs, Ns::Value) {
            Res::Fn(id) => {
                let internal = &self.cx.index.fn_info(id).path;
                if let Some((path, api)) = self.cx.knowledge.function_in_crate(internal) {
                    if self.table_agrees(api, &self.val_of_fn(id), &[id]) {
                        return self.call_api(call, path.to_string(), api, span);
                    }
                }
                let role = if self.cx.index.fn_info(id).sig.offloads_param {
                    Role::Offloads
                } else {
                    Role::Plain
                };
                self.eval_args(call.args.iter(), role, "");
                self.record_call(&[id], span);
                self.val_of_fn(id)
            }
            Res::Assoc(ty, name) => {
                let ids = self.cx.index.methods_of(&ty, &name);
                if let Some((path, api)) = self
                    .cx
                    .knowledge
                    .function_in_crate(&format!("{ty}::{name}"))
                {
                    if !ids.is_empty() && self.table_agrees(api, &self.val_of_fns(&ids), &ids) {
                        return self.call_api(call, path.to_string(), api, span);
                    }
                }
                self.eval_args(call.args.iter(), Role::Plain, "");
                if !ids.is_empty() {
                    self.record_call(&ids, span);
                    return self.val_of_fns(&ids);
                }
                if CONSTRUCTORS.contains(&name.as_str())
                    || name.starts_with("from")
                    || name.starts_with("with_")
                {
                    return Val::typed(ty);
                }
                Val::Unknown
            }
            Res::Type(ty) => {
                self.eval_args(call.args.iter(), Role::Plain, "");
                Val::typed(ty)
            }
            Res::External(path) => match self.cx.knowledge.function(&path) {
                Some(api) => self.call_api(call, path, api, span),
                None => {
                    self.eval_args(call.args.iter(), Role::Plain, "");
                    self.external_constructor(&path)
                }
            },
            Res::Module(_) | Res::Unknown => {
                self.eval_args(call.args.iter(), Role::Plain, "");
                Val::Unknown
            }
        }
    }

    /// Records an edge of the call graph: a call that resolves to exactly one sync function of
    /// the workspace (`async fn` callees run where they are awaited and are checked there).
    fn record_call(&mut self, ids: &[FnId], span: Span) {
        let [id] = ids else { return };
        let sig = &self.cx.index.fn_info(*id).sig;
        if sig.is_async || sig.runtime_attr || self.owner == Some(*id) {
            return;
        }
        let (in_loop, no_runtime) = (self.loop_depth > 0, self.no_runtime);
        self.push_fact(
            span,
            FactKind::CallsFn {
                callee: *id,
                in_loop,
                no_runtime,
            },
        );
    }

    /// A table entry describes an item of the analysed workspace (tokio analysed itself) only
    /// when the item's own signature gives the same kind of value: tokio's internal sync
    /// `loom::thread::yield_now` is not `tokio::task::yield_now`.
    fn table_agrees(&self, api: Api, own: &Val, ids: &[FnId]) -> bool {
        // A dependency's item (read from its sources): the tables describe its public API.
        if ids
            .iter()
            .all(|&id| self.cx.index.is_dep_file(self.cx.index.fn_info(id).file))
        {
            return true;
        }
        let table = self.val_of_api(api, "", Vec::new());
        // tokio's own `sleep` returns its own `Sleep`, a type that implements `Future`.
        if let Some(p) = own.path() {
            if self.cx.index.implements_future(p) {
                return matches!(table, Val::Future { .. } | Val::TaskHandle { .. });
            }
        }
        std::mem::discriminant(&table) == std::mem::discriminant(own)
    }

    /// A call of a known API: its arguments per its role, its effect, its value.
    fn call_api(&mut self, call: &ir::Call, path: String, api: Api, span: Span) -> Val {
        self.spawning = api.ret == Ret::TaskHandle && api.role == Role::Plain;
        let args = self.eval_args(call.args.iter(), api.role, &path);
        if let Some(effect) = api.effect {
            self.effect(effect, path.clone(), span);
        }
        self.val_of_api(api, &path, args)
    }

    /// `Foo::new(..)` of a type outside the context gives a `Foo`.
    fn external_constructor(&self, path: &str) -> Val {
        let mut segs: Vec<&str> = path.split("::").collect();
        let Some(name) = segs.pop() else {
            return Val::Unknown;
        };
        let Some(ty_name) = segs.last() else {
            return Val::Unknown;
        };
        let is_type = ty_name.starts_with(|c: char| c.is_ascii_uppercase());
        if is_type
            && (CONSTRUCTORS.contains(&name)
                || name.starts_with("from")
                || name.starts_with("with_"))
        {
            let ty = segs.join("::");
            return Val::typed(self.cx.knowledge.canonical_type(&ty).to_string());
        }
        Val::Unknown
    }

    fn eval_method_call(&mut self, mc: &ir::MethodCall, span: Span) -> Val {
        let recv_was_used = mc
            .receiver
            .bare_ident()
            .and_then(|n| self.scopes.lookup(n).map(|b| b.used))
            .unwrap_or(true);
        let recv = self.eval(&mc.receiver);
        let name = mc.method.clone();
        let k = self.cx.knowledge;
        let mut api: Option<Api> = None;
        let mut result = Val::Unknown;
        match &recv {
            Val::Future { origin, .. } if FUTURE_COMBINATORS.contains(&name.as_str()) => {
                result = Val::future(origin.clone());
            }
            Val::Typed { path, args } => {
                if matches!(
                    name.as_str(),
                    "unwrap"
                        | "expect"
                        | "unwrap_or_default"
                        | "unwrap_or_else"
                        | "unwrap_unchecked"
                ) {
                    result = recv.unwrapped();
                } else if matches!(
                    name.as_str(),
                    "clone" | "as_ref" | "as_mut" | "borrow" | "borrow_mut" | "by_ref"
                ) {
                    result = Val::Typed {
                        path: path.clone(),
                        args: args.clone(),
                    };
                } else if let Some(v) = super::patterns::view_method(&recv, &name) {
                    result = v;
                } else if self.cx.index.type_info(path).is_some() {
                    let ids = self.cx.index.methods_of(path, &name);
                    if ids.is_empty() && self.cx.index.implements(path, "Stream") {
                        // `StreamExt` methods on a stream type of the workspace.
                        api = crate::knowledge::streams::method(&name);
                    } else if !ids.is_empty() {
                        result = self.val_of_fns(&ids);
                        api = k
                            .method(path, &name)
                            .filter(|a| self.table_agrees(*a, &result, &ids));
                        // A call the tables describe has its effect directly: its
                        // internals are not followed.
                        if api.is_none() {
                            self.record_call(&ids, span);
                        }
                    }
                } else if let Some(a) = k.method(path, &name) {
                    api = Some(a);
                }
            }
            Val::ThreadHandle { .. } if name == "join" => api = Some(crate::knowledge::BLOCKING),
            Val::Unknown => {
                if name == "block_on" {
                    api = Some(crate::knowledge::BLOCK_ON);
                } else if matches!(name.as_str(), "lock" | "read" | "write") && mc.args.is_empty() {
                    result = Val::Typed {
                        path: UNKNOWN_LOCK_RESULT.into(),
                        args: vec![Val::SyncGuard],
                    };
                } else {
                    result = self.unknown_receiver_method(&name, mc.args.len());
                }
            }
            _ => {}
        }
        if name == "enter"
            && recv
                .path()
                .is_some_and(|p| matches!(short_type(p), "Runtime" | "Handle"))
        {
            // `let _guard = rt.enter();`: a runtime is entered for the rest of the body.
            self.no_runtime = false;
            self.entered = true;
        }
        let role = api.map(|a| a.role).unwrap_or(Role::Plain);
        let callee = match (&recv, recv.path()) {
            (_, Some(p)) => format!("{}::{name}", short_type(p)),
            (Val::ThreadHandle { .. }, None) => format!("JoinHandle::{name}"),
            _ => name.clone(),
        };
        self.spawning = api.is_some_and(|a| a.ret == Ret::TaskHandle && a.role == Role::Plain);
        let args = self.eval_args(mc.args.iter(), role, &callee);
        if let Some(v) = self.collection_method(mc, &recv, &name, &args, recv_was_used) {
            return v;
        }
        if api.is_none() && result == Val::Unknown {
            result = map_to_future(&recv, &name, mc, &args);
        }
        if let Some(api) = api {
            if let Some(effect) = api.effect {
                // Messages name the call by its full path (`std::sync::mpsc::Receiver::recv`).
                let full = recv.path().map(|p| format!("{p}::{name}"));
                self.effect(effect, full.unwrap_or_else(|| callee.clone()), span);
            }
            result = self.val_of_api(api, &callee, args);
        }
        result
    }

    /// Vectors of futures and task handles: `v.push(fut)` on a local `Vec` (or a local of unknown
    /// type) records the element kind; `into_iter`, `drain` keep the vector, `remove` and
    /// `swap_remove` give an element. Elements of different kinds make the element unknown.
    fn collection_method(
        &mut self,
        mc: &ir::MethodCall,
        recv: &Val,
        name: &str,
        args: &[Val],
        recv_was_used: bool,
    ) -> Option<Val> {
        let is_vec = |v: &Val| matches!(v.path(), Some(p) if is_vec_path(p));
        match name {
            "push" | "push_back" if args.len() == 1 => {
                let local = mc.receiver.bare_ident()?;
                let elem = &args[0];
                let b = self.scopes.lookup(local)?;
                let pool = matches!(b.val.path(), Some(p) if is_future_pool(p));
                if !(b.val == Val::Unknown || is_vec(&b.val) || pool) {
                    return None;
                }
                let known = match &b.val {
                    Val::Typed { args, .. } => args.first().cloned(),
                    _ => None,
                };
                let merged = match known {
                    None if elem.droppable_kind().is_some() => elem.clone(),
                    None => Val::Unknown,
                    Some(k) if std::mem::discriminant(&k) == std::mem::discriminant(elem) => k,
                    Some(_) => Val::Unknown,
                };
                // Pushing futures is not using the collection: if nothing else does, they are
                // never polled. A collection named `_x` is kept on purpose (futures held alive
                // for their side effects, in tests): pushing into it is not losing them.
                if merged.is_future() && !local.starts_with('_') {
                    b.used = recv_was_used;
                }
                let path = match b.val.path() {
                    Some(p) if pool => p.to_string(),
                    _ => "Vec".into(),
                };
                b.val = Val::Typed {
                    path,
                    args: vec![merged],
                };
                Some(Val::Unknown)
            }
            "into_iter" | "drain" if is_vec(recv) => Some(recv.clone()),
            "remove" | "swap_remove" if is_vec(recv) => Some(vec_elem(recv)),
            _ => None,
        }
    }

    /// A method on a receiver of unknown type: a future only if every definition of that name
    /// in the context that takes as many arguments is async (or returns a future), and the
    /// name is not a common sync one. A definition taking another number of arguments is not
    /// the one called (h2's `send_data(data, end)` is not a crate's own `send_data(chunk)`).
    fn unknown_receiver_method(&self, name: &str, argc: usize) -> Val {
        if COMMON_SYNC_METHODS.contains(&name) {
            return Val::Unknown;
        }
        let ids: Vec<FnId> = self
            .cx
            .index
            .methods_named(name)
            .iter()
            .copied()
            .filter(|&id| self.cx.index.fn_info(id).sig.params == argc)
            .collect();
        if ids.is_empty() {
            return Val::Unknown;
        }
        let vals: Vec<Val> = ids.iter().map(|&id| self.val_of_fn(id)).collect();
        if vals.iter().all(Val::is_future) {
            return Val::future(format!("method `{name}`"));
        }
        Val::Unknown
    }

    fn eval_macro(&mut self, mac: &ir::Macro) -> Val {
        super::macros::eval_macro(self, mac)
    }

    // ----- resolution and values -----------------------------------------------------------

    fn resolve_path(&self, segs: &[String], ns: Ns) -> Res {
        let Some(first) = segs.first() else {
            return Res::Unknown;
        };
        // `T::delay_for(..)` with `T: Runtime`: the bound trait's associated fn.
        if let (Some((_, Val::Typed { path, .. })), 2) =
            (self.generics.iter().find(|(n, _)| n == first), segs.len())
        {
            return Res::Assoc(path.clone(), segs[1].clone());
        }
        if first == "Self" {
            return match (&self.self_ty, segs.len()) {
                (Some(t), 2) => Res::Assoc(t.clone(), segs[1].clone()),
                (Some(t), 1) => Res::Type(t.clone()),
                _ => Res::Unknown,
            };
        }
        if let Some(target) = self.scopes.local_use(first) {
            let mut full = target.clone();
            full.extend_from_slice(&segs[1..]);
            return self.cx.index.resolve_ns(self.module, &full, ns);
        }
        let res = self.cx.index.resolve_ns(self.module, segs, ns);
        if !matches!(res, Res::External(_) | Res::Unknown) {
            return res;
        }
        // Glob imports of the body (`use futures::prelude::*;` then `future::join_all(v)`).
        let index = self.cx.index;
        for glob in self.scopes.local_globs() {
            let found = match index.resolve_type(self.module, glob) {
                Res::Module(gm) => index.resolve_ns(gm, segs, ns),
                Res::External(p) => match crate::knowledge::glob_export(&p, first) {
                    Some(full) => {
                        let mut full: Vec<String> = full.split("::").map(String::from).collect();
                        full.extend_from_slice(&segs[1..]);
                        index.resolve_ns(self.module, &full, ns)
                    }
                    None => Res::Unknown,
                },
                _ => Res::Unknown,
            };
            let unchanged = matches!(&found, Res::External(p) if *p == segs.join("::"));
            if found != Res::Unknown && !unchanged {
                return found;
            }
        }
        res
    }

    fn val_of_fn(&self, id: FnId) -> Val {
        let info = self.cx.index.fn_info(id);
        self.val_of_sig(&info.sig, info.module, info.self_ty.clone())
    }

    /// The value of a call when the callee has several candidate definitions: known only when
    /// they all agree on the kind.
    fn val_of_fns(&self, ids: &[FnId]) -> Val {
        let vals: Vec<Val> = ids.iter().map(|&id| self.val_of_fn(id)).collect();
        let first = vals[0].clone();
        let same_kind = vals
            .iter()
            .all(|v| std::mem::discriminant(v) == std::mem::discriminant(&first));
        if same_kind {
            first
        } else {
            Val::Unknown
        }
    }

    fn val_of_sig(&self, sig: &FnSig, m: ModId, self_ty: Option<String>) -> Val {
        let saved_self = self_ty.or_else(|| self.self_ty.clone());
        let ret = self.val_of_ty_self(&sig.ret, m, saved_self.as_deref(), 0);
        if sig.is_async && sig.runtime_attr {
            // `#[tokio::main] async fn f()` expands to a sync fn that runs the runtime.
            return Val::Unknown;
        }
        if sig.is_async {
            return Val::Future {
                output: Some(Box::new(ret)),
                origin: format!("async fn `{}`", sig.name),
            };
        }
        if sig.ret_is_ref && self.future_object(&ret).is_some() {
            // `&mut Self` of a builder that is also a future: the builder is not dropped here.
            return Val::Unknown;
        }
        match ret {
            Val::Future { output, .. } => Val::Future {
                output,
                origin: format!("fn `{}`", sig.name),
            },
            Val::TaskHandle { .. } => Val::TaskHandle {
                origin: format!("`{}`", sig.name),
            },
            Val::ThreadHandle { .. } => Val::ThreadHandle {
                origin: format!("`{}`", sig.name),
            },
            other => other,
        }
    }

    /// A type written in this body (generic parameters in scope mean their bounds).
    fn val_of_ty(&self, ty: &Ty, m: ModId, depth: usize) -> Val {
        self.types()
            .val_of_ty(ty, m, self.self_ty.as_deref(), &self.generics, depth)
    }

    /// A type written in another item's signature.
    fn val_of_ty_self(&self, ty: &Ty, m: ModId, self_ty: Option<&str>, depth: usize) -> Val {
        self.types().val_of_ty(ty, m, self_ty, &[], depth)
    }

    fn val_of_api(&self, api: Api, callee: &str, args: Vec<Val>) -> Val {
        let origin = format!("`{callee}`");
        match api.ret {
            Ret::Unknown => Val::Unknown,
            Ret::Future(out) => Val::Future {
                output: out.map(|p| Box::new(Val::typed(p))),
                origin,
            },
            Ret::FutureResult(p) => Val::Future {
                output: Some(Box::new(Val::Typed {
                    path: "Result".into(),
                    args: vec![Val::typed(p)],
                })),
                origin,
            },
            Ret::TaskHandle => Val::TaskHandle { origin },
            Ret::ThreadHandle => Val::ThreadHandle { origin },
            Ret::Type(p) => Val::typed(p),
            Ret::ResultOf(p) => Val::Typed {
                path: "Result".into(),
                args: vec![Val::typed(p)],
            },
            Ret::Pair(a, b) => Val::Tuple(vec![Val::typed(a), Val::typed(b)]),
            Ret::Guard => Val::SyncGuard,
            Ret::GuardResult => Val::Typed {
                path: "LockResult".into(),
                args: vec![Val::SyncGuard],
            },
            Ret::FirstArg => args.into_iter().next().unwrap_or_default(),
        }
    }

    // ----- hooks for the macro module -------------------------------------------------------

    pub(super) fn eval_expr(&mut self, e: &ir::Expr) -> Val {
        self.eval(e)
    }

    /// The body of a local nullary macro the call stands for, if any.
    pub(super) fn local_macro(&self, mac: &ir::Macro) -> Option<&'a ir::Expr> {
        // Expanded once: a body that calls a local macro again is not expanded further.
        if self.quiet > 0 {
            return None;
        }
        self.cx.macro_bodies.get(mac.local? as usize)
    }

    pub(super) fn with_quiet<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.quiet += 1;
        let out = f(self);
        self.quiet -= 1;
        out
    }

    pub(super) fn mark_name_used(&mut self, name: &str) {
        self.mark_used(name);
    }

    pub(super) fn scoped<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.scopes.push();
        let out = f(self);
        self.pop_scope();
        out
    }

    pub(super) fn bind_arm_pattern(&mut self, pat: &ir::Pat, span: Span) {
        self.bind_refutable(pat, Val::Unknown, span);
    }

    pub(super) fn stmt_in_macro(&mut self, stmt: &ir::Stmt) {
        self.stmt(stmt, false);
    }

    // ----- hooks for the cancel-safety module ([`super::select`]) ---------------------------

    pub(super) fn file_cx(&self) -> &'a FileCx<'a> {
        self.cx.base
    }

    /// The scope depth where the innermost loop of this body starts, if in one.
    pub(super) fn innermost_loop_scope(&self) -> Option<usize> {
        (self.loop_depth > 0).then(|| self.loop_scopes.last().copied())?
    }

    /// In the own body of the function being walked (not an async block or closure in it).
    pub(super) fn in_fn_body(&self) -> (ExecContext, bool, Option<FnId>) {
        (self.ctx, self.body == 0, self.owner)
    }

    /// The scope index of the binding a name refers to.
    pub(super) fn binding_scope(&self, name: &str) -> Option<usize> {
        self.scopes.scope_of(name)
    }

    pub(super) fn resolve_value(&self, segs: &[String]) -> Res {
        self.resolve_path(segs, Ns::Value)
    }

    pub(super) fn record(&mut self, span: Span, kind: FactKind) {
        self.push_fact(span, kind);
    }
}

/// The marker type of `x.lock()` on a receiver of unknown type: `.unwrap()` of it is a sync
/// guard (a tokio lock would be awaited instead).
const UNKNOWN_LOCK_RESULT: &str = "LockResult";

/// Collections that poll the futures pushed into them once they are polled themselves.
fn is_future_pool(path: &str) -> bool {
    matches!(short_type(path), "FuturesUnordered" | "FuturesOrdered")
}

fn is_vec_path(path: &str) -> bool {
    matches!(short_type(path), "Vec" | "VecDeque")
}

/// The element of a vector value, when known.
fn vec_elem(v: &Val) -> Val {
    match v {
        Val::Typed { path, args } if is_vec_path(path) => args.first().cloned().unwrap_or_default(),
        _ => Val::Unknown,
    }
}

fn short_type(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// Inserts `.await` at the end of `span`.
fn await_edit(span: Span) -> Edit {
    Edit {
        span: Span {
            start: span.end,
            end: span.end,
        },
        text: ".await".into(),
    }
}

/// Whether a declared return type is a `Result` (`io::Result<T>` and `anyhow::Result<T>` too).
fn returns_result(ret: &Ty) -> bool {
    matches!(ret, Ty::Path { segs, .. } if segs.last().is_some_and(|s| s == "Result"))
}

/// The closures given to the lazy adaptors at the top of a returned iterator chain
/// (`paths.into_iter().flat_map(|p| read(p))`): they run when the caller iterates, not here.
fn lazy_chain_closures(tail: &ir::Expr) -> Vec<*const ir::Closure> {
    const LAZY: &[&str] = &[
        "map",
        "flat_map",
        "filter_map",
        "filter",
        "flatten",
        "chain",
        "zip",
        "take_while",
        "skip_while",
        "map_while",
        "scan",
        "inspect",
        "enumerate",
        "skip",
        "take",
        "rev",
        "cloned",
        "copied",
        "peekable",
        "fuse",
        "step_by",
        "into_iter",
        "iter",
    ];
    fn collect(e: &ir::Expr, out: &mut Vec<*const ir::Closure>, depth: usize) {
        if depth > 64 {
            return;
        }
        match &e.kind {
            ExprKind::MethodCall(mc) if LAZY.contains(&mc.method.as_str()) => {
                for arg in mc.args.iter() {
                    match &arg.kind {
                        ExprKind::Closure(c) => out.push(&**c as *const _),
                        _ => collect(arg, out, depth + 1),
                    }
                }
                collect(&mc.receiver, out, depth + 1);
            }
            // `Box::new(chain)`
            ExprKind::Call(c) if c.args.len() == 1 => {
                if let ExprKind::Path(p) = &c.func.kind {
                    if p.segs.first().is_some_and(|s| s == "Box") {
                        collect(&c.args[0], out, depth + 1);
                    }
                }
            }
            ExprKind::Paren(p) => collect(p, out, depth + 1),
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(tail, &mut out, 0);
    out
}

/// `opt.map(|id| client.nack(id))` on an `Option`/`Result` (or a receiver of unknown type):
/// the closure's future is made and handed back inside the result, unpolled.
fn map_to_future(recv: &Val, name: &str, mc: &ir::MethodCall, args: &[Val]) -> Val {
    let wrapper = match recv {
        Val::Unknown => true,
        Val::Typed { path, .. } => matches!(short_type(path), "Option" | "Result"),
        _ => false,
    };
    let closure_future = matches!(
        (mc.args.first().map(|a| &a.kind), args.first()),
        (Some(ExprKind::Closure(c)), Some(Val::Callable(ret)))
            if !c.is_async && ret.is_future()
    );
    if wrapper && name == "map" && args.len() == 1 && closure_future {
        return Val::future("the closure given to `map`");
    }
    Val::Unknown
}
