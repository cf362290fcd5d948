//! Floor 0: file helpers every layer may use — path normalisation, content hashes, atomic
//! writes, and the sealed cache files (a checked header, then a postcard payload).

use serde::{de::DeserializeOwned, Serialize};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

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

/// The hash of a file's bytes.
pub fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so no
/// reader ever sees a partial file. `perms`: the permissions to give it (the fixed file keeps
/// its own). `durable`: flush to disk before the rename (a user's file); a cache, which checks
/// itself when read, skips that cost.
pub fn write_atomically(
    path: &Path,
    bytes: &[u8],
    perms: Option<std::fs::Permissions>,
    durable: bool,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.unawaited-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if durable {
            f.sync_all()?;
        }
        if let Some(perms) = perms {
            std::fs::set_permissions(&tmp, perms)?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The standard signature of a cache directory tag (<https://bford.info/cachedir/>).
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by unawaited.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// The files every cache folder holds besides its own entries.
pub const CACHE_DIR_MARKERS: [&str; 2] = ["CACHEDIR.TAG", ".gitignore"];

/// Whether every entry of `dir` is a file that `is_own` accepts or a folder marker.
fn holds_only(dir: &Path, is_own: &dyn Fn(&str) -> bool) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().all(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            e.file_type().is_ok_and(|t| t.is_file())
                && (CACHE_DIR_MARKERS.contains(&name.as_ref()) || is_own(&name))
        })
    })
}

/// Creates a cache folder, with its `CACHEDIR.TAG` and `.gitignore`. The two are written only
/// into a folder that holds nothing but the cache's own files (`is_own`): a folder of the
/// user's named as the cache folder is used, not tagged.
pub fn prepare_cache_dir(dir: &Path, is_own: &dyn Fn(&str) -> bool) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    if !holds_only(dir, is_own) {
        return Ok(());
    }
    // The `.gitignore` first: from then on git ignores whatever else the folder holds.
    for (name, text) in [(".gitignore", "*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)] {
        let path = dir.join(name);
        if !path.exists() {
            write_atomically(&path, text.as_bytes(), None, false)?;
        }
    }
    Ok(())
}

/// Writes `payload` (postcard) behind a header of `kind` (what the payload is: format, shape,
/// tool version) and its seal, atomically, into a folder the caller prepared; failures are
/// ignored (a cache is only an optimisation).
pub fn write_sealed(file: &Path, kind: &str, payload: &impl Serialize) {
    let Ok(body) = postcard::to_allocvec(payload) else {
        return;
    };
    let mut bytes = header(kind, &body).into_bytes();
    bytes.extend_from_slice(&body);
    let _ = write_atomically(file, &bytes, None, false);
}

/// Reads what [`write_sealed`] wrote with the same `kind`; `None` when it is missing or does
/// not check out.
pub fn read_sealed<T: DeserializeOwned>(file: &Path, kind: &str) -> Option<T> {
    let bytes = std::fs::read(file).ok()?;
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let (head, body) = (&bytes[..=newline], &bytes[newline + 1..]);
    if head != header(kind, body).as_bytes() {
        return None;
    }
    postcard::from_bytes(body).ok()
}

fn header(kind: &str, body: &[u8]) -> String {
    format!("{kind} {:032x}\n", content_hash(body))
}
