//! Stage 3, dependencies: the sources of the dependencies each context's code names, read from
//! `$CARGO_HOME` (unless `--no-deps` or `deps = false`) and appended to the context's files, and
//! one note naming every dependency whose sources are missing.

use super::Options;
use crate::config::Config;
use crate::index::IndexedFile;
use rayon::prelude::*;
use std::sync::Arc;

/// What the dependencies add to each context's index, and the run's notes about them.
pub(super) struct Dependencies {
    pub contexts: Vec<ContextDeps>,
    pub notes: Vec<String>,
    /// The dependencies the code names whose sources are not on disk (also in the first note).
    pub missing: Vec<String>,
}

#[derive(Default)]
pub(super) struct ContextDeps {
    /// The context's files from this one on are its dependencies'.
    pub first_file: usize,
    pub roots: Vec<crate::discover::CrateRoot>,
    pub links: Vec<crate::index::ExternLink>,
    /// What this process loaded at its last check, taken again: the same files with the same
    /// facts.
    pub reused: bool,
}

/// Reads the dependencies each context's code names (unless `--no-deps` or `deps = false`) and
/// appends their files to the context's; one note names every dependency whose sources are
/// missing. In a resident run (the language server), a context whose files' facts are
/// unchanged (`unchanged`) takes what this process loaded for it last, while everything that
/// was loaded from is unchanged too.
pub(super) fn load(
    opts: &Options,
    pool: &rayon::ThreadPool,
    ctx_defs: &[crate::discover::Context],
    configs: &[Option<Arc<Config>>],
    per_ctx: &mut [Vec<IndexedFile>],
    unchanged: &[bool],
) -> Dependencies {
    use crate::index::deps;
    let dep_opts = deps::Options::from_env(opts.no_cache);
    let checked = super::probe::Checked::default();
    let loads: Vec<(deps::Loaded, bool)> = pool.install(|| {
        per_ctx
            .par_iter()
            .zip(ctx_defs.par_iter().zip(configs.par_iter()))
            .enumerate()
            .map(|(i, (files, (def, config)))| {
                let off = config.as_ref().is_some_and(|c| c.no_deps);
                if opts.no_deps || off {
                    return (deps::Loaded::default(), false);
                }
                let unchanged = unchanged.get(i).copied().unwrap_or(false);
                if opts.resident && unchanged {
                    if let Some(kept) = resident::reuse(def, &checked) {
                        return (kept, true);
                    }
                }
                let started = super::probe::nanos(std::time::SystemTime::now());
                let load = || deps::load(&def.root, &def.roots, files, &dep_opts);
                let mut loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(load))
                    .unwrap_or_default();
                // In one order whatever order the loader found them in: the index built from
                // them, and the walk cache's fingerprint, are then the same from run to run.
                loaded
                    .links
                    .sort_by(|a, b| (&a.from, &a.name, &a.to).cmp(&(&b.from, &b.name, &b.to)));
                if opts.resident {
                    resident::keep(def, &loaded, started);
                }
                (loaded, false)
            })
            .collect()
    });
    let mut notes = std::collections::BTreeSet::new();
    let mut missing = std::collections::BTreeSet::new();
    let mut contexts = Vec::new();
    for (files, (load, reused)) in per_ctx.iter_mut().zip(loads) {
        contexts.push(ContextDeps {
            first_file: files.len(),
            roots: load.roots,
            links: load.links,
            reused,
        });
        files.extend(load.files);
        notes.extend(load.notes);
        missing.extend(load.missing);
    }
    let mut notes: Vec<String> = notes.into_iter().collect();
    let missing: Vec<String> = missing.into_iter().collect();
    if !missing.is_empty() {
        let list = &missing;
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
    Dependencies {
        contexts,
        notes,
        missing,
    }
}

/// Hands back the dependencies' files of the context rooted at `root` once the run is done
/// with them, for the next check of this process (see [`load`]); they are dropped if nothing
/// keeps that context's dependencies.
pub(super) fn give_back(root: &std::path::Path, files: Vec<IndexedFile>) {
    resident::give_back(root, files);
}

/// What this process loaded for each context at its last check, with what it was loaded from.
/// The files are lent to the run that takes them, and given back when it is done with them.
mod resident {
    use super::super::probe::{self, Probe};
    use crate::discover::Context;
    use crate::index::deps::Loaded;
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    struct Kept {
        context: Context,
        probes: std::sync::Arc<Vec<Probe>>,
        /// What was loaded, its files taken out: they are in [`Kept::files`] while no run has
        /// them.
        loaded: Loaded,
        files: Option<Vec<crate::index::IndexedFile>>,
        /// How many files were loaded.
        count: usize,
    }

    static KEPT: Mutex<Option<HashMap<PathBuf, Kept>>> = Mutex::new(None);

    /// What was loaded for the same context (its files and crate roots), if nothing it was
    /// loaded from has changed since.
    pub(super) fn reuse(def: &Context, checked: &probe::Checked) -> Option<Loaded> {
        // The probes are checked with the lock released: the contexts check theirs in parallel.
        let probes = {
            let kept = KEPT.lock().ok()?;
            let k = kept.as_ref()?.get(&def.root)?;
            let same = k.context.files == def.files
                && k.context.roots.len() == def.roots.len()
                && k.context
                    .roots
                    .iter()
                    .zip(&def.roots)
                    .all(|(a, b)| (&a.file, &a.name, a.is_lib) == (&b.file, &b.name, b.is_lib));
            if !same || k.files.is_none() {
                return None;
            }
            k.probes.clone()
        };
        if !probes.iter().all(|p| checked.holds(p)) {
            return None;
        }
        let mut kept = KEPT.lock().ok()?;
        let k = kept.as_mut()?.get_mut(&def.root)?;
        Some(Loaded {
            files: k.files.take()?,
            ..all_but_files(&k.loaded)
        })
    }

    fn all_but_files(l: &Loaded) -> Loaded {
        Loaded {
            files: Vec::new(),
            roots: l.roots.clone(),
            links: l.links.clone(),
            notes: l.notes.clone(),
            missing: l.missing.clone(),
        }
    }

    pub(super) fn give_back(root: &Path, files: Vec<crate::index::IndexedFile>) {
        let Ok(mut kept) = KEPT.lock() else { return };
        let Some(k) = kept.as_mut().and_then(|k| k.get_mut(root)) else {
            return;
        };
        if k.files.is_none() && files.len() == k.count {
            k.files = Some(files);
        }
    }

    /// Keeps what was loaded for `def`, unless something it was loaded from changed within a
    /// second of `started` (it could not be told unchanged later).
    pub(super) fn keep(def: &Context, loaded: &Loaded, started: i128) {
        let files: Vec<PathBuf> = loaded.files.iter().map(|f| f.path.clone()).collect();
        let probes = probe::probes(std::slice::from_ref(def), &files, true, started);
        let Ok(mut kept) = KEPT.lock() else { return };
        let kept = kept.get_or_insert_with(HashMap::new);
        match probes {
            Some(probes) => {
                // Everything but the files, which the run gives back when done with them.
                let rest = all_but_files(loaded);
                kept.insert(
                    def.root.clone(),
                    Kept {
                        context: def.clone(),
                        probes: std::sync::Arc::new(probes),
                        loaded: rest,
                        files: None,
                        count: loaded.files.len(),
                    },
                );
            }
            None => {
                kept.remove(&def.root);
            }
        }
    }
}
