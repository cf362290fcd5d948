//! Walks reused from the last run (see [`crate::walk_cache`]): each context's fingerprint, the
//! sum of everything a file's walk reads besides the file's own text.

use super::dependencies::ContextDeps;
use super::name_sums::{self, NameSums};
use crate::config::Config;
use crate::index::facts::{FileFacts, FnSig};
use crate::index::IndexedFile;
use crate::knowledge::runtimes::Runtime;
use crate::walk_cache::{NameHashes, WalkCache};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::OnceLock;
use xxhash_rust::xxh3::Xxh3;

/// The fingerprints of a context, first step: each file's part.
///
/// `walk`: what every file's walk reads besides its own text and the index entries it can
/// reach by name: the tool (this very build), the working folder (paths shown in facts are
/// relative to it), the crate roots and dependency links, which files could not be read as
/// Rust (their module trees are unknown), the runtime the context's files name, and the
/// configuration's in-house APIs (the knowledge the walk reads). Levels and suppressions are applied after the walk and are not in it.
///
/// `names`: per name, a hash of every index entry (a fn, a type with its fields, an impl, a
/// trait, an import, a module) found by that name, with its file and module (see
/// [`crate::walk_cache::NameHashes`]). The walk cache compares it with the one its entries
/// were walked against: a file whose text names none of the names that changed (nor a name
/// whose entries mention one, see [`affected`]) is not walked again.
///
/// Two parts of the index facts are left out, as no walk reads them of another file: the line
/// of each fn (a walk finds the fns of its own file by line, and its own text is in the key)
/// and the paths a file names (they decide which dependencies are read, and what those give
/// is in the fingerprint). The facts are changed in place for the hash and put back.
///
/// `index`: the key of the context's built index and knowledge: all of the above with the
/// lines of fns (the index finds fns by line), for [`super::built`].
///
/// `hashes`: the content hash of each of the context's own files (the dependencies' after
/// them have none). With `resident`, each file's part is kept in memory for the next check of
/// this process, by its content hash, and so are the sums per name ([`NameSums`]) and what
/// calls of macros across files make: when the context has the same files in the same order,
/// the next check computes the parts of the files whose content changed, and updates the sums
/// by them alone.
///
/// It is made in two steps: [`parts`] (each file's part, which changes the facts in place and
/// puts them back) and [`fingerprint`] (the rest, which only reads them), so that the rest can
/// run while the index is built from the same facts.
pub(super) fn parts(
    root: &Path,
    files: &mut [IndexedFile],
    hashes: &[Option<u128>],
    deps: &ContextDeps,
    resident: bool,
) -> FileParts {
    let own_count = deps.first_file.min(files.len());
    let last = match resident {
        true => kept::take(root),
        false => None,
    };
    // The last check's files in the same order (compared by position), or by path.
    let same = last.as_ref().is_some_and(|l| {
        l.first_file == deps.first_file
            && l.paths.len() == files.len()
            && l.paths.iter().zip(files.iter()).all(|(p, f)| *p == f.path)
    });
    let keys: Vec<Option<u128>> = (0..files.len())
        .map(|i| part_key(hashes, i, deps))
        .collect();
    // Per file, where its part of the last check is when that part holds (the same key).
    let old_of: Vec<Option<usize>> = match &last {
        None => vec![None; files.len()],
        Some(l) => {
            let by_path: HashMap<&Path, usize> = match same {
                true => HashMap::new(),
                false => (l.paths.iter().enumerate())
                    .map(|(j, p)| (p.as_path(), j))
                    .collect(),
            };
            (0..files.len())
                .map(|i| {
                    let key = keys[i].filter(|_| i < deps.first_file || deps.reused)?;
                    let j = match same {
                        true => i,
                        false => *by_path.get(files[i].path.as_path())?,
                    };
                    (l.keys[j] == Some(key)).then_some(j)
                })
                .collect()
        }
    };
    let fresh: Vec<Option<Arc<Part>>> = files
        .par_iter_mut()
        .enumerate()
        .map(|(i, f)| match old_of[i] {
            Some(_) => None,
            None => Some(Arc::new(part_of(f, i < own_count, resident))),
        })
        .collect();
    let parts: Vec<Arc<Part>> = fresh
        .iter()
        .zip(&old_of)
        .map(|(new, old)| match (new, old, &last) {
            (Some(p), _, _) => p.clone(),
            (None, Some(j), Some(l)) => l.parts[*j].clone(),
            _ => unreachable!("a part is either kept or computed"),
        })
        .collect();
    FileParts {
        last,
        same,
        keys,
        fresh,
        parts,
    }
}

