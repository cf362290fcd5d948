//! Finding the files to check and the context each is analysed in.
//!
//! A file's *context* is the Cargo package that compiles it (or the whole workspace the package
//! belongs to): every `.rs` file of its `src`, `tests`, `examples` and `benches` trees and its
//! `build.rs` is indexed, so that an `async fn` defined in another file is known. A `.rs` file
//! that no package compiles is a context of its own. Which files of a package's folders its
//! targets really compile is known only once their module trees are (see
//! `Index::compiled_by_no_root`): the engine leaves the others unreported. The context depends only on where a file
//! is, never on which other files were named: pre-commit and CI get the same answers.

use crate::diagnostic::RunError;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;
use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use walkdir::WalkDir;

mod strays;

/// One crate root of a package: its file and what kind of target it is.
#[derive(Debug, Clone)]
pub struct CrateRoot {
    pub file: PathBuf,
    /// The crate's name as other crates write it (the lib target), or a private name.
    pub name: String,
    pub is_lib: bool,
}

/// A file to check and report on.
#[derive(Debug, Clone)]
pub struct Target {
    /// Absolute, lexically normalised path.
    pub path: PathBuf,
    /// The path shown to the user.
    pub display: String,
    /// Text given on standard input instead of the file's.
    pub stdin_text: Option<String>,
    /// Named on the command line (or given as text), not found by walking a folder.
    pub named: bool,
    /// The folder named on the command line whose walk found the file (the file itself when
    /// named).
    pub walked_from: PathBuf,
}

/// A set of files indexed together.
#[derive(Debug, Clone)]
pub struct Context {
    pub root: PathBuf,
    pub files: Vec<PathBuf>,
    pub roots: Vec<CrateRoot>,
}

/// Skips for walking: `target/`, hidden folders, what ignore files say, and the user's excludes.
///
/// walkdir walks, and the ignore crate's matchers decide (rather than its own walker): the
/// configuration's excludes are a borrowed, caching predicate that prunes folders during the
/// walk, which the ignore walker's `'static + Send + Sync` filter cannot hold.
pub struct Walker<'a> {
    pub cwd: &'a Path,
    pub excluded: &'a dyn Fn(&Path) -> bool,
    pub ignores: &'a Ignores,
    /// Whether a path named on the command line is skipped too when excluded or ignored.
    pub force_exclude: &'a dyn Fn(&Path) -> bool,
    /// What the walks refused to read (links out of the repository), one note each.
    pub notes: RefCell<Vec<String>>,
    /// Every folder the walks entered, in order (what a walk's result depends on).
    pub entered: RefCell<Vec<PathBuf>>,
}

