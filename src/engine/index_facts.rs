//! Stage 2, index facts: every file of every context read and hashed, in parallel; its index
//! facts taken from the context's cache where its content has not changed, else from a parse:
//! a file to report is parsed in full once, here, which gives both its facts and its body IR
//! (lowered, suppressions and test ranges collected, the tree dropped at once), held until the
//! walk (stage 5); a file read for context only, from a parse of its item skeleton (bodies
//! blanked), and the walk parses it if a call reaches it. The caches are written back in the
//! background.

use super::plan::{FileRef, Plan, TargetFile};
use super::probe::Stat;
use super::walk::{self, Body};
use crate::cache::IndexCache;
use crate::index::facts::FileFacts;
use crate::index::IndexedFile;
use crate::source::{self, SourceFile};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Reads a file, or the text that stands for it.
pub(super) type Read<'a> = dyn Fn(&Path) -> Option<Vec<u8>> + Sync + 'a;

/// What the index facts stage gives.
pub(super) struct IndexFacts {
    /// The facts of every file, per context, in the order of [`Plan::files`].
    pub per_context: Vec<Vec<IndexedFile>>,
    /// The content hash of each file of [`Plan::files`], when its facts are what its text
    /// gives (read, valid UTF-8, no panic).
    pub hashes: Vec<Option<u128>>,
    pub cache: CacheUpdate,
    /// Per context: how many files' facts came from the cache (for `-v`).
    pub cache_hits: Vec<usize>,
    /// The body of each file to report parsed here, in the order of [`Plan::files`], for the
    /// walk.
    pub held: Vec<Option<Body>>,
    /// Per context: in a resident run, its files and each file's facts are what they were at
    /// this process's last check (what the dependencies loaded for it may be reused).
    pub unchanged: Vec<bool>,
}

/// What goes back into the caches once the index is built.
pub(super) struct CacheUpdate {
    caches: Vec<IndexCache>,
    /// Per context: (path, content hash, index in the context's files).
    entries: Vec<Vec<(PathBuf, u128, usize)>>,
    /// When the process checks again: the time this run started reading, and per context
    /// each of its files' metadata before it was read.
    resident: Option<(std::time::SystemTime, Vec<Vec<Option<Stat>>>)>,
    /// Each context's root.
    roots: Vec<PathBuf>,
}

/// One file, as its worker left it.
#[derive(Default)]
struct FileOut {
    hash: u128,
    /// `None`: take them from the cache.
    facts: Option<FileFacts>,
    /// The facts are what the file's content gives (not a read error or a panic).
    cacheable: bool,
    /// `facts` is `None`: take them from what this process kept, not from the cache.
    kept: bool,
    /// The file's metadata before it was read (resident runs only).
    stat: Option<Stat>,
    /// A file to report: its body, from the same parse as its facts.
    held: Option<Body>,
}

