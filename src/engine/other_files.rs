//! Each context's scopes of evidence from use (see [`crate::analysis::other_files`]): its own
//! files grouped by package and by kind — the library and binaries (`src/`, `build.rs`), or the
//! tests, examples and benches together — with their calls of paths summed per group. Made
//! from every file of the context (their index facts), never from the files named alone, so a
//! file's findings do not depend on which other files were named.

use super::plan::Plan;
use crate::analysis::other_files::{OtherFiles, ScopeUses};
use crate::index::call_scan::PathUses;
use crate::index::IndexedFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One context's scopes.
#[derive(Default)]
pub(super) struct ContextUses {
    scopes: Vec<ScopeUses>,
    /// Per own file: its scope, its number there and its own uses.
    files: HashMap<PathBuf, (usize, u32, Vec<PathUses>)>,
}

impl ContextUses {
    /// What `path`'s walk reads of the other files of its scope (`None`: a file of no scope,
    /// a dependency's).
    pub(super) fn of(&self, path: &Path) -> Option<OtherFiles<'_>> {
        let (scope, me, own) = self.files.get(path)?;
        Some(OtherFiles::new(&self.scopes[*scope], own, *me))
    }
}

/// The scopes of each context, from its own files' facts (`per_context`, before the
/// dependencies' are added).
pub(super) fn gather(plan: &Plan, per_context: &[Vec<IndexedFile>]) -> Vec<ContextUses> {
    plan.contexts
        .iter()
        .zip(per_context)
        .map(|(def, files)| {
            let own = &files[..def.files.len().min(files.len())];
            let mut packages: HashMap<PathBuf, PathBuf> = HashMap::new();
            let mut scope_of: HashMap<(PathBuf, bool), usize> = HashMap::new();
            let mut out = ContextUses::default();
            for f in own {
                let package = package_of(&f.path, &def.root, &mut packages);
                let key = (package.clone(), is_auxiliary(&f.path, &package));
                let next = scope_of.len();
                let scope = *scope_of.entry(key).or_insert(next);
                if scope == out.scopes.len() {
                    out.scopes.push(ScopeUses::default());
                }
                let me = out.scopes[scope].add(plan.display(&f.path), &f.facts.call_uses);
                out.files
                    .insert(f.path.clone(), (scope, me, f.facts.call_uses.clone()));
            }
            for s in &mut out.scopes {
                s.settle();
            }
            out
        })
        .collect()
}

/// The folder of the package that holds `file`: the nearest folder with a `Cargo.toml`, up to
/// the context's root (the root when none has). `memo`: folder → package, as found so far.
fn package_of(file: &Path, root: &Path, memo: &mut HashMap<PathBuf, PathBuf>) -> PathBuf {
    let mut seen = Vec::new();
    let mut dir = file.parent();
    let found = loop {
        let Some(d) = dir else {
            break root.to_path_buf();
        };
        if let Some(p) = memo.get(d) {
            break p.clone();
        }
        seen.push(d.to_path_buf());
        if d.join("Cargo.toml").is_file() || d == root || !d.starts_with(root) {
            break d.to_path_buf();
        }
        dir = d.parent();
    };
    for d in seen {
        memo.insert(d, found.clone());
    }
    found
}

/// Whether `file` is one of its package's tests, examples or benches (or a module of one).
fn is_auxiliary(file: &Path, package: &Path) -> bool {
    let Ok(rel) = file.strip_prefix(package) else {
        return false;
    };
    matches!(
        rel.components().next().and_then(|c| c.as_os_str().to_str()),
        Some("tests" | "examples" | "benches")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_examples_and_benches_share_a_scope_apart_from_the_library() {
        let pkg = Path::new("/p");
        assert!(is_auxiliary(Path::new("/p/tests/a.rs"), pkg));
        assert!(is_auxiliary(Path::new("/p/examples/x/main.rs"), pkg));
        assert!(is_auxiliary(Path::new("/p/benches/b.rs"), pkg));
        assert!(!is_auxiliary(Path::new("/p/src/tests/a.rs"), pkg));
        assert!(!is_auxiliary(Path::new("/p/build.rs"), pkg));
    }
}
