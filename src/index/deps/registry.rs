//! Where cargo keeps the sources it fetched: `$CARGO_HOME/registry/src/*/NAME-VERSION/` for
//! registry packages and `$CARGO_HOME/git/checkouts/REPO-HASH/REV/` for git ones. Only read:
//! nothing is written there, nothing is run, the network is never used.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A `$CARGO_HOME`, with its registry folders listed once.
#[derive(Debug, Default)]
pub struct CargoHome {
    pub root: PathBuf,
    /// Every `registry/src/*` folder's entries (`NAME-VERSION`), by folder.
    registries: Vec<(PathBuf, Vec<String>)>,
    /// Registry entries by package name: (version, folder).
    by_name: HashMap<String, Vec<(semver::Version, PathBuf)>>,
}

impl CargoHome {
    /// `$CARGO_HOME`, else `~/.cargo`.
    pub fn from_env() -> Option<CargoHome> {
        let root = match std::env::var_os("CARGO_HOME") {
            Some(h) if !h.is_empty() => PathBuf::from(h),
            _ => dirs::home_dir()?.join(".cargo"),
        };
        Some(CargoHome::at(root))
    }

    pub fn at(root: PathBuf) -> CargoHome {
        let mut registries = Vec::new();
        if let Ok(rd) = std::fs::read_dir(root.join("registry").join("src")) {
            let mut dirs: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            dirs.sort();
            for dir in dirs {
                let mut names: Vec<String> = std::fs::read_dir(&dir)
                    .map(|rd| {
                        rd.flatten()
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                names.sort();
                registries.push((dir, names));
            }
        }
        CargoHome {
            root,
            registries,
            by_name: HashMap::new(),
        }
    }

    /// The folder of `name` at `version`, preferring the registry folder that `source` (the
    /// lock's `registry+URL` or `sparse+URL`) names by host.
    pub fn registry_dir(&self, name: &str, version: &str, source: Option<&str>) -> Option<PathBuf> {
        let entry = format!("{name}-{version}");
        let host = source.and_then(registry_host);
        let mut found = self
            .registries
            .iter()
            .filter(|(_, names)| names.binary_search(&entry).is_ok())
            .map(|(dir, _)| dir);
        let first = found.next()?;
        let preferred = std::iter::once(first)
            .chain(found)
            .find(|dir| {
                host.as_deref().is_some_and(|h| {
                    dir.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(h))
                })
            })
            .unwrap_or(first);
        Some(preferred.join(entry))
    }

    /// The highest version of `name` present in any registry folder that matches `req` (no
    /// requirement: any).
    pub fn highest_matching(&mut self, name: &str, req: Option<&str>) -> Option<(String, PathBuf)> {
        if !self.by_name.contains_key(name) {
            let prefix = format!("{name}-");
            let mut found = Vec::new();
            for (dir, names) in &self.registries {
                let start = names.partition_point(|n| n.as_str() < prefix.as_str());
                for n in names[start..].iter().take_while(|n| n.starts_with(&prefix)) {
                    if let Ok(v) = semver::Version::parse(&n[prefix.len()..]) {
                        found.push((v, dir.join(n)));
                    }
                }
            }
            self.by_name.insert(name.to_string(), found);
        }
        let req = req.and_then(|r| semver::VersionReq::parse(r).ok());
        self.by_name[name]
            .iter()
            .filter(|(v, _)| req.as_ref().is_none_or(|r| r.matches(v)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(v, p)| (v.to_string(), p.clone()))
    }

    /// The checkout of the git repository `url` at `rev` (a full or short commit hash, or
    /// `None` when unknown) holding package `package`. `None` when there is none or when several
    /// checkouts could be it.
    pub fn git_checkout(&self, url: &str, rev: Option<&str>, package: &str) -> Option<PathBuf> {
        let repo = repo_name(url)?;
        let checkouts = self.root.join("git").join("checkouts");
        let mut matches = Vec::new();
        for entry in std::fs::read_dir(&checkouts).ok()?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(hash) = name.strip_prefix(&format!("{repo}-")) else {
                continue;
            };
            if hash.contains('-') {
                continue;
            }
            for sub in std::fs::read_dir(entry.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let short = sub.file_name().to_string_lossy().into_owned();
                let fits = match rev {
                    Some(r) => !short.is_empty() && (r.starts_with(&short) || short.starts_with(r)),
                    None => true,
                };
                if fits {
                    matches.push(sub.path());
                }
            }
        }
        let [only] = matches.as_slice() else {
            return None;
        };
        package_dir(only, package)
    }
}

/// `registry+https://github.com/rust-lang/crates.io-index` → `index.crates.io` (the folder cargo
/// uses for crates.io, whichever protocol); another registry → its host.
fn registry_host(source: &str) -> Option<String> {
    let url = source.split_once('+').map(|(_, u)| u).unwrap_or(source);
    if url.contains("github.com/rust-lang/crates.io-index") || url.contains("index.crates.io") {
        return Some("index.crates.io-".into());
    }
    let host = url.split("://").nth(1)?.split(['/', ':']).next()?;
    Some(format!("{host}-"))
}

/// `https://github.com/org/repo.git?branch=x#abc` → `repo`.
fn repo_name(url: &str) -> Option<String> {
    let url = url.split(['?', '#']).next()?;
    let last = url.trim_end_matches('/').rsplit('/').next()?;
    let name = last.strip_suffix(".git").unwrap_or(last);
    (!name.is_empty()).then(|| name.to_string())
}

/// The lock's `git+URL?query#rev` source: (URL, full revision).
pub fn git_source(source: &str) -> Option<(String, Option<String>)> {
    let rest = source.strip_prefix("git+")?;
    let (url, rev) = match rest.split_once('#') {
        Some((u, r)) => (u, Some(r.to_string())),
        None => (rest, None),
    };
    let url = url.split('?').next().unwrap_or(url).to_string();
    Some((url, rev))
}

/// The folder below `root` (a checkout, maybe a whole workspace) whose manifest is package
/// `package`; symlinks are not followed and the search stays shallow.
pub fn package_dir(root: &Path, package: &str) -> Option<PathBuf> {
    let walk = walkdir::WalkDir::new(root)
        .max_depth(4)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !(name.starts_with('.') || name == "target" || name == "src")
        });
    for entry in walk.flatten() {
        if entry.file_name() != "Cargo.toml" {
            continue;
        }
        let dir = entry.path().parent()?;
        if super::manifest::read(dir)
            .and_then(|m| m.package_name)
            .as_deref()
            == Some(package)
        {
            return Some(dir.to_path_buf());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_hosts() {
        assert_eq!(
            repo_name("https://github.com/o/r.git").as_deref(),
            Some("r")
        );
        assert_eq!(repo_name("https://x.org/o/r/?b=1#a").as_deref(), Some("r"));
        assert_eq!(
            git_source("git+https://x.org/o/r?branch=main#0123abc"),
            Some(("https://x.org/o/r".into(), Some("0123abc".into())))
        );
        assert_eq!(
            registry_host("sparse+https://index.crates.io/").as_deref(),
            Some("index.crates.io-")
        );
        assert_eq!(
            registry_host("registry+https://my.reg.dev/index").as_deref(),
            Some("my.reg.dev-")
        );
    }
}