pub(super) fn collect(
    plan: &Plan,
    files: &[FileRef],
    pool: &rayon::ThreadPool,
    read: &Read,
    no_cache: bool,
    cache_dir: Option<&Path>,
    resident: bool,
) -> IndexFacts {
    let given = plan.given_texts();
    let started = resident.then(std::time::SystemTime::now);
    let mut kept = match resident {
        true => resident::take(),
        false => HashMap::new(),
    };
    // The files whose content this process read at its last check and that are unchanged:
    // their facts are taken from memory, unread.
    let early: Vec<Option<(u128, Option<Stat>)>> = pool.install(|| {
        files
            .par_iter()
            .map(|f| {
                if !resident || given.contains_key(f.path) {
                    return None;
                }
                let stat = Stat::of(f.path);
                let k = kept.get(f.path)?;
                (stat.is_some() && k.stat == stat).then_some((k.hash, stat))
            })
            .collect()
    });
    // Few files left (an edited buffer): their skeletons cost less than decoding the cache.
    let left = early.iter().filter(|e| e.is_none()).count();
    let open_caches = !no_cache && (!resident || left > 8);
    let mut caches: Vec<IndexCache> = pool.install(|| {
        plan.contexts
            .par_iter()
            .map(|c| match open_caches {
                true => IndexCache::for_context(&c.root, cache_dir),
                false => IndexCache::disabled(),
            })
            .collect()
    });
    let target_of = plan.target_index();
    let order = largest_first(files, &given, &early, pool);
    let outs: Vec<FileOut> = pool.install(|| {
        in_order_given(&order, |i| {
            let (f, early) = (&files[i], &early[i]);
            if let Some((hash, stat)) = early {
                return FileOut {
                    hash: *hash,
                    facts: None,
                    cacheable: true,
                    kept: true,
                    stat: *stat,
                    held: None,
                };
            }
            // Taken before the file is read: the next check trusts it for this content.
            let stat = match resident && !given.contains_key(f.path) {
                true => Stat::of(f.path),
                false => None,
            };
            let target = target_of.get(f.path).map(|&t| &plan.targets[t]);
            let cache = &caches[f.context];
            let mut out = facts_of(f, target, cache, read, &kept, !no_cache, true);
            out.stat = stat;
            proc_macro2::extra::invalidate_current_thread_spans();
            out
        })
    });
    let mut per_context: Vec<Vec<IndexedFile>> = plan.contexts.iter().map(|_| Vec::new()).collect();
    let mut entries: Vec<Vec<(PathBuf, u128, usize)>> =
        plan.contexts.iter().map(|_| Vec::new()).collect();
    let mut cache_hits = vec![0; plan.contexts.len()];
    let mut hashes = Vec::with_capacity(files.len());
    let mut stats: Vec<Vec<Option<Stat>>> = plan.contexts.iter().map(|_| Vec::new()).collect();
    let mut held = Vec::with_capacity(files.len());
    // A context is unchanged when the last check kept every file of it, with the same facts.
    let mut unchanged = vec![resident; plan.contexts.len()];
    for (f, mut out) in files.iter().zip(outs) {
        held.push(out.held.take());
        let ci = f.context;
        if out.cacheable && out.facts.is_none() {
            cache_hits[ci] += 1;
        }
        hashes.push(out.cacheable.then_some(out.hash));
        stats[ci].push(out.stat);
        if out.cacheable {
            entries[ci].push((f.path.to_path_buf(), out.hash, per_context[ci].len()));
        }
        let before = kept.remove(f.path).map(|k| k.facts);
        let facts = match (out.facts, before) {
            (None, Some(before)) if out.kept => before,
            (facts, mut before) => {
                let facts = facts.unwrap_or_else(|| caches[ci].take(f.path).unwrap_or_default());
                // How often paths are called, and awaited, says nothing of what dependencies
                // are read: an edit that only adds an `.await` leaves the context unchanged.
                if let Some(b) = before.as_mut() {
                    b.call_uses.clone_from(&facts.call_uses);
                }
                if before.as_ref() != Some(&facts) {
                    unchanged[ci] = false;
                }
                facts
            }
        };
        per_context[ci].push(IndexedFile {
            path: f.path.to_path_buf(),
            facts,
        });
    }
    // Files gone since the last check (of some context: every one counts as changed).
    if !kept.is_empty() {
        unchanged.fill(false);
    }
    std::thread::spawn(move || drop(kept));
    IndexFacts {
        per_context,
        hashes,
        cache: CacheUpdate {
            caches,
            entries,
            resident: started.map(|t| (t, stats)),
            roots: plan.contexts.iter().map(|c| c.root.clone()).collect(),
        },
        cache_hits,
        held,
        unchanged,
    }
}

