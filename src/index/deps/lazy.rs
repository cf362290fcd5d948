//! Loading a dependency crate module by module, only where a path leads: `crate::a::b` is
//! followed through `mod` declarations (`#[path]` too), `use` re-exports (across crates:
//! `futures::future::join_all` → `futures_util`) and glob re-exports; the module an item is
//! found in is indexed whole (its impls come with it), and the types its signatures name are
//! followed a few steps further, so the declared return types of what the code calls are known.
//! Nothing else of the crate is read: a path into `windows-sys` parses the files on the way.

use super::cache::CrateCache;
use super::macros;
use crate::index::facts::{FileFacts, ModFacts, TypeKind};
use crate::index::types::Ty;
use crate::symbol::Symbol;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How many steps of signature types are followed from an item the code names.
pub const HOPS: u8 = 2;
/// Bounds one context's loading, whatever the crates look like.
const MAX_STEPS: usize = 200_000;
const MAX_DEPTH: usize = 24;
/// Above this many glob imports, a module's globs are searched by name only.
const MANY_GLOBS: usize = 16;
/// A dependency file larger than this is not read.
const MAX_FILE_BYTES: u64 = 8 << 20;

/// What the contexts of one run share of the dependencies they read, so that a crate several
/// contexts use is searched for its macros, its files parsed and its folders scanned once a run,
/// not once a context: by the crate's root file, its macros; by (root file, file), the file's
/// content hash and facts — what [`Loader::facts_of`] would make again, since a file's facts
/// depend only on its text and its crate's macros; by folder, the inherent impls its files
/// write.
#[derive(Default)]
pub struct Shared {
    macros: Mutex<HashMap<PathBuf, CrateMacros>>,
    files: Mutex<HashMap<(PathBuf, PathBuf), (u128, FileFacts)>>,
    /// By folder, the inherent impls its files write (see [`super::impl_scan`]).
    impl_scans: Mutex<HashMap<PathBuf, Arc<super::impl_scan::ImplFiles>>>,
}

/// A crate's item-forwarding macros and its other crate-wide `macro_rules!` (name, rules).
type CrateMacros = (HashSet<String>, Vec<(String, String)>);

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared")
    }
}

impl Shared {
    fn macros(&self, root: &Path) -> Option<CrateMacros> {
        self.macros.lock().ok()?.get(root).cloned()
    }

    fn set_macros(&self, root: &Path, found: &CrateMacros) {
        if let Ok(mut m) = self.macros.lock() {
            m.entry(root.to_path_buf()).or_insert_with(|| found.clone());
        }
    }

    /// The facts of `path` of the crate rooted at `root`, when its content hash is `hash`.
    fn file(&self, root: &Path, path: &Path, hash: u128) -> Option<FileFacts> {
        let files = self.files.lock().ok()?;
        let (h, facts) = files.get(&(root.to_path_buf(), path.to_path_buf()))?;
        (hash == *h).then(|| facts.clone())
    }

    /// The facts of `path` of the crate rooted at `root` with the hash of the text they were
    /// made from, whatever that text is now (a registry crate's files never change).
    fn file_with_hash(&self, root: &Path, path: &Path) -> Option<(u128, FileFacts)> {
        let files = self.files.lock().ok()?;
        files
            .get(&(root.to_path_buf(), path.to_path_buf()))
            .map(|(h, f)| (*h, f.clone()))
    }

    /// The inherent impls the files of folder `dir` write, scanned once a run.
    fn impl_scan(&self, dir: &Path) -> Arc<super::impl_scan::ImplFiles> {
        if let Some(found) = self
            .impl_scans
            .lock()
            .ok()
            .and_then(|s| s.get(dir).cloned())
        {
            return found;
        }
        let found = Arc::new(super::impl_scan::scan(dir, MAX_FILE_BYTES));
        if let Ok(mut scans) = self.impl_scans.lock() {
            scans.insert(dir.to_path_buf(), found.clone());
        }
        found
    }

    fn set_file(&self, root: &Path, path: &Path, hash: u128, facts: &FileFacts) {
        if let Ok(mut files) = self.files.lock() {
            files
                .entry((root.to_path_buf(), path.to_path_buf()))
                .or_insert_with(|| (hash, facts.clone()));
        }
    }
}

