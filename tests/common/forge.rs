//! Cache files forged as a tree under check could plant them: the payload decoded, changed and
//! encoded again, then sealed the way the forger can (the old content hash of the payload, or
//! a key of its own), or with the user's key for a control that shows the forgery would work.

use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;
use unawaited::files::SealKey;
use unawaited::index::facts::FileFacts;

/// How a forged cache file is sealed.
pub enum Seal<'a> {
    /// The content hash of the payload, as cache files were sealed before they had a key.
    ContentHash,
    /// A keyed hash with this key (another user's, or the very key of the run: the control).
    Key(&'a SealKey),
}

/// The index cache's payload: (path relative to the package, content hash in hex, facts).
pub type IndexPayload = Vec<(String, String, FileFacts)>;

/// The walk cache's payload: the name hashes the walks were made against, then per file (path
/// relative to the package, content hash in hex, what the file's walk found).
pub type WalkPayload = (
    Vec<(u32, u64)>,
    Vec<(String, String, unawaited::walk_cache::WalkEntry)>,
);

/// The run cache's payload: each invocation's stored outcome, with what it read.
pub type RunPayload = Vec<unawaited::engine::RunRecord>;

/// The dependency cache's payload: (format, item-forwarding macros, the other macros kept for
/// expansion (name, rules), path → (hash, facts)).
pub type DepsPayload = (
    u32,
    Option<Vec<String>>,
    Vec<(String, String)>,
    std::collections::HashMap<String, (String, FileFacts)>,
);

/// Rewrites the sealed cache `file`: `edit` changes its payload; the header keeps its kind and
/// gets a seal made as `seal` says.
pub fn reseal<T: Serialize + DeserializeOwned>(file: &Path, seal: Seal, edit: impl FnOnce(&mut T)) {
    let bytes = std::fs::read(file).expect("a cache file");
    let newline = bytes.iter().position(|&b| b == b'\n').expect("a header");
    let head = std::str::from_utf8(&bytes[..newline]).expect("a text header");
    let kind = head.rsplit_once(' ').expect("kind and seal").0;
    let mut payload: T = postcard::from_bytes(&bytes[newline + 1..]).expect("a payload");
    edit(&mut payload);
    let body = postcard::to_allocvec(&payload).unwrap();
    let seal = match seal {
        Seal::ContentHash => format!("{:032x}", unawaited::files::content_hash(&body)),
        Seal::Key(key) => key.seal(kind, &body).to_hex().to_string(),
    };
    let mut forged = format!("{kind} {seal}\n").into_bytes();
    forged.extend(body);
    std::fs::write(file, forged).unwrap();
}

/// The index facts of a file holding `text`.
pub fn facts_of(text: &str) -> FileFacts {
    FileFacts::extract(&syn::parse_file(text).expect("Rust"))
}

/// The content hash of `text`, in hex as the caches store it.
pub fn hash_hex(text: &str) -> String {
    format!("{:032x}", unawaited::files::content_hash(text.as_bytes()))
}
