//! Calls and method calls: what the callee is (a workspace fn, a known API, a local closure),
//! what its arguments are handed to, its effect and its value.

use super::{short_type, Walker};
use crate::analysis::facts::{Arg, DropHow, ExecContext, FactKind};
use crate::analysis::patterns;
use crate::analysis::types_env::Env;
use crate::analysis::value::{
    Provenance, Started, Val, AWAITED_ELSEWHERE, AWAITED_IN_OTHER_FILES, MAPPED,
};
use crate::diagnostic::Span;
use crate::index::{DerefTarget, FnId, Ns, Res};
use crate::knowledge::{Api, Ret, Role};
use crate::lower::ir::{self, ExprKind};
use crate::symbol::Symbol;

/// How many awaited calls in the other files of a scope, and no other call there, make a
/// callee not on disk a future ([`Walker::awaited_in_other_files`]): one could be a coincidence
/// of a helper that returns something awaitable only sometimes used so; two agree.
const MIN_AWAITED_ELSEWHERE: u32 = 2;

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

impl Walker<'_, '_> {
    /// Evaluates call arguments: closures run in `arg_ctx`, values dropped by a dropper are lost.
    pub(super) fn eval_args<'e>(
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
        let offload_prov = std::mem::take(&mut self.offload_prov);
        let hints = std::mem::take(&mut self.closure_hints);
        let mut vals = Vec::new();
        for (i, arg) in args.enumerate() {
            if matches!(arg.kind, ExprKind::Closure(_)) {
                self.closure_inputs = hints.iter().find(|(j, _)| *j == i).map(|(_, v)| v.clone());
            }
            let polled_before = self.binding_used_before(arg);
            self.spawned_arg = spawning && matches!(arg.kind, ExprKind::Async(_));
            let v = match (&arg.kind, arg_ctx) {
                (ExprKind::Closure(c), Some(ctx)) => {
                    self.offloaded_closure(c, ctx, arg.span.get(), offload_prov)
                }
                // `thread::spawn({ let rx = rx.clone(); move || .. })`: the block's tail is the
                // closure handed on.
                (ExprKind::Block(b), Some(ctx)) if tail_closure(b).is_some() => self
                    .block_value_with(b, |w, last| match tail_closure(b) {
                        Some(c) => w.offloaded_closure(c, ctx, arg.span.get(), offload_prov),
                        None => w.stmt(last, true),
                    }),
                // A `move` closure handed on may be kept and run later or elsewhere.
                (ExprKind::Closure(c), None) if c.is_move && !c.is_async => {
                    self.in_callback += 1;
                    let v = self.eval_closure(c, None);
                    self.in_callback -= 1;
                    v
                }
                _ => self.eval_moved(arg),
            };
            self.spawned_arg = false;
            if let Some(name) = arg.bare_ident() {
                self.release(name);
            }
            let deliberate = self.test_code;
            if role == Role::Dropper && !polled_before && !deliberate {
                let span = arg.span.get();
                self.report_lost(&v, DropHow::ExplicitDrop(callee.to_string()), span, None);
            }
            vals.push(v);
        }
        vals
    }

    /// A closure handed to an offloading call, run in `ctx`.
    fn offloaded_closure(
        &mut self,
        c: &ir::Closure,
        ctx: ExecContext,
        span: Span,
        offload_prov: Provenance,
    ) -> Val {
        let v = self.eval_closure(c, Some(ctx));
        // `thread::spawn(|| async { .. })`: the thread only builds the future.
        if matches!(&v, Val::Callable(ret) if ret.is_future()) {
            let fut = Val::future("a closure run on another thread")
                .weakened(v.provenance())
                .weakened(offload_prov);
            self.report_lost(&fut, DropHow::Statement, span, None);
        }
        v
    }

    pub(super) fn eval_call(&mut self, call: &ir::Call, span: Span) -> Val {
        // `catch_unwind(|| ..)`: a panic in the closure is expected and caught.
        let catches = matches!(&call.func.kind, ExprKind::Path(p)
            if p.segs.last().is_some_and(|s| s == "catch_unwind"));
        // `Vec::from_iter(it)` runs the iterator here.
        if matches!(&call.func.kind, ExprKind::Path(p)
            if p.segs.last().is_some_and(|s| s == "from_iter"))
        {
            call.args.iter().for_each(|a| self.on_iter_use(a));
        }
        self.expects_panic += usize::from(catches);
        let v = self.eval_call_inner(call, span);
        self.expects_panic -= usize::from(catches);
        match (&v, &call.func.kind) {
            (Val::Typed { path, .. }, ExprKind::Path(p)) if self.cx.index.has_macro_impls(path) => {
                let key = p.segs.join("::");
                self.macro_made_future(&key, &format!("`{key}`"))
                    .unwrap_or(v)
            }
            _ => v,
        }
    }

    /// What calling a value gives: a closure's or fn's result, or, for a value known only by a
    /// trait with an `Fn*` supertrait (`S: Subsys<A>`, `trait Subsys<A>: FnOnce(A) -> Self::Fut`),
    /// what that supertrait returns, flowed through the bound.
    /// A value that is no callable itself is called through what it derefs to, as rustc's
    /// auto-deref finds the `Fn*` impl: a lock's guard (`let mut n = lock.write().await; n()`),
    /// a user type's `Deref` target, a few levels deep.
    pub(super) fn called(&self, mut f: Val) -> Option<Val> {
        for _ in 0..4 {
            f = match f {
                Val::Callable(ret) => return Some(*ret),
                Val::Typed { path, .. } if self.cx.index.is_trait(&path) => {
                    let info = self.cx.index.type_info(&path)?;
                    let ret = info.def.call_ret.as_ref()?;
                    return Some(
                        self.types()
                            .val_of_ty(ret, info.module, None, &[], 0)
                            .flowed(),
                    );
                }
                Val::SyncGuard(target) => *target,
                Val::Typed { path, args } => self.deref_once(&path, &args),
                _ => return None,
            };
        }
        None
    }

    fn eval_call_inner(&mut self, call: &ir::Call, span: Span) -> Val {
        let ExprKind::Path(p) = &call.func.kind else {
            let f = self.eval(&call.func);
            self.eval_args(call.args.iter(), Role::Plain, "");
            return match self.called(f) {
                // `(t.on_event)(..)`: the future is named by the place it was called through.
                Some(ret) => match call.func.place_text() {
                    Some(place) => ret.with_origin(format!("`{place}`")),
                    None => ret,
                },
                None => Val::Unknown,
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
            // Locals shadow items: a binding of this name (a parameter, a `let`, a pattern) is
            // what is called, never a fn item of the same name.
            if let Some(local) = self.scopes.use_name(&segs[0]) {
                self.eval_args(call.args.iter(), Role::Plain, "");
                let Some(ret) = self.called(local) else {
                    return Val::Unknown;
                };
                return ret.with_origin(format!("`{}`", segs[0]));
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
        let res = self.resolve_path(&segs, Ns::Value);
        let res = self.through_alias(res, &segs, &p.head_args);
        if let ([variant], [_], Res::Unknown | Res::External(_) | Res::Module(_)) =
            (segs.as_slice(), &*call.args, &res)
        {
            // `Some(x)`, `Ok(x)`, `Err(e)` of the prelude: an `Option` or `Result` of what `x`
            // is, by its type only (a future in it is not tracked through the wrapper).
            let slot = match variant.as_str() {
                "Some" | "Ok" => Some(0),
                "Err" => Some(1),
                _ => None,
            };
            if let Some(slot) = slot {
                let arg = self.eval_args(call.args.iter(), Role::Plain, "");
                let inner = patterns::borrowed(arg.into_iter().next().unwrap_or_default());
                let mut args = vec![Val::Unknown; slot + 1];
                args[slot] = inner;
                let path = if variant == "Some" {
                    "Option"
                } else {
                    "Result"
                };
                return Val::Typed {
                    path: path.into(),
                    args,
                };
            }
        }
        match res {
            Res::Fn(id) => {
                let id = self.cx.index.cfg_choice(id, self.owner);
                let internal = &self.cx.index.fn_path(id);
                if let Some((path, api)) = self.cx.knowledge.function_in_crate(internal) {
                    let source = self.val_of_fn(id);
                    if self.table_agrees(api, &source, &[id]) {
                        let v = self.call_api(call, path.to_string(), api, span);
                        return begun_as(v, &source);
                    }
                }
                let sig = &self.cx.index.fn_info(id).sig;
                let offloads = self.offloads(&[id]);
                let role = if offloads.is_some() {
                    Role::Offloads
                } else {
                    Role::Plain
                };
                self.offload_prov = offloads.unwrap_or_default();
                self.closure_hints = self.closure_hints_of(id);
                // A helper that runs its closure under `catch_unwind` expects it to panic.
                let catches = usize::from(sig.catches_param());
                self.expects_panic += catches;
                let vals = self.eval_args(call.args.iter(), role, "");
                self.expects_panic -= catches;
                let args = self.call_args(None, call.args.iter());
                self.record_call(&[id], span, args);
                let mut env = Vec::new();
                self.bind_ret_args(&[id], &vals, &mut env);
                self.val_of_fn_in(id, &env)
            }
            Res::Assoc(ty, name) => {
                let mut ids = self.cx.index.assoc_fns(&ty, &name);
                // `Store::fetch_all(&s)` through a blanket impl of an extension trait.
                let blanket = ids.is_empty() && self.cx.index.type_info(&ty).is_some();
                if blanket && !self.cx.index.is_trait(&ty) {
                    ids = self.cx.index.blanket_methods(&name);
                }
                // `C::pause()` with `C: Config`, `pause` provided by an extension trait that
                // a blanket impl gives every type (`trait ConfigExt: Config`, `impl<T: Config>
                // ConfigExt for T`): `Self` in its signature is `C`, known by `Config`.
                if blanket && self.cx.index.is_trait(&ty) {
                    let ext = self.cx.index.blanket_assoc_fns(&name);
                    if !ext.is_empty() {
                        self.eval_args(call.args.iter(), Role::Plain, "");
                        return self.val_of_fns_as(&ext, &ty).flowed();
                    }
                }
                if let Some((path, api)) = self
                    .cx
                    .knowledge
                    .function_in_crate(&format!("{ty}::{name}"))
                {
                    let source = self.val_of_fns(&ids);
                    if !ids.is_empty() && self.table_agrees(api, &source, &ids) {
                        let v = self.call_api(call, path.to_string(), api, span);
                        return begun_as(v, &source);
                    }
                }
                // A smart pointer named like std's (loom's `Arc`), made like std's
                // (`Arc::new(x)`): what it wraps, as the tables say of std's; its sources
                // would lose the argument's type (a fn's parameter types are not indexed).
                let std_like = format!("{}::{name}", short_type(&ty));
                if let Some(api) = self.cx.knowledge.function(&std_like) {
                    if api.ret == Ret::FirstArg && call.args.len() == 1 {
                        return self.call_api(call, std_like, api, span);
                    }
                }
                if let [id] = ids.as_slice() {
                    self.closure_hints = self.closure_hints_of(*id);
                }
                self.eval_args(call.args.iter(), Role::Plain, "");
                if !ids.is_empty() {
                    let args = self.call_args(None, call.args.iter());
                    self.record_call(&ids, span, args);
                    let v = self.val_of_fns(&ids);
                    return if blanket { v.flowed() } else { v };
                }
                // `Conn::Tcp(port)`: a variant of an enum of the index makes one of its values.
                let variant = name.starts_with(|c: char| c.is_ascii_uppercase())
                    && self
                        .cx
                        .index
                        .type_info(&ty)
                        .is_some_and(|i| i.def.kind == crate::index::facts::TypeKind::Enum);
                if variant
                    || CONSTRUCTORS.contains(&name.as_str())
                    || name.starts_with("from")
                    || name.starts_with("with_")
                {
                    return Val::typed(ty);
                }
                Val::Unknown
            }
            Res::Type(ty) => {
                let fields = self.eval_args(call.args.iter(), Role::Plain, "");
                self.types().constructed(ty, &fields)
            }
            Res::External(path) => match self.cx.knowledge.function(&path) {
                Some(api) => self.call_api(call, path, api, span),
                None => {
                    let args = self.eval_args(call.args.iter(), Role::Plain, "");
                    // `u32::ext_run(&x)`: as the method call `x.ext_run()` is read.
                    let sep = crate::knowledge::path_str::last_separator(&path);
                    if let Some((ty, name)) = sep.map(|at| (&path[..at], &path[at + 2..])) {
                        let ids = self.cx.index.foreign_methods(ty, name);
                        if !ids.is_empty() {
                            let args = self.call_args(None, call.args.iter());
                            self.record_call(&ids, span, args);
                            return self.val_of_fns(&ids).flowed();
                        }
                    }
                    if let Some(v) = self.free_generic(&path, &args) {
                        return v;
                    }
                    match self.external_constructor(&path) {
                        Val::Unknown => self.awaited_elsewhere(&p.segs),
                        v => v,
                    }
                }
            },
            Res::Static(m, name) => self.call_static(call, m, name),
            Res::Module(_) | Res::Unknown => {
                self.eval_args(call.args.iter(), Role::Plain, "");
                self.awaited_elsewhere(&p.segs)
            }
        }
    }

    /// A callee whose definition is not on disk (a test helper module left out of a published
    /// package, a crate not fetched): when this file awaits every other call of it
    /// (`support::stop().await` twice, then `support::stop();`), its result is a future —
    /// inferred from use, so a guess: a warning at most.
    fn awaited_elsewhere(&self, segs: &[Symbol]) -> Val {
        let path = segs.join("::");
        match self.awaited_elsewhere_as(&path, &format!("`{path}`")) {
            Val::Unknown => self.awaited_in_other_files(&path),
            v => v,
        }
    }

    /// [`Self::awaited_elsewhere`] from the other files of the file's scope (its package's
    /// tests, examples and benches together, or its library and binaries: see
    /// [`crate::analysis::other_files`]), when this call is the file's only call of `path`:
    /// those files call it [`MIN_AWAITED_ELSEWHERE`] times or more and await every one of
    /// those calls (`support::stop().await` three times in `tests/a.rs`, `support::stop();`
    /// once in `tests/b.rs`). One call there that is not awaited (a callee sometimes run
    /// otherwise, or never awaited on purpose) and nothing is inferred. A guess: a warning at
    /// most, saying which file it was inferred from.
    fn awaited_in_other_files(&self, path: &str) -> Val {
        let own = self.cx.call_uses.get(path).copied().unwrap_or_default();
        let Some(others) = self.cx.other_files else {
            return Val::Unknown;
        };
        if own.calls != 1 || own.awaited != 0 {
            return Val::Unknown;
        }
        let Some(key) = crate::index::call_scan::call_key(path) else {
            return Val::Unknown;
        };
        let o = others.uses(key);
        if o.awaited < MIN_AWAITED_ELSEWHERE || o.calls != o.awaited || o.named.is_empty() {
            return Val::Unknown;
        }
        Val::Future {
            output: None,
            origin: format!(
                "`{path}` ({AWAITED_IN_OTHER_FILES}: awaited at each of its {} calls there, \
                 as in {})",
                o.awaited, o.named
            ),
            prov: Provenance::Guessed,
            started: Started::No,
        }
    }

    /// [`Self::awaited_elsewhere`] for the callee `key` of [`ir::File::call_uses`], named as
    /// `shown` says.
    pub(super) fn awaited_elsewhere_as(&self, key: &str, shown: &str) -> Val {
        match self.cx.call_uses.get(key) {
            Some(u) if u.awaited >= 1 && u.awaited + 1 == u.calls => Val::Future {
                output: None,
                origin: format!("{shown} ({AWAITED_ELSEWHERE})"),
                prov: Provenance::Guessed,
                started: Started::No,
            },
            _ => Val::Unknown,
        }
    }

    /// Whether the callees run a closure they are given where blocking is fine: their bodies
    /// hand a parameter to an offloading call, or (a dependency's, whose bodies are not read)
    /// they are named like one (`zruntime::unblock`, a runtime's `spawn_blocking`).
    /// Proven when every body was read to hand the closure on; guessed when some are known by
    /// their name only. `None`: not an offloading call.
    pub(super) fn offloads(&self, ids: &[FnId]) -> Option<Provenance> {
        let mut prov = Provenance::Proven;
        for &id in ids {
            let info = self.cx.index.fn_info(id);
            if info.sig.offloads_param() {
                continue;
            }
            if self.cx.index.is_dep_file(info.file())
                && crate::index::facts::OFFLOADING_NAMES.contains(&info.sig.name.as_str())
            {
                prov = Provenance::Guessed;
            } else {
                return None;
            }
        }
        (!ids.is_empty()).then_some(prov)
    }

    /// The values a callee's closure parameters are called with (`F: FnOnce(Yielder<T>) -> Fut`
    /// gives the closure's first input a `Yielder`), by argument position: inferred, as any type
    /// that flowed through a bound.
    pub(super) fn closure_hints_of(&self, id: FnId) -> Vec<(usize, Vec<Val>)> {
        self.closure_hints_in(id, &[])
    }

    /// The same for a method called on a receiver whose type arguments bind `env`.
    fn closure_hints_in(&self, id: FnId, env: &Env) -> Vec<(usize, Vec<Val>)> {
        let info = self.cx.index.fn_info(id);
        info.sig
            .extras
            .closure_inputs()
            .iter()
            .map(|(i, tys)| {
                let vals = tys
                    .iter()
                    .map(|t| {
                        self.types()
                            .val_of_ty(t, info.module(), info.self_ty.as_deref(), env, 0)
                            .flowed()
                    })
                    .collect();
                (*i, vals)
            })
            .collect()
    }

    /// Records an edge of the call graph: a call that resolves to exactly one sync function of
    /// the workspace (`async fn` callees run where they are awaited and are checked there).
    pub(super) fn record_call(&mut self, ids: &[FnId], span: Span, args: Vec<Arg>) {
        let [id] = ids else { return };
        let sig = &self.cx.index.fn_info(*id).sig;
        if sig.is_async || sig.runtime_attr() || self.owner == Some(*id) {
            return;
        }
        let (in_loop, no_runtime) = (self.loop_depth > 0, self.no_runtime);
        let (expects_panic, in_callback) = (self.expects_panic > 0, self.in_callback > 0);
        let (branch, guard) = match self.branches.first() {
            Some(&(span, guard)) => (Some(span), guard),
            None => (None, None),
        };
        self.push_fact(
            span,
            FactKind::CallsFn {
                callee: *id,
                in_loop,
                no_runtime,
                expects_panic,
                in_callback,
                branch,
                guard,
                args,
            },
        );
    }

    /// A table entry describes an item of the analysed workspace (tokio analysed itself) only
    /// when the item's own signature gives the same kind of value: tokio's internal sync
    /// `loom::thread::yield_now` is not `tokio::task::yield_now`.
    pub(super) fn table_agrees(&self, api: Api, own: &Val, ids: &[FnId]) -> bool {
        // A dependency's item (read from its sources): the tables describe its public API.
        if ids
            .iter()
            .all(|&id| self.cx.index.is_dep_file(self.cx.index.fn_info(id).file()))
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
    pub(super) fn call_api(&mut self, call: &ir::Call, path: String, api: Api, span: Span) -> Val {
        self.spawning = api.ret == Ret::TaskHandle && api.role == Role::Plain;
        let args = self.eval_args(call.args.iter(), api.role, &path);
        if let Some(effect) = api.effect {
            self.effect(effect, path.clone(), span);
        }
        let known = self.val_of_api(api, &path, args.clone());
        match self.free_generic(&path, &args) {
            Some(flowed) => refined(known, flowed),
            None => known,
        }
    }

    /// What a free fn of the generic signatures gives for these arguments (`stream::iter(v)`: a
    /// stream of `v`'s items; `join_all(futs)`: a future of their outputs).
    fn free_generic(&self, path: &str, args: &[Val]) -> Option<Val> {
        let (m, mut env) = crate::analysis::generic_api::free_fn(path)?;
        m.bind_args(&mut env, args);
        let ret = self.types().val_of_ty(&m.ret, self.module, None, &env, 0);
        Some(match m.is_async {
            true => Val::future(format!("`{path}`")).with_output(Some(Box::new(ret))),
            false => ret,
        })
    }

    /// `Foo::new(..)` of a type outside the context gives a `Foo`.
    pub(super) fn external_constructor(&self, path: &str) -> Val {
        let mut segs: Vec<&str> = crate::knowledge::path_str::segments(path).collect();
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

    /// A method call whose receiver was evaluated (to `recv`) by the caller: along a long chain
    /// of calls only the small frame of `eval` stays on the stack for each link.
    /// Auto-deref: `c.send()` on a workspace type that has no `send` of its own but a `Deref`
    /// impl calls the target's `send` (a few levels deep, as `Shared<Conn<Client>>`). Methods
    /// every wrapper has itself (`clone`, `deref`, ...) stay the wrapper's.
    fn autoderef(&self, mut recv: Val, name: &str) -> Val {
        const WRAPPER_OWN: &[&str] = &[
            "clone",
            "deref",
            "deref_mut",
            "as_ref",
            "as_mut",
            "borrow",
            "borrow_mut",
            "into",
            "to_owned",
            "eq",
            "ne",
            "fmt",
            "hash",
            "cmp",
            "partial_cmp",
            "drop",
        ];
        if WRAPPER_OWN.contains(&name) {
            return recv;
        }
        // A sync lock's guard derefs to what it guards (borrowed: nothing to lose in it).
        if let Val::SyncGuard(target) = &recv {
            if **target != Val::Unknown {
                recv = patterns::borrowed((**target).clone());
            }
        }
        for _ in 0..4 {
            let Val::Typed { path, args } = &recv else {
                break;
            };
            // A method of the type itself is called on it, not on its target.
            let index = self.cx.index;
            let own = match index.type_info(path) {
                Some(_) => !index.methods_of(path, name).is_empty(),
                None => {
                    let canon = self.cx.knowledge.canonical_type(path);
                    self.cx.knowledge.method(path, name).is_some()
                        || crate::analysis::generic_api::method(canon, name).is_some()
                }
            };
            if own {
                break;
            }
            let target = self.deref_once(path, args);
            if target == Val::Unknown {
                break;
            }
            recv = target;
        }
        recv
    }

    /// What `base[i]` names: an element of a sequence or a map's value, through the derefs a
    /// guard or a wrapper needs (`guard[0]` of a `MutexGuard<Vec<T>>`).
    pub(super) fn indexed(&self, mut base: Val) -> Val {
        for _ in 0..4 {
            let item = patterns::indexed(&base);
            if item != Val::Unknown {
                return item;
            }
            base = match &base {
                Val::SyncGuard(target) => (**target).clone(),
                Val::Typed { path, args } => self.deref_once(path, args),
                _ => Val::Unknown,
            };
        }
        Val::Unknown
    }

    /// What one deref of a value of the type at `path` (with type arguments `args`) reaches:
    /// its `Deref` impl's `Target` (the index's types), or what the generic signatures of
    /// std's, tokio's and futures' guards say; unknown otherwise.
    /// Field `member` of a value: a type of the index with no field of that name but a `Deref`
    /// impl has the target's field (`self.inner.closed` with `inner: Cell<Inner>`), a few
    /// levels deep, as rustc's auto-deref finds it.
    pub(super) fn field_through_deref(&self, mut base: Val, member: &str) -> Val {
        for _ in 0..4 {
            let next = match &base {
                Val::Typed { path, args }
                    if self.cx.index.type_info(path).is_some()
                        && self.cx.index.field_type(path, member).is_none() =>
                {
                    self.deref_once(path, args)
                }
                _ => break,
            };
            if next == Val::Unknown {
                break;
            }
            base = next;
        }
        self.types()
            .field_of(&base, member, self.self_ty.as_deref(), &self.generics)
    }

    /// What the `where` bounds in scope say of the associated types of a value known only by
    /// the trait at `path` (`where E::Handle: Hnd` with `E: Env`), as `Self::Handle` reads them
    /// in the trait's own signatures: a method declared `-> &Self::Handle` gives a `Hnd`.
    fn projections_of(&self, path: &str) -> Vec<(Symbol, Val)> {
        if !self.cx.index.is_trait(path) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (name, v) in &self.generics {
            let Some((param, rest)) = name.as_str().split_once("::") else {
                continue;
            };
            let by_trait = self.generics.iter().any(|(n, pv)| {
                n.as_str() == param && matches!(pv, Val::Typed { path: p, .. } if p == path)
            });
            if by_trait && *v != Val::Unknown {
                out.push((Symbol::intern(&format!("Self::{rest}")), v.clone()));
            }
        }
        out
    }

    /// Whether `.deref()` on a value the walk knows as the index's type `path` can only be a
    /// pointer's (the type has no `Deref` impl and is no trait a bound names).
    fn derefs_to_itself(&self, path: &str) -> bool {
        let index = self.cx.index;
        index.type_info(path).is_some() && !index.is_trait(path) && !index.implements(path, "Deref")
    }

    fn deref_once(&self, path: &str, args: &[Val]) -> Val {
        let index = self.cx.index;
        if index.type_info(path).is_none() {
            let canon = self.cx.knowledge.canonical_type(path);
            return crate::analysis::generic_api::assoc(canon, "Target", args)
                .map(|(ty, env)| self.types().val_of_ty(&ty, self.module, None, &env, 0))
                .unwrap_or_default()
                .flowed();
        }
        match index.deref_target(path, args) {
            Some(DerefTarget::Arg(v)) => v.clone(),
            Some(DerefTarget::Written(ty, m)) => {
                let env = self.types().args_env(path, args);
                self.types().val_of_ty(ty, m, Some(path), &env, 0)
            }
            None => Val::Unknown,
        }
    }

    /// Binds in `env` the type parameters of the callees' return types that are their
    /// arguments' own types ([`crate::index::sig_extras::SigExtras::ret_from_args`]) to what `args` are,
    /// when every callee names them alike; whether any was bound.
    fn bind_ret_args(&self, ids: &[FnId], args: &[Val], env: &mut Vec<(Symbol, Val)>) -> bool {
        let Some((first, rest)) = ids.split_first() else {
            return false;
        };
        let sig = &self.cx.index.fn_info(*first).sig;
        let same = |id: &FnId| {
            self.cx.index.fn_info(*id).sig.extras.ret_from_args() == sig.extras.ret_from_args()
        };
        if sig.extras.ret_from_args().is_empty() || !rest.iter().all(same) {
            return false;
        }
        let mut bound = false;
        for (name, pos) in sig.extras.ret_from_args().iter() {
            let arg = args.get(*pos as usize).cloned().unwrap_or_default();
            if arg != Val::Unknown {
                env.retain(|(n, _)| n != name);
                env.push((*name, arg));
                bound = true;
            }
        }
        bound
    }

    pub(super) fn eval_method_call(
        &mut self,
        mc: &ir::MethodCall,
        recv: Val,
        recv_was_used: bool,
        span: Span,
    ) -> Val {
        let name = mc.method;
        self.on_iter_use(&mc.receiver);
        // `out.extend(it)` runs the iterator here.
        if name == "extend" {
            mc.args.iter().for_each(|a| self.on_iter_use(a));
        }
        // A lazy stream made here has a stream's methods.
        let recv = match recv {
            Val::Stream { item, .. } => Val::Typed {
                path: crate::knowledge::streams::STREAM_TYPE.into(),
                args: item.map(|i| vec![*i]).unwrap_or_default(),
            },
            other => self.autoderef(other, &name),
        };
        let k = self.cx.knowledge;
        let mut api: Option<Api> = None;
        let mut result = Val::Unknown;
        let mut method_hints = Vec::new();
        let mut method_offloads = None;
        // A generic signature of std's, tokio's or futures' (a type no source describes): the
        // receiver's type arguments flow through it.
        let mut generic = None;
        // Methods whose return type is made of their arguments' types: read again once the
        // arguments are known.
        let mut from_args = None;
        match &recv {
            Val::Future { origin, .. }
                if origin == MAPPED && matches!(name.as_str(), "unwrap" | "expect") =>
            {
                // `opt.map(|x| fetch(x)).unwrap()`: the closure's future itself.
                result = recv.clone();
            }
            Val::Future {
                origin,
                prov,
                started,
                ..
            } if FUTURE_COMBINATORS.contains(&name.as_str()) => {
                result = Val::Future {
                    output: None,
                    origin: origin.clone(),
                    prov: *prov,
                    started: *started,
                };
            }
            Val::Typed { path, args } => {
                // The workspace type's own methods of the name, looked up once: one of a std
                // name (`expect`, `clone`) is that method.
                let in_workspace = self.cx.index.type_info(path).is_some();
                let mut ids = if in_workspace {
                    let ids = self.cx.index.methods_of(path, &name);
                    // `Gen<u8>`'s `go`, not `Gen<u16>`'s.
                    match ids.len() {
                        0 | 1 => ids,
                        _ => self
                            .cx
                            .index
                            .fitting_instance(ids, &self.instance_keys(args)),
                    }
                } else {
                    Vec::new()
                };
                // `self` in a blanket impl (`impl<T: Base> Tr for T`) also has `Tr`'s methods.
                if let (true, Some(tr)) = (
                    ids.is_empty() && mc.receiver.bare_ident() == Some("self"),
                    &self.self_trait,
                ) {
                    ids = self.cx.index.methods_of(tr, &name);
                }
                // None of its own: a blanket impl's (`impl<T: Clone> FetchExt for T`).
                let blanket = in_workspace && ids.is_empty() && !self.cx.index.is_trait(path);
                if blanket {
                    ids = self.cx.index.blanket_methods(&name);
                }
                // `g.deref()`: what auto-deref reaches, said out loud.
                let derefed = match name.as_str() {
                    "deref" | "deref_mut" if mc.args.is_empty() => {
                        match self.deref_once(path, args) {
                            // A type of the index with no `Deref` of its own and no method of
                            // the name: the value was reached through a pointer the walk sees
                            // through (`Box<T>`, `Arc<T>`, `&T`), which derefs to it.
                            Val::Unknown if ids.is_empty() && self.derefs_to_itself(path) => {
                                patterns::borrowed(recv.clone())
                            }
                            v => v,
                        }
                    }
                    _ => Val::Unknown,
                };
                // A dependency's type read from its sources: a signature of the tables still
                // says what its values' type arguments become (sources only add to them).
                let from_dependency = !ids.is_empty()
                    && ids
                        .iter()
                        .all(|&id| self.cx.index.is_dep_file(self.cx.index.fn_info(id).file()));
                // A type of the index with no method of the name (`next` of `StreamExt` on
                // futures-channel's `Receiver`, read from its sources): the tables' signature
                // of the type the path names, if any.
                if !in_workspace || from_dependency || ids.is_empty() {
                    let canon = k.canonical_type(path);
                    generic = crate::analysis::generic_api::method_of(canon, &name, args);
                }
                let std_method = if derefed != Val::Unknown {
                    Some(derefed)
                } else if !ids.is_empty() {
                    None
                } else if matches!(
                    name.as_str(),
                    "unwrap"
                        | "expect"
                        | "unwrap_or_default"
                        | "unwrap_or_else"
                        | "unwrap_unchecked"
                ) {
                    Some(recv.unwrapped())
                } else if generic.is_none()
                    && matches!(
                        name.as_str(),
                        "clone" | "as_ref" | "as_mut" | "borrow" | "borrow_mut" | "by_ref"
                    )
                {
                    // (A signature of the tables says otherwise: `watch::Receiver::borrow`
                    // gives a `Ref` of the payload.)
                    Some(Val::Typed {
                        path: path.clone(),
                        args: args.clone(),
                    })
                } else {
                    crate::analysis::patterns::view_method(&recv, &name)
                };
                if let Some(v) = std_method {
                    result = v;
                } else if in_workspace {
                    if ids.is_empty() && self.cx.index.implements(path, "Stream") {
                        // `StreamExt` methods on a stream type of the workspace.
                        api = crate::knowledge::streams::method(&name);
                    } else if !ids.is_empty() {
                        // The receiver's type arguments are what the methods' own parameters
                        // of the type mean (`Chan<Job>::recv` gives an `Option<Job>`).
                        let mut env = self.types().args_env(path, args);
                        env.extend(self.projections_of(path));
                        if let [id] = ids.as_slice() {
                            method_hints = self.closure_hints_in(*id, &env);
                        }
                        method_offloads = self.offloads(&ids);
                        result = self.val_of_fns_in(&ids, &env);
                        if blanket {
                            // The impl's bounds were not checked: inferred at best.
                            result = result.flowed();
                        }
                        from_args = Some((ids.clone(), env, blanket));
                        api = k
                            .method(path, &name)
                            .filter(|a| self.table_agrees(*a, &result, &ids));
                        // A call the tables describe has its effect directly: its
                        // internals are not followed.
                        if api.is_none() {
                            let args = self.call_args(Some(&mc.receiver), mc.args.iter());
                            self.record_call(&ids, span, args);
                        }
                    } else if self.cx.index.is_trait(path) {
                        // A value known only by a trait bound, calling a method its trait does
                        // not declare: the method is the unknown implementing type's, so it is
                        // as unknown as any other receiver's.
                        result = self.unknown_receiver_method(&name, mc.args.len());
                    }
                } else if let Some(a) = k.method(path, &name) {
                    api = Some(a);
                } else if let Some(ids) = generic
                    .is_none()
                    .then(|| self.cx.index.foreign_methods(path, &name))
                    .filter(|ids| !ids.is_empty())
                {
                    // `1u32.ext_run()`: a number's or a `String`'s method from an impl of the
                    // index for it, or a blanket impl whose bounds it meets.
                    method_offloads = self.offloads(&ids);
                    result = self.val_of_fns_in(&ids, &[]).flowed();
                    let args = self.call_args(Some(&mc.receiver), mc.args.iter());
                    self.record_call(&ids, span, args);
                    from_args = Some((ids, Vec::new(), true));
                } else if generic.is_none() && self.type_off_disk(path) {
                    result = self.off_disk_receiver_method(&name);
                }
            }
            Val::ThreadHandle { .. } if name == "join" => api = Some(crate::knowledge::BLOCKING),
            // `let f = self.callback.clone();` of an `Arc<dyn Fn() -> Fut>`: the same callable.
            Val::Callable(_) if name == "clone" && mc.args.is_empty() => result = recv.clone(),
            Val::SyncGuard(target)
                if matches!(name.as_str(), "deref" | "deref_mut") && mc.args.is_empty() =>
            {
                result = patterns::borrowed((**target).clone());
            }
            Val::Unknown => {
                if name == "block_on" {
                    api = Some(crate::knowledge::BLOCK_ON);
                } else if matches!(name.as_str(), "lock" | "read" | "write") && mc.args.is_empty() {
                    result = Val::Typed {
                        path: UNKNOWN_LOCK_RESULT.into(),
                        args: vec![Val::sync_guard()],
                    };
                } else {
                    result = self.unknown_receiver_method(&name, mc.args.len());
                }
            }
            _ => {}
        }
        // `rt.shutdown_background()`, `rt.shutdown_timeout(d)`: the runtime is consumed without
        // the drop that panics in async code.
        if matches!(name.as_str(), "shutdown_background" | "shutdown_timeout") {
            if let Some(local) = mc.receiver.bare_ident() {
                let built = self.built_runtimes.iter().filter(|(n, _)| n == local);
                self.retracted.extend(built.map(|(_, i)| *i));
            }
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
        let role = match api {
            Some(a) => a.role,
            None if method_offloads.is_some() => {
                self.offload_prov = method_offloads.unwrap_or_default();
                Role::Offloads
            }
            None => Role::Plain,
        };
        let callee = match (&recv, recv.path()) {
            (_, Some(p)) => format!("{}::{name}", short_type(p)),
            (Val::ThreadHandle { .. }, None) => format!("JoinHandle::{name}"),
            _ => name.to_string(),
        };
        self.spawning = api.is_some_and(|a| a.ret == Ret::TaskHandle && a.role == Role::Plain);
        if let (Some((m, env)), true) = (&generic, method_hints.is_empty()) {
            let module = self.module;
            method_hints = m.closure_inputs(env, |t, env| {
                self.types().val_of_ty(t, module, None, env, 0)
            });
        }
        self.closure_hints = method_hints;
        let args = self.eval_args(mc.args.iter(), role, &callee);
        if let Some((ids, mut env, blanket)) = from_args {
            if self.bind_ret_args(&ids, &args, &mut env) {
                result = self.val_of_fns_in(&ids, &env);
                if blanket {
                    result = result.flowed();
                }
            }
        }
        if let Some(v) = self.collection_method(mc, &recv, &name, &args, recv_was_used) {
            return v;
        }
        if api.is_none() && result == Val::Unknown {
            let from_iter_call = matches!(&mc.receiver.kind,
                ExprKind::MethodCall(inner) if patterns::is_iterating(&inner.method));
            result = match patterns::mapped_futures(&recv, from_iter_call, &name, &args) {
                Some(v) => v,
                None if name == "collect" => {
                    let into = mc
                        .turbofish
                        .as_ref()
                        .map(|t| self.val_of_ty(t, self.module, 0));
                    // Else what the turbofish says (`collect::<Vec<Conn>>()`).
                    patterns::collected(&recv, into.as_ref())
                        .or(into)
                        .unwrap_or_default()
                }
                None => match self.future_ext_method(&recv, &name) {
                    Some(v) => v,
                    None => map_to_future(&recv, &name, mc, &args),
                },
            };
        }
        if name == "custom_flags" && mc.args.iter().any(super::guards::mentions_nonblock) {
            if let Some(root) = super::guards::chain_root(&mc.receiver) {
                self.nonblocking.push(root.to_string());
            }
        }
        if let Some(api) = api {
            if let Some(effect) = api.effect.filter(|_| !self.opens_nonblocking(mc, &name)) {
                // Messages name the call by its full path (`std::sync::mpsc::Receiver::recv`).
                let full = recv.path().map(|p| format!("{p}::{name}"));
                self.effect(effect, full.unwrap_or_else(|| callee.clone()), span);
            }
            // The source may say more than the table: its work begun by the maker (a
            // command sent before the future that waits for the reply is returned).
            let source = std::mem::take(&mut result);
            result = begun_as(self.val_of_api(api, &callee, args.clone()), &source);
        }
        if let Some((m, mut env)) = generic {
            m.bind_args(&mut env, &args);
            let ret = self.types().val_of_ty(&m.ret, self.module, None, &env, 0);
            let flowed = match m.is_async {
                true => Val::Future {
                    output: Some(Box::new(ret)),
                    origin: format!("`{callee}`"),
                    prov: Provenance::Proven,
                    started: Started::No,
                },
                false => ret,
            };
            result = refined(result, flowed);
        }
        match &result {
            Val::Typed { path, .. } if self.cx.index.has_macro_impls(path) => self
                .macro_made_future(&format!(".{name}"), &format!("method `{name}`"))
                .unwrap_or(result),
            _ => result,
        }
    }

    /// `fut.with_deadline(d)` on a future: a method of an extension trait of futures in the
    /// index (`trait DeadlineExt: Future`, implemented for every future by a blanket impl), as
    /// its signature says. The blanket impl's bounds are not checked: inferred at best.
    fn future_ext_method(&self, recv: &Val, name: &str) -> Option<Val> {
        if !matches!(recv, Val::Future { .. }) {
            return None;
        }
        let index = self.cx.index;
        let ids: Vec<FnId> = index
            .blanket_methods(name)
            .into_iter()
            .filter(|&id| {
                index
                    .fn_info(id)
                    .trait_path
                    .as_deref()
                    .and_then(|t| index.type_info(t))
                    .is_some_and(|t| t.def.future_trait)
            })
            .collect();
        if ids.is_empty() {
            return None;
        }
        Some(self.val_of_fns(&ids).flowed()).filter(|v| *v != Val::Unknown)
    }

    /// A value of a type that an attribute macro may implement more traits for than the source
    /// shows (`#[action] impl Action for InsertOne` may add `IntoFuture`): not known to be no
    /// future, so what the file's other calls of `key` say decides, as for a callee not on disk.
    fn macro_made_future(&self, key: &str, shown: &str) -> Option<Val> {
        Some(self.awaited_elsewhere_as(key, shown)).filter(|v| *v != Val::Unknown)
    }

    /// Vectors of futures and task handles: `v.push(fut)` on a local `Vec` (or a local of unknown
    /// type) records the element kind; `into_iter`, `drain` keep the vector, `remove` and
    /// `swap_remove` give an element. Elements of different kinds make the element unknown.
    pub(super) fn collection_method(
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
            "send" | "try_send" | "blocking_send" | "send_blocking" | "unbounded_send"
                if args.len() == 1 =>
            {
                self.channel_payload(mc, &args[0]);
                None
            }
            "into_iter" | "drain" if is_vec(recv) => Some(recv.clone()),
            "remove" | "swap_remove" if is_vec(recv) => Some(vec_elem(recv)),
            _ => None,
        }
    }

    /// `tx.send(v)` on a local sender whose payload type is not known: the channel carries what
    /// `v` is, so the sender and its receiver, bound by the same `let (tx, rx) = channel();`,
    /// are typed with it (inferred: it flowed through the channel), and `rx.recv()` gives it.
    fn channel_payload(&mut self, mc: &ir::MethodCall, payload: &Val) {
        if *payload == Val::Unknown {
            return;
        }
        let Some(b) = mc.receiver.bare_ident().and_then(|n| self.scopes.lookup(n)) else {
            return;
        };
        let Val::Typed { path, args } = &b.val else {
            return;
        };
        if args.iter().any(|a| *a != Val::Unknown) || b.span == Span::default() {
            return;
        }
        let (sender, made) = (path.clone(), b.span);
        let item = payload.clone().flowed();
        for b in self.scopes.bindings_mut() {
            let Val::Typed { path, args } = &mut b.val else {
                continue;
            };
            let end = *path == sender || crate::knowledge::orphans::is_channel_pair(&sender, path);
            if b.span == made && end && args.iter().all(|a| *a == Val::Unknown) {
                *args = vec![item.clone()];
            }
        }
    }

    /// A method on a receiver of unknown type: a future only if every definition of that name
    /// in the context that takes as many arguments is async (or returns a future), and the
    /// name is not a common sync one. A definition taking another number of arguments is not
    /// the one called (h2's `send_data(data, end)` is not a crate's own `send_data(chunk)`).
    pub(super) fn unknown_receiver_method(&self, name: &str, argc: usize) -> Val {
        if crate::knowledge::maybe_sync_method(name) {
            return Val::Unknown;
        }
        let ids: Vec<FnId> = self
            .cx
            .index
            .methods_named(name)
            .iter()
            .copied()
            .filter(|&id| self.cx.index.fn_info(id).sig.params as usize == argc)
            .collect();
        if ids.is_empty() && self.cx.index.methods_named(name).is_empty() {
            // Defined nowhere the index reads (a dependency not fetched, a helper module left
            // out): what this file's other calls of the name say.
            return self.awaited_elsewhere_as(&format!(".{name}"), &format!("method `{name}`"));
        }
        if ids.is_empty() {
            return Val::Unknown;
        }
        let vals: Vec<Val> = ids.iter().map(|&id| self.val_of_fn(id)).collect();
        if vals.iter().all(Val::is_future) {
            return Val::future(format!("method `{name}`")).weakened(Provenance::Guessed);
        }
        Val::Unknown
    }

    pub(super) fn eval_macro(&mut self, mac: &ir::Macro) -> Val {
        super::macros::eval_macro(self, mac)
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
        Val::Typed { path, args } if is_vec_path(path) => {
            args.first().cloned().unwrap_or_default().flowed()
        }
        _ => Val::Unknown,
    }
}

/// A value the tables or the walk's patterns gave, refined by what a generic signature says of
/// it: an unknown value is the signature's, a future of unknown output gets the signature's
/// output, a value of a type without arguments gets the signature's arguments. What the
/// tables say of a value's kind wins.
fn refined(known: Val, generic: Val) -> Val {
    match (known, generic) {
        (Val::Unknown, g) => g,
        (Val::SyncGuard(t), Val::SyncGuard(g)) => Val::SyncGuard(Box::new(refined(*t, *g))),
        (
            Val::Future {
                output: None,
                origin,
                prov,
                started,
            },
            Val::Future { output, .. },
        ) => Val::Future {
            output,
            origin,
            prov,
            started,
        },
        // A dependency's future read from its sources (`MutexLockFuture<'_, T>`, whose
        // `Output` names a guard of `T` the call site cannot bind): its output refined by the
        // signature's (`MutexGuard<Job>`).
        (
            Val::Future {
                output: Some(known),
                origin,
                prov,
                started,
            },
            Val::Future {
                output: Some(g), ..
            },
        ) => Val::Future {
            output: Some(Box::new(refined(*known, *g))),
            origin,
            prov,
            started,
        },
        // A stream or a task handle made by a table entry: what it yields or returns, as the
        // signature says.
        (
            Val::Stream {
                origin,
                prov,
                item: None,
            },
            Val::Typed { path, args },
        ) if path == crate::knowledge::streams::STREAM_TYPE => Val::Stream {
            origin,
            prov,
            item: args
                .into_iter()
                .next()
                .filter(|i| *i != Val::Unknown)
                .map(Box::new),
        },
        (
            Val::TaskHandle {
                origin,
                prov,
                output: None,
            },
            Val::TaskHandle { output, .. },
        ) => Val::TaskHandle {
            origin,
            prov,
            output,
        },
        (Val::Typed { path, args }, Val::Typed { path: p2, args: a2 })
            if short_type(&path) == short_type(&p2) =>
        {
            let args = match (args.len(), a2.len()) {
                (0, _) => a2,
                (n, m) if n == m => args
                    .into_iter()
                    .zip(a2)
                    .map(|(k, g)| refined(k, g))
                    .collect(),
                _ => args,
            };
            Val::Typed { path, args }
        }
        (known, _) => known,
    }
}

/// Whether `v` is the future a closure given to `Option::map` made (still in its `Option`).
pub(super) fn is_mapped(v: &Val) -> bool {
    matches!(v, Val::Future { origin, .. } if origin == MAPPED)
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
        // On a receiver of unknown type, that it is an `Option` (not a lazy iterator) is a guess.
        let prov = match recv {
            Val::Unknown => Provenance::Guessed,
            _ => Provenance::Proven,
        };
        // The closure's future keeps what it resolves to (`opt.map(|x| async { conn(x) })
        // .unwrap().await` is a connection).
        let output = match &args[0] {
            Val::Callable(ret) => match ret.as_ref() {
                Val::Future { output, .. } => output.clone(),
                _ => None,
            },
            _ => None,
        };
        return Val::future(MAPPED)
            .with_output(output)
            .weakened(args[0].provenance())
            .weakened(prov);
    }
    Val::Unknown
}

/// A table's value for a call, its work begun as the source's own value says (the tables know
/// the type; the source knows whether the maker started the work before it returned).
fn begun_as(table: Val, source: &Val) -> Val {
    match (table.started(), source.started()) {
        (Started::No, begun) if begun != Started::No => table.with_started(begun),
        _ => table,
    }
}

/// The closure a block ends with (`{ let tx = tx.clone(); move || .. }`).
fn tail_closure(b: &ir::Block) -> Option<&ir::Closure> {
    match b.stmts.last()? {
        ir::Stmt::Expr { expr, semi: false } => match &expr.kind {
            ExprKind::Closure(c) => Some(c),
            _ => None,
        },
        _ => None,
    }
}
