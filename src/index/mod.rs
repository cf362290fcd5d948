//! Workspace facts and name resolution: the module tree of every crate in a context, the items
//! of every module, `use` imports, impl blocks by self type, traits and struct fields. Built once
//! per context from per-file [`facts::FileFacts`], then shared read-only by the analysis workers.

mod blanket;
pub mod call_scan;
pub mod deps;
pub mod doc_cancel;
pub mod facts;
pub mod facts_shape;
mod instances;
pub mod macro_expand;
pub mod path_scan;
mod resolve;
pub mod sig_extras;
mod sig_pool;
pub mod skeleton;
mod statics;
pub mod ty_ref;
pub mod types;

use crate::discover::CrateRoot;
use crate::knowledge::runtimes::Runtime;
use crate::symbol::Symbol;
use facts::{FileFacts, FnSig, TypeDef, TypeKind};
pub use resolve::{Ns, Res};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use sig_pool::{SigList, SigPool, Taken};
use std::path::{Path, PathBuf};
use types::Ty;

pub type ModId = usize;
pub type FnId = usize;
pub type FileId = usize;

/// The hash of a fn's name in a module's table of fns (a [`Symbol`] hashes as its text).
fn name_hash(name: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    name.hash(&mut h);
    h.finish()
}

/// An id or a line as the index's flat tables keep it (saturating: no real context nears it).
fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Room in `v` for `n` more items: when it has too little, as many as the context's own files
/// still declare (`own`, counted before the build) at once, so that it is sized once rather than
/// grown by doubling.
fn room<T>(v: &mut Vec<T>, n: usize, own: usize) {
    if v.capacity() - v.len() < n {
        v.reserve_exact(n.max(own.saturating_sub(v.len())));
    }
}

#[derive(Debug, Default)]
pub struct Module {
    pub parent: Option<ModId>,
    pub crate_root: ModId,
    /// `crate::a::b` style path, with the crate's name first.
    pub path: String,
    pub children: HashMap<Symbol, ModId>,
    pub uses: HashMap<Symbol, Box<[Symbol]>>,
    pub globs: Vec<Box<[Symbol]>>,
    /// The module's fns by name: their [`FnId`]s as `u32`s, hashed by the fn's name (see
    /// [`Index::module_fn`]): 4 bytes an entry, 8 in a map keyed by the name as well.
    fns: hashbrown::HashTable<u32>,
    /// Type name → full path.
    pub types: HashMap<Symbol, String>,
    /// The items declared in one fn's body ([`facts::fn_scope_name`]): what it does not
    /// declare itself is its parent's, and `self`/`super` in it start from that module.
    pub fn_scope: bool,
}

/// Where the fns of one list of the index are declared (16 bytes a list: the fns of a list,
/// pushed together by [`Index::push_sigs`], share it), kept apart from their signatures so that
/// the index's signatures are one vector of [`FnSig`]s, the very vector the facts held when a
/// build takes them ([`Index::build_taking`]): a generated file's 257,000 fns then cost no copy
/// (8.8 MB) next to the facts' list while it is moved. A fn holds its list's number (4 bytes
/// a fn, [`Index::place_of`]): a place a fn took 4.1 MB of that file's index, this 1 MB.
#[derive(Debug, Clone, Copy)]
struct FnPlace {
    module: u32,
    file: u32,
    self_ty: Option<Symbol>,
    trait_path: Option<Symbol>,
}

/// A fn of the index: its signature and where it is declared (see [`Index::fn_info`]).
#[derive(Debug, Clone, Copy)]
pub struct FnInfo<'a> {
    pub sig: &'a FnSig,
    /// Full path of the impl's self type, for methods and associated functions.
    pub self_ty: Option<Symbol>,
    /// Full path of the trait, for trait methods (declarations and impls).
    pub trait_path: Option<Symbol>,
    module: u32,
    file: u32,
}

impl FnInfo<'_> {
    /// The module the fn is declared in.
    pub fn module(&self) -> ModId {
        self.module as ModId
    }

    /// The file the fn is declared in.
    pub fn file(&self) -> FileId {
        self.file as FileId
    }
}

#[derive(Debug, Clone)]
pub struct TypeInfo {
    /// The facts' own definition, shared.
    pub def: std::sync::Arc<TypeDef>,
    pub module: ModId,
}