/// Each file's part of a context's fingerprints, with what the last check of this process kept
/// ([`parts`]'s result, for [`fingerprint`]).
pub(super) struct FileParts {
    last: Option<Kept>,
    /// The last check's files are these, in the same order.
    same: bool,
    /// Each file's [`part_key`].
    keys: Vec<Option<u128>>,
    /// Each file's part computed by this check (`None`: the last check's is kept).
    fresh: Vec<Option<Arc<Part>>>,
    parts: Vec<Arc<Part>>,
}

/// The fingerprints of a context, second step: from its files' [`parts`], reading the facts
/// only.
#[allow(clippy::too_many_arguments)]
pub(super) fn fingerprint(
    cwd: &Path,
    root: &Path,
    roots: &[crate::discover::CrateRoot],
    files: &[IndexedFile],
    file_parts: FileParts,
    deps: &ContextDeps,
    config: Option<&Config>,
    resident: bool,
) -> Fingerprints {
    let FileParts {
        last,
        same,
        keys,
        fresh,
        mut parts,
    } = file_parts;
    let own_count = deps.first_file.min(files.len());
    let generation = name_sums::next_generation();
    // The sums per name: updated by the parts that changed, or added up from scratch.
    let (mut sums, mut before, since) = match (last.as_ref(), same) {
        (Some(l), true) => {
            let mut sums = l.sums.clone();
            let mut before = name_sums::Before::default();
            let into = Arc::make_mut(&mut sums);
            for (i, p) in fresh.iter().enumerate() {
                if let Some(p) = p {
                    into.replace(&l.parts[i].entries, &p.entries, &mut before);
                }
            }
            (Some(sums), Some(before), Some(l.generation))
        }
        _ => (None, None, None),
    };
    // What calls of macros another file defines expand to (the index's entries of the calling
    // file, made from both files' facts): summed apart, as no one file's part holds them. The
    // last check's, while what the expansion reads of each own file is the same.
    let macros_same = same
        && (0..own_count).all(|i| match &fresh[i] {
            Some(p) => last.as_ref().is_some_and(|l| l.parts[i].macros == p.macros),
            None => true,
        });
    drop(fresh);
    // Without sums kept: every (name, entry hash), summed per name once all are in.
    let mut entries: Vec<(u32, u64)> = Vec::new();
    if sums.is_none() {
        match resident {
            true => {
                let mut s = NameSums::default();
                parts.iter().for_each(|p| s.add(&p.entries));
                sums = Some(Arc::new(s));
            }
            false => entries = take_entries(&mut parts),
        }
    }
    let expanded = match (&last, macros_same) {
        (Some(l), true) => l.expanded.clone(),
        _ => {
            let e = Arc::new(expand(files, own_count));
            let old = last.as_ref().map_or(&[][..], |l| &l.expanded.entries[..]);
            match (&mut sums, &mut before) {
                (Some(s), Some(b)) => Arc::make_mut(s).replace(old, &e.entries, b),
                (Some(s), None) => Arc::make_mut(s).add(&e.entries),
                _ => entries.extend_from_slice(&e.entries),
            }
            e
        }
    };
    let mut h = Xxh3::new();
    h.update(build_identity().as_bytes());
    h.update(cwd.as_os_str().as_encoded_bytes());
    let mut index = Xxh3::new();
    for (f, p) in files.iter().zip(&parts) {
        if !p.read {
            h.update(f.path.as_os_str().as_encoded_bytes());
        }
        index.update(&p.whole.to_le_bytes());
    }
    for whole in &expanded.wholes {
        index.update(&whole.to_le_bytes());
    }
    // The runtime the context's own files name (the index's, which the walk puts in its
    // facts): from the paths and imports of every own file, paths being out of the names.
    let mut named: Vec<Runtime> = parts[..own_count]
        .iter()
        .flat_map(|p| p.runtimes.iter().copied())
        .collect();
    named.sort_by_key(|r| *r as u8);
    named.dedup();
    h.update(format!("{:?}", Runtime::of_set(&named)).as_bytes());
    // How many of the files are the dependencies' (not where they start: a file added to
    // the context moves that, and the dependencies' paths are in their entries' hashes).
    let mut put = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    put(&(roots.len() as u64).to_le_bytes());
    for r in roots.iter().chain(&deps.roots) {
        put(r.file.as_os_str().as_encoded_bytes());
        put(r.name.as_bytes());
        put(&[u8::from(r.is_lib)]);
    }
    for l in &deps.links {
        put(l.from.as_os_str().as_encoded_bytes());
        put(l.name.as_bytes());
        put(l.to.as_os_str().as_encoded_bytes());
    }
    put(&(files.len().saturating_sub(deps.first_file) as u64).to_le_bytes());
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
    index.update(&walk.to_le_bytes());
    let names = match sums {
        None => Names::Full(NameHashes::summed(entries)),
        Some(sums) => {
            let changes = match (since, before) {
                (Some(since), Some(b)) => Some((since, sums.changes(b))),
                _ => None,
            };
            let paths = match last {
                Some(l) if same => l.paths,
                _ => files.iter().map(|f| f.path.clone()).collect(),
            };
            kept::keep(
                root,
                Kept {
                    paths,
                    first_file: deps.first_file,
                    keys,
                    parts,
                    sums: sums.clone(),
                    generation,
                    expanded: expanded.clone(),
                },
            );
            Names::Kept {
                sums,
                generation,
                changes,
            }
        }
    };
    Fingerprints {
        walk,
        index: index.digest128(),
        names,
        expanded,
    }
}

