//! The index cache: each file's index facts, keyed by the hash of its content and the tool's
//! version, so a run re-parses for the index only the files that changed since the last one.
//!
//! One cache file per context, in `UNAWAITED_CACHE_DIR` when set, else in the context's
//! `target/unawaited/` folder (a Cargo package or workspace; loose files are not cached). The
//! file is a header line — format, tool version, hash of the payload — then a JSON payload.
//! Anything that does not check out (missing, truncated, corrupt, another version, foreign) is
//! ignored and rebuilt. It is written to a temporary file and renamed into place, so a reader
//! never sees half a file and two runs at once never corrupt it (the last one wins).
//!
//! The facts are purely syntactic (items, signatures, imports of one file): they depend on the
//! file's text and the tool's code only, not on configuration or other files, which is why the
//! key is (content hash, tool version) and editing one file invalidates only its own entry.

use crate::index::facts::FileFacts;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Bumped when what the facts hold changes (a test below fails until it is).
const FORMAT: u32 = 3;
const MAGIC: &str = "unawaited-index-cache";

/// The hash of a file's bytes.
pub fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
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

    /// The cache of the context rooted at `root` (a folder with a `Cargo.toml`); disabled for
    /// any other context.
    pub fn for_context(root: &Path) -> IndexCache {
        let dir = match std::env::var_os("UNAWAITED_CACHE_DIR") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ if root.join("Cargo.toml").is_file() => root.join("target").join("unawaited"),
            _ => return IndexCache::disabled(),
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
        let Ok(body) = serde_json::to_vec(&payload) else {
            return;
        };
        let mut bytes = header(&body).into_bytes();
        bytes.extend_from_slice(&body);
        if let Some(dir) = file.parent() {
            if std::fs::create_dir_all(dir).is_err() {
                return;
            }
        }
        let _ = crate::fix::write_atomically(file, &bytes, None, false);
    }
}

fn header(body: &[u8]) -> String {
    format!(
        "{MAGIC} {FORMAT} {} {:032x}\n",
        env!("CARGO_PKG_VERSION"),
        content_hash(body)
    )
}

/// Reads a cache file; `None` when it is missing or does not check out in any way.
fn load(file: &Path, root: &Path) -> Option<Vec<(PathBuf, u128, FileFacts)>> {
    let bytes = std::fs::read(file).ok()?;
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let (head, body) = (&bytes[..=newline], &bytes[newline + 1..]);
    if head != header(body).as_bytes() {
        return None;
    }
    let payload: Payload = serde_json::from_slice(body).ok()?;
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

    /// The facts of a file exercising every field, serialised. When `FileFacts` changes, this
    /// changes: bump [`FORMAT`] (old caches would load with defaults for the new fields, or
    /// not at all) and update the expected fingerprint.
    #[test]
    fn the_format_is_bumped_when_the_facts_change() {
        let src = "use a::{b as c, d::*};\nmod m;\n#[path = \"x.rs\"] mod n;\n\
                   pub struct S { f: Box<dyn Fn()> }\nstruct U;\nenum E { A }\ntype T = Vec<u8>;\n\
                   trait Tr { async fn t(&self) -> u8; }\n\
                   impl Tr for S { async fn t(&self) -> u8 { struct L; 1 } }\n\
                   impl S { fn r(&mut self) -> &mut Self { self } }\n\
                   #[tokio::main] async fn main() {}\n\
                   fn off(f: F) { std::thread::spawn(f); }\nmod inline { pub fn g() {} }\n";
        let json = serde_json::to_string(&facts_of(src)).unwrap();
        let fingerprint = format!("{FORMAT}:{:016x}", content_hash(json.as_bytes()) as u64);
        assert_eq!(fingerprint, "3:8fa19970ddef3c36", "{json}");
    }

    fn facts_of(src: &str) -> FileFacts {
        FileFacts::extract(&syn::parse_file(src).unwrap())
    }

    #[test]
    fn round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        let path = root.join("src/lib.rs");
        let facts = facts_of("pub async fn f() {}\n");
        let hash = content_hash(b"pub async fn f() {}\n");

        let cache = IndexCache::for_context(root);
        assert!(cache.is_enabled());
        assert!(!cache.contains(&path, hash));
        cache.store(&[(&path, hash, &facts)]);

        let mut cache = IndexCache::for_context(root);
        assert!(cache.contains(&path, hash));
        assert!(!cache.contains(&path, hash ^ 1), "another content");
        assert_eq!(cache.take(&path), Some(facts));

        // Flip one byte of the payload: the checksum no longer matches.
        let file = cache.file.clone().unwrap();
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 3;
        bytes[last] ^= 0x20;
        std::fs::write(&file, &bytes).unwrap();
        assert!(!IndexCache::for_context(root).contains(&path, hash));

        // Truncated, and garbage.
        std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
        assert!(!IndexCache::for_context(root).contains(&path, hash));
        std::fs::write(&file, [0xff, 0, 1, 2, b'\n', 9]).unwrap();
        assert!(!IndexCache::for_context(root).contains(&path, hash));
    }
}
