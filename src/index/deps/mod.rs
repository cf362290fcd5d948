//! Dependency sources, read, never built. For each package of a context: its dependencies from
//! the manifests (path dependencies, workspace members, renames, every section), their versions
//! from `Cargo.lock` (without one: the highest version on disk matching the requirement), their
//! sources under `$CARGO_HOME`; then the modules of those crates that the workspace's code names
//! (its `use` imports and the `dep::a::b` paths in its text), loaded lazily ([`lazy`]) into
//! extra files and crate roots for the index, with links from each crate to its dependency names.
//!
//! Nothing is executed, nothing is written under `$CARGO_HOME`, the network is never used. The
//! dependencies' facts are cached in a user cache folder ([`cache`]).

pub mod cache;
pub mod impl_scan;
pub mod lazy;
pub mod lockfile;
pub mod macros;
pub mod manifest;
pub mod registry;

use super::{ExternLink, IndexedFile};
use crate::discover::CrateRoot;
use crate::symbol::Symbol;
use lazy::{Crate, Ext, Loader};
use lockfile::Lock;
use manifest::{Dep, Manifest, Source};
use registry::CargoHome;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Where to read and cache.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `$CARGO_HOME` (`None`: no registry or git sources are read).
    pub cargo_home: Option<PathBuf>,
    /// The dependency facts cache folder (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
    /// What the contexts loading with these options share: each crate's macros searched and
    /// each file parsed once a run (see [`lazy::Shared`]).
    pub shared: std::sync::Arc<lazy::Shared>,
}

impl Options {
    /// From the environment: `$CARGO_HOME` (else `~/.cargo`), `$UNAWAITED_DEPS_CACHE` (else the
    /// platform's cache folder); no cache with `no_cache`.
    pub fn from_env(no_cache: bool) -> Options {
        let cargo_home = match std::env::var_os("CARGO_HOME") {
            Some(h) if !h.is_empty() => Some(PathBuf::from(h)),
            _ => dirs::home_dir().map(|h| h.join(".cargo")),
        };
        let cache_dir = if no_cache { None } else { cache::default_dir() };
        // Never write under `$CARGO_HOME`.
        let cache_dir = cache_dir.filter(|c| cargo_home.as_ref().is_none_or(|h| !c.starts_with(h)));
        Options {
            cargo_home,
            cache_dir,
            shared: Default::default(),
        }
    }
}

/// What a context's dependencies add to its index.
#[derive(Default)]
pub struct Loaded {
    pub files: Vec<IndexedFile>,
    pub roots: Vec<CrateRoot>,
    pub links: Vec<ExternLink>,
    /// Problems met on the way, each a sentence naming its file.
    pub notes: Vec<String>,
    /// Dependencies the code names whose sources are not on disk (`tokio 1.40.0`).
    pub missing: BTreeSet<String>,
}

/// A package of the context: its folder, manifest and crate root files.
struct Package {
    dir: PathBuf,
    manifest: Manifest,
    root_files: Vec<PathBuf>,
    externs: HashMap<String, Ext>,
}

struct Resolve<'a> {
    home: CargoHome,
    lock: Option<Lock>,
    opts: &'a Options,
    /// Package folders of the workspace → their lib root file.
    workspace_libs: HashMap<PathBuf, PathBuf>,
    /// The workspace root's `[patch]` and `[replace]`: package → the source cargo uses instead.
    patches: Vec<(String, Source)>,
    /// What the run should say about the versions it read.
    notes: Vec<String>,
    crate_by_dir: HashMap<PathBuf, usize>,
}