/// What a dependency's name stands for in the code of a crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ext {
    /// A dependency crate, by its number in [`Loader::crates`].
    Crate(usize),
    /// A crate of the analysed workspace, by its root file.
    Workspace(PathBuf),
    /// Declared, but its sources are not on disk (what to show the user).
    Missing(String),
    /// Declared, but not enabled or not resolvable (silently unknown).
    Unknown,
}

/// A dependency crate found on disk.
pub struct Crate {
    /// `futures_util`.
    pub lib_name: String,
    pub dir: PathBuf,
    pub root_file: PathBuf,
    /// (name, version) in the lock (for its own dependencies), when known.
    pub locked: Option<(String, String)>,
    /// Sort key among crates of one library name (the highest version keeps the plain name).
    pub version: Option<semver::Version>,
    pub cache: CrateCache,
    /// The crate's own dependencies, resolved when first needed.
    pub externs: Option<HashMap<String, Ext>>,
    forwarding: Option<HashSet<String>>,
    /// Its other `macro_rules!` defined where every file sees them (the root file, its macro
    /// modules), by name: their calls are read as what they certainly expand to.
    macro_defs: HashMap<String, String>,
    /// The root file's facts, extracted from the parse the search for its macros made (with
    /// the content hash of the text read): `load_file` takes them instead of parsing it again.
    root_facts: Option<(u128, FileFacts)>,
    /// Its root module, once opened.
    pub root_mod: Option<usize>,
    /// The root file could not be read or parsed: the crate is unknown.
    failed: bool,
}

impl Crate {
    pub fn new(
        lib_name: String,
        dir: PathBuf,
        root_file: PathBuf,
        locked: Option<(String, String)>,
        cache: CrateCache,
    ) -> Crate {
        let version = locked
            .as_ref()
            .and_then(|(_, v)| semver::Version::parse(v).ok());
        Crate {
            lib_name,
            dir,
            root_file,
            locked,
            version,
            cache,
            externs: None,
            forwarding: None,
            macro_defs: Default::default(),
            root_facts: None,
            root_mod: None,
            failed: false,
        }
    }
}

pub struct LoadedFile {
    pub path: PathBuf,
    pub facts: FileFacts,
    /// Like a `mod.rs`: its `mod x;` children are in its own folder.
    mod_rs: bool,
}

struct Module {
    krate: usize,
    file: usize,
    /// Its entry in the file's `facts.modules`.
    facts: usize,
    /// Every name it declares or imports (child modules too), for quick misses.
    names: HashSet<Symbol>,
    inline_path: Vec<Symbol>,
    parent: Option<usize>,
    children: HashMap<String, Option<usize>>,
    /// The most signature steps already followed from here.
    hops_done: Option<u8>,
}

/// Resolves a crate's dependency names (done by the caller, who knows manifests and locks).
pub trait Resolver {
    fn externs(&mut self, loader: &mut Loader, krate: usize) -> HashMap<String, Ext>;
}

#[derive(Default)]
pub struct Loader {
    pub crates: Vec<Crate>,
    pub files: Vec<LoadedFile>,
    file_ids: HashMap<PathBuf, usize>,
    modules: Vec<Module>,
    /// (file, inline path) → module.
    module_at: HashMap<(usize, Vec<Symbol>), usize>,
    /// Problems worth a note (a file that does not parse, a symlink loop, ...).
    pub notes: Vec<String>,
    steps: usize,
    /// Globs being expanded (no cycles).
    expanding: HashSet<usize>,
    /// (module, path, glob) already followed → with how many hops.
    walked: HashMap<(usize, Vec<Symbol>, bool), u8>,
    /// What the other contexts of the run have read already.
    pub shared: Arc<Shared>,
}

impl Loader {
    fn take_step(&mut self) -> bool {
        self.steps += 1;
        self.steps <= MAX_STEPS
    }

    /// Follows `segs` (without the crate name) from the root of crate `krate`.
    pub fn request(&mut self, r: &mut dyn Resolver, krate: usize, segs: &[Symbol], glob: bool) {
        if let Some(root) = self.open_crate(krate) {
            self.walk(r, root, segs, HOPS, glob, 0);
        }
    }

