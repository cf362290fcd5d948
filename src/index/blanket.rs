//! Blanket impls (`impl<T: Clone + Send> Ext for T`): the bounds a type must meet for the
//! impl to give it the trait, as written, so a call on a type of no source (`1u32.ext()`) is
//! read only when the bounds are shown to hold.

use super::resolve::Res;
use super::{FnId, Index, ModId};
use crate::symbol::Symbol;

/// What a bound that resolves to nothing is kept as: no type meets it.
const UNRESOLVED: &str = "?";

/// The bounds of a blanket impl's self type, when the self type is one of the impl's type
/// parameters: the paths of that parameter's trait bounds, inline and in the `where` clause
/// (`?Sized` and lifetimes say nothing a type could fail and are left out; an empty list: no
/// bound). `None` for any other impl. A bound that is not a plain trait path (`for<'a>
/// Fn(&'a u8)` is still a path) is kept as written, so it is never taken as met by accident.
pub fn self_param_bounds(i: &syn::ItemImpl) -> Option<Box<[Box<[Symbol]>]>> {
    let syn::Type::Path(tp) = &*i.self_ty else {
        return None;
    };
    let param = tp.path.get_ident().filter(|_| tp.qself.is_none())?;
    let declared = i.generics.type_params().find(|p| p.ident == *param)?;
    let wheres = i.generics.where_clause.iter().flat_map(|w| &w.predicates);
    let from_where = wheres.filter_map(|pred| match pred {
        syn::WherePredicate::Type(pt) => match &pt.bounded_ty {
            syn::Type::Path(b) if b.qself.is_none() && b.path.is_ident(param) => Some(&pt.bounds),
            _ => None,
        },
        _ => None,
    });
    let bounds = declared.bounds.iter().chain(from_where.flatten());
    let paths = bounds.filter_map(|b| match b {
        syn::TypeParamBound::Trait(tb) if tb.maybe.is_none() => {
            Some(super::types::path_symbols(&tb.path))
        }
        // `T: 'static`: every type of no source (numbers, `String`) meets it.
        _ => None,
    });
    Some(paths.collect())
}

impl Index {
    /// A blanket impl's bounds, each the full path its trait resolves to in module `m`.
    pub(super) fn resolve_bounds(&self, m: ModId, bounds: &[Box<[Symbol]>]) -> Box<[String]> {
        bounds
            .iter()
            .map(|b| match self.resolve_type(m, b) {
                Res::Type(p) | Res::External(p) => p,
                _ => UNRESOLVED.to_string(),
            })
            .collect()
    }

    /// The methods `name` that a value of a builtin type (`u32`, `String`: see
    /// [`crate::knowledge::builtins`]) has from the index: its own impls' (`impl Direct for
    /// u64`), else those of the traits whose blanket impls (`impl<T: Clone> Ext for T`) have
    /// bounds it is shown to meet: a std trait it is known to implement, or a trait of the
    /// index implemented for it. A bound not shown met leaves the method out: unknown, never
    /// guessed. An inherent method of the type's name is the type's own: nothing.
    pub fn foreign_methods(&self, ty: &str, name: &str) -> Vec<FnId> {
        use crate::knowledge::builtins;
        if !builtins::is_builtin(ty) || builtins::is_inherent_method(ty, name) {
            return Vec::new();
        }
        let short = ty.rsplit("::").next().unwrap_or(ty);
        // `String` as written or as its full path, however the impl's self type resolved.
        let own = std::iter::once(ty)
            .chain((short != ty).then_some(short))
            .map(|t| self.methods_of(t, name))
            .find(|fns| !fns.is_empty());
        if let Some(own) = own {
            return own;
        }
        let meets = |bound: &str| {
            let implemented = |t: &str| {
                self.trait_impls
                    .get(t)
                    .is_some_and(|trs| trs.iter().any(|tr| tr == bound))
            };
            let std_path = !bound.contains("::")
                || ["std::", "core::", "alloc::"]
                    .iter()
                    .any(|p| bound.starts_with(p));
            let std_bound = std_path
                && !self.types.contains_key(bound)
                && builtins::meets_std_trait(ty, bound.rsplit("::").next().unwrap_or(bound));
            bound != UNRESOLVED && (std_bound || implemented(ty) || implemented(short))
        };
        let mut out: Vec<FnId> = Vec::new();
        for (tr, impls) in &self.blanket_impls {
            let fns = self.methods_in(tr, name);
            if !fns.is_empty() && impls.iter().any(|b| b.iter().all(|t| meets(t))) {
                out.extend(fns);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(src: &str) -> Option<Vec<String>> {
        let i: syn::ItemImpl = syn::parse_str(src).unwrap();
        self_param_bounds(&i).map(|b| {
            b.iter()
                .map(|p| p.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("::"))
                .collect()
        })
    }

    #[test]
    fn reads_the_self_parameters_bounds() {
        assert_eq!(
            bounds("impl<T: Clone + ?Sized + 'static> Ext for T {}"),
            Some(vec!["Clone".to_string()])
        );
        assert_eq!(
            bounds("impl<T> Ext for T where T: a::Marker + Send, u8: Copy {}"),
            Some(vec!["a::Marker".to_string(), "Send".to_string()])
        );
        assert_eq!(bounds("impl<T> Ext for T {}"), Some(vec![]));
        // Not blanket: a concrete type, a type of a parameter, a parameter of another impl.
        assert_eq!(bounds("impl Ext for u32 {}"), None);
        assert_eq!(bounds("impl<T> Ext for Vec<T> {}"), None);
        assert_eq!(bounds("impl Ext for T {}"), None);
    }
}
