//! Floor 0: file helpers every layer may use — path normalisation, content hashes, atomic
//! writes, and the sealed cache files (a header sealed with the user's secret key, then a
//! postcard payload).

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
    let tmp = temporary_beside(path);
    let result = (|| {
        let mut f = create_new(&tmp)?;
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

/// The temporary file a write of `path` goes through: in the same folder (so that the rename
/// is atomic), named after it and this process.
fn temporary_beside(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.unawaited-{}.tmp", std::process::id()))
}

fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
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
/// ignored (a cache is only an optimisation), and nothing is written without a [`SealKey`].
///
/// The payload is streamed to the file and sealed as it goes, the header written last over a
/// placeholder of its length: the serialised payload is never held whole (a 10 MB file's
/// index facts are ~9 MB of it, held twice over while written to a buffer grown by doubling).
pub fn write_sealed(file: &Path, kind: &str, payload: &impl Serialize) {
    if let Some(mut write) = SealedWrite::begin(file, kind) {
        if write.part(payload).is_ok() {
            let _ = write.finish();
        }
    }
}

/// A [`write_sealed`] whose payload is given in parts, each streamed to the temporary file as
/// it is given (postcard writes a struct as its fields one after the other, so parts written
/// in a struct's field order read back as that struct): a part can be written, and dropped
/// from memory, long before the rest is known. [`SealedWrite::finish`] seals the file and puts
/// it in place; dropped unfinished, the temporary file is removed and the file left as it was.
pub struct SealedWrite {
    file: PathBuf,
    /// The temporary file, until it is renamed into place.
    tmp: Option<PathBuf>,
    out: Option<std::fs::File>,
    mac: blake3::Hasher,
    kind: String,
}

impl SealedWrite {
    /// Starts the write of `file` (in a folder the caller prepared); `None` without a
    /// [`SealKey`] or when the temporary file cannot be created.
    pub fn begin(file: &Path, kind: &str) -> Option<SealedWrite> {
        SealedWrite::begin_with(SealKey::user()?, file, kind).ok()
    }

    fn begin_with(key: &SealKey, file: &Path, kind: &str) -> std::io::Result<SealedWrite> {
        let tmp = temporary_beside(file);
        let mut out = create_new(&tmp)?;
        let mut write = SealedWrite {
            file: file.to_path_buf(),
            tmp: Some(tmp),
            out: None,
            mac: key.mac(kind),
            kind: kind.to_string(),
        };
        // The seal is not known yet: a placeholder of its length, written over by `finish`.
        out.write_all(write.header(&"0".repeat(2 * blake3::OUT_LEN)).as_bytes())?;
        write.out = Some(out);
        Ok(write)
    }

    /// The header line, with `seal` (in hex).
    fn header(&self, seal: &str) -> String {
        format!("{} {seal}\n", self.kind)
    }

    /// Streams `value` (postcard) after what was written, sealing it.
    pub fn part(&mut self, value: &(impl Serialize + ?Sized)) -> std::io::Result<()> {
        let out = self.out.as_mut().ok_or(std::io::ErrorKind::BrokenPipe)?;
        let sealing = Sealing {
            out: std::io::BufWriter::with_capacity(1 << 16, out),
            mac: &mut self.mac,
        };
        let mut sealing = postcard::to_io(value, sealing).map_err(std::io::Error::other)?;
        sealing.out.flush()
    }

    /// Seals what was written (its header written over the placeholder) and renames the
    /// temporary file into place.
    pub fn finish(mut self) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let header = self.header(self.mac.finalize().to_hex().as_str());
        let mut out = self.out.take().ok_or(std::io::ErrorKind::BrokenPipe)?;
        out.seek(SeekFrom::Start(0))?;
        out.write_all(header.as_bytes())?;
        drop(out);
        let tmp = self.tmp.as_deref().unwrap_or(Path::new(""));
        std::fs::rename(tmp, &self.file)?;
        self.tmp = None;
        Ok(())
    }
}

impl Drop for SealedWrite {
    /// Unless it was put in place, the temporary file does not outlive the write.
    fn drop(&mut self) {
        self.out = None;
        if let Some(tmp) = &self.tmp {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// A writer that seals what it writes.
struct Sealing<'m, W> {
    out: W,
    mac: &'m mut blake3::Hasher,
}

impl<W: Write> Write for Sealing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.mac.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Reads what [`write_sealed`] wrote with the same `kind` and the user's key; `None` when it
/// is missing, was sealed with another key (another user or machine, or forged by the tree
/// that holds it), or does not check out in any other way.
pub fn read_sealed<T: DeserializeOwned>(file: &Path, kind: &str) -> Option<T> {
    read_sealed_with(SealKey::user()?, file, kind)
}

/// [`read_sealed`] with `key`.
fn read_sealed_with<T: DeserializeOwned>(key: &SealKey, file: &Path, kind: &str) -> Option<T> {
    let bytes = std::fs::read(file).ok()?;
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let (head, body) = (&bytes[..newline], &bytes[newline + 1..]);
    let seal = std::str::from_utf8(head)
        .ok()?
        .strip_prefix(kind)?
        .strip_prefix(' ')?;
    // `Hash` compares in constant time.
    if blake3::Hash::from_hex(seal).ok()? != key.seal(kind, body) {
        return None;
    }
    postcard::from_bytes(body).ok()
}

/// The variable naming the key file, instead of `unawaited/key` in the user's cache folder.
pub const KEY_FILE_VAR: &str = "UNAWAITED_KEY_FILE";

/// The secret that seals cache files: 32 random bytes kept in a file only its user can read
/// (`$UNAWAITED_KEY_FILE`, else `unawaited/key` in the user's cache folder), created on first
/// use. A cache file is trusted only when its seal — a keyed BLAKE3 hash (a MAC) of its kind
/// and payload — checks out with this key, so a cache written by anyone who does not hold it
/// (a tree under check, another user, another machine) is ignored and rewritten.
pub struct SealKey([u8; 32]);

impl SealKey {
    /// The user's key, read or created once per process; `None` (no cache is read or written)
    /// when it can be neither read nor created.
    pub fn user() -> Option<&'static SealKey> {
        static KEY: std::sync::OnceLock<Option<SealKey>> = std::sync::OnceLock::new();
        KEY.get_or_init(|| SealKey::load_or_create(&SealKey::default_file()?))
            .as_ref()
    }

    /// Where the user's key lives.
    pub fn default_file() -> Option<PathBuf> {
        match std::env::var_os(KEY_FILE_VAR) {
            Some(f) if !f.is_empty() => Some(PathBuf::from(f)),
            _ => Some(dirs::cache_dir()?.join("unawaited").join("key")),
        }
    }

    /// The key in `file`, created there first when there is none: written whole to a
    /// temporary file readable by its owner only, then linked into place, so two runs that
    /// start at once agree on one key. A key file that others may read, or that is not 32
    /// bytes, is not used.
    pub fn load_or_create(file: &Path) -> Option<SealKey> {
        if let Some(key) = SealKey::load(file) {
            return Some(key);
        }
        let dir = file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).ok()?;
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).ok()?;
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).ok()?;
        let tmp = dir.join(format!(".key.{}.tmp", u64::from_le_bytes(nonce)));
        let written = (|| {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut f = options.open(&tmp)?;
            f.write_all(&key)?;
            f.sync_all()?;
            match std::fs::hard_link(&tmp, file) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                    // A file system without hard links: a rename, unless a key appeared.
                    if file.exists() {
                        Ok(())
                    } else {
                        std::fs::rename(&tmp, file)
                    }
                }
                _ => Ok(()),
            }
        })();
        let _ = std::fs::remove_file(&tmp);
        written.ok()?;
        // Whichever run linked first, every run uses what the file holds.
        SealKey::load(file)
    }

    fn load(file: &Path) -> Option<SealKey> {
        let meta = std::fs::metadata(file).ok()?;
        #[cfg(unix)]
        if std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o077 != 0 {
            return None;
        }
        if !meta.is_file() || meta.len() != 32 {
            return None;
        }
        std::fs::read(file).ok()?.try_into().ok().map(SealKey)
    }

    /// A key from its bytes (tests, and checking a seal made with a known key).
    pub fn from_bytes(bytes: [u8; 32]) -> SealKey {
        SealKey(bytes)
    }

    /// The seal of a cache file holding `body` as `kind`.
    pub fn seal(&self, kind: &str, body: &[u8]) -> blake3::Hash {
        let mut mac = self.mac(kind);
        mac.update(body);
        mac.finalize()
    }

    /// The seal of a payload of `kind` being computed: the payload's bytes still to add.
    fn mac(&self, kind: &str) -> blake3::Hasher {
        let mut mac = blake3::Hasher::new_keyed(&self.0);
        mac.update(&(kind.len() as u64).to_le_bytes());
        mac.update(kind.as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_created_once_private_and_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b/key");
        let first = SealKey::load_or_create(&file).unwrap();
        let again = SealKey::load_or_create(&file).unwrap();
        assert_eq!(first.0, again.0);
        assert_eq!(std::fs::read(&file).unwrap(), first.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            // A key others may read is no secret: it is not used.
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(SealKey::load(&file).is_none());
        }
        // Another file, another key; no temporary file left.
        let other = SealKey::load_or_create(&dir.path().join("a/b/other")).unwrap();
        assert_ne!(first.0, other.0);
        assert_eq!(
            std::fs::read_dir(dir.path().join("a/b")).unwrap().count(),
            2
        );
        // A key file of the wrong length is refused, and so is a folder where one cannot be made.
        std::fs::write(dir.path().join("short"), b"abc").unwrap();
        assert!(SealKey::load_or_create(&dir.path().join("short")).is_none());
        assert!(SealKey::load_or_create(&dir.path().join("short/key")).is_none());
    }

    #[test]
    fn a_seal_depends_on_the_key_the_kind_and_the_body() {
        let (a, b) = (SealKey::from_bytes([1; 32]), SealKey::from_bytes([2; 32]));
        assert_eq!(a.seal("k", b"body"), a.seal("k", b"body"));
        assert_ne!(a.seal("k", b"body"), b.seal("k", b"body"));
        assert_ne!(a.seal("k", b"body"), a.seal("k", b"bodY"));
        assert_ne!(a.seal("k", b"body"), a.seal("kb", b"ody"));
    }

    /// A payload streamed to its file reads back, sealed as one written whole would be: the
    /// header the seal of the whole payload, the body its postcard bytes; a changed byte and
    /// another key are refused; no temporary file is left.
    #[test]
    fn a_streamed_payload_is_sealed_as_a_whole_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.cache");
        let key = SealKey::from_bytes([3; 32]);
        // Larger than the writer's buffer, so it reaches the file in several writes.
        let payload: Vec<(u64, String)> = (0..40_000).map(|i| (i, format!("n{i}"))).collect();
        let mut write = SealedWrite::begin_with(&key, &file, "kind-1").unwrap();
        write.part(&payload).unwrap();
        write.finish().unwrap();
        let body = postcard::to_allocvec(&payload).unwrap();
        let mut whole = format!("kind-1 {}\n", key.seal("kind-1", &body).to_hex()).into_bytes();
        whole.extend_from_slice(&body);
        let written = std::fs::read(&file).unwrap();
        assert!(written == whole, "the file is not the sealed payload");
        let read: Option<Vec<(u64, String)>> = read_sealed_with(&key, &file, "kind-1");
        assert_eq!(read.as_ref(), Some(&payload));
        let other = SealKey::from_bytes([4; 32]);
        assert!(read_sealed_with::<Vec<(u64, String)>>(&other, &file, "kind-1").is_none());
        assert!(read_sealed_with::<Vec<(u64, String)>>(&key, &file, "kind-2").is_none());
        let mut tampered = written;
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        std::fs::write(&file, tampered).unwrap();
        assert!(read_sealed_with::<Vec<(u64, String)>>(&key, &file, "kind-1").is_none());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Parts written one after the other read back as the struct whose fields they are, sealed
    /// as that struct written whole; a write dropped unfinished leaves the file as it was and
    /// no temporary file.
    #[test]
    fn parts_read_back_as_their_struct_and_an_unfinished_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.cache");
        let key = SealKey::from_bytes([5; 32]);
        let names: Vec<(u32, u64)> = (0..30_000).map(|i| (i, u64::from(i) * 7)).collect();
        let files: Vec<String> = (0..5_000).map(|i| format!("src/f{i}.rs")).collect();
        let mut write = SealedWrite::begin_with(&key, &file, "parts").unwrap();
        write.part(&names).unwrap();
        write.part(&files).unwrap();
        write.finish().unwrap();
        let whole = (names.clone(), files.clone());
        let body = postcard::to_allocvec(&whole).unwrap();
        let mut expected = format!("parts {}\n", key.seal("parts", &body).to_hex()).into_bytes();
        expected.extend_from_slice(&body);
        assert!(std::fs::read(&file).unwrap() == expected);
        assert_eq!(read_sealed_with(&key, &file, "parts"), Some(whole));
        let mut unfinished = SealedWrite::begin_with(&key, &file, "parts").unwrap();
        unfinished.part(&names[..10]).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        drop(unfinished);
        assert!(std::fs::read(&file).unwrap() == expected);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