    /// The root module of crate `krate`, opening it (reading its root file and its item-forwarding
    /// macros) the first time.
    pub fn open_crate(&mut self, krate: usize) -> Option<usize> {
        if let Some(m) = self.crates[krate].root_mod {
            return Some(m);
        }
        if self.crates[krate].failed {
            return None;
        }
        self.crates[krate].failed = true;
        let root_file = self.crates[krate].root_file.clone();
        if self.crates[krate].forwarding.is_none() {
            let cached = self.crates[krate]
                .cache
                .macros()
                .map(|(m, d)| (m.iter().cloned().collect::<HashSet<String>>(), d.to_vec()))
                .or_else(|| self.shared.macros(&root_file));
            let (set, defs) = match cached {
                Some(found) => found,
                None => {
                    let (set, defs, root) = self.find_forwarding_macros(krate);
                    let defs_map: HashMap<String, String> = defs.iter().cloned().collect();
                    // The root file's facts from the parse already made: its macros are all
                    // known now, so they are what `extract` would give on a second parse.
                    if let Some((hash, ast)) = root {
                        let ast = std::panic::AssertUnwindSafe(ast);
                        let facts = std::panic::catch_unwind(|| {
                            let std::panic::AssertUnwindSafe(ast) = ast;
                            extract_parsed(ast, &set, &defs_map)
                        })
                        .ok()
                        .flatten();
                        self.crates[krate].root_facts = facts.map(|f| (hash, f));
                    }
                    // The spans of the files the search parsed (kept until now for the root's).
                    proc_macro2::extra::invalidate_current_thread_spans();
                    let found = (set, defs);
                    self.shared.set_macros(&root_file, &found);
                    found
                }
            };
            let mut list: Vec<String> = set.iter().cloned().collect();
            list.sort();
            self.crates[krate].cache.set_macros(list, defs.clone());
            self.crates[krate].macro_defs = defs.into_iter().collect();
            self.crates[krate].forwarding = Some(set);
        }
        let fid = self.load_file(krate, &root_file, true)?;
        let m = self.module_at.get(&(fid, Vec::new())).copied()?;
        self.crates[krate].root_mod = Some(m);
        self.crates[krate].failed = false;
        Some(m)
    }

    /// The `macro_rules!` of the root file and of the modules it declares `#[macro_use]` (or
    /// names like `macros`, whose macros are imported by path), recursively: those that forward
    /// items, and the others, (name, rules) each, a name defined twice differently left out;
    /// and the root file's parse with the content hash of its text, kept for its facts.
    #[allow(clippy::type_complexity)]
    fn find_forwarding_macros(
        &mut self,
        krate: usize,
    ) -> (
        HashSet<String>,
        Vec<(String, String)>,
        Option<(u128, syn::File)>,
    ) {
        let mut root = None;
        let mut set = HashSet::new();
        let mut defs: HashMap<String, Option<String>> = HashMap::new();
        let mut todo = vec![(self.crates[krate].root_file.clone(), true, 0)];
        while let Some((file, mod_rs, depth)) = todo.pop() {
            if depth > 4 {
                continue;
            }
            let Some((text, ast)) = read_text(&file)
                .ok()
                .and_then(|t| parse(&t).map(|ast| (t, ast)))
            else {
                continue;
            };
            macros::forwarding_macros(&ast.items, &mut set);
            for (name, rules) in crate::index::macro_expand::definitions(&ast.items) {
                if !crate::index::macro_expand::may_write_items(&rules) {
                    continue;
                }
                let rules = rules.to_string();
                defs.entry(name)
                    .and_modify(|old| {
                        if old.as_ref() != Some(&rules) {
                            *old = None;
                        }
                    })
                    .or_insert(Some(rules));
            }
            for item in &ast.items {
                let syn::Item::Mod(md) = item else { continue };
                let macro_use = md.attrs.iter().any(|a| a.path().is_ident("macro_use"));
                if md.content.is_some() || !(macro_use || md.ident.to_string().contains("macro")) {
                    continue;
                }
                let decl = crate::index::facts::ModDecl {
                    name: md.ident.to_string().into(),
                    path_attr: crate::index::facts::path_attr(&md.attrs),
                    cfg_paths: Vec::new(),
                };
                if let Some(child) = child_file(&file, mod_rs, &[], &decl) {
                    // `macros/mod.rs` is a directory's module, as `#[path]` files are: its own
                    // `mod cfg;` is `macros/cfg.rs`.
                    let child_mod_rs = decl.path_attr.is_some()
                        || child.file_name().is_some_and(|n| n == "mod.rs");
                    todo.push((child, child_mod_rs, depth + 1));
                }
            }
            // Spans are invalidated by the caller, once the root's facts are taken.
            if depth == 0 {
                root = Some((crate::files::content_hash(text.as_bytes()), ast));
            }
        }
        let mut defs: Vec<(String, String)> = defs
            .into_iter()
            .filter(|(name, _)| !set.contains(name))
            .filter_map(|(name, rules)| Some((name, rules?)))
            .collect();
        defs.sort();
        (set, defs, root)
    }

