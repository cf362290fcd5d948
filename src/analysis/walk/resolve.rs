//! Names and values: paths resolved through the body's `use`s, generics and the index; the
//! value a signature, a type or a table entry gives.

use super::Walker;
use crate::analysis::types_env::Env;
use crate::analysis::value::{Provenance, Started, Val};
use crate::index::facts::FnSig;
use crate::index::types::Ty;
use crate::index::{FnId, ModId, Ns, Res};
use crate::knowledge::streams::STREAM_TYPE;
use crate::knowledge::{Api, Ret};
use crate::symbol::Symbol;

impl Walker<'_, '_> {
    pub(super) fn resolve_path(&self, segs: &[Symbol], ns: Ns) -> Res {
        let Some(first) = segs.first() else {
            return Res::Unknown;
        };
        // `T::delay_for(..)` with `T: Runtime`: the bound trait's associated fn; `C::Rt::sleep(..)`
        // through the associated type `Rt` of `C`'s bound.
        if segs.len() >= 2 {
            if let Some(res) =
                crate::analysis::bounds::path_through_bound(self.cx.index, &self.generics, segs)
            {
                return res;
            }
        }
        if first == "Self" {
            return match (&self.self_ty, segs.len()) {
                (Some(t), 2) => Res::Assoc(t.clone(), segs[1].to_string()),
                (Some(t), 1) => Res::Type(t.clone()),
                _ => Res::Unknown,
            };
        }
        if let Some(target) = self.scopes.local_use(first) {
            let mut full = target.to_vec();
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
                        let mut full: Vec<Symbol> = full.split("::").map(Symbol::intern).collect();
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

    /// `RtOf::<C>::sleep` and `MyRt::sleep` when the type alias there stands for a projection
    /// (see [`crate::analysis::projection`]): the associated fn of the type it stands for.
    /// `res` unchanged otherwise.
    pub(super) fn through_alias(&self, res: Res, segs: &[Symbol], head_args: &[Ty]) -> Res {
        let Res::Assoc(ty, name) = &res else {
            return res;
        };
        let Some((_, head)) = segs.split_last() else {
            return res;
        };
        if head.is_empty() || !self.cx.index.assoc_fns(ty, name).is_empty() {
            return res;
        }
        match crate::analysis::projection::alias_head(
            self.cx.index,
            self.module,
            &self.generics,
            head,
            head_args,
        ) {
            Some(h) => Res::Assoc(h.path(), name.clone()),
            None => res,
        }
    }

    /// What a value's type arguments pin of the impl its methods come from (see
    /// [`crate::index::Index::fitting_instance`]): the name of each argument's type when it is
    /// a type, not a bound (a parameter's trait says nothing of which impl).
    pub(super) fn instance_keys(&self, args: &[Val]) -> Vec<Option<Symbol>> {
        args.iter()
            .map(|a| match a {
                Val::Typed { path, .. } if !self.cx.index.is_trait(path) => Some(Symbol::intern(
                    crate::knowledge::path_str::last_segment(path),
                )),
                _ => None,
            })
            .collect()
    }

    pub(super) fn val_of_fn(&self, id: FnId) -> Val {
        self.val_of_fn_in(id, &[])
    }

    /// The value of a call of `id` on a receiver whose type arguments bind `env` (see
    /// [`crate::analysis::types_env::TypeCx::args_env`]).
    pub(super) fn val_of_fn_in(&self, id: FnId, env: &Env) -> Val {
        let info = self.cx.index.fn_info(id);
        if let Some(v) = self.assoc_return(&info) {
            return v;
        }
        let self_ty = info.self_ty.as_deref().map(str::to_string);
        let val = self.val_of_sig_in(info.sig, info.module(), self_ty, env);
        // A method's future is named by its path (`Connection::close`), as the call is written.
        let owner = info
            .self_ty
            .as_deref()
            .or(info.trait_path.as_deref())
            .map(crate::knowledge::path_str::last_segment);
        match (&val, owner) {
            (Val::Future { origin, .. }, Some(ty))
                if origin
                    .strip_prefix("fn `")
                    .and_then(|o| o.strip_suffix('`'))
                    .is_some_and(|name| name == &*info.sig.name) =>
            {
                let origin = format!("`{ty}::{}`", info.sig.name);
                val.with_origin(origin)
            }
            _ => val,
        }
    }

    /// `fn call(&mut self, req: R) -> Self::Future` of a trait (or of its impl) whose
    /// `type Future: Future<..>` is bound by `Future`: a future, through the associated type's
    /// bound (inferred).
    fn assoc_return(&self, info: &crate::index::FnInfo) -> Option<Val> {
        let Ty::Path { segs, args } = info.sig.ret.get() else {
            return None;
        };
        let ([first, assoc], true, false) = (&segs[..], args.is_empty(), info.sig.is_async) else {
            return None;
        };
        // (A handle or a channel end known only by its `Future` bound is not one.)
        if first != "Self" || crate::knowledge::is_handle_like_assoc(assoc) {
            return None;
        }
        let bound = crate::analysis::bounds::assoc_bound(
            self.cx.index,
            info.trait_path.as_deref()?,
            assoc,
        )?;
        match bound {
            Ty::Future(_) => {
                Some(Val::future(format!("fn `{}`", info.sig.name)).weakened(Provenance::Inferred))
            }
            _ => None,
        }
    }

    /// The value of a call when the callee has several candidate definitions: known only when
    /// they all agree on the kind.
    pub(super) fn val_of_fns(&self, ids: &[FnId]) -> Val {
        self.val_of_fns_in(ids, &[])
    }

    pub(super) fn val_of_fns_in(&self, ids: &[FnId], env: &Env) -> Val {
        agreed(ids.iter().map(|&id| self.val_of_fn_in(id, env)))
    }

    /// What calls of `ids` give with `Self` read as `self_ty` (a trait known by a bound: `Self::Rt`
    /// is that trait's `type Rt`), when all agree.
    pub(super) fn val_of_fns_as(&self, ids: &[FnId], self_ty: &str) -> Val {
        agreed(ids.iter().map(|&id| {
            let info = self.cx.index.fn_info(id);
            self.val_of_sig_in(info.sig, info.module(), Some(self_ty.to_string()), &[])
        }))
    }

    pub(super) fn val_of_sig(&self, sig: &FnSig, m: ModId, self_ty: Option<String>) -> Val {
        self.val_of_sig_in(sig, m, self_ty, &[])
    }

    fn val_of_sig_in(&self, sig: &FnSig, m: ModId, self_ty: Option<String>, env: &Env) -> Val {
        let saved_self = self_ty.or_else(|| self.self_ty.clone());
        let ret = self
            .types()
            .val_of_ty(&sig.ret, m, saved_self.as_deref(), env, 0);
        if sig.is_async && sig.runtime_attr() {
            // `#[tokio::main] async fn f()` expands to a sync fn that runs the runtime.
            return Val::Unknown;
        }
        if sig.is_async {
            return Val::Future {
                output: Some(Box::new(ret)),
                origin: format!("async fn `{}`", sig.name),
                prov: Provenance::Proven,
                started: if sig.async_by_feature() {
                    Started::AsyncByFeature
                } else {
                    Started::No
                },
            };
        }
        if sig.ret_is_ref && self.future_object(&ret).is_some() {
            // `&mut Self` of a builder that is also a future: the builder is not dropped here.
            return Val::Unknown;
        }
        match ret {
            Val::TaskHandle { prov, output, .. } => Val::TaskHandle {
                origin: format!("`{}`", sig.name),
                prov,
                output,
            },
            Val::ThreadHandle { prov, .. } => Val::ThreadHandle {
                origin: format!("`{}`", sig.name),
                prov,
            },
            other => made_by(other, sig, 0),
        }
    }

    /// A type written in this body (generic parameters in scope mean their bounds).
    pub(super) fn val_of_ty(&self, ty: &Ty, m: ModId, depth: usize) -> Val {
        self.types()
            .val_of_ty(ty, m, self.self_ty.as_deref(), &self.generics, depth)
    }

    pub(super) fn val_of_api(&self, api: Api, callee: &str, args: Vec<Val>) -> Val {
        let origin = format!("`{callee}`");
        match api.ret {
            Ret::Unknown => Val::Unknown,
            Ret::Future(out) => Val::Future {
                output: out.map(|p| Box::new(Val::typed(p))),
                origin,
                prov: Provenance::Proven,
                started: Started::No,
            },
            Ret::FutureResult(p) => Val::Future {
                output: Some(Box::new(Val::Typed {
                    path: "Result".into(),
                    args: vec![Val::typed(p)],
                })),
                origin,
                prov: Provenance::Proven,
                started: Started::No,
            },
            // What the task returns: the spawned future's output, or the closure's result.
            Ret::TaskHandle => {
                let output = match args.first() {
                    Some(Val::Future {
                        output: Some(o), ..
                    }) => (**o).clone(),
                    Some(Val::Callable(ret)) => (**ret).clone(),
                    _ => Val::Unknown,
                };
                Val::task_handle_of(origin, output)
            }
            Ret::ThreadHandle => Val::thread_handle(origin),
            // A stream made here, by a constructor or an adaptor: lazy until polled.
            Ret::Type(p) if p == STREAM_TYPE && makes_work(callee) => Val::Stream {
                origin,
                prov: Provenance::Proven,
                item: None,
            },
            Ret::Type(p) => Val::typed(p),
            Ret::ResultOf(p) => Val::Typed {
                path: "Result".into(),
                args: vec![Val::typed(p)],
            },
            Ret::Pair(a, b) => Val::Tuple(vec![Val::typed(a), Val::typed(b)]),
            Ret::Guard => Val::sync_guard(),
            Ret::GuardResult => Val::Typed {
                path: "LockResult".into(),
                args: vec![Val::sync_guard()],
            },
            Ret::FirstArg => args.into_iter().next().unwrap_or_default(),
        }
    }
}

/// The first of `vals` when all are of one kind (all futures, all of a type, ...), else unknown.
fn agreed(mut vals: impl Iterator<Item = Val>) -> Val {
    let Some(first) = vals.next() else {
        return Val::Unknown;
    };
    if vals.all(|v| std::mem::discriminant(&v) == std::mem::discriminant(&first)) {
        first
    } else {
        Val::Unknown
    }
}

/// Whether a stream made by `callee` stands for work (not `stream::empty()`, `pending()`, nor a
/// table entry checked without a call).
fn makes_work(callee: &str) -> bool {
    !callee.is_empty() && !callee.ends_with("empty") && !callee.ends_with("pending")
}

/// The futures a plain fn returns, directly or inside a `Result`, an `Option` or a tuple (that
/// `.unwrap()`, `.expect(..)`, `?` or a pattern take out), as made by that fn: named after it,
/// and started when its body starts the work before it returns them.
fn made_by(val: Val, sig: &FnSig, depth: usize) -> Val {
    if depth > 4 {
        return val;
    }
    match val {
        Val::Future {
            output,
            prov,
            started,
            ..
        } => Val::Future {
            output,
            origin: format!("fn `{}`", sig.name),
            prov,
            started: match started {
                Started::No if sig.starts_work => Started::ByMaker,
                Started::No if sig.body_unknown => Started::MaybeByMaker,
                other => other,
            },
        },
        Val::Typed { path, args } if is_wrapper(&path) => Val::Typed {
            args: args
                .into_iter()
                .map(|a| made_by(a, sig, depth + 1))
                .collect(),
            path,
        },
        Val::Tuple(items) => Val::Tuple(
            items
                .into_iter()
                .map(|a| made_by(a, sig, depth + 1))
                .collect(),
        ),
        other => other,
    }
}

/// `Result` and `Option` (std's, or an alias path ending so): what they hold is the fn's.
fn is_wrapper(path: &str) -> bool {
    matches!(
        crate::knowledge::path_str::last_segment(path),
        "Result" | "Option"
    )
}
