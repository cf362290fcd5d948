//! The pipeline: discover → read + parse (parallel) → index → analyse (parallel, per file) →
//! suppress + configure → sort. Rendering and the exit code are the caller's.
//!
//! proc-macro2's span positions live in thread-local tables, so a file is parsed and walked on
//! the same worker, and spans are converted to positions there. The index is built from a first
//! parallel pass that keeps only compact per-file facts; the files to report are parsed again in
//! the second pass. Workers never print; a panic in one file becomes an error for that file.

use crate::analysis::facts::{Fact, FactKind};
use crate::analysis::{analyze, FileCx};
use crate::cache::{self, IndexCache};
use crate::callgraph::Summaries;
use crate::config::{Config, ConfigError, ConfigFinder, LevelFlags};
use crate::diagnostic::{Diagnostic, Level, RunError, Span};
use crate::discover::{normalize, ContextFinder, Walker};
use crate::index::facts::FileFacts;
use crate::index::{Index, IndexedFile};
use crate::knowledge::Knowledge;
use crate::rules::{Finding, RuleId};
use crate::source::{self, SourceFile};
use crate::suppress::Suppressions;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Stack size of the worker threads: deep (but accepted) nesting must never overflow.
const WORKER_STACK: usize = 256 << 20;

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
}

/// A fatal error: the run could not start (bad configuration, no thread pool).
#[derive(Debug)]
pub enum Fatal {
    Config(ConfigError),
    Other(String),
}

struct TargetFile {
    path: PathBuf,
    display: String,
    stdin_text: Option<String>,
    context: usize,
    config: Option<Arc<Config>>,
}

struct ContextData {
    index: Index,
    knowledge: Knowledge,
}

pub fn run(opts: &Options) -> Result<Outcome, Fatal> {
    run_with_buffers(opts, &[])
}