impl Walker<'_> {
    /// Whether an entry met in a walk is skipped.
    fn skips(&self, path: &Path, is_dir: bool) -> bool {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        (is_dir && (name.starts_with('.') || name == "target"))
            || (self.excluded)(path)
            || self.ignores.is_ignored(path, is_dir)
    }

    /// The files named on the command line: folders are walked, files taken as named (even
    /// when excluded or ignored, unless `force_exclude`). A folder that holds no Rust file to
    /// check is reported in `empty`.
    pub fn targets(
        &self,
        paths: &[PathBuf],
        errors: &mut Vec<RunError>,
        empty: &mut Vec<String>,
    ) -> Vec<Target> {
        let mut out = BTreeMap::new();
        for given in paths {
            let abs = crate::files::normalize(&self.cwd.join(given));
            let meta = match std::fs::metadata(&abs) {
                Ok(m) => m,
                Err(e) => {
                    errors.push(RunError {
                        path: given.display().to_string(),
                        message: io_message(&e),
                    });
                    continue;
                }
            };
            let skipped = (self.force_exclude)(&abs)
                && ((self.excluded)(&abs)
                    || self.ignores.is_ignored_or_in_ignored(&abs, meta.is_dir()));
            if skipped {
                continue;
            }
            if meta.is_dir() {
                let files = self.rust_files(&abs, errors);
                if files.is_empty() {
                    empty.push(given.display().to_string());
                }
                for file in files {
                    let display = self.display(&file);
                    out.entry(file.clone()).or_insert(Target {
                        path: file,
                        display,
                        stdin_text: None,
                        named: false,
                        walked_from: abs.clone(),
                    });
                }
            } else if !meta.is_file() {
                // A FIFO or a device would block or never end; `-` reads standard input.
                errors.push(RunError {
                    path: given.display().to_string(),
                    message: "not a regular file or a folder (use `-` with --stdin-filename to \
                              check piped text)"
                        .into(),
                });
            } else if !Boundary::of(&abs).holds(&abs) {
                self.refuse(&abs);
            } else {
                let display = self.display(&abs);
                let target = out.entry(abs.clone()).or_insert(Target {
                    path: abs.clone(),
                    display,
                    stdin_text: None,
                    named: true,
                    walked_from: abs,
                });
                target.named = true;
            }
        }
        out.into_values().collect()
    }

    /// Notes that `link` leads outside the repository and is not read.
    fn refuse(&self, link: &Path) {
        self.notes.borrow_mut().push(format!(
            "{}: a symbolic link that leads outside the repository: not read",
            self.display(link)
        ));
    }

    /// Every `.rs` file below `dir`, skipping what [`Walker::skips`] and what symbolic links
    /// lead to outside the repository (each named in a note).
    pub fn rust_files(&self, dir: &Path, errors: &mut Vec<RunError>) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let boundary = Boundary::of(dir);
        let walk = WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        let walk = walk.filter_entry(|e| {
            let linked = e.depth() == 0 || e.path_is_symlink();
            if linked && !boundary.holds(e.path()) {
                self.refuse(e.path());
                return false;
            }
            e.depth() == 0 || !self.skips(e.path(), e.file_type().is_dir())
        });
        for entry in walk {
            match entry {
                Ok(e)
                    if e.file_type().is_file()
                        && e.path().extension().is_some_and(|x| x == "rs") =>
                {
                    files.push(crate::files::normalize(e.path()));
                }
                Ok(e) if e.file_type().is_dir() => {
                    self.entered.borrow_mut().push(e.path().to_path_buf());
                }
                Ok(_) => {}
                Err(e) => {
                    let path = e
                        .path()
                        .map(|p| self.display(p))
                        .unwrap_or_else(|| self.display(dir));
                    let message = if e.loop_ancestor().is_some() {
                        "symlink loop: not followed".to_string()
                    } else {
                        e.io_error()
                            .map(io_message)
                            .unwrap_or_else(|| e.to_string())
                    };
                    errors.push(RunError { path, message });
                }
            }
        }
        files
    }

    /// The path as shown: relative to the working directory when below it.
    pub fn display(&self, path: &Path) -> String {
        display(self.cwd, path)
    }
}

