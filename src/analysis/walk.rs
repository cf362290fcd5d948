//! One walk per function body. It keeps a context stack (async, sync, offloaded), lexical scopes
//! of bindings with a light value kind each, and records [`Fact`]s: values lost without being
//! polled, calls with a runtime effect, sync guards alive at an `.await`.
//!
//! Unknown is not guilty: whatever cannot be resolved is `Val::Unknown`, which is never reported.

use super::facts::{AwaitFix, DropHow, Effect, ExecContext, Fact, FactKind};
use super::scope::{Binding, Scopes};
use super::value::Val;
use crate::diagnostic::{Edit, Span};
use crate::index::facts::{generic_params, has_runtime_attr, sig_of, FnSig};
use crate::index::types::{path_segments, Ty};
use crate::index::{FileId, FnId, Index, ModId, Ns, Res};
use crate::knowledge::{Api, Knowledge, Ret, Role, COMMON_SYNC_METHODS};
use crate::source::SourceFile;
use syn::spanned::Spanned;

/// What every walk of one file shares.
pub struct FileCx<'a> {
    pub index: &'a Index,
    pub knowledge: &'a Knowledge,
    pub source: &'a SourceFile,
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

/// Analyses every function body of a file.
pub fn analyze_file(cx: &FileCx, file: &syn::File) -> Vec<Fact> {
    let mut facts = Vec::new();
    let mut inline_path = Vec::new();
    let cx = WalkCx {
        base: cx,
        macros: super::macros::LocalMacros::collect(&file.items),
    };
    walk_items(&cx, &file.items, &mut inline_path, None, &mut facts, 0);
    facts
}

/// What every walk of one file shares, with what the file itself defines for the walk.
pub(super) struct WalkCx<'a> {
    base: &'a FileCx<'a>,
    pub(super) macros: super::macros::LocalMacros,
}

impl<'a> std::ops::Deref for WalkCx<'a> {
    type Target = FileCx<'a>;
    fn deref(&self) -> &FileCx<'a> {
        self.base
    }
}

