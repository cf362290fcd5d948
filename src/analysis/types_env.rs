//! The type environment of a body: what a written type means as a [`Val`], through aliases
//! (generic ones substitute their arguments), `Self`, generic parameters (their bounds), smart
//! pointers and the knowledge tables; and what a field of a known value holds.
//!
//! Everything goes through the index's facts (declared types, aliases, trait impls), so it
//! works the same on any crate the index describes.

use super::value::{Started, Val};
use crate::index::types::Ty;
use crate::index::{Index, ModId, Res};
use crate::knowledge::streams::STREAM_TYPE;
use crate::knowledge::{Knowledge, TypeClass};
use crate::symbol::Symbol;

/// Generic parameter names in scope and what each stands for.
pub type Env = [(Symbol, Val)];

/// Types the prelude names without an import; any other single-segment name that resolves to
/// nothing is a generic parameter or an item the index does not see, so it is unknown (a wrongly
/// "known" type would turn off the receiver-agnostic fallback).
const PRELUDE_TYPES: &[&str] = &["Option", "Result", "Vec", "Box", "String"];

/// What resolving written types needs.
pub struct TypeCx<'a> {
    pub index: &'a Index,
    pub knowledge: &'a Knowledge,
    /// The module of the body being walked (for matching workspace types to the tables).
    pub module: ModId,
}

