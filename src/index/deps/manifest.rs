//! The dependencies a `Cargo.toml` declares: every section (`dependencies`, `dev-dependencies`,
//! `build-dependencies`, and the same under `target.'cfg(..)'`), renames (`tokio02 = { package =
//! "tokio" }`), path and git sources, version requirements, and `dep = { workspace = true }`
//! entries inherited from the workspace root's `[workspace.dependencies]`.

use std::path::{Path, PathBuf};

/// Where a dependency comes from, as the manifest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Registry,
    /// A folder (absolute, resolved against the manifest that wrote it).
    Path(PathBuf),
    /// A git repository URL, with the revision, branch or tag when one is written.
    Git {
        url: String,
        rev: Option<String>,
    },
}

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// The name the code writes (`tokio02`), with `-` made `_`.
    pub extern_name: String,
    /// The package's name on its registry (`tokio`).
    pub package: String,
    /// The version requirement, as written (`"1"`, `"^0.3"`); `None` when absent.
    pub req: Option<String>,
    pub source: Source,
}

/// What a manifest holds that matters here.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub package_name: Option<String>,
    pub package_version: Option<String>,
    /// `[lib] name`, else the package name, with `-` made `_`.
    pub lib_name: Option<String>,
    pub lib_path: Option<String>,
    pub deps: Vec<Dep>,
    /// `[workspace.dependencies]`, for members that inherit them.
    pub workspace_deps: Vec<Dep>,
    /// `[patch.*]` and `[replace]` (a workspace root's): package name → the source that stands
    /// for every version of it in the graph.
    pub patches: Vec<(String, Source)>,
}

const SECTIONS: &[&str] = &[
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
];

/// Reads the manifest in `dir`; `None` when there is none or it is not TOML.
pub fn read(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    parse(dir, &text)
}

pub fn parse(dir: &Path, text: &str) -> Option<Manifest> {
    let doc: toml::Table = text.parse().ok()?;
    let str_at = |t: Option<&toml::Value>, key: &str| {
        t.and_then(|v| v.get(key))
            .and_then(|v| v.as_str())
            .map(String::from)
    };
    let package = doc.get("package");
    let lib = doc.get("lib");
    let package_name = str_at(package, "name");
    let lib_name = str_at(lib, "name")
        .or(package_name.clone())
        .map(|n| n.replace('-', "_"));
    let mut deps = Vec::new();
    let mut tables: Vec<&toml::Table> = SECTIONS
        .iter()
        .filter_map(|s| doc.get(*s)?.as_table())
        .collect();
    if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
        for t in targets.values() {
            tables.extend(SECTIONS.iter().filter_map(|s| t.get(*s)?.as_table()));
        }
    }
    for table in tables {
        for (key, value) in table {
            if let Some(dep) = dep_of(dir, key, value) {
                if !deps.contains(&dep) {
                    deps.push(dep);
                }
            }
        }
    }
    let workspace_deps = doc
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table())
        .map(|t| t.iter().filter_map(|(k, v)| dep_of(dir, k, v)).collect())
        .unwrap_or_default();
    Some(Manifest {
        patches: patches_of(dir, &doc),
        package_name,
        package_version: package
            .and_then(|p| p.get("version"))
            .and_then(|v| v.as_str())
            .map(String::from),
        lib_name,
        lib_path: str_at(lib, "path"),
        deps,
        workspace_deps,
    })
}

/// `[patch.<registry or URL>]` entries, then `[replace]` (`"name:version" = { .. }`): the
/// package each names and the path or git source that replaces it.
fn patches_of(dir: &Path, doc: &toml::Table) -> Vec<(String, Source)> {
    let mut out = Vec::new();
    let patch_tables = doc
        .get("patch")
        .and_then(|p| p.as_table())
        .into_iter()
        .flat_map(|p| p.values().filter_map(|t| t.as_table()));
    let entries = patch_tables.flat_map(|t| t.iter().map(|(k, v)| (k.as_str(), v)));
    let replaced = doc
        .get("replace")
        .and_then(|r| r.as_table())
        .into_iter()
        .flat_map(|t| t.iter())
        .map(|(k, v)| (k.split(':').next().unwrap_or(k), v));
    for (key, value) in entries.chain(replaced) {
        let Some(dep) = dep_of(dir, key, value) else {
            continue;
        };
        if dep.source != Source::Registry && !out.iter().any(|(p, _)| *p == dep.package) {
            out.push((dep.package, dep.source));
        }
    }
    out
}

