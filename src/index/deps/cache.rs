//! The facts of a dependency crate's files, cached in a user cache folder
//! (`$UNAWAITED_DEPS_CACHE`, else the platform's cache folder + `unawaited/deps`), never in the
//! working tree and never under `$CARGO_HOME`. A registry crate's files never change for a given
//! name and version, so they are taken by path; a path or git dependency's files are taken only
//! when their content hash still matches. The file format is the index cache's (a header sealed
//! with the user's secret key, then postcard): a file sealed with another key is ignored. Only the files a run needed are in it; it grows as later runs need more.

use crate::index::facts::FileFacts;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Bumped when what is stored changes (7: fns carry their `# Cancel safety` docs as a flag, and
/// what their closure parameters are called with; 8: trait methods declared without a body;
/// 9: `fn(..) -> T` pointer types are callables, `<E as Tr>::X` is the path `E::X`; 10: `mod x;`
/// inside macro calls; 11: an impl's parameters without a bound keep their name in its fns'
/// returns and associated types, traits with a future supertrait say so; 12: calls of a file's
/// own `macro_rules!` are read as what they certainly expand to; 13: and calls of the
/// `macro_rules!` the crate's root and macro modules define; 14: `impl Stream<Item = T>` keeps
/// its item; 15: the macro modules of a `macros/mod.rs` are found, so tokio's `cfg_*!` forward
/// their items; 16: work in the branches before a fn's tail starts its future, a fn returning
/// the future of a call says which name it forwards; 17: a `Drop` impl says whether it only
/// cleans up; 18: a `where` bound on a parameter's associated type is one more generic entry;
/// 19: a fn's return type reads its type arguments that name its bounded parameters as their
/// bounds; 20: a signature's rare parts are written with its closure inputs).
const FORMAT: u32 = 20;

/// The user cache folder for dependency facts, if there is one.
pub fn default_dir() -> Option<PathBuf> {
    match std::env::var_os("UNAWAITED_DEPS_CACHE") {
        Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
        _ => Some(dirs::cache_dir()?.join("unawaited").join("deps")),
    }
}

/// The files this cache writes into its folder: a crate's `.cache` file, or the temporary file
/// it is written through.
fn is_own(name: &str) -> bool {
    name.ends_with(".cache") || (name.starts_with('.') && name.ends_with(".tmp"))
}

/// `unawaited clean`: removes the dependency cache's files from `dir`, then its folder markers
/// and the folder when nothing else is left (another program's files are left alone). Returns
/// how many cache files were removed and whether the folder was.
pub fn clean(dir: &Path) -> std::io::Result<(usize, bool)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, false)),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    let mut others = false;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && is_own(&name) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        } else if !crate::files::CACHE_DIR_MARKERS.contains(&name.as_str()) {
            others = true;
        }
    }
    if others {
        return Ok((removed, false));
    }
    for marker in crate::files::CACHE_DIR_MARKERS {
        let _ = std::fs::remove_file(dir.join(marker));
    }
    Ok((removed, std::fs::remove_dir(dir).is_ok()))
}

/// A `macro_rules!`: its name and its rules' tokens.
pub type MacroDef = (String, String);

#[derive(Serialize, Deserialize, Default)]
struct Stored {
    format: u32,
    /// The crate's item-forwarding macros.
    macros: Option<Vec<String>>,
    /// The crate's other `macro_rules!` in reach of all its files: (name, rules' tokens).
    #[serde(default)]
    macro_defs: Vec<(String, String)>,

    /// Path relative to the crate folder → (content hash in hex, facts).
    files: HashMap<String, (String, FileFacts)>,
}

/// One crate's cached facts.
#[derive(Default)]
pub struct CrateCache {
    file: Option<PathBuf>,
    root: PathBuf,
    /// Registry sources: trusted by path.
    immutable: bool,
    stored: Stored,
    dirty: bool,
}

impl CrateCache {
    /// The cache of the crate in `root`; `key` names it (`tokio-1.40.0` for a registry crate, a
    /// hash of the folder for the others). `dir: None` disables it.
    pub fn open(dir: Option<&Path>, key: &str, root: &Path, immutable: bool) -> CrateCache {
        let Some(dir) = dir else {
            return CrateCache::default();
        };
        let file = dir.join(format!("{key}.cache"));
        let stored: Stored =
            crate::files::read_sealed(&file, crate::index::facts_shape::sealed_kind())
                .filter(|s: &Stored| s.format == FORMAT)
                .unwrap_or_default();
        CrateCache {
            file: Some(file),
            root: root.to_path_buf(),
            immutable,
            stored,
            dirty: false,
        }
    }

    fn rel(&self, path: &Path) -> Option<String> {
        Some(
            path.strip_prefix(&self.root)
                .ok()?
                .to_string_lossy()
                .into_owned(),
        )
    }

    /// Cached facts for `path`: by path alone for a registry crate, else when `hash` (of the
    /// file's current content) matches.
    pub fn get(&self, path: &Path, hash: Option<u128>) -> Option<FileFacts> {
        let (h, facts) = self.stored.files.get(&self.rel(path)?)?;
        let fresh = self.immutable || hash.is_some_and(|hash| format!("{hash:032x}") == *h);
        fresh.then(|| facts.clone())
    }

    pub fn is_immutable(&self) -> bool {
        self.immutable
    }

    pub fn put(&mut self, path: &Path, hash: u128, facts: &FileFacts) {
        if self.file.is_none() {
            return;
        }
        if let Some(rel) = self.rel(path) {
            self.stored
                .files
                .insert(rel, (format!("{hash:032x}"), facts.clone()));
            self.dirty = true;
        }
    }

    /// The crate's item-forwarding macros and its other crate-wide `macro_rules!`.
    pub fn macros(&self) -> Option<(&[String], &[MacroDef])> {
        Some((self.stored.macros.as_deref()?, &self.stored.macro_defs))
    }

    pub fn set_macros(&mut self, macros: Vec<String>, defs: Vec<(String, String)>) {
        if self.file.is_some()
            && (self.stored.macros.as_ref() != Some(&macros) || self.stored.macro_defs != defs)
        {
            self.stored.macros = Some(macros);
            self.stored.macro_defs = defs;
            self.dirty = true;
        }
    }

    /// Writes what was added this run.
    pub fn save(&mut self) {
        let Some(file) = &self.file else { return };
        if self.dirty {
            self.stored.format = FORMAT;
            if let Some(dir) = file.parent() {
                if crate::files::prepare_cache_dir(dir, &is_own).is_ok() {
                    crate::files::write_sealed(
                        file,
                        crate::index::facts_shape::sealed_kind(),
                        &self.stored,
                    );
                }
            }
            self.dirty = false;
        }
    }
}
