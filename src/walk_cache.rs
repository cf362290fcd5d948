//! The walk cache: what the walk of each file gave (its facts, its suppressions, why it did not
//! parse), kept between runs, so a file whose text has not changed is neither parsed nor walked
//! again while nothing it could have read from the index changed.
//!
//! A file's walk reads its own text and its context's index (every file's index facts, the
//! dependencies' facts, the crate roots and links) and knowledge (the configuration's in-house
//! APIs). The engine sums what every walk reads (the tool, the crate roots and links, the
//! knowledge) into one *fingerprint* per context, written into the sealed header: a cache
//! walked against another is not even decoded. The index entries are hashed per name
//! ([`NameHashes`], stored with the entries); each entry keeps the names its file's text holds.
//! A run takes an entry while the file's content hash is the same and none of the names whose
//! entries changed (nor a name whose entries mention one: a fn returning a type whose impls
//! changed) is among the file's. Editing a body walks that file again; adding, removing or
//! changing a fn walks again the files that name it; a configuration or dependency change, a
//! glob import or an `include!` that changed, walks every file. The fns the facts name are
//! stored by file, path and rank, and found again in an index numbered differently.
//!
//! One file per context, beside the index cache (see [`crate::cache`]), written atomically; a
//! file that does not check out is ignored.

use crate::analysis::facts::Fact;
use crate::files::{content_hash, read_sealed, SealedWrite};
use crate::source::ParseFailure;
use crate::suppress::Suppressions;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Bumped when what an entry means changes.
const FORMAT: u32 = 5;

pub use crate::name_hashes::NameHashes;

/// What the walk of one file gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WalkEntry {
    /// Walked as a file to report: every fact, and its suppressions; otherwise only the facts
    /// the call graph reads.
    pub full: bool,
    pub facts: Vec<Fact>,
    pub suppressions: Option<Suppressions>,
    pub parse_failure: Option<ParseFailure>,
    /// The lines of test code (a file to report only).
    #[serde(default)]
    pub test_ranges: Vec<(usize, usize)>,
    /// The ids of the names the file's text holds (sorted): an index entry found by another
    /// name is not one its walk read.
    pub idents: Vec<u32>,
    /// The index's fns that `facts` name, in the order of the numbers the facts give them:
    /// each as (hash of its file and path, its rank among the fns with the same), so that
    /// they are found in an index whose numbering changed.
    pub fns: Vec<(u64, u32)>,
    /// What the walk read of the other files of the file's scope (the evidence from use for
    /// callees not on disk, [`crate::analysis::other_files`]): the entry is taken only while
    /// they still say the same.
    #[serde(default)]
    pub other_files: Vec<crate::analysis::other_files::OtherUses>,
}

/// The payload: the name hashes, then each file's (path relative to the context root,
/// content hash in hex, entry). The names come first: a run writes them before its walk
/// ([`WalkCache::write_names_ahead`]). It is written in these two parts, the names borrowed
/// (sorted) and the entries as `(String, String, &WalkEntry)`.
#[derive(Deserialize)]
struct Payload {
    names: Vec<(u32, u64)>,
    files: Vec<(String, String, WalkEntry)>,
}

/// The stored walks of one context that were walked against the current fingerprint.
#[derive(Default)]
pub struct WalkCache {
    file: Option<PathBuf>,
    root: PathBuf,
    kind: String,
    entries: HashMap<PathBuf, (u128, WalkEntry)>,
    /// The name hashes the entries were walked against; once [`WalkCache::retain_unaffected`]
    /// ran, those of this run.
    names: NameHashes,
    /// The name hashes differ from the stored ones (the file is written again).
    names_changed: bool,
    /// In a process that checks again and again: which state of the name sums it kept
    /// `names` stands for (see [`WalkCache::retain_unaffected_by`]).
    names_generation: Option<u64>,
    /// The file's write, begun with `names` (then no longer held): see
    /// [`WalkCache::write_names_ahead`].
    ahead: Option<SealedWrite>,
}