    /// Reads, parses and registers a file of crate `krate` (once), with a module for its top
    /// level and for each inline module.
    fn load_file(&mut self, krate: usize, path: &Path, mod_rs: bool) -> Option<usize> {
        if let Some(&f) = self.file_ids.get(path) {
            return Some(f);
        }
        let facts = self.facts_of(krate, path)?;
        let fid = self.files.len();
        self.files.push(LoadedFile {
            path: path.to_path_buf(),
            facts,
            mod_rs,
        });
        self.file_ids.insert(path.to_path_buf(), fid);
        // Modules in the order of their inline paths, parents first.
        let mut paths: Vec<(Vec<Symbol>, usize, HashSet<Symbol>)> = self.files[fid]
            .facts
            .modules
            .iter()
            .enumerate()
            .map(|(i, mf)| (mf.inline_path.clone(), i, names_of(mf)))
            .collect();
        paths.sort_by_key(|(p, _, _)| p.len());
        for (p, facts, names) in paths {
            let parent = if p.is_empty() {
                None
            } else {
                self.module_at
                    .get(&(fid, p[..p.len() - 1].to_vec()))
                    .copied()
            };
            let id = self.modules.len();
            if let (Some(pm), Some(last)) = (parent, p.last()) {
                self.modules[pm].names.insert(*last);
            }
            self.modules.push(Module {
                krate,
                file: fid,
                facts,
                names,
                inline_path: p.clone(),
                parent,
                children: HashMap::new(),
                hops_done: None,
            });
            self.module_at.insert((fid, p), id);
        }
        Some(fid)
    }

    fn facts_of(&mut self, krate: usize, path: &Path) -> Option<FileFacts> {
        let immutable = self.crates[krate].cache.is_immutable();
        if immutable {
            if let Some(f) = self.crates[krate].cache.get(path, None) {
                return Some(f);
            }
            let root = &self.crates[krate].root_file;
            if let Some((h, f)) = self.shared.file_with_hash(root, path) {
                self.crates[krate].cache.put(path, h, &f);
                return Some(f);
            }
        }
        let text = match read_text(path) {
            Ok(t) => t,
            Err(e) => {
                if let Some(e) = e {
                    self.notes.push(format!("{}: {e}", path.display()));
                }
                return None;
            }
        };
        let hash = crate::files::content_hash(text.as_bytes());
        if let Some(f) = self.crates[krate].cache.get(path, Some(hash)) {
            return Some(f);
        }
        let root = self.crates[krate].root_file.clone();
        if let Some(f) = self.shared.file(&root, path, hash) {
            self.crates[krate].cache.put(path, hash, &f);
            return Some(f);
        }
        if *path == root {
            if let Some((h, facts)) = self.crates[krate].root_facts.take() {
                if h == hash {
                    self.crates[krate].cache.put(path, hash, &facts);
                    self.shared.set_file(&root, path, hash, &facts);
                    return Some(facts);
                }
            }
        }
        let forwarding = self.crates[krate].forwarding.clone().unwrap_or_default();
        let defs = &self.crates[krate].macro_defs;
        let facts = std::panic::catch_unwind(|| extract(&text, &forwarding, defs))
            .ok()
            .flatten();
        proc_macro2::extra::invalidate_current_thread_spans();
        match facts {
            Some(facts) => {
                self.crates[krate].cache.put(path, hash, &facts);
                self.shared.set_file(&root, path, hash, &facts);
                Some(facts)
            }
            None => {
                self.notes.push(format!(
                    "{}: does not parse; the items of this dependency file are unknown",
                    path.display()
                ));
                None
            }
        }
    }

    fn mod_facts(&self, m: usize) -> Option<&ModFacts> {
        let module = &self.modules[m];
        self.files[module.file].facts.modules.get(module.facts)
    }

    /// The child module `name` of `m` (inline, or a `mod name;` file), loaded.
    fn child(&mut self, m: usize, name: &str) -> Option<usize> {
        if let Some(c) = self.modules[m].children.get(name) {
            return *c;
        }
        let found = self.find_child(m, name);
        self.modules[m].children.insert(name.to_string(), found);
        found
    }

