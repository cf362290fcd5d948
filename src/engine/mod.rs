//! The pipeline, stage by stage (`run_with_buffers` reads as the list):
//!
//! 1. [`plan`]: discover the files to report, their contexts and configurations;
//! 2. [`index_facts`]: read and hash every file of every context (in parallel); take its index
//!    facts from the cache, else from a parse: in full for a file to report (which gives its
//!    body IR too, held for the walk), of its item skeleton for the others; with `--dependents`,
//!    [`dependents`] adds to the files to report those that may call the named files' functions;
//! 3. [`dependencies`]: add the sources of the dependencies the code names;
//! 4. index: build each context's index and knowledge;
//! 5. [`walk`]: parse and lower the files to report (unless stage 2 did) and the files they reach, and walk their
//!    bodies (in parallel): names and types are resolved against the built index, which gives
//!    each file's facts — or take them from the walk cache when neither the file's text nor the
//!    context's fingerprint ([`reuse`]) changed since they were stored;
//! 6. call graph: each context's summaries from the walked facts, then [`judge`]: the rules,
//!    levels and suppressions of each reported file;
//! 7. the outcome: diagnostics sorted, texts of the files they point into, errors and notes.
//!
//! Before stage 2, [`replay`] replays the stored outcome of the same invocation when nothing
//! the run would read has changed since; a run that does not replay stores its outcome.
//!
//! Rendering and the exit code are the caller's. Workers never print.

mod dependencies;
mod dependents;
mod grouped;
mod idents;
mod index_facts;
mod judge;
mod name_sums;
mod names;
mod other_files;
mod plan;
mod probe;
mod replay;
mod reuse;
mod walk;

use crate::callgraph::Summaries;
use crate::config::{ConfigError, LevelFlags};
use crate::diagnostic::{Diagnostic, RunError};
use crate::index::facts::FileFacts;
use crate::index::{Index, IndexedFile};
use crate::knowledge::Knowledge;
use crate::source::{self, SourceFile};
use crate::walk_cache::{WalkCache, WalkEntry};
use judge::FileResult;
use plan::{Plan, TargetFile};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use replay::Record as RunRecord;

/// Stack size of the worker threads: deep (but accepted) nesting must never overflow.
pub(crate) const WORKER_STACK: usize = 256 << 20;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    /// `-` on the command line: (the path to show and resolve the context by, the text).
    pub stdin: Option<(PathBuf, String)>,
    pub flags: LevelFlags,
    pub config_file: Option<PathBuf>,
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Neither read nor write the index cache.
    pub no_cache: bool,
    /// The cache folder (`--cache-dir`, `UNAWAITED_CACHE_DIR`) instead of cargo's target folder.
    pub cache_dir: Option<PathBuf>,
    /// The walk honours no ignore file (`--no-ignore`).
    pub no_ignore: bool,
    /// Paths named on the command line are skipped too when excluded or ignored.
    pub force_exclude: bool,
    /// Do not read the dependencies' sources (`--no-deps`).
    pub no_deps: bool,
    /// `-v`: [`Outcome::details`] (configuration, cache); `-vv`: each stage's time too, on
    /// standard error as it ends.
    pub verbose: u8,
    /// A configuration's `extend` may name a file outside the repository.
    pub allow_extend_outside: bool,
    /// Report too the files of the same contexts that may call a function the named files
    /// define (`--dependents`): the callers a changed signature breaks.
    pub dependents: bool,
    /// The process checks again and again (the language server): what the next check can
    /// reuse is kept in memory (each file's metadata, content hash and index facts), and a
    /// file whose metadata did not change is not read again.
    pub resident: bool,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub errors: Vec<RunError>,
    pub files: usize,
    /// The texts of the files that diagnostics point into.
    pub sources: HashMap<String, String>,
    /// Folders named on the command line that hold no Rust file to check.
    pub empty_folders: Vec<String>,
    /// Remarks about the run that are not findings (dependency sources missing or unreadable).
    pub notes: Vec<String>,
    /// The dependencies the code names whose sources are not on disk (the first note says so).
    pub missing_sources: Vec<String>,
    /// The cache folder that remembers which notes the last run printed (`None` with
    /// `--no-cache` or outside a package).
    pub notes_dir: Option<PathBuf>,
    /// With `-v`: what the run used, a line each (each context's configuration file and cache).
    pub details: Vec<String>,
    /// How many files were walked afresh, not taken from the walk cache (0 when replayed).
    pub walked: usize,
}

