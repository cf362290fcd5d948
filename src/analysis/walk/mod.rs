//! One walk per function body, over the lowered IR. It keeps a context stack (async, sync,
//! offloaded), lexical scopes of bindings with a light value kind each, and records [`Fact`]s:
//! values lost without being polled, calls with a runtime effect, sync guards alive at an
//! `.await`. The walker's state and its facts are here; what it does per construct is in
//! [`stmts`] (blocks and statements), [`exprs`] (expressions), [`calls`] (calls and methods),
//! [`bindings`] (patterns and bindings) and [`resolve`] (names and values).
//!
//! Unknown is not guilty: whatever cannot be resolved is `Val::Unknown`, which is never reported.

use super::facts::{AwaitFix, DropHow, Effect, ExecContext, Fact, FactKind};
use super::scope::{Binding, Scopes};
use super::value::{Provenance, Started, Val};
use crate::diagnostic::{Edit, Span};
use crate::index::types::Ty;
use crate::index::{FileId, FnId, Index, ModId, Ns, Res};
use crate::knowledge::Knowledge;
use crate::lower::ir::{self, ExprKind};
use crate::symbol::Symbol;

mod bindings;
mod calls;
mod exprs;
mod guards;
mod macros;
mod off_disk;
mod orphans;
mod resolve;
pub mod select;
mod statics;
mod stmts;

/// What every walk of one file shares.
pub struct FileCx<'a> {
    pub index: &'a Index,
    pub knowledge: &'a Knowledge,
    pub file: FileId,
    /// Where the file's test code is: the whole file (under `tests/`, `benches/`..), or these
    /// line ranges (`#[cfg(test)]` modules, test fns).
    pub test_code: TestCode<'a>,
    /// The other files of the file's scope, for the callees not on disk (see
    /// [`crate::analysis::other_files`]); `None`: only the file's own calls count.
    pub other_files: Option<&'a crate::analysis::other_files::OtherFiles<'a>>,
}

/// Where a file's test code is.
#[derive(Clone, Copy, Default)]
pub enum TestCode<'a> {
    #[default]
    None,
    Whole,
    Lines(&'a [(usize, usize)]),
}

impl TestCode<'_> {
    pub fn holds(self, line: usize) -> bool {
        match self {
            TestCode::None => false,
            TestCode::Whole => true,
            TestCode::Lines(ranges) => ranges.iter().any(|&(a, b)| a <= line && line <= b),
        }
    }
}

/// Analyses every function body of a lowered file.
pub fn analyze(cx: &FileCx, file: &ir::File) -> Vec<Fact> {
    analyze_items(cx, &file.items, &file.macro_bodies, &file.call_uses)
}

/// [`analyze`] of some of a file's top-level items (a group of a large file), with the file's
/// local macros' bodies and call uses: the facts the walk of the whole file gives for them.
pub fn analyze_items(
    cx: &FileCx,
    items: &[ir::Item],
    macro_bodies: &[ir::Expr],
    call_uses: &std::collections::HashMap<Box<str>, ir::CallUses>,
) -> Vec<Fact> {
    let mut facts = Vec::new();
    let mut inline_path = Vec::new();
    let cx = WalkCx {
        base: cx,
        macro_bodies,
        call_uses,
    };
    // Generated code resolves the same few paths in every fn: each once per file.
    cx.index
        .with_memo(|| walk_items(&cx, items, &mut inline_path, None, &mut facts, 0));
    facts
}