impl TypeCx<'_> {
    /// The value of a written type in module `m`.
    pub fn val_of_ty(
        &self,
        ty: &Ty,
        m: ModId,
        self_ty: Option<&str>,
        env: &Env,
        depth: usize,
    ) -> Val {
        if depth > 16 {
            return Val::Unknown;
        }
        let again = |t: &Ty, m: ModId| self.val_of_ty(t, m, self_ty, env, depth + 1);
        match ty {
            Ty::Unknown => Val::Unknown,
            Ty::SelfTy => self_ty.map(Val::typed).unwrap_or_default(),
            Ty::Future(out) => Val::Future {
                output: out.as_ref().map(|o| Box::new(again(o, m))),
                origin: "type `impl Future`".into(),
                prov: super::value::Provenance::Proven,
                started: super::value::Started::No,
            },
            Ty::Callable(ret) => Val::Callable(Box::new(again(ret, m))),
            Ty::Tuple(ts) => Val::Tuple(ts.iter().map(|t| again(t, m)).collect()),
            Ty::Path { segs, args } => {
                if let ([name], true) = (&segs[..], args.is_empty()) {
                    // A generic parameter: what its bounds say, inferred.
                    if let Some((_, v)) = env.iter().find(|(n, _)| n == name) {
                        return v.clone().flowed();
                    }
                }
                // `E::Handle` bounded in a `where` clause (`where E::Handle: Hnd`): that bound.
                if segs.len() >= 2 && args.is_empty() && !env.is_empty() {
                    let joined = segs
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("::");
                    if let Some((_, v)) = env.iter().find(|(n, _)| n.as_str() == joined) {
                        if *v != Val::Unknown {
                            return v.clone().flowed();
                        }
                    }
                }
                // `E::Handle` with `E: Executor`: what the trait's `type Handle: ..` bounds say.
                if let [first, rest @ ..] = &segs[..] {
                    if let (false, Some((_, v))) =
                        (rest.is_empty(), env.iter().find(|(n, _)| n == first))
                    {
                        return self.assoc_of(v, rest, self_ty, depth).flowed();
                    }
                    // `Self::Conn` in a trait's own declaration (`fn conn(&self) ->
                    // Self::Conn;`, called on a value known by that trait): what the trait's
                    // `type Conn: ..` bounds say.
                    if let (true, false, Some(t)) = (first == "Self", rest.is_empty(), self_ty) {
                        if self.index.is_trait(t) {
                            return self.assoc_of(&Val::typed(t), rest, None, depth).flowed();
                        }
                    }
                }
                let last = segs.last().map(|s| s.as_str()).unwrap_or_default();
                let arg_vals = || args.iter().map(|a| again(a, m)).collect::<Vec<_>>();
                // The stream an `impl Stream<Item = T>` stands for is the tables' type, never
                // the trait a dependency's sources declare under that path.
                if segs.iter().map(|s| s.as_str()).eq(STREAM_TYPE.split("::")) {
                    return self.external_type(STREAM_TYPE, segs, last, arg_vals());
                }
                match self.index.resolve_type(m, segs) {
                    Res::Type(p) => self.workspace_type(p, last, arg_vals(), self_ty, depth),
                    Res::External(p) => self.external_type(&p, segs, last, arg_vals()),
                    _ => Val::Unknown,
                }
            }
        }
    }

    /// The associated type `names[0]` (then `names[1]` of that, ...) of a value known by a
    /// trait bound: what the trait's `type X: Bounds;` says.
    fn assoc_of(&self, bound: &Val, names: &[Symbol], self_ty: Option<&str>, depth: usize) -> Val {
        let (Val::Typed { path, .. }, [name, rest @ ..]) = (bound, names) else {
            return Val::Unknown;
        };
        let Some(info) = self.index.type_info(path) else {
            return Val::Unknown;
        };
        if info.def.kind != crate::index::facts::TypeKind::Trait {
            return Val::Unknown;
        }
        let Some((_, ty)) = info.def.fields.iter().find(|(n, _)| n == name) else {
            return Val::Unknown;
        };
        let v = self.val_of_ty(ty, info.module, self_ty, &[], depth + 1);
        if rest.is_empty() {
            // A handle or a channel end known only by its `Future` bound.
            if v.is_future() && crate::knowledge::is_handle_like_assoc(name) {
                return Val::Unknown;
            }
            v
        } else {
            self.assoc_of(&v, rest, self_ty, depth + 1)
        }
    }

    fn workspace_type(
        &self,
        p: String,
        last: &str,
        args: Vec<Val>,
        self_ty: Option<&str>,
        depth: usize,
    ) -> Val {
        if let Some(info) = self.index.type_info(&p) {
            // `impl Action` with `trait Action: IntoFuture`: a future to be, by its bound.
            if info.def.future_trait {
                return Val::future(format!("`impl {last}`")).flowed();
            }
            if let Some(alias) = &info.def.alias_of {
                // `type Result<T> = std::result::Result<T, Error>;`: the alias's parameters
                // mean the arguments written at the use.
                let env = generic_env(&info.def.generics, args, self, info.module, self_ty, &[]);
                return self.val_of_ty(alias, info.module, self_ty, &env, depth + 1);
            }
        }
        // A workspace type the tables know (tokio's own `Notified`, async-std's own
        // `JoinHandle`, when those crates are analysed themselves).
        match self.workspace_type_class(&p) {
            TypeClass::Future => return Val::future(format!("type `{last}`")),
            TypeClass::TaskHandle => return Val::task_handle(format!("`{last}`")),
            _ => {}
        }
        // A workspace type named like a future that implements `Future` (`ResponseFuture`) is
        // one; handles that implement it are not, nor are those whose drop hands the work off.
        // When its impl needs arguments to be futures, one known not to be makes it no future,
        // and unknown ones leave it a future by its name only (inferred).
        if last.ends_with("Future") && self.index.implements_future(&p) && self.lazy_on_drop(&p) {
            let conds = self.index.future_conditions(&p);
            let arg = |k: &usize| args.get(*k).cloned().unwrap_or_default();
            if conds.iter().all(|k| self.maybe_future(&arg(k))) {
                let mut fut = Val::future(format!("type `{last}`"));
                if self.index.is_receipt(&p) {
                    fut = fut.with_started(super::value::Started::Receipt);
                }
                return if conds.is_empty() { fut } else { fut.flowed() };
            }
        }
        Val::Typed { path: p, args }
    }

    fn external_type(&self, p: &str, segs: &[Symbol], last: &str, args: Vec<Val>) -> Val {
        let k = self.knowledge;
        match k.classify_type(p) {
            TypeClass::Future => return Val::future(format!("type `{last}`")),
            TypeClass::TaskHandle => {
                // `JoinHandle<T>`: its task returns a `T`.
                let output = args.into_iter().next().unwrap_or_default();
                return Val::task_handle_of(format!("`{last}`"), output);
            }
            TypeClass::ThreadHandle => return Val::thread_handle(format!("`{last}`")),
            TypeClass::Guard => {
                return Val::SyncGuard(Box::new(args.into_iter().next().unwrap_or_default()))
            }
            TypeClass::Other => {}
        }
        if matches!(last, "BoxFuture" | "LocalBoxFuture") {
            return Val::future(format!("type `{last}`"));
        }
        if matches!(last, "Pin" | "Box" | "Arc" | "Rc" | "ManuallyDrop") && segs.len() <= 3 {
            let inner = args.into_iter().next().unwrap_or_default();
            if last == "Pin" || last == "Box" || !inner.is_future() {
                return inner;
            }
            return Val::Unknown;
        }
        // A lone name that is neither a prelude type nor a primitive is a generic parameter or
        // something unresolved: unknown.
        if !p.contains("::")
            && !PRELUDE_TYPES.contains(&last)
            && !super::value::PLAIN_TYPES.contains(&last)
        {
            return Val::Unknown;
        }
        Val::Typed {
            path: k.canonical_type(p).to_string(),
            args,
        }
    }

    /// The tables' kind for a type of the workspace, when the tables' path for it leads to this
    /// very type (tokio's `sync::futures::Notified` is `sync::notify::Notified`; its
    /// `runtime::task::Notified` is something else).
    fn workspace_type_class(&self, path: &str) -> TypeClass {
        let k = self.knowledge;
        let canon = k.canonical_type(path);
        if canon == path {
            return k.classify_type(path);
        }
        let class = k.classify_type(canon);
        if class == TypeClass::Other {
            return class;
        }
        let mut segs: Vec<String> = canon.split("::").map(str::to_string).collect();
        let target = Res::Type(path.to_string());
        if self.index.resolve_type(self.module, &segs) == target {
            return class;
        }
        segs[0] = "crate".into();
        if self.index.resolve_type(self.module, &segs) == target {
            return class;
        }
        TypeClass::Other
    }

    /// How a value of the index's type `path` with type arguments `args` is known to be a future
    /// by the type's `Future`/`IntoFuture` impls: proven when an impl holds for any arguments,
    /// inferred when the impl needs some arguments to be futures (`Either<L, R>`) and they are;
    /// `None` when it has no such impl, or an argument it needs is not known to be a future.
    pub fn future_by_impl(&self, path: &str, args: &[Val]) -> Option<super::value::Provenance> {
        use super::value::Provenance;
        if !(self.index.implements(path, "Future") || self.index.implements(path, "IntoFuture")) {
            return None;
        }
        let conds = self.index.future_conditions(path);
        if conds.is_empty() {
            return Some(Provenance::Proven);
        }
        let mut prov = Provenance::Inferred;
        for k in conds {
            match args.get(*k) {
                Some(v @ Val::Future { .. }) => prov = prov.weaker(v.provenance()),
                Some(Val::Typed { path, args }) => {
                    prov = prov.weaker(self.future_by_impl(path, args)?);
                }
                _ => return None,
            }
        }
        Some(prov)
    }

    /// The value a tuple-struct constructor call (`PollOnce(&mut fut)`) makes: the index's type,
    /// each type parameter bound to the value of the argument whose field holds it whole (`F`,
    /// `&mut F`, `Box<F>`, `Pin<..F..>`), so that an impl that needs it to be a future can tell.
    pub fn constructed(&self, path: String, fields: &[Val]) -> Val {
        let Some(info) = self.index.type_info(&path) else {
            return Val::typed(path);
        };
        if info.def.generics.is_empty() {
            return Val::typed(path);
        }
        fn holds(ty: &Ty, param: &str) -> bool {
            match ty {
                Ty::Path { segs, args } if segs.len() == 1 && args.is_empty() => segs[0] == param,
                Ty::Path { segs, args } if args.len() == 1 => {
                    matches!(segs.last().map(|s| s.as_str()), Some("Box" | "Pin"))
                        && holds(&args[0], param)
                }
                _ => false,
            }
        }
        let args = info
            .def
            .generics
            .iter()
            .map(|(name, _)| {
                info.def
                    .fields
                    .iter()
                    .find_map(|(field, ty)| {
                        let k: usize = field.parse().ok()?;
                        holds(ty, name).then(|| fields.get(k).cloned())?
                    })
                    .unwrap_or_default()
            })
            .collect();
        Val::Typed { path, args }
    }

    /// Whether a type argument may be a future: not one known to be something else.
    fn maybe_future(&self, v: &Val) -> bool {
        match v {
            Val::Unknown | Val::Future { .. } => true,
            Val::Typed { path, args } => {
                self.index.type_info(path).is_none() || self.future_by_impl(path, args).is_some()
            }
            _ => false,
        }
    }

    /// Whether dropping a value of the index's type at `path` (a future or `IntoFuture`) loses
    /// its work: yes when it is `#[must_use]`; no when its `Drop` impl may do something with it
    /// (hands it to a background task: any drop body that does more than free, deregister or
    /// log what it holds) or it holds a spawned task's or thread's handle (the work already
    /// runs); yes otherwise.
    pub fn lazy_on_drop(&self, path: &str) -> bool {
        self.drop_loss(path) == Some(Started::No)
    }

    /// How dropping a value of the index's type at `path` (a future or `IntoFuture`) loses its
    /// work, as [`Self::lazy_on_drop`] tells it: `Some(Started::No)` lost; `None` not lost;
    /// `Some(Started::MaybeHandedOn)` when its `Drop` passes a wake-up on to another waiter,
    /// which only the names of the calls say.
    pub fn drop_loss(&self, path: &str) -> Option<Started> {
        let Some(info) = self.index.type_info(path) else {
            return Some(Started::No);
        };
        if info.def.must_use {
            return Some(Started::No);
        }
        let mut loss = Started::No;
        if self.index.implements(path, "Drop") && !self.index.drop_only_cleans_up(path) {
            if !self.index.drop_only_passes_wake(path) {
                return None;
            }
            loss = Started::MaybeHandedOn;
        }
        let holds_task = info
            .def
            .fields
            .iter()
            .any(|(_, ty)| holds_task_handle(ty, 0));
        (!holds_task).then_some(loss)
    }

    /// Whether a field of the index's type at `path` may hold a handle or a channel end: its
    /// type's name says so (`JoinHandle`, `Receiver`, `EventListener`), or it is a type
    /// parameter or unknown; or the type has no fields to tell (a unit struct's state is
    /// elsewhere). A type named like a handle is one unless its fields say otherwise.
    pub fn fields_may_hold_handle(&self, path: &str) -> bool {
        let Some(info) = self.index.type_info(path) else {
            return true;
        };
        if info.def.fields.is_empty() {
            return true;
        }
        let params: Vec<&str> = info.def.generics.iter().map(|(g, _)| g.as_str()).collect();
        info.def
            .fields
            .iter()
            .any(|(_, ty)| may_name_handle(ty, &params, 0))
    }

    /// A value's known type arguments bound to its type's own parameters (`Chan<Job>`: `T` is
    /// `Job`), for reading what the type's items say of them: its methods' returns and closure
    /// parameters, its impls' `Output` and `Target`. Parameters without a known argument are
    /// left out (they mean what they meant before). The impls are taken to name their
    /// parameters as the type does (`impl<T> Chan<T>`), as nearly all do.
    pub fn args_env(&self, path: &str, args: &[Val]) -> Vec<(Symbol, Val)> {
        let Some(info) = self.index.type_info(path) else {
            return Vec::new();
        };
        let mut env: Vec<(Symbol, Val)> = info
            .def
            .generics
            .iter()
            .zip(args)
            .filter(|(_, v)| **v != Val::Unknown)
            .map(|((name, _), v)| (*name, v.clone()))
            .collect();
        self.supertrait_env(path, &mut env);
        env
    }

    /// For a trait with supertraits that take type arguments (`trait NotificationCode:
    /// ToCode<Box<Cb>>`), each supertrait's parameters bound to its written arguments (read
    /// with the parameters already bound), so that a method found through it (`get` returning
    /// `PinnedGetFuture<T>`) means what the arguments say. Names already bound are kept.
    fn supertrait_env(&self, path: &str, env: &mut Vec<(Symbol, Val)>) {
        for (sup, args, m) in self.index.supertraits_of(path) {
            let Some(info) = self.index.type_info(&sup) else {
                continue;
            };
            for ((name, _), arg) in info.def.generics.iter().zip(args) {
                if env.iter().any(|(n, _)| n == name) {
                    continue;
                }
                let v = self.val_of_ty(arg, m, None, env, 0);
                if v != Val::Unknown {
                    env.push((*name, v));
                }
            }
        }
    }

    /// The declared type of field `name` of a value of a struct of the index: a generic field
    /// means the value's type argument, else its parameter's bound.
    pub fn field_of(&self, base: &Val, name: &str, self_ty: Option<&str>, outer: &Env) -> Val {
        let Val::Typed { path, args } = base else {
            return Val::Unknown;
        };
        let Some((ty, m)) = self.index.field_type(path, name) else {
            return Val::Unknown;
        };
        let generics = self
            .index
            .type_info(path)
            .map(|i| i.def.generics.as_slice())
            .unwrap_or_default();
        // Inside the impl of this very type, its parameters are the impl's.
        let outer = if self_ty == Some(path.as_str()) {
            outer
        } else {
            &[]
        };
        let env = generic_env(generics, args.clone(), self, m, self_ty, outer);
        self.val_of_ty(ty, m, self_ty, &env, 0)
    }
}