fn dep_of(dir: &Path, key: &str, value: &toml::Value) -> Option<Dep> {
    let extern_name = key.replace('-', "_");
    match value {
        toml::Value::String(req) => Some(Dep {
            extern_name,
            package: key.to_string(),
            req: Some(req.clone()),
            source: Source::Registry,
        }),
        toml::Value::Table(t) => {
            let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(String::from);
            let package = s("package").unwrap_or_else(|| key.to_string());
            let source = if let Some(p) = s("path") {
                Source::Path(crate::files::normalize(&dir.join(p)))
            } else if let Some(url) = s("git") {
                Source::Git {
                    url,
                    // A branch or tag names no commit: any one checkout of the repository fits.
                    rev: s("rev"),
                }
            } else {
                Source::Registry
            };
            let inherited = t.get("workspace").and_then(|v| v.as_bool()) == Some(true);
            Some(Dep {
                extern_name,
                package,
                req: if inherited {
                    Some(WORKSPACE.to_string())
                } else {
                    s("version")
                },
                source,
            })
        }
        _ => None,
    }
}

/// The requirement of an entry that inherits from `[workspace.dependencies]`.
const WORKSPACE: &str = "{workspace}";

impl Manifest {
    /// The dependencies with workspace-inherited entries replaced by the workspace's (keeping
    /// the member's own name for it, as cargo does).
    pub fn resolved_deps(&self, workspace: Option<&Manifest>) -> Vec<Dep> {
        self.deps
            .iter()
            .filter_map(|d| {
                if d.req.as_deref() != Some(WORKSPACE) {
                    return Some(d.clone());
                }
                let w = workspace?
                    .workspace_deps
                    .iter()
                    .find(|w| w.extern_name == d.extern_name)?;
                Some(Dep {
                    extern_name: d.extern_name.clone(),
                    ..w.clone()
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_renames_sources_and_inheritance() {
        let dir = Path::new("/w/app");
        let m = parse(
            dir,
            r#"
            [package]
            name = "my-app"
            [dependencies]
            tokio = "1"
            tokio02 = { package = "tokio", version = "0.2" }
            local = { path = "../local" }
            gitdep = { git = "https://example.com/g.git", rev = "abc" }
            shared = { workspace = true }
            [dev-dependencies]
            dev-only = "0.1"
            [target.'cfg(unix)'.dependencies]
            unix-only = { version = "2" }
            "#,
        )
        .unwrap();
        assert_eq!(m.lib_name.as_deref(), Some("my_app"));
        let names: Vec<(&str, &str)> = m
            .deps
            .iter()
            .map(|d| (d.extern_name.as_str(), d.package.as_str()))
            .collect();
        for want in [
            ("tokio", "tokio"),
            ("tokio02", "tokio"),
            ("local", "local"),
            ("gitdep", "gitdep"),
            ("dev_only", "dev-only"),
            ("unix_only", "unix-only"),
        ] {
            assert!(names.contains(&want), "{want:?} in {names:?}");
        }
        let local = m.deps.iter().find(|d| d.package == "local").unwrap();
        assert_eq!(local.source, Source::Path(PathBuf::from("/w/local")));
        let ws = parse(
            Path::new("/w"),
            "[workspace.dependencies]\nshared = { version = \"3\", package = \"shared-impl\" }\n",
        )
        .unwrap();
        let deps = m.resolved_deps(Some(&ws));
        let shared = deps.iter().find(|d| d.extern_name == "shared").unwrap();
        assert_eq!(shared.package, "shared-impl");
        assert_eq!(shared.req.as_deref(), Some("3"));
        // Without the workspace's table, an inherited entry is unknown, not guessed.
        assert!(!m
            .resolved_deps(None)
            .iter()
            .any(|d| d.extern_name == "shared"));
    }
}