impl Outcome {
    /// The one short line that stands for the notes (how many dependencies lack their sources,
    /// how many other notes, how to list them), or `None` when there are none or they are those
    /// the last run said (remembered in the cache folder, which this updates): what the CLI and
    /// the flycheck print, so neither repeats itself on every run.
    pub fn notes_summary_if_new(&self) -> Option<String> {
        if self.notes.is_empty() {
            return None;
        }
        let hash = xxhash_rust::xxh3::xxh3_64(self.notes.join("\n").as_bytes());
        if let Some(dir) = &self.notes_dir {
            if crate::cache::notes_seen_before(dir, hash) {
                return None;
            }
        }
        let missing = self.missing_sources.len();
        let others = self.notes.len() - usize::from(missing > 0);
        let mut parts = Vec::new();
        if missing > 0 {
            parts.push(format!(
                "the sources of {missing} dependenc{} are not on disk (`cargo fetch` gets them)",
                if missing == 1 { "y" } else { "ies" }
            ));
        }
        if others > 0 {
            parts.push(format!(
                "{others} other note{}",
                if others == 1 { "" } else { "s" }
            ));
        }
        Some(format!("{}; `--show-notes` lists them", parts.join(", ")))
    }
}

/// A fatal error: the run could not start (bad configuration, no thread pool).
#[derive(Debug)]
pub enum Fatal {
    Config(ConfigError),
    Other(String),
}

/// What the walk of a context's files reads.
pub(crate) struct Context {
    index: Index,
    knowledge: Knowledge,
    /// The index's fns by keys that do not depend on its numbering, made when first needed.
    fn_keys: std::sync::OnceLock<walk::FnKeys>,
}

pub fn run(opts: &Options) -> Result<Outcome, Fatal> {
    run_with_buffers(opts, &[])
}

