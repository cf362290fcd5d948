//! Stage 2, index facts: every file of every context read and hashed, in parallel; its index
//! facts taken from the context's cache where its content has not changed, else from a parse:
//! a file to report is parsed in full once, here, which gives both its facts and its body IR
//! (lowered, suppressions and test ranges collected, the tree dropped at once), held until the
//! walk (stage 5); a file read for context only, from a parse of its item skeleton (bodies
//! blanked), and the walk parses it if a call reaches it. The caches are written back in the
//! background.

use super::plan::{FileRef, Plan, TargetFile};
use super::walk::{self, Body};
use crate::cache::IndexCache;
use crate::index::facts::FileFacts;
use crate::index::IndexedFile;
use crate::source::{self, SourceFile};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

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
}

/// What goes back into the caches once the index is built.
pub(super) struct CacheUpdate {
    caches: Vec<IndexCache>,
    /// Per context: (path, content hash, index in the context's files).
    entries: Vec<Vec<(PathBuf, u128, usize)>>,
}

/// One file, as its worker left it.
#[derive(Default)]
struct FileOut {
    hash: u128,
    /// `None`: take them from the cache.
    facts: Option<FileFacts>,
    /// The facts are what the file's content gives (not a read error or a panic).
    cacheable: bool,
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
) -> IndexFacts {
    let mut caches: Vec<IndexCache> = pool.install(|| {
        plan.contexts
            .par_iter()
            .map(|c| match no_cache {
                false => IndexCache::for_context(&c.root, cache_dir),
                true => IndexCache::disabled(),
            })
            .collect()
    });
    let target_of = plan.target_index();
    let outs: Vec<FileOut> = pool.install(|| {
        files
            .par_iter()
            .map(|f| {
                let target = target_of.get(f.path).map(|&t| &plan.targets[t]);
                let out = facts_of(f, target, &caches[f.context], read);
                proc_macro2::extra::invalidate_current_thread_spans();
                out
            })
            .collect()
    });
    let mut per_context: Vec<Vec<IndexedFile>> = plan.contexts.iter().map(|_| Vec::new()).collect();
    let mut entries: Vec<Vec<(PathBuf, u128, usize)>> =
        plan.contexts.iter().map(|_| Vec::new()).collect();
    let mut cache_hits = vec![0; plan.contexts.len()];
    let mut hashes = Vec::with_capacity(files.len());
    let mut held = Vec::with_capacity(files.len());
    for (f, mut out) in files.iter().zip(outs) {
        held.push(out.held.take());
        let ci = f.context;
        if out.cacheable && out.facts.is_none() {
            cache_hits[ci] += 1;
        }
        hashes.push(out.cacheable.then_some(out.hash));
        if out.cacheable {
            entries[ci].push((f.path.to_path_buf(), out.hash, per_context[ci].len()));
        }
        let facts = match out.facts {
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
        hashes,
        cache: CacheUpdate { caches, entries },
        cache_hits,
        held,
    }
}

/// Reads one file and takes its index facts, from the cache, or from its full parse (a file to
/// report, whose body is then held for the walk) or its skeleton.
fn facts_of(f: &FileRef, target: Option<&TargetFile>, cache: &IndexCache, read: &Read) -> FileOut {
    let Some(bytes) = read(f.path) else {
        return FileOut::default();
    };
    let hash = crate::files::content_hash(&bytes);
    if cache.contains(f.path, hash) {
        return FileOut {
            hash,
            facts: None,
            cacheable: true,
            held: None,
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
    if let Some(t) = target {
        let parsed = std::panic::catch_unwind(|| parse_in_full(t, text.clone()));
        // A panic: the walk parses the file again, and says so.
        proc_macro2::extra::invalidate_current_thread_spans();
        if let Ok((facts, body)) = parsed {
            return FileOut {
                hash,
                cacheable: true,
                facts: Some(facts),
                held: Some(body),
            };
        }
    }
    let facts = std::panic::catch_unwind(|| FileFacts::of_text(&text));
    FileOut {
        hash,
        cacheable: facts.is_ok(),
        facts: Some(facts.unwrap_or_else(|_| FileFacts::of_bytes(text.as_bytes()))),
        held: None,
    }
}

/// A file to report, parsed once: its index facts and its lowered body, the tree dropped. When
/// the file does not parse in full, its facts are its skeleton's, as for any file.
fn parse_in_full(t: &TargetFile, text: String) -> (FileFacts, Body) {
    let file = SourceFile::new(t.display.clone(), text);
    match source::parse(&file) {
        Ok(ast) => {
            let facts = FileFacts::of_tree(&ast, &file.text);
            let body = walk::lower(&ast, file, true);
            (facts, body)
        }
        Err(failure) => (
            FileFacts::of_text(&file.text),
            Body::Failed {
                failure,
                text: file.text,
            },
        ),
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