/// The indices of `files`, the largest first (by the size on disk, or of the text that
/// stands for the file). Taken in this order, the largest syntax trees are built while little
/// is held yet, and the last files to finish are small ones: the peak is lower and no thread
/// waits alone on a large file at the end. The files whose facts are taken from memory unread
/// (`early`: a resident check's unchanged files) count as empty, and are not looked at again.
fn largest_first<T: Sync>(
    files: &[FileRef],
    given: &HashMap<&Path, &str>,
    early: &[Option<T>],
    pool: &rayon::ThreadPool,
) -> Vec<usize> {
    let sizes: Vec<u64> = pool.install(|| {
        files
            .par_iter()
            .zip(early)
            .map(|(f, early)| match (given.get(f.path), early) {
                (_, Some(_)) => 0,
                (Some(text), None) => text.len() as u64,
                (None, None) => std::fs::metadata(f.path).map_or(0, |m| m.len()),
            })
            .collect()
    });
    let mut order: Vec<usize> = (0..files.len()).collect();
    // Stable: files of one size keep the plan's order.
    order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    order
}

/// `work` of each index of `order`, taken by the pool's threads one at a time in that order,
/// the results in index order (`order` is a permutation of `0..order.len()`).
fn in_order_given<T: Send>(order: &[usize], work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let mut done: Vec<(usize, T)> = order.iter().par_bridge().map(|&i| (i, work(i))).collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// The facts of the files of the last check of this process (the language server checks
/// again and again): each file's metadata before it was read, content hash and facts. A file
/// whose metadata is the same (and was not changed within a second of that check's start) is
/// not read again.
mod resident {
    use super::*;

    pub(super) struct Kept {
        pub stat: Option<Stat>,
        pub hash: u128,
        pub facts: FileFacts,
    }

    static KEPT: Mutex<Option<HashMap<PathBuf, Kept>>> = Mutex::new(None);

    pub(super) fn take() -> HashMap<PathBuf, Kept> {
        KEPT.lock()
            .ok()
            .and_then(|mut k| k.take())
            .unwrap_or_default()
    }

    pub(super) fn keep(kept: HashMap<PathBuf, Kept>) {
        if let Ok(mut k) = KEPT.lock() {
            *k = Some(kept);
        }
    }
}

/// Reads one file and takes its index facts, from what this process kept, the cache, or its
/// full parse (a file to report, whose body is then held for the walk) or its skeleton. With
/// `windows`, a large file to report read from disk has its groups read again from the file
/// ([`super::grouped::parse_from_file`]), its text dropped first.
fn facts_of(
    f: &FileRef,
    target: Option<&TargetFile>,
    cache: &IndexCache,
    read: &Read,
    kept: &HashMap<PathBuf, resident::Kept>,
    idents: bool,
    windows: bool,
) -> FileOut {
    let Some(bytes) = read(f.path) else {
        return FileOut::default();
    };
    // A large file is read group by group: the pages its groups, its text and its skeleton
    // leave are given back as they empty, not a second later.
    let large = bytes.len() > crate::source::groups::split_above();
    let take = move || {
        let hash = crate::files::content_hash(&bytes);
        if kept.get(f.path).is_some_and(|k| k.hash == hash) {
            return FileOut {
                hash,
                facts: None,
                cacheable: true,
                kept: true,
                stat: None,
                held: None,
            };
        }
        if cache.contains(f.path, hash) {
            return FileOut {
                hash,
                facts: None,
                cacheable: true,
                ..FileOut::default()
            };
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                return FileOut {
                    facts: Some(FileFacts::of_bytes(e.as_bytes())),
                    ..FileOut::default()
                }
            }
        };
        let text = match target {
            Some(t) => {
                // The text moves into the parse (no copy kept for a panic's sake): a panic takes
                // it with it, and the file is read again.
                let from = (windows && t.stdin_text.is_none()).then_some((f.path, hash, idents));
                let parsed = std::panic::catch_unwind(move || parse_in_full(t, text, from));
                // A panic: the walk parses the file again, and says so.
                proc_macro2::extra::invalidate_current_thread_spans();
                match parsed {
                    // Its groups not read from the file (changed meanwhile, or a group does not
                    // parse alone) and its text dropped: read again, and parsed from that text.
                    Ok(None) => return facts_of(f, target, cache, read, kept, idents, false),
                    Ok(Some((facts, mut body))) => {
                        body.shed_text(idents);
                        return FileOut {
                            hash,
                            cacheable: true,
                            facts: Some(facts),
                            held: Some(body),
                            ..FileOut::default()
                        };
                    }
                    Err(_) => match read_again(f.path, read, hash) {
                        Ok(text) => text,
                        // Changed since it was hashed: what its bytes give, not cached.
                        Err(bytes) => {
                            return FileOut {
                                facts: Some(FileFacts::of_bytes(&bytes)),
                                ..FileOut::default()
                            }
                        }
                    },
                }
            }
            None => text,
        };
        let facts = std::panic::catch_unwind(|| {
            super::grouped::facts_of_text(&text).unwrap_or_else(|| FileFacts::of_text(&text))
        });
        FileOut {
            hash,
            cacheable: facts.is_ok(),
            facts: Some(facts.unwrap_or_else(|_| FileFacts::of_bytes(text.as_bytes()))),
            ..FileOut::default()
        }
    };
    if large {
        crate::source::tree_heap::purging_promptly(take)
    } else {
        take()
    }
}