/// `run`, with editor buffers: each `(path, text)` is checked, and its text stands for the
/// file on disk for every file's findings (the index, the call graph). For `unawaited server`.
pub fn run_with_buffers(opts: &Options, buffers: &[(PathBuf, String)]) -> Result<Outcome, Fatal> {
    let mut timer = PhaseTimer::new(opts.verbose >= 2);
    // What the last resident run kept in memory is handed over by its writers.
    finish_writes();
    timer.lap("the last run's caches written");
    let mut plan = plan::discover(opts, buffers)?;
    timer.lap("discover");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .stack_size(WORKER_STACK)
        .thread_name(|i| format!("unawaited-worker-{i}"))
        .build()
        .map_err(|e| Fatal::Other(format!("cannot start worker threads: {e}")))?;
    let files = plan.files();
    let pending = match replay::check(&plan, &files, opts, buffers, &pool) {
        replay::Checked::Replayed(mut outcome) => {
            timer.lap("outcome replayed (nothing it read changed)");
            if opts.verbose > 0 {
                let all: Vec<usize> = plan.contexts.iter().map(|c| c.files.len()).collect();
                outcome.details = details(&plan, &all, opts);
                outcome.details.push(
                    "outcome replayed from the cache: nothing the last run of this \
                     invocation read has changed"
                        .into(),
                );
            }
            outcome.notes_dir = notes_dir(&plan, opts);
            return Ok(outcome);
        }
        replay::Checked::Run(pending) => pending,
    };
    timer.lap("run cache");
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));

    let given = plan.given_texts();
    let read = |path: &Path| -> Option<Vec<u8>> {
        match given.get(path) {
            Some(t) => Some(t.as_bytes().to_vec()),
            None => std::fs::read(path).ok(),
        }
    };
    let facts = index_facts::collect(
        &plan,
        &files,
        &pool,
        &read,
        opts.no_cache,
        opts.cache_dir.as_deref(),
        opts.resident,
    );
    timer.lap("index facts (parse, skeleton or cache)");
    let details = match opts.verbose {
        0 => Vec::new(),
        _ => details(&plan, &facts.cache_hits, opts),
    };
    if opts.dependents {
        let found = dependents::find(
            &plan,
            &files,
            &facts.per_context,
            &read,
            opts.config_file.is_some(),
            &pool,
        );
        match found {
            Ok(found) => plan.targets.extend(found),
            Err(fatal) => {
                std::panic::set_hook(previous_hook);
                return Err(fatal);
            }
        }
        timer.lap("dependents");
    }
    let files = plan.files();
    let mut per_context = facts.per_context;
    let other_uses = other_files::gather(&plan, &per_context, opts.resident);
    let link_notes = links_out_of_repository(&plan, &per_context);
    let deps = dependencies::load(
        opts,
        &pool,
        &plan.contexts,
        &plan.root_configs,
        &mut per_context,
        &facts.unchanged,
    );
    timer.lap("dependencies");
    let deps_read = replay::DepsRead {
        files: per_context
            .iter()
            .zip(&deps.contexts)
            .flat_map(|(files, d)| files[d.first_file..].iter().map(|f| f.path.clone()))
            .collect(),
    };
    let parts = fingerprint_parts(&plan, &mut per_context, &facts.hashes, &deps, opts, &pool);
    timer.lap("walk cache: each file's part of the fingerprints");
    let mut cache_update = facts.cache;
    let large = index_facts::WRITTEN_FIRST_FROM;
    cache_update.write_large_first(&per_context, opts.resident, large, &pool);
    timer.lap("large contexts' index facts caches written");
    let facts_kept = cache_update.keeps_facts(opts.resident);
    // A run that is not resident takes no context this process built (it looks none up by
    // its key): when no index takes its facts, the indexes are built while the walk caches
    // are opened, from the same facts.
    let (walk_caches, index_keys, contexts) = match opts.resident || facts_kept.contains(&false) {
        false => {
            let ((caches, keys), contexts) = pool.install(|| {
                rayon::join(
                    || open_walk_caches(&plan, &per_context, parts, &deps, opts),
                    || build_contexts_reading(&plan, &per_context, &deps),
                )
            });
            timer.lap("walk cache and index build, together");
            (caches, keys, contexts)
        }
        true => {
            let (caches, keys) =
                pool.install(|| open_walk_caches(&plan, &per_context, parts, &deps, opts));
            timer.lap("walk cache");
            // A one-off run gives back what the facts stage freed before its peak; a process
            // that checks again and again (the language server) takes those pages again at
            // its next check, and the purge would cost it a few milliseconds an edit.
            if !opts.resident {
                crate::source::tree_heap::give_back_everywhere(&pool);
            }
            let contexts =
                build_contexts(&plan, &mut per_context, &facts_kept, &deps, &keys, &pool);
            timer.lap("index build");
            (caches, keys, contexts)
        }
    };
    // The caches left to write are written, and the facts freed, while the files are walked.
    let cache_writer = cache_update.write_in_background(per_context);

    let reuse = walk::Reuse {
        hashes: &facts.hashes,
        caches: &walk_caches,
    };
    let walk::WalkedFiles {
        walked,
        fresh,
        reused,
    } = walk::walk_reachable(
        &plan,
        &files,
        &contexts,
        &reuse,
        facts.held,
        &other_uses,
        &pool,
    );
    match opts.resident {
        true => other_files::keep(&plan, other_uses),
        false => drop(other_uses),
    }
    std::panic::set_hook(previous_hook);
    let count = |w: &Option<_>| usize::from(w.is_some());
    let walked_count: usize = walked.iter().map(count).sum();
    timer.lap(&format!(
        "walk ({} files walked, {reused} reused)",
        walked_count - reused
    ));
    let walk_writer = store_walks(&files, &facts.hashes, walk_caches, fresh, opts.resident);

    let results = judge_targets(&plan, &files, walked, &contexts, &opts.flags, &pool);
    timer.lap("summaries + rules");
    let mut notes = std::mem::take(&mut plan.notes);
    notes.extend(link_notes);
    notes.extend(deps.notes);
    notes.extend(missing_module_notes(&plan, &contexts));
    let mut outcome = assemble(&mut plan, results, notes);
    outcome.missing_sources = deps.missing;
    outcome.details = details;
    outcome.walked = walked_count - reused;
    outcome.notes_dir = notes_dir(&plan, opts);
    let record_writer =
        pending.and_then(|p| replay::record(p, &plan, &facts.hashes, deps_read, &outcome));
    built::keep(&plan, &index_keys, contexts);
    let writers = [Some(cache_writer), Some(walk_writer), record_writer];
    match opts.resident {
        // The next check (or the end of the process) waits for them: the findings go out now.
        true => writes::defer(writers.into_iter().flatten()),
        false => writers.into_iter().flatten().for_each(|w| drop(w.join())),
    }
    timer.lap("caches written");
    Ok(outcome)
}

