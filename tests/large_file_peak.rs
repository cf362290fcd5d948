//! A large file's run holds a few times the file at its highest (issue 30 item 9): the run of a
//! package whose one file of small fns is large enough to be split into groups (read, parsed
//! and walked group by group), its live heap counted by this test's allocator (one test in this
//! binary, so no other test allocates meanwhile).

use unawaited::engine::{self, Options};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{live, peak, reset_peak};

/// A package whose `src/lib.rs` holds 40,000 fns, 1.5 MB: split (above 1 MB), as the 10 MB
/// generated file of the benchmarks; its fns' names start with `prefix` (the names a run interns
/// stay in the process: a second run of the same names would not count them). Its size.
fn package(dir: &std::path::Path, prefix: &str) -> usize {
    std::fs::create_dir(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"large\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    let mut text = String::from("//! Generated: one large file of small fns.\n\n");
    for i in (0..40_000).step_by(4) {
        text.push_str(&format!(
            "pub async fn {prefix}a{i}() -> u32 {{ {i} }}\n\
             pub fn {prefix}f{}(x: u32) -> u32 {{ x + {prefix}a{i}() }}\n\
             pub fn {prefix}f{}() -> u32 {{ {} }}\n\
             pub fn {prefix}f{}() -> u32 {{ {} }}\n",
            i + 1,
            i + 2,
            i + 2,
            i + 3,
            i + 3
        ));
    }
    let size = text.len();
    assert!(size > 1_000_000, "{size}");
    std::fs::write(dir.join("src/lib.rs"), text).unwrap();
    size
}

#[test]
fn a_large_file_peaks_at_a_few_times_its_size() {
    let cache_dir = tempfile::tempdir().unwrap();
    // The peak of a run, in times the file: without caches, then as a user runs it (the caches
    // written, into an empty folder).
    let times_the_file = |prefix: &str, no_cache: bool| {
        let dir = tempfile::tempdir().unwrap();
        let size = package(dir.path(), prefix);
        let opts = Options {
            paths: vec![dir.path().to_path_buf()],
            jobs: 2,
            no_cache,
            cache_dir: Some(cache_dir.path().to_path_buf()),
            ..Options::default()
        };
        let before = live();
        reset_peak();
        let outcome = engine::run(&opts).unwrap();
        let high = peak() - before;
        assert_eq!(outcome.files, 1);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        let times = high as f64 / size as f64;
        eprintln!(
            "no_cache {no_cache}: peak {:.1} MB, {times:.1} times the file",
            high as f64 / 1e6
        );
        times
    };
    let times = times_the_file("", true);
    // With groups of 64 KB (two walked at once, ~100 bytes of heap a byte of source each), the
    // names of every fn gathered for the dependencies' notes and the index's fns grown by
    // doubling, the peak was 15.4 times the file (22.9 MB); with 8 KB groups, the names only
    // the paths may start with, and the index's fns sized once: 6.2 times (9.3 MB); with each
    // signature in 32 bytes (its shared block 48, was 64): 5.8 times (8.6 MB); with each
    // signature held by value (no `Arc` block beside the index's record) and the file's tables
    // grown to their projected size rather than by doubling: 5.2 times (7.7 MB); with a
    // place a list of fns rather than a fn, and an interned name's length before its text
    // rather than in its slot: 4.5 times (6.7 MB).
    assert!(times <= 4.8, "{times:.1} times the file");
    let times = times_the_file("c", false);
    assert!(
        std::fs::read_dir(cache_dir.path()).unwrap().count() > 0,
        "the caches are written"
    );
    // Writing its caches, the run peaked at 7.0 times the file (10.8 MB): the facts were
    // kept for the cache writer beside the index's copy of every signature, the walk cache's
    // name hashes and fn keys in hash tables, the file's names in the vector of every
    // identifier scanned; with the cache written before the index build (which then takes the
    // signatures), those in sorted vectors and the names shrunk: 5.3 times (8.1 MB); with the
    // places and the names' slots of the run without caches: 4.5 times (6.9 MB); with the
    // walk cache's name hashes written before the walk and freed: 4.1 times (6.3 MB).
    assert!(times <= 4.4, "caches written: {times:.1} times the file");
}
