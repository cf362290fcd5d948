//! Impls of one generic type for different instantiations (`impl Gen<u8> { async fn build() }`
//! beside `impl Gen<u16> { fn build() }`), and type aliases that pick one (`type G8 = Gen<u8>;
//! G8::build()`): which of a type's fns a use with known type arguments reaches.
//!
//! An argument is compared by the last segment of the type it names (`u8`, `Config`): two
//! different types of one name are taken for the same (both impls kept, so the use stays as
//! unknown as before), and a parameter or anything unresolved pins nothing. An impl is left out
//! only when both sides name a type at the same position and the names differ; when that
//! leaves none, the use keeps every fn (an instantiation not understood is not a choice).

use super::{FnId, Index, ModId, Res};
use crate::index::types::Ty;
use crate::symbol::Symbol;

/// What the written arguments of an impl's self type, of an alias or of a value's type pin, by
/// position: the name of a concrete type, or nothing.
pub type ArgKeys = Box<[Option<Symbol>]>;

/// Prelude types a lone name may be without an import (a lone capitalised name that resolves to
/// nothing else is a type parameter).
const PRELUDE: &[&str] = &["String", "Vec", "Option", "Result", "Box"];

/// Aliases of aliases followed at most this deep.
const MAX_ALIASES: usize = 4;

impl Index {
    /// The keys of arguments written in module `m`, when at least one names a concrete type.
    pub(super) fn arg_keys(&self, m: ModId, args: &[Ty]) -> Option<ArgKeys> {
        let keys: ArgKeys = args.iter().map(|a| self.arg_key(m, a)).collect();
        keys.iter().any(Option::is_some).then_some(keys)
    }

    fn arg_key(&self, m: ModId, ty: &Ty) -> Option<Symbol> {
        match ty {
            Ty::Tuple(items) if items.is_empty() => Some(Symbol::intern("()")),
            Ty::Path { segs, .. } => {
                let (first, last) = (segs.first()?, segs.last()?);
                // `T`, `S2`: a type parameter, not looked up.
                if segs.len() == 1 && first.len() <= 2 && first.starts_with(char::is_uppercase) {
                    return None;
                }
                match self.resolve_type(m, segs) {
                    Res::Type(_) => Some(*last),
                    // `u8`, `str`; `String`; `std::time::Duration`, `tokio::net::TcpStream`.
                    Res::External(_) => {
                        let lower = first.starts_with(|c: char| c.is_ascii_lowercase());
                        let prelude = segs.len() == 1 && PRELUDE.contains(&first.as_str());
                        (lower || prelude).then_some(*last)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The fns of `fns` whose impls fit arguments pinned as `keys`; all of them when none does.
    pub fn fitting_instance(&self, fns: Vec<FnId>, keys: &[Option<Symbol>]) -> Vec<FnId> {
        if fns.len() < 2 || keys.iter().all(Option::is_none) {
            return fns;
        }
        let fits = |id: &FnId| match self.impl_args.get(id) {
            None => true,
            Some(pinned) => pinned
                .iter()
                .zip(keys)
                .all(|(a, b)| a.is_none() || b.is_none() || a == b),
        };
        let kept: Vec<FnId> = fns.iter().copied().filter(fits).collect();
        if kept.is_empty() {
            fns
        } else {
            kept
        }
    }

    /// The associated fns `name` of the type `ty` as a path names it (`S::f`, `G8::build`): a
    /// type alias's own target's, of the instantiation its arguments pick.
    pub fn assoc_fns(&self, ty: &str, name: &str) -> Vec<FnId> {
        let mut ty = ty.to_string();
        let mut keys: Option<ArgKeys> = None;
        for _ in 0..MAX_ALIASES {
            let own = self.methods_of(&ty, name);
            if !own.is_empty() {
                return match &keys {
                    Some(k) => self.fitting_instance(own, k),
                    None => own,
                };
            }
            let Some(info) = self.type_info(&ty) else {
                break;
            };
            let Some(Ty::Path { segs, args }) = info.def.alias_of.as_deref() else {
                break;
            };
            // A generic alias (`type Res<T> = Gen<T>`) pins only what it writes itself.
            let Res::Type(target) = self.resolve_type(info.module, segs) else {
                break;
            };
            keys = self.arg_keys(info.module, args).or(keys);
            ty = target;
        }
        Vec::new()
    }
}