/// Waits for the caches a resident run (the language server's) left writing in the
/// background; call it before the process ends.
pub fn finish_writes() {
    writes::finish();
}

/// The cache writers of the last resident run, still running.
mod writes {
    use std::sync::Mutex;
    use std::thread::JoinHandle;

    static PENDING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

    pub(super) fn defer(writers: impl Iterator<Item = JoinHandle<()>>) {
        PENDING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(writers);
    }

    pub(super) fn finish() {
        let pending = std::mem::take(&mut *PENDING.lock().unwrap_or_else(|e| e.into_inner()));
        for w in pending {
            let _ = w.join();
        }
    }
}

/// The cache folder that remembers which notes the last run printed.
fn notes_dir(plan: &Plan, opts: &Options) -> Option<PathBuf> {
    plan.contexts
        .iter()
        .filter(|_| !opts.no_cache)
        .find_map(|c| crate::cache::dir_for_context(&c.root, opts.cache_dir.as_deref()))
}

/// A note for each `mod x;` of the workspace whose file is missing (a published package that
/// leaves its test helpers out): what the module defines is unknown.
fn missing_module_notes(plan: &Plan, contexts: &[Arc<Context>]) -> Vec<String> {
    let mut notes: Vec<String> = contexts
        .iter()
        .flat_map(|c| &c.index.missing_modules)
        .map(|(file, name)| {
            format!(
                "{}: `mod {name};` has no file ({name}.rs or {name}/mod.rs): what it defines \
                 is unknown",
                plan.display(file)
            )
        })
        .collect();
    notes.sort();
    notes.dedup();
    notes
}

/// The `#[path]` attributes and `include!`s of the contexts' files that lead outside the
/// repository, one note each: such a file is not among the files a context reads (discovery
/// keeps to the repository), so it is not read; the note says why the module is unknown.
fn links_out_of_repository(plan: &Plan, per_context: &[Vec<IndexedFile>]) -> Vec<String> {
    let mut notes = Vec::new();
    for (def, files) in plan.contexts.iter().zip(per_context) {
        let boundary = crate::discover::Boundary::of(&def.root);
        for file in files {
            let dir = file.path.parent().unwrap_or(Path::new(""));
            for m in &file.facts.modules {
                let attrs = m.out_of_line.iter().filter_map(|d| d.path_attr.as_deref());
                let linked = attrs.map(|p| ("#[path]", p));
                let included = m.includes.iter().map(|p| ("include!", p.as_str()));
                for (how, target) in linked.chain(included) {
                    let target = crate::files::normalize(&dir.join(target));
                    if !boundary.holds(&target) {
                        notes.push(format!(
                            "{}: `{how}` leads outside the repository: not read",
                            plan.display(&file.path)
                        ));
                    }
                }
            }
        }
    }
    notes.sort();
    notes.dedup();
    notes
}

/// Each context's files' parts of its fingerprints (`None` with `--no-cache`): the first step
/// of [`open_walk_caches`], which changes the facts in place and puts them back.
fn fingerprint_parts(
    plan: &Plan,
    per_context: &mut [Vec<IndexedFile>],
    hashes: &[Option<u128>],
    deps: &dependencies::Dependencies,
    opts: &Options,
    pool: &rayon::ThreadPool,
) -> Vec<Option<reuse::FileParts>> {
    let slices = hashes_per_context(plan, hashes);
    pool.install(|| {
        plan.contexts
            .par_iter()
            .zip(per_context.par_iter_mut().zip(slices.par_iter()))
            .zip(deps.contexts.par_iter())
            .map(|((def, (files, hashes)), dep)| {
                (!opts.no_cache).then(|| reuse::parts(&def.root, files, hashes, dep, opts.resident))
            })
            .collect()
    })
}

/// Each context's slice of the hashes (of its own files, in the plan's order).
fn hashes_per_context<'h>(plan: &Plan, hashes: &'h [Option<u128>]) -> Vec<&'h [Option<u128>]> {
    let mut slices = Vec::new();
    let mut rest = hashes;
    for def in &plan.contexts {
        let (now, after) = rest.split_at(def.files.len().min(rest.len()));
        slices.push(now);
        rest = after;
    }
    slices
}