    fn find_child(&mut self, m: usize, name: &str) -> Option<usize> {
        let module = &self.modules[m];
        let (fid, krate) = (module.file, module.krate);
        let mut inline = module.inline_path.clone();
        inline.push(Symbol::intern(name));
        if let Some(&c) = self.module_at.get(&(fid, inline)) {
            return Some(c);
        }
        let decl = self
            .mod_facts(m)?
            .out_of_line
            .iter()
            .find(|d| d.name == name)?
            .clone();
        let file = &self.files[fid];
        let path = child_file(&file.path, file.mod_rs, &self.modules[m].inline_path, &decl)?;
        // `x/mod.rs` (and a `#[path]` file) holds its children in its own folder.
        let mod_rs = decl.path_attr.is_some() || path.file_name().is_some_and(|n| n == "mod.rs");
        let child_fid = self.load_file(krate, &path, mod_rs)?;
        let c = self.module_at.get(&(child_fid, Vec::new())).copied()?;
        if self.modules[c].parent.is_none() && Some(c) != self.crates[krate].root_mod {
            self.modules[c].parent = Some(m);
        }
        Some(c)
    }

    /// Follows `segs` from module `m` (the first segment looked up in `m`'s scope only when
    /// `scoped`: a `use` path or a written type; else as a member of `m`).
    fn walk(
        &mut self,
        r: &mut dyn Resolver,
        m: usize,
        segs: &[Symbol],
        hops: u8,
        glob: bool,
        depth: usize,
    ) {
        if depth > MAX_DEPTH || !self.take_step() {
            return;
        }
        // The same path from the same module is followed once (with the most hops asked).
        let key = (m, segs.to_vec(), glob);
        match self.walked.get(&key) {
            Some(&h) if h >= hops => return,
            _ => {
                self.walked.insert(key, hops);
            }
        }
        let Some(first) = segs.first() else {
            if glob {
                self.expand_glob(r, m, hops, depth);
            }
            return;
        };
        let rest = &segs[1..];
        match first.as_str() {
            "self" => self.walk(r, m, rest, hops, glob, depth + 1),
            "super" => {
                if let Some(p) = self.parent(m) {
                    self.walk(r, p, rest, hops, glob, depth + 1)
                }
            }
            "crate" => {
                let root = self.crate_root_of(m);
                self.walk(r, root, rest, hops, glob, depth + 1)
            }
            name => self.member(r, m, name, rest, hops, glob, depth + 1),
        }
    }

    fn parent(&self, m: usize) -> Option<usize> {
        self.modules[m].parent
    }

    fn crate_root_of(&self, m: usize) -> usize {
        let k = self.modules[m].krate;
        self.crates[k].root_mod.unwrap_or(m)
    }

    /// `name` (then `rest`) as a member of module `m`.
    #[allow(clippy::too_many_arguments)]
    fn member(
        &mut self,
        r: &mut dyn Resolver,
        m: usize,
        name: &str,
        rest: &[Symbol],
        hops: u8,
        glob: bool,
        depth: usize,
    ) {
        let declared = self.modules[m].names.contains(name);
        if declared {
            if let Some(c) = self.child(m, name) {
                self.walk(r, c, rest, hops, glob, depth + 1);
                // `mod select; pub use self::select::select;`: the last segment names the
                // module and the item it re-exports (in two namespaces); follow both.
                if !rest.is_empty() {
                    return;
                }
            }
        }
        let Some(mf) = self.mod_facts(m) else { return };
        let import = mf
            .uses
            .iter()
            .find(|u| !u.glob && u.alias == name)
            .map(|u| u.target.to_vec());
        let defined = mf.fns.iter().any(|f| f.name == name)
            || mf.types.iter().any(|t| t.name == name)
            || mf.traits.iter().any(|(t, _)| t == name);
        // A module re-exporting hundreds of modules (`web-sys`'s `pub use gen_Window::*;` for
        // each type) is searched only where the module's name contains the name sought.
        let many = mf.uses.iter().filter(|u| u.glob).nth(MANY_GLOBS).is_some();
        let globs: Vec<Vec<Symbol>> = mf
            .uses
            .iter()
            .filter(|u| u.glob)
            .filter(|u| {
                !many
                    || u.target
                        .last()
                        .is_some_and(|l| contains_ignoring_case(l, name))
            })
            .map(|u| u.target.to_vec())
            .collect();
        if let Some(target) = import {
            let mut full = target;
            full.extend_from_slice(rest);
            return self.scoped(r, m, &full, hops, glob, depth + 1);
        }
        if defined {
            self.follow_signatures(r, m, hops, depth + 1);
            return;
        }
        for g in globs {
            let mut full = g;
            full.push(Symbol::intern(name));
            full.extend_from_slice(rest);
            self.scoped(r, m, &full, hops, glob, depth + 1);
        }
    }