/// The last segment of every path a type names, its arguments' too (`Cell<LinkInner>` →
/// `Cell`, `LinkInner`).
fn type_names(ty: &Ty) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![ty];
    while let Some(t) = stack.pop() {
        match t {
            Ty::Path { segs, args } => {
                out.extend(segs.last().map(|s| s.to_string()));
                stack.extend(args);
            }
            Ty::Future(Some(t)) | Ty::Callable(t) => stack.push(t),
            Ty::Tuple(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// What a `Deref` impl's target is.
pub enum DerefTarget<'a, T> {
    /// A type written in the impl, in that module.
    Written(&'a Ty, ModId),
    /// The value's own type argument.
    Arg(&'a T),
}

/// A file of the context with its facts.
pub struct IndexedFile {
    pub path: PathBuf,
    pub facts: FileFacts,
}

/// The files a `mod x;` declared in `file` (inside its inline modules `inline_path`) may be:
/// x.rs or x/mod.rs next to a mod.rs-like file (or below its stem for another file), or the
/// `#[path]` relative to the file's folder.
pub fn child_module_files(
    file: &Path,
    mod_rs: bool,
    inline_path: &[Symbol],
    decl: &facts::ModDecl,
) -> Vec<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new(""));
    let cfg_paths = decl.cfg_paths.iter().map(|p| dir.join(p));
    if let Some(p) = &decl.path_attr {
        // `#[path = "../common/mod.rs"]`: the files are known by normalised paths.
        return std::iter::once(dir.join(p))
            .chain(cfg_paths)
            .map(|p| crate::files::normalize(&p))
            .collect();
    }
    let mut base = if mod_rs {
        dir.to_path_buf()
    } else {
        dir.join(file.file_stem().unwrap_or_default())
    };
    for name in inline_path {
        base.push(name.as_str());
    }
    [
        base.join(format!("{}.rs", decl.name)),
        base.join(decl.name.as_str()).join("mod.rs"),
    ]
    .into_iter()
    .chain(cfg_paths)
    .collect()
}

#[derive(Default)]
pub struct Index {
    pub modules: Vec<Module>,
    /// Every fn's signature, by [`FnId`].
    sigs: Vec<FnSig>,
    /// Each list's place, by the number [`Index::place_of`] holds.
    places: Vec<FnPlace>,
    /// Every fn's place, by [`FnId`]: its list's number in [`Index::places`].
    place_of: Vec<u32>,
    /// While building: how many fns the context's own files declare, to size the two vectors
    /// once (their first push reserves it; a list taken whole may bring its own room).
    own_fns: usize,
    pub types: HashMap<String, TypeInfo>,
    /// Self type path → method name → fns, two levels so that a lookup by `&str`s allocates no
    /// key (it made two allocations a method call of the walk).
    /// The self type is the string its methods' [`FnInfo::self_ty`] share.
    methods: HashMap<Symbol, HashMap<Symbol, Vec<FnId>>>,
    /// The traits implemented for a bare type parameter (`impl<T: Clone> FetchExt for T`),
    /// sorted, found once when the index settles: [`Index::blanket_methods`] searched every
    /// type's impls for them on each call.
    blanket_traits: Vec<String>,
    /// Trait path → the bounds of each blanket impl of it (see
    /// [`facts::ImplFacts::blanket_bounds`]), resolved in the impl's module.
    blanket_impls: HashMap<String, Vec<Box<[String]>>>,
    /// Module → its statics and consts by name → their declared types (see
    /// [`facts::ModFacts::statics`]).
    statics: HashMap<ModId, HashMap<Symbol, Ty>>,
    /// Method name → every fn with a receiver of that name.
    methods_by_name: HashMap<Symbol, Vec<FnId>>,
    /// Names of the methods (the dependencies' too) whose docs say they are not cancel safe.
    not_cancel_safe_methods: rustc_hash::FxHashSet<Symbol>,
    /// Type path → traits it implements.
    trait_impls: HashMap<String, Vec<String>>,
    /// Types whose `Drop` impl only cleans up ([`facts::ImplFacts::drop_cleans_up`]).
    drop_cleans_up: HashSet<String>,
    /// Types whose `Drop` impl only passes a wake-up on ([`facts::ImplFacts::drop_passes_wake`]).
    drop_passes_wake: HashSet<String>,
    /// (type path, associated type name) → what the type's impls define it as, with the module
    /// written in (`Output` of an `impl Future`).
    impl_assoc: HashMap<(String, String), (Ty, ModId)>,
    /// The keys of [`Self::impl_assoc`] that more than one impl defines.
    impl_assoc_twice: HashSet<(String, String)>,
    /// Type path → the position of its argument that its `Deref` target names.
    target_args: HashMap<String, usize>,
    /// Types with an impl under an attribute macro (see [`facts::ImplFacts::by_macro`]): the
    /// traits they implement are not all known.
    macro_impls: rustc_hash::FxHashSet<String>,
    /// Type path → the positions of its arguments that must be futures for its `Future` (or
    /// `IntoFuture`) impl to hold; empty when an impl holds for any arguments.
    future_conditions: HashMap<String, Vec<usize>>,
    /// Every fn, sorted by (file, line of the fn name, id) once the index is built: the fns
    /// declared at a place. 4 bytes a fn (the three as a tuple took 12, a map of vectors 70).
    by_location: Vec<u32>,
    /// Lib crate name → root module.
    crates: HashMap<String, ModId>,
    /// File → the modules its top level and inline modules are.
    file_modules: HashMap<FileId, Vec<(Vec<Symbol>, ModId)>>,
    files: Vec<PathBuf>,
    file_ids: HashMap<PathBuf, FileId>,
    /// Files from this one on are dependencies' (read from their sources, never walked).
    first_dep_file: Option<FileId>,
    /// `mod x;` declarations of the workspace whose file is not on disk: (declaring file,
    /// module name).
    pub missing_modules: Vec<(PathBuf, String)>,
    /// Crate root → the dependency names its code uses → their root modules.
    externs: HashMap<ModId, HashMap<String, ModId>>,
    /// Per file: whether a crate root's module tree reaches it (`mod`, `#[path]`, `include!`).
    reached: Vec<bool>,
    /// Whether every file of the context was read as Rust, so that the module trees are known.
    trees_known: bool,
    /// The async runtime the context's own files name, when they name one (see
    /// [`Runtime::of_set`]).
    pub runtime: Option<Runtime>,
    /// A module's fn (the one its name resolves to) → every fn of that name in the module, each
    /// under its own `cfg`.
    cfg_twins: HashMap<FnId, Vec<FnId>>,
    /// A fn of an impl whose self type's arguments name concrete types (`impl Gen<u8>`) → what
    /// they pin (see [`instances`]).
    impl_args: HashMap<FnId, instances::ArgKeys>,
    /// While building: per file, the facts its calls of macros defined in other files add.
    expanded: HashMap<FileId, Vec<facts::ModFacts>>,
    /// While building: the signatures taken from facts nobody keeps (see [`Index::build_taking`]).
    pool: SigPool,
}

/// A dependency name of a crate: the crate whose root is `from` names the crate whose root is
/// `to` as `name`.
#[derive(Debug, Clone)]
pub struct ExternLink {
    pub from: PathBuf,
    pub name: String,
    pub to: PathBuf,
}

impl Index {
    /// Builds the index of a context from its files' facts and its crate roots.
    pub fn build(files: &[IndexedFile], roots: &[CrateRoot]) -> Index {
        Index::build_with_deps(files, roots, files.len(), &[])
    }

    /// The index of one library crate `app` whose `lib.rs` is `text`: for tests.
    #[cfg(test)]
    pub(crate) fn of_lib_text(text: &str) -> Index {
        let files = [IndexedFile {
            path: "lib.rs".into(),
            facts: FileFacts::of_text(text),
        }];
        let roots = [CrateRoot {
            file: "lib.rs".into(),
            name: "app".into(),
            is_lib: true,
        }];
        Index::build(&files, &roots)
    }

    /// Builds the index of a context whose files from `first_dep_file` on are its dependencies'
    /// (see [`deps`]), linking crates to the dependency names their code uses.
    pub fn build_with_deps(
        files: &[IndexedFile],
        roots: &[CrateRoot],
        first_dep_file: FileId,
        links: &[ExternLink],
    ) -> Index {
        Index::build_from(files, roots, first_dep_file, links, SigPool::default())
    }

    /// [`Index::build_with_deps`] from facts that are not read after it: their signatures are
    /// moved into the index, not copied (each file's lists are left empty).
    pub fn build_taking(
        files: &mut [IndexedFile],
        roots: &[CrateRoot],
        first_dep_file: FileId,
        links: &[ExternLink],
    ) -> Index {
        let sigs = SigPool::take_from(files);
        Index::build_from(files, roots, first_dep_file, links, sigs)
    }

    fn build_from(
        files: &[IndexedFile],
        roots: &[CrateRoot],
        first_dep_file: FileId,
        links: &[ExternLink],
        sigs: SigPool,
    ) -> Index {
        let mut ix = Index {
            pool: sigs,
            first_dep_file: Some(first_dep_file),
            files: files.iter().map(|f| f.path.clone()).collect(),
            file_ids: files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.path.clone(), i))
                .collect(),
            ..Index::default()
        };
        let by_path: HashMap<&Path, FileId> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.as_path(), i))
            .collect();
        let own_files: Vec<&FileFacts> = files[..first_dep_file.min(files.len())]
            .iter()
            .map(|f| &f.facts)
            .collect();
        ix.expanded = facts::expand_across_files(&own_files).into_iter().collect();
        // The own files' fns, counted: the table is sized once rather than grown by doubling
        // (a generated file's 257,000 fns: 6 MB, with 9 MB more freed on the way and a copy
        // when it was trimmed). The dependencies' fns, only partly loaded, grow it as before.
        let own_fns = (own_files.iter().flat_map(|f| &f.modules))
            .map(|m| {
                let impls = m.impls.iter().map(|i| i.fns.len());
                let traits = m.traits.iter().map(|t| t.1.len());
                m.fns.len() + impls.sum::<usize>() + traits.sum::<usize>()
            })
            .sum::<usize>()
            + ix.pool.count_in(0..first_dep_file.min(files.len()));
        ix.own_fns = own_fns;
        let mut assigned = vec![false; files.len()];
        for root in roots {
            let Some(&fid) = by_path.get(root.file.as_path()) else {
                continue;
            };
            let m = ix.new_module(None, Symbol::intern(&root.name));
            if root.is_lib {
                ix.crates.entry(root.name.clone()).or_insert(m);
            }
            ix.load_file(fid, m, files, &by_path, &mut assigned, true, 0);
        }
        ix.reached = assigned.clone();
        let own = &files[..first_dep_file.min(files.len())];
        let imported = own
            .iter()
            .flat_map(|f| &f.facts.modules)
            .flat_map(|m| &m.uses)
            .map(|u| &u.target);
        let mut named: Vec<Runtime> = own
            .iter()
            .flat_map(|f| &f.facts.paths)
            .chain(imported)
            .filter_map(|p| Runtime::of_crate(p.first()?))
            .collect();
        named.sort_by_key(|r| *r as u8);
        named.dedup();
        ix.runtime = Runtime::of_set(&named);
        // A file the trees reach but that was not read may declare modules of its own.
        ix.trees_known = files[..first_dep_file.min(files.len())]
            .iter()
            .zip(&assigned)
            .all(|(f, &reached)| !reached || f.facts.read)
            && assigned.iter().any(|&r| r);
        // Files no crate root reaches (or loose files): each is a crate of its own.
        for fid in 0..first_dep_file.min(files.len()) {
            if !assigned[fid] {
                let stem = files[fid]
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let m = ix.new_module(None, Symbol::from(stem));
                ix.load_file(fid, m, files, &by_path, &mut assigned, true, 0);
            }
        }
        ix.register_impls(files);
        ix.expanded = HashMap::default();
        ix.pool = SigPool::default();
        for link in links {
            let root = |f: &Path| ix.file_id(f).and_then(|id| ix.module_of::<Symbol>(id, &[]));
            if let (Some(from), Some(to)) = (root(&link.from), root(&link.to)) {
                ix.externs
                    .entry(ix.modules[from].crate_root)
                    .or_default()
                    .insert(link.name.clone(), to);
            }
        }
        ix.settle();
        ix
    }

    /// The root module of the crate that code in module `m` names `name`: one of its crate's
    /// dependencies, else a crate of the context.
    pub fn crate_named(&self, m: ModId, name: &str) -> Option<ModId> {
        let root = self.modules.get(m)?.crate_root;
        self.externs
            .get(&root)
            .and_then(|e| e.get(name))
            .or_else(|| self.crates.get(name))
            .copied()
    }

    /// Whether no crate root of the context compiles `path`: every file the module trees reach
    /// was read, and no module tree (`mod`, `#[path]`, `#[cfg_attr(..,
    /// path)]`, `include!`, a `mod x;` inside a macro call) reaches the file. Unknown is `false`.
    pub fn compiled_by_no_root(&self, path: &Path) -> bool {
        self.trees_known
            && self
                .file_ids
                .get(path)
                .is_some_and(|&f| !self.reached.get(f).copied().unwrap_or(true))
    }

    /// Whether `file` is a dependency's file.
    pub fn is_dep_file(&self, file: FileId) -> bool {
        self.first_dep_file.is_some_and(|first| file >= first)
    }

    fn new_module(&mut self, parent: Option<ModId>, name: Symbol) -> ModId {
        let id = self.modules.len();
        let (crate_root, path) = match parent {
            Some(p) => (
                self.modules[p].crate_root,
                format!("{}::{}", self.modules[p].path, name),
            ),
            None => (id, name.to_string()),
        };
        self.modules.push(Module {
            parent,
            crate_root,
            path,
            fn_scope: parent.is_some() && name.as_str().starts_with("fn#"),
            ..Module::default()
        });
        if let Some(p) = parent {
            self.modules[p].children.insert(name, id);
        }
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn load_file(
        &mut self,
        fid: FileId,
        top: ModId,
        files: &[IndexedFile],
        by_path: &HashMap<&Path, FileId>,
        assigned: &mut [bool],
        is_root: bool,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        assigned[fid] = true;
        let path = &files[fid].path;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mod_rs = is_root || stem == "mod";
        for (k, mf) in self.modules_of(fid, files).iter().enumerate() {
            let mut m = top;
            for name in &mf.inline_path {
                m = match self.modules[m].children.get(name) {
                    Some(&c) => c,
                    None => self.new_module(Some(m), *name),
                };
            }
            self.file_modules
                .entry(fid)
                .or_default()
                .push((mf.inline_path.clone(), m));
            for u in &mf.uses {
                if u.glob {
                    self.modules[m].globs.push(u.target.clone());
                } else {
                    self.modules[m].uses.insert(u.alias, u.target.clone());
                }
            }
            let list = SigList::Fns {
                file: fid,
                module: k,
            };
            let count = mf.fns.len() + self.pool.len_of(list);
            let sigs = &self.sigs;
            (self.modules[m].fns).reserve(count, |&id| name_hash(&sigs[id as FnId].name));
            for id in self.push_sigs(list, &mf.fns, m, fid, None, None) {
                // Same-named fns under different `cfg`s: the alternatives are kept, a call
                // picks by its own fn's `cfg` (see [`Index::cfg_choice`]).
                if let Some(old) = self.name_fn(m, id) {
                    if self.sigs[id].cfg().is_some() && self.sigs[old].cfg().is_some() {
                        let mut twins = self.cfg_twins.remove(&old).unwrap_or_else(|| vec![old]);
                        twins.push(id);
                        self.cfg_twins.insert(id, twins);
                    }
                }
            }
            for t in &mf.types {
                let full = format!("{}::{}", self.modules[m].path, t.name);
                self.modules[m].types.insert(t.name, full.clone());
                self.types.insert(
                    full,
                    TypeInfo {
                        def: t.clone(),
                        module: m,
                    },
                );
            }
            for (name, ty) in &mf.statics {
                let table = self.statics.entry(m).or_default();
                table.insert(*name, ty.clone());
            }
            // `include!("x.rs")`: the file's items are this module's.
            let dir = path.parent().unwrap_or(std::path::Path::new(""));
            for inc in &mf.includes {
                if let Some(&child_fid) = by_path.get(dir.join(inc).as_path()) {
                    if !assigned[child_fid] {
                        self.load_file(child_fid, m, files, by_path, assigned, mod_rs, depth + 1);
                    }
                }
            }
            for decl in &mf.out_of_line {
                let candidates = child_module_files(path, mod_rs, &mf.inline_path, decl);
                let Some(&child_fid) = candidates.iter().find_map(|c| by_path.get(c.as_path()))
                else {
                    if !self.is_dep_file(fid) && !candidates.iter().any(|c| c.exists()) {
                        self.missing_modules
                            .push((path.clone(), decl.name.to_string()));
                    }
                    continue;
                };
                // A file already loaded in this crate (a `#[path]` loop) is not loaded again; a
                // module shared by several crates (`mod common;` in each `tests/*.rs`) is loaded
                // in each, with its submodules.
                let crate_root = self.modules[m].crate_root;
                let in_this_crate = self.file_modules.get(&child_fid).is_some_and(|mods| {
                    mods.iter()
                        .any(|(_, mid)| self.modules[*mid].crate_root == crate_root)
                });
                if in_this_crate {
                    continue;
                }
                let child = match self.modules[m].children.get(&decl.name) {
                    Some(&c) => c,
                    None => self.new_module(Some(m), decl.name),
                };
                let child_is_mod_rs = decl.path_attr.is_some();
                self.load_file(
                    child_fid,
                    child,
                    files,
                    by_path,
                    assigned,
                    child_is_mod_rs,
                    depth + 1,
                );
                // `#[cfg_attr(unix, path = "unix.rs")]`: the files other cfgs compile.
                for alt in &decl.cfg_paths {
                    if let Some(&alt_fid) = by_path.get(dir.join(alt).as_path()) {
                        if !assigned[alt_fid] {
                            self.load_file(
                                alt_fid,
                                child,
                                files,
                                by_path,
                                assigned,
                                true,
                                depth + 1,
                            );
                        }
                    }
                }
            }
        }
    }

    /// Of the same-named fns under different `cfg`s that `id` stands for, the one whose `cfg`
    /// is the calling fn's own (`#[cfg(feature = "a")]` on both); `id` when none or several are.
    pub fn cfg_choice(&self, id: FnId, caller: Option<FnId>) -> FnId {
        let (Some(twins), Some(caller)) = (self.cfg_twins.get(&id), caller) else {
            return id;
        };
        let Some(cfg) = self.sigs[caller].cfg() else {
            return id;
        };
        match twins
            .iter()
            .filter(|&&t| self.sigs[t].cfg() == Some(cfg))
            .collect::<Vec<_>>()
            .as_slice()
        {
            [one] => **one,
            _ => id,
        }
    }

    /// A file's module facts, with what its calls of other files' macros add merged in.
    fn modules_of<'f>(
        &self,
        fid: FileId,
        files: &'f [IndexedFile],
    ) -> std::borrow::Cow<'f, [facts::ModFacts]> {
        let own = &files[fid].facts.modules;
        match self.expanded.get(&fid) {
            None => std::borrow::Cow::Borrowed(own.as_slice()),
            Some(added) => {
                let mut all = own.clone();
                for extra in added {
                    match all.iter_mut().find(|m| m.inline_path == extra.inline_path) {
                        Some(m) => m.absorb(extra.clone()),
                        None => all.push(extra.clone()),
                    }
                }
                std::borrow::Cow::Owned(all)
            }
        }
    }

    /// Pushes one list's signatures, in order: those the build took from the facts (moved the
    /// first time, copied from the index's own records when the file is loaded again), then
    /// `written`'s (copied). Returns their ids.
    fn push_sigs(
        &mut self,
        list: SigList,
        written: &[FnSig],
        module: ModId,
        file: FileId,
        self_ty: Option<Symbol>,
        trait_path: Option<Symbol>,
    ) -> std::ops::Range<FnId> {
        let first = self.sigs.len();
        let place = small(self.places.len());
        self.places.push(FnPlace {
            module: small(module),
            file: small(file),
            self_ty,
            trait_path,
        });
        match self.pool.take(list, first) {
            Taken::Moved(sigs) => {
                room(&mut self.place_of, sigs.len(), self.own_fns);
                for (k, sig) in sigs.iter().enumerate() {
                    self.note_fn(first + k, sig, place);
                }
                self.take_in(sigs);
            }
            Taken::Placed(ids) => {
                room(&mut self.sigs, ids.len(), self.own_fns);
                room(&mut self.place_of, ids.len(), self.own_fns);
                for id in ids {
                    let sig = self.sigs[id].clone();
                    self.push_fn(sig, place);
                }
            }
            Taken::InFacts => {}
        }
        room(&mut self.sigs, written.len(), self.own_fns);
        room(&mut self.place_of, written.len(), self.own_fns);
        for sig in written {
            self.push_fn(sig.clone(), place);
        }
        if first == self.sigs.len() {
            // No fn took it.
            self.places.pop();
        }
        first..self.sigs.len()
    }

    /// Appends a list of signatures taken from the facts. When the list is longer than what the
    /// index holds so far and has room in front of it for that, it becomes the index's vector
    /// (what the index held moved to its front): a large file's one list of fns is not copied.
    fn take_in(&mut self, mut sigs: Vec<FnSig>) {
        let held = self.sigs.len();
        if sigs.len() > held && sigs.capacity() - sigs.len() >= held {
            let before = std::mem::take(&mut self.sigs);
            sigs.splice(0..0, before);
            self.sigs = sigs;
        } else {
            room(&mut self.sigs, sigs.len(), self.own_fns);
            self.sigs.append(&mut sigs);
        }
    }

    fn push_fn(&mut self, sig: FnSig, place: u32) -> FnId {
        let id = self.sigs.len();
        self.note_fn(id, &sig, place);
        self.sigs.push(sig);
        id
    }

    /// Records fn `id`'s place (the number of its list's, in [`Index::places`]) and the tables
    /// its name is found by (its signature is pushed by the caller).
    fn note_fn(&mut self, id: FnId, sig: &FnSig, at: u32) {
        let place = self.places[at as usize];
        if sig.has_self && sig.cancel_doc == facts::DocCancel::NotSafe {
            self.not_cancel_safe_methods.insert(sig.name);
        }
        // A receiver of unknown type is matched by name against the workspace's methods only.
        if sig.has_self && !self.is_dep_file(place.file as FileId) {
            self.methods_by_name.entry(sig.name).or_default().push(id);
        }
        if let Some(t) = place.self_ty {
            self.methods
                .entry(t)
                .or_default()
                .entry(sig.name)
                .or_default()
                .push(id);
        }
        self.place_of.push(at);
    }

    fn register_impls(&mut self, files: &[IndexedFile]) {
        let file_modules = std::mem::take(&mut self.file_modules);
        for (fid, mods) in &file_modules {
            let modules = self.modules_of(*fid, files);
            for (inline_path, m) in mods {
                let Some(k) = modules.iter().position(|mf| &mf.inline_path == inline_path) else {
                    continue;
                };
                let (mf, file, module) = (&modules[k], *fid, k);
                for (at, (trait_name, sigs)) in mf.traits.iter().enumerate() {
                    let trait_path =
                        Symbol::intern(&format!("{}::{}", self.modules[*m].path, trait_name));
                    let list = SigList::Trait { file, module, at };
                    let tp = Some(trait_path);
                    self.push_sigs(list, sigs, *m, file, tp, tp);
                }
                for (at, imp) in mf.impls.iter().enumerate() {
                    let Some(self_path) = self.type_path(*m, &imp.self_ty) else {
                        continue;
                    };
                    let trait_path =
                        imp.trait_path
                            .as_ref()
                            .and_then(|tp| match self.resolve_type(*m, tp) {
                                Res::Type(p) | Res::External(p) => Some(p),
                                _ => None,
                            });
                    if let Some(tp) = &trait_path {
                        if tp.rsplit("::").next() == Some("Drop") {
                            if imp.drop_cleans_up {
                                self.drop_cleans_up.insert(self_path.clone());
                            }
                            if imp.drop_passes_wake {
                                self.drop_passes_wake.insert(self_path.clone());
                            }
                        }
                        self.trait_impls
                            .entry(self_path.clone())
                            .or_default()
                            .push(tp.clone());
                        if matches!(tp.rsplit("::").next(), Some("Future" | "IntoFuture")) {
                            // One impl that holds for any arguments makes the type a future.
                            self.future_conditions
                                .entry(self_path.clone())
                                .and_modify(|c| {
                                    if imp.cond_args.is_empty() {
                                        c.clear();
                                    }
                                })
                                .or_insert_with(|| imp.cond_args.clone());
                        }
                    }
                    if let (Some(tp), Some(bounds)) = (&trait_path, &imp.blanket_bounds) {
                        let bounds = self.resolve_bounds(*m, bounds);
                        self.blanket_impls
                            .entry(tp.clone())
                            .or_default()
                            .push(bounds);
                    }
                    if let Some(k) = imp.target_arg {
                        self.target_args.entry(self_path.clone()).or_insert(k);
                    }
                    if imp.by_macro {
                        self.macro_impls.insert(self_path.clone());
                    }
                    for (name, ty) in &imp.assoc_types {
                        let key = (self_path.clone(), name.to_string());
                        match self.impl_assoc.entry(key) {
                            std::collections::hash_map::Entry::Occupied(e) => {
                                self.impl_assoc_twice.insert(e.key().clone());
                            }
                            std::collections::hash_map::Entry::Vacant(e) => {
                                e.insert((ty.clone(), *m));
                            }
                        }
                    }
                    let owner = Symbol::intern(&self_path);
                    let trait_path = trait_path.as_deref().map(Symbol::intern);
                    let pinned = match &imp.self_ty {
                        Ty::Path { args, .. } if !args.is_empty() => self.arg_keys(*m, args),
                        _ => None,
                    };
                    let list = SigList::Impl { file, module, at };
                    for id in self.push_sigs(list, &imp.fns, *m, file, Some(owner), trait_path) {
                        if let Some(p) = &pinned {
                            self.impl_args.insert(id, p.clone());
                        }
                    }
                }
            }
        }
        self.file_modules = file_modules;
    }

    /// The full path of a written type in module `m`, internal or external.
    pub fn type_path(&self, m: ModId, ty: &Ty) -> Option<String> {
        match ty {
            Ty::Path { segs, .. } => match self.resolve_type(m, segs) {
                Res::Type(p) | Res::External(p) => Some(p),
                _ => None,
            },
            _ => None,
        }
    }

    /// The module of the items declared in the body of fn `name` (its name on `line`) of
    /// module `m`, when it declares any.
    pub fn fn_scope(&self, m: ModId, name: &str, line: usize) -> Option<ModId> {
        let key = facts::fn_scope_name(name, line);
        self.modules.get(m)?.children.get(key.as_str()).copied()
    }

    /// The module that `self` and `super` in module `m` start from: `m`'s, outside any fn
    /// body's items.
    pub fn module_outside_fns(&self, mut m: ModId) -> ModId {
        while let (true, Some(p)) = (self.modules[m].fn_scope, self.modules[m].parent) {
            m = p;
        }
        m
    }

    /// The module of a file's top level (or of an inline module in it).
    pub fn module_of<S: AsRef<str>>(&self, file: FileId, inline_path: &[S]) -> Option<ModId> {
        self.file_modules
            .get(&file)?
            .iter()
            .find(|(p, _)| {
                p.len() == inline_path.len()
                    && p.iter()
                        .zip(inline_path)
                        .all(|(a, b)| a.as_str() == b.as_ref())
            })
            .map(|(_, m)| *m)
    }

    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.file_ids.get(path).copied()
    }

    pub fn file_path(&self, file: FileId) -> &Path {
        &self.files[file]
    }

    /// The indexed function declared in `file` with its name on `line`.
    pub fn fn_at(&self, file: FileId, line: usize, name: &str) -> Option<FnId> {
        let key = (small(file), small(line));
        let place = |id: u32| (self.place(id as FnId).file, self.sigs[id as FnId].line);
        let from = self.by_location.partition_point(|&id| place(id) < key);
        self.by_location[from..]
            .iter()
            .take_while(|&&id| place(id) == key)
            .map(|&id| id as FnId)
            .find(|&id| self.sigs[id].name == name)
    }

    /// The fn named `name` declared in module `m` (the last of that name).
    pub fn module_fn(&self, m: ModId, name: &str) -> Option<FnId> {
        let id = self.modules[m]
            .fns
            .find(name_hash(name), |&id| self.sigs[id as FnId].name == name)?;
        Some(*id as FnId)
    }

    /// Makes `id` the fn its name names in module `m`: the one it replaces, if any.
    fn name_fn(&mut self, m: ModId, id: FnId) -> Option<FnId> {
        let sigs = &self.sigs;
        let name = sigs[id].name;
        let hash = name_hash(&name);
        let table = &mut self.modules[m].fns;
        match table.find_mut(hash, |&other| sigs[other as FnId].name == name) {
            Some(old) => Some(std::mem::replace(old, small(id)) as FnId),
            None => {
                table.insert_unique(hash, small(id), |&other| {
                    name_hash(&sigs[other as FnId].name)
                });
                None
            }
        }
    }

    /// The index's vectors trimmed to their lengths, and the places of fns sorted for
    /// [`Index::fn_at`], once every fn is pushed.
    fn settle(&mut self) {
        self.blanket_traits = self.find_blanket_traits();
        self.settle_forwarders();
        self.sigs.shrink_to_fit();
        self.places.shrink_to_fit();
        self.place_of.shrink_to_fit();
        let (sigs, places, place_of) = (&self.sigs, &self.places, &self.place_of);
        let file = |id: u32| places[place_of[id as FnId] as usize].file;
        let mut by_location: Vec<u32> = (0..sigs.len()).map(small).collect();
        by_location.sort_unstable_by_key(|&id| (file(id), sigs[id as FnId].line, id));
        self.by_location = by_location;
        self.modules.shrink_to_fit();
    }

    /// A plain fn that returns, as its tail, the future a call makes ([`FnSig::forwards_to`])
    /// has started its work when that callee has. The callee is every fn or method of its name in
    /// the same crate that returns a future and forwards nothing itself, narrowed by the
    /// receiver: for `self.m()` the methods of the fn's own type, for `self.field..m()` those of
    /// a type the field's declared type names. It counts as started only when there is one and
    /// all of them start their work (an `async fn` among them starts nothing). Erring this way
    /// turns an error into a warning, never silence into an error.
    fn settle_forwarders(&mut self) {
        let wanted: HashSet<(ModId, &str)> = self
            .fns()
            .filter_map(|f| {
                let to = f.sig.forwards_to()?;
                Some((self.modules[f.module()].crate_root, to.name.as_str()))
            })
            .collect();
        if wanted.is_empty() {
            return;
        }
        let mut by_name: HashMap<(ModId, &str), Vec<FnInfo>> = HashMap::default();
        for f in self.fns() {
            let key = (self.modules[f.module()].crate_root, f.sig.name.as_str());
            let makes_future = f.sig.is_async || facts::mentions_future(&f.sig.ret);
            if wanted.contains(&key) && f.sig.forwards_to().is_none() && makes_future {
                by_name.entry(key).or_default().push(f);
            }
        }
        let last = |path: &str| path.rsplit("::").next().unwrap_or(path).to_string();
        let mut started = Vec::new();
        for (id, f) in self.fns().enumerate() {
            let Some(to) = f.sig.forwards_to() else {
                continue;
            };
            let key = (self.modules[f.module()].crate_root, to.name.as_str());
            let Some(all) = by_name.get(&key) else {
                continue;
            };
            let owner = f.self_ty.as_deref();
            let named: Option<Vec<String>> = match &to.via {
                facts::Via::Unknown => None,
                facts::Via::SelfValue => owner.map(|o| vec![last(o)]),
                facts::Via::Field(field) => owner
                    .and_then(|o| self.field_type(o, field))
                    .map(|(ty, _)| type_names(ty)),
            };
            if !matches!(to.via, facts::Via::Unknown) && named.is_none() {
                continue;
            }
            let callees: Vec<&FnInfo> = all
                .iter()
                .filter(|c| match &named {
                    None => true,
                    Some(names) => c
                        .self_ty
                        .as_deref()
                        .is_some_and(|t| names.contains(&last(t))),
                })
                .collect();
            if !callees.is_empty() && callees.iter().all(|c| !c.sig.is_async && c.sig.starts_work) {
                started.push(id);
            }
        }
        for id in started {
            self.sigs[id].starts_work = true;
        }
    }

    /// Fn `id`'s signature and place.
    pub fn fn_info(&self, id: FnId) -> FnInfo<'_> {
        let place = self.place(id);
        FnInfo {
            sig: &self.sigs[id],
            self_ty: place.self_ty,
            trait_path: place.trait_path,
            module: place.module,
            file: place.file,
        }
    }

    /// Where fn `id` is declared.
    fn place(&self, id: FnId) -> FnPlace {
        self.places[self.place_of[id] as usize]
    }

    /// Every fn of the index, by id.
    pub fn fns(&self) -> impl ExactSizeIterator<Item = FnInfo<'_>> + '_ {
        (0..self.sigs.len()).map(|id| self.fn_info(id))
    }

    /// How many fns the index holds.
    pub fn fn_count(&self) -> usize {
        self.sigs.len()
    }

    /// A fn's full path, `crate::a::f` or `crate::a::T::f` (made when asked: kept for every
    /// fn, it weighed a tenth of the index).
    pub fn fn_path(&self, id: FnId) -> String {
        let f = self.fn_info(id);
        match &f.self_ty {
            Some(owner) => format!("{owner}::{}", f.sig.name),
            None => format!("{}::{}", self.modules[f.module()].path, f.sig.name),
        }
    }

    /// Methods (and associated functions) named `name` of the type at `ty_path`, including the
    /// methods of the traits it implements in the context.
    pub fn methods_of(&self, ty_path: &str, name: &str) -> Vec<FnId> {
        let mut out = self.methods_in(ty_path, name).to_vec();
        if out.is_empty() {
            for tr in self.trait_impls.get(ty_path).into_iter().flatten() {
                out.extend(self.methods_in(tr, name));
            }
        }
        if out.is_empty() {
            for (sup, _, _) in self.supertraits_of(ty_path) {
                out.extend(self.methods_in(&sup, name));
            }
        }
        out
    }

    /// The supertraits with type arguments of the trait at `path` (`trait NotificationCode:
    /// ToCode<Box<Cb>>`), theirs after them: each one's full path, its arguments as written
    /// and the module they are written in.
    pub fn supertraits_of(&self, path: &str) -> Vec<(String, &[Ty], ModId)> {
        let mut out: Vec<(String, &[Ty], ModId)> = Vec::new();
        let mut todo = vec![path.to_string()];
        while let Some(p) = todo.pop() {
            let Some(info) = self.types.get(&p) else {
                continue;
            };
            for sup in &info.def.supertraits {
                let (Some(full), Ty::Path { args, .. }) = (self.type_path(info.module, sup), sup)
                else {
                    continue;
                };
                if out.len() < 8 && full != path && !out.iter().any(|(f, _, _)| *f == full) {
                    todo.push(full.clone());
                    out.push((full, args.as_slice(), info.module));
                }
            }
        }
        out
    }

    /// The fns named `name` of the impls (and trait declarations) of `owner` itself.
    pub(crate) fn methods_in(&self, owner: &str, name: &str) -> &[FnId] {
        self.methods
            .get(owner)
            .and_then(|by_name| by_name.get(name))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every method with a receiver named `name` in the context.
    pub fn methods_named(&self, name: &str) -> &[FnId] {
        self.methods_by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether a method of this name, in the workspace or a dependency, is documented not
    /// cancel safe.
    pub fn has_not_cancel_safe_method(&self, name: &str) -> bool {
        self.not_cancel_safe_methods.contains(name)
    }

    pub fn type_info(&self, path: &str) -> Option<&TypeInfo> {
        self.types.get(path)
    }

    /// The type of field `field` of the struct at `ty_path`, with the module it was written in.
    pub fn field_type(&self, ty_path: &str, field: &str) -> Option<(&Ty, ModId)> {
        let info = self.types.get(ty_path)?;
        // An enum's fields are its variants' (`Work::0`): only a pattern names them.
        if !matches!(info.def.kind, TypeKind::Struct | TypeKind::Enum) {
            return None;
        }
        info.def
            .fields
            .iter()
            .find(|(n, _)| n == field)
            .map(|(_, t)| (t, info.module))
    }

    /// What the impls of the type at `path` define associated type `name` as (`Output`), with
    /// the module it was written in.
    pub fn impl_assoc(&self, path: &str, name: &str) -> Option<(&Ty, ModId)> {
        self.impl_assoc
            .get(&(path.to_string(), name.to_string()))
            .map(|(t, m)| (t, *m))
    }

    /// What the one impl that defines associated type `name` for the type at `path` defines
    /// it as (`impl Config for MyConfig { type Rt = TokioRt; }`); `None` when several impls
    /// define one of that name or a macro may write more.
    pub fn impl_assoc_unique(&self, path: &str, name: &str) -> Option<(&Ty, ModId)> {
        let key = (path.to_string(), name.to_string());
        if self.impl_assoc_twice.contains(&key) || self.macro_impls.contains(path) {
            return None;
        }
        self.impl_assoc.get(&key).map(|(t, m)| (t, *m))
    }

    /// What auto-deref of a value of the type at `path` (with type arguments `args`) reaches:
    /// its `Deref` impl's `Target`, as a type written in the impl's module, or the argument
    /// that the target names.
    pub fn deref_target<'a, T>(&'a self, path: &str, args: &'a [T]) -> Option<DerefTarget<'a, T>> {
        if !self.implements(path, "Deref") {
            return None;
        }
        if let Some(&k) = self.target_args.get(path) {
            return args.get(k).map(DerefTarget::Arg);
        }
        self.impl_assoc(path, "Target")
            .map(|(ty, m)| DerefTarget::Written(ty, m))
    }

    /// Whether the workspace implements `Future` for the type at `path`.
    pub fn implements_future(&self, path: &str) -> bool {
        self.implements(path, "Future")
    }

    /// The positions of the type's arguments that must be futures for it to be one (`Either<L,
    /// R>`: 0 and 1); empty when its `Future` impl holds for any arguments, or it has none.
    pub fn future_conditions(&self, path: &str) -> &[usize] {
        self.future_conditions
            .get(path)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether the workspace implements a trait named `trait_name` for the type at `path`.
    pub fn implements(&self, path: &str, trait_name: &str) -> bool {
        self.trait_impls.get(path).is_some_and(|traits| {
            traits
                .iter()
                .any(|t| t.rsplit("::").next() == Some(trait_name))
        })
    }

    /// Whether an attribute macro may implement traits for the type at `path` that no source
    /// shows (an impl of it is under one): a value of it is not known to be no future.
    pub fn has_macro_impls(&self, path: &str) -> bool {
        self.macro_impls.contains(path)
    }

    /// Whether a value of the struct at `path` only receives the outcome of work done
    /// elsewhere: it has fields, one at least the receiver of a oneshot channel or a spawned
    /// task's handle (`oneshot::Receiver<T>`, `JoinHandle<T>`, also in an `Option`, `Box`, `Pin`
    /// or `Fuse`), and every other one a plain value (a number, a flag, a `String`, an
    /// `Instant`). Such a future's poll can only wait for what the sender or the task does
    /// anyway: dropping it loses the outcome, not the work. The receiver of a channel that
    /// carries many messages (`mpsc::Receiver`) is no receipt: a future holding one may be the
    /// driver that does the work for each message. A field of a generic parameter, a future, a
    /// closure or any other type may be work too, and makes the type no receipt.
    ///
    /// A type that holds a oneshot receiver and still implements `Clone` by hand (a receiver
    /// cannot be cloned, so each copy asks for the outcome again) is the handle of something
    /// that runs apart from any one copy: its fields may also share state (`Arc`, `Weak`) and
    /// send commands (a channel's `Sender`), and it is a receipt still.
    pub fn is_receipt(&self, path: &str) -> bool {
        let Some(info) = self.types.get(path) else {
            return false;
        };
        if info.def.kind != TypeKind::Struct || info.def.fields.is_empty() {
            return false;
        }
        let handle = self.implements(path, "Clone");
        let mut receivers = 0;
        for (_, ty) in &info.def.fields {
            match self.receipt_field(ty, info.module, handle) {
                Some(true) => receivers += 1,
                Some(false) => {}
                None => return false,
            }
        }
        receivers > 0
    }

    /// What a field's type, written in module `m`, says about a receipt ([`Index::is_receipt`]):
    /// `Some(true)` a oneshot receiver (any `*Receiver` of a `oneshot` module, such as
    /// `oneshot::AsyncReceiver`) or a spawned task's handle (in an `Option`, `Box`, `Pin`
    /// or `Fuse`), `Some(false)` a plain value (for a `handle`, also shared state or a
    /// channel's sender), `None` anything else.
    fn receipt_field(&self, ty: &Ty, m: ModId, handle: bool) -> Option<bool> {
        const WRAPPERS: &[&str] = &["Option", "Box", "Pin", "Fuse"];
        const PLAIN: &[&str] = &[
            "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
            "i128", "isize", "f32", "f64", "String", "Instant", "Duration",
        ];
        const SHARED: &[&str] = &["Arc", "Weak", "Sender", "UnboundedSender", "SyncSender"];
        let Ty::Path { segs, args } = ty else {
            return None;
        };
        let last = segs.last()?.as_str();
        let oneshot = |p: &str| p.split("::").any(|s| s == "oneshot");
        if last == "JoinHandle" {
            Some(true)
        } else if last.ends_with("Receiver") {
            let written = segs.iter().any(|s| s.as_str() == "oneshot");
            let resolved = match self.resolve_type(m, segs) {
                Res::External(p) | Res::Type(p) => oneshot(&p),
                _ => false,
            };
            (written || resolved).then_some(true)
        } else if WRAPPERS.contains(&last) && args.len() == 1 {
            self.receipt_field(&args[0], m, handle)
        } else if (PLAIN.contains(&last) && args.is_empty()) || (handle && SHARED.contains(&last)) {
            Some(false)
        } else {
            None
        }
    }

    /// Whether the type's `Drop` impl was read and only frees or deregisters what it holds.
    pub fn drop_only_cleans_up(&self, path: &str) -> bool {
        self.drop_cleans_up.contains(path)
    }

    /// Whether the type's `Drop` impl was read and, besides cleaning up, only locks, notifies
    /// and wakes: it passes a wake-up on to another waiter.
    pub fn drop_only_passes_wake(&self, path: &str) -> bool {
        self.drop_passes_wake.contains(path)
    }

    pub fn is_trait(&self, path: &str) -> bool {
        self.types
            .get(path)
            .is_some_and(|t| t.def.kind == TypeKind::Trait)
    }
}
