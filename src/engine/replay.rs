//! Whole-run reuse: when nothing a run reads has changed since a run of the same invocation
//! stored its outcome, the outcome is replayed — no index facts, no index, no walk, no rules.
//!
//! What a run reads, and how a later run tells that it is unchanged:
//! - what discovery finds (the contexts, their files and crate roots, the files to report and
//!   their configurations, discovery's errors and notes): discovery runs on every run, and its
//!   plan is part of the record's key, with the options, the tool (this very build) and the
//!   environment the dependencies are found by (`CARGO_HOME`, `HOME`);
//! - each file of each context: its metadata (size, modification and change times, inode,
//!   mode) as it was *before* the run read it, and its content hash. Metadata equal to the
//!   stored one stands for the content, as cargo and ruff take it, unless the stored times are
//!   within a second of the start of the run that stored them (a file changed while, or just
//!   before, it was read: git's "racy" files): then, as whenever the metadata differs, the file is
//!   read and hashed, and only a hash equal to the stored one counts as unchanged;
//! - what the dependencies gave: the manifests, lock files and cargo configurations of each
//!   context (read and hashed), the folders of `$CARGO_HOME` that sources are found in, each
//!   dependency file read and the folder holding it (metadata: a new file or version changes
//!   the folder's). A dependency path whose metadata is recent is never taken as unchanged.
//!
//! The stored outcome is sealed with the user's key like every cache (see
//! [`crate::files::SealKey`]): a record planted by the tree under check is not read. The texts
//! of the files the diagnostics point into are not stored: they are read again (their content
//! is what was checked, as above).
//!
//! Runs with text given for files (standard input, editor buffers) neither replay nor record.

use super::plan::{FileRef, Plan};
use super::probe::{nanos, probes, Probe, Stat};
use super::{Options, Outcome};
use crate::diagnostic::{Diagnostic, RunError};
use crate::files::{content_hash, read_sealed, write_sealed};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use xxhash_rust::xxh3::Xxh3;

/// Bumped when what a record means changes.
const FORMAT: u32 = 1;

/// How many invocations' outcomes a cache folder keeps (the last ones used).
const KEPT: usize = 4;

/// The outcome as stored (the texts of the files are read again).
#[derive(Serialize, Deserialize)]
pub struct StoredOutcome {
    pub diagnostics: Vec<Diagnostic>,
    pub errors: Vec<RunError>,
    pub files: usize,
    /// The files whose texts the outcome holds, as shown.
    pub sources: Vec<String>,
    pub empty_folders: Vec<String>,
    pub notes: Vec<String>,
    pub missing_sources: Vec<String>,
}

/// One invocation's stored outcome, with what it read; the run cache holds a list of them,
/// the most recently used first.
#[derive(Serialize, Deserialize)]
pub struct Record {
    key: u128,
    /// Each file of the plan, in order: metadata before it was read (`None`: changed too
    /// recently to stand for the content), content hash.
    files: Vec<(Option<Stat>, u128)>,
    probes: Vec<Probe>,
    pub outcome: StoredOutcome,
}

/// What a run that did not replay needs to record its outcome.
pub(super) struct Pending {
    key: u128,
    file: PathBuf,
    started: i128,
    /// The metadata of each file of the plan, taken before anything read it.
    stats: Vec<Option<Stat>>,
    records: Vec<Record>,
}

/// What [`check`] found.
pub(super) enum Checked {
    Replayed(Outcome),
    /// Run, then [`record`] (`None`: this run is not recorded).
    Run(Option<Pending>),
}

/// Replays the stored outcome of this very invocation when nothing it read changed.
pub(super) fn check(
    plan: &Plan,
    files: &[FileRef],
    opts: &Options,
    buffers: &[(PathBuf, String)],
    pool: &rayon::ThreadPool,
) -> Checked {
    if opts.no_cache || opts.stdin.is_some() || !buffers.is_empty() {
        return Checked::Run(None);
    }
    let Some(dir) = plan
        .contexts
        .first()
        .and_then(|c| crate::cache::dir_for_context(&c.root, opts.cache_dir.as_deref()))
    else {
        return Checked::Run(None);
    };
    let started = nanos(SystemTime::now());
    let key = key(plan, opts);
    let stats: Vec<Option<Stat>> =
        pool.install(|| files.par_iter().map(|f| Stat::of(f.path)).collect());
    let file = dir.join(crate::cache::RUN_RECORD);
    let kind = kind();
    let mut records: Vec<Record> = read_sealed(&file, &kind).unwrap_or_default();
    let found = records.iter().position(|r| r.key == key);
    if let Some(i) = found {
        if let Some(outcome) = replay(&records[i], plan, files, &stats, pool) {
            // The most recently used first.
            if i != 0 {
                let r = records.remove(i);
                records.insert(0, r);
                write_records(&file, &kind, &records);
            }
            return Checked::Replayed(outcome);
        }
        records.remove(i);
    }
    Checked::Run(Some(Pending {
        key,
        file,
        started,
        stats,
        records,
    }))
}

fn kind() -> String {
    format!(
        "{} run {FORMAT} {}",
        crate::index::facts_shape::sealed_kind(),
        super::reuse::build_identity()
    )
}

fn write_records(file: &Path, kind: &str, records: &[Record]) {
    let dir = file.parent().unwrap_or(Path::new("."));
    if crate::cache::prepare_dir(dir).is_ok() {
        write_sealed(file, kind, &records);
    }
}

