//! Walks reused from the last run (see [`crate::walk_cache`]): each context's fingerprint, the
//! sum of everything a file's walk reads besides the file's own text.

use super::dependencies::ContextDeps;
use crate::config::Config;
use crate::index::facts::{FileFacts, FnSig};
use crate::index::IndexedFile;
use crate::knowledge::runtimes::Runtime;
use crate::walk_cache::NameHashes;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::OnceLock;
use xxhash_rust::xxh3::Xxh3;

/// The fingerprints of a context.
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
/// them have none); with `resident`, each file's part is kept in memory by its content hash
/// for the next check of this process.
#[allow(clippy::too_many_arguments)]
pub(super) fn fingerprint(
    cwd: &Path,
    root: &Path,
    roots: &[crate::discover::CrateRoot],
    files: &mut [IndexedFile],
    hashes: &[Option<u128>],
    deps: &ContextDeps,
    config: Option<&Config>,
    resident: bool,
) -> Fingerprints {
    let kept = match resident {
        true => kept_prints::take(root),
        false => HashMap::new(),
    };
    let per_file: Vec<PerFile> = files
        .par_iter_mut()
        .enumerate()
        .map(|(i, f)| {
            let hash = part_key(hashes, i, deps).filter(|_| i < deps.first_file || deps.reused);
            if let Some((h, part)) = kept.get(&f.path) {
                if Some(*h) == hash {
                    return part.clone();
                }
            }
            let paths = std::mem::take(&mut f.facts.paths);
            let (names, whole) = entries_of(&f.path, &mut f.facts);
            f.facts.paths = paths;
            (Arc::new(names), whole, f.facts.read)
        })
        .collect();
    if resident {
        let parts = files.iter().zip(&per_file).enumerate();
        let now = parts
            .filter_map(|(i, (f, part))| {
                let hash = part_key(hashes, i, deps)?;
                Some((f.path.clone(), (hash, part.clone())))
            })
            .collect();
        kept_prints::keep(root, now);
        std::thread::spawn(move || drop(kept));
    }
    let mut h = Xxh3::new();
    h.update(build_identity().as_bytes());
    h.update(cwd.as_os_str().as_encoded_bytes());
    let mut names = NameHashes::new();
    let mut index = Xxh3::new();
    for (f, (entries, whole, read)) in files.iter().zip(per_file) {
        if !read {
            h.update(f.path.as_os_str().as_encoded_bytes());
        }
        for &(key, entry) in entries.iter() {
            let sum = names.entry(key).or_default();
            *sum = sum.wrapping_add(entry);
        }
        index.update(&whole.to_le_bytes());
    }
    // What calls of macros another file defines expand to (the index's entries of the calling
    // file, made from both files' facts): summed apart, as no one file's part holds them.
    let own_facts: Vec<&FileFacts> = files[..deps.first_file.min(files.len())]
        .iter()
        .map(|f| &f.facts)
        .collect();
    let mut expanded = Vec::new();
    for (i, modules) in crate::index::facts::expand_across_files(&own_facts) {
        let mut facts = FileFacts {
            modules,
            ..FileFacts::default()
        };
        let (entries, whole) = entries_of(&files[i].path, &mut facts);
        for (key, entry) in entries {
            let sum = names.entry(key).or_default();
            *sum = sum.wrapping_add(entry);
        }
        index.update(&whole.to_le_bytes());
        expanded.push(facts);
    }
    // The runtime the context's own files name (the index's, which the walk puts in its
    // facts): from the paths and imports of every own file, paths being out of the names.
    let own = &files[..deps.first_file.min(files.len())];
    let imports = own
        .iter()
        .flat_map(|f| &f.facts.modules)
        .flat_map(|m| &m.uses);
    let mut named: Vec<Runtime> = own
        .iter()
        .flat_map(|f| &f.facts.paths)
        .chain(imports.map(|u| &u.target))
        .filter_map(|p| Runtime::of_crate(p.first()?))
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
    Fingerprints {
        walk,
        index: index.digest128(),
        names,
        expanded,
    }
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

/// One file's part of the fingerprints: each (name, entry hash), the hash of the whole with
/// the lines of fns, and whether it was read as Rust.
type PerFile = (Arc<Vec<(u32, u64)>>, u128, bool);

/// Each file's part of the fingerprints at the last check of this process, per context root,
/// by content hash (the language server checks again and again).
mod kept_prints {
    use super::PerFile;
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    type Kept = HashMap<PathBuf, (u128, PerFile)>;
    static KEPT: Mutex<Option<HashMap<PathBuf, Kept>>> = Mutex::new(None);

    pub(super) fn take(root: &Path) -> Kept {
        let mut all = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        all.get_or_insert_with(HashMap::new)
            .remove(root)
            .unwrap_or_default()
    }

    pub(super) fn keep(root: &Path, kept: Kept) {
        let mut all = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        all.get_or_insert_with(HashMap::new)
            .insert(root.to_path_buf(), kept);
    }
}

/// A context's fingerprints: of what a walk reads besides its own file and the index entries
/// it names, per name of those entries, and of what its index and knowledge are built from.
pub(super) struct Fingerprints {
    pub walk: u128,
    pub index: u128,
    pub names: NameHashes,
    /// The facts that calls of macros another file defines make (their entries are in
    /// `names`), for [`affected`].
    pub expanded: Vec<FileFacts>,
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
pub(super) fn affected(
    before: &NameHashes,
    now: &NameHashes,
    files: &[IndexedFile],
    expanded: &[FileFacts],
) -> Option<std::collections::HashSet<u32>> {
    // Nothing stored: nothing to keep.
    if before.is_empty() {
        return None;
    }
    let mut changed: std::collections::HashSet<u32> = before
        .iter()
        .filter(|(k, v)| now.get(k) != Some(v))
        .map(|(k, _)| *k)
        .collect();
    changed.extend(now.keys().filter(|k| !before.contains_key(k)));
    if changed.contains(&WILDCARD) {
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
        // Unshared while the facts are being read: no copy.
        m.fns
            .iter_mut()
            .chain(in_impls)
            .chain(in_traits)
            .map(std::sync::Arc::make_mut)
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