impl WalkCache {
    /// A cache that neither reads nor writes (`--no-cache`, loose files).
    pub fn disabled() -> WalkCache {
        WalkCache::default()
    }

    /// The walk cache of the context rooted at `root` for the index it walks against
    /// (`fingerprint`); empty when the stored one was walked against another.
    pub fn open(root: &Path, explicit_dir: Option<&Path>, fingerprint: u128) -> WalkCache {
        let Some(mut cache) = WalkCache::open_empty(root, explicit_dir, fingerprint) else {
            return WalkCache::disabled();
        };
        let file = cache.file.as_deref().unwrap_or(Path::new(""));
        if let Some(p) = read_sealed::<Payload>(file, &cache.kind) {
            cache.entries = p
                .files
                .into_iter()
                .filter_map(|(rel, hash, entry)| {
                    Some((
                        root.join(rel),
                        (u128::from_str_radix(&hash, 16).ok()?, entry),
                    ))
                })
                .collect();
            cache.names = NameHashes::from_stored(p.names);
        }
        cache
    }

    /// [`WalkCache::open`], in a process that checks again and again (the language server):
    /// the cache this process kept at its last check of the context, when walked against the
    /// same fingerprint, instead of the file.
    pub fn open_resident(root: &Path, explicit_dir: Option<&Path>, fingerprint: u128) -> WalkCache {
        let empty = WalkCache::open_empty(root, explicit_dir, fingerprint);
        match (resident::take(root), empty) {
            (Some(kept), Some(empty)) if (&kept.file, &kept.kind) == (&empty.file, &empty.kind) => {
                kept
            }
            _ => WalkCache::open(root, explicit_dir, fingerprint),
        }
    }

    /// The cache `open` gives, without reading its file.
    fn open_empty(
        root: &Path,
        explicit_dir: Option<&Path>,
        fingerprint: u128,
    ) -> Option<WalkCache> {
        let dir = crate::cache::dir_for_context(root, explicit_dir)?;
        let key = content_hash(root.as_os_str().as_encoded_bytes());
        Some(WalkCache {
            file: Some(dir.join(format!("walk-{:016x}.cache", key as u64))),
            root: root.to_path_buf(),
            kind: format!(
                "{} walk {FORMAT} {fingerprint:032x}",
                crate::index::facts_shape::sealed_kind()
            ),
            ..WalkCache::default()
        })
    }

    /// Keeps the cache in this process for its next check, as [`WalkCache::store`] wrote it:
    /// the entries still valid (`current`) with `fresh` in place of what they replace.
    pub fn keep_resident(
        mut self,
        current: &HashMap<&Path, u128>,
        fresh: Vec<(PathBuf, u128, WalkEntry)>,
    ) {
        if !self.is_enabled() {
            return;
        }
        self.entries
            .retain(|p, (h, _)| current.get(p.as_path()) == Some(h));
        for (path, hash, entry) in fresh {
            self.entries.insert(path, (hash, entry));
        }
        self.names_changed = false;
        resident::keep(self);
    }

    /// The name hashes the stored entries were walked against.
    pub fn stored_names(&self) -> &NameHashes {
        &self.names
    }

    /// Drops the entries whose file names one of the `affected` names (all of them with
    /// `None`), and takes `now` as the name hashes the rest stand for, which are the state
    /// `generation` of the sums the process keeps, if it keeps them.
    pub fn retain_unaffected(
        &mut self,
        affected: Option<&HashSet<u32>>,
        now: NameHashes,
        generation: Option<u64>,
    ) {
        self.drop_affected(affected);
        self.names_changed = self.names != now;
        self.names = now;
        self.names_generation = generation;
    }