/// The stored outcome, when every file and probe is as the record says.
fn replay(
    record: &Record,
    plan: &Plan,
    files: &[FileRef],
    stats: &[Option<Stat>],
    pool: &rayon::ThreadPool,
) -> Option<Outcome> {
    if record.files.len() != files.len() {
        return None;
    }
    let unchanged = pool.install(|| {
        files
            .par_iter()
            .zip(stats.par_iter().zip(record.files.par_iter()))
            .all(|(f, (now, (stored, hash)))| {
                (now.is_some() && now == stored)
                    || std::fs::read(f.path).is_ok_and(|b| content_hash(&b) == *hash)
            })
    });
    if !unchanged || !pool.install(|| record.probes.par_iter().all(Probe::holds)) {
        return None;
    }
    let stored = &record.outcome;
    let mut sources = std::collections::HashMap::new();
    for shown in &stored.sources {
        let text = std::fs::read_to_string(plan.cwd.join(shown)).ok()?;
        sources.insert(shown.clone(), text);
    }
    Some(Outcome {
        diagnostics: stored.diagnostics.clone(),
        errors: stored.errors.clone(),
        files: stored.files,
        sources,
        empty_folders: stored.empty_folders.clone(),
        notes: stored.notes.clone(),
        missing_sources: stored.missing_sources.clone(),
        notes_dir: None,
        details: Vec::new(),
        walked: 0,
    })
}

/// What the dependencies read, for a record: per context, the dependency files (the context's
/// files from `first_file` on).
pub(super) struct DepsRead {
    pub files: Vec<PathBuf>,
}

/// Stores the outcome of a run that read what `pending` and `deps` say, in the background;
/// nothing is stored when a file could not be read or a file's walk panicked.
pub(super) fn record(
    pending: Pending,
    plan: &Plan,
    hashes: &[Option<u128>],
    deps: DepsRead,
    outcome: &Outcome,
) -> Option<std::thread::JoinHandle<()>> {
    let Pending {
        key,
        file,
        started,
        stats,
        mut records,
    } = pending;
    let internal = |e: &RunError| e.message.starts_with("internal error");
    if outcome.errors.iter().any(internal) {
        return None;
    }
    let files: Vec<(Option<Stat>, u128)> = stats
        .iter()
        .zip(hashes)
        .map(|(stat, hash)| {
            let stat = stat.filter(|s| !s.is_recent(started));
            Some((stat, (*hash)?))
        })
        .collect::<Option<_>>()?;
    let probes = probes(&plan.contexts, &deps.files, false, started)?;
    let stored = StoredOutcome {
        diagnostics: outcome.diagnostics.clone(),
        errors: outcome.errors.clone(),
        files: outcome.files,
        sources: outcome.sources.keys().cloned().collect(),
        empty_folders: outcome.empty_folders.clone(),
        notes: outcome.notes.clone(),
        missing_sources: outcome.missing_sources.clone(),
    };
    Some(std::thread::spawn(move || {
        records.retain(|r| r.key != key);
        records.insert(
            0,
            Record {
                key,
                files,
                probes,
                outcome: stored,
            },
        );
        records.truncate(KEPT);
        write_records(&file, &kind(), &records);
    }))
}

/// The key of an invocation with its plan: the tool, the options that change what a run finds,
/// the environment, and everything discovery found.
fn key(plan: &Plan, opts: &Options) -> u128 {
    let mut h = Xxh3::new();
    let mut put = |s: &str| {
        h.update(s.as_bytes());
        h.update(&[0]);
    };
    put(&kind());
    put(&format!(
        "{:?} {:?} {:?} {} {} {} {} {} {:?}",
        opts.paths,
        opts.flags,
        opts.config_file,
        opts.no_ignore,
        opts.force_exclude,
        opts.no_deps,
        opts.allow_extend_outside,
        opts.dependents,
        opts.cache_dir,
    ));
    for var in ["CARGO_HOME", "HOME", "UNAWAITED_TEST_PANIC_IN"] {
        put(&format!("{var}={:?}", std::env::var_os(var)));
    }
    put(&format!("{:?}", plan.cwd));
    for c in &plan.contexts {
        put(&format!("{:?} {:?} {:?}", c.root, c.files, c.roots));
    }
    for c in &plan.root_configs {
        put(&c.as_deref().map(config_text).unwrap_or_default());
    }
    // The configurations of the files to report: most share one.
    let mut configs: Vec<*const crate::config::Config> = Vec::new();
    for t in &plan.targets {
        let config = t.config.as_ref().map(std::sync::Arc::as_ptr);
        let id = match config {
            None => "none".to_string(),
            Some(p) => match configs.iter().position(|q| *q == p) {
                Some(i) => i.to_string(),
                None => {
                    configs.push(p);
                    t.config.as_deref().map(config_text).unwrap_or_default()
                }
            },
        };
        put(&format!("{:?} {} {} {id}", t.path, t.display, t.named));
    }
    put(&format!(
        "{:?} {:?} {:?}",
        plan.errors, plan.notes, plan.empty_folders
    ));
    h.digest128()
}

/// A configuration as text, the same in every process (its maps sorted).
fn config_text(c: &crate::config::Config) -> String {
    fn sorted<K: std::fmt::Debug + Ord, V: std::fmt::Debug>(
        map: &std::collections::HashMap<K, V>,
    ) -> String {
        let mut entries: Vec<(&K, &V)> = map.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        format!("{entries:?}")
    }
    let maps = [
        sorted(&c.levels),
        sorted(&c.level_origins),
        sorted(&c.test_levels),
    ];
    let mut rest = c.clone();
    rest.levels.clear();
    rest.level_origins.clear();
    rest.test_levels.clear();
    format!("{maps:?} {rest:?}")
}