/// The text of a file read again after its parse panicked, when it is still the text that was
/// hashed; otherwise the bytes now read (none when it cannot be read).
fn read_again(path: &Path, read: &Read, hash: u128) -> Result<String, Vec<u8>> {
    let bytes = read(path).unwrap_or_default();
    if crate::files::content_hash(&bytes) != hash {
        return Err(bytes);
    }
    String::from_utf8(bytes).map_err(|e| e.into_bytes())
}

/// A file to report, parsed once: its index facts and its lowered body, the tree dropped. When
/// the file does not parse in full, its facts are its skeleton's, as for any file. A large file
/// is parsed group by group ([`super::grouped`]) when it can be: with `from` (its path, the
/// text's content hash, whether to take its names), each group read from the file, the text
/// dropped first; `None` when that did not read what was hashed (the text is gone).
fn parse_in_full(
    t: &TargetFile,
    text: String,
    from: Option<(&Path, u128, bool)>,
) -> Option<(FileFacts, Body)> {
    let file = SourceFile::new(t.display.clone(), text);
    let grouped = match from {
        Some((path, hash, idents)) => super::grouped::parse_from_file(file, path, hash, idents),
        None => super::grouped::parse(file, true, true).map_err(Some),
    };
    let file = match grouped {
        Ok((facts, body)) => return Some((facts.unwrap_or_default(), body.into())),
        Err(file) => file?,
    };
    // The tree is freed whole when the facts and the body are made (`file_tree`).
    let parsed = source::file_tree::parse_then(file, |ast, file| {
        let shared = crate::index::facts::ItemMacros::of(ast);
        let facts = FileFacts::of_tree(ast, &file.text, &shared);
        let body = walk::lower(ast, file, true, &shared);
        (facts, body)
    });
    Some(match parsed {
        Ok(done) => done,
        Err(failed) => {
            let (failure, file) = *failed;
            (
                FileFacts::of_text(&file.text),
                Body::Failed {
                    failure,
                    text: file.text,
                },
            )
        }
    })
}

impl CacheUpdate {
    /// Per context: whether its files' facts are read once the index is built (a cache is
    /// still to be written from them, or the process is `resident` and keeps them).
    pub fn keeps_facts(&self, resident: bool) -> Vec<bool> {
        let kept = |c: &IndexCache| resident || self.resident.is_some() || c.is_enabled();
        self.caches.iter().map(kept).collect()
    }