/// `run`, with editor buffers: each `(path, text)` is checked, and its text stands for the
/// file on disk for every file's findings (the index, the call graph). For `unawaited server`.
pub fn run_with_buffers(opts: &Options, buffers: &[(PathBuf, String)]) -> Result<Outcome, Fatal> {
    let mut timer = PhaseTimer::from_env();
    let cwd = std::env::current_dir()
        .map_err(|e| Fatal::Other(format!("cannot read the working directory: {e}")))?;
    let forced_config = match &opts.config_file {
        Some(path) => Some(Arc::new(Config::load(path).map_err(Fatal::Config)?)),
        None => None,
    };
    let finder = std::cell::RefCell::new(ConfigFinder::default());
    let config_for = |file: &Path| -> Option<Arc<Config>> {
        if forced_config.is_some() {
            return forced_config.clone();
        }
        finder
            .borrow_mut()
            .for_dir(file.parent().unwrap_or(Path::new("/")))
    };
    let excluded = |p: &Path| config_for(p).is_some_and(|c| c.excludes(p));
    let ignores = crate::discover::Ignores::new(!opts.no_ignore);
    let force_exclude =
        |p: &Path| opts.force_exclude || config_for(p).is_some_and(|c| c.force_exclude);
    let walker = Walker {
        cwd: &cwd,
        excluded: &excluded,
        ignores: &ignores,
        force_exclude: &force_exclude,
    };
    let mut errors = Vec::new();
    let mut empty_folders = Vec::new();

    let mut targets = walker.targets(&opts.paths, &mut errors, &mut empty_folders);
    for (name, text) in opts.stdin.iter().chain(buffers) {
        let path = normalize(&cwd.join(name));
        targets.retain(|t| t.path != path);
        targets.push(crate::discover::Target {
            path,
            display: name.display().to_string().replace('\\', "/"),
            stdin_text: Some(text.clone()),
        });
    }
    if let Some(e) = finder.borrow_mut().errors.first().cloned() {
        return Err(Fatal::Config(e));
    }

    // Contexts, in a stable order.
    let mut contexts = ContextFinder::default();
    let mut keys: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut target_files = Vec::new();
    for t in targets {
        let key = contexts.context_key(&t.path);
        let next = keys.len();
        let context = *keys.entry(key).or_insert(next);
        let config = config_for(&t.path);
        target_files.push(TargetFile {
            path: t.path,
            display: t.display,
            stdin_text: t.stdin_text,
            context,
            config,
        });
    }
    let mut ctx_list: Vec<(PathBuf, usize)> = keys.into_iter().collect();
    ctx_list.sort_by_key(|(_, i)| *i);
    let mut ctx_defs = Vec::new();
    for (key, _) in &ctx_list {
        let mut c = contexts.context(key, &walker, &mut Vec::new());
        for t in target_files.iter().filter(|t| ctx_defs.len() == t.context) {
            if !c.files.contains(&t.path) {
                c.files.push(t.path.clone());
            }
        }
        ctx_defs.push(c);
    }
    if let Some(e) = finder.borrow_mut().errors.first().cloned() {
        return Err(Fatal::Config(e));
    }

    timer.lap("discover");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .stack_size(WORKER_STACK)
        .thread_name(|i| format!("unawaited-worker-{i}"))
        .build()
        .map_err(|e| Fatal::Other(format!("cannot start worker threads: {e}")))?;

    let stdin_texts: HashMap<&Path, &str> = target_files
        .iter()
        .filter_map(|t| Some((t.path.as_path(), t.stdin_text.as_deref()?)))
        .collect();

    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));

    // Phase 1: index facts of every file of every context, from the cache where the file's
    // content has not changed.
    let all_files: Vec<(usize, &PathBuf)> = ctx_defs
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.files.iter().map(move |f| (i, f)))
        .collect();
    let read = |path: &Path| -> Option<Vec<u8>> {
        match stdin_texts.get(path) {
            Some(t) => Some(t.as_bytes().to_vec()),
            None => std::fs::read(path).ok(),
        }
    };
    // The caches load while every file is read and hashed (with `--no-cache`, neither).
    let (mut caches, hashes): (Vec<IndexCache>, Vec<Option<u128>>) = if opts.no_cache {
        (
            ctx_defs.iter().map(|_| IndexCache::disabled()).collect(),
            vec![None; all_files.len()],
        )
    } else {
        pool.install(|| {
            rayon::join(
                || {
                    ctx_defs
                        .par_iter()
                        .map(|c| IndexCache::for_context(&c.root, opts.cache_dir.as_deref()))
                        .collect()
                },
                || {
                    all_files
                        .par_iter()
                        .map(|(_, path)| read(path).map(|b| cache::content_hash(&b)))
                        .collect()
                },
            )
        })
    };
    // Files whose cached facts still hold come back with `facts: None`; they are moved out of
    // the cache below (no copy). The others are read again and parsed.
    let indexed: Vec<Indexed> = pool.install(|| {
        all_files
            .par_iter()
            .zip(hashes.par_iter())
            .map(|((ci, path), hash)| {
                if hash.is_some_and(|h| caches[*ci].contains(path, h)) {
                    return Indexed {
                        hash: hash.unwrap_or_default(),
                        facts: None,
                        cacheable: true,
                    };
                }
                let Some(bytes) = read(path) else {
                    return Indexed::default();
                };
                let hash = cache::content_hash(&bytes);
                let Ok(text) = String::from_utf8(bytes) else {
                    return Indexed::default();
                };
                let facts = std::panic::catch_unwind(|| FileFacts::of_text(&text));
                proc_macro2::extra::invalidate_current_thread_spans();
                Indexed {
                    hash,
                    cacheable: facts.is_ok(),
                    facts: Some(facts.unwrap_or_default()),
                }
            })
            .collect()
    });
    let mut per_ctx: Vec<Vec<IndexedFile>> = ctx_defs.iter().map(|_| Vec::new()).collect();
    let mut to_store: Vec<Vec<(PathBuf, u128, usize)>> =
        ctx_defs.iter().map(|_| Vec::new()).collect();
    for ((ci, path), ix) in all_files.iter().zip(indexed) {
        if ix.cacheable {
            to_store[*ci].push(((*path).clone(), ix.hash, per_ctx[*ci].len()));
        }
        let facts = match ix.facts {
            Some(facts) => facts,
            None => caches[*ci].take(path).unwrap_or_default(),
        };
        per_ctx[*ci].push(IndexedFile {
            path: (*path).clone(),
            facts,
        });
    }
    timer.lap("index facts (parse or cache)");
    // The configuration at a context's root carries its in-house API paths and `deps`.
    let ctx_configs: Vec<Option<Arc<Config>>> = ctx_defs
        .iter()
        .map(|def| {
            let root_dir = if def.root.is_dir() {
                def.root.clone()
            } else {
                def.root.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            forced_config
                .clone()
                .or_else(|| ConfigFinder::default().for_dir(&root_dir))
        })
        .collect();
    let deps = load_dependencies(opts, &pool, &ctx_defs, &ctx_configs, &mut per_ctx, &read);
    timer.lap("dependencies");
    let data: Vec<ContextData> = pool.install(|| {
        per_ctx
            .par_iter()
            .zip(ctx_defs.par_iter())
            .zip(ctx_configs.par_iter().zip(deps.contexts.par_iter()))
            .map(|((files, def), (config, dep))| {
                let mut roots = def.roots.clone();
                roots.extend(dep.roots.iter().cloned());
                let index = Index::build_with_deps(files, &roots, dep.first_file, &dep.links);
                let mut knowledge = Knowledge::builtin();
                if let Some(c) = config {
                    c.extend_knowledge(&mut knowledge);
                }
                ContextData { index, knowledge }
            })
            .collect()
    });
    // The caches are written, and the facts freed, while the files are walked; the run waits
    // for the writes before it returns.
    let cache_writer = std::thread::spawn(move || {
        for ((cache, store), files) in caches.iter().zip(&to_store).zip(&per_ctx) {
            if cache.is_enabled() {
                let entries: Vec<(&Path, u128, &FileFacts)> = store
                    .iter()
                    .map(|(p, h, i)| (p.as_path(), *h, &files[*i].facts))
                    .collect();
                cache.store(&entries);
            }
        }
        drop((per_ctx, caches));
    });
    timer.lap("index build");

    // Phase 2: walk the files to report, then — for the call graph — the files holding the
    // functions they call, transitively. Summaries only flow from callees to callers, so the
    // functions reachable from the files to report are all that their findings depend on, and a
    // file's findings are the same whichever other files were named.
    let target_of: HashMap<&Path, usize> = target_files
        .iter()
        .enumerate()
        .map(|(i, t)| (t.path.as_path(), i))
        .collect();
    let position: HashMap<(usize, &Path), usize> = all_files
        .iter()
        .enumerate()
        .map(|(i, (ci, p))| ((*ci, p.as_path()), i))
        .collect();
    let mut walked: Vec<Option<Walked>> = all_files.iter().map(|_| None).collect();
    let mut displays: Vec<Option<String>> = all_files.iter().map(|_| None).collect();
    // Walked or about to be.
    let mut queued: Vec<bool> = all_files
        .iter()
        .map(|(_, p)| target_of.contains_key(p.as_path()))
        .collect();
    let mut todo: Vec<usize> = (0..all_files.len()).filter(|&i| queued[i]).collect();
    // The `async fn`s whose awaits a `select!` branch needs, per context.
    let mut demand: Vec<crate::analysis::select::AwaitDemand> =
        ctx_defs.iter().map(|_| Default::default()).collect();
    while !todo.is_empty() {
        for &i in &todo {
            displays[i] = Some(walker.display(all_files[i].1));
        }
        let results: Vec<Walked> = pool.install(|| {
            todo.par_iter()
                .map(|&i| (i, displays[i].as_deref().unwrap_or_default()))
                .map(|(i, display)| {
                    let (ci, path) = all_files[i];
                    let target = target_of.get(path.as_path()).map(|&t| &target_files[t]);
                    let result = std::panic::catch_unwind(|| {
                        panic_if_asked(path);
                        walk_file(path, target, &data[ci])
                    });
                    proc_macro2::extra::invalidate_current_thread_spans();
                    result.unwrap_or_else(|payload| Walked {
                        error: Some(RunError {
                            path: display.to_string(),
                            message: format!(
                                "internal error while analysing this file: {}",
                                panic_message(&*payload)
                            ),
                        }),
                        ..Walked::default()
                    })
                })
                .collect()
        });
        let mut next = Vec::new();
        for (&i, w) in todo.iter().zip(results) {
            let ci = all_files[i].0;
            let index = &data[ci].index;
            for fact in &w.facts {
                let demanded = demand[ci].observe(fact);
                for callee in fact.kind.reached_fn().into_iter().chain(demanded) {
                    let file = index.file_path(index.fn_info(callee).file);
                    if let Some(&j) = position.get(&(ci, file)) {
                        if !queued[j] {
                            queued[j] = true;
                            next.push(j);
                        }
                    }
                }
            }
            walked[i] = Some(w);
        }
        next.sort_unstable();
        todo = next;
    }
    std::panic::set_hook(previous_hook);

    timer.lap("walk");
    // Summaries per context, then the findings of each file to report.
    let mut by_ctx: Vec<Vec<(&str, &[Fact])>> = ctx_defs.iter().map(|_| Vec::new()).collect();
    for (((ci, _), w), display) in all_files.iter().zip(&walked).zip(&displays) {
        if let (Some(w), Some(display)) = (w, display) {
            by_ctx[*ci].push((display.as_str(), w.facts.as_slice()));
        }
    }
    let summaries: Vec<Summaries> = pool.install(|| {
        by_ctx
            .par_iter()
            .zip(data.par_iter())
            .map(|(files, d)| Summaries::compute(&d.index, files))
            .collect()
    });
    drop(by_ctx);
    let mut results: Vec<Option<FileResult>> = target_files.iter().map(|_| None).collect();
    for ((ci, path), w) in all_files.iter().zip(walked) {
        let (Some(&ti), Some(w)) = (target_of.get(path.as_path()), w) else {
            continue;
        };
        let indirect = summaries[*ci].indirect_facts(&data[*ci].index, &w.facts);
        results[ti] = Some(judge(&target_files[ti], w, indirect, &opts.flags));
    }
    let results: Vec<FileResult> = results.into_iter().map(Option::unwrap_or_default).collect();

    timer.lap("summaries + rules");
    let mut outcome = Outcome {
        files: target_files.len(),
        empty_folders,
        notes: deps.notes,
        ..Outcome::default()
    };
    for (t, r) in target_files.iter().zip(results) {
        if !r.diagnostics.is_empty() {
            if let Some(text) = r.text {
                outcome.sources.insert(t.display.clone(), text);
            }
        }
        outcome.diagnostics.extend(r.diagnostics);
        errors.extend(r.error);
    }
    // Notes of call chains point into other files: their texts are needed to show them.
    let noted: Vec<String> = outcome
        .diagnostics
        .iter()
        .flat_map(|d| d.notes.iter().filter_map(|n| n.path.clone()))
        .filter(|p| !outcome.sources.contains_key(p))
        .collect();
    for path in noted {
        if let Ok(text) = std::fs::read_to_string(cwd.join(&path)) {
            outcome.sources.insert(path, text);
        }
    }
    outcome
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    errors.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    errors.dedup();
    outcome.errors = errors;
    std::thread::spawn(move || drop((data, summaries)));
    let _ = cache_writer.join();
    Ok(outcome)
}

