//! The signatures an index build takes from facts that nobody keeps after it (no cache is
//! written from them, no resident process holds them): moved into the index's records, not
//! copied, and each module's list freed as soon as it has been moved, so that the facts' copy
//! and the index's are not both alive (a generated file's 257,000 fns: 8.8 MB).

use super::facts::FnSig;
use super::{FileId, FnId, IndexedFile};
use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

/// One list of signatures in a file's facts: of its `module`-th module body, that body's free
/// fns, one trait's methods or one impl's fns (by position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum SigList {
    Fns {
        file: FileId,
        module: usize,
    },
    Trait {
        file: FileId,
        module: usize,
        at: usize,
    },
    Impl {
        file: FileId,
        module: usize,
        at: usize,
    },
}

/// The lists taken from the facts, until the build moves them into its records; then where
/// they went, for a file loaded again (a module shared by several crates).
#[derive(Debug, Default)]
pub(super) struct SigPool {
    taken: HashMap<SigList, Vec<FnSig>>,
    placed: HashMap<SigList, Range<FnId>>,
}

/// What a list's signatures are now.
pub(super) enum Taken {
    /// Taken from the facts: to be moved into the index.
    Moved(Vec<FnSig>),
    /// Moved already: the index's records of these ids hold them.
    Placed(Range<FnId>),
    /// Not taken: the facts still hold them.
    InFacts,
}

impl SigPool {
    /// Takes every signature list of `files`' facts (each left empty, its place kept).
    pub(super) fn take_from(files: &mut [IndexedFile]) -> SigPool {
        let mut taken = HashMap::default();
        for (file, f) in files.iter_mut().enumerate() {
            for (module, mf) in f.facts.modules.iter_mut().enumerate() {
                let mut keep = |list: SigList, sigs: &mut Vec<FnSig>| {
                    if !sigs.is_empty() {
                        taken.insert(list, std::mem::take(sigs));
                    }
                };
                keep(SigList::Fns { file, module }, &mut mf.fns);
                for (at, (_, sigs)) in mf.traits.iter_mut().enumerate() {
                    keep(SigList::Trait { file, module, at }, sigs);
                }
                for (at, imp) in mf.impls.iter_mut().enumerate() {
                    keep(SigList::Impl { file, module, at }, &mut imp.fns);
                }
            }
        }
        SigPool {
            taken,
            placed: HashMap::default(),
        }
    }

    /// How many signatures the pool holds of the lists of the files `files`.
    pub(super) fn count_in(&self, files: Range<FileId>) -> usize {
        let file = |list: &SigList| match *list {
            SigList::Fns { file, .. }
            | SigList::Trait { file, .. }
            | SigList::Impl { file, .. } => file,
        };
        (self.taken.iter())
            .filter(|(list, _)| files.contains(&file(list)))
            .map(|(_, sigs)| sigs.len())
            .sum()
    }

    /// How many signatures `list` has in the pool, or had when they were moved.
    pub(super) fn len_of(&self, list: SigList) -> usize {
        match self.taken.get(&list) {
            Some(sigs) => sigs.len(),
            None => self.placed.get(&list).map_or(0, |ids| ids.len()),
        }
    }