fn walk_items(
    cx: &WalkCx,
    items: &[syn::Item],
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
    let flat = crate::index::facts::flatten_items(items);
    for item in flat.iter().map(|c| c.as_ref()) {
        match item {
            syn::Item::Fn(f) => {
                let is_main = f.sig.ident == "main"
                    && cx.index.modules[m].parent.is_none()
                    && inline_path.is_empty();
                walk_fn(
                    cx, m, None, None, &f.sig, &f.attrs, &f.block, is_main, facts,
                );
            }
            syn::Item::Impl(imp) => {
                let self_ty = cx.index.type_path(m, &Ty::from_syn(&imp.self_ty));
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        walk_fn(
                            cx,
                            m,
                            self_ty.clone(),
                            Some(&imp.generics),
                            &f.sig,
                            &f.attrs,
                            &f.block,
                            false,
                            facts,
                        );
                    }
                }
            }
            syn::Item::Trait(t) => {
                let self_ty = Some(format!("{}::{}", cx.index.modules[m].path, t.ident));
                for it in &t.items {
                    if let syn::TraitItem::Fn(f) = it {
                        if let Some(block) = &f.default {
                            walk_fn(
                                cx,
                                m,
                                self_ty.clone(),
                                Some(&t.generics),
                                &f.sig,
                                &f.attrs,
                                block,
                                false,
                                facts,
                            );
                        }
                    }
                }
            }
            syn::Item::Mod(md) => {
                if let Some((_, items)) = &md.content {
                    inline_path.push(md.ident.to_string());
                    walk_items(cx, items, inline_path, None, facts, depth + 1);
                    inline_path.pop();
                }
            }
            syn::Item::Const(c) => {
                let mut w = Walker::new(cx, m, None, facts, ExecContext::Sync);
                w.eval(&c.expr);
                w.finish();
            }
            syn::Item::Static(s) => {
                let mut w = Walker::new(cx, m, None, facts, ExecContext::Sync);
                w.eval(&s.expr);
                w.finish();
            }
            _ => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn walk_fn(
    cx: &WalkCx,
    m: ModId,
    self_ty: Option<String>,
    outer_generics: Option<&syn::Generics>,
    sig: &syn::Signature,
    attrs: &[syn::Attribute],
    block: &syn::Block,
    is_main: bool,
    facts: &mut Vec<Fact>,
) {
    let ctx = if sig.asyncness.is_some() {
        ExecContext::Async
    } else {
        ExecContext::Sync
    };
    let mut w = Walker::new(cx, m, self_ty, facts, ctx);
    w.owner = cx.index.fn_at(
        cx.file,
        sig.ident.span().start().line,
        &sig.ident.to_string(),
    );
    w.no_runtime = is_main && sig.asyncness.is_none() && !has_runtime_attr(attrs);
    super::select::on_fn_docs(&mut w, sig, attrs);
    w.sync_test = sig.asyncness.is_none() && attrs.iter().any(|a| a.path().is_ident("test"));
    let mut params = outer_generics.map(generic_params).unwrap_or_default();
    params.extend(generic_params(&sig.generics));
    w.set_generics(&params);
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(_) => {
                let val = w.self_ty.clone().map(Val::typed).unwrap_or_default();
                w.declare_param("self", val);
            }
            syn::FnArg::Typed(pt) => {
                let val = w.val_of_ty(&Ty::from_syn(&pt.ty), m, 0);
                w.bind_param_pattern(&pt.pat, val);
            }
        }
    }
    if returns_iterator(&sig.output) {
        if let Some(syn::Stmt::Expr(tail, None)) = block.stmts.last() {
            w.deferred_closures = lazy_chain_closures(tail);
        }
    }
    w.block_value(block);
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
    deferred_closures: Vec<*const syn::ExprClosure>,
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
    fn task_output(&mut self, block: &syn::Block, tail: &Val) {
        let Some(syn::Stmt::Expr(e, None)) = block.stmts.last() else {
            return;
        };
        if !tail.is_future() {
            return;
        }
        let span = self.expr_span(e);
        let fix = awaitable_expr(e).then_some(Edit {
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

    fn span(&self, s: proc_macro2::Span) -> Span {
        self.cx.source.span(s)
    }

    /// The span of an expression, from its first to its last token (see [`super::spans`]).
    fn expr_span(&self, e: &syn::Expr) -> Span {
        Span {
            start: self.cx.source.position(super::spans::start(e)),
            end: self.cx.source.position(super::spans::end(e)),
        }
    }

    fn span_between(&self, first: &syn::Expr, end: proc_macro2::LineColumn) -> Span {
        Span {
            start: self.cx.source.position(super::spans::start(first)),
            end: self.cx.source.position(end),
        }
    }

    /// `let` .. `;` without re-tokenising the initialiser.
    fn local_span(&self, local: &syn::Local) -> Span {
        let end = local.semi_token.span.end();
        Span {
            start: self.cx.source.position(local.let_token.span.start()),
            end: self.cx.source.position(end),
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

    fn bind_param_pattern(&mut self, pat: &syn::Pat, val: Val) {
        match pat {
            syn::Pat::Ident(pi) => self.declare_param(&pi.ident.to_string(), val),
            syn::Pat::Type(pt) => self.bind_param_pattern(&pt.pat, val),
            syn::Pat::Reference(r) => self.bind_param_pattern(&r.pat, val),
            other => {
                for name in pattern_idents(other) {
                    self.declare_param(&name, Val::Unknown);
                }
            }
        }
    }

    /// Binds the names of a `let`/`for`/`match` pattern to (parts of) a value.
    fn bind_pattern(&mut self, pat: &syn::Pat, val: Val, span: Span) {
        match pat {
            syn::Pat::Wild(_) => self.report_lost(&val, DropHow::LetUnderscore, span, None),
            syn::Pat::Ident(pi) => {
                if let Some((_, sub)) = &pi.subpat {
                    self.bind_pattern(sub, Val::Unknown, span);
                }
                self.declare(pi.ident.to_string(), val, span);
            }
            syn::Pat::Type(pt) => {
                let ann = self.val_of_ty(&Ty::from_syn(&pt.ty), self.module, 0);
                let val = if ann == Val::Unknown { val } else { ann };
                self.bind_pattern(&pt.pat, val, span);
            }
            syn::Pat::Reference(r) => self.bind_pattern(&r.pat, val, span),
            syn::Pat::Paren(p) => self.bind_pattern(&p.pat, val, span),
            syn::Pat::Tuple(t) => {
                let parts = match val {
                    Val::Tuple(parts) if parts.len() == t.elems.len() => parts,
                    _ => vec![Val::Unknown; t.elems.len()],
                };
                for (p, v) in t.elems.iter().zip(parts) {
                    self.bind_pattern(p, v, span);
                }
            }
            syn::Pat::TupleStruct(ts) if ts.elems.len() == 1 => {
                let variant = ts
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                let inner = if matches!(variant.as_str(), "Some" | "Ok") {
                    val.unwrapped()
                } else {
                    self.field_val(&ts.path, "0")
                };
                if let Some(p) = ts.elems.first() {
                    self.bind_pattern(p, inner, span);
                }
            }
            // `let Self { tx, .. } = self;`: each field gets its declared type.
            syn::Pat::Struct(ps) => {
                for field in &ps.fields {
                    let name = match &field.member {
                        syn::Member::Named(n) => n.to_string(),
                        syn::Member::Unnamed(i) => i.index.to_string(),
                    };
                    let v = self.field_val(&ps.path, &name);
                    self.bind_pattern(&field.pat, v, span);
                }
            }
            other => {
                for name in pattern_idents(other) {
                    self.declare(name, Val::Unknown, span);
                }
            }
        }
    }

    /// Whether `e` names a binding that was already used (polled by hand, borrowed, ...):
    /// dropping such a value afterwards is not losing it.
    fn binding_used_before(&mut self, e: &syn::Expr) -> bool {
        bare_ident(e)
            .and_then(|n| self.scopes.lookup(&n).map(|b| b.used))
            .unwrap_or(false)
    }

    /// The declared type of field `name` of the struct a pattern's path names.
    fn field_val(&self, path: &syn::Path, name: &str) -> Val {
        let Res::Type(ty) = self.resolve_path(&path_segments(path), Ns::Type) else {
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

    fn block_value(&mut self, block: &syn::Block) -> Val {
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
    fn register_block_items(&mut self, stmts: &[syn::Stmt]) {
        for stmt in stmts {
            match stmt {
                syn::Stmt::Item(syn::Item::Use(u)) => {
                    let mut uses = Vec::new();
                    crate::index::facts::collect_use(&u.tree, &mut Vec::new(), &mut uses);
                    for u in uses {
                        if u.glob {
                            self.scopes.current().globs.push(u.target);
                        } else {
                            self.scopes.current().uses.insert(u.alias, u.target);
                        }
                    }
                }
                syn::Stmt::Item(syn::Item::Fn(f)) => {
                    let sig = sig_of(&f.sig, &f.attrs);
                    self.scopes.current().fns.insert(sig.name.clone(), sig);
                }
                _ => {}
            }
        }
    }

    fn stmt(&mut self, stmt: &syn::Stmt, is_tail: bool) -> Val {
        match stmt {
            syn::Stmt::Local(local) => {
                let span = self.local_span(local);
                self.last_built = None;
                let val = match &local.init {
                    Some(init) => {
                        let v = self.eval(&init.expr);
                        if let Some((_, diverge)) = &init.diverge {
                            self.eval(diverge);
                        }
                        v
                    }
                    None => Val::Unknown,
                };
                let init_span = local
                    .init
                    .as_ref()
                    .map(|i| self.expr_span(&i.expr))
                    .unwrap_or(span);
                // Report at the `let` line, where the future was made.
                let report_span = Span {
                    start: span.start,
                    end: init_span.end,
                };
                // `let rt = Builder::..build()?;`: moving `rt` into a thread's closure later
                // takes the runtime out of async code.
                if let (Some(i), syn::Pat::Ident(pi)) = (self.last_built.take(), &local.pat) {
                    self.built_runtimes.push((pi.ident.to_string(), i));
                }
                self.cfg_local = local.attrs.iter().any(|a| a.path().is_ident("cfg"));
                match &local.init {
                    // `let _ = fut;`: `.await` goes after the initialiser.
                    Some(init)
                        if matches!(local.pat, syn::Pat::Wild(_))
                            && init.diverge.is_none()
                            && awaitable_expr(&init.expr) =>
                    {
                        let fix = await_edit(init_span);
                        self.report_lost(&val, DropHow::LetUnderscore, report_span, Some(fix));
                    }
                    _ => self.bind_pattern(&local.pat, val, report_span),
                }
                self.cfg_local = false;
                Val::Unknown
            }
            syn::Stmt::Expr(e, semi) => {
                let v = self.eval(e);
                if semi.is_some() {
                    let span = self.expr_span(e);
                    let fix = awaitable_expr(e).then(|| await_edit(span));
                    self.report_lost(&v, DropHow::Statement, span, fix);
                    Val::Unknown
                } else if is_tail {
                    v
                } else {
                    Val::Unknown
                }
            }
            syn::Stmt::Macro(m) if is_pin_macro(&m.mac) => {
                // `tokio::pin!(fut);` re-binds `fut` to the pinned future: it must still be
                // polled through the new name.
                let span = self.span(m.mac.span());
                let names = syn::parse::Parser::parse2(
                    syn::punctuated::Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated,
                    m.mac.tokens.clone(),
                );
                match names {
                    Ok(names) => {
                        for name in names {
                            let name = name.to_string();
                            let val = self.scopes.use_name(&name).unwrap_or_default();
                            self.declare(name, val, span);
                        }
                    }
                    // `tokio::pin! { let f1 = one(); let f2 = two(); }`: the `let`s bind
                    // pinned futures under their own names.
                    Err(_) => match syn::parse::Parser::parse2(
                        syn::Block::parse_within,
                        m.mac.tokens.clone(),
                    ) {
                        Ok(stmts) if stmts.iter().all(|s| matches!(s, syn::Stmt::Local(_))) => {
                            for s in &stmts {
                                self.stmt(s, false);
                            }
                        }
                        _ => {
                            self.eval_macro(&m.mac);
                        }
                    },
                }
                Val::Unknown
            }
            syn::Stmt::Macro(m) => {
                let v = self.eval_macro(&m.mac);
                if m.semi_token.is_some() {
                    let span = self.span(m.mac.span());
                    self.report_lost(&v, DropHow::Statement, span, None);
                }
                Val::Unknown
            }
            syn::Stmt::Item(item) => {
                self.nested_item(item);
                Val::Unknown
            }
        }
    }

    fn nested_item(&mut self, item: &syn::Item) {
        let mut nested = Vec::new();
        match item {
            syn::Item::Fn(f) => walk_fn(
                self.cx,
                self.module,
                None,
                None,
                &f.sig,
                &f.attrs,
                &f.block,
                false,
                &mut nested,
            ),
            syn::Item::Impl(_)
            | syn::Item::Trait(_)
            | syn::Item::Mod(_)
            | syn::Item::Const(_)
            | syn::Item::Static(_) => walk_items(
                self.cx,
                std::slice::from_ref(item),
                &mut Vec::new(),
                Some(self.module),
                &mut nested,
                1,
            ),
            _ => {}
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

    fn eval(&mut self, e: &syn::Expr) -> Val {
        if self.depth > MAX_EXPR_DEPTH {
            return Val::Unknown;
        }
        self.depth += 1;
        let v = self.eval_inner(e);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, e: &syn::Expr) -> Val {
        use syn::Expr;
        match e {
            Expr::Path(p) => self.eval_path(p),
            Expr::Call(c) => self.eval_call(c),
            Expr::MethodCall(mc) => self.eval_method_call(mc),
            Expr::Await(a) => {
                super::select::on_await(self, &a.base);
                let v = self.eval(&a.base);
                let span = self.span(a.await_token.span);
                self.on_await(span);
                match v {
                    Val::Future {
                        output: Some(o), ..
                    } => *o,
                    _ => Val::Unknown,
                }
            }
            Expr::Try(t) => self.eval(&t.expr).unwrapped(),
            Expr::Async(a) => {
                let spawned = std::mem::take(&mut self.spawned_arg);
                self.in_body(ExecContext::Async, |w| {
                    let tail = w.block_value(&a.block);
                    if spawned {
                        w.task_output(&a.block, &tail);
                    }
                });
                let line = self.span(a.async_token.span).start.line;
                Val::future(format!("the async block at line {line}"))
            }
            Expr::Closure(c) => self.eval_closure(c, None),
            Expr::Block(b) => self.block_value(&b.block),
            Expr::Unsafe(u) => self.block_value(&u.block),
            Expr::Const(c) => self.block_value(&c.block),
            Expr::TryBlock(t) => {
                self.block_value(&t.block);
                Val::Unknown
            }
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Group(g) => self.eval(&g.expr),
            Expr::Reference(r) => self.eval(&r.expr),
            Expr::Unary(u) => {
                let v = self.eval(&u.expr);
                // `*guard` is the guarded value, not the guard.
                if matches!(u.op, syn::UnOp::Deref(_)) && v != Val::SyncGuard {
                    v
                } else {
                    Val::Unknown
                }
            }
            Expr::Field(f) => {
                let base = self.eval(&f.base);
                let name = match &f.member {
                    syn::Member::Named(name) => name.to_string(),
                    syn::Member::Unnamed(i) => i.index.to_string(),
                };
                if let Val::Tuple(parts) = base {
                    return name
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| parts.get(i).cloned())
                        .unwrap_or_default();
                }
                self.types()
                    .field_of(&base, &name, self.self_ty.as_deref(), &self.generics)
            }
            Expr::If(i) => {
                self.scopes.push();
                self.eval(&i.cond);
                let then = self.block_value(&i.then_branch);
                self.pop_scope();
                let other = i.else_branch.as_ref().map(|(_, e)| self.eval(e));
                match other {
                    Some(o) if o.is_future() && then.is_future() => then,
                    _ => Val::Unknown,
                }
            }
            Expr::Let(l) => {
                let v = self.eval(&l.expr);
                let span = self.span(l.span());
                self.bind_refutable(&l.pat, v, span);
                Val::Unknown
            }
            Expr::Match(m) => {
                let scrutinee = self.eval(&m.expr);
                for arm in &m.arms {
                    self.scopes.push();
                    let span = self.span(arm.pat.span());
                    self.bind_refutable(&arm.pat, scrutinee.clone(), span);
                    if let Some((_, guard)) = &arm.guard {
                        self.eval(guard);
                    }
                    self.eval(&arm.body);
                    self.pop_scope();
                }
                Val::Unknown
            }
            Expr::ForLoop(f) => {
                let coll = self.eval(&f.expr);
                // Owned elements of a vector of futures or handles (`for t in tasks`); a
                // borrowed collection gives references, whose loss is nothing.
                let by_ref = matches!(&*f.expr, Expr::Reference(_));
                let elem = super::patterns::iter_item(&coll, by_ref);
                self.loop_depth += 1;
                self.loop_scopes.push(self.scopes.depth());
                self.scopes.push();
                let span = self.span(f.pat.span());
                self.bind_refutable(&f.pat, elem, span);
                // An element left unused in the loop body stays in the caller's hands no less
                // than before the loop: only dropping it by statement, `_` or `drop` counts.
                for name in pattern_idents(&f.pat) {
                    self.mark_used(&name);
                }
                self.block_value(&f.body);
                self.pop_scope();
                self.loop_depth -= 1;
                self.loop_scopes.pop();
                Val::Unknown
            }
            Expr::While(wl) => {
                self.loop_depth += 1;
                self.loop_scopes.push(self.scopes.depth());
                self.scopes.push();
                self.eval(&wl.cond);
                self.block_value(&wl.body);
                self.pop_scope();
                self.loop_depth -= 1;
                self.loop_scopes.pop();
                Val::Unknown
            }
            Expr::Loop(l) => {
                self.loop_depth += 1;
                self.loop_scopes.push(self.scopes.depth());
                self.block_value(&l.body);
                self.loop_depth -= 1;
                self.loop_scopes.pop();
                Val::Unknown
            }
            Expr::Assign(a) => {
                self.eval(&a.right);
                self.eval(&a.left);
                Val::Unknown
            }
            Expr::Binary(b) => {
                self.eval(&b.left);
                self.eval(&b.right);
                Val::Unknown
            }
            Expr::Index(i) => {
                self.eval(&i.expr);
                self.eval(&i.index);
                Val::Unknown
            }
            Expr::Range(r) => {
                if let Some(s) = &r.start {
                    self.eval(s);
                }
                if let Some(e) = &r.end {
                    self.eval(e);
                }
                Val::Unknown
            }
            Expr::Return(r) => {
                if let Some(e) = &r.expr {
                    self.eval(e);
                }
                Val::Unknown
            }
            Expr::Break(b) => {
                if let Some(e) = &b.expr {
                    self.eval(e);
                }
                Val::Unknown
            }
            Expr::Yield(y) => {
                if let Some(e) = &y.expr {
                    self.eval(e);
                }
                Val::Unknown
            }
            Expr::Cast(c) => {
                self.eval(&c.expr);
                self.trait_object_val(&c.ty)
            }
            Expr::Tuple(t) => Val::Tuple(t.elems.iter().map(|e| self.eval(e)).collect()),
            Expr::Array(a) => {
                for e in &a.elems {
                    self.eval(e);
                }
                Val::Unknown
            }
            Expr::Repeat(r) => {
                self.eval(&r.expr);
                self.eval(&r.len);
                Val::Unknown
            }
            Expr::Struct(s) => {
                for f in &s.fields {
                    self.eval(&f.expr);
                }
                if let Some(rest) = &s.rest {
                    self.eval(rest);
                }
                match self.resolve_path(&path_segments(&s.path), Ns::Type) {
                    Res::Type(p) => Val::typed(p),
                    _ => Val::Unknown,
                }
            }
            Expr::Macro(m) => self.eval_macro(&m.mac),
            _ => Val::Unknown,
        }
    }

    /// `x as &dyn Trait` for a trait of the workspace: its methods are the trait's.
    fn trait_object_val(&self, ty: &syn::Type) -> Val {
        let mut ty = ty;
        while let syn::Type::Reference(r) = ty {
            ty = &r.elem;
        }
        let syn::Type::TraitObject(obj) = ty else {
            return Val::Unknown;
        };
        let mut traits = obj.bounds.iter().filter_map(|b| match b {
            syn::TypeParamBound::Trait(t)
                if !t.path.is_ident("Send")
                    && !t.path.is_ident("Sync")
                    && !t.path.is_ident("Unpin") =>
            {
                Some(&t.path)
            }
            _ => None,
        });
        let (Some(path), None) = (traits.next(), traits.next()) else {
            return Val::Unknown;
        };
        match self.resolve_path(&path_segments(path), Ns::Type) {
            Res::Type(p) if self.cx.index.is_trait(&p) => Val::typed(p),
            _ => Val::Unknown,
        }
    }

    /// Patterns of `if let`, `while let`, `match` arms and `for`: a `_` there is not a drop.
    fn bind_refutable(&mut self, pat: &syn::Pat, val: Val, span: Span) {
        match pat {
            syn::Pat::Wild(_) => {}
            syn::Pat::Or(o) => {
                for name in o.cases.first().map(pattern_idents).unwrap_or_default() {
                    self.declare(name, Val::Unknown, span);
                }
            }
            _ => self.bind_pattern(pat, val, span),
        }
        // Names bound by refutable patterns are often only used inside: count them as used.
        for name in pattern_idents(pat) {
            if let Some(b) = self.scopes.lookup(&name) {
                if !b.val.is_future() {
                    b.used = true;
                }
            }
        }
    }

    fn eval_path(&mut self, p: &syn::ExprPath) -> Val {
        if p.qself.is_none() && p.path.segments.len() == 1 {
            let name = p.path.segments[0].ident.to_string();
            if let Some(v) = self.scopes.use_name(&name) {
                if self.moved_offloaded > 0 {
                    let moved = self.built_runtimes.iter().filter(|(n, _)| *n == name);
                    self.retracted.extend(moved.map(|(_, i)| *i));
                }
                return v;
            }
        }
        // A unit struct of the workspace used as a value (`Never`).
        let capitalised = p.path.segments.last().is_some_and(|s| {
            s.ident
                .to_string()
                .starts_with(|c: char| c.is_ascii_uppercase())
        });
        if p.qself.is_none() && capitalised {
            if let Res::Type(ty) = self.resolve_path(&path_segments(&p.path), Ns::Value) {
                if self.cx.index.type_info(&ty).is_some_and(|t| t.def.is_unit) {
                    return Val::typed(ty);
                }
            }
        }
        Val::Unknown
    }

    fn eval_closure(&mut self, c: &syn::ExprClosure, ctx_override: Option<ExecContext>) -> Val {
        let is_async = c.asyncness.is_some();
        let ctx = if is_async {
            ExecContext::Async
        } else {
            ctx_override.unwrap_or(self.ctx)
        };
        let deferred = self.deferred_closures.contains(&(c as *const _));
        self.deferred += usize::from(deferred);
        let moved = ctx_override == Some(ExecContext::Offloaded) && c.capture.is_some();
        self.moved_offloaded += usize::from(moved);
        let ret = self.in_body(ctx, |w| {
            w.scopes.push();
            for input in &c.inputs {
                let val = match input {
                    syn::Pat::Type(pt) => w.val_of_ty(&Ty::from_syn(&pt.ty), w.module, 0),
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
        let line = || self.span(c.or1_token.span).start.line;
        if is_async {
            let origin = format!("the async closure at line {}", line());
            return Val::Callable(Box::new(Val::future(origin)));
        }
        match ret {
            Val::Future { .. } => {
                let origin = format!("the closure at line {}", line());
                Val::Callable(Box::new(Val::future(origin)))
            }
            _ => Val::Callable(Box::new(Val::Unknown)),
        }
    }

    /// Evaluates call arguments: closures run in `arg_ctx`, values dropped by a dropper are lost.
    fn eval_args<'e>(
        &mut self,
        args: impl Iterator<Item = &'e syn::Expr>,
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
            self.spawned_arg = spawning && matches!(arg, syn::Expr::Async(_));
            let v = match (arg, arg_ctx) {
                (syn::Expr::Closure(c), Some(ctx)) => {
                    let v = self.eval_closure(c, Some(ctx));
                    // `thread::spawn(|| async { .. })`: the thread only builds the future.
                    if matches!(&v, Val::Callable(ret) if ret.is_future()) {
                        let span = self.expr_span(arg);
                        let fut = Val::future("a closure run on another thread");
                        self.report_lost(&fut, DropHow::Statement, span, None);
                    }
                    v
                }
                _ => self.eval(arg),
            };
            self.spawned_arg = false;
            if let Some(name) = bare_ident(arg) {
                self.release(&name);
            }
            let deliberate = self.sync_test && bare_ident(arg).is_some();
            if role == Role::Dropper && !polled_before && !deliberate {
                let span = self.expr_span(arg);
                self.report_lost(&v, DropHow::ExplicitDrop(callee.to_string()), span, None);
            }
            vals.push(v);
        }
        vals
    }

    fn eval_call(&mut self, call: &syn::ExprCall) -> Val {
        let span = self.span_between(call.func.as_ref(), call.paren_token.span.close().end());
        let syn::Expr::Path(p) = &*call.func else {
            let f = self.eval(&call.func);
            self.eval_args(call.args.iter(), Role::Plain, "");
            return match f {
                Val::Callable(ret) => *ret,
                _ => Val::Unknown,
            };
        };
        let mut segs = path_segments(&p.path);
        // `<Self>::f(..)` and `<Type>::f(..)` (no trait) are `Self::f(..)` and `Type::f(..)`.
        let plain_qself = p.qself.as_ref().and_then(|q| match &*q.ty {
            syn::Type::Path(tp) if q.position == 0 && tp.qself.is_none() => {
                Some(path_segments(&tp.path))
            }
            _ => None,
        });
        if let Some(mut ty_segs) = plain_qself.clone() {
            ty_segs.append(&mut segs);
            segs = ty_segs;
        }
        if p.qself.is_none() && segs.len() == 1 {
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
        if p.qself.is_some() && plain_qself.is_none() {
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
    fn call_api(&mut self, call: &syn::ExprCall, path: String, api: Api, span: Span) -> Val {
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

    fn eval_method_call(&mut self, mc: &syn::ExprMethodCall) -> Val {
        let recv_was_used = bare_ident(&mc.receiver)
            .and_then(|n| self.scopes.lookup(&n).map(|b| b.used))
            .unwrap_or(true);
        let recv = self.eval(&mc.receiver);
        let name = mc.method.to_string();
        let span = self.span_between(&mc.receiver, mc.paren_token.span.close().end());
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
        mc: &syn::ExprMethodCall,
        recv: &Val,
        name: &str,
        args: &[Val],
        recv_was_used: bool,
    ) -> Option<Val> {
        let is_vec = |v: &Val| matches!(v.path(), Some(p) if is_vec_path(p));
        match name {
            "push" | "push_back" if args.len() == 1 => {
                let local = bare_ident(&mc.receiver)?;
                let elem = &args[0];
                let b = self.scopes.lookup(&local)?;
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

    fn eval_macro(&mut self, mac: &syn::Macro) -> Val {
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

    pub(super) fn eval_expr(&mut self, e: &syn::Expr) -> Val {
        self.eval(e)
    }

    pub(super) fn local_macro(&self, mac: &syn::Macro) -> Option<proc_macro2::TokenStream> {
        // Expanded once: a body that calls a local macro again is not expanded further.
        if self.quiet > 0 {
            return None;
        }
        self.cx.macros.body(mac).cloned()
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

    pub(super) fn bind_arm_pattern(&mut self, pat: &syn::Pat) {
        let span = self.span(pat.span());
        self.bind_refutable(pat, Val::Unknown, span);
    }

    pub(super) fn stmt_in_macro(&mut self, stmt: &syn::Stmt) {
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

    pub(super) fn span_of(&self, e: &syn::Expr) -> Span {
        self.expr_span(e)
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

fn bare_ident(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            Some(p.path.segments[0].ident.to_string())
        }
        _ => None,
    }
}

/// `tokio::pin!`, `futures::pin_mut!`, `std::pin::pin!`.
fn is_pin_macro(mac: &syn::Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "pin" || s.ident == "pin_mut")
}

/// Whether `.await` can be appended to the expression as written.
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

fn awaitable_expr(e: &syn::Expr) -> bool {
    matches!(
        e,
        syn::Expr::Call(_)
            | syn::Expr::MethodCall(_)
            | syn::Expr::Path(_)
            | syn::Expr::Paren(_)
            | syn::Expr::Field(_)
            | syn::Expr::Macro(_)
    )
}

/// The names a pattern binds.
pub fn pattern_idents(pat: &syn::Pat) -> Vec<String> {
    struct Collect(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Collect {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_expr(&mut self, _: &'ast syn::Expr) {}
    }
    let mut c = Collect(Vec::new());
    syn::visit::Visit::visit_pat(&mut c, pat);
    c.0
}

/// `fn f() -> impl Iterator<..>` / `Box<dyn Iterator<..>>`.
fn returns_iterator(out: &syn::ReturnType) -> bool {
    let syn::ReturnType::Type(_, ty) = out else {
        return false;
    };
    let mut ty = Ty::from_syn(ty);
    while let Ty::Path { segs, args } = &ty {
        match segs.last().map(String::as_str) {
            Some("Box") if args.len() == 1 => ty = args[0].clone(),
            Some(name) => return name.ends_with("Iterator"),
            None => return false,
        }
    }
    false
}

/// The closures given to the lazy adaptors at the top of a returned iterator chain
/// (`paths.into_iter().flat_map(|p| read(p))`): they run when the caller iterates, not here.
fn lazy_chain_closures(tail: &syn::Expr) -> Vec<*const syn::ExprClosure> {
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
    fn collect(e: &syn::Expr, out: &mut Vec<*const syn::ExprClosure>, depth: usize) {
        if depth > 64 {
            return;
        }
        match e {
            syn::Expr::MethodCall(mc) if LAZY.contains(&mc.method.to_string().as_str()) => {
                for arg in &mc.args {
                    match arg {
                        syn::Expr::Closure(c) => out.push(c as *const _),
                        other => collect(other, out, depth + 1),
                    }
                }
                collect(&mc.receiver, out, depth + 1);
            }
            // `Box::new(chain)`
            syn::Expr::Call(c) if c.args.len() == 1 => {
                if let syn::Expr::Path(p) = &*c.func {
                    if path_segments(&p.path).first().is_some_and(|s| s == "Box") {
                        collect(&c.args[0], out, depth + 1);
                    }
                }
            }
            syn::Expr::Paren(p) => collect(&p.expr, out, depth + 1),
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(tail, &mut out, 0);
    out
}

/// `opt.map(|id| client.nack(id))` on an `Option`/`Result` (or a receiver of unknown type):
/// the closure's future is made and handed back inside the result, unpolled.
fn map_to_future(recv: &Val, name: &str, mc: &syn::ExprMethodCall, args: &[Val]) -> Val {
    let wrapper = match recv {
        Val::Unknown => true,
        Val::Typed { path, .. } => matches!(short_type(path), "Option" | "Result"),
        _ => false,
    };
    let closure_future = matches!(
        (mc.args.first(), args.first()),
        (Some(syn::Expr::Closure(c)), Some(Val::Callable(ret)))
            if c.asyncness.is_none() && ret.is_future()
    );
    if wrapper && name == "map" && args.len() == 1 && closure_future {
        return Val::future("the closure given to `map`");
    }
    Val::Unknown
}
