//! The walk's memo of path resolutions ([`Index::with_memo`]) gives the answers computed
//! without it.

use crate::index::{Index, Ns, Res};

#[test]
fn a_remembered_resolution_is_the_computed_one() {
    let text = "pub mod a { pub struct S; pub fn f() {} pub mod b { use super::*; } }\n\
                pub mod c { pub use crate::a::S as T; pub fn S() {} }\n";
    let (one, two) = (Index::of_lib_text(text), Index::of_lib_text(text));
    let paths: &[(&[&str], Ns)] = &[
        (&["a", "S"], Ns::Type),
        (&["a", "S"], Ns::Value),
        (&["a", "f"], Ns::Value),
        (&["c", "T"], Ns::Type),
        (&["c", "S"], Ns::Value),
        (&["c", "S"], Ns::Type),
        (&["bool"], Ns::Type),
        (&["std", "io", "Error"], Ns::Type),
        (&["a", "b", "S"], Ns::Type),
    ];
    let plain: Vec<Res> = paths
        .iter()
        .map(|(p, ns)| one.resolve_ns(0, p, *ns))
        .collect();
    assert!(plain.contains(&Res::Type("app::a::S".into())));
    assert_eq!(one.remembered(), None);
    // Twice inside the memo (the second time from it), nested, and the other index's answers
    // not taken from this one's memo.
    one.with_memo(|| {
        for _ in 0..2 {
            for ((p, ns), want) in paths.iter().zip(&plain) {
                assert_eq!(one.resolve_ns(0, p, *ns), *want, "{p:?}");
                assert_eq!(one.with_memo(|| one.resolve_ns(0, p, *ns)), *want);
                assert_eq!(two.resolve_ns(0, p, *ns), *want);
            }
        }
        assert_eq!(one.remembered(), Some(paths.len()));
    });
    // Gone once the scope ends, also after a panic inside it.
    assert_eq!(one.remembered(), None);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        one.with_memo(|| panic!("inside"))
    }));
    assert!(caught.is_err());
    assert_eq!(one.remembered(), None);
}