/// Names the code uses as crates that its package does not declare (`use foo::x;`, `foo::f()`
/// with no `foo` dependency, module, import or crate of the workspace): what they hold is
/// unknown, and the user is told once per name and package, with the first file naming it.
fn undeclared_crates(
    packages: &[Package],
    files: &[IndexedFile],
    roots: &[CrateRoot],
) -> Vec<String> {
    const BUILTIN: &[&str] = &[
        "crate",
        "self",
        "super",
        "std",
        "core",
        "alloc",
        "proc_macro",
        "test",
        // Tool namespaces of lint and attribute paths (`#[allow(clippy::x)]`,
        // `#[cfg_attr(unawaited, allow(unawaited::rule))]`, `#[rustfmt::skip]`): no crates.
        "clippy",
        "rustdoc",
        "rustfmt",
        "unawaited",
    ];
    let mut notes = Vec::new();
    for p in packages {
        let mine = || files.iter().filter(|f| f.path.starts_with(&p.dir));
        // Every module and import name of the package, wherever declared: a path may start
        // with any of them (2015 code names its own top modules without `crate::`). Only those
        // that start a path or an import are kept: the set is asked about nothing else, and a
        // generated file declares hundreds of thousands of fns (a 13 MB table of their names).
        let firsts: HashSet<&str> = mine()
            .flat_map(|f| {
                let imports = f.facts.modules.iter().flat_map(|m| &m.uses);
                let paths = f.facts.paths.iter();
                (imports.map(|u| &u.target).chain(paths)).filter_map(|segs| segs.first())
            })
            .map(|s| s.as_str())
            .collect();
        let mut local: HashSet<&str> = roots.iter().map(|r| r.name.as_str()).collect();
        local.extend(p.manifest.deps.iter().map(|d| d.extern_name.as_str()));
        for f in mine() {
            for m in &f.facts.modules {
                let names = (m.out_of_line.iter().map(|d| d.name.as_str()))
                    .chain(m.inline_path.iter().map(|s| s.as_str()))
                    .chain(m.uses.iter().map(|u| u.alias.as_str()))
                    .chain(m.fns.iter().map(|f| f.name.as_str()))
                    .chain(m.types.iter().map(|t| t.name.as_str()));
                local.extend(names.filter(|n| firsts.contains(n)));
            }
        }
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for f in mine() {
            // A glob import of something outside the package brings in names of its own.
            let foreign_glob = f.facts.modules.iter().flat_map(|m| &m.uses).any(|u| {
                u.glob
                    && u.target
                        .first()
                        .is_some_and(|s| !local.contains(s.as_str()))
            });
            if foreign_glob {
                continue;
            }
            // Each path with whether it was read from the code (an import) rather than from
            // the file's whole text.
            let imports = f.facts.modules.iter().flat_map(|m| &m.uses);
            let written = imports.map(|u| (true, &u.target));
            for (in_code, segs) in written.chain(f.facts.paths.iter().map(|p| (false, p))) {
                let Some(first) = segs.first().filter(|_| segs.len() >= 2) else {
                    continue;
                };
                let lower = first.starts_with(|c: char| c.is_ascii_lowercase());
                if !lower
                    || BUILTIN.contains(&first.as_str())
                    || p.externs.contains_key(first.as_str())
                    || local.contains(first.as_str())
                    || seen.contains(first.as_str())
                {
                    continue;
                }
                // The paths of the file's text were found in its comments and strings too
                // (`// see serde_json::to_string`): only one written in its code names a crate.
                if !in_code && !super::path_scan::names_in_code(&f.path, first.as_str()) {
                    continue;
                }
                seen.insert(first);
                notes.push(format!(
                    "{}: `{first}` is named as a crate, but {} declares no such dependency: \
                     what it holds is unknown",
                    f.path.display(),
                    p.dir.join("Cargo.toml").display()
                ));
            }
        }
    }
    notes
}