/// What every walk of one file shares, with what the file itself defines for the walk.
pub(super) struct WalkCx<'a> {
    base: &'a FileCx<'a>,
    /// The bodies of the file's local nullary macros.
    macro_bodies: &'a [ir::Expr],
    /// How each callee path is called in the file: evidence from use.
    call_uses: &'a std::collections::HashMap<Box<str>, ir::CallUses>,
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
    inline_path: &mut Vec<Symbol>,
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
                walk_fn(
                    cx,
                    m,
                    FnSite {
                        is_main,
                        ..FnSite::default()
                    },
                    f,
                    facts,
                );
            }
            ir::Item::Impl(imp) => {
                let self_ty = cx.index.type_path(m, &imp.self_ty);
                let generic_self = names_generic(&imp.self_ty, &imp.generics);
                for f in imp.fns.iter() {
                    let site = FnSite {
                        generic_self: generic_self.then(|| imp.self_ty.clone()),
                        ..FnSite::of(self_ty.clone(), &imp.generics)
                    };
                    walk_fn(cx, m, site, f, facts);
                }
            }
            ir::Item::Trait(t) => {
                let self_ty = Some(format!("{}::{}", cx.index.modules[m].path, t.name));
                for f in t.fns.iter() {
                    let site = FnSite::of(self_ty.clone(), &t.generics);
                    walk_fn(cx, m, site, f, facts);
                }
            }
            ir::Item::Mod(md) => {
                inline_path.push(md.name);
                walk_items(cx, &md.items, inline_path, None, facts, depth + 1);
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

/// Where a fn sits: what it is a method of, the generics around it, whether it is the crate's
/// `main`, and for a fn nested in a body, that body's items.
#[derive(Default)]
pub(super) struct FnSite<'g> {
    self_ty: Option<String>,
    outer_generics: &'g [(Symbol, Ty)],
    is_main: bool,
    enclosing_items: Option<crate::analysis::scope::Scope>,
    /// The impl's self type when it is (or holds) one of the impl's generic parameters
    /// (`impl<T: Store> Ext for T`, `impl<S: Store> Store for Box<S>`): `self` is what the
    /// parameter's bounds say.
    generic_self: Option<Ty>,
}

/// Whether `ty` is, or has as a type argument, one of `generics`.
fn names_generic(ty: &Ty, generics: &[(Symbol, Ty)]) -> bool {
    match ty {
        Ty::Path { segs, args } => {
            (segs.len() == 1 && generics.iter().any(|(g, _)| *g == segs[0]))
                || args.iter().any(|a| names_generic(a, generics))
        }
        _ => false,
    }
}

