//! The index cache: each file's index facts, keyed by the hash of its content and the tool's
//! version, so a run re-parses for the index only the files that changed since the last one.
//!
//! (What each file's walk gave is cached beside it, by the module `walk_cache`.)
//!
//! One cache file per context (a Cargo package or workspace; loose files are not cached) in the
//! cache folder: `--cache-dir` or `UNAWAITED_CACHE_DIR` when given, else `unawaited/` in the
//! folder cargo builds into (see [`cargo_target_dir`]). The folder holds a `CACHEDIR.TAG` and a
//! `.gitignore` of `*`, so backups skip it and git never lists it. A cache file is a header
//! line — format, shape of the facts, tool version, and a seal of the whole made with the
//! user's secret key ([`crate::files::SealKey`]) — then the payload, encoded with postcard.
//! Anything that does not check out (missing, truncated, corrupt, another version, foreign,
//! sealed with another key: planted by the tree under check) is ignored and rebuilt. It is written to a temporary file and renamed into place, so a reader
//! never sees half a file and two runs at once never corrupt it (the last one wins).
//!
//! The facts are purely syntactic (items, signatures, imports of one file): they depend on the
//! file's text and the tool's code only, not on configuration or other files, which is why the
//! key is (content hash, tool version) and editing one file invalidates only its own entry.