    /// A path as written in module `m` (a `use` target, a type): `crate`, `self`, `super`, a
    /// member of `m`, else a dependency of `m`'s crate.
    fn scoped(
        &mut self,
        r: &mut dyn Resolver,
        m: usize,
        segs: &[Symbol],
        hops: u8,
        glob: bool,
        depth: usize,
    ) {
        if depth > MAX_DEPTH || !self.take_step() {
            return;
        }
        let Some(first) = segs.first() else { return };
        if matches!(first.as_str(), "crate" | "self" | "super") {
            return self.walk(r, m, segs, hops, glob, depth + 1);
        }
        if self.modules[m].names.contains(first) {
            return self.walk(r, m, segs, hops, glob, depth + 1);
        }
        let krate = self.modules[m].krate;
        if self.crates[krate].externs.is_none() {
            let externs = r.externs(self, krate);
            self.crates[krate].externs = Some(externs);
        }
        let ext = self.crates[krate]
            .externs
            .as_ref()
            .and_then(|e| e.get(first.as_str()).cloned());
        if let Some(Ext::Crate(dep)) = ext {
            if let Some(root) = self.open_crate(dep) {
                self.walk(r, root, &segs[1..], hops, glob, depth + 1);
            }
        }
    }

    /// Makes every name of module `m` known: its imports and its glob imports (once).
    fn expand_glob(&mut self, r: &mut dyn Resolver, m: usize, hops: u8, depth: usize) {
        if !self.expanding.insert(m) {
            return;
        }
        let Some(mf) = self.mod_facts(m) else { return };
        let uses: Vec<(bool, Box<[Symbol]>)> =
            mf.uses.iter().map(|u| (u.glob, u.target.clone())).collect();
        self.follow_signatures(r, m, hops, depth + 1);
        for (glob, target) in uses {
            self.scoped(r, m, &target, hops, glob, depth + 1);
        }
    }

    /// The types that the signatures, fields and aliases of module `m` name, `hops` steps deep.
    fn follow_signatures(&mut self, r: &mut dyn Resolver, m: usize, hops: u8, depth: usize) {
        if hops == 0 || self.modules[m].hops_done.is_some_and(|h| h >= hops) {
            return;
        }
        self.modules[m].hops_done = Some(hops);
        let Some(mf) = self.mod_facts(m) else { return };
        let mut types: Vec<&Ty> = Vec::new();
        let sigs = mf
            .fns
            .iter()
            .chain(mf.impls.iter().flat_map(|i| i.fns.iter()))
            .chain(mf.traits.iter().flat_map(|(_, f)| f.iter()));
        for s in sigs {
            types.push(&s.ret);
            // A closure parameter typed by the fn's `Fn` bound: what inference gives the code.
            types.extend(s.extras.closure_inputs().iter().flat_map(|(_, tys)| tys));
        }
        for t in &mf.types {
            types.extend(t.fields.iter().map(|(_, ty)| ty));
            types.extend(t.alias_of.as_deref());
        }
        types.extend(mf.impls.iter().map(|i| &i.self_ty));
        let mut paths: Vec<Box<[Symbol]>> = Vec::new();
        for t in types {
            type_paths(t, &mut paths, 0);
        }
        for i in &mf.impls {
            paths.extend(i.trait_path.iter().cloned());
        }
        paths.sort();
        paths.dedup();
        for p in paths {
            // Names of the module itself are already here.
            if p.len() == 1
                && self
                    .mod_facts(m)
                    .is_some_and(|mf| mf.types.iter().any(|t| t.name == p[0]))
            {
                continue;
            }
            self.scoped(r, m, &p, hops - 1, false, depth + 1);
        }
    }

