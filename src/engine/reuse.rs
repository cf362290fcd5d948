//! Walks reused from the last run (see [`crate::walk_cache`]): each context's fingerprint, the
//! sum of everything a file's walk reads besides the file's own text.

use super::dependencies::ContextDeps;
use crate::config::Config;
use crate::index::facts::{FileFacts, FnSig};
use crate::index::IndexedFile;
use rayon::prelude::*;
use std::path::Path;
use std::sync::OnceLock;
use xxhash_rust::xxh3::Xxh3;

/// The fingerprint of a context: the tool (this very build), the working folder (paths shown
/// in facts are relative to it), every file's index facts (the dependencies' too, appended to
/// the context's files), the crate roots and dependency links, and the configuration's in-house
/// APIs (the knowledge the walk reads). Levels and suppressions are applied after the walk and
/// are not in it.
///
/// Two parts of the index facts are left out, as no walk reads them of another file: the line
/// of each fn (a walk finds the fns of its own file by line, and its own text is in the key)
/// and the paths a file names (they decide which dependencies are read, and what those give
/// is in the fingerprint). So a body edited in a way that moves the fns below it, or that names
/// a new path, still re-walks that file alone. The facts are changed in place for the hash and
/// put back.
///
/// Also gives the key of the context's built index and knowledge: the fingerprint with the lines
/// of fns (the index finds fns by line), for [`super::built`].
pub(super) fn fingerprint(
    cwd: &Path,
    roots: &[crate::discover::CrateRoot],
    files: &mut [IndexedFile],
    deps: &ContextDeps,
    config: Option<&Config>,
) -> Fingerprints {
    let per_file: Vec<(u128, u128)> = files
        .par_iter_mut()
        .map(|f| {
            let mut h = Xxh3::new();
            h.update(f.path.as_os_str().as_encoded_bytes());
            h.update(&[0]);
            let paths = std::mem::take(&mut f.facts.paths);
            let lines = take_lines(&mut f.facts);
            h.update(&postcard::to_allocvec(&f.facts).unwrap_or_default());
            let lines_hash =
                xxhash_rust::xxh3::xxh3_128(&postcard::to_allocvec(&lines).unwrap_or_default());
            put_lines(&mut f.facts, lines);
            f.facts.paths = paths;
            (h.digest128(), lines_hash)
        })
        .collect();
    let mut h = Xxh3::new();
    let mut lines = Xxh3::new();
    h.update(build_identity().as_bytes());
    h.update(cwd.as_os_str().as_encoded_bytes());
    for (f, l) in per_file {
        h.update(&f.to_le_bytes());
        lines.update(&l.to_le_bytes());
    }
    let text = format!(
        "{roots:?}\n{:?}\n{:?}\n{}",
        deps.roots, deps.links, deps.first_file
    );
    h.update(text.as_bytes());
    // The debug builds' test hook makes the walk of a file panic: that file's walk must run.
    if cfg!(debug_assertions) {
        let hook = std::env::var_os("UNAWAITED_TEST_PANIC_IN").unwrap_or_default();
        h.update(hook.as_encoded_bytes());
    }
    if let Some(c) = config {
        let apis = [&c.future_returning, &c.blocking, &c.bridges, &c.offloading];
        for paths in apis {
            h.update(format!("{:?}\n", paths.paths).as_bytes());
        }
    }
    let walk = h.digest128();
    lines.update(&walk.to_le_bytes());
    Fingerprints {
        walk,
        index: lines.digest128(),
    }
}

/// A context's fingerprints: of what a walk reads besides its own file, and of what its index
/// and knowledge are built from.
pub(super) struct Fingerprints {
    pub walk: u128,
    pub index: u128,
}

/// Every fn signature of a file's facts.
fn sigs_mut(facts: &mut FileFacts) -> impl Iterator<Item = &mut FnSig> {
    facts.modules.iter_mut().flat_map(|m| {
        let in_impls = m.impls.iter_mut().flat_map(|i| i.fns.iter_mut());
        let in_traits = m.traits.iter_mut().flat_map(|(_, fns)| fns.iter_mut());
        m.fns.iter_mut().chain(in_impls).chain(in_traits)
    })
}

/// Sets the line of every fn to 0 and gives the lines, in the order of [`sigs_mut`].
fn take_lines(facts: &mut FileFacts) -> Vec<usize> {
    sigs_mut(facts)
        .map(|s| std::mem::take(&mut s.line))
        .collect()
}

fn put_lines(facts: &mut FileFacts, lines: Vec<usize>) {
    for (s, line) in sigs_mut(facts).zip(lines) {
        s.line = line;
    }
}

/// What tells this build of the tool from any other: its version, and the size and time of its
/// executable (facts change meaning between builds of one version while it is developed).
pub(super) fn build_identity() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .and_then(|m| Ok(format!("{} {:?}", m.len(), m.modified()?)))
            // Unknown: a key no other run has, so nothing is reused.
            .unwrap_or_else(|_| format!("{} {:?}", std::process::id(), std::time::Instant::now()));
        format!("{} {exe}", env!("CARGO_PKG_VERSION"))
    })
}