/// Loads the dependencies of the context rooted at `ctx_root` (a workspace or package folder)
/// that the code of its `files` names.
pub fn load(ctx_root: &Path, roots: &[CrateRoot], files: &[IndexedFile], opts: &Options) -> Loaded {
    let mut out = Loaded::default();
    if !ctx_root.join("Cargo.toml").is_file() {
        return out;
    }
    let lock = match lockfile::read(ctx_root) {
        Ok(lock) => lock,
        Err(e) => {
            out.notes.push(format!(
                "{}: {e}; dependency versions are taken from the manifests",
                ctx_root.join("Cargo.lock").display()
            ));
            None
        }
    };
    let workspace_manifest = manifest::read(ctx_root);
    let mut packages = packages_of(ctx_root, roots);
    let workspace_libs: HashMap<PathBuf, PathBuf> = packages
        .iter()
        .filter_map(|p| {
            let lib = roots
                .iter()
                .find(|r| r.is_lib && r.file.starts_with(&p.dir))?;
            Some((p.dir.clone(), lib.file.clone()))
        })
        .collect();
    let mut r = Resolve {
        home: opts
            .cargo_home
            .clone()
            .map(CargoHome::at)
            .unwrap_or_default(),
        lock,
        opts,
        workspace_libs,
        patches: workspace_manifest
            .as_ref()
            .map(|m| m.patches.clone())
            .unwrap_or_default(),
        notes: Vec::new(),
        crate_by_dir: HashMap::new(),
    };
    let mut loader = Loader::default();
    loader.shared = opts.shared.clone();
    for p in &mut packages {
        let entry = p.manifest.package_name.as_deref().and_then(|name| {
            let lock = r.lock.as_ref()?;
            let version = p.manifest.package_version.as_deref();
            lock.packages
                .iter()
                .find(|l| {
                    l.name == name
                        && (version.is_none() || version == Some(&l.version))
                        && l.source.is_none()
                })
                .cloned()
        });
        let deps = p.manifest.resolved_deps(workspace_manifest.as_ref());
        for dep in deps {
            let ext = r.ext_for(
                &mut loader,
                &dep,
                entry.as_ref().map(|e| e.dependencies.as_slice()),
            );
            p.externs.insert(dep.extern_name.clone(), ext);
        }
    }
    // What the code names.
    let mut requests: BTreeSet<(usize, Vec<Symbol>, bool)> = BTreeSet::new();
    for f in files {
        let Some(p) = packages
            .iter()
            .filter(|p| f.path.starts_with(&p.dir))
            .max_by_key(|p| p.dir.as_os_str().len())
        else {
            continue;
        };
        let mut named =
            |segs: &[Symbol], glob: bool, out: &mut Loaded| match p.externs.get(segs[0].as_str()) {
                Some(Ext::Crate(k)) => {
                    requests.insert((*k, segs[1..].to_vec(), glob));
                }
                Some(Ext::Missing(what)) => {
                    out.missing.insert(what.clone());
                }
                _ => {}
            };
        let mut aliases: HashMap<&str, &[Symbol]> = HashMap::new();
        for m in &f.facts.modules {
            for u in &m.uses {
                if u.target.is_empty() || !p.externs.contains_key(u.target[0].as_str()) {
                    continue;
                }
                named(&u.target, u.glob, &mut out);
                if !u.glob {
                    aliases.insert(u.alias.as_str(), &u.target);
                }
            }
        }
        for path in &f.facts.paths {
            if p.externs.contains_key(path[0].as_str()) {
                named(path, false, &mut out);
            } else if let Some(target) = aliases.get(path[0].as_str()) {
                let mut full = target.to_vec();
                full.extend_from_slice(&path[1..]);
                named(&full, false, &mut out);
            }
        }
    }
    for (k, segs, glob) in &requests {
        loader.request(&mut r, *k, segs, *glob);
    }
    loader.load_impl_modules(&mut r);
    out.notes.append(&mut loader.notes);
    out.notes.append(&mut r.notes);
    out.notes.extend(undeclared_crates(&packages, files, roots));
    // Links: each package's crates to their dependencies, each dependency to its own.
    let opened = |k: usize, loader: &Loader| loader.crates[k].root_mod.is_some();
    for p in &packages {
        for (name, ext) in &p.externs {
            let to = match ext {
                Ext::Crate(k) if opened(*k, &loader) => loader.crates[*k].root_file.clone(),
                Ext::Workspace(f) => f.clone(),
                _ => continue,
            };
            for from in &p.root_files {
                out.links.push(ExternLink {
                    from: from.clone(),
                    name: name.clone(),
                    to: to.clone(),
                });
            }
        }
    }
    for c in &loader.crates {
        if c.root_mod.is_none() {
            continue;
        }
        for (name, ext) in c.externs.iter().flatten() {
            let to = match ext {
                Ext::Crate(k) if opened(*k, &loader) => loader.crates[*k].root_file.clone(),
                _ => continue,
            };
            out.links.push(ExternLink {
                from: c.root_file.clone(),
                name: name.clone(),
                to,
            });
        }
    }
    let taken: HashSet<&str> = roots.iter().map(|r| r.name.as_str()).collect();
    let names = index_names(&loader.crates, &taken);
    let (mut crates, files) = loader.into_parts();
    for (c, name) in crates.iter_mut().zip(names) {
        c.cache.save();
        if let Some(name) = name {
            out.roots.push(CrateRoot {
                file: c.root_file.clone(),
                name,
                is_lib: false,
            });
        }
    }
    out.files = files
        .into_iter()
        .map(|f| IndexedFile {
            path: f.path,
            facts: f.facts,
        })
        .collect();
    out
}

