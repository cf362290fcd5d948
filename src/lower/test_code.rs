//! Where a file's test code is: the lines of its `#[cfg(test)]` modules and of its test
//! functions (`#[test]`, `#[tokio::test]` & co.), so that a project can give findings in test
//! code levels of their own (`[test-code]` in the configuration) and `--statistics` can count
//! them apart. Files under `tests/`, `examples/` and `benches/` are test code whole (see
//! [`is_test_path`]).

use crate::source::SourceFile;
use std::path::Path;

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
    use syn::spanned::Spanned;
    if depth > 64 {
        return;
    }
    for item in items {
        let lines = || {
            let span = source.span(item.span());
            (span.start.line, span.end.line)
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
}