    /// [`WalkCache::retain_unaffected`] when the name hashes are those of the state the
    /// process kept at its last check ([`WalkCache::names_generation`]) and `changes` are what
    /// changed since (each name with its hash now, `None`: gone): they are updated in place.
    pub fn retain_unaffected_by(
        &mut self,
        affected: Option<&HashSet<u32>>,
        changes: &[(u32, Option<u64>)],
        generation: u64,
    ) {
        self.drop_affected(affected);
        self.names.apply(changes);
        self.names_changed = !changes.is_empty();
        self.names_generation = Some(generation);
    }

    /// Which state of the name sums the process keeps the name hashes stand for.
    pub fn names_generation(&self) -> Option<u64> {
        self.names_generation
    }

    fn drop_affected(&mut self, affected: Option<&HashSet<u32>>) {
        match affected {
            None => self.entries.clear(),
            Some(a) if !a.is_empty() => self
                .entries
                .retain(|_, (_, e)| !e.idents.iter().any(|i| a.contains(i))),
            Some(_) => {}
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.file.is_some()
    }

    /// The stored walk of `path` when its content still hashes to `hash`.
    pub fn get(&self, path: &Path, hash: u128) -> Option<&WalkEntry> {
        self.entries
            .get(path)
            .filter(|(h, _)| *h == hash)
            .map(|(_, e)| e)
    }

    /// Begins the file's write with the name hashes, and frees them: a run that does not keep
    /// the cache in memory reads them no more, and a context's names (a 10 MB file's 257,000
    /// take 4.1 MB) are not held through its walk. [`WalkCache::store`] writes the rest, or
    /// drops the write when it has nothing new to say. Without a cache file, or when the write
    /// cannot begin, the names stay.
    pub fn write_names_ahead(&mut self) {
        if let Some(write) = self.begin_write() {
            self.ahead = Some(write);
            self.names = NameHashes::new();
        }
    }

    /// Begins the cache file's write with its first part, the name hashes; `None` without a
    /// cache file or when the write cannot begin.
    fn begin_write(&self) -> Option<SealedWrite> {
        let file = self.file.as_ref()?;
        crate::cache::prepare_dir(file.parent().unwrap_or(Path::new("."))).ok()?;
        let mut write = SealedWrite::begin(file, &self.kind)?;
        write.part(self.names.as_slice()).ok()?;
        Some(write)
    }

    /// Writes the entries still valid (`current`: each file of the context with its content
    /// hash now) with `fresh` (path, content hash, entry) in place of what they replace, unless
    /// that is what the cache holds already. Failures are ignored.
    pub fn store(&mut self, current: &HashMap<&Path, u128>, fresh: &[(&Path, u128, &WalkEntry)]) {
        let ahead = self.ahead.take();
        if self.file.is_none() {
            return;
        }
        let replaced: HashMap<&Path, ()> = fresh.iter().map(|(p, _, _)| (*p, ())).collect();
        let kept: Vec<(&Path, u128, &WalkEntry)> = self
            .entries
            .iter()
            .filter(|(p, (h, _))| {
                current.get(p.as_path()) == Some(h) && !replaced.contains_key(p.as_path())
            })
            .map(|(p, (h, e))| (p.as_path(), *h, e))
            .collect();
        if fresh.is_empty() && kept.len() == self.entries.len() && !self.names_changed {
            return;
        }
        let mut files: Vec<(String, String, &WalkEntry)> = kept
            .iter()
            .chain(fresh)
            .filter_map(|(p, h, e)| {
                let rel = p.strip_prefix(&self.root).ok()?;
                Some((rel.to_string_lossy().into_owned(), format!("{h:032x}"), *e))
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(mut write) = ahead.or_else(|| self.begin_write()) {
            if write.part(&files).is_ok() {
                let _ = write.finish();
            }
        }
    }
}

/// The walk caches this process kept at its last check, per context root.
mod resident {
    use super::WalkCache;
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    static KEPT: Mutex<Option<HashMap<PathBuf, WalkCache>>> = Mutex::new(None);

    pub(super) fn take(root: &Path) -> Option<WalkCache> {
        KEPT.lock().ok()?.as_mut()?.remove(root)
    }

    pub(super) fn keep(cache: WalkCache) {
        if let Ok(mut kept) = KEPT.lock() {
            let root = cache.root.clone();
            kept.get_or_insert_with(HashMap::new).insert(root, cache);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> WalkEntry {
        WalkEntry {
            full: true,
            facts: Vec::new(),
            suppressions: None,
            parse_failure: None,
            test_ranges: Vec::new(),
            idents: Vec::new(),
            fns: Vec::new(),
            other_files: Vec::new(),
        }
    }

    /// A package folder (its `Cargo.toml` only) and the cache folder in it.
    fn package() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        let cache_dir = dir.path().join("cache");
        (dir, cache_dir)
    }

    #[test]
    fn entries_are_kept_per_fingerprint_and_content() {
        let (dir, cache_dir) = package();
        let root = dir.path();
        let (a, b) = (root.join("src/a.rs"), root.join("src/b.rs"));
        let e = entry();
        let current: HashMap<&Path, u128> = [(a.as_path(), 1), (b.as_path(), 2)].into();
        WalkCache::open(root, Some(&cache_dir), 7).store(&current, &[(&a, 1, &e), (&b, 2, &e)]);
        let mut cache = WalkCache::open(root, Some(&cache_dir), 7);
        assert!(cache.get(&a, 1).is_some() && cache.get(&b, 2).is_some());
        assert!(cache.get(&a, 3).is_none(), "another content");
        assert!(WalkCache::open(root, Some(&cache_dir), 8)
            .get(&a, 1)
            .is_none());
        // `b` changed and was not walked again: its entry goes, `a`'s stays.
        let current: HashMap<&Path, u128> = [(a.as_path(), 1), (b.as_path(), 5)].into();
        cache.store(&current, &[]);
        let cache = WalkCache::open(root, Some(&cache_dir), 7);
        assert!(cache.get(&a, 1).is_some() && cache.get(&b, 2).is_none());
    }

    /// Names written ahead of the walk are freed at once and read back with the entries the
    /// store writes after them; a store with nothing new drops the begun write, leaving the
    /// file as it was and no temporary file.
    #[test]
    fn names_written_ahead_read_back_with_the_entries_stored_after_them() {
        let (dir, cache_dir) = package();
        let root = dir.path();
        let a = root.join("src/a.rs");
        let e = WalkEntry {
            idents: vec![3, 9],
            ..entry()
        };
        let names = NameHashes::summed(vec![(3, 30), (9, 90), (9, 1)]);
        let mut cache = WalkCache::open(root, Some(&cache_dir), 7);
        cache.retain_unaffected(None, names.clone(), None);
        cache.write_names_ahead();
        assert!(cache.stored_names().is_empty(), "the names are not held");
        let current: HashMap<&Path, u128> = [(a.as_path(), 1)].into();
        cache.store(&current, &[(&a, 1, &e)]);
        let files = || {
            let mut names: Vec<String> = std::fs::read_dir(&cache_dir)
                .unwrap()
                .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains("walk-"))
                .collect();
            names.sort();
            names
        };
        assert_eq!(files().len(), 1, "{:?}", files());
        let mut cache = WalkCache::open(root, Some(&cache_dir), 7);
        assert_eq!(cache.stored_names(), &names);
        assert_eq!(cache.get(&a, 1).map(|e| e.idents.clone()), Some(vec![3, 9]));
        let written = std::fs::read(cache.file.clone().unwrap()).unwrap();
        // The same names, nothing walked: the write begun is dropped.
        cache.retain_unaffected(Some(&HashSet::new()), names.clone(), None);
        cache.write_names_ahead();
        assert_eq!(files().len(), 2, "the write is under way: {:?}", files());
        cache.store(&current, &[]);
        assert_eq!(files().len(), 1, "{:?}", files());
        let file = WalkCache::open(root, Some(&cache_dir), 7).file.unwrap();
        assert!(std::fs::read(file).unwrap() == written);
    }
}