/// What the dependencies add to each context's index, and the run's notes about them.
struct Dependencies {
    contexts: Vec<ContextDeps>,
    notes: Vec<String>,
}

#[derive(Default)]
struct ContextDeps {
    /// The context's files from this one on are its dependencies'.
    first_file: usize,
    roots: Vec<crate::index::CrateRoot>,
    links: Vec<crate::index::ExternLink>,
}

/// Reads the dependencies each context's code names (unless `--no-deps` or `deps = false`) and
/// appends their files to the context's; one note names every dependency whose sources are
/// missing.
fn load_dependencies(
    opts: &Options,
    pool: &rayon::ThreadPool,
    ctx_defs: &[crate::discover::Context],
    configs: &[Option<Arc<Config>>],
    per_ctx: &mut [Vec<IndexedFile>],
    read: &(dyn Fn(&Path) -> Option<Vec<u8>> + Sync),
) -> Dependencies {
    use crate::index::deps;
    let dep_opts = deps::Options::from_env(opts.no_cache);
    let loads: Vec<deps::Loaded> = pool.install(|| {
        per_ctx
            .par_iter()
            .zip(ctx_defs.par_iter().zip(configs.par_iter()))
            .map(|(files, (def, config))| {
                let off = config.as_ref().is_some_and(|c| c.no_deps);
                if opts.no_deps || off {
                    return deps::Loaded::default();
                }
                let load = || deps::load(&def.root, &def.roots, files, read, &dep_opts);
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(load)).unwrap_or_default()
            })
            .collect()
    });
    let mut notes = std::collections::BTreeSet::new();
    let mut missing = std::collections::BTreeSet::new();
    let mut contexts = Vec::new();
    for (files, load) in per_ctx.iter_mut().zip(loads) {
        contexts.push(ContextDeps {
            first_file: files.len(),
            roots: load.roots,
            links: load.links,
        });
        files.extend(load.files);
        notes.extend(load.notes);
        missing.extend(load.missing);
    }
    let mut notes: Vec<String> = notes.into_iter().collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.into_iter().collect();
        notes.insert(
            0,
            format!(
                "the sources of {} dependenc{} the code names are not on disk ({}): what they \
                 declare is unknown; run `cargo fetch` to download them",
                list.len(),
                if list.len() == 1 { "y" } else { "ies" },
                list.join(", ")
            ),
        );
    }
    Dependencies { contexts, notes }
}

