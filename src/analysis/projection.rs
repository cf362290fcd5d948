//! Type aliases to projections: what type a path's leading type stands for when it is an alias
//! (`RtOf::<C>::sleep(..)` with `type RtOf<C> = <C as Config>::Rt;`, `MyRt::sleep(..)` with
//! `type MyRt = <MyConfig as Config>::Rt;`), so its associated fns can be found.
//!
//! An alias is expanded with its written arguments substituted (each read in the module it is
//! written in); a projection `X::Assoc` goes, for a generic parameter `X`, through the trait
//! its bound names and that trait's `type Assoc: Trait2;` (as [`super::bounds`] does for
//! `C::Rt::sleep`), and, for a concrete `X`, to what the one impl defining `Assoc` for `X`
//! says (`type Rt = TokioRt;`). Every step goes through declared items; anything else (an
//! unbounded parameter, two impls defining `Assoc`, a type the index does not know) leaves the
//! type unknown.

use super::bounds::{assoc_trait, Env};
use super::value::Val;
use crate::index::types::Ty;
use crate::index::{Index, ModId, Res};
use crate::symbol::Symbol;

/// What a type stands for, as far as its associated fns go.
#[derive(Debug, Clone, PartialEq)]
pub enum Head {
    /// A type of the index, by its path.
    Type(String),
    /// Some type known only by the trait its bound names (a generic parameter, an associated
    /// type of one).
    Bound(String),
}

impl Head {
    /// The path whose associated fns the type has.
    pub fn path(self) -> String {
        match self {
            Head::Type(p) | Head::Bound(p) => p,
        }
    }
}

/// Aliases and projections followed at most this deep.
const MAX_DEPTH: usize = 8;

/// What the type `segs<args>` written in module `m` stands for, when its first type is an alias
/// the index knows (`None` otherwise: other paths are resolved as they always were). `generics`
/// are the parameters in scope there, each meaning its bound.
pub fn alias_head(
    index: &Index,
    m: ModId,
    generics: &Env,
    segs: &[Symbol],
    args: &[Ty],
) -> Option<Head> {
    let Res::Type(p) = index.resolve_type(m, segs) else {
        return None;
    };
    index.type_info(&p)?.def.alias_of.as_ref()?;
    let params: Vec<(Symbol, Option<Head>)> = generics
        .iter()
        .map(|(n, v)| (*n, bound_head(index, v)))
        .collect();
    let ty = Ty::Path {
        segs: segs.into(),
        args: args.to_vec(),
    };
    head_of(index, m, &ty, &params, 0)
}

/// A parameter meaning the one trait its bound names.
fn bound_head(index: &Index, v: &Val) -> Option<Head> {
    match v {
        Val::Typed { path, .. } if index.is_trait(path) => Some(Head::Bound(path.clone())),
        _ => None,
    }
}

/// What `ty`, written in module `m` where `params` are the generic parameters, stands for.
fn head_of(
    index: &Index,
    m: ModId,
    ty: &Ty,
    params: &[(Symbol, Option<Head>)],
    depth: usize,
) -> Option<Head> {
    let Ty::Path { segs, args } = ty else {
        return None;
    };
    if depth > MAX_DEPTH {
        return None;
    }
    let (first, rest) = segs.split_first()?;
    if let Some((_, h)) = params.iter().find(|(n, _)| n == first) {
        let mut h = h.clone()?;
        for assoc in rest {
            h = project(index, h, assoc, depth)?;
        }
        return Some(h);
    }
    match index.resolve_type(m, segs) {
        Res::Type(p) => {
            let info = index.type_info(&p)?;
            let Some(target) = info.def.alias_of.as_deref() else {
                return Some(if index.is_trait(&p) {
                    Head::Bound(p)
                } else {
                    Head::Type(p)
                });
            };
            // `RtOf<MyConfig>`: the alias's own parameters mean the heads of its arguments.
            if args.len() > info.def.generics.len() {
                return None;
            }
            let inner: Vec<(Symbol, Option<Head>)> = info
                .def
                .generics
                .iter()
                .enumerate()
                .map(|(i, (n, _))| {
                    let arg = args
                        .get(i)
                        .and_then(|a| head_of(index, m, a, params, depth + 1));
                    (*n, arg)
                })
                .collect();
            head_of(index, info.module, target, &inner, depth + 1)
        }
        // `MyConfig::Rt` (the `<MyConfig as Config>::Rt` of an alias): a projection.
        _ => {
            let (last, init) = segs.split_last()?;
            if init.is_empty() {
                return None;
            }
            let owner = Ty::Path {
                segs: init.into(),
                args: Vec::new(),
            };
            let h = head_of(index, m, &owner, params, depth + 1)?;
            project(index, h, last, depth)
        }
    }
}

/// The associated type `assoc` of what `h` stands for.
fn project(index: &Index, h: Head, assoc: &Symbol, depth: usize) -> Option<Head> {
    match h {
        Head::Bound(t) => assoc_trait(index, &t, assoc).map(Head::Bound),
        Head::Type(p) => {
            let (ty, m) = index.impl_assoc_unique(&p, assoc)?;
            head_of(index, m, ty, &[], depth + 1)
        }
    }
}