use crate::files::{content_hash, prepare_cache_dir, read_sealed, write_sealed};
use crate::index::facts::FileFacts;
use crate::index::facts_shape::sealed_kind;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The cache folder given by `--cache-dir` (`flag`) or else `UNAWAITED_CACHE_DIR`, made
/// absolute against the working folder; `None` when neither is given. Every front end (the
/// CLI, the language server, the flycheck command) takes its cache folder from here.
pub fn explicit_dir(flag: Option<PathBuf>) -> Option<PathBuf> {
    let dir = flag.or_else(|| {
        std::env::var_os("UNAWAITED_CACHE_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
    })?;
    let cwd = std::env::current_dir().unwrap_or_default();
    Some(crate::files::normalize(&cwd.join(dir)))
}

/// The cache folder of the context rooted at `root`: `explicit` (`--cache-dir`,
/// `UNAWAITED_CACHE_DIR`) when given, else `unawaited/` in the folder cargo builds `root` into.
/// `None` for a context that is not a Cargo package or workspace (loose files).
pub fn dir_for_context(root: &Path, explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    if !root.join("Cargo.toml").is_file() {
        return None;
    }
    Some(cargo_target_dir(root).join("unawaited"))
}

/// The folder cargo builds the package or workspace at `root` into, as cargo resolves it:
/// `CARGO_TARGET_DIR` (relative to the working directory), `CARGO_BUILD_TARGET_DIR`, then
/// `build.target-dir` of the nearest `.cargo/config.toml` (or `.cargo/config`) at or above
/// `root` and of `$CARGO_HOME/config.toml` (relative to the folder holding `.cargo/`); else
/// `target/` of the outermost Cargo manifest folder of the repository, so that no `target/`
/// appears inside a nested package.
pub fn cargo_target_dir(root: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    for var in ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"] {
        match std::env::var_os(var) {
            Some(dir) if !dir.is_empty() => return crate::files::normalize(&cwd.join(dir)),
            _ => {}
        }
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let config_dirs = root.ancestors().map(|d| d.join(".cargo")).chain(cargo_home);
    for dot_cargo in config_dirs {
        if let Some(dir) = configured_target_dir(&dot_cargo) {
            return dir;
        }
    }
    outermost_manifest_dir(root).join("target")
}

/// `build.target-dir` of the configuration in a `.cargo` folder, resolved against the folder
/// that holds it. Like cargo, `config` (the old name) is read when both files are there.
fn configured_target_dir(dot_cargo: &Path) -> Option<PathBuf> {
    let text = ["config", "config.toml"]
        .iter()
        .map(|name| dot_cargo.join(name))
        .find(|f| f.is_file())
        .and_then(|f| std::fs::read_to_string(f).ok())?;
    let table: toml::Table = text.parse().ok()?;
    let dir = table.get("build")?.get("target-dir")?.as_str()?;
    let base = dot_cargo.parent().unwrap_or(dot_cargo);
    Some(crate::files::normalize(&base.join(dir)))
}

/// The highest folder at or above `root` that holds a `Cargo.toml`, without leaving the
/// repository (the folder holding `.git`).
fn outermost_manifest_dir(root: &Path) -> &Path {
    let mut best = root;
    for dir in root.ancestors() {
        if dir.join("Cargo.toml").is_file() {
            best = dir;
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    best
}

/// Whether `name` is a file the cache folder holds: a cache file or a temporary one being
/// written.
fn is_cache_entry(name: &str) -> bool {
    let cache_file = |n: &str| {
        (n.starts_with("index-") || n.starts_with("walk-")) && n.ends_with(".cache")
            || n == NOTES_SEEN
            || n == RUN_RECORD
    };
    crate::files::CACHE_DIR_MARKERS.contains(&name)
        || cache_file(name)
        || name
            .strip_prefix('.')
            .and_then(|n| n.split_once(".unawaited-"))
            .is_some_and(|(n, rest)| cache_file(n) && rest.ends_with(".tmp"))
}

/// Creates the cache folder, tagged when it holds only the cache's own files. One thread of the
/// process at a time: the index and walk caches are written by two threads at once, and the
/// temporary files of the tag and `.gitignore` are named by the process.
pub(crate) fn prepare_dir(dir: &Path) -> std::io::Result<()> {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    prepare_cache_dir(dir, &is_cache_entry)
}

fn dir_of(file: &Path) -> &Path {
    file.parent().unwrap_or(Path::new("."))
}

/// The file that remembers the notes the last run printed (a hash of them), so a run that has
/// nothing new to say says nothing (a pre-commit hook runs on every commit).
const NOTES_SEEN: &str = "notes-seen";

/// The file of the outcomes of whole runs, replayed while nothing they read changed (written
/// and read by the engine).
pub const RUN_RECORD: &str = "run.cache";

/// Whether the last run whose notes went to `dir` printed the same notes (`hash`); remembers
/// `hash` for the next run either way. A folder that cannot be written remembers nothing, and
/// the notes are printed.
/// Sealed like the cache files, so a file planted by the tree cannot silence the notes.
pub fn notes_seen_before(dir: &Path, hash: u64) -> bool {
    const KIND: &str = "unawaited-notes-seen 1";
    let path = dir.join(NOTES_SEEN);
    if read_sealed::<u64>(&path, KIND) == Some(hash) {
        return true;
    }
    if prepare_dir(dir).is_ok() {
        write_sealed(&path, KIND, &hash);
    }
    false
}

/// What `unawaited clean` removed from one cache folder.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// Files removed.
    pub files: usize,
    /// The folder itself was removed (it held nothing else).
    pub dir_removed: bool,
}

/// Removes the cache's own files from `dir`, then the folder if that leaves it empty. Files
/// that are not the cache's are left alone, so a mistaken `--cache-dir` loses nothing else.
pub fn clean(dir: &Path) -> std::io::Result<Cleaned> {
    let mut cleaned = Cleaned::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(cleaned),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && is_cache_entry(&entry.file_name().to_string_lossy()) {
            std::fs::remove_file(entry.path())?;
            cleaned.files += 1;
        }
    }
    cleaned.dir_removed = std::fs::remove_dir(dir).is_ok();
    Ok(cleaned)
}

/// The payload as read: (path relative to the context root, content hash in hex, facts).
#[derive(Deserialize)]
struct Payload {
    files: Vec<(String, String, FileFacts)>,
}

/// The same payload as written, borrowing the facts.
#[derive(Serialize)]
struct PayloadOut<'a> {
    files: Vec<(String, String, &'a FileFacts)>,
}

/// The cached facts of one context, loaded once and looked up by the workers.
#[derive(Default)]
pub struct IndexCache {
    file: Option<PathBuf>,
    root: PathBuf,
    /// What the cache file held: each file's content hash, and its facts until taken.
    hashes: HashMap<PathBuf, u128>,
    facts: HashMap<PathBuf, FileFacts>,
}

impl IndexCache {
    /// A cache that neither reads nor writes (`--no-cache`, loose files).
    pub fn disabled() -> IndexCache {
        IndexCache::default()
    }

    /// The cache of the context rooted at `root`, in the folder [`dir_for_context`] gives;
    /// disabled when there is none.
    pub fn for_context(root: &Path, explicit_dir: Option<&Path>) -> IndexCache {
        let Some(dir) = dir_for_context(root, explicit_dir) else {
            return IndexCache::disabled();
        };
        let key = content_hash(root.as_os_str().as_encoded_bytes());
        let file = dir.join(format!("index-{:016x}.cache", key as u64));
        let entries = load(&file, root).unwrap_or_default();
        let mut hashes = HashMap::with_capacity(entries.len());
        let mut facts = HashMap::with_capacity(entries.len());
        for (path, hash, f) in entries {
            hashes.insert(path.clone(), hash);
            facts.insert(path, f);
        }
        IndexCache {
            file: Some(file),
            root: root.to_path_buf(),
            hashes,
            facts,
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.file.is_some()
    }

    /// Whether facts are cached for `path` with its content hashing to `hash`.
    pub fn contains(&self, path: &Path, hash: u128) -> bool {
        self.hashes.get(path) == Some(&hash)
    }

    /// Moves the cached facts of `path` out (check [`IndexCache::contains`] first).
    pub fn take(&mut self, path: &Path) -> Option<FileFacts> {
        self.facts.remove(path)
    }

    /// Writes `files` (path, content hash, facts) as the new content of the cache, unless it
    /// would hold exactly what it holds now. Failures are ignored: the cache is only an
    /// optimisation, and a read-only tree must still be checkable.
    pub fn store(&self, files: &[(&Path, u128, &FileFacts)]) {
        let Some(file) = &self.file else { return };
        let unchanged =
            files.len() == self.hashes.len() && files.iter().all(|(p, h, _)| self.contains(p, *h));
        if unchanged {
            return;
        }
        let payload = PayloadOut {
            files: files
                .iter()
                .filter_map(|(p, h, f)| {
                    let rel = p.strip_prefix(&self.root).ok()?;
                    Some((rel.to_string_lossy().into_owned(), format!("{h:032x}"), *f))
                })
                .collect(),
        };
        if prepare_dir(dir_of(file)).is_ok() {
            write_sealed(file, sealed_kind(), &payload);
        }
    }
}

/// Reads a cache file; `None` when it is missing or does not check out in any way.
fn load(file: &Path, root: &Path) -> Option<Vec<(PathBuf, u128, FileFacts)>> {
    let payload: Payload = read_sealed(file, sealed_kind())?;
    payload
        .files
        .into_iter()
        .map(|(rel, hash, facts)| {
            Some((root.join(rel), u128::from_str_radix(&hash, 16).ok()?, facts))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts_of(src: &str) -> FileFacts {
        FileFacts::extract(&syn::parse_file(src).unwrap())
    }

    /// A package folder, the path of its `src/lib.rs` and facts to cache for it.
    fn package() -> (tempfile::TempDir, PathBuf, FileFacts) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        let path = dir.path().join("src/lib.rs");
        (dir, path, facts_of("pub async fn f() {}\n"))
    }

    /// A cache file whose header names another shape of the facts is ignored.
    #[test]
    fn a_cache_of_another_shape_is_ignored() {
        let (dir, path, facts) = package();
        let root = dir.path();
        let cache_dir = root.join("cache");
        IndexCache::for_context(root, Some(&cache_dir)).store(&[(&path, 7, &facts)]);
        let cache = IndexCache::for_context(root, Some(&cache_dir));
        assert!(cache.contains(&path, 7));
        let file = cache.file.unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        let ours = format!(" {:016x} ", crate::index::facts_shape::shape());
        assert!(text.lines().next().unwrap().contains(&ours), "{text}");
        std::fs::write(&file, text.replacen(&ours, " 0123456789abcdef ", 1)).unwrap();
        assert!(!IndexCache::for_context(root, Some(&cache_dir)).contains(&path, 7));
    }

    #[test]
    fn round_trip_and_corruption() {
        let (dir, path, facts) = package();
        let root = dir.path();
        let hash = content_hash(b"pub async fn f() {}\n");
        let cache_dir = root.join("target/unawaited");
        let open = || IndexCache::for_context(root, Some(&cache_dir));

        let cache = open();
        assert!(cache.is_enabled());
        assert!(!cache.contains(&path, hash));
        cache.store(&[(&path, hash, &facts)]);
        let tag = std::fs::read_to_string(cache_dir.join("CACHEDIR.TAG")).unwrap();
        assert!(tag.starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
        assert_eq!(
            std::fs::read_to_string(cache_dir.join(".gitignore")).unwrap(),
            "*\n"
        );

        let mut cache = open();
        assert!(cache.contains(&path, hash));
        assert!(!cache.contains(&path, hash ^ 1), "another content");
        assert_eq!(cache.take(&path), Some(facts));

        // Flip one byte of the payload: the checksum no longer matches.
        let file = cache.file.clone().unwrap();
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 3;
        bytes[last] ^= 0x20;
        std::fs::write(&file, &bytes).unwrap();
        assert!(!open().contains(&path, hash));

        // Truncated, and garbage.
        std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
        assert!(!open().contains(&path, hash));
        std::fs::write(&file, [0xff, 0, 1, 2, b'\n', 9]).unwrap();
        assert!(!open().contains(&path, hash));
    }

    #[test]
    fn a_folder_of_the_users_is_used_but_neither_tagged_nor_cleaned_out() {
        let (dir, path, facts) = package();
        let root = dir.path();
        let mine = root.join("mine");
        std::fs::create_dir(&mine).unwrap();
        std::fs::write(mine.join("notes.txt"), "keep").unwrap();
        IndexCache::for_context(root, Some(&mine)).store(&[(&path, 1, &facts)]);
        assert!(IndexCache::for_context(root, Some(&mine)).contains(&path, 1));
        assert!(!mine.join(".gitignore").exists() && !mine.join("CACHEDIR.TAG").exists());
        let cleaned = clean(&mine).unwrap();
        assert_eq!((cleaned.files, cleaned.dir_removed), (1, false));
        assert_eq!(
            std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
            "keep"
        );
        assert_eq!(clean(&root.join("none")).unwrap(), Cleaned::default());
    }

    #[test]
    fn the_target_folder_is_found_as_cargo_finds_it() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("crates/sub/.cargo")).unwrap();
        std::fs::write(repo.join("Cargo.toml"), "[package]\nname = \"top\"\n").unwrap();
        std::fs::write(
            repo.join("crates/sub/Cargo.toml"),
            "[package]\nname = \"s\"\n",
        )
        .unwrap();
        // A nested package's target is the outermost manifest folder's.
        assert_eq!(outermost_manifest_dir(&repo.join("crates/sub")), repo);
        assert_eq!(outermost_manifest_dir(repo), repo);
        // `build.target-dir`, relative to the folder holding `.cargo/`; `config` wins.
        let dot_cargo = repo.join("crates/sub/.cargo");
        std::fs::write(
            dot_cargo.join("config.toml"),
            "[build]\ntarget-dir = \"../out\"\n",
        )
        .unwrap();
        assert_eq!(
            configured_target_dir(&dot_cargo),
            Some(repo.join("crates/out"))
        );
        std::fs::write(dot_cargo.join("config"), "build.target-dir = \"/abs/t\"\n").unwrap();
        assert_eq!(
            configured_target_dir(&dot_cargo),
            Some(PathBuf::from("/abs/t"))
        );
        std::fs::write(dot_cargo.join("config"), "[net]\nretry = 1\n").unwrap();
        assert_eq!(configured_target_dir(&dot_cargo), None);
    }
}
