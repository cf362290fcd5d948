//! What stands for the state of a file or folder a run read, to tell later that it is
//! unchanged: its metadata ([`Stat`]), or for a small file its content hash ([`Probe`]). The
//! whole-run record ([`super::replay`]) and what the language server keeps between checks
//! ([`super::dependencies`]) are both kept while their probes hold.

use crate::files::content_hash;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The metadata of a file or folder that stands for its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stat {
    size: u64,
    /// Modification and change times, in nanoseconds since the epoch.
    mtime: i128,
    ctime: i128,
    ino: u64,
    dev: u64,
    mode: u32,
}

impl Stat {
    pub fn of(path: &Path) -> Option<Stat> {
        let m = std::fs::metadata(path).ok()?;
        Some(Stat::from_metadata(&m))
    }

    #[cfg(unix)]
    fn from_metadata(m: &std::fs::Metadata) -> Stat {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Stat {
            size: m.size(),
            mtime: ns(m.mtime(), m.mtime_nsec()),
            ctime: ns(m.ctime(), m.ctime_nsec()),
            ino: m.ino(),
            dev: m.dev(),
            mode: m.mode(),
        }
    }

    #[cfg(not(unix))]
    fn from_metadata(m: &std::fs::Metadata) -> Stat {
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        Stat {
            size: m.len(),
            mtime,
            ctime: mtime,
            ino: 0,
            dev: 0,
            mode: u32::from(m.permissions().readonly()),
        }
    }

    /// Changed less than a second before `started` (or after): the content read may not be
    /// the one these times stand for.
    pub(super) fn is_recent(&self, started: i128) -> bool {
        self.mtime.max(self.ctime) + 1_000_000_000 > started
    }
}

pub(super) fn nanos(t: SystemTime) -> i128 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// A file or folder besides the contexts' files whose state the outcome depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Probe {
    /// A small file read whole (a manifest, a lock file): its content hash, `None` if absent.
    Text(PathBuf, Option<u128>),
    /// A folder or a dependency's file: its metadata, `None` if absent.
    Meta(PathBuf, Option<Stat>),
    /// Only whether a path exists (a `.git` folder above a workspace: what happens inside it
    /// does not matter).
    Exists(PathBuf, bool),
}

impl Probe {
    pub(super) fn text(path: PathBuf) -> Probe {
        let hash = std::fs::read(&path).ok().map(|b| content_hash(&b));
        Probe::Text(path, hash)
    }

    /// `None` when the path changed too recently to be taken as unchanged later.
    pub(super) fn meta(path: PathBuf, started: i128) -> Option<Probe> {
        let stat = Stat::of(&path);
        if stat.is_some_and(|s| s.is_recent(started)) {
            return None;
        }
        Some(Probe::Meta(path, stat))
    }

    pub(super) fn exists(path: PathBuf) -> Probe {
        let there = std::fs::symlink_metadata(&path).is_ok();
        Probe::Exists(path, there)
    }

    pub(super) fn holds(&self) -> bool {
        match self {
            Probe::Exists(path, there) => std::fs::symlink_metadata(path).is_ok() == *there,
            Probe::Text(path, hash) => std::fs::read(path).ok().map(|b| content_hash(&b)) == *hash,
            Probe::Meta(path, stat) => Stat::of(path) == *stat,
        }
    }
}

/// What the dependencies of `contexts` were loaded from, to tell later that it is unchanged:
/// the manifests, lock files and cargo configurations (read and hashed), the folders of
/// `$CARGO_HOME` that sources are found in, and each dependency file read (`deps_files`) with
/// its folder (metadata), or with `registry_by_package` a registry package's folder for its
/// files. `None` when one of them changed too recently to be trusted.
pub(super) fn probes(
    contexts: &[crate::discover::Context],
    deps_files: &[PathBuf],
    registry_by_package: bool,
    started: i128,
) -> Option<Vec<Probe>> {
    let mut probes: Vec<Probe> = Vec::new();
    for c in contexts {
        if !c.root.is_dir() {
            continue;
        }
        for dir in c.root.ancestors() {
            for name in ["Cargo.toml", "Cargo.lock"] {
                probes.push(Probe::text(dir.join(name)));
            }
            for name in [".cargo/config.toml", ".cargo/config"] {
                probes.push(Probe::text(dir.join(name)));
            }
        }
        for root in &c.roots {
            let package = root
                .file
                .ancestors()
                .skip(1)
                .find(|d| d.join("Cargo.toml").is_file());
            if let Some(p) = package {
                probes.push(Probe::text(p.join("Cargo.toml")));
            }
        }
    }
    let mut metas: Vec<PathBuf> = Vec::new();
    // Not `$CARGO_HOME` itself: cargo rewrites files there on every build.
    let home = cargo_home();
    if let Some(home) = &home {
        probes.push(Probe::text(home.join("config.toml")));
        for sub in ["registry/src", "git/checkouts"] {
            let dir = home.join(sub);
            if let Ok(rd) = std::fs::read_dir(&dir) {
                metas.extend(rd.flatten().map(|e| e.path()));
            }
            metas.push(dir);
        }
    }
    let registry = home
        .map(|h| h.join("registry/src"))
        .filter(|_| registry_by_package);
    for f in deps_files {
        // A registry package is unpacked once and never changed (cargo does not look at its
        // files again either, nor does the dependency cache): its folder can stand for them.
        let package = registry.as_ref().and_then(|r| {
            let rel = f.strip_prefix(r).ok()?;
            let mut parts = rel.components();
            let (index, package) = (parts.next()?, parts.next()?);
            Some(r.join(index).join(package))
        });
        match package {
            Some(package) => metas.push(package),
            None => {
                metas.push(f.clone());
                if let Some(parent) = f.parent() {
                    metas.push(parent.to_path_buf());
                }
            }
        }
    }
    metas.sort();
    metas.dedup();
    for path in metas {
        probes.push(Probe::meta(path, started)?);
    }
    probes.dedup();
    Some(probes)
}

fn cargo_home() -> Option<PathBuf> {
    match std::env::var_os("CARGO_HOME") {
        Some(h) if !h.is_empty() => Some(PathBuf::from(h)),
        _ => dirs::home_dir().map(|h| h.join(".cargo")),
    }
}

/// Probes checked once per run, whoever asks (the contexts of a workspace share most of theirs:
/// the same manifests above them, the same dependency files).
#[derive(Default)]
pub(super) struct Checked(std::sync::Mutex<std::collections::HashMap<Probe, bool>>);

impl Checked {
    pub fn holds(&self, probe: &Probe) -> bool {
        let known = self.0.lock().ok().and_then(|m| m.get(probe).copied());
        if let Some(holds) = known {
            return holds;
        }
        let holds = probe.holds();
        if let Ok(mut m) = self.0.lock() {
            m.insert(probe.clone(), holds);
        }
        holds
    }
}