/// Each context's walk cache, for its fingerprint from its files' `parts`, and the key of its
/// index (both disabled with `--no-cache`). Reads the facts only; run it on the pool.
fn open_walk_caches(
    plan: &Plan,
    per_context: &[Vec<IndexedFile>],
    parts: Vec<Option<reuse::FileParts>>,
    deps: &dependencies::Dependencies,
    opts: &Options,
) -> (Vec<WalkCache>, Vec<Option<u128>>) {
    plan.contexts
        .par_iter()
        .zip(per_context.par_iter().zip(parts.into_par_iter()))
        .zip(plan.root_configs.par_iter().zip(deps.contexts.par_iter()))
        .map(|((def, (files, parts)), (config, dep))| {
            let Some(parts) = parts else {
                return (WalkCache::disabled(), None);
            };
            let fingerprints = reuse::fingerprint(
                &plan.cwd,
                &def.root,
                &def.roots,
                files,
                parts,
                dep,
                config.as_deref(),
                opts.resident,
            );
            let open = match opts.resident {
                true => WalkCache::open_resident,
                false => WalkCache::open,
            };
            let mut cache = open(&def.root, opts.cache_dir.as_deref(), fingerprints.walk);
            let expanded = &fingerprints.expanded.facts;
            reuse::retain_unaffected(&mut cache, fingerprints.names, files, expanded);
            // A run that keeps nothing in memory reads the names no more: they go to the
            // file now, not held through the walk.
            if !opts.resident {
                cache.write_names_ahead();
            }
            (cache, Some(fingerprints.index))
        })
        .unzip()
}

/// Writes each context's walk cache on a thread of its own: the entries still valid and those
/// walked afresh. Join it before the run returns.
fn store_walks(
    files: &[plan::FileRef],
    hashes: &[Option<u128>],
    caches: Vec<WalkCache>,
    fresh: Vec<Option<WalkEntry>>,
    resident: bool,
) -> std::thread::JoinHandle<()> {
    let mut current: Vec<HashMap<PathBuf, u128>> = caches.iter().map(|_| HashMap::new()).collect();
    let mut new: Vec<Vec<(PathBuf, u128, WalkEntry)>> = caches.iter().map(|_| Vec::new()).collect();
    for ((f, hash), entry) in files.iter().zip(hashes).zip(fresh) {
        let Some(hash) = *hash else { continue };
        current[f.context].insert(f.path.to_path_buf(), hash);
        if let Some(entry) = entry {
            new[f.context].push((f.path.to_path_buf(), hash, entry));
        }
    }
    std::thread::spawn(move || {
        for ((mut cache, current), new) in caches.into_iter().zip(&current).zip(new) {
            if cache.is_enabled() {
                let current: HashMap<&Path, u128> =
                    current.iter().map(|(p, h)| (p.as_path(), *h)).collect();
                let fresh: Vec<(&Path, u128, &WalkEntry)> =
                    new.iter().map(|(p, h, e)| (p.as_path(), *h, e)).collect();
                cache.store(&current, &fresh);
                if resident {
                    cache.keep_resident(&current, new);
                }
            }
        }
    })
}

/// Stage 4: each context's index (its files and its dependencies') and knowledge (built in,
/// plus the configuration's in-house APIs).
/// A context this process built for the same key already (the language server's last check) is
/// taken as it is.
///
/// A context whose facts are not read after this (`facts_kept` false: no cache is still to be
/// written from them, no resident process keeps them) gives its signatures to its index,
/// which moves them rather than copying them: the facts' copy is not alive next to the
/// index's.
fn build_contexts(
    plan: &Plan,
    per_context: &mut [Vec<IndexedFile>],
    facts_kept: &[bool],
    deps: &dependencies::Dependencies,
    keys: &[Option<u128>],
    pool: &rayon::ThreadPool,
) -> Vec<Arc<Context>> {
    pool.install(|| {
        per_context
            .par_iter_mut()
            .zip(plan.contexts.par_iter().zip(keys.par_iter()))
            .zip(plan.root_configs.par_iter().zip(deps.contexts.par_iter()))
            .enumerate()
            .map(|(i, ((files, (def, key)), (config, dep)))| {
                if let Some(built) = key.and_then(|k| built::get(&def.root, k)) {
                    return built;
                }
                build_context(def, config.as_deref(), dep, |roots| {
                    let (first, links) = (dep.first_file, &dep.links);
                    match facts_kept.get(i).copied().unwrap_or(true) {
                        true => Index::build_with_deps(files, roots, first, links),
                        false => {
                            let index = Index::build_taking(files, roots, first, links);
                            // Read by no one after this: freed now, not next to the indexes
                            // of the contexts still to build.
                            drop(std::mem::take(files));
                            index
                        }
                    }
                })
            })
            .collect()
    })
}

