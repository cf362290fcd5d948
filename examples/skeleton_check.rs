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
    // What keeping macro groups whole costs: the bytes the skeleton keeps (not blanked), and
    // the time of its facts, with and without.
    let kept = |macros: bool| -> usize {
        let text = |t: &str| skeleton::skeleton_text_keeping(t, macros);
        let count = |t: String| t.bytes().filter(|b| !b.is_ascii_whitespace()).count();
        texts.iter().map(|(_, t)| count(text(t))).sum()
    };
    let all: usize = (texts.iter())
        .map(|(_, t)| t.bytes().filter(|b| !b.is_ascii_whitespace()).count())
        .sum();
    let (kept_before, kept_now) = (kept(false), kept(true));
    let facts_of = |macros: bool| {
        move |t: &str| {
            let skel = skeleton::skeleton_text_keeping(t, macros);
            if let Ok(ast) = syn::parse_file(&skel) {
                drop(FileFacts::extract(&ast));
            }
        }
    };
    let (before, now) = (timed(&facts_of(false)), timed(&facts_of(true)));
    println!(
        "non-blank bytes: {all} in the files, the skeleton keeps {kept_now} ({:.1}%); with the \
         bodies in macro groups blanked {kept_before} ({:.1}%); skeleton + facts {now:.3} s, \
         with them blanked {before:.3} s",
        100.0 * kept_now as f64 / all as f64,
        100.0 * kept_before as f64 / all as f64
    );
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
                println!(
                    "differs: {} ({})",
                    path.display(),
                    what_differs(&FileFacts::extract(&s), &FileFacts::extract(&ast))
                );
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

/// The fields of the facts that differ, by name (a module's by its inline path).
fn what_differs(skel: &FileFacts, full: &FileFacts) -> String {
    let mut out = Vec::new();
    if skel.macro_defs != full.macro_defs {
        out.push("macro_defs".to_string());
    }
    if skel.modules.len() != full.modules.len() {
        out.push("modules".to_string());
    }
    for (s, f) in skel.modules.iter().zip(&full.modules) {
        let fields = [
            ("fns", s.fns != f.fns),
            ("types", s.types != f.types),
            ("impls", s.impls != f.impls),
            ("traits", s.traits != f.traits),
            ("uses", s.uses != f.uses),
            ("out_of_line", s.out_of_line != f.out_of_line),
            ("includes", s.includes != f.includes),
            ("macro_calls", s.macro_calls != f.macro_calls),
        ];
        for (name, differs) in fields {
            if differs {
                out.push(format!("{name} in {:?}", f.inline_path));
            }
        }
    }
    if skel.paths != full.paths || skel.call_uses != full.call_uses || skel.read != full.read {
        out.push("paths, call_uses or read".to_string());
    }
    out.join(", ")
}
