//! Statics and consts with their declared types (`static CLIENT: Lazy<Client>`, `static
//! HANDLER: fn() -> BoxFuture<'static, ()>`): a path naming one is a value of that type.

use super::resolve::Res;
use super::types::Ty;
use super::{Index, ModId};
use crate::symbol::Symbol;

/// A static's or const's name and declared type, when the type can say something here: a
/// number, a `bool`, a `char` or a string slice cannot. Of consts only fn pointers and other
/// callables are kept: generated files hold hundreds of thousands of consts typed by aliases of
/// numbers (`pub const X: WIN32_ERROR = 5u32;`), which kept cost 13% more memory on the four
/// largest trees, while a const value of a type with async methods is rare.
pub fn declared(ident: &syn::Ident, ty: &syn::Type, is_const: bool) -> Option<(Symbol, Ty)> {
    const PLAIN: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64", "bool", "char", "str",
    ];
    if is_const && !may_be_callable(ty) {
        return None;
    }
    let ty = Ty::from_syn(ty);
    let plain = match &ty {
        Ty::Path { segs, args } => {
            args.is_empty() && segs.len() == 1 && PLAIN.contains(&segs[0].as_str())
        }
        Ty::Unknown | Ty::Tuple(_) => true,
        _ => false,
    } || (is_const && !matches!(ty, Ty::Callable(_)));
    (!plain).then(|| (Symbol::shown(ident), ty))
}

/// Whether [`Ty::from_syn`] can make `ty` a [`Ty::Callable`]: only a fn pointer or an `impl` /
/// `dyn` of bounds can, under references, pointers, parentheses and groups. A const of any
/// other type is not kept, so its type need not be converted (generated files declare hundreds
/// of thousands of consts).
fn may_be_callable(mut ty: &syn::Type) -> bool {
    loop {
        match ty {
            syn::Type::Reference(r) => ty = &r.elem,
            syn::Type::Paren(p) => ty = &p.elem,
            syn::Type::Group(g) => ty = &g.elem,
            syn::Type::Ptr(p) => ty = &p.elem,
            syn::Type::FnPtr(_) | syn::Type::ImplTrait(_) | syn::Type::TraitObject(_) => {
                return true
            }
            _ => return false,
        }
    }
}

impl Index {
    /// The static or const `name` of module `m`, if it has one of a type kept.
    pub(super) fn static_named(&self, m: ModId, name: &str) -> Option<Res> {
        let (&name, _) = self.statics.get(&m)?.get_key_value(name)?;
        Some(Res::Static(m, name))
    }

    /// The declared type of the static or const `name` of module `m`.
    pub fn static_type(&self, m: ModId, name: Symbol) -> Option<&Ty> {
        self.statics.get(&m)?.get(&name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept_const(ty: &str) -> bool {
        let ident: syn::Ident = syn::parse_str("X").unwrap();
        let ty: syn::Type = syn::parse_str(ty).unwrap();
        let kept = declared(&ident, &ty, true).is_some();
        // The shape check only skips what the conversion would not keep.
        let converted = matches!(Ty::from_syn(&ty), Ty::Callable(_));
        assert_eq!(kept, converted, "{}", quote::ToTokens::to_token_stream(&ty));
        kept
    }

    #[test]
    fn consts_kept_only_when_callable() {
        for ty in [
            "fn() -> u8",
            "&'static fn(u8) -> Fut",
            "*const (fn())",
            "&dyn Fn() -> BoxFuture<'static, ()>",
        ] {
            assert!(kept_const(ty), "{ty}");
        }
        for ty in [
            "u32",
            "WIN32_ERROR",
            "&'static str",
            "[fn(); 2]",
            "(fn(),)",
            "&dyn Send",
            "<T as Tr>::F",
        ] {
            assert!(!kept_const(ty), "{ty}");
        }
    }
}