/// The name each opened crate's modules get in the index: its library name, or, when several
/// opened crates (two versions) or a workspace crate share it, `name@version` for all but the
/// highest version.
fn index_names(crates: &[Crate], taken: &HashSet<&str>) -> Vec<Option<String>> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in crates.iter().enumerate() {
        if c.root_mod.is_some() {
            by_name.entry(c.lib_name.as_str()).or_default().push(i);
        }
    }
    let mut out = vec![None; crates.len()];
    for (name, mut ids) in by_name {
        ids.sort_by(|a, b| {
            crates[*b]
                .version
                .cmp(&crates[*a].version)
                .then(crates[*a].dir.cmp(&crates[*b].dir))
        });
        for (rank, i) in ids.into_iter().enumerate() {
            out[i] = Some(if rank == 0 && !taken.contains(name) {
                name.to_string()
            } else {
                let v = crates[i]
                    .version
                    .as_ref()
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| rank.to_string());
                format!("{name}@{v}")
            });
        }
    }
    out
}

/// The packages the crate roots of a context belong to, with their manifests.
fn packages_of(ctx_root: &Path, roots: &[CrateRoot]) -> Vec<Package> {
    let mut out: Vec<Package> = Vec::new();
    for root in roots {
        let mut dir = root.file.parent();
        while let Some(d) = dir {
            if !d.starts_with(ctx_root) {
                break;
            }
            if let Some(p) = out.iter_mut().find(|p| p.dir == d) {
                p.root_files.push(root.file.clone());
                break;
            }
            if let Some(m) = manifest::read(d).filter(|m| m.package_name.is_some()) {
                out.push(Package {
                    dir: d.to_path_buf(),
                    manifest: m,
                    root_files: vec![root.file.clone()],
                    externs: HashMap::new(),
                });
                break;
            }
            dir = d.parent();
        }
    }
    out
}

