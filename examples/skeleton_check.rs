//! Checks the index's skeleton parse on a tree: for every `.rs` file that syn parses, the index
//! facts from the skeleton (function bodies blanked) must equal those from a full parse. Prints
//! the files compared, the differences, how many skeletons fell back to a full parse, and the
//! time of a full parse against the skeleton's, on one thread. Exits 1 on any difference.
//!
//! `cargo run --release --example skeleton_check -- PATH...`

use std::time::Instant;
use unawaited::index::facts::FileFacts;
use unawaited::index::skeleton;

/// The same allocator as the tool.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut texts = Vec::new();
    for root in std::env::args().skip(1) {
        for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
            if entry.path().extension().is_some_and(|x| x == "rs") {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    texts.push((entry.into_path(), text));
                }
            }
        }
    }
    let timed = |f: &dyn Fn(&str)| {
        let start = Instant::now();
        for (_, text) in &texts {
            f(text);
            proc_macro2::extra::invalidate_current_thread_spans();
        }
        start.elapsed().as_secs_f64()
    };
    let full = timed(&|t| drop(syn::parse_file(t)));
    let skel = timed(&|t| drop(FileFacts::of_text(t)));
    let (mut compared, mut differ, mut fallbacks) = (0, 0, 0);
    for (path, text) in &texts {
        let Ok(ast) = syn::parse_file(text) else {
            continue;
        };
        compared += 1;
        match skeleton::parse(text) {
            None => fallbacks += 1,
            Some(s) if FileFacts::extract(&s) != FileFacts::extract(&ast) => {
                differ += 1;
                println!("differs: {}", path.display());
            }
            Some(_) => {}
        }
        proc_macro2::extra::invalidate_current_thread_spans();
    }
    println!(
        "{compared} files compared: {differ} differ, {fallbacks} fall back to a full parse; \
         full parse {full:.3} s, index facts from the skeleton {skel:.3} s ({:.0}%)",
        100.0 * skel / full
    );
    std::process::exit(i32::from(differ > 0));
}
