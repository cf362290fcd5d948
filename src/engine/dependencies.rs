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
}

/// Reads the dependencies each context's code names (unless `--no-deps` or `deps = false`) and
/// appends their files to the context's; one note names every dependency whose sources are
/// missing.
pub(super) fn load(
    opts: &Options,
    pool: &rayon::ThreadPool,
    ctx_defs: &[crate::discover::Context],
    configs: &[Option<Arc<Config>>],
    per_ctx: &mut [Vec<IndexedFile>],
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
                let load = || deps::load(&def.root, &def.roots, files, &dep_opts);
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(load)).unwrap_or_default()
            })
            .collect()
    });
    let mut notes = std::collections::BTreeSet::new();
    let mut missing = std::collections::BTreeSet::new();
    let mut contexts = Vec::new();
    for (files, mut load) in per_ctx.iter_mut().zip(loads) {
        // In one order whatever order the loader found them in: the index built from them, and
        // the walk cache's fingerprint, are then the same from run to run.
        load.links
            .sort_by(|a, b| (&a.from, &a.name, &a.to).cmp(&(&b.from, &b.name, &b.to)));
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
