//! Where a dependency writes the inherent impls of its types: a text scan of the files beside a
//! type's file (and of its own module folder) for `impl` headers without `for`, by the self
//! type's last path segment. A type whose methods live in a private module no path of the code
//! leads to (`mod session_ops;` holding `impl Session { .. }`) is found by it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Above this many files, a folder is not scanned (generated API modules).
const MAX_FILES: usize = 200;

/// Type name → the files that write an inherent `impl` of it.
pub type ImplFiles = HashMap<String, Vec<PathBuf>>;

/// The inherent impls of the `.rs` files of folder `dir` (not below it), by self type name.
pub fn scan(dir: &Path, max_bytes: u64) -> ImplFiles {
    let mut by_type: ImplFiles = HashMap::new();
    let files = walkdir::WalkDir::new(dir)
        .max_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs"))
        .take(MAX_FILES);
    for entry in files {
        if entry.metadata().map_or(true, |m| m.len() > max_bytes) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        for name in inherent_impls(&text) {
            let files = by_type.entry(name).or_default();
            if !files.iter().any(|f| f == entry.path()) {
                files.push(entry.path().to_path_buf());
            }
        }
    }
    by_type
}

/// The self type names of the `impl` headers of a text that implement no trait (a line that
/// starts with `impl`, up to its `{`).
fn inherent_impls(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        let Some(rest) = t.strip_prefix("impl") else {
            continue;
        };
        if !rest.starts_with([' ', '<']) {
            continue;
        }
        let header = rest.split('{').next().unwrap_or(rest);
        // `impl<T: Fn() -> U> ..`: the generics first, brackets balanced.
        let mut depth = 0i32;
        let mut start = 0;
        for (i, c) in header.char_indices() {
            match c {
                '<' => depth += 1,
                '>' if depth > 0 && !header[..i].ends_with('-') => {
                    depth -= 1;
                    if depth == 0 {
                        start = i + 1;
                        break;
                    }
                }
                _ if depth == 0 && !c.is_whitespace() => break,
                _ => {}
            }
        }
        let ty = header[start..].trim_start();
        if ty.split_whitespace().any(|w| w == "for") || ty.starts_with('!') {
            continue;
        }
        // The path up to its arguments or a `where`: its last segment.
        let path: String = ty
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        if let Some(name) = path.rsplit("::").next().filter(|n| !n.is_empty()) {
            if name.starts_with(|c: char| c.is_alphabetic() || c == '_') && name != "dyn" {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// The module path a file below `src_dir` has when the crate declares it where its path says
/// (`a/b/ops.rs` and `a/b/ops/mod.rs`: `a::b::ops`); `None` for the root file itself.
pub fn module_path(rel: &Path, root_name: &str) -> Option<Vec<String>> {
    let p = rel;
    let mut segs: Vec<String> = p
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = segs.pop()?;
    if last == "mod.rs" {
        if segs.is_empty() {
            return None;
        }
    } else {
        if segs.is_empty() && last == root_name {
            return None;
        }
        segs.push(last.strip_suffix(".rs")?.to_string());
    }
    Some(segs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let text = "impl Session {\nimpl<T: Clone> crate::a::Chan<T> {\n  impl<'a> Drop for X<'a> {}\n\
                    impl<F> Future for W<F> where F: Future {\nimplied();\nimpl<T> Handle<T>\nwhere T: Send {\n";
        assert_eq!(inherent_impls(text), ["Session", "Chan", "Handle"]);
    }

    #[test]
    fn module_paths() {
        let path = |p: &str| module_path(Path::new(p), "lib.rs");
        assert_eq!(path("a/b/ops.rs").unwrap(), ["a", "b", "ops"]);
        assert_eq!(path("a/mod.rs").unwrap(), ["a"]);
        assert!(path("lib.rs").is_none());
    }
}