/// Parameter names bound to the written arguments; a parameter without one means what `outer`
/// (the walked impl's own parameters, usually named alike) or else its bounds say. Twice, so
/// that `F: Fn() -> Fut, Fut: Future` sees `Fut`.
fn generic_env(
    params: &[(Symbol, Ty)],
    args: Vec<Val>,
    cx: &TypeCx,
    m: ModId,
    self_ty: Option<&str>,
    outer: &Env,
) -> Vec<(Symbol, Val)> {
    // A parameter given an argument (or meaning the same in `outer`) means that; the others
    // mean their bounds, solved together.
    let given: Vec<Option<Val>> = params
        .iter()
        .enumerate()
        .map(|(i, (name, _))| match args.get(i) {
            Some(Val::Unknown) | None => outer
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone()),
            Some(v) => Some(v.clone()),
        })
        .collect();
    super::bounds::solve(params, |i, bound, env| match &given[i] {
        Some(v) => v.clone(),
        None => cx.val_of_ty(bound, m, self_ty, env, 1),
    })
}

/// A written type that is or wraps (`Option<JoinHandle<()>>`, `Arc<..>`) a task's handle.
/// Whether a field's type may be or hold a handle or a channel end (see
/// [`TypeCx::fields_may_hold_handle`]).
fn may_name_handle(ty: &Ty, params: &[&str], depth: usize) -> bool {
    match ty {
        Ty::Path { segs, args } if depth < 8 => {
            let last = segs.last().map(|s| s.as_str()).unwrap_or_default();
            crate::knowledge::is_handle_like_name(last)
                || (segs.len() == 1 && params.contains(&last))
                || args.iter().any(|a| may_name_handle(a, params, depth + 1))
        }
        Ty::Tuple(ts) if depth < 8 => ts.iter().any(|t| may_name_handle(t, params, depth + 1)),
        Ty::Future(_) | Ty::Callable(_) | Ty::SelfTy => false,
        _ => true,
    }
}

fn holds_task_handle(ty: &Ty, depth: usize) -> bool {
    match ty {
        Ty::Path { segs, args } if depth < 8 => {
            matches!(
                segs.last().map(|s| s.as_str()),
                Some("JoinHandle" | "AbortHandle")
            ) || args.iter().any(|a| holds_task_handle(a, depth + 1))
        }
        Ty::Tuple(ts) if depth < 8 => ts.iter().any(|t| holds_task_handle(t, depth + 1)),
        _ => false,
    }
}
