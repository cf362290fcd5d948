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
    /// What the scopes were made from, for the next check of a resident run: the working
    /// folder (paths are shown relative to it), and the own files in order with each one's
    /// scope.
    cwd: PathBuf,
    order: Vec<(PathBuf, usize)>,
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
/// dependencies' are added). In a resident run, a context whose own files and their scopes are
/// those of the last check ([`keep`]) has the scopes of the files whose uses changed made
/// again, and the others taken as they were: what adding every file from scratch gives.
pub(super) fn gather(
    plan: &Plan,
    per_context: &[Vec<IndexedFile>],
    resident: bool,
) -> Vec<ContextUses> {
    let mut kept = match resident {
        true => resident::take(),
        false => HashMap::new(),
    };
    plan.contexts
        .iter()
        .zip(per_context)
        .map(|(def, files)| {
            let own = &files[..def.files.len().min(files.len())];
            // Each file's scope, found anew: a package is a folder with a manifest on disk.
            let mut packages: HashMap<PathBuf, PathBuf> = HashMap::new();
            let mut scope_of: HashMap<(PathBuf, bool), usize> = HashMap::new();
            let scopes: Vec<usize> = own
                .iter()
                .map(|f| {
                    let package = package_of(&f.path, &def.root, &mut packages);
                    let aux = is_auxiliary(&f.path, &package);
                    let next = scope_of.len();
                    *scope_of.entry((package, aux)).or_insert(next)
                })
                .collect();
            let last = kept.remove(&def.root).filter(|l| {
                l.cwd == plan.cwd
                    && l.order.len() == own.len()
                    && (l.order.iter().zip(own).zip(&scopes))
                        .all(|(((p, s), f), scope)| *p == f.path && s == scope)
            });
            match last {
                Some(last) => update(plan, own, last),
                None => from_scratch(plan, own, &scopes, scope_of.len()),
            }
        })
        .collect()
}

/// The scopes of `own` (each file's in `scopes`, `count` of them), every file added.
fn from_scratch(plan: &Plan, own: &[IndexedFile], scopes: &[usize], count: usize) -> ContextUses {
    let mut out = ContextUses {
        scopes: (0..count).map(|_| ScopeUses::default()).collect(),
        cwd: plan.cwd.clone(),
        ..ContextUses::default()
    };
    for (f, &scope) in own.iter().zip(scopes) {
        let me = out.scopes[scope].add(plan.display(&f.path), &f.facts.call_uses);
        out.files
            .insert(f.path.clone(), (scope, me, f.facts.call_uses.clone()));
        out.order.push((f.path.clone(), scope));
    }
    for s in &mut out.scopes {
        s.settle();
    }
    out
}

/// The last check's scopes of the same files (`last`), those holding a file whose uses
/// changed made again from their files, in order.
fn update(plan: &Plan, own: &[IndexedFile], mut last: ContextUses) -> ContextUses {
    let mut dirty = vec![false; last.scopes.len()];
    for f in own {
        if let Some((scope, _, uses)) = last.files.get_mut(&f.path) {
            if *uses != f.facts.call_uses {
                uses.clone_from(&f.facts.call_uses);
                dirty[*scope] = true;
            }
        }
    }
    if !dirty.contains(&true) {
        return last;
    }
    for (i, d) in dirty.iter().enumerate() {
        if *d {
            last.scopes[i] = ScopeUses::default();
        }
    }
    for (f, (_, scope)) in own.iter().zip(&last.order) {
        if dirty[*scope] {
            last.scopes[*scope].add(plan.display(&f.path), &f.facts.call_uses);
        }
    }
    for (s, d) in last.scopes.iter_mut().zip(&dirty) {
        if *d {
            s.settle();
        }
    }
    last
}

/// Keeps each context's scopes for the next check of this process (a resident run).
pub(super) fn keep(plan: &Plan, uses: Vec<ContextUses>) {
    let kept = plan.contexts.iter().map(|c| c.root.clone()).zip(uses);
    resident::keep(kept.collect());
}

/// Each context's scopes at the last check of this process, by context root.
mod resident {
    use super::ContextUses;
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::sync::Mutex;

    static KEPT: Mutex<Option<HashMap<PathBuf, ContextUses>>> = Mutex::new(None);

    pub(super) fn take() -> HashMap<PathBuf, ContextUses> {
        let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        kept.take().unwrap_or_default()
    }

    pub(super) fn keep(uses: HashMap<PathBuf, ContextUses>) {
        *KEPT.lock().unwrap_or_else(|e| e.into_inner()) = Some(uses);
    }
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

    /// A resident check's scopes, made again only where a file's uses changed, are those made
    /// from scratch; a file moved to another scope (a manifest added) makes them from scratch.
    #[test]
    fn scopes_updated_where_uses_changed_are_those_made_from_scratch() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let paths = ["src/lib.rs", "src/a.rs", "tests/t.rs", "sub/src/lib.rs"];
        let plan = |with_sub: bool| {
            let manifest = root.join("sub/Cargo.toml");
            match with_sub {
                true => std::fs::write(&manifest, "[package]\n").unwrap(),
                false => drop(std::fs::remove_file(&manifest)),
            }
            Plan {
                cwd: root.clone(),
                targets: Vec::new(),
                contexts: vec![crate::discover::Context {
                    root: root.clone(),
                    files: paths.iter().map(|p| root.join(p)).collect(),
                    roots: Vec::new(),
                }],
                root_configs: vec![None],
                errors: Vec::new(),
                notes: Vec::new(),
                empty_folders: Vec::new(),
            }
        };
        std::fs::create_dir_all(root.join("sub/src")).unwrap();
        std::fs::write(root.join("Cargo.toml"), "[package]\n").unwrap();
        let uses = |path: &str, calls: u32, awaited: u32| PathUses {
            path: crate::symbol::Symbol::intern(path),
            calls,
            awaited,
        };
        let files = |a_awaits: u32| -> Vec<IndexedFile> {
            let facts = |u: Vec<PathUses>| crate::index::facts::FileFacts {
                call_uses: u,
                ..Default::default()
            };
            let all = [
                vec![uses("net::fetch", 2, 1)],
                vec![uses("net::fetch", 1, a_awaits), uses("db::get", 1, 1)],
                vec![uses("net::fetch", 1, 1)],
                vec![uses("db::get", 3, 0)],
            ];
            (paths.iter().zip(all))
                .map(|(p, u)| IndexedFile {
                    path: root.join(p),
                    facts: facts(u),
                })
                .collect()
        };
        let same = |a: &[ContextUses], b: &[ContextUses]| {
            assert_eq!(a.len(), b.len());
            for (a, b) in a.iter().zip(b) {
                assert_eq!(
                    (&a.scopes, &a.files, &a.order),
                    (&b.scopes, &b.files, &b.order)
                );
            }
        };
        for (with_sub, a_awaits) in [(false, 0), (false, 1), (false, 1), (true, 1), (true, 0)] {
            let p = plan(with_sub);
            let per_context = [files(a_awaits)];
            let kept = gather(&p, &per_context, true);
            same(&kept, &gather(&p, &per_context, false));
            keep(&p, kept);
        }
    }

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
