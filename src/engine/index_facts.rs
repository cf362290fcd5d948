//! Stage 2, index facts: every file of every context read, hashed and parsed for what the index
//! needs (in parallel), or taken from the context's cache where the file's content has not
//! changed; the caches are written back in the background.

use super::plan::{FileRef, Plan};
use crate::cache::{self, IndexCache};
use crate::index::facts::FileFacts;
use crate::index::IndexedFile;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Reads a file, or the text that stands for it.
pub(super) type Read<'a> = dyn Fn(&Path) -> Option<Vec<u8>> + Sync + 'a;

/// The facts of every file, per context, in the order of [`Plan::files`].
pub(super) struct IndexFacts {
    pub per_context: Vec<Vec<IndexedFile>>,
    pub cache: CacheUpdate,
}

/// What goes back into the caches once the index is built.
pub(super) struct CacheUpdate {
    caches: Vec<IndexCache>,
    /// Per context: (path, content hash, index in the context's files).
    entries: Vec<Vec<(PathBuf, u128, usize)>>,
}

/// A file's index facts, as its worker found them.
#[derive(Default)]
struct Parsed {
    hash: u128,
    /// `None`: take them from the cache.
    facts: Option<FileFacts>,
    /// The facts are what the file's content gives (not a read error or a panic).
    cacheable: bool,
}

pub(super) fn collect(
    plan: &Plan,
    files: &[FileRef],
    pool: &rayon::ThreadPool,
    read: &Read,
    no_cache: bool,
    cache_dir: Option<&Path>,
) -> IndexFacts {
    // The caches load while every file is read and hashed (with `--no-cache`, neither).
    let (mut caches, hashes): (Vec<IndexCache>, Vec<Option<u128>>) = if no_cache {
        (
            plan.contexts
                .iter()
                .map(|_| IndexCache::disabled())
                .collect(),
            vec![None; files.len()],
        )
    } else {
        pool.install(|| {
            rayon::join(
                || {
                    plan.contexts
                        .par_iter()
                        .map(|c| IndexCache::for_context(&c.root, cache_dir))
                        .collect()
                },
                || {
                    files
                        .par_iter()
                        .map(|f| read(f.path).map(|b| cache::content_hash(&b)))
                        .collect()
                },
            )
        })
    };
    // Files whose cached facts still hold come back with `facts: None`; they are moved out of
    // the cache below (no copy). The others are read again and parsed.
    let parsed: Vec<Parsed> = pool.install(|| {
        files
            .par_iter()
            .zip(hashes.par_iter())
            .map(|(f, hash)| {
                if hash.is_some_and(|h| caches[f.context].contains(f.path, h)) {
                    return Parsed {
                        hash: hash.unwrap_or_default(),
                        facts: None,
                        cacheable: true,
                    };
                }
                parse(f.path, read)
            })
            .collect()
    });
    let mut per_context: Vec<Vec<IndexedFile>> = plan.contexts.iter().map(|_| Vec::new()).collect();
    let mut entries: Vec<Vec<(PathBuf, u128, usize)>> =
        plan.contexts.iter().map(|_| Vec::new()).collect();
    for (f, p) in files.iter().zip(parsed) {
        let ci = f.context;
        if p.cacheable {
            entries[ci].push((f.path.to_path_buf(), p.hash, per_context[ci].len()));
        }
        let facts = match p.facts {
            Some(facts) => facts,
            None => caches[ci].take(f.path).unwrap_or_default(),
        };
        per_context[ci].push(IndexedFile {
            path: f.path.to_path_buf(),
            facts,
        });
    }
    IndexFacts {
        per_context,
        cache: CacheUpdate { caches, entries },
    }
}

/// Reads and parses one file for its facts.
fn parse(path: &Path, read: &Read) -> Parsed {
    let Some(bytes) = read(path) else {
        return Parsed::default();
    };
    let hash = cache::content_hash(&bytes);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Parsed {
                facts: Some(FileFacts::of_bytes(e.as_bytes())),
                ..Parsed::default()
            }
        }
    };
    let facts = std::panic::catch_unwind(|| FileFacts::of_text(&text));
    proc_macro2::extra::invalidate_current_thread_spans();
    Parsed {
        hash,
        cacheable: facts.is_ok(),
        facts: Some(facts.unwrap_or_else(|_| FileFacts::of_bytes(text.as_bytes()))),
    }
}

impl CacheUpdate {
    /// Writes the caches on a thread of their own, which also frees the facts; join it before
    /// the run returns.
    pub fn write_in_background(
        self,
        per_context: Vec<Vec<IndexedFile>>,
    ) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            for ((cache, entries), files) in self.caches.iter().zip(&self.entries).zip(&per_context)
            {
                if cache.is_enabled() {
                    let entries: Vec<(&Path, u128, &FileFacts)> = entries
                        .iter()
                        .map(|(p, h, i)| (p.as_path(), *h, &files[*i].facts))
                        .collect();
                    cache.store(&entries);
                }
            }
            drop((per_context, self.caches));
        })
    }
}
