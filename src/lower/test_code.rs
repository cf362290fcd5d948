//! Where a file's test code is: the lines of its `#[cfg(test)]` modules and of its test
//! functions (`#[test]`, `#[tokio::test]` & co.), so that a project can give findings in test
//! code levels of their own (`[test-code]` in the configuration) and `--statistics` can count
//! them apart. Files under `tests/`, `examples/` and `benches/` are test code whole (see
//! [`is_test_path`]).

use crate::source::SourceFile;
use proc_macro2::Span;
use std::path::Path;
use syn::spanned::Spanned;

/// The line ranges (first, last; 1-based, inclusive) of the test modules and test functions.
pub fn ranges(ast: &syn::File, source: &SourceFile) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    collect(&ast.items, source, &mut out, 0);
    out
}

/// Whether a path is in a folder of test or example code (`tests/`, `examples/`,
/// `benches/`).
pub fn is_test_path(path: &Path) -> bool {
    path.components().any(|c| {
        matches!(
            c.as_os_str().to_str(),
            Some("tests" | "examples" | "benches")
        )
    })
}

fn collect(items: &[syn::Item], source: &SourceFile, out: &mut Vec<(usize, usize)>, depth: usize) {
    if depth > 64 {
        return;
    }
    for item in items {
        let lines = || {
            let (first, last) = ends(item);
            let start = source.position(first.start()).line;
            (start, source.position(last.end()).line)
        };
        match item {
            syn::Item::Mod(m) if is_cfg_test(&m.attrs) => out.push(lines()),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    collect(inner, source, out, depth + 1);
                }
            }
            syn::Item::Fn(f) if is_test_fn(&f.attrs) => out.push(lines()),
            _ => {}
        }
    }
}

/// The spans of the first and last tokens of a module or a function: the lines
/// `syn::spanned::Spanned::span` gives, without turning the whole item into tokens (a test
/// module is often a third of its file).
fn ends(item: &syn::Item) -> (Span, Span) {
    let first_outer = |attrs: &[syn::Attribute]| {
        attrs
            .iter()
            .find(|a| matches!(a.style, syn::AttrStyle::Outer))
            .map(|a| a.pound_token.span)
    };
    let vis = |v: &syn::Visibility| match v {
        syn::Visibility::Public(p) => Some(p.span),
        syn::Visibility::Restricted(r) => Some(r.pub_token.span),
        _ => None,
    };
    match item {
        syn::Item::Mod(m) => {
            let first = first_outer(&m.attrs)
                .or_else(|| vis(&m.vis))
                .or(m.unsafety.map(|t| t.span))
                .unwrap_or(m.mod_token.span);
            let last = match (&m.content, &m.semi) {
                (Some((brace, _)), _) => brace.span.close(),
                (None, Some(semi)) => semi.span,
                (None, None) => m.ident.span(),
            };
            (first, last)
        }
        syn::Item::Fn(f) => {
            let sig = &f.sig;
            let safety = match sig.safety {
                syn::Safety::Safe(t) => Some(t.span),
                syn::Safety::Unsafe(t) => Some(t.span),
                _ => None,
            };
            let first = first_outer(&f.attrs)
                .or_else(|| vis(&f.vis))
                .or(sig.constness.map(|t| t.span))
                .or(sig.asyncness.map(|t| t.span))
                .or(safety)
                .or(sig.abi.as_ref().map(|a| a.extern_token.span))
                .unwrap_or(sig.fn_token.span);
            (first, f.block.brace_token.span.close())
        }
        other => {
            let span = other.span();
            (span, span)
        }
    }
}

/// `#[cfg(test)]`, and `test` among the conditions of `all(..)`/`any(..)` (not under `not`).
fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        if !a.path().is_ident("cfg") {
            return false;
        }
        let Ok(list) = a.meta.require_list() else {
            return false;
        };
        let text = list.tokens.to_string();
        !text.contains("not")
            && text
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == "test")
    })
}

/// `#[test]`, or a runtime's test attribute (`#[tokio::test]`).
fn is_test_fn(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let segs = &a.path().segments;
        segs.last().is_some_and(|s| s.ident == "test") && segs.len() <= 2
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_modules_and_fns_and_folders() {
        let text = "fn lib() {}\n#[cfg(test)]\nmod tests {\n    fn helper() {}\n}\n\
                    #[tokio::test]\nasync fn t() {\n}\n#[cfg(not(test))]\nmod real {}\n";
        let file = SourceFile::new("a.rs".into(), text.into());
        let ast = syn::parse_file(text).unwrap();
        assert_eq!(ranges(&ast, &file), [(2, 5), (6, 8)]);
        assert!(is_test_path(Path::new("crate/tests/it.rs")));
        assert!(!is_test_path(Path::new("crate/src/testsuite.rs")));
    }

    #[test]
    fn ends_give_the_lines_of_the_whole_item() {
        let text = "/// doc\n#[cfg(test)]\npub(crate) mod a {\n  #![allow(x)]\n}\n\
                    mod b { #![cfg(test)]\n fn f() {}\n}\nunsafe mod c;\n\
                    #[test]\npub const async unsafe extern \"C\" fn t() {\n}\n\
                    fn u() {\n #![test]\n}\npub\nmod d\n;\nasync\nfn v() {}\n";
        let file = SourceFile::new("a.rs".into(), text.into());
        let ast = syn::parse_file(text).unwrap();
        for item in &ast.items {
            let (first, last) = ends(item);
            let whole = file.span(item.span());
            assert_eq!(
                (
                    file.position(first.start()).line,
                    file.position(last.end()).line
                ),
                (whole.start.line, whole.end.line)
            );
        }
    }
}
