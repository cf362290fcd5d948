//! The weight of the index against the source it describes (issue 29: at most 1 MB of index
//! per MB of source). For each folder given (a crate: its `src/lib.rs` or `src/main.rs` is the
//! root), every `.rs` file below it is read and its index facts taken as the tool takes them
//! (item skeleton), then the index is built from them; the heap each holds is counted by this
//! example's allocator. One thread.
//!
//! `cargo run --release --example index_weight -- DIR...`
//!
//! Prints, per folder and in total: MB of source, MB of facts, MB of index, and the index's MB
//! per MB of source.

use std::path::{Path, PathBuf};
use unawaited::discover::CrateRoot;
use unawaited::index::facts::FileFacts;
use unawaited::index::{Index, IndexedFile};

#[path = "../tests/common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::live;

/// The crate roots of a folder: `src/lib.rs` and `src/main.rs`, where they are.
fn roots(dir: &Path) -> Vec<CrateRoot> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().replace('-', "_"))
        .unwrap_or_default();
    [("src/lib.rs", true), ("src/main.rs", false)]
        .into_iter()
        .map(|(file, is_lib)| (unawaited::files::normalize(&dir.join(file)), is_lib))
        .filter(|(file, _)| file.is_file())
        .map(|(file, is_lib)| CrateRoot {
            file,
            name: name.clone(),
            is_lib,
        })
        .collect()
}

/// (source bytes, facts bytes, index bytes, facts bytes the index does not share) of one
/// folder.
fn weigh(dir: &Path) -> (usize, isize, isize, isize) {
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| unawaited::files::normalize(e.path()))
        .collect();
    paths.sort();
    let mut source = 0;
    let before_facts = live();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        source += text.len();
        let facts = FileFacts::of_text(&text);
        proc_macro2::extra::invalidate_current_thread_spans();
        drop(text);
        files.push(IndexedFile { path, facts });
    }
    let facts = live() - before_facts;
    let before_index = live();
    let index = Index::build(&files, &roots(dir));
    let weight = live() - before_index;
    let before_drop = live();
    drop(files);
    let own = before_drop - live();
    drop(index);
    (source, facts, weight, own)
}

fn main() {
    let dirs: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let run = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mb = |b: f64| b / 1e6;
            println!(
                "FnInfo {} B, FnSig {} B, Ty {} B, Module {} B",
                std::mem::size_of::<unawaited::index::FnInfo>(),
                std::mem::size_of::<unawaited::index::facts::FnSig>(),
                std::mem::size_of::<unawaited::index::types::Ty>(),
                std::mem::size_of::<unawaited::index::Module>(),
            );
            println!(
                "| folder | source MB | facts MB | index MB | index MB per source MB | facts MB \
                 not shared with the index |"
            );
            println!("|---|---|---|---|---|---|");
            let (mut s, mut f, mut i, mut o) = (0usize, 0isize, 0isize, 0isize);
            for dir in &dirs {
                let (source, facts, index, own) = weigh(dir);
                println!(
                    "| {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
                    dir.file_name().unwrap_or_default().to_string_lossy(),
                    mb(source as f64),
                    mb(facts as f64),
                    mb(index as f64),
                    index as f64 / source.max(1) as f64,
                    mb(own as f64)
                );
                (s, f, i, o) = (s + source, f + facts, i + index, o + own);
            }
            println!(
                "| total | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
                mb(s as f64),
                mb(f as f64),
                mb(i as f64),
                i as f64 / s.max(1) as f64,
                mb(o as f64)
            );
        })
        .expect("a thread");
    let _ = run.join();
}
