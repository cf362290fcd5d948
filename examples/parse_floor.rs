//! The speed floor for a syn-based tool: walk the given paths, read every `.rs` file and parse it
//! with `syn::parse_file`, on `--jobs N` threads. Nothing else. `bench/speed.py` compares
//! `unawaited check` against it.
//!
//! `cargo run --release --example parse_floor -- [--jobs N] PATH...`

use rayon::prelude::*;

/// The same allocator as the tool, so the comparison measures the analysis, not the allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut jobs = 0;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--jobs" | "-j" => jobs = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    let start = Instant::now();
    let mut files = Vec::new();
    for root in &paths {
        let walk = walkdir::WalkDir::new(root).into_iter().filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(e.file_type().is_dir() && (name.starts_with('.') || name == "target"))
        });
        files.extend(
            walk.flatten()
                .filter(|e| {
                    e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs")
                })
                .map(|e| e.into_path()),
        );
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(256 << 20)
        .build()
        .expect("a thread pool");
    let (bytes, failures) = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let Ok(text) = std::fs::read_to_string(path) else {
                    return (0, 1);
                };
                let ok = syn::parse_file(&text).is_ok();
                proc_macro2::extra::invalidate_current_thread_spans();
                (text.len(), usize::from(!ok))
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    println!(
        "{} files, {:.1} MB, {} not parsed, {:.3} s",
        files.len(),
        bytes as f64 / 1e6,
        failures,
        start.elapsed().as_secs_f64()
    );
}
