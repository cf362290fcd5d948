//! `--message-format json`: what `cargo clippy --message-format json` prints — each finding a
//! rustc diagnostic wrapped in a `compiler-message` line naming its package and target, then a
//! `build-finished` line — so rust-analyzer and other readers of cargo's messages take it as is.
//!
//! Nothing is built, so the package and target come from the nearest `Cargo.toml` above a file
//! and cargo's layout conventions (`src/bin/NAME.rs`, `tests/`, `examples/`, `benches/`,
//! `build.rs`, else the library or the main binary); a file outside any package is a binary
//! target of its own.

use super::cargo::{diagnostic_message, error_message, Message};
use super::Report;
use crate::diagnostic::Level;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct CompilerMessage<'a> {
    reason: &'static str,
    package_id: &'a str,
    manifest_path: &'a str,
    target: &'a Target,
    message: Message<'a>,
}

/// A cargo target, with cargo's field names.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub kind: Vec<&'static str>,
    pub crate_types: Vec<&'static str>,
    pub name: String,
    pub src_path: String,
    pub edition: String,
    pub doc: bool,
    pub doctest: bool,
    pub test: bool,
}

/// The package and target a file belongs to.
#[derive(Debug, Clone)]
pub struct Owner {
    pub package_id: String,
    pub manifest_path: String,
    pub target: Target,
}

/// Finds the owner of files, reading each manifest once.
#[derive(Default)]
pub struct Owners {
    manifests: HashMap<PathBuf, Option<Package>>,
}

#[derive(Debug, Clone)]
struct Package {
    name: String,
    version: String,
    edition: String,
    has_lib: bool,
}

/// A `file://` URL of a folder, percent-encoded as the `url` crate (and so cargo) writes it.
fn file_url(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = if text.starts_with('/') {
        text
    } else {
        format!("/{text}")
    };
    let mut url = String::from("file://");
    for b in text.bytes() {
        // The URL standard's path percent-encode set, and every byte outside ASCII.
        if b.is_ascii_control() || !b.is_ascii() || b" \"#<>?`{}".contains(&b) {
            url.push_str(&format!("%{b:02X}"));
        } else {
            url.push(b as char);
        }
    }
    url
}

/// A package id as cargo writes it (`package_id` in its JSON messages, `id` in `cargo
/// metadata`): the package's folder as a `path+file://` URL, then `#VERSION` when the folder's
/// name is the package's name, else `#NAME@VERSION`.
pub fn package_id(dir: &Path, name: &str, version: &str) -> String {
    let url = file_url(dir);
    let last = url.rsplit('/').next().unwrap_or("");
    if last == name {
        format!("path+{url}#{version}")
    } else {
        format!("path+{url}#{name}@{version}")
    }
}

impl Owners {
    fn package(&mut self, dir: &Path) -> Option<Package> {
        if let Some(p) = self.manifests.get(dir) {
            return p.clone();
        }
        let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok();
        let doc = text.and_then(|t| t.parse::<toml::Table>().ok());
        let package = doc.as_ref().and_then(|d| d.get("package")).map(|p| {
            let string = |key: &str, default: &str| {
                p.get(key)
                    .and_then(|v| v.as_str())
                    .unwrap_or(default)
                    .to_string()
            };
            Package {
                name: string("name", "unknown"),
                version: string("version", "0.0.0"),
                edition: string("edition", "2015"),
                has_lib: dir.join("src/lib.rs").is_file(),
            }
        });
        self.manifests.insert(dir.to_path_buf(), package.clone());
        package
    }

    /// The package and target of `file` (an absolute path).
    pub fn owner(&mut self, file: &Path) -> Owner {
        let found = file
            .ancestors()
            .skip(1)
            .find_map(|dir| Some((dir.to_path_buf(), self.package(dir)?)));
        let Some((root, pkg)) = found else {
            let name = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let dir = file.parent().unwrap_or(Path::new("/"));
            return Owner {
                package_id: package_id(dir, &name, "0.0.0"),
                manifest_path: dir.join("Cargo.toml").to_string_lossy().into_owned(),
                target: target(&["bin"], &name, file, "2021"),
            };
        };
        let rel = file.strip_prefix(&root).unwrap_or(file);
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let stem = |s: &str| s.strip_suffix(".rs").unwrap_or(s).to_string();
        let (kind, name, src): (&[&str], String, PathBuf) = match parts.as_slice() {
            [f] if f == "build.rs" => (&["custom-build"], "build-script-build".into(), rel.into()),
            [s, b, f] if s == "src" && b == "bin" => (&["bin"], stem(f), rel.into()),
            [s, b, d, ..] if s == "src" && b == "bin" => (
                &["bin"],
                d.clone(),
                Path::new("src/bin").join(d).join("main.rs"),
            ),
            [t, f] if t == "tests" => (&["test"], stem(f), rel.into()),
            [t, d, ..] if t == "tests" => {
                (&["test"], d.clone(), Path::new(t).join(d).join("main.rs"))
            }
            [t, f] if t == "examples" => (&["example"], stem(f), rel.into()),
            [t, f] if t == "benches" => (&["bench"], stem(f), rel.into()),
            _ if pkg.has_lib => (&["lib"], pkg.name.replace('-', "_"), "src/lib.rs".into()),
            _ => (&["bin"], pkg.name.clone(), "src/main.rs".into()),
        };
        Owner {
            package_id: package_id(&root, &pkg.name, &pkg.version),
            manifest_path: root.join("Cargo.toml").to_string_lossy().into_owned(),
            target: target(kind, &name, &root.join(src), &pkg.edition),
        }
    }
}

fn target(kind: &[&'static str], name: &str, src: &Path, edition: &str) -> Target {
    let is_lib = kind == ["lib"];
    Target {
        kind: kind.to_vec(),
        crate_types: vec![if is_lib { "lib" } else { "bin" }],
        name: name.to_string(),
        src_path: src.to_string_lossy().into_owned(),
        edition: edition.to_string(),
        doc: is_lib || kind == ["bin"],
        doctest: is_lib,
        test: true,
    }
}

/// The `compiler-message` lines of a report, without the closing `build-finished` line (the
/// flycheck command adds its findings to cargo's own lines, which end with cargo's).
pub fn render_messages(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let cwd = match report.root {
        Some(root) => root.to_path_buf(),
        None => std::env::current_dir().unwrap_or_default(),
    };
    let mut owners = Owners::default();
    let mut owner_of = |path: &str| owners.owner(&cwd.join(path));
    let mut write = |owner: &Owner, message: Message| -> io::Result<()> {
        let line = CompilerMessage {
            reason: "compiler-message",
            package_id: &owner.package_id,
            manifest_path: &owner.manifest_path,
            target: &owner.target,
            message,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")
    };
    for d in report.diagnostics {
        let owner = owner_of(&d.path);
        write(&owner, diagnostic_message(d, report.sources))?;
    }
    for e in report.errors {
        let owner = owner_of(&e.path);
        write(&owner, error_message(e))?;
    }
    Ok(())
}

/// cargo's last line: whether the build succeeded.
pub fn build_finished(success: bool) -> String {
    serde_json::json!({ "reason": "build-finished", "success": success }).to_string()
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    render_messages(report, out)?;
    let success =
        report.errors.is_empty() && !report.diagnostics.iter().any(|d| d.level == Level::Deny);
    writeln!(out, "{}", build_finished(success))
}