impl Resolve<'_> {
    /// What dependency `dep` is. `entries`: the dependent's `dependencies` list in the lock (a
    /// dependency it does not list is an optional one that is not enabled).
    fn ext_for(&mut self, loader: &mut Loader, dep: &Dep, entries: Option<&[String]>) -> Ext {
        // Cargo's order: a `[patch]` or `[replace]` of the package first, for every dependent.
        if let Some((_, source)) = self.patches.iter().find(|(p, _)| *p == dep.package) {
            if *source != dep.source {
                let patched = Dep {
                    source: source.clone(),
                    ..dep.clone()
                };
                return self.ext_for(loader, &patched, entries);
            }
        }
        match &dep.source {
            Source::Path(dir) => {
                if let Some(lib) = self.workspace_libs.get(dir) {
                    return Ext::Workspace(lib.clone());
                }
                if !dir.is_dir() {
                    return Ext::Missing(format!("{} (path {})", dep.package, dir.display()));
                }
                let locked = self
                    .lock
                    .as_ref()
                    .and_then(|l| l.find(&dep.package, entries, None))
                    .filter(|p| p.source.is_none())
                    .map(|p| (p.name.clone(), p.version.clone()));
                self.crate_at(loader, dir, locked, false)
            }
            Source::Registry => {
                let locked = self.lock.as_ref().and_then(|l| {
                    l.find(&dep.package, entries, dep.req.as_deref())
                        .filter(|p| p.source.as_deref().is_some_and(|s| !s.starts_with("git+")))
                        .cloned()
                });
                if let Some(p) = locked {
                    let home = &self.home;
                    if let Some(dir) = home.registry_dir(&p.name, &p.version, p.source.as_deref()) {
                        return self.crate_at(loader, &dir, Some((p.name, p.version)), true);
                    }
                    // The locked version is not on disk: another version the manifest accepts
                    // describes the same API better than nothing (a vendored or stale registry).
                    return match self.home.highest_matching(&dep.package, dep.req.as_deref()) {
                        Some((version, dir)) => {
                            let note = format!(
                                "{}: the lock pins {}, which is not in {}; {version} is read \
                                 instead (`cargo fetch` gets the pinned one)",
                                dep.package,
                                p.version,
                                self.home.root.display()
                            );
                            if !self.notes.contains(&note) {
                                self.notes.push(note);
                            }
                            self.crate_at(loader, &dir, Some((dep.package.clone(), version)), true)
                        }
                        None => Ext::Missing(format!("{} {}", p.name, p.version)),
                    };
                }
                if self.lock.is_some() && entries.is_some() {
                    // The lock knows the dependent and not this: not enabled.
                    return Ext::Unknown;
                }
                match self.home.highest_matching(&dep.package, dep.req.as_deref()) {
                    Some((version, dir)) => {
                        self.crate_at(loader, &dir, Some((dep.package.clone(), version)), true)
                    }
                    None => Ext::Missing(dep.package.clone()),
                }
            }
            Source::Git { url, rev } => {
                let locked = self.lock.as_ref().and_then(|l| {
                    l.find(&dep.package, entries, None)
                        .filter(|p| p.source.as_deref().is_some_and(|s| s.starts_with("git+")))
                        .cloned()
                });
                let (url, rev, locked) = match &locked {
                    Some(p) => match p.source.as_deref().and_then(registry::git_source) {
                        Some((u, r)) => (u, r, Some((p.name.clone(), p.version.clone()))),
                        None => (url.clone(), rev.clone(), None),
                    },
                    None => (url.clone(), rev.clone(), None),
                };
                match self.home.git_checkout(&url, rev.as_deref(), &dep.package) {
                    Some(dir) => self.crate_at(loader, &dir, locked, false),
                    None => Ext::Missing(format!("{} (git {url})", dep.package)),
                }
            }
        }
    }

    /// The crate in folder `dir`, registered once.
    fn crate_at(
        &mut self,
        loader: &mut Loader,
        dir: &Path,
        locked: Option<(String, String)>,
        immutable: bool,
    ) -> Ext {
        if let Some(&k) = self.crate_by_dir.get(dir) {
            return Ext::Crate(k);
        }
        let m = manifest::read(dir);
        let lib_name = m
            .as_ref()
            .and_then(|m| m.lib_name.clone())
            .or_else(|| locked.as_ref().map(|(n, _)| n.replace('-', "_")))
            .unwrap_or_else(|| {
                dir.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .replace('-', "_")
            });
        let root_file = crate::files::normalize(
            &dir.join(
                m.as_ref()
                    .and_then(|m| m.lib_path.clone())
                    .unwrap_or_else(|| "src/lib.rs".into()),
            ),
        );
        if std::fs::symlink_metadata(dir).is_err() {
            return Ext::Missing(dir.display().to_string());
        }
        if !root_file.is_file() {
            if std::fs::symlink_metadata(&root_file).is_ok() || std::fs::read_dir(dir).is_err() {
                loader.notes.push(format!(
                    "{}: cannot be read; this dependency's items are unknown",
                    root_file.display()
                ));
            }
            return Ext::Unknown;
        }
        let key = match (&locked, immutable) {
            (Some((name, version)), true) => {
                let registry = dir
                    .parent()
                    .and_then(|p| p.file_name())
                    .map(|n| crate::files::content_hash(n.as_encoded_bytes()) as u32)
                    .unwrap_or_default();
                format!("{name}-{version}-{registry:08x}")
            }
            _ => format!(
                "local-{lib_name}-{:016x}",
                crate::files::content_hash(dir.as_os_str().as_encoded_bytes()) as u64
            ),
        };
        let cache = cache::CrateCache::open(self.opts.cache_dir.as_deref(), &key, dir, immutable);
        let k = loader.crates.len();
        loader.crates.push(Crate::new(
            lib_name,
            dir.to_path_buf(),
            root_file,
            locked,
            cache,
        ));
        self.crate_by_dir.insert(dir.to_path_buf(), k);
        Ext::Crate(k)
    }
}

impl lazy::Resolver for Resolve<'_> {
    fn externs(&mut self, loader: &mut Loader, krate: usize) -> HashMap<String, Ext> {
        let dir = loader.crates[krate].dir.clone();
        let Some(m) = manifest::read(&dir) else {
            return HashMap::new();
        };
        let entry = loader.crates[krate]
            .locked
            .clone()
            .and_then(|(n, v)| Some(self.lock.as_ref()?.package(&n, &v)?.dependencies.clone()));
        let mut out = HashMap::new();
        // A dependency's own dev-dependencies are not part of the build.
        let deps: Vec<Dep> = m.resolved_deps(None);
        for dep in deps {
            let ext = self.ext_for(loader, &dep, entry.as_deref());
            out.insert(dep.extern_name.clone(), ext);
        }
        out
    }
}