/// Every part's (name, entry hash) pairs, for a check that keeps no part: the lists are taken
/// out of the parts (copied only from a part something else still holds), and the longest
/// becomes the whole list, so a large file's pairs are not copied. The order is free: the pairs
/// are summed per name ([`NameHashes::summed`]).
fn take_entries(parts: &mut [Arc<Part>]) -> Vec<(u32, u64)> {
    let mut lists: Vec<Vec<(u32, u64)>> = parts
        .iter_mut()
        .map(|p| match Arc::get_mut(p) {
            Some(p) => std::mem::take(&mut p.entries),
            None => p.entries.clone(),
        })
        .collect();
    let Some(longest) = (0..lists.len()).max_by_key(|&i| lists[i].len()) else {
        return Vec::new();
    };
    let mut all = std::mem::take(&mut lists[longest]);
    all.reserve_exact(lists.iter().map(Vec::len).sum());
    for list in lists {
        all.extend_from_slice(&list);
    }
    all
}

/// What stands for a file's content when its part of the fingerprints is kept: its content
/// hash, or for a dependency's file (which has none) a fixed one, which is taken to match only
/// when the dependencies are what the last check loaded (`deps.reused`: the same files with
/// the same facts).
fn part_key(hashes: &[Option<u128>], i: usize, deps: &ContextDeps) -> Option<u128> {
    const DEPENDENCY: u128 = 0;
    match i < deps.first_file {
        true => hashes.get(i).copied().flatten(),
        false => Some(DEPENDENCY),
    }
}