/// Stage 4 as [`build_contexts`], every index built anew from facts it reads only; run it on
/// the pool.
fn build_contexts_reading(
    plan: &Plan,
    per_context: &[Vec<IndexedFile>],
    deps: &dependencies::Dependencies,
) -> Vec<Arc<Context>> {
    per_context
        .par_iter()
        .zip(plan.contexts.par_iter())
        .zip(plan.root_configs.par_iter().zip(deps.contexts.par_iter()))
        .map(|((files, def), (config, dep))| {
            build_context(def, config.as_deref(), dep, |roots| {
                Index::build_with_deps(files, roots, dep.first_file, &dep.links)
            })
        })
        .collect()
}

/// One context's index, built by `build` from its crate roots and its dependencies', and its
/// knowledge.
fn build_context(
    def: &crate::discover::Context,
    config: Option<&crate::config::Config>,
    dep: &dependencies::ContextDeps,
    build: impl FnOnce(&[crate::discover::CrateRoot]) -> Index,
) -> Arc<Context> {
    let mut roots = def.roots.clone();
    roots.extend(dep.roots.iter().cloned());
    let index = build(&roots);
    let mut knowledge = Knowledge::builtin();
    if let Some(c) = config {
        c.extend_knowledge(&mut knowledge);
    }
    Arc::new(Context {
        index,
        knowledge,
        fn_keys: Default::default(),
    })
}

/// The contexts the last run of this process built, by context root and index key, so that a
/// run against an unchanged index (the language server checking a buffer whose edit left every
/// signature as it was) does not build it again. Only the last run's are kept.
mod built {
    use super::{Arc, Context, Plan};
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    type Built = Vec<(PathBuf, u128, Arc<Context>)>;
    static BUILT: Mutex<Built> = Mutex::new(Vec::new());

    pub(super) fn get(root: &Path, key: u128) -> Option<Arc<Context>> {
        let built = BUILT.lock().ok()?;
        let found = built.iter().find(|(r, k, _)| r == root && *k == key);
        found.map(|(_, _, c)| c.clone())
    }

    /// Keeps this run's contexts in place of the last run's, which are freed on another thread.
    pub(super) fn keep(plan: &Plan, keys: &[Option<u128>], contexts: Vec<Arc<Context>>) {
        let kept: Built = plan
            .contexts
            .iter()
            .zip(keys)
            .zip(contexts.iter())
            .filter_map(|((def, key), c)| Some((def.root.clone(), (*key)?, c.clone())))
            .collect();
        let old = match BUILT.lock() {
            Ok(mut built) => std::mem::replace(&mut *built, kept),
            Err(_) => Vec::new(),
        };
        std::thread::spawn(move || drop((old, contexts)));
    }
}