impl<'g> FnSite<'g> {
    fn of(self_ty: Option<String>, outer_generics: &'g [(Symbol, Ty)]) -> FnSite<'g> {
        FnSite {
            self_ty,
            outer_generics,
            ..FnSite::default()
        }
    }
}

fn walk_fn(cx: &WalkCx, m: ModId, site: FnSite, f: &ir::Fn, facts: &mut Vec<Fact>) {
    let FnSite {
        self_ty,
        outer_generics,
        is_main,
        enclosing_items,
        generic_self,
    } = site;
    let ctx = if f.is_async {
        ExecContext::Async
    } else {
        ExecContext::Sync
    };
    // The items the body declares are its own (see `facts::fn_scope_name`).
    let m = cx.index.fn_scope(m, &f.name, f.line).unwrap_or(m);
    let mut w = Walker::new(cx, m, self_ty, facts, ctx);
    if let Some(items) = enclosing_items {
        // A fn nested in a body sees that body's items, in a scope below its own.
        w.scopes.insert_base(items);
    }
    w.owner = cx.index.fn_at(cx.file, f.line, &f.name);
    if let Some(Ty::Path { segs, args }) = &generic_self {
        if segs.len() == 1 && args.is_empty() {
            let info = w.owner.map(|id| cx.index.fn_info(id));
            w.self_trait = info.and_then(|i| i.trait_path.as_deref().map(str::to_string));
        }
    }
    w.no_runtime = is_main && !f.is_async && !f.runtime_attr;
    select::on_fn_docs(&mut w, f);
    w.sync_test = !f.is_async && f.test_attr;
    w.test_code = f.test_attr || f.runtime_test_attr || cx.test_code.holds(f.line);
    w.expects_panic = usize::from(f.should_panic);
    let mut params = outer_generics.to_vec();
    params.extend(f.generics.iter().cloned());
    w.set_generics(&params);
    for input in f.params.iter() {
        match input {
            ir::Param::SelfParam => {
                let val = match &generic_self {
                    // `impl<T> Tr for T` with bounds that name no trait: `self` is known by `Tr`.
                    Some(ty) => match (w.val_of_ty(ty, m, 0), &w.self_trait) {
                        (Val::Unknown, Some(tr)) => Val::typed(tr.clone()),
                        (v, _) => v,
                    },
                    None => w.self_ty.clone().map(Val::typed).unwrap_or_default(),
                };
                w.declare_param("self", val);
            }
            ir::Param::Typed(pat, ty) => {
                let val = w.val_of_ty(ty, m, 0);
                w.bind_param_pattern(pat, val);
            }
        }
    }
    // A parameter the body may assign (`mut path`) is not known to keep what the caller passed.
    w.param_names = f
        .params
        .iter()
        .zip(f.mut_params.iter())
        .map(|(p, &mutable)| match p {
            _ if mutable => None,
            ir::Param::SelfParam => Some("self".to_string()),
            ir::Param::Typed(ir::Pat::Ident { name, sub: None }, _) => Some(name.to_string()),
            ir::Param::Typed(..) => None,
        })
        .collect();
    w.param_scope = Some(w.current_scope());
    if f.returns_iterator {
        if let Some(tail) = f.body.tail() {
            w.deferred_closures = lazy_chain_closures(tail);
        }
    }
    w.block_value(&f.body);
    w.hand_over_lazy_lets();
    w.finish();
}

/// `let it = paths.iter().map(|p| std::fs::read(p));` in a sync function: its closures run
/// where the iterator is consumed. When the function's own body never consumes it (it is only
/// handed on: returned inside a stream, moved into a closure run by `spawn_blocking`), what its
/// closures do is not the function's own (see [`Walker::hand_over_lazy_lets`]).
struct LazyLet {
    name: String,
    closures: Vec<*const ir::Closure>,
    /// The facts the closures' walks pushed: (first, end).
    facts: Vec<(usize, usize)>,
    /// A method was called on it, or a `for` went over it, in the function's own body.
    consumed: bool,
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
    /// In a blanket impl (`impl<T: Base> Tr for T`): the implemented trait, whose methods
    /// `self` has besides those its parameter's bounds name.
    self_trait: Option<String>,
    /// A runtime was entered (`rt.enter()`) earlier in this function.
    entered: bool,
    /// Inside the arguments of a macro whose meaning is unknown: nothing is reported there.
    quiet: usize,
    /// In a plain `#[test] fn` (and the closures and async blocks in it): a future kept in a
    /// `_name` binding there is held on purpose, to test what creating or
    /// dropping it does (panics, laziness, drop order).
    sync_test: bool,
    /// In test code (a test fn, a `#[cfg(test)]` module, a file under `tests/`): a future handed
    /// to `drop(..)` there is dropped on purpose, to test what cancelling it does or only that
    /// it type-checks.
    test_code: bool,
    depth: usize,
    /// Generic parameters in scope (the impl's and the fn's) and what their bounds mean.
    generics: Vec<(Symbol, Val)>,
    /// Set while an argument of a spawning call is evaluated: an async block there whose tail is
    /// a future hands that future to the task as its output, unpolled.
    spawned_arg: bool,
    /// The call whose arguments are being evaluated spawns a task with them.
    spawning: bool,
    /// How the call whose arguments are about to be evaluated is known to offload its closure
    /// (by its body, or by its name only); taken by [`Walker::eval_args`].
    offload_prov: Provenance,
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
    /// What the cancel-safety checks keep during the walk ([`super::select`]).
    pub(crate) cancel: select::CancelState,
    /// What the checks of channels and task sets keep during the walk ([`orphans`]).
    orphans: orphans::OrphanState,
    /// While an `if let`/`while let` scrutinee is evaluated: where it made a sync guard, if it
    /// did (see [`exprs::SCRUTINEE_GUARD`]).
    guard_temps: Option<Option<Span>>,
    /// What the callee whose arguments are about to be evaluated says its closure parameters
    /// are called with (by argument position); taken by [`Walker::eval_args`].
    closure_hints: Vec<(usize, Vec<Val>)>,
    /// The input types of the closure about to be evaluated, from its callee's signature.
    closure_inputs: Option<Vec<Val>>,
    /// Where a panic is expected: in a `#[should_panic]` test, in a closure given to
    /// `catch_unwind`.
    expects_panic: usize,
    /// Inside a `move` closure handed to a call (which may run it later or elsewhere).
    in_callback: usize,
    /// The conditions (an `if`'s, a `match` arm's pattern) the code being walked runs under,
    /// outermost first, with what each tests of a parameter, when that is all it tests.
    branches: Vec<(Span, Option<super::facts::Guard>)>,
    /// The names of the function's own parameters, by position (the receiver first).
    param_names: Vec<Option<String>>,
    /// The index of the scope holding the function's parameters, once they are declared.
    param_scope: Option<usize>,
    /// Locals given `custom_flags(O_NONBLOCK)` (open options whose `open` does not wait).
    nonblocking: Vec<String>,
    /// Lazy iterators bound by a `let` in a sync function (see [`LazyLet`]).
    lazy_lets: Vec<LazyLet>,
    /// Binding a pattern where `_` drops nothing (a refutable pattern, or parts of a place).
    wild_silent: usize,
    /// The `let` being bound takes its value from a place (`let (a, _) = pair;`), not a
    /// temporary.
    place_init: bool,
}

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
            self_trait: None,
            entered: false,
            quiet: 0,
            sync_test: false,
            test_code: false,
            depth: 0,
            generics: Vec::new(),
            spawned_arg: false,
            spawning: false,
            offload_prov: Provenance::Proven,
            cfg_local: false,
            deferred: 0,
            wild_silent: 0,
            place_init: false,
            expects_panic: 0,
            in_callback: 0,
            branches: Vec::new(),
            param_names: Vec::new(),
            param_scope: None,
            nonblocking: Vec::new(),
            lazy_lets: Vec::new(),
            deferred_closures: Vec::new(),
            last_built: None,
            built_runtimes: Vec::new(),
            moved_offloaded: 0,
            retracted: Vec::new(),
            cancel: Default::default(),
            orphans: Default::default(),
            guard_temps: None,
            closure_hints: Vec::new(),
            closure_inputs: None,
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
        let span = e.span.get();
        let fix = e.awaitable().then_some(Edit {
            span: Span {
                start: span.end,
                end: span.end,
            },
            text: ".await".into(),
        });
        self.report_lost(tail, DropHow::Statement, span, fix);
    }

    /// Binds the generic parameters in scope to what their bounds mean (solved by
    /// [`crate::analysis::bounds`], so that `C: FnOnce() -> Fut, Fut: Future` sees `Fut`).
    fn set_generics(&mut self, params: &[(Symbol, Ty)]) {
        let types = self.types();
        let (m, self_ty) = (self.module, self.self_ty.clone());
        self.generics = crate::analysis::bounds::solve(params, |_, t, env| {
            types.val_of_ty(t, m, self_ty.as_deref(), env, 0)
        });
    }

    fn types(&self) -> crate::analysis::types_env::TypeCx<'a> {
        crate::analysis::types_env::TypeCx {
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

    /// Before a `let NAME = <lazy iterator chain with closures>;` of a sync fn's own body.
    pub(super) fn on_lazy_let(&mut self, pat: &ir::Pat, init: &ir::Expr) {
        let ir::Pat::Ident { name, sub: None } = pat else {
            return;
        };
        if self.ctx != ExecContext::Sync || self.body != 0 || self.owner.is_none() {
            return;
        }
        let closures = lazy_chain_closures(init);
        if !closures.is_empty() {
            self.lazy_lets.push(LazyLet {
                name: name.to_string(),
                closures,
                facts: Vec::new(),
                consumed: false,
            });
        }
    }

    /// A method called on `name`, or a `for` over it: in the own body, a lazy iterator bound
    /// to it is consumed here.
    pub(super) fn on_iter_use(&mut self, e: &ir::Expr) {
        if self.lazy_lets.is_empty() || self.body != 0 {
            return;
        }
        if let Some(name) = e.bare_ident() {
            for l in self.lazy_lets.iter_mut().filter(|l| l.name == name) {
                l.consumed = true;
            }
        }
    }

    /// Which lazy let's closure `c` is, if any.
    pub(super) fn lazy_closure(&self, c: &ir::Closure) -> Option<usize> {
        self.lazy_lets
            .iter()
            .position(|l| l.closures.contains(&(c as *const _)))
    }

    pub(super) fn lazy_closure_walked(&mut self, i: usize, range: (usize, usize)) {
        if let Some(l) = self.lazy_lets.get_mut(i) {
            l.facts.push(range);
        }
    }

    /// At the end of a sync fn: the facts of the closures of lazy iterators it only handed on
    /// are not the function's own.
    fn hand_over_lazy_lets(&mut self) {
        for l in std::mem::take(&mut self.lazy_lets) {
            if l.consumed {
                continue;
            }
            for (start, end) in l.facts {
                for fact in self.facts.iter_mut().take(end).skip(start) {
                    fact.owner = None;
                }
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
        self.cancel.scope_ended(self.scopes.depth());
        orphans::scope_ended(self, self.scopes.depth(), &scope.bindings);
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
            read: false,
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
            read: false,
        });
    }

    // ----- facts ---------------------------------------------------------------------------

    fn report_lost(&mut self, val: &Val, how: DropHow, span: Span, await_fix: Option<Edit>) {
        if self.sync_test && matches!(&how, DropHow::UnusedBinding(name) if name.starts_with('_')) {
            return;
        }
        let how = match how {
            DropHow::UnusedBinding(name)
                if self.test_code && name.starts_with('_') && val.is_future() =>
            {
                DropHow::HeldInTest(name)
            }
            how => how,
        };
        if matches!(how, DropHow::Statement | DropHow::LetUnderscore) {
            if let Some((origin, prov, started)) = self.future_object(val) {
                let fut = Val::future(origin).weakened(prov).with_started(started);
                return self.report_lost(&fut, how, span, await_fix);
            }
        }
        // `drop(stream)` says it is not wanted.
        if matches!(val, Val::Stream { .. }) && matches!(how, DropHow::ExplicitDrop(_)) {
            return;
        }
        if let Some((value, origin)) = val.droppable_kind() {
            let origin = origin.to_string();
            let provenance = val.provenance();
            let started = val.started();
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
                    provenance,
                    started,
                },
            );
        }
    }

    /// A value of a nominal type that is itself a future (a workspace struct implementing
    /// `Future` or `IntoFuture`, tokio's `LocalSet`): dropping it as a statement or into `_` loses
    /// the work it stands for. Only those two forms count: such values are also kept in
    /// bindings for other reasons (polled by hand, dropped on purpose), and names of handles and
    /// channel ends are never taken for futures.
    fn future_object(&self, val: &Val) -> Option<(String, Provenance, Started)> {
        let Val::Typed { path, args } = val else {
            return None;
        };
        let name = short_type(path);
        let mut started = Started::No;
        let prov = if self.cx.index.type_info(path).is_some() {
            started = self.types().drop_loss(path)?;
            // A name that says handle is believed unless the fields show no handle or
            // channel end; then only the name is left, and it may be right.
            if crate::knowledge::is_handle_like_name(name) {
                if self.types().fields_may_hold_handle(path) {
                    return None;
                }
                started = Started::NamedLikeHandle;
            }
            // `Either<L, R>` is a future only when its halves are.
            self.types().future_by_impl(path, args)?
        } else if self.cx.knowledge.is_future_object(path) {
            Provenance::Proven
        } else {
            return None;
        };
        // A type that only receives what others do (`SendFuture(oneshot::Receiver<..>)`).
        if self.cx.index.is_receipt(path) {
            started = Started::Receipt;
        }
        Some((format!("type `{name}`"), prov, started))
    }

    fn effect(&mut self, effect: Effect, callee: String, span: Span) {
        if effect == Effect::NeedsRuntime && self.entered {
            return;
        }
        let in_loop = self.loop_depth > 0;
        let no_runtime = self.no_runtime;
        let (expects_panic, in_callback) = (self.expects_panic > 0, self.in_callback > 0);
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
                expects_panic,
                in_callback,
                runtime: self.cx.index.runtime,
                branch: self.branches.first().map(|b| b.0),
                guard: self.branches.first().and_then(|b| b.1),
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
            if b.val.is_sync_guard() {
                b.guard_done = true;
            }
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
        orphans::on_use(self, name);
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

    /// The index of the scope holding the function's parameters.
    pub(super) fn params_scope(&self) -> Option<usize> {
        self.param_scope
    }

    /// The walk's id of the body being walked, and the id the next body will get.
    pub(super) fn body_ids(&self) -> (usize, usize) {
        (self.body, self.next_body)
    }

    /// The index of the innermost scope.
    pub(super) fn current_scope(&self) -> usize {
        self.scopes.depth().saturating_sub(1)
    }

    /// The scope index of the binding a name refers to.
    pub(super) fn binding_scope(&self, name: &str) -> Option<usize> {
        self.scopes.scope_of(name)
    }

    pub(super) fn resolve_value(&self, segs: &[Symbol]) -> Res {
        self.resolve_path(segs, Ns::Value)
    }

    pub(super) fn record(&mut self, span: Span, kind: FactKind) {
        self.push_fact(span, kind);
    }
}

fn short_type(path: &str) -> &str {
    crate::knowledge::path_str::last_segment(path)
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
