//! Floor 0: where a run's paths are relative to. Code scanning (SARIF) and workflow annotations
//! want paths from the repository's root (the git root, else the Cargo workspace's); cargo's
//! messages are relative to the workspace root; the human formats to the working directory,
//! with `../` for a file above it in the same repository, so one run speaks one style.
//!
//! Read from the file system only (no git or cargo invocation): a `.git` folder or file marks
//! a repository's root, a `Cargo.toml` with a `[workspace]` table a workspace's.

use std::path::{Component, Path, PathBuf};

/// The root that repository-relative paths start from, for files in `dir`: the git root, else
/// the Cargo workspace (or package) root, else `None`.
pub fn root_of(dir: &Path) -> Option<PathBuf> {
    git_root(dir).or_else(|| cargo_root(dir))
}

/// The nearest folder at or above `dir` that holds `.git` (a folder, or a worktree's file).
pub fn git_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// The Cargo workspace root for files in `dir`: the nearest folder at or above it whose
/// `Cargo.toml` has a `[workspace]` table, else the nearest folder with a `Cargo.toml`.
pub fn cargo_root(dir: &Path) -> Option<PathBuf> {
    let mut package = None;
    for d in dir.ancestors() {
        let Ok(text) = std::fs::read_to_string(d.join("Cargo.toml")) else {
            continue;
        };
        if text.lines().any(|l| {
            let l = l.trim();
            l == "[workspace]" || l.starts_with("[workspace.")
        }) {
            return Some(d.to_path_buf());
        }
        if package.is_none() {
            package = Some(d.to_path_buf());
        }
    }
    package
}

/// `path` relative to the folder `base`, with `..` where it leaves `base` (both absolute and
/// normalised); `None` when they share no root (another drive).
pub fn relative(base: &Path, path: &Path) -> Option<PathBuf> {
    let mut b = base.components().peekable();
    let mut p = path.components().peekable();
    if b.peek() != p.peek() {
        return None;
    }
    while let (Some(x), Some(y)) = (b.peek(), p.peek()) {
        if x != y {
            break;
        }
        b.next();
        p.next();
    }
    let mut out = PathBuf::new();
    for c in b {
        if matches!(c, Component::Normal(_)) {
            out.push("..");
        }
    }
    out.extend(p);
    Some(out)
}

/// `path` as a string with `/` separators.
pub fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_with_dot_dot() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b)).map(|p| slashed(&p));
        assert_eq!(
            r("/r/pkg/src", "/r/pkg/src/lib.rs").as_deref(),
            Some("lib.rs")
        );
        assert_eq!(
            r("/r/pkg/src", "/r/pkg/tests/t.rs").as_deref(),
            Some("../tests/t.rs")
        );
        assert_eq!(r("/r", "/r").as_deref(), Some(""));
    }

    #[test]
    fn roots_from_git_then_cargo() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        std::fs::create_dir_all(top.join("ws/pkg/src")).unwrap();
        std::fs::write(
            top.join("ws/Cargo.toml"),
            "[workspace]\nmembers = [\"pkg\"]\n",
        )
        .unwrap();
        std::fs::write(
            top.join("ws/pkg/Cargo.toml"),
            "[package]\nname = \"pkg\"\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        let src = top.join("ws/pkg/src");
        assert_eq!(cargo_root(&src), Some(top.join("ws")));
        assert_eq!(
            root_of(&src).as_deref(),
            git_root(&src).or(Some(top.join("ws"))).as_deref()
        );
        std::fs::create_dir(top.join(".git")).unwrap();
        assert_eq!(root_of(&src), Some(top.to_path_buf()));
    }
}