    /// The list's signatures: the first time, moved out of the pool (the index records them
    /// from `first` on); after that, where they went.
    pub(super) fn take(&mut self, list: SigList, first: FnId) -> Taken {
        if let Some(sigs) = self.taken.remove(&list) {
            self.placed.insert(list, first..first + sigs.len());
            return Taken::Moved(sigs);
        }
        match self.placed.get(&list) {
            Some(ids) => Taken::Placed(ids.clone()),
            None => Taken::InFacts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::facts::FileFacts;
    use super::super::{Index, IndexedFile};
    use crate::discover::CrateRoot;

    /// Two test crates sharing `mod common;` (loaded in each), with free fns, a trait, impls and
    /// a `cfg` twin.
    fn files() -> Vec<IndexedFile> {
        let common = "pub trait Run { async fn run(&self); fn name(&self) -> u8 { 0 } }
            pub struct S;
            impl Run for S { async fn run(&self) {} }
            impl S { pub async fn go(&self) {} pub fn new() -> S { S } }
            #[cfg(unix)] pub async fn twin() {}
            #[cfg(windows)] pub async fn twin() {}
            pub async fn shared() {}";
        let a = "mod common; async fn a() { common::shared().await; }";
        let b = "mod common; async fn b() { common::twin().await; } mod inner { pub fn i() {} }";
        [
            ("tests/a.rs", a),
            ("tests/b.rs", b),
            ("tests/common.rs", common),
        ]
        .into_iter()
        .map(|(path, text)| IndexedFile {
            path: path.into(),
            facts: FileFacts::of_text(text),
        })
        .collect()
    }

    fn roots() -> Vec<CrateRoot> {
        ["a", "b"]
            .into_iter()
            .map(|name| CrateRoot {
                file: format!("tests/{name}.rs").into(),
                name: name.into(),
                is_lib: false,
            })
            .collect()
    }

    /// Every fn of the index: its signature and where it is.
    fn records(ix: &Index) -> Vec<String> {
        let records = ix.fns().map(|f| {
            let (module, file) = (f.module(), f.file());
            let owner = (f.self_ty, f.trait_path);
            format!("{:?} {module} {file} {owner:?}", f.sig)
        });
        records.collect()
    }

    #[test]
    fn a_taking_build_moves_the_signatures_and_indexes_the_same() {
        let copied = Index::build(&files(), &roots());
        let mut taken_from = files();
        let moved = Index::build_taking(&mut taken_from, &roots(), 3, &[]);
        assert_eq!(records(&moved), records(&copied));
        // The shared module is loaded in each crate: its fns twice.
        let shared = copied.fns().filter(|f| f.sig.name == "shared").count();
        assert_eq!(shared, 2);
        assert!(copied.fn_count() >= 14, "{}", copied.fn_count());
        assert_eq!(
            (copied.cfg_twins.len(), copied.impl_args.len()),
            (moved.cfg_twins.len(), moved.impl_args.len())
        );
        assert!(!copied.cfg_twins.is_empty());
        // The facts no longer hold a signature; the copying build left them whole.
        let left = taken_from.iter().flat_map(|f| &f.facts.modules).map(|m| {
            let impls: usize = m.impls.iter().map(|i| i.fns.len()).sum();
            let traits: usize = m.traits.iter().map(|t| t.1.len()).sum();
            m.fns.len() + impls + traits
        });
        assert_eq!(left.sum::<usize>(), 0);
        let whole = files().iter().flat_map(|f| &f.facts.modules).count();
        assert_eq!(
            taken_from.iter().flat_map(|f| &f.facts.modules).count(),
            whole
        );
    }

    /// A crate of `n` free fns in one list: its lib file's facts.
    fn lib_of(name: &str, n: usize) -> (IndexedFile, CrateRoot) {
        let text: String = (0..n)
            .map(|i| format!("pub fn {name}{i}() {{}}\n"))
            .collect();
        let path = format!("{name}/lib.rs");
        let file = IndexedFile {
            path: path.clone().into(),
            facts: FileFacts::of_text(&text),
        };
        let root = CrateRoot {
            file: path.into(),
            name: name.into(),
            is_lib: true,
        };
        (file, root)
    }

    #[test]
    fn a_list_longer_than_the_index_with_room_in_front_becomes_its_vector() {
        // A small crate first (3 fns), then one of 500 whose list has room for those 3: the
        // index's signatures are the large list's own vector, the small crate's moved to its
        // front; the records are those a copying build makes.
        let ((small, small_root), (large, large_root)) = (lib_of("s", 3), lib_of("l", 500));
        let roots = [small_root, large_root];
        let copied = Index::build(&[lib_of("s", 3).0, lib_of("l", 500).0], &roots);
        let mut files = vec![small, large];
        for f in &mut files {
            f.facts.modules[0].fns.shrink_to_fit();
        }
        files[1].facts.modules[0].fns.reserve_exact(3);
        let large_list = files[1].facts.modules[0].fns.as_ptr();
        let moved = Index::build_taking(&mut files, &roots, 2, &[]);
        assert_eq!(records(&moved), records(&copied));
        assert_eq!(moved.fn_count(), 503);
        assert_eq!(moved.sigs.as_ptr(), large_list, "the list was copied");
        // Without room in front, the list is appended to the index's vector (a copy).
        let mut files = vec![lib_of("s", 3).0, lib_of("l", 500).0];
        for f in &mut files {
            f.facts.modules[0].fns.shrink_to_fit();
        }
        let large_list = files[1].facts.modules[0].fns.as_ptr();
        let appended = Index::build_taking(&mut files, &roots, 2, &[]);
        assert_eq!(records(&appended), records(&copied));
        assert_ne!(appended.sigs.as_ptr(), large_list);
    }
}
