//! `Cargo.lock`: every package of the build with its version, source and the exact dependencies
//! cargo picked for it (`"name"` when one version of that name is locked, `"name version"` when
//! several are).

use serde::Deserialize;
use std::path::Path;

/// A lock file larger than this is not read (a real one with ~1000 packages is ~150 KB).
pub const MAX_LOCK_BYTES: u64 = 16 << 20;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub dependencies: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Lock {
    #[serde(default, rename = "package")]
    pub packages: Vec<Package>,
}

/// Reads `Cargo.lock` in `dir`. `Ok(None)` when there is none; `Err` says why one that is there
/// cannot be used.
pub fn read(dir: &Path) -> Result<Option<Lock>, String> {
    let path = dir.join("Cargo.lock");
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(crate::discover::io_message(&e)),
    };
    if meta.len() > MAX_LOCK_BYTES {
        return Err(format!("larger than {} MB, not read", MAX_LOCK_BYTES >> 20));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| crate::discover::io_message(&e))?;
    parse(&text).map(Some)
}

pub fn parse(text: &str) -> Result<Lock, String> {
    toml::from_str(text).map_err(|e| format!("not a valid lock file: {}", e.message().trim()))
}

impl Lock {
    /// The locked package `name` that a dependent means: among the versions its `dependencies`
    /// entries name (`"name"`, `"name version"`, `"name version (source)"`), or else among all
    /// locked versions of that name, the one matching the requirement `req` (the highest when
    /// several match). `None` when nothing matches.
    pub fn find(
        &self,
        name: &str,
        entries: Option<&[String]>,
        req: Option<&str>,
    ) -> Option<&Package> {
        let named: Vec<&Package> = entries
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let mut parts = e.split_whitespace();
                if parts.next() != Some(name) {
                    return None;
                }
                match parts.next() {
                    Some(v) => self.package(name, v),
                    None => self.only(name),
                }
            })
            .collect();
        let candidates: Vec<&Package> = if named.is_empty() {
            self.versions(name).collect()
        } else {
            named
        };
        let req = req.and_then(|r| semver::VersionReq::parse(r).ok());
        candidates
            .into_iter()
            .filter_map(|p| Some((semver::Version::parse(&p.version).ok()?, p)))
            .filter(|(v, _)| req.as_ref().is_none_or(|r| r.matches(v)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, p)| p)
    }

    fn only(&self, name: &str) -> Option<&Package> {
        let mut it = self.versions(name);
        match (it.next(), it.next()) {
            (Some(p), None) => Some(p),
            _ => None,
        }
    }

    /// The locked package `name` at `version`.
    pub fn package(&self, name: &str, version: &str) -> Option<&Package> {
        self.packages
            .iter()
            .find(|p| p.name == name && p.version == version)
    }

    /// Several versions of `name` are locked.
    pub fn versions<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Package> + use<'a> {
        let name = name.to_string();
        self.packages.iter().filter(move |p| p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 3
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["tokio 1.40.0", "tokio 0.2.25", "bytes"]
[[package]]
name = "tokio"
version = "1.40.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
[[package]]
name = "tokio"
version = "0.2.25"
source = "registry+https://github.com/rust-lang/crates.io-index"
[[package]]
name = "bytes"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn picks_the_version_the_dependent_names() {
        let lock = parse(LOCK).unwrap();
        let app = lock.package("app", "0.1.0").unwrap();
        let deps = Some(app.dependencies.as_slice());
        assert_eq!(lock.find("bytes", deps, None).unwrap().version, "1.0.0");
        assert_eq!(
            lock.find("tokio", deps, Some("1")).unwrap().version,
            "1.40.0"
        );
        assert_eq!(
            lock.find("tokio", deps, Some("0.2")).unwrap().version,
            "0.2.25"
        );
        assert_eq!(
            lock.find("tokio", None, Some("0.2.1")).unwrap().version,
            "0.2.25"
        );
        assert_eq!(lock.find("tokio", deps, Some("3")), None);
        assert_eq!(lock.versions("tokio").count(), 2);
    }

    #[test]
    fn malformed_is_an_error() {
        assert!(parse("[[package]]\nname = 3\n").is_err());
        assert!(parse("this is = = not toml").is_err());
    }
}
