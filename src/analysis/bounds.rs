//! Type flow through bounds: what the generic parameters in scope stand for, and what a path
//! through one of them names.
//!
//! - **Parameters** (`F: Fn(Event) -> Fut`, `Fut: Future<Output = ()>`, `impl Trait`, `where`
//!   clauses, all lowered to one written bound per parameter): each parameter means the value of
//!   its bound, where a bound that names another parameter means that parameter's meaning. The
//!   meanings are solved to a fixed point, so the order the parameters are written in and the
//!   length of a chain (`G: Fn() -> F`, `F: Fn() -> Fut`, `Fut: Future`) do not matter.
//! - **Paths**: `T::push(..)` with `T: Queue` is the trait's associated fn; `C::Rt::sleep(..)`
//!   with `C: Config` and `trait Config { type Rt: Runtime; }` is `Runtime::sleep`, through the
//!   associated type's bound.
//!
//! A value reached through a bound flowed there: its future-ness is inferred, not proven (see
//! [`super::value::Provenance`]).

use super::value::Val;
use crate::index::types::Ty;
use crate::index::{Index, Res};
use crate::symbol::Symbol;

/// Generic parameter names in scope and what each stands for.
pub type Env = Vec<(Symbol, Val)>;

/// Solves the meanings of `params` (name, written bound): `eval(i, bound, env)` gives the
/// meaning of parameter `i` from its bound under the meanings found so far. Rounds run until nothing changes (at most one round
/// per parameter, plus one: a chain can be no longer).
pub fn solve(params: &[(Symbol, Ty)], mut eval: impl FnMut(usize, &Ty, &Env) -> Val) -> Env {
    let mut env: Env = params.iter().map(|(n, _)| (*n, Val::Unknown)).collect();
    for _ in 0..=params.len() {
        let next: Env = params
            .iter()
            .enumerate()
            .map(|(i, (n, bound))| (*n, eval(i, bound, &env)))
            .collect();
        if next == env {
            break;
        }
        env = next;
    }
    env
}

/// What a path whose first segment is a generic parameter in scope names: `T::f` is the bound
/// trait's associated fn `f`; `T::Assoc::f` goes through the trait's associated type `Assoc`
/// (to the one trait its bound names). `None` when the first segment is not such a parameter.
pub fn path_through_bound(index: &Index, env: &[(Symbol, Val)], segs: &[Symbol]) -> Option<Res> {
    let (first, rest) = segs.split_first()?;
    let Some((_, Val::Typed { path, .. })) = env.iter().find(|(n, _)| n == first) else {
        return None;
    };
    let mut owner = path.clone();
    let (last, middle) = rest.split_last()?;
    for assoc in middle {
        owner = assoc_trait(index, &owner, assoc)?;
    }
    Some(Res::Assoc(owner, last.to_string()))
}

/// What the bounds of associated type `assoc` of trait `trait_path` say (`type Future:
/// Future<Output = ..>;`), when the index knows the trait.
pub fn assoc_bound<'a>(index: &'a Index, trait_path: &str, assoc: &str) -> Option<&'a Ty> {
    let info = index.type_info(trait_path)?;
    if !index.is_trait(trait_path) {
        return None;
    }
    info.def
        .fields
        .iter()
        .find(|(n, _)| n == assoc)
        .map(|(_, bound)| bound)
}

/// The trait an associated type `assoc` of trait `trait_path` is bound by (`type Rt: Runtime;`),
/// when the index knows the trait and the bound names one trait.
pub fn assoc_trait(index: &Index, trait_path: &str, assoc: &str) -> Option<String> {
    let info = index.type_info(trait_path)?;
    let Ty::Path { segs, .. } = assoc_bound(index, trait_path, assoc)? else {
        return None;
    };
    match index.resolve_type(info.module, segs) {
        Res::Type(p) if index.is_trait(&p) => Some(p),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(name: &str) -> Ty {
        Ty::Path {
            segs: Box::new([Symbol::from(name)]),
            args: Vec::new(),
        }
    }

    /// A tiny evaluator: a parameter's name means its meaning, `Future` is a future, a
    /// callable means a callable of its return.
    fn eval(t: &Ty, env: &Env) -> Val {
        match t {
            Ty::Future(_) => Val::future("a bound"),
            Ty::Callable(ret) => Val::Callable(Box::new(eval(ret, env))),
            Ty::Path { segs, .. } => env
                .iter()
                .find(|(n, _)| Some(n) == segs.first())
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            _ => Val::Unknown,
        }
    }

    #[test]
    fn chains_of_bounds_resolve_in_any_order() {
        // `G: Fn() -> F, F: Fn() -> Fut, Fut: Future`, written from the far end.
        let params = vec![
            (Symbol::from("G"), Ty::Callable(Box::new(ty("F")))),
            (Symbol::from("F"), Ty::Callable(Box::new(ty("Fut")))),
            (Symbol::from("Fut"), Ty::Future(None)),
        ];
        let env = solve(&params, |_, t, env| eval(t, env));
        let g = &env[0].1;
        let Val::Callable(f) = g else { panic!("{g:?}") };
        let Val::Callable(fut) = &**f else {
            panic!("{f:?}")
        };
        assert!(fut.is_future());
        // A bound that says nothing stays unknown; a cycle ends.
        let params = vec![(Symbol::from("A"), ty("B")), (Symbol::from("B"), ty("A"))];
        let env = solve(&params, |_, t, env| eval(t, env));
        assert!(env.iter().all(|(_, v)| *v == Val::Unknown));
    }

    #[test]
    fn paths_go_through_bounds_and_associated_types() {
        let index = Index::of_lib_text(
            "pub trait Runtime { fn sleep(d: u64) -> impl std::future::Future<Output = ()>; }\n\
             pub trait Config { type Rt: Runtime + Send; type Plain; }\n",
        );
        let env = vec![(Symbol::from("C"), Val::typed("app::Config"))];
        let segs = |s: &str| s.split("::").map(Symbol::intern).collect::<Vec<_>>();
        assert_eq!(
            path_through_bound(&index, &env, &segs("C::Rt::sleep")),
            Some(Res::Assoc("app::Runtime".into(), "sleep".into()))
        );
        assert_eq!(
            path_through_bound(&index, &env, &segs("C::name")),
            Some(Res::Assoc("app::Config".into(), "name".into()))
        );
        // An associated type bound by no trait the index knows, and a name not in scope.
        assert_eq!(path_through_bound(&index, &env, &segs("C::Plain::f")), None);
        assert_eq!(path_through_bound(&index, &env, &segs("D::f")), None);
        let index = Index::of_lib_text(
            "pub trait Service { type Future: std::future::Future<Output = u32>; }\n",
        );
        assert!(matches!(
            assoc_bound(&index, "app::Service", "Future"),
            Some(Ty::Future(_))
        ));
        assert_eq!(assoc_bound(&index, "app::Service", "Error"), None);
    }
}
