//! Stage 2b, dependents (`--dependents`): the files of a context that may call a function the
//! named files define are reported too, so that a change to a signature or to asyncness shows
//! its findings where they appear — in callers that were not named (a pre-commit hook passes
//! only the staged files).
//!
//! A file can call a function only by writing its name, or a name it was imported under
//! (`use store::save as persist;`, which writes `save`). So a file of the same context is a
//! dependent when its text holds, as an identifier, the name of a function, method or trait
//! method the named files define, or an alias of one (`NAME as ALIAS`, followed to a fixed
//! point). Comments and strings may make a file a dependent for nothing: that costs time, never
//! a finding, since a file's findings do not depend on which files are named. The scan reads
//! bytes and tokenises nothing else, much cheaper than the parse a walk would need; what it
//! misses is a name built by a macro from pieces (`paste!`).
//!
//! A caller's findings are reported when they involve what the named files define (see
//! [`Named::involved_in`](super::names::Named::involved_in)), so that a file which only shares a common name (`new`) does not fail
//! a commit with a finding the change has nothing to do with.

use super::index_facts::Read;
use super::names::{aliases_of, mentions, Named};
use super::plan::{FileRef, Plan, TargetFile};
use super::Fatal;
use crate::config::ConfigFinder;
use crate::index::facts::FileFacts;
use crate::index::IndexedFile;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// The files to report besides the plan's targets: the dependents of the targets, per context.
pub(super) fn find(
    plan: &Plan,
    files: &[FileRef],
    per_context: &[Vec<IndexedFile>],
    read: &Read,
    forced_config: bool,
    pool: &rayon::ThreadPool,
) -> Result<Vec<TargetFile>, Fatal> {
    let targets: HashSet<&Path> = plan.targets.iter().map(|t| t.path.as_path()).collect();
    let mut finder = ConfigFinder::default();
    let mut found = Vec::new();
    for (ci, indexed) in per_context.iter().enumerate() {
        let mut names: HashSet<String> = HashSet::new();
        for f in indexed
            .iter()
            .filter(|f| targets.contains(f.path.as_path()))
        {
            defined_fns(&f.facts, &mut names);
        }
        if names.is_empty() {
            continue;
        }
        let candidates: Vec<&Path> = files
            .iter()
            .filter(|f| f.context == ci && !targets.contains(f.path))
            .map(|f| f.path)
            .collect();
        let texts: Vec<Vec<u8>> = pool.install(|| {
            candidates
                .par_iter()
                .map(|p| read(p).unwrap_or_default())
                .collect()
        });
        let mut dependent = vec![false; candidates.len()];
        // Each round adds the aliases the new dependents give the names; ends when none does.
        loop {
            let mut aliases = Vec::new();
            for (i, text) in texts.iter().enumerate() {
                if !dependent[i] && mentions(text, &names) {
                    dependent[i] = true;
                    aliases.extend(aliases_of(text, &names));
                }
            }
            let before = names.len();
            names.extend(aliases);
            if names.len() == before {
                break;
            }
        }
        let files = indexed
            .iter()
            .filter(|f| targets.contains(f.path.as_path()))
            .map(|f| plan.display(&f.path))
            .collect();
        let named = Arc::new(Named { names, files });
        for (path, _) in candidates.iter().zip(&dependent).filter(|(_, &d)| d) {
            let config = match forced_config {
                true => plan.root_configs[ci].clone(),
                false => finder.for_dir(path.parent().unwrap_or(Path::new("/"))),
            };
            if config.as_ref().is_some_and(|c| c.excludes(path)) {
                continue;
            }
            found.push(TargetFile {
                path: path.to_path_buf(),
                display: plan.display(path),
                stdin_text: None,
                config,
                named: false,
                caller_of: Some(named.clone()),
            });
        }
    }
    if let Some(e) = finder.errors.into_iter().next() {
        return Err(Fatal::Config(e));
    }
    Ok(found)
}

/// The names of the functions a file defines: free functions, methods of impls, trait methods.
fn defined_fns(facts: &FileFacts, names: &mut HashSet<String>) {
    for m in &facts.modules {
        let sigs = m
            .fns
            .iter()
            .chain(m.impls.iter().flat_map(|i| &i.fns))
            .chain(m.traits.iter().flat_map(|(_, fns)| fns));
        names.extend(sigs.map(|s| s.name.to_string()));
    }
}