    /// Inherent impls in modules no path led to: for each struct, enum or union the loaded
    /// modules of a crate declare that a loaded fn returns or calls a closure with (with or
    /// without an inherent impl among the crate's loaded files), the files beside its own (and
    /// in its module's folder; beside that folder for a `mod.rs`) that write one, found by a
    /// text scan,
    /// are loaded where their path puts them in the module tree, and their signatures' types
    /// followed one step.
    pub fn load_impl_modules(&mut self, r: &mut dyn Resolver) {
        // The types values of the code can have: what the loaded fns return or call their
        // closures with (by last segment).
        let mut values: HashSet<Symbol> = HashSet::new();
        for f in &self.files {
            for mf in &f.facts.modules {
                let sigs = mf
                    .fns
                    .iter()
                    .chain(mf.impls.iter().flat_map(|i| i.fns.iter()))
                    .chain(mf.traits.iter().flat_map(|(_, f)| f.iter()));
                let mut paths = Vec::new();
                for s in sigs {
                    type_paths(&s.ret, &mut paths, 0);
                    for t in s.extras.closure_inputs().iter().flat_map(|(_, tys)| tys) {
                        type_paths(t, &mut paths, 0);
                    }
                }
                values.extend(paths.into_iter().filter_map(|p| p.last().copied()));
            }
        }
        for krate in 0..self.crates.len() {
            let Some(root) = self.crates[krate].root_mod else {
                continue;
            };
            // Type name → the files declaring it.
            let mut declared: HashMap<Symbol, Vec<usize>> = HashMap::new();
            for m in self.modules.iter().filter(|m| m.krate == krate) {
                let Some(mf) = self.files[m.file].facts.modules.get(m.facts) else {
                    continue;
                };
                let data = |t: &&std::sync::Arc<crate::index::facts::TypeDef>| {
                    matches!(t.kind, TypeKind::Struct | TypeKind::Enum | TypeKind::Union)
                };
                for t in mf.types.iter().filter(data) {
                    declared.entry(t.name).or_default().push(m.file);
                }
            }
            // A type with an inherent impl loaded may still have more in a private module
            // beside it (`impl IoRef` in `io/mod.rs` and in `ioref.rs`): scanned too, the
            // folders cached, and only files not loaded yet are read as modules.
            declared.retain(|name, _| values.contains(name));
            if declared.is_empty() {
                continue;
            }
            let root_file = self.crates[krate].root_file.clone();
            let Some(src_dir) = root_file.parent().map(Path::to_path_buf) else {
                continue;
            };
            let root_name = root_file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut wanted: Vec<PathBuf> = Vec::new();
            let mut names: Vec<(&Symbol, &Vec<usize>)> = declared.iter().collect();
            names.sort();
            for (name, files) in names {
                for &f in files {
                    let path = &self.files[f].path;
                    let Some(dir) = path.parent() else { continue };
                    let mut dirs = vec![dir.to_path_buf()];
                    if !self.files[f].mod_rs {
                        dirs.extend(path.file_stem().map(|s| dir.join(s)));
                    } else if dir != src_dir {
                        // `io/mod.rs`: its sibling modules are files beside its folder.
                        dirs.extend(dir.parent().map(Path::to_path_buf));
                    }
                    for d in dirs {
                        let found = self.shared.impl_scan(&d);
                        wanted.extend(found.get(name.as_str()).into_iter().flatten().cloned());
                    }
                }
            }
            wanted.sort();
            wanted.dedup();
            for file in wanted {
                if self.file_ids.contains_key(&file) {
                    continue;
                }
                let Some(segs) = file
                    .strip_prefix(&src_dir)
                    .ok()
                    .and_then(|rel| super::impl_scan::module_path(rel, &root_name))
                else {
                    continue;
                };
                let segs: Vec<Symbol> = segs.iter().map(Symbol::from).collect();
                self.walk(r, root, &segs, 1, false, 0);
                let loaded = self.file_ids.get(&file).copied();
                if let Some(m) = loaded.and_then(|f| self.module_at.get(&(f, Vec::new())).copied())
                {
                    self.follow_signatures(r, m, 1, 0);
                }
            }
        }
    }

    /// The facts loaded, one entry a file, and the files each crate's root is.
    pub fn into_parts(self) -> (Vec<Crate>, Vec<LoadedFile>) {
        (self.crates, self.files)
    }
}

/// Whether `hay` contains `needle`, ASCII case ignored (`gen_Window` and `Window`).
fn contains_ignoring_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// The names module facts declare or import.
fn names_of(mf: &ModFacts) -> HashSet<Symbol> {
    mf.uses
        .iter()
        .filter(|u| !u.glob)
        .map(|u| u.alias)
        .chain(mf.fns.iter().map(|f| f.name))
        .chain(mf.types.iter().map(|t| t.name))
        .chain(mf.traits.iter().map(|(t, _)| *t))
        .chain(mf.out_of_line.iter().map(|d| d.name))
        .collect()
}