#[derive(Default)]
struct FileResult {
    diagnostics: Vec<Diagnostic>,
    error: Option<RunError>,
    text: Option<String>,
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
    let roots = [crate::index::CrateRoot {
        file: path.clone(),
        name: "main".into(),
        is_lib: false,
    }];
    let data = ContextData {
        index: Index::build(&files, &roots),
        knowledge: Knowledge::builtin(),
    };
    let target = TargetFile {
        path: path.clone(),
        display: display.to_string(),
        stdin_text: Some(text.to_string()),
        context: 0,
        config: None,
    };
    let walked = walk_file(&path, Some(&target), &data);
    proc_macro2::extra::invalidate_current_thread_spans();
    let summaries = Summaries::compute(&data.index, &[(display, walked.facts.as_slice())]);
    let indirect = summaries.indirect_facts(&data.index, &walked.facts);
    judge(&target, walked, indirect, flags).diagnostics
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

/// A file's index facts after phase 1.
#[derive(Default)]
struct Indexed {
    hash: u128,
    /// `None`: take them from the cache.
    facts: Option<FileFacts>,
    /// The facts are what the file's content gives (not a read error or a panic).
    cacheable: bool,
}

/// A file after the walk.
#[derive(Default)]
struct Walked {
    facts: Vec<Fact>,
    /// Files to report only.
    suppressions: Option<Suppressions>,
    parse_failure: Option<source::ParseFailure>,
    text: Option<String>,
    error: Option<RunError>,
}

fn read_text(path: &Path, t: Option<&TargetFile>) -> Result<String, String> {
    if let Some(text) = t.and_then(|t| t.stdin_text.as_ref()) {
        return Ok(text.clone());
    }
    let bytes = std::fs::read(path).map_err(|e| crate::discover::io_message(&e))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (invalid byte at offset {}): the file is not analysed",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Parses and walks one file. For a file to report everything is kept; for the others only
/// what the call graph needs.
fn walk_file(path: &Path, target: Option<&TargetFile>, data: &ContextData) -> Walked {
    let text = match read_text(path, target) {
        Ok(text) => text,
        Err(message) => {
            let error = target.map(|t| RunError {
                path: t.display.clone(),
                message,
            });
            return Walked {
                error,
                ..Walked::default()
            };
        }
    };
    let display = target.map(|t| t.display.clone()).unwrap_or_default();
    let file = SourceFile::new(display, text);
    let ast = match source::parse(&file) {
        Ok(ast) => ast,
        Err(failure) => {
            return Walked {
                parse_failure: Some(failure),
                text: target.map(|_| file.text),
                ..Walked::default()
            }
        }
    };
    let Some(fid) = data.index.file_id(path) else {
        return Walked::default();
    };
    let cx = FileCx {
        index: &data.index,
        knowledge: &data.knowledge,
        file: fid,
    };
    let body = crate::lower::lower_file(&ast, &file);
    let mut facts = analyze(&cx, &body);
    if target.is_none() {
        facts.retain(|f| f.owner.is_some() && f.kind.feeds_call_graph());
        return Walked {
            facts,
            ..Walked::default()
        };
    }
    let suppressions = Suppressions::collect(&file, Some(&ast));
    // The text is kept (for rendering and fixes) only where a finding is likely; a file whose
    // only facts are calls of workspace functions reads it again if one of them reports.
    let may_report = !suppressions.comments.is_empty()
        || facts.iter().any(|f| {
            !matches!(
                f.kind,
                FactKind::CallsFn { .. }
                    | FactKind::AwaitsFn { .. }
                    | FactKind::NotCancelSafe { .. }
            )
        });
    Walked {
        facts,
        suppressions: Some(suppressions),
        text: may_report.then_some(file.text),
        ..Walked::default()
    }
}

/// Applies the rules, levels and suppressions to a file's facts.
fn judge(t: &TargetFile, w: Walked, indirect: Vec<Fact>, flags: &LevelFlags) -> FileResult {
    if let Some(error) = w.error {
        return FileResult {
            error: Some(error),
            ..FileResult::default()
        };
    }
    let config = t.config.as_deref();
    // `per-file-ignores` applies last, over the command line's levels (as in ruff).
    let off = config.map(|c| c.ignored_rules(&t.path)).unwrap_or_default();
    let level = |rule: RuleId| {
        if off.contains(&rule) {
            Level::Allow
        } else {
            flags.level(rule, config)
        }
    };
    let make = |rule: RuleId, level: Level, f: Finding| Diagnostic {
        rule,
        level,
        path: t.display.clone(),
        span: f.span,
        message: f.message,
        label: f.label,
        help: f.help,
        notes: f.notes,
        fix: f.fix,
    };
    let mut diagnostics = Vec::new();
    if let Some(failure) = w.parse_failure {
        let lvl = level(RuleId::ParseError);
        if lvl != Level::Allow {
            diagnostics.push(make(
                RuleId::ParseError,
                lvl,
                Finding::new(failure.span, failure.message),
            ));
        }
        return FileResult {
            diagnostics,
            error: None,
            text: w.text,
        };
    }
    let mut suppressions = w.suppressions.unwrap_or_default();
    let mut findings = Vec::new();
    for rule in RuleId::ALL {
        let lvl = level(*rule);
        if lvl == Level::Allow {
            continue;
        }
        for fact in w.facts.iter().chain(&indirect) {
            rule.check(fact, &mut findings);
            for f in findings.drain(..) {
                if !suppressions.suppresses(*rule, f.span.start.line) {
                    diagnostics.push(make(*rule, lvl, f));
                }
            }
        }
    }
    let lvl = level(RuleId::UnusedSuppression);
    if lvl != Level::Allow {
        for (span, message, help) in suppressions.unused() {
            let finding = Finding::new(span, message).help(help);
            diagnostics.push(make(RuleId::UnusedSuppression, lvl, finding));
        }
    }
    dedup_same_span(&mut diagnostics);
    let text = match w.text {
        None if !diagnostics.is_empty() => read_text(&t.path, Some(t)).ok(),
        text => text,
    };
    FileResult {
        diagnostics,
        error: None,
        text,
    }
}

/// Two facts can describe one finding (a value lost and also shadowed); keep one per rule+span.
fn dedup_same_span(diags: &mut Vec<Diagnostic>) {
    let mut seen: Vec<(RuleId, Span)> = Vec::new();
    diags.retain(|d| {
        let key = (d.rule, d.span);
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}

/// Phase timings on standard error when `UNAWAITED_TIMINGS` is set (for profiling).
struct PhaseTimer {
    last: Option<std::time::Instant>,
}

impl PhaseTimer {
    fn from_env() -> PhaseTimer {
        PhaseTimer {
            last: std::env::var_os("UNAWAITED_TIMINGS").map(|_| std::time::Instant::now()),
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
            eprintln!(
                "unawaited: {phase}: {:.3} s{rss_mb}",
                last.elapsed().as_secs_f64()
            );
            *last = std::time::Instant::now();
        }
    }
}