/// Stage 6: the call graph's summaries per context from every walked file, then the findings
/// of each file to report, in the order of the plan's targets.
fn judge_targets(
    plan: &Plan,
    files: &[plan::FileRef],
    walked: Vec<Option<(String, walk::Walked)>>,
    contexts: &[Arc<Context>],
    flags: &LevelFlags,
    pool: &rayon::ThreadPool,
) -> Vec<FileResult> {
    let mut by_context: Vec<Vec<(&str, &[crate::analysis::facts::Fact])>> =
        contexts.iter().map(|_| Vec::new()).collect();
    for (f, w) in files.iter().zip(&walked) {
        if let Some((display, w)) = w {
            by_context[f.context].push((display.as_str(), w.facts.as_slice()));
        }
    }
    let summaries: Vec<Summaries> = pool.install(|| {
        by_context
            .par_iter()
            .zip(contexts.par_iter())
            .map(|(files, c)| Summaries::compute(&c.index, files))
            .collect()
    });
    drop(by_context);
    let target_of = plan.target_index();
    let mut results: Vec<Option<FileResult>> = plan.targets.iter().map(|_| None).collect();
    for (f, w) in files.iter().zip(walked) {
        let (Some(&ti), Some((_, w))) = (target_of.get(f.path), w) else {
            continue;
        };
        // cargo compiles the module trees of a package's targets and nothing else: a file in
        // none of them (test data, a template) is not reported.
        let in_package = plan.contexts[f.context].root.is_dir();
        if in_package && contexts[f.context].index.compiled_by_no_root(f.path) {
            results[ti] = Some(FileResult {
                uncompiled: true,
                ..FileResult::default()
            });
            continue;
        }
        let indirect = summaries[f.context].indirect_facts(&contexts[f.context].index, &w.facts);
        let t = &plan.targets[ti];
        let mut result = judge::judge(t, w, indirect, flags);
        if let Some(named) = &t.caller_of {
            let text = result.text.as_deref().unwrap_or_default();
            result.diagnostics.retain(|d| named.involved_in(d, text));
        }
        results[ti] = Some(result);
    }
    std::thread::spawn(move || drop(summaries));
    results.into_iter().map(Option::unwrap_or_default).collect()
}

/// Stage 7: the outcome, sorted, with the texts of every file a diagnostic points into.
fn assemble(plan: &mut Plan, results: Vec<FileResult>, notes: Vec<String>) -> Outcome {
    let mut errors = std::mem::take(&mut plan.errors);
    let mut outcome = Outcome {
        files: plan.targets.len(),
        empty_folders: std::mem::take(&mut plan.empty_folders),
        notes,
        ..Outcome::default()
    };
    for (t, r) in plan.targets.iter().zip(results) {
        if r.uncompiled {
            outcome.files -= 1;
            if t.named {
                outcome.notes.push(format!(
                    "{}: not checked: no target of its package compiles it (it is in the module \
                     tree of no lib, bin, example, test, bench or build script)",
                    t.display
                ));
            }
            continue;
        }
        if !r.diagnostics.is_empty() {
            if let Some(text) = r.text {
                outcome.sources.insert(t.display.clone(), text);
            }
        }
        outcome.diagnostics.extend(r.diagnostics);
        errors.extend(r.error);
    }
    // Notes of call chains point into other files: their texts are needed to show them — of
    // the contexts' own files only, which lie in the repository. A dependency's file is named
    // as the place a note points to, never quoted.
    let own: std::collections::HashSet<String> = plan
        .contexts
        .iter()
        .flat_map(|c| c.files.iter().map(|f| plan.display(f)))
        .collect();
    let noted: Vec<String> = outcome
        .diagnostics
        .iter()
        .flat_map(|d| d.notes.iter().filter_map(|n| n.path.clone()))
        .filter(|p| !outcome.sources.contains_key(p) && own.contains(p))
        .collect();
    for path in noted {
        if let Ok(text) = std::fs::read_to_string(plan.cwd.join(&path)) {
            outcome.sources.insert(path, text);
        }
    }
    outcome
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    errors.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    errors.dedup();
    outcome.errors = errors;
    outcome
}

/// Checks one file's text on its own, in memory, on the calling thread: a context of one file,
/// default configuration. For fuzzing and for embedding. It resets proc-macro2's span tables of
/// the calling thread, so spans the caller holds from that thread become invalid.
pub fn check_source(display: &str, text: &str, flags: &LevelFlags) -> Vec<Diagnostic> {
    let path = PathBuf::from(display);
    let facts = source::parse(&SourceFile::new(String::new(), text.to_string()))
        .map(|ast| FileFacts::extract(&ast))
        .unwrap_or_default();
    proc_macro2::extra::invalidate_current_thread_spans();
    let files = [IndexedFile {
        path: path.clone(),
        facts,
    }];
    let roots = [crate::discover::CrateRoot {
        file: path.clone(),
        name: "main".into(),
        is_lib: false,
    }];
    let data = Context {
        index: Index::build(&files, &roots),
        knowledge: Knowledge::builtin(),
        fn_keys: Default::default(),
    };
    let target = TargetFile {
        path: path.clone(),
        display: display.to_string(),
        stdin_text: Some(text.to_string()),
        config: None,
        named: true,
        caller_of: None,
    };
    let walked = walk::walk_file(&path, Some(&target), &data, None, false, None);
    proc_macro2::extra::invalidate_current_thread_spans();
    let summaries = Summaries::compute(&data.index, &[(display, walked.facts.as_slice())]);
    let indirect = summaries.indirect_facts(&data.index, &walked.facts);
    judge::judge(&target, walked, indirect, flags).diagnostics
}