/// One file's part of the fingerprints.
struct Part {
    /// Each (name, entry hash).
    entries: Vec<(u32, u64)>,
    /// The hash of the whole with the lines of fns.
    whole: u128,
    /// The file was read as Rust.
    read: bool,
    /// The runtimes its paths and imports name (an own file's; a dependency's key never
    /// matches an own file's, so its part is never taken for one).
    runtimes: Vec<Runtime>,
    /// A hash of what expanding macros across files reads of it (an own file's, in a
    /// resident run): its macros and each module's path and macro calls.
    macros: u128,
}

/// A file's part of the fingerprints (`own`: one of the context's own files).
fn part_of(f: &mut IndexedFile, own: bool, resident: bool) -> Part {
    let paths = std::mem::take(&mut f.facts.paths);
    let (entries, whole) = entries_of(&f.path, &mut f.facts);
    f.facts.paths = paths;
    let mut runtimes = Vec::new();
    let mut macros = 0;
    if own {
        let imports = f.facts.modules.iter().flat_map(|m| &m.uses);
        runtimes = (f.facts.paths.iter())
            .chain(imports.map(|u| &u.target))
            .filter_map(|p| Runtime::of_crate(p.first()?))
            .collect();
        runtimes.sort_by_key(|r| *r as u8);
        runtimes.dedup();
        if resident {
            let calls: Vec<_> = (f.facts.modules.iter())
                .map(|m| (&m.inline_path, &m.macro_calls))
                .collect();
            let read = (&f.facts.macro_defs, calls);
            macros = xxhash_rust::xxh3::xxh3_128(&postcard::to_allocvec(&read).unwrap_or_default());
        }
    }
    Part {
        entries,
        whole,
        read: f.facts.read,
        runtimes,
        macros,
    }
}

/// What calls of macros another own file defines make (see
/// [`crate::index::facts::expand_across_files`]), with the entries and wholes of their facts.
#[derive(Default)]
pub(super) struct Expanded {
    pub facts: Vec<FileFacts>,
    entries: Vec<(u32, u64)>,
    wholes: Vec<u128>,
}

fn expand(files: &[IndexedFile], own_count: usize) -> Expanded {
    let own_facts: Vec<&FileFacts> = files[..own_count].iter().map(|f| &f.facts).collect();
    let mut out = Expanded::default();
    for (i, modules) in crate::index::facts::expand_across_files(&own_facts) {
        let mut facts = FileFacts {
            modules,
            ..FileFacts::default()
        };
        let (entries, whole) = entries_of(&files[i].path, &mut facts);
        out.entries.extend(entries);
        out.wholes.push(whole);
        out.facts.push(facts);
    }
    out
}

/// Each context's fingerprint parts at the last check of this process, per context root (the
/// language server checks again and again).
mod kept {
    use super::{Arc, Expanded, NameSums, Part};
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    pub(in super::super) struct Kept {
        /// The context's files, in order.
        pub paths: Vec<PathBuf>,
        pub first_file: usize,
        /// Each file's [`super::part_key`].
        pub keys: Vec<Option<u128>>,
        pub parts: Vec<Arc<Part>>,
        pub sums: Arc<NameSums>,
        /// Tells these sums from any other state of them.
        pub generation: u64,
        pub expanded: Arc<Expanded>,
    }

    static KEPT: Mutex<Option<HashMap<PathBuf, Kept>>> = Mutex::new(None);

    pub(super) fn take(root: &Path) -> Option<Kept> {
        let mut all = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        all.get_or_insert_with(HashMap::new).remove(root)
    }

    pub(super) fn keep(root: &Path, kept: Kept) {
        let mut all = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        all.get_or_insert_with(HashMap::new)
            .insert(root.to_path_buf(), kept);
    }
}
use kept::Kept;

/// A context's fingerprints: of what a walk reads besides its own file and the index entries
/// it names, per name of those entries, and of what its index and knowledge are built from.
pub(super) struct Fingerprints {
    pub walk: u128,
    pub index: u128,
    pub names: Names,
    /// The facts that calls of macros another file defines make (their entries are in
    /// `names`), for [`affected`].
    pub expanded: Arc<Expanded>,
}

