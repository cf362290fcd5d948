//! Stage 2, parse: every file of every context read and hashed, in parallel. A file to report is
//! parsed once, in full: its index facts, its body IR (lowered while its syntax tree is at hand)
//! and its suppressions are taken, and the tree is dropped. Any other file gives only its index
//! facts: from the context's cache where its content has not changed, else from a parse of its
//! item skeleton. The caches are written back in the background.
//!
//! proc-macro2's span positions live in thread-local tables: a file is parsed, lowered and its
//! positions computed on one worker, and the tables are reset after each file.

use super::plan::{FileRef, Plan};
use crate::cache::{self, IndexCache};
use crate::index::facts::FileFacts;
use crate::index::IndexedFile;
use crate::lower::ir;
use crate::source::{self, ParseFailure, SourceFile};
use crate::suppress::Suppressions;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Reads a file, or the text that stands for it.
pub(super) type Read<'a> = dyn Fn(&Path) -> Option<Vec<u8>> + Sync + 'a;

/// A file parsed once: what the walk and the rules need of it, without its syntax tree.
pub(super) enum Body {
    Lowered {
        ir: ir::File,
        /// Files to report only.
        suppressions: Option<Suppressions>,
    },
    /// The file does not parse (or nests too deeply): its text is kept to show where.
    Failed { failure: ParseFailure, text: String },
}

/// Parses a file's text and lowers it; with `report`, its suppressions too. With `facts`, also
/// its index facts from the same tree (or from its skeleton when it does not parse, as
/// [`FileFacts::of_text`] does).
pub(super) fn parse_and_lower(
    file: SourceFile,
    report: bool,
    facts: bool,
) -> (Option<FileFacts>, Body) {
    match source::parse(&file) {
        Ok(ast) => {
            let facts = facts.then(|| FileFacts::of_ast(&ast, &file.text));
            let ir = crate::lower::lower_file(&ast, &file);
            let suppressions = report.then(|| Suppressions::collect(&file, Some(&ast)));
            (facts, Body::Lowered { ir, suppressions })
        }
        Err(failure) => {
            let facts = facts.then(|| FileFacts::of_text(&file.text));
            let text = file.text;
            (facts, Body::Failed { failure, text })
        }
    }
}

/// What the parse stage gives.
pub(super) struct Parsed {
    /// The facts of every file, per context, in the order of [`Plan::files`].
    pub per_context: Vec<Vec<IndexedFile>>,
    /// The body of each file to report, in the order of [`Plan::files`] (`None` for the others,
    /// and for a file to report that could not be read or made the parser panic: the walk tries
    /// it again and reports why).
    pub bodies: Vec<Option<Body>>,
    pub cache: CacheUpdate,
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
    body: Option<Body>,
}

pub(super) fn parse_all(
    plan: &Plan,
    files: &[FileRef],
    pool: &rayon::ThreadPool,
    read: &Read,
    no_cache: bool,
    cache_dir: Option<&Path>,
) -> Parsed {
    let target_of = plan.target_index();
    let mut caches: Vec<IndexCache> = pool.install(|| {
        plan.contexts
            .par_iter()
            .map(|c| match no_cache {
                false => IndexCache::for_context(&c.root, cache_dir),
                true => IndexCache::disabled(),
            })
            .collect()
    });
    let outs: Vec<FileOut> = pool.install(|| {
        files
            .par_iter()
            .map(|f| {
                let display = target_of
                    .get(f.path)
                    .map(|&t| plan.targets[t].display.clone());
                let out = parse_one(f, display, &caches[f.context], read);
                proc_macro2::extra::invalidate_current_thread_spans();
                out
            })
            .collect()
    });
    let mut per_context: Vec<Vec<IndexedFile>> = plan.contexts.iter().map(|_| Vec::new()).collect();
    let mut entries: Vec<Vec<(PathBuf, u128, usize)>> =
        plan.contexts.iter().map(|_| Vec::new()).collect();
    let mut bodies = Vec::with_capacity(files.len());
    for (f, out) in files.iter().zip(outs) {
        let ci = f.context;
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
        bodies.push(out.body);
    }
    Parsed {
        per_context,
        bodies,
        cache: CacheUpdate { caches, entries },
    }
}

/// Reads one file and takes what the run needs of it: a file to report (`display` given) is
/// parsed in full and lowered; another file's facts come from the cache or its skeleton.
fn parse_one(f: &FileRef, display: Option<String>, cache: &IndexCache, read: &Read) -> FileOut {
    let Some(bytes) = read(f.path) else {
        return FileOut::default();
    };
    let hash = cache::content_hash(&bytes);
    let cached = cache.contains(f.path, hash);
    if cached && display.is_none() {
        return FileOut {
            hash,
            facts: None,
            cacheable: true,
            body: None,
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
    let paths_only = |text: &str| Some(FileFacts::of_bytes(text.as_bytes()));
    match display {
        Some(display) => {
            let file = SourceFile::new(display, text.clone());
            let parsed = std::panic::catch_unwind(|| parse_and_lower(file, true, !cached));
            match parsed {
                Ok((facts, body)) => FileOut {
                    hash,
                    facts,
                    cacheable: true,
                    body: Some(body),
                },
                Err(_) => FileOut {
                    facts: paths_only(&text),
                    ..FileOut::default()
                },
            }
        }
        None => {
            let facts = std::panic::catch_unwind(|| FileFacts::of_text(&text));
            FileOut {
                hash,
                cacheable: facts.is_ok(),
                facts: facts.ok().or_else(|| paths_only(&text)),
                body: None,
            }
        }
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