/// `path` as shown to the user: relative to `cwd` when below it, with `/` separators; a file
/// above `cwd` in the same repository (or workspace) with `../`, so that a run from a subfolder
/// shows every path in one style; absolute otherwise.
pub fn display(cwd: &Path, path: &Path) -> String {
    let climbed;
    let shown = match path.strip_prefix(cwd) {
        Ok(below) => below,
        Err(_)
            if path.is_absolute() && repo_root_of_cwd(cwd).is_some_and(|r| path.starts_with(r)) =>
        {
            match crate::repo::relative(cwd, path) {
                Some(p) => {
                    climbed = p;
                    &climbed
                }
                None => path,
            }
        }
        Err(_) => path,
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

/// The repository root above the working directory (see [`crate::repo::root_of`]), looked up
/// once per working directory.
fn repo_root_of_cwd(cwd: &Path) -> Option<PathBuf> {
    static LAST: std::sync::Mutex<Option<(PathBuf, Option<PathBuf>)>> = std::sync::Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    match &*last {
        Some((dir, root)) if dir == cwd => root.clone(),
        _ => {
            let root = crate::repo::root_of(cwd);
            *last = Some((cwd.to_path_buf(), root.clone()));
            root
        }
    }
}

/// The repository that holds `start` (a file or a folder): the nearest folder at or above it
/// that holds `.git`; else the workspace (or package) of the nearest `Cargo.toml`; else the
/// folder itself (a file's folder). What a run reads as sources lies inside it.
pub fn repository_root(start: &Path) -> PathBuf {
    let start = crate::files::normalize(start);
    let dir = if start.is_dir() {
        start
    } else {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    };
    crate::repo::root_of(&dir).unwrap_or(dir)
}

/// The repository as a boundary: files that symbolic links, `#[path]`, `include!` or a
/// configuration's `extend` reach outside it are not read as the tree's own.
#[derive(Debug, Clone)]
pub struct Boundary {
    root: PathBuf,
    /// The root with every symbolic link resolved.
    real_root: PathBuf,
}

impl Boundary {
    /// The boundary of the repository holding `start` ([`repository_root`]).
    pub fn of(start: &Path) -> Boundary {
        Boundary::at(&repository_root(start))
    }

    /// The boundary of the repository at `root`.
    pub fn at(root: &Path) -> Boundary {
        let root = crate::files::normalize(root);
        let real_root = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
        Boundary { root, real_root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `path` lies inside, every symbolic link resolved. A path that does not resolve
    /// (missing, a dangling link) is judged as written: reading it fails, and says so.
    pub fn holds(&self, path: &Path) -> bool {
        match std::fs::canonicalize(path) {
            Ok(real) => real.starts_with(&self.real_root),
            Err(_) => crate::files::normalize(path).starts_with(&self.root),
        }
    }
}

/// What ignore files say to skip: `.ignore` everywhere, and inside a git repository
/// `.gitignore`, `.git/info/exclude` and the global excludes (`core.excludesFile`), with git's
/// precedence (the ignore crate's matchers, read once per folder).
pub struct Ignores {
    enabled: bool,
    global: OnceCell<Gitignore>,
    dirs: RefCell<HashMap<PathBuf, Rc<DirRules>>>,
}

/// The ignore files of one folder, and its parent's.
struct DirRules {
    dot_ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    /// `.git/info/exclude`, in a repository's top folder.
    exclude: Option<Gitignore>,
    is_repo_root: bool,
    parent: Option<Rc<DirRules>>,
}

impl DirRules {
    fn chain(self: &Rc<DirRules>) -> impl Iterator<Item = &DirRules> {
        std::iter::successors(Some(&**self), |r| r.parent.as_deref())
    }
}

/// The matcher of one ignore file; `None` when there is none (or it holds no pattern).
fn matcher(root: &Path, file: &Path) -> Option<Gitignore> {
    if !file.is_file() {
        return None;
    }
    let mut builder = GitignoreBuilder::new(root);
    // A line that is not a valid glob is skipped, as git does; the others still apply.
    let _ = builder.add(file);
    builder.build().ok().filter(|g| !g.is_empty())
}

impl Ignores {
    /// `enabled: false` (`--no-ignore`) ignores nothing.
    pub fn new(enabled: bool) -> Ignores {
        Ignores {
            enabled,
            global: OnceCell::new(),
            dirs: RefCell::default(),
        }
    }

    fn rules(&self, dir: &Path) -> Rc<DirRules> {
        if let Some(r) = self.dirs.borrow().get(dir) {
            return r.clone();
        }
        let parent = dir.parent().map(|p| self.rules(p));
        let git = dir.join(".git");
        let is_repo_root = git.exists();
        let rules = Rc::new(DirRules {
            dot_ignore: matcher(dir, &dir.join(".ignore")),
            gitignore: matcher(dir, &dir.join(".gitignore")),
            exclude: is_repo_root
                .then(|| matcher(dir, &git.join("info").join("exclude")))
                .flatten(),
            is_repo_root,
            parent,
        });
        self.dirs
            .borrow_mut()
            .insert(dir.to_path_buf(), rules.clone());
        rules
    }

    /// Whether `path` is ignored by the ignore files of its folder and the folders above (not
    /// counting those of its ancestors: a walk does not enter an ignored folder).
    pub fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        if !self.enabled {
            return false;
        }
        let Some(parent) = path.parent() else {
            return false;
        };
        let rules = self.rules(parent);
        let decided = |m: Match<&ignore::gitignore::Glob>| match m {
            Match::None => None,
            m => Some(m.is_ignore()),
        };
        // `.ignore` files first, nearest first; then git's files up to the repository's top.
        let first = |pick: &dyn Fn(&DirRules) -> Option<&Gitignore>, git_only: bool| {
            let mut in_repo = false;
            for r in rules.chain() {
                if git_only && in_repo {
                    break;
                }
                in_repo |= r.is_repo_root;
                if let Some(d) = pick(r).and_then(|g| decided(g.matched(path, is_dir))) {
                    return Some(d);
                }
            }
            None
        };
        if let Some(d) = first(&|r| r.dot_ignore.as_ref(), false) {
            return d;
        }
        if !rules.chain().any(|r| r.is_repo_root) {
            return false;
        }
        first(&|r| r.gitignore.as_ref(), true)
            .or_else(|| first(&|r| r.exclude.as_ref(), true))
            .or_else(|| {
                let global = self.global.get_or_init(|| Gitignore::global().0);
                decided(global.matched(path, is_dir))
            })
            .unwrap_or(false)
    }

    /// Whether `path` or a folder above it is ignored (for a path named on the command line
    /// with `--force-exclude`).
    pub fn is_ignored_or_in_ignored(&self, path: &Path, is_dir: bool) -> bool {
        self.is_ignored(path, is_dir) || path.ancestors().skip(1).any(|a| self.is_ignored(a, true))
    }
}

pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            // "Is a directory (os error 21)" → "is a directory (os error 21)"
            let mut chars = s.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
                None => s,
            }
        }
    }
}