/// A test hook that only debug builds have: `UNAWAITED_TEST_PANIC_IN=NAME` makes the analysis of
/// every file named NAME panic, so that a test can check that the panic becomes an internal error
/// for that file (`tests/robustness.rs`). Release builds ignore the variable.
#[cfg(debug_assertions)]
fn panic_if_asked(path: &Path) {
    if let Some(name) = std::env::var_os("UNAWAITED_TEST_PANIC_IN") {
        if path.file_name() == Some(name.as_os_str()) {
            panic!("a panic asked for by UNAWAITED_TEST_PANIC_IN");
        }
    }
}

#[cfg(not(debug_assertions))]
fn panic_if_asked(_: &Path) {}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// `-v`: per context, its root, how many files, the configuration file and the cache folder
/// used, and how many files' index facts the cache held.
fn details(plan: &Plan, cache_hits: &[usize], opts: &Options) -> Vec<String> {
    let shown = |p: &Path| crate::discover::display(&plan.cwd, p);
    let mut out = Vec::new();
    for (i, c) in plan.contexts.iter().enumerate() {
        let config = match plan.root_configs[i].as_ref().and_then(|c| c.source.clone()) {
            Some(file) => format!("configuration {}", shown(&file)),
            None => "no configuration file (defaults)".to_string(),
        };
        let cache = match crate::cache::dir_for_context(&c.root, opts.cache_dir.as_deref()) {
            _ if opts.no_cache => "no cache (--no-cache)".to_string(),
            Some(dir) => format!(
                "cache {} ({} of {} files' index facts from it)",
                shown(&dir),
                cache_hits[i],
                c.files.len()
            ),
            None => "no cache".to_string(),
        };
        out.push(format!(
            "context {} ({} file{}): {config}; {cache}",
            shown(&c.root),
            c.files.len(),
            if c.files.len() == 1 { "" } else { "s" }
        ));
    }
    // A file below a context's root may have a nearer configuration of its own.
    let mut nearer: Vec<String> = plan
        .targets
        .iter()
        .filter_map(|t| t.config.as_ref()?.source.clone())
        .filter(|s| {
            !plan
                .root_configs
                .iter()
                .flatten()
                .any(|c| c.source.as_ref() == Some(s))
        })
        .map(|s| shown(&s))
        .collect();
    nearer.sort();
    nearer.dedup();
    out.extend(
        nearer
            .into_iter()
            .map(|s| format!("configuration {s} (for the files below it)")),
    );
    out
}

/// Phase timings on standard error with `-vv`, or when `UNAWAITED_TIMINGS` is set (for
/// profiling).
struct PhaseTimer {
    last: Option<std::time::Instant>,
}

impl PhaseTimer {
    fn new(verbose: bool) -> PhaseTimer {
        let on = verbose || std::env::var_os("UNAWAITED_TIMINGS").is_some();
        PhaseTimer {
            last: on.then(std::time::Instant::now),
        }
    }

    fn lap(&mut self, phase: &str) {
        if let Some(last) = &mut self.last {
            // Resident memory now (Linux), to see which phase holds what.
            let rss_mb = std::fs::read_to_string("/proc/self/statm")
                .ok()
                .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
                .map(|pages| format!(", {} MB resident", pages * 4096 / 1_000_000))
                .unwrap_or_default();
            // The process's CPU time so far (Linux): a phase's CPU beside its wall says how
            // many threads worked in it.
            let cpu = cpu_seconds()
                .map(|s| format!(", {s:.2} s CPU so far"))
                .unwrap_or_default();
            eprintln!(
                "unawaited: {phase}: {:.3} s{rss_mb}{cpu}",
                last.elapsed().as_secs_f64()
            );
            *last = std::time::Instant::now();
        }
    }
}

/// The CPU time (user and system) of this process so far, from `/proc/self/stat` (Linux; in
/// the kernel's clock ticks, taken as 100 a second).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command's closing parenthesis; user and system time are the 12th
    // and 13th of them.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
}