fn type_paths(t: &Ty, out: &mut Vec<Box<[Symbol]>>, depth: usize) {
    if depth > 8 {
        return;
    }
    match t {
        Ty::Path { segs, args } => {
            if !segs.is_empty() && !matches!(segs[0].as_str(), "std" | "core" | "alloc") {
                out.push(segs.clone());
            }
            for a in args {
                type_paths(a, out, depth + 1);
            }
        }
        Ty::Future(Some(inner)) | Ty::Callable(inner) => type_paths(inner, out, depth + 1),
        Ty::Tuple(ts) => {
            for t in ts {
                type_paths(t, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The file a `mod name;` declared in `file` (at `inline_path` inside it) lives in; the same
/// rule as the workspace index's.
fn child_file(
    file: &Path,
    mod_rs: bool,
    inline_path: &[Symbol],
    decl: &crate::index::facts::ModDecl,
) -> Option<PathBuf> {
    crate::index::child_module_files(file, mod_rs, inline_path, decl)
        .into_iter()
        // A link that leads nowhere (a loop) is found too, and its read error becomes a note.
        .find(|c| std::fs::symlink_metadata(c).is_ok())
}

/// A dependency file's text. `Err(None)`: it is simply not there; `Err(Some(why))`: it is there
/// and cannot be read (a symlink loop, no permission, too large, not UTF-8).
fn read_text(path: &Path) -> Result<String, Option<String>> {
    if std::fs::symlink_metadata(path).is_err() {
        return Err(None);
    }
    let meta = std::fs::metadata(path).map_err(|e| Some(crate::discover::io_message(&e)))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Some(format!(
            "larger than {} MB, not read",
            MAX_FILE_BYTES >> 20
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Some(crate::discover::io_message(&e)))?;
    String::from_utf8(bytes).map_err(|_| Some("not valid UTF-8".to_string()))
}

fn parse(text: &str) -> Option<syn::File> {
    if crate::source::too_deep(text, crate::source::MAX_NESTING).is_some() {
        return None;
    }
    crate::index::skeleton::parse(text).or_else(|| syn::parse_file(text).ok())
}

/// A dependency file's facts, reading only the item macros that forward items; calls of the
/// file's own macros and of `crate_defs` are read as what they certainly expand to (else as
/// nothing).
fn extract(
    text: &str,
    forwarding: &HashSet<String>,
    crate_defs: &HashMap<String, String>,
) -> Option<FileFacts> {
    extract_parsed(parse(text)?, forwarding, crate_defs)
}

/// `extract` on a file already parsed.
fn extract_parsed(
    mut ast: syn::File,
    forwarding: &HashSet<String>,
    crate_defs: &HashMap<String, String>,
) -> Option<FileFacts> {
    let mut set = forwarding.clone();
    macros::forwarding_macros(&ast.items, &mut set);
    set.extend(crate::index::macro_expand::definitions(&ast.items).into_keys());
    // The crate's macros this file calls, their rules parsed (only those).
    let mut called = HashSet::new();
    macros::item_calls(&ast.items, &mut called);
    let crate_defs: crate::index::facts::Defs = called
        .iter()
        .filter_map(|name| Some((name.clone(), crate_defs.get(name)?.parse().ok()?)))
        .collect();
    set.extend(crate_defs.keys().cloned());
    let made_futures = macros::futures_made_by_macros(&ast.items);
    macros::keep_forwarding_calls(&mut ast.items, &set);
    let mut facts = FileFacts::extract_with(&ast, &crate_defs);
    // `impl Future for $ty` written by the file's own macro: an impl like any other.
    if let Some(top) = facts.modules.iter_mut().find(|m| m.inline_path.is_empty()) {
        for name in made_futures {
            top.impls.push(crate::index::facts::ImplFacts {
                self_ty: Ty::Path {
                    segs: Box::new([Symbol::from(name)]),
                    args: Vec::new(),
                },
                trait_path: Some(crate::symbol::symbols(["core", "future", "Future"]).into()),
                fns: Vec::new(),
                assoc_types: Vec::new(),
                cond_args: Vec::new(),
                target_arg: None,
                by_macro: false,
                drop_cleans_up: false,
                drop_passes_wake: false,
                blanket_bounds: None,
            });
        }
    }
    Some(facts)
}