/// The per-name hashes of a context's fingerprints.
pub(super) enum Names {
    /// Added up from scratch (nothing kept in the process).
    Full(NameHashes),
    /// Kept in the process ([`NameSums`]): `generation` tells this state of the sums from any
    /// other; `changes`, the names whose hash changed since the state `since` of the last
    /// check (`None`: not known, the context's files changed).
    Kept {
        sums: Arc<NameSums>,
        generation: u64,
        changes: Option<(u64, name_sums::Changes)>,
    },
}

/// Drops the walk cache's entries whose walk may read differently under `names` (see
/// [`affected`]) and takes `names` as what the rest stand for. When the cache stands for the
/// state of the sums the last check of this process left, only the names that changed since
/// are looked at.
pub(super) fn retain_unaffected(
    cache: &mut WalkCache,
    names: Names,
    files: &[IndexedFile],
    expanded: &[FileFacts],
) {
    match names {
        Names::Kept {
            generation,
            changes: Some((since, changes)),
            ..
        } if cache.names_generation() == Some(since) => {
            let changed = changes.iter().map(|(k, _)| *k).collect();
            let none_stored = cache.stored_names().is_empty();
            let affected = affected_by(none_stored, changed, files, expanded);
            cache.retain_unaffected_by(affected.as_ref(), &changes, generation);
        }
        Names::Full(now) => {
            let affected = affected(cache.stored_names(), &now, files, expanded);
            cache.retain_unaffected(affected.as_ref(), now, None);
        }
        Names::Kept {
            sums, generation, ..
        } => {
            let now = sums.to_map();
            let affected = affected(cache.stored_names(), &now, files, expanded);
            cache.retain_unaffected(affected.as_ref(), now, Some(generation));
        }
    }
}

/// The entries of a file's index facts (`facts`, its paths taken out): each (name, entry
/// hash), and the hash of the whole with the lines of fns (taken out for the entries' hashes,
/// then put back).
fn entries_of(path: &Path, facts: &mut FileFacts) -> (Vec<(u32, u64)>, u128) {
    let lines = take_lines(facts);
    let path_hash = xxhash_rust::xxh3::xxh3_64(path.as_os_str().as_encoded_bytes());
    let mut names = Vec::new();
    let mut whole = Xxh3::new();
    for_each_entry(facts, |module, keys, bytes| {
        let mut h = Xxh3::new();
        h.update(&path_hash.to_le_bytes());
        h.update(format!("{module:?}").as_bytes());
        h.update(bytes);
        let entry = h.digest();
        whole.update(&entry.to_le_bytes());
        for key in keys {
            names.push((*key, entry));
        }
    });
    whole.update(&postcard::to_allocvec(&lines).unwrap_or_default());
    put_lines(facts, lines);
    (names, whole.digest128())
}

/// Calls `each` with every entry of a file's index facts: the inline module path it is in, the
/// names it is found by, and its bytes (postcard).
fn for_each_entry(
    facts: &FileFacts,
    mut each: impl FnMut(&[crate::symbol::Symbol], &[u32], &[u8]),
) {
    let bytes = |v: &dyn Fn() -> Result<Vec<u8>, postcard::Error>| v().unwrap_or_default();
    for m in &facts.modules {
        let path = m.inline_path.as_slice();
        if let Some(last) = path.last() {
            each(path, &[name_id(last)], &[]);
        }
        for d in &m.out_of_line {
            each(
                path,
                &[name_id(&d.name)],
                &bytes(&|| postcard::to_allocvec(d)),
            );
        }
        for u in &m.uses {
            let key = if u.glob { WILDCARD } else { name_id(&u.alias) };
            each(path, &[key], &bytes(&|| postcard::to_allocvec(u)));
        }
        for f in &m.fns {
            each(
                path,
                &[name_id(&f.name)],
                &bytes(&|| postcard::to_allocvec(f)),
            );
        }
        for t in &m.types {
            let keys: Vec<u32> = std::iter::once(t.name.as_str())
                .chain(t.fields.iter().map(|(n, _)| n.as_str()))
                .map(name_id)
                .collect();
            each(path, &keys, &bytes(&|| postcard::to_allocvec(t)));
        }
        for i in &m.impls {
            let b = bytes(&|| postcard::to_allocvec(i));
            // The self type and the trait, by every name their paths hold (over-approximate).
            let mut keys = Vec::new();
            tokens(
                &bytes(&|| postcard::to_allocvec(&(&i.self_ty, &i.trait_path))),
                true,
                &mut keys,
            );
            keys.extend(i.fns.iter().map(|f| name_id(&f.name)));
            keys.extend(i.assoc_types.iter().map(|(n, _)| name_id(n)));
            each(path, &keys, &b);
        }
        for (name, fns) in &m.traits {
            let mut keys = vec![name_id(name)];
            keys.extend(fns.iter().map(|f| name_id(&f.name)));
            each(path, &keys, &bytes(&|| postcard::to_allocvec(&(name, fns))));
        }
        for i in &m.includes {
            each(path, &[WILDCARD], i.as_bytes());
        }
    }
}

