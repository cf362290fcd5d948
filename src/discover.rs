//! Finding the files to check and the context each is analysed in.
//!
//! A file's *context* is the Cargo package that compiles it (or the whole workspace the package
//! belongs to): every `.rs` file of its `src`, `tests`, `examples` and `benches` trees and its
//! `build.rs` is indexed, so that an `async fn` defined in another file is known. A `.rs` file
//! that no package compiles is a context of its own. The context depends only on where a file
//! is, never on which other files were named: pre-commit and CI get the same answers.

use crate::diagnostic::RunError;
use crate::index::CrateRoot;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use walkdir::WalkDir;

/// A file to check and report on.
#[derive(Debug, Clone)]
pub struct Target {
    /// Absolute, lexically normalised path.
    pub path: PathBuf,
    /// The path shown to the user.
    pub display: String,
    /// Text given on standard input instead of the file's.
    pub stdin_text: Option<String>,
}

/// A set of files indexed together.
#[derive(Debug, Clone)]
pub struct Context {
    pub root: PathBuf,
    pub files: Vec<PathBuf>,
    pub roots: Vec<CrateRoot>,
}

/// Skips for walking: `target/`, hidden folders, and the user's excludes.
pub struct Walker<'a> {
    pub cwd: &'a Path,
    pub excluded: &'a dyn Fn(&Path) -> bool,
}

impl Walker<'_> {
    /// The files named on the command line: folders are walked, files taken as named.
    pub fn targets(&self, paths: &[PathBuf], errors: &mut Vec<RunError>) -> Vec<Target> {
        let mut out = BTreeMap::new();
        for given in paths {
            let abs = normalize(&self.cwd.join(given));
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
            if meta.is_dir() {
                for file in self.rust_files(&abs, errors) {
                    let display = self.display(&file);
                    out.entry(file.clone()).or_insert(Target {
                        path: file,
                        display,
                        stdin_text: None,
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
            } else if !(self.excluded)(&abs) {
                let display = self.display(&abs);
                out.entry(abs.clone()).or_insert(Target {
                    path: abs,
                    display,
                    stdin_text: None,
                });
            }
        }
        out.into_values().collect()
    }

    /// Every `.rs` file below `dir`, skipping `target/`, hidden folders and excludes.
    pub fn rust_files(&self, dir: &Path, errors: &mut Vec<RunError>) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let walk = WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        let walk = walk.filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            let is_dir = e.file_type().is_dir();
            if is_dir && (name.starts_with('.') || name == "target") {
                return false;
            }
            !(self.excluded)(e.path())
        });
        for entry in walk {
            match entry {
                Ok(e)
                    if e.file_type().is_file()
                        && e.path().extension().is_some_and(|x| x == "rs") =>
                {
                    files.push(normalize(e.path()));
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
        let shown = path.strip_prefix(self.cwd).unwrap_or(path);
        let s = shown.to_string_lossy().replace('\\', "/");
        if s.is_empty() {
            ".".into()
        } else {
            s
        }
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

/// Removes `.` and `..` components without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// What is known of a `Cargo.toml`.
#[derive(Debug, Clone, Default)]
struct Manifest {
    package_name: Option<String>,
    lib_name: Option<String>,
    lib_path: Option<String>,
    bin_paths: Vec<String>,
    is_workspace: bool,
    workspace_exclude: Vec<String>,
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
    Some(Manifest {
        package_name: str_at(package, "name"),
        lib_name: str_at(lib, "name"),
        lib_path: str_at(lib, "path"),
        bin_paths: value
            .get("bin")
            .and_then(|b| b.as_array())
            .map(|bins| {
                bins.iter()
                    .filter_map(|b| str_at(Some(b), "path"))
                    .collect()
            })
            .unwrap_or_default(),
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
    manifests: HashMap<PathBuf, Option<Manifest>>,
}

impl ContextFinder {
    fn manifest(&mut self, dir: &Path) -> Option<Manifest> {
        self.manifests
            .entry(dir.to_path_buf())
            .or_insert_with(|| read_manifest(dir))
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
                let explicit = m
                    .lib_path
                    .iter()
                    .chain(&m.bin_paths)
                    .any(|p| normalize(&d.join(p)) == file);
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

    /// The context key of a file: its workspace (or package) folder, or the file itself.
    pub fn context_key(&mut self, file: &Path) -> PathBuf {
        match self.package_of(file) {
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
        let mut files = Vec::new();
        let mut roots = Vec::new();
        for pkg in packages {
            let Some(m) = self.manifest(&pkg) else {
                continue;
            };
            let name = m
                .lib_name
                .clone()
                .or(m.package_name.clone())
                .unwrap_or_default()
                .replace('-', "_");
            for tree in PACKAGE_TREES {
                let dir = pkg.join(tree);
                if dir.is_dir() {
                    files.extend(walker.rust_files(&dir, errors));
                }
            }
            for extra in m
                .lib_path
                .iter()
                .chain(&m.bin_paths)
                .map(|p| normalize(&pkg.join(p)))
                .chain([pkg.join("build.rs")])
            {
                if extra.is_file() && !files.contains(&extra) {
                    files.push(extra);
                }
            }
            roots.extend(crate_roots(&pkg, &name, &m, &files));
        }
        files.sort();
        files.dedup();
        Context {
            root: key.to_path_buf(),
            files,
            roots,
        }
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
                let name = e.file_name().to_string_lossy();
                e.depth() == 0
                    || !(e.file_type().is_dir()
                        && (name.starts_with('.') || name == "target" || name == "src"))
            });
        for entry in walk.flatten() {
            if entry.file_name() != "Cargo.toml" {
                continue;
            }
            let Some(dir) = entry.path().parent() else {
                continue;
            };
            let dir = normalize(dir);
            if (walker.excluded)(&dir) {
                continue;
            }
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

fn crate_roots(pkg: &Path, lib_name: &str, m: &Manifest, files: &[PathBuf]) -> Vec<CrateRoot> {
    let mut roots = Vec::new();
    let lib = m
        .lib_path
        .as_ref()
        .map(|p| normalize(&pkg.join(p)))
        .unwrap_or_else(|| pkg.join("src/lib.rs"));
    if files.contains(&lib) {
        roots.push(CrateRoot {
            file: lib,
            name: lib_name.to_string(),
            is_lib: true,
        });
    }
    let mut private = |file: PathBuf, label: &str| {
        if files.contains(&file) && !roots.iter().any(|r: &CrateRoot| r.file == file) {
            roots.push(CrateRoot {
                file,
                name: format!("{lib_name}[{label}]"),
                is_lib: false,
            });
        }
    };
    private(pkg.join("src/main.rs"), "main");
    for p in &m.bin_paths {
        private(normalize(&pkg.join(p)), "bin");
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