/// What is known of a `Cargo.toml`.
#[derive(Debug, Clone, Default)]
struct Manifest {
    package_name: Option<String>,
    lib_name: Option<String>,
    lib_path: Option<String>,
    bin_paths: Vec<String>,
    /// The paths of the `[[test]]`, `[[example]]` and `[[bench]]` targets declared, and a
    /// `build = ".."` script.
    other_target_paths: Vec<String>,
    is_workspace: bool,
    workspace_exclude: Vec<String>,
}

impl Manifest {
    /// The name other crates write for the package's library (`[lib] name`, else the package
    /// name), with `-` made `_`.
    fn crate_name(&self) -> String {
        self.lib_name
            .clone()
            .or(self.package_name.clone())
            .unwrap_or_default()
            .replace('-', "_")
    }
}

fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let value: toml::Table = text.parse().unwrap_or_default();
    let str_at = |t: Option<&toml::Value>, key: &str| {
        t.and_then(|v| v.get(key))
            .and_then(|v| v.as_str())
            .map(String::from)
    };
    let package = value.get("package");
    let lib = value.get("lib");
    let workspace = value.get("workspace");
    let declared = |kind: &str| -> Vec<String> {
        value
            .get(kind)
            .and_then(|b| b.as_array())
            .map(|targets| {
                targets
                    .iter()
                    .filter_map(|t| str_at(Some(t), "path"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut other_target_paths: Vec<String> = ["test", "example", "bench"]
        .iter()
        .flat_map(|kind| declared(kind))
        .collect();
    other_target_paths.extend(str_at(package, "build"));
    Some(Manifest {
        package_name: str_at(package, "name"),
        lib_name: str_at(lib, "name"),
        lib_path: str_at(lib, "path"),
        bin_paths: declared("bin"),
        other_target_paths,
        is_workspace: workspace.is_some(),
        workspace_exclude: workspace
            .and_then(|w| w.get("exclude"))
            .and_then(|e| e.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The folders a package compiles from.
const PACKAGE_TREES: &[&str] = &["src", "tests", "examples", "benches"];

/// Groups targets by context, reading manifests once.
#[derive(Default)]
pub struct ContextFinder {
    manifests: HashMap<PathBuf, Option<Rc<Manifest>>>,
    /// Per package folder: the files its manifest names as targets, normalised.
    explicit_targets: HashMap<PathBuf, Rc<HashSet<PathBuf>>>,
    /// Per package folder: its files outside the folders its targets compile from that a
    /// compiled file names by path (see [`strays`]).
    reached_strays: HashMap<PathBuf, Rc<HashSet<PathBuf>>>,
}

impl ContextFinder {
    fn manifest(&mut self, dir: &Path) -> Option<Rc<Manifest>> {
        self.manifests
            .entry(dir.to_path_buf())
            .or_insert_with(|| read_manifest(dir).map(Rc::new))
            .clone()
    }

    /// The files the manifest in `dir` names as targets (`[lib] path`, `[[bin]]`, `[[test]]`,
    /// ... and `build`), normalised.
    fn explicit_targets(&mut self, dir: &Path, m: &Manifest) -> Rc<HashSet<PathBuf>> {
        self.explicit_targets
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let paths = m.lib_path.iter().chain(&m.bin_paths);
                let paths = paths.chain(&m.other_target_paths);
                Rc::new(
                    paths
                        .map(|p| crate::files::normalize(&dir.join(p)))
                        .collect(),
                )
            })
            .clone()
    }

    /// The package folder that compiles `file`, if any.
    fn package_of(&mut self, file: &Path) -> Option<PathBuf> {
        let mut dir = file.parent();
        while let Some(d) = dir {
            if let Some(m) = self.manifest(d) {
                // No package compiles a file whose nearest manifest is a virtual workspace.
                m.package_name.as_ref()?;
                let rel = file.strip_prefix(d).ok()?;
                let first = rel
                    .components()
                    .next()?
                    .as_os_str()
                    .to_string_lossy()
                    .into_owned();
                let explicit = self.explicit_targets(d, &m).contains(file);
                if PACKAGE_TREES.contains(&first.as_str())
                    || rel == Path::new("build.rs")
                    || explicit
                {
                    return Some(d.to_path_buf());
                }
                return None;
            }
            dir = d.parent();
        }
        None
    }

    /// The package folder holding `file` outside every folder its targets compile from, when a
    /// compiled file of the package names it by path (`#[path = "../shared/util.rs"]`).
    fn reached_from_package(&mut self, file: &Path, walker: &Walker) -> Option<PathBuf> {
        if self.package_of(file).is_some() {
            return None;
        }
        let dir = file
            .ancestors()
            .skip(1)
            .find(|d| self.manifest(d).is_some())?
            .to_path_buf();
        self.manifest(&dir)?.package_name.as_ref()?;
        self.strays_reached(&dir, walker)
            .contains(file)
            .then_some(dir)
    }

    /// The files of package `pkg` outside the folders its targets compile from (and outside
    /// any package nested in it) that its compiled files name by path, in turn.
    fn strays_reached(&mut self, pkg: &Path, walker: &Walker) -> Rc<HashSet<PathBuf>> {
        if let Some(found) = self.reached_strays.get(pkg) {
            return found.clone();
        }
        let mut strays = HashSet::new();
        let mut compiled = Vec::new();
        let entries = std::fs::read_dir(pkg).into_iter().flatten().flatten();
        let mut entries: Vec<PathBuf> = entries.map(|e| e.path()).collect();
        entries.sort();
        for entry in entries {
            let name = entry.file_name().map(|n| n.to_string_lossy().into_owned());
            let name = name.unwrap_or_default();
            let is_dir = entry.is_dir();
            if is_dir && PACKAGE_TREES.contains(&name.as_str()) {
                continue;
            }
            if walker.skips(&entry, is_dir) {
                continue;
            }
            let found = match is_dir {
                true => walker.rust_files(&entry, &mut Vec::new()),
                false if name.ends_with(".rs") => vec![crate::files::normalize(&entry)],
                false => Vec::new(),
            };
            for f in found {
                let nearest = f.ancestors().skip(1).find(|d| self.manifest(d).is_some());
                if nearest != Some(pkg) {
                    continue;
                }
                match self.package_of(&f) {
                    Some(_) => compiled.push((f, true)),
                    None => {
                        strays.insert(f);
                    }
                }
            }
        }
        let reached = match strays.is_empty() {
            true => HashSet::new(),
            false => {
                for tree in PACKAGE_TREES {
                    let dir = pkg.join(tree);
                    if dir.is_dir() {
                        let found = walker.rust_files(&dir, &mut Vec::new());
                        compiled.extend(found.into_iter().map(|f| (f, false)));
                    }
                }
                strays::reached(&compiled, &strays)
            }
        };
        let reached = Rc::new(reached);
        self.reached_strays
            .insert(pkg.to_path_buf(), reached.clone());
        reached
    }

    /// Whether a file found by walking `walked_from` is in a package that the walk took in
    /// whole (its manifest's folder at or below `walked_from`) but outside every folder its
    /// targets compile from (`templates/`, `build-tools/`), and no compiled file of the
    /// package names it by path: cargo compiles no such file.
    pub fn outside_a_walked_package(
        &mut self,
        file: &Path,
        walked_from: &Path,
        walker: &Walker,
    ) -> bool {
        if self.package_of(file).is_some() || self.reached_from_package(file, walker).is_some() {
            return false;
        }
        let Some(dir) = file
            .ancestors()
            .skip(1)
            .find(|d| self.manifest(d).is_some())
            .map(Path::to_path_buf)
        else {
            return false;
        };
        self.manifest(&dir)
            .is_some_and(|m| m.package_name.is_some())
            && dir.starts_with(walked_from)
    }

    /// The workspace root a package belongs to (the package itself when it is in none).
    fn workspace_of(&mut self, package: &Path) -> PathBuf {
        if self.manifest(package).is_some_and(|m| m.is_workspace) {
            return package.to_path_buf();
        }
        let mut dir = package.parent();
        while let Some(d) = dir {
            if let Some(m) = self.manifest(d) {
                if m.is_workspace {
                    let rel = package.strip_prefix(d).unwrap_or(package);
                    let excluded = m.workspace_exclude.iter().any(|e| rel.starts_with(e));
                    return if excluded {
                        package.to_path_buf()
                    } else {
                        d.to_path_buf()
                    };
                }
            }
            dir = d.parent();
        }
        package.to_path_buf()
    }

    /// The package or workspace folder holding `path` (a file or a folder): the workspace of
    /// the nearest manifest at or above it.
    pub fn cargo_root_of(&mut self, path: &Path) -> Option<PathBuf> {
        let start = if path.is_dir() {
            Some(path)
        } else {
            path.parent()
        };
        let dir = start?.ancestors().find(|d| self.manifest(d).is_some())?;
        Some(self.workspace_of(dir))
    }

    /// The folders `cargo unawaited` checks, selected as cargo selects packages: from the
    /// folder of `manifest_path` or else `cwd`, the nearest manifest's package (the whole
    /// workspace when that manifest is a virtual one, or with `workspace`), or the workspace
    /// members named in `packages`.
    pub fn cargo_selection(
        &mut self,
        cwd: &Path,
        manifest_path: Option<&Path>,
        packages: &[String],
        workspace: bool,
    ) -> Result<Vec<PathBuf>, String> {
        let start = match manifest_path {
            Some(m) => {
                let m = crate::files::normalize(&cwd.join(m));
                if m.file_name().is_none_or(|n| n != "Cargo.toml") || !m.is_file() {
                    return Err(format!(
                        "the manifest-path must be a path to an existing Cargo.toml file: {}",
                        m.display()
                    ));
                }
                m.parent().map(Path::to_path_buf).unwrap_or_default()
            }
            None => crate::files::normalize(cwd),
        };
        let Some(package) = start
            .ancestors()
            .find(|d| self.manifest(d).is_some())
            .map(Path::to_path_buf)
        else {
            return Err(format!(
                "could not find `Cargo.toml` in `{}` or any parent directory",
                start.display()
            ));
        };
        let root = self.workspace_of(&package);
        if packages.is_empty() {
            let is_virtual = self
                .manifest(&package)
                .is_some_and(|m| m.package_name.is_none());
            return Ok(vec![if workspace || is_virtual {
                root
            } else {
                package
            }]);
        }
        let ignores = Ignores::new(false);
        let walker = Walker {
            cwd,
            excluded: &|_| false,
            ignores: &ignores,
            force_exclude: &|_| false,
            notes: RefCell::default(),
            entered: RefCell::default(),
        };
        let mut members: Vec<(String, PathBuf)> = Vec::new();
        for dir in self.packages_in(&root, &walker) {
            if let Some(name) = self.manifest(&dir).and_then(|m| m.package_name.clone()) {
                members.push((name, dir));
            }
        }
        let mut out = Vec::new();
        for spec in packages {
            // `NAME` or `NAME@VERSION` (the version is not checked: one package has one).
            let name = spec.split('@').next().unwrap_or(spec);
            match members.iter().find(|(n, _)| n == name) {
                Some((_, dir)) => out.push(dir.clone()),
                None => {
                    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
                    return Err(format!(
                        "package ID specification `{spec}` did not match any packages (the \
                         workspace has: {})",
                        names.join(", ")
                    ));
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The context key of a file: its workspace (or package) folder, or the file itself.
    /// A file of a package outside its target folders that a compiled file names by path is
    /// the package's.
    pub fn context_key(&mut self, file: &Path, walker: &Walker) -> PathBuf {
        match self
            .package_of(file)
            .or_else(|| self.reached_from_package(file, walker))
        {
            Some(p) => self.workspace_of(&p),
            None => file.to_path_buf(),
        }
    }

    /// The files and crate roots of a context.
    pub fn context(&mut self, key: &Path, walker: &Walker, errors: &mut Vec<RunError>) -> Context {
        if key.extension().is_some_and(|x| x == "rs") && !key.is_dir() {
            let name = key
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Context {
                root: key.to_path_buf(),
                files: vec![key.to_path_buf()],
                roots: vec![CrateRoot {
                    file: key.to_path_buf(),
                    name,
                    is_lib: false,
                }],
            };
        }
        let packages = self.packages_in(key, walker);
        let boundary = Boundary::of(key);
        let mut files = Vec::new();
        let mut seen: HashSet<PathBuf> = HashSet::new();
        let mut roots = Vec::new();
        for pkg in packages {
            let Some(m) = self.manifest(&pkg) else {
                continue;
            };
            let name = m.crate_name();
            let first = files.len();
            for tree in PACKAGE_TREES {
                let dir = pkg.join(tree);
                if dir.is_dir() {
                    let found = walker.rust_files(&dir, errors);
                    seen.extend(found.iter().cloned());
                    files.extend(found);
                }
            }
            for extra in m
                .lib_path
                .iter()
                .chain(&m.bin_paths)
                .chain(&m.other_target_paths)
                .map(|p| crate::files::normalize(&pkg.join(p)))
                .chain([pkg.join("build.rs")])
            {
                if seen.contains(&extra) || !extra.is_file() {
                    continue;
                }
                if boundary.holds(&extra) {
                    seen.insert(extra.clone());
                    files.push(extra);
                } else if extra == pkg.join("build.rs") {
                    walker.refuse(&extra);
                } else {
                    walker.notes.borrow_mut().push(format!(
                        "{}: a target's `path` leads outside the repository: not read",
                        walker.display(&pkg.join("Cargo.toml"))
                    ));
                }
            }
            for extra in self.strays_reached(&pkg, walker).iter() {
                if seen.insert(extra.clone()) {
                    files.push(extra.clone());
                }
            }
            // The package's root files are among the files its own trees and targets gave.
            roots.extend(crate_roots(&pkg, &name, &m, &seen, &files[first..]));
        }
        files.sort();
        files.dedup();
        Context {
            root: key.to_path_buf(),
            files,
            roots,
        }
    }

    /// The crate roots of a package context's `files` (when files not on disk, such as editor
    /// buffers, were added to the ones [`ContextFinder::context`] found).
    pub fn roots_of(&mut self, key: &Path, files: &[PathBuf], walker: &Walker) -> Vec<CrateRoot> {
        let mut roots = Vec::new();
        for pkg in self.packages_in(key, walker) {
            let Some(m) = self.manifest(&pkg) else {
                continue;
            };
            let name = m.crate_name();
            let all: HashSet<PathBuf> = files.iter().cloned().collect();
            roots.extend(crate_roots(&pkg, &name, &m, &all, files));
        }
        roots
    }

    /// The packages of a workspace folder (or the one package).
    fn packages_in(&mut self, root: &Path, walker: &Walker) -> Vec<PathBuf> {
        let Some(m) = self.manifest(root) else {
            return Vec::new();
        };
        if !m.is_workspace {
            return vec![root.to_path_buf()];
        }
        let mut out = Vec::new();
        let walk = WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| {
                let is_dir = e.file_type().is_dir();
                e.depth() == 0
                    || !(is_dir && e.file_name() == "src" || walker.skips(e.path(), is_dir))
            });
        for entry in walk.flatten() {
            if entry.file_type().is_dir() {
                walker.entered.borrow_mut().push(entry.path().to_path_buf());
            }
            if entry.file_name() != "Cargo.toml" {
                continue;
            }
            let Some(dir) = entry.path().parent() else {
                continue;
            };
            let dir = crate::files::normalize(dir);
            let Some(pm) = self.manifest(&dir) else {
                continue;
            };
            if pm.package_name.is_some() && self.workspace_of(&dir) == root {
                out.push(dir);
            }
        }
        out
    }
}

/// The crate roots of package `pkg` among the context's files (`all`): its targets, and those
/// of `files` (the package's own) whose place makes them one (`src/bin/x.rs`, `tests/x.rs`..).
fn crate_roots(
    pkg: &Path,
    lib_name: &str,
    m: &Manifest,
    all: &HashSet<PathBuf>,
    files: &[PathBuf],
) -> Vec<CrateRoot> {
    let mut roots = Vec::new();
    let mut taken: HashSet<PathBuf> = HashSet::new();
    let lib = m
        .lib_path
        .as_ref()
        .map(|p| crate::files::normalize(&pkg.join(p)))
        .unwrap_or_else(|| pkg.join("src/lib.rs"));
    if all.contains(&lib) {
        taken.insert(lib.clone());
        roots.push(CrateRoot {
            file: lib,
            name: lib_name.to_string(),
            is_lib: true,
        });
    }
    let mut private = |file: PathBuf, label: &str| {
        if all.contains(&file) && taken.insert(file.clone()) {
            roots.push(CrateRoot {
                file,
                name: format!("{lib_name}[{label}]"),
                is_lib: false,
            });
        }
    };
    private(pkg.join("src/main.rs"), "main");
    for p in &m.bin_paths {
        private(crate::files::normalize(&pkg.join(p)), "bin");
    }
    for p in &m.other_target_paths {
        let file = crate::files::normalize(&pkg.join(p));
        let label = p.replace('\\', "/");
        private(file, &label);
    }
    for f in files {
        let Ok(rel) = f.strip_prefix(pkg) else {
            continue;
        };
        let comps: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let is_root = matches!(
            comps
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            ["src", "bin", _]
                | ["tests", _]
                | ["examples", _]
                | ["benches", _]
                | ["src", "bin", _, "main.rs"]
                | ["tests", _, "main.rs"]
                | ["examples", _, "main.rs"]
                | ["benches", _, "main.rs"]
                | ["build.rs"]
        );
        if is_root {
            private(f.clone(), &comps.join("/"));
        }
    }
    roots
}