    /// In a run that does not keep the facts (not `resident`), writes now, before the index
    /// is built, the cache of each context whose facts hold `at_least` signatures, on the
    /// `pool` (a context each): those facts are then read by no one after the index, which
    /// takes their signatures rather than copying them (see [`CacheUpdate::keeps_facts`]).
    /// The other caches are written while the files are walked
    /// ([`CacheUpdate::write_in_background`]); a resident run's index copies the signatures
    /// anyway.
    pub fn write_large_first(
        &mut self,
        per_context: &[Vec<IndexedFile>],
        resident: bool,
        at_least: usize,
        pool: &rayon::ThreadPool,
    ) {
        if resident || self.resident.is_some() {
            return;
        }
        pool.install(|| {
            (self.caches.par_iter_mut())
                .zip(self.entries.par_iter().zip(per_context.par_iter()))
                .filter(|(_, (_, files))| signatures(files) >= at_least)
                .for_each(|(cache, (entries, files))| {
                    store(cache, entries, files);
                    *cache = IndexCache::disabled();
                });
        });
    }

    /// Writes the caches not written yet on a thread of their own, which also frees the facts;
    /// join it before the run returns.
    pub fn write_in_background(
        self,
        per_context: Vec<Vec<IndexedFile>>,
    ) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            for ((cache, entries), files) in self.caches.iter().zip(&self.entries).zip(&per_context)
            {
                store(cache, entries, files);
            }
            drop(self.caches);
            let Some((started, stats)) = self.resident else {
                return drop(per_context);
            };
            let started = super::probe::nanos(started);
            let mut kept = HashMap::new();
            let contexts = per_context.into_iter().zip(self.entries).zip(stats);
            for (((mut files, entries), stats), root) in contexts.zip(&self.roots) {
                // The dependencies' files go back to what keeps them for the next check.
                let dependencies = files.split_off(stats.len().min(files.len()));
                super::dependencies::give_back(root, dependencies);
                let mut by_index: HashMap<usize, (PathBuf, u128)> =
                    entries.into_iter().map(|(p, h, i)| (i, (p, h))).collect();
                // The plan's files come first in each context (with a stat each), then the
                // dependencies' (with none: not kept).
                for (i, (file, stat)) in files.into_iter().zip(stats).enumerate() {
                    let Some((path, hash)) = by_index.remove(&i) else {
                        continue;
                    };
                    let stat = stat.filter(|s| !s.is_recent(started));
                    kept.insert(
                        path,
                        resident::Kept {
                            stat,
                            hash,
                            facts: file.facts,
                        },
                    );
                }
            }
            resident::keep(kept);
        })
    }
}

/// A context whose facts hold this many signatures has its index facts cache written before
/// its index is built ([`CacheUpdate::write_large_first`]): its index then takes the
/// signatures, where it would copy 1 MB or more of them (32 bytes each), the facts' copy alive
/// beside it until the walk starts. A smaller context's cache is written while the files are
/// walked: written first, it would lengthen the run for a copy of little weight (tokio's 1 MB
/// cache took 0.12 s to write on a loaded machine, in the path of a warm run after an edit).
pub(super) const WRITTEN_FIRST_FROM: usize = 1 << 15;

/// How many signatures `files`' facts hold (fns, methods of traits and of impls).
fn signatures(files: &[IndexedFile]) -> usize {
    let of_module = |m: &crate::index::facts::ModFacts| {
        let in_traits: usize = m.traits.iter().map(|(_, fns)| fns.len()).sum();
        let in_impls: usize = m.impls.iter().map(|i| i.fns.len()).sum();
        m.fns.len() + in_traits + in_impls
    };
    files
        .iter()
        .flat_map(|f| &f.facts.modules)
        .map(of_module)
        .sum()
}

