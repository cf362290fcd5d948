//! A `const` or `static` whose initialiser the walk can give nothing for, or an `impl` or trait
//! with no fn body, known from its syntax before it is lowered: generated bindings declare
//! hundreds of thousands of them (`pub const WM_USER: u32 = 1024u32;`, `impl Copy for X {}`),
//! each lowered only to be dropped as inert.

use syn::Expr as E;

/// Whether the lowering of `e` is certainly inert ([`super::ir::Expr::is_inert`]): literals,
/// and parentheses, unary and binary operators, casts (to no trait object), tuples, arrays and
/// `[x; n]` of those. Anything else (a name, a call, a block, a macro) is lowered and judged then.
pub(super) fn init(e: &E) -> bool {
    // A stack, not recursion: a long operator chain nests as deep as it is long. An operand
    // alone is followed without it (`1024u32`, `-1`, `0x10 as u64`): the stack is allocated
    // only by a node of two operands or more.
    let mut todo: Vec<&E> = Vec::new();
    let mut next = Some(e);
    while let Some(e) = next.take().or_else(|| todo.pop()) {
        match e {
            E::Lit(_) => {}
            E::Paren(p) => next = Some(&p.expr),
            E::Group(g) => next = Some(&g.expr),
            E::Unary(u) => next = Some(&u.expr),
            E::Binary(b) => {
                todo.push(&b.right);
                next = Some(&b.left);
            }
            E::Cast(c) if super::dyn_trait(&c.ty).is_none() => next = Some(&c.expr),
            E::Tuple(t) => todo.extend(t.elems.iter()),
            E::Array(a) => todo.extend(a.elems.iter()),
            E::Repeat(r) => {
                todo.push(&r.len);
                next = Some(&r.expr);
            }
            _ => return false,
        }
    }
    true
}

/// An item of a module the lowering would drop as inert ([`super::ir::Item::is_inert`]),
/// known before its types are converted: a `const` or `static` whose initialiser is [`init`],
/// an `impl` with no fn (`impl Copy for X {}`, `unsafe impl Send for X {}`), a trait with no
/// fn body. Generated bindings declare such impls by the thousand.
pub(super) fn item(item: &syn::Item) -> bool {
    match item {
        syn::Item::Const(c) => init(&c.expr),
        syn::Item::Static(s) => init(&s.expr),
        syn::Item::Impl(imp) => !imp.items.iter().any(|i| matches!(i, syn::ImplItem::Fn(_))),
        syn::Item::Trait(t) => !t
            .items
            .iter()
            .any(|i| matches!(i, syn::TraitItem::Fn(f) if f.default.is_some())),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::source::SourceFile;

    /// Whether the lowering keeps the item, and whether [`super::item`] skips it.
    fn kept_and_skipped(text: &str) -> (bool, bool) {
        let source = SourceFile::new("t.rs".into(), text.into());
        let ast = crate::source::parse(&source).expect("parses");
        let kept = !super::super::lower_file(&ast, &source).items.is_empty();
        (kept, super::item(&ast.items[0]))
    }

    /// Each of `items` is lowered to nothing and skipped (`inert`), or kept and not skipped.
    fn assert_each(items: &[&str], inert: bool) {
        for item in items {
            assert_eq!(kept_and_skipped(item), (!inert, inert), "{item}");
        }
    }

    #[test]
    fn skips_only_initialisers_the_lowering_drops() {
        let inert = [
            "pub const A: u32 = 1024u32;",
            "pub const B: i32 = -1;",
            "const C: u64 = (1 << 3) | 0x10 as u64;",
            "static D: &str = \"text\";",
            "const E: (u8, [u8; 2]) = (1, [2, 3]);",
            "const F: bool = !true && false;",
            "const G: f64 = 1.5e3;",
        ];
        assert_each(&inert, true);
        // Lowered, and kept: a call, a name, a block, a macro, a cast to a trait object.
        let walked = [
            "const H: Guid = Guid::from_u128(0x1234);",
            "const I: u32 = OTHER + 1;",
            "static J: Lazy<Runtime> = Lazy::new(|| build());",
            "const K: u32 = { make() };",
            "const L: &[u8] = &[1, 2];",
        ];
        assert_each(&walked, false);
        assert_eq!(
            kept_and_skipped("const M: [u8; 2] = [0; 2];"),
            (false, true)
        );
        assert_eq!(
            kept_and_skipped("const N: &dyn Fn() = 1 as &dyn Fn();"),
            (true, false)
        );
    }

    #[test]
    fn skips_impls_and_traits_without_a_fn_body() {
        let inert = [
            "impl Copy for X {}",
            "unsafe impl<T> Send for X<T> {}",
            "impl X { const A: u8 = 1; type B = u8; }",
            "trait T { fn f(&self); type A; }",
            "pub trait U {}",
        ];
        assert_each(&inert, true);
        let walked = [
            "impl Clone for X { fn clone(&self) -> Self { *self } }",
            "impl X { const A: u8 = 1; fn f() {} }",
            "trait T { fn f(&self) { g() } }",
        ];
        assert_each(&walked, false);
    }
}