/// The name that stands for "any name": an entry found by it (a glob import, an `include!`)
/// changes what any name may resolve to.
pub(crate) const WILDCARD: u32 = 0;

/// The id of a name (a hash; 0 is kept for [`WILDCARD`]).
pub(crate) fn name_id(name: &str) -> u32 {
    (xxhash_rust::xxh3::xxh3_64(name.as_bytes()) as u32).max(1)
}

/// The ids of the identifiers in `bytes`, added to `out`. With `tails` (the strings inside an
/// encoded entry, where a byte that encodes a length may be glued to the string after it),
/// each identifier's tail after its first character too.
pub(crate) fn tokens(bytes: &[u8], tails: bool, out: &mut Vec<u32>) {
    let is_start = |b: u8| b.is_ascii_alphabetic() || b == b'_' || b >= 0x80;
    let is_part = |b: u8| is_start(b) || b.is_ascii_digit();
    let mut i = 0;
    while i < bytes.len() {
        if !is_start(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_part(bytes[i]) {
            i += 1;
        }
        let word = &bytes[start..i];
        out.push((xxhash_rust::xxh3::xxh3_64(word) as u32).max(1));
        if tails && word.len() > 1 {
            out.push((xxhash_rust::xxh3::xxh3_64(&word[1..]) as u32).max(1));
        }
    }
}

/// The names whose entries may read differently now: those whose hash changed between
/// `before` and `now`, then every name of an entry that mentions one of them (a fn returning
/// a type whose impls changed is reached through the fn's name), until nothing is added.
/// `None`: anything may have changed (a glob import or an `include!` changed). `expanded`: the
/// facts macros make across files ([`Fingerprints::expanded`]), entries like the files'.
fn affected(
    before: &NameHashes,
    now: &NameHashes,
    files: &[IndexedFile],
    expanded: &[FileFacts],
) -> Option<std::collections::HashSet<u32>> {
    // Nothing stored: nothing to keep.
    if before.is_empty() {
        return None;
    }
    let changed = before.differing(now).into_iter().collect();
    affected_by(false, changed, files, expanded)
}

/// [`affected`], from the names whose hash changed (`none_stored`: the walk cache holds no
/// name hashes, so nothing is kept).
fn affected_by(
    none_stored: bool,
    mut changed: std::collections::HashSet<u32>,
    files: &[IndexedFile],
    expanded: &[FileFacts],
) -> Option<std::collections::HashSet<u32>> {
    if none_stored || changed.contains(&WILDCARD) {
        return None;
    }
    if changed.is_empty() {
        return Some(changed);
    }
    // Every entry with its names and the names it mentions.
    let all: Vec<&FileFacts> = files.iter().map(|f| &f.facts).chain(expanded).collect();
    let entries: Vec<(Vec<u32>, Vec<u32>)> = all
        .par_iter()
        .flat_map_iter(|facts| {
            let mut out = Vec::new();
            for_each_entry(facts, |_, keys, bytes| {
                let mut mentions = Vec::new();
                tokens(bytes, true, &mut mentions);
                mentions.sort_unstable();
                mentions.dedup();
                out.push((keys.to_vec(), mentions));
            });
            out
        })
        .collect();
    let mut done = vec![false; entries.len()];
    loop {
        let mut added = false;
        for (i, (keys, mentions)) in entries.iter().enumerate() {
            if !done[i] && mentions.iter().any(|m| changed.contains(m)) {
                done[i] = true;
                for k in keys {
                    added |= changed.insert(*k);
                }
            }
        }
        if !added {
            break;
        }
    }
    if changed.contains(&WILDCARD) {
        return None;
    }
    Some(changed)
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
fn take_lines(facts: &mut FileFacts) -> Vec<u32> {
    sigs_mut(facts)
        .map(|s| std::mem::take(&mut s.line))
        .collect()
}

fn put_lines(facts: &mut FileFacts, lines: Vec<u32>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    type Texts = Vec<(&'static str, Option<&'static str>)>;

    fn part(entries: Vec<(u32, u64)>) -> Arc<Part> {
        Arc::new(Part {
            entries,
            whole: 0,
            read: true,
            runtimes: Vec::new(),
            macros: 0,
        })
    }

    #[test]
    fn a_check_that_keeps_nothing_takes_the_longest_list_and_copies_a_shared_one() {
        let pairs = || vec![(7, 70), (1, 10), (3, 30), (5, 50)];
        // A large file beside files with no pairs: its list is the result, not a copy.
        let longest = pairs();
        let buffer = longest.as_ptr();
        let mut parts = vec![part(Vec::new()), part(longest), part(Vec::new())];
        let all = take_entries(&mut parts);
        assert_eq!(
            all.as_ptr(),
            buffer,
            "the longest list is the result, not a copy"
        );
        assert_eq!(all, pairs());
        // Several lists, one of them in a part something else holds.
        let shared = part(vec![(1, 11)]);
        let mut parts = vec![part(vec![(2, 20)]), part(pairs()), shared.clone()];
        let mut all = take_entries(&mut parts);
        all.sort_unstable();
        let every = [(1, 10), (1, 11), (2, 20), (3, 30), (5, 50), (7, 70)];
        assert_eq!(all, every);
        assert!(parts[0].entries.is_empty() && parts[1].entries.is_empty());
        assert_eq!(
            shared.entries,
            [(1, 11)],
            "a part held elsewhere keeps its list"
        );
        assert!(take_entries(&mut []).is_empty());
    }

    fn names_of(names: &Names) -> NameHashes {
        match names {
            Names::Full(map) => map.clone(),
            Names::Kept { sums, .. } => sums.to_map(),
        }
    }

    /// A check of `texts` (path, text; `None`: unreadable) with the last `deps` files the
    /// dependencies' (reused as the last check loaded them with `reused`), resident or not.
    fn check(
        root: &Path,
        texts: &[(&str, Option<&str>)],
        deps: usize,
        reused: bool,
        resident: bool,
    ) -> Fingerprints {
        let mut files: Vec<IndexedFile> = texts
            .iter()
            .map(|(p, t)| IndexedFile {
                path: root.join(p),
                facts: t.map(FileFacts::of_text).unwrap_or_default(),
            })
            .collect();
        let own = texts.len() - deps;
        let hashes: Vec<Option<u128>> = texts[..own]
            .iter()
            .map(|(_, t)| t.map(|t| crate::files::content_hash(t.as_bytes())))
            .collect();
        let deps = ContextDeps {
            first_file: own,
            reused,
            ..ContextDeps::default()
        };
        let file_parts = parts(root, &mut files, &hashes, &deps, resident);
        fingerprint(root, root, &[], &files, file_parts, &deps, None, resident)
    }

    /// The fingerprints a resident check updates from the last one's are those added up from
    /// scratch, after each kind of edit; and the names it says changed are those whose hash
    /// differs from the last check's.
    #[test]
    fn kept_parts_updated_by_what_changed_give_the_fingerprints_from_scratch() {
        let root = PathBuf::from("/reuse-test/kept-parts");
        let lib = "#[macro_use]\nmod defs;\nmod a;\nmod b;\nuse tokio::task;\n";
        let defs = "macro_rules! make {\n    ($n:ident) => { pub async fn $n() {} };\n}\n";
        let defs2 = "macro_rules! make {\n    ($n:ident) => { pub fn $n() {} };\n}\n";
        let a = "make!(save);\npub fn helper() -> u32 { 1 }\n";
        let a_async = "make!(save);\npub async fn helper() -> u32 { 1 }\n";
        let a_store = "make!(store);\npub async fn helper() -> u32 { 1 }\n";
        let b = "pub async fn run() { crate::a::helper(); }\n";
        let b_body = "pub async fn run() { let _ = 2; crate::a::helper(); }\n";
        let b_smol = "pub async fn run() { smol::spawn(crate::a::helper()); }\n";
        let dep = "pub async fn dep_fn() {}\n";
        // The files of a step: lib.rs, defs.rs, a.rs (`None`: unreadable; gone with `gone`),
        // b.rs, and a dependency's file.
        let files = |defs, a: Option<&'static str>, gone: bool, b| -> Texts {
            let mut t = vec![("lib.rs", Some(lib)), ("defs.rs", Some(defs))];
            if !gone {
                t.push(("a.rs", a));
            }
            t.extend([("b.rs", Some(b)), ("dep.rs", Some(dep))]);
            t
        };
        let steps: Vec<(Texts, bool)> = vec![
            (files(defs, Some(a), false, b), false),
            // A body edited; the dependencies reused.
            (files(defs, Some(a), false, b_body), true),
            // A signature; a macro call; a macro's rules; another runtime named.
            (files(defs, Some(a_async), false, b_body), true),
            (files(defs, Some(a_store), false, b_body), true),
            (files(defs2, Some(a_store), false, b_body), true),
            (files(defs2, Some(a_store), false, b_smol), true),
            // Unreadable, twice; the dependencies loaded again.
            (files(defs2, None, false, b_smol), true),
            (files(defs2, None, false, b_smol), false),
            // A file gone, then back.
            (files(defs2, None, true, b_smol), true),
            (files(defs, Some(a), false, b), true),
            // Nothing changed.
            (files(defs, Some(a), false, b), true),
        ];
        let mut last: Option<(NameHashes, u64)> = None;
        for (step, (texts, reused)) in steps.iter().enumerate() {
            let fresh = check(&root, texts, 1, *reused, false);
            let kept = check(&root, texts, 1, *reused, true);
            assert_eq!(
                (kept.walk, kept.index),
                (fresh.walk, fresh.index),
                "step {step}"
            );
            let now = names_of(&fresh.names);
            assert_eq!(names_of(&kept.names), now, "step {step}");
            assert_eq!(kept.expanded.facts, fresh.expanded.facts, "step {step}");
            let Names::Kept {
                generation,
                changes,
                ..
            } = kept.names
            else {
                panic!("a resident check keeps its sums");
            };
            // The names said to have changed are those whose hash differs, when known.
            let same_files = step > 0 && steps[step - 1].0.len() == texts.len();
            assert_eq!(changes.is_some(), same_files, "step {step}");
            if let (Some((since, changes)), Some((before, last_generation))) = (changes, &last) {
                assert_eq!(since, *last_generation, "step {step}");
                let differ: Vec<(u32, Option<u64>)> = (before.differing(&now).into_iter())
                    .map(|k| (k, now.get(k)))
                    .collect();
                assert_eq!(changes, differ, "step {step}");
                // A body, the runtime a body names (in `walk`), the same dependencies loaded
                // again, nothing: no name changed.
                let body_only = [1, 5, 7, 10].contains(&step);
                assert_eq!(changes.is_empty(), body_only, "step {step}: {changes:?}");
            }
            last = Some((now, generation));
        }
    }
}