/// Writes a context's cache (when enabled) from its `files`' facts: each of `entries` (path,
/// content hash, index in `files`).
fn store(cache: &IndexCache, entries: &[(PathBuf, u128, usize)], files: &[IndexedFile]) {
    if cache.is_enabled() {
        let entries: Vec<(&Path, u128, &FileFacts)> = entries
            .iter()
            .map(|(p, h, i)| (p.as_path(), *h, &files[*i].facts))
            .collect();
        cache.store(&entries);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files are taken largest first, by their size on disk or their given text's, ties (and
    /// files that cannot be read, size 0) in the plan's order; the results come back in the
    /// plan's order whatever order the threads finished in.
    #[test]
    fn files_are_taken_largest_first_and_given_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, len: usize| {
            let p = dir.path().join(name);
            std::fs::write(&p, "x".repeat(len)).unwrap();
            p
        };
        let (a, b, c) = (write("a.rs", 10), write("b.rs", 300), write("c.rs", 10));
        let (gone, buffer) = (dir.path().join("gone.rs"), dir.path().join("buffer.rs"));
        let paths = [&a, &gone, &b, &c, &buffer];
        let files: Vec<FileRef> = paths
            .iter()
            .map(|p| FileRef {
                context: 0,
                path: p.as_path(),
            })
            .collect();
        let text = "y".repeat(50);
        let given: HashMap<&Path, &str> = HashMap::from([(buffer.as_path(), text.as_str())]);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let early: Vec<Option<()>> = vec![None; files.len()];
        let order = largest_first(&files, &given, &early, &pool);
        assert_eq!(order, [2, 4, 0, 3, 1]);
        // A file whose facts are taken from memory unread counts as empty.
        let early = [None, None, Some(()), None, None];
        assert_eq!(
            largest_first(&files, &given, &early, &pool),
            [4, 0, 3, 1, 2]
        );
        let taken = Mutex::new(Vec::new());
        let out = pool.install(|| {
            in_order_given(&order, |i| {
                taken.lock().unwrap().push(i);
                i * 10
            })
        });
        assert_eq!(out, [0, 10, 20, 30, 40]);
        let mut taken = taken.into_inner().unwrap();
        taken.sort();
        assert_eq!(taken, [0, 1, 2, 3, 4]);
    }

    /// After a panicked parse the file is read again: its text is used only when it is still
    /// the text that was hashed; otherwise (changed, gone) the bytes now read.
    #[test]
    fn a_file_read_again_is_used_only_when_unchanged() {
        let path = Path::new("a.rs");
        let text = "fn f() { a::b(); }".to_string();
        let hash = crate::files::content_hash(text.as_bytes());
        let same = |_: &Path| Some(text.clone().into_bytes());
        assert_eq!(read_again(path, &same, hash).ok(), Some(text.clone()));
        let changed = |_: &Path| Some(b"fn g() { c::d(); }".to_vec());
        assert_eq!(
            read_again(path, &changed, hash),
            Err(b"fn g() { c::d(); }".to_vec())
        );
        let gone = |_: &Path| None;
        assert_eq!(read_again(path, &gone, hash), Err(Vec::new()));
    }

    /// A large file to report is parsed group by group, each group read from the file: its
    /// text is not held (the body's is `None`), its facts are its text's. Rewritten after it
    /// was read and hashed, its groups do not read what was hashed: it is read again, and its
    /// facts, hash and body are what the new text gives.
    #[test]
    fn a_large_file_is_read_group_by_group_from_the_file_and_again_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.rs");
        let text = |name: &str| {
            let mut t = String::new();
            let mut i = 0;
            while t.len() <= crate::source::groups::split_above() {
                // Long lines: many bytes, few items to parse.
                t.push_str(&format!(
                    "pub fn {name}{i}() {{ other(); }} // {:200}\n",
                    ""
                ));
                i += 1;
            }
            t
        };
        let (a, b) = (text("f"), text("g"));
        let target = TargetFile {
            path: path.clone(),
            display: "lib.rs".into(),
            stdin_text: None,
            config: None,
            named: true,
            caller_of: None,
        };
        let f = FileRef {
            context: 0,
            path: &path,
        };
        let cache = IndexCache::disabled();
        let kept = HashMap::new();
        let fns = |out: &FileOut| {
            let facts = out.facts.as_ref().unwrap();
            let names: Vec<String> = facts.modules[0]
                .fns
                .iter()
                .map(|s| s.name.to_string())
                .collect();
            (names.len(), names[0].clone())
        };
        // Read and hashed as it is on disk.
        std::fs::write(&path, &a).unwrap();
        let read = |p: &Path| std::fs::read(p).ok();
        let out = facts_of(&f, Some(&target), &cache, &read, &kept, true, true);
        assert_eq!(out.hash, crate::files::content_hash(a.as_bytes()));
        assert!(out.cacheable);
        assert_eq!(fns(&out), (a.lines().count(), "f0".to_string()));
        let Some(Body::InGroups { text, idents, .. }) = &out.held else {
            panic!("read in groups");
        };
        assert!(text.is_none() && idents.is_some());
        // Hashed as `a`, then the file holds `b`: its groups are `b`'s, read again.
        std::fs::write(&path, &b).unwrap();
        let first = std::sync::atomic::AtomicBool::new(true);
        let read = |p: &Path| match first.swap(false, std::sync::atomic::Ordering::Relaxed) {
            true => Some(a.clone().into_bytes()),
            false => std::fs::read(p).ok(),
        };
        let out = facts_of(&f, Some(&target), &cache, &read, &kept, true, true);
        assert_eq!(out.hash, crate::files::content_hash(b.as_bytes()));
        assert!(out.cacheable);
        assert_eq!(fns(&out), (b.lines().count(), "g0".to_string()));
        assert!(matches!(out.held, Some(Body::InGroups { .. })));
    }

    /// A run that keeps no facts writes the cache of a context with many signatures before
    /// the index is built, and no cache is left to write from the facts then (the index may
    /// take their signatures); the cache holds the facts as they were. A context with fewer,
    /// and any context of a resident run, leave the cache to be written later.
    #[test]
    fn a_run_that_keeps_no_facts_writes_a_large_cache_before_the_index() {
        let root = tempfile::tempdir().unwrap();
        let cache_dir = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("Cargo.toml"), "[package]\nname = \"a\"\n").unwrap();
        let path = root.path().join("lib.rs");
        let facts = FileFacts::of_text("pub async fn f() {}\npub fn g(x: u32) -> u32 { x }\n");
        assert_eq!(facts.modules[0].fns.len(), 2);
        let files = vec![vec![IndexedFile {
            path: path.clone(),
            facts: facts.clone(),
        }]];
        let update = |resident: bool| CacheUpdate {
            caches: vec![IndexCache::for_context(root.path(), Some(cache_dir.path()))],
            entries: vec![vec![(path.clone(), 7, 0)]],
            resident: resident.then(|| (std::time::SystemTime::now(), vec![vec![None]])),
            roots: vec![root.path().to_path_buf()],
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let cached = || {
            let mut c = IndexCache::for_context(root.path(), Some(cache_dir.path()));
            (c.contains(&path, 7), c.take(&path))
        };
        assert_eq!(signatures(&files[0]), 2);
        // Resident: nothing written yet, the facts are kept.
        let mut resident = update(true);
        resident.write_large_first(&files, true, 1, &pool);
        assert_eq!(resident.keeps_facts(true), vec![true]);
        assert_eq!(cached(), (false, None));
        // Not resident, fewer signatures than the bound: left for later.
        let mut small = update(false);
        small.write_large_first(&files, false, 3, &pool);
        assert_eq!(small.keeps_facts(false), vec![true]);
        assert_eq!(cached(), (false, None));
        // Not resident, as many as the bound: written now, the facts are read by no one after
        // the index.
        let mut large = update(false);
        assert_eq!(large.keeps_facts(false), vec![true]);
        large.write_large_first(&files, false, 2, &pool);
        assert_eq!(large.keeps_facts(false), vec![false]);
        assert_eq!(cached(), (true, Some(facts)));
    }
}
