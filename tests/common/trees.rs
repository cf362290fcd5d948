//! The fixture trees, found on disk: every folder directly under `fixtures/` is one tree, checked
//! in one run (so its files see each other, as a package's do), and a `.rs` file directly under
//! `fixtures/` is a tree of its own. Nothing here lists the trees by name: a new folder is
//! checked as soon as it exists. The one kind of tree left out is a workspace that carries its
//! own fake `$CARGO_HOME` (a `home/` folder, as `fixtures/deps`): its marks hold only with that
//! `CARGO_HOME`, so its own suite (`tests/deps.rs`) checks them, both ways.

use std::path::{Path, PathBuf};
use unawaited::engine::{run, Options, Outcome};

pub const FIXTURES: &str = "fixtures";

/// The roots of the fixture trees, sorted.
pub fn roots() -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .expect("fixtures/ is readable")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "rs"))
        .filter(|p| !p.join("home").is_dir())
        .collect();
    roots.sort();
    assert!(!roots.is_empty(), "no fixture tree under {FIXTURES}/");
    roots
}

/// Every `.rs` file of a tree (build output left out), sorted.
pub fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.file_name() != "target")
        .map(|e| e.expect("fixtures are readable").into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
}

/// A path as the engine displays it: as given, `/`-separated.
pub fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// One run over a tree, as `unawaited check ROOT --no-cache --no-deps` does it; a file error
/// fails. Without dependency sources, so the answers do not depend on what the machine's
/// `$CARGO_HOME` holds (`tests/deps.rs` checks reading them).
pub fn check(root: &Path) -> Outcome {
    let outcome = run(&Options {
        paths: vec![root.to_path_buf()],
        no_cache: true,
        no_deps: true,
        ..Options::default()
    })
    .expect("the run starts");
    assert!(
        outcome.errors.is_empty(),
        "{}: file errors: {:?}",
        root.display(),
        outcome.errors
    );
    outcome
}
