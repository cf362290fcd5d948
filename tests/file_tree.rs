//! A file's tree freed by destroying its heap (`source::file_tree`): sound only when nothing the
//! parse allocated outlives the tree. With the binaries' allocator installed (as here), these
//! tests drop trees as usual in a heap of their own and check that the heap is then empty (so a
//! destroy frees nothing still in use), that the check sees a kept token stream, and that runs
//! which do destroy the heaps give the same answers.

use std::path::Path;
use unawaited::engine::{self, Options};
use unawaited::index::facts::{FileFacts, ItemMacros};
use unawaited::source::file_tree::{parse_then, warm_span_table};
use unawaited::source::tree_heap::{Allocator, FileHeap};
use unawaited::source::{self, SourceFile};

#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

/// What the engine makes of a tree (its facts, its lowered body, suppressions, test ranges),
/// all made outside the tree's heap as `parse_then`'s closure makes them.
fn read_as_the_engine_does(ast: &syn::File, file: &SourceFile) -> usize {
    let shared = ItemMacros::of(ast);
    let facts = FileFacts::of_tree(ast, &file.text, &shared);
    let ir = unawaited::lower::lower_file_sharing(ast, file, &shared);
    let suppressions = unawaited::suppress::Suppressions::collect(file, Some(ast));
    let tests = unawaited::lower::test_code::ranges(ast, file);
    let kept = (facts, ir, suppressions, tests);
    std::mem::size_of_val(&kept)
}

/// The blocks left in a heap after `text`'s tree, parsed in it, was read as the engine reads it
/// and dropped, and the span table reset: what a destroy would free while still in use.
fn left_after_the_drop(text: &str) -> usize {
    warm_span_table();
    let heap = FileHeap::new().expect("the allocator routes a parse to a file's heap");
    let file = SourceFile::new("f.rs".into(), text.into());
    let Ok(tree) = heap.enter(|| source::parse(&file)) else {
        return 0;
    };
    read_as_the_engine_does(&tree, &file);
    drop(tree);
    proc_macro2::extra::invalidate_current_thread_spans();
    heap.live_blocks()
}

/// The `.rs` files under `dir`.
fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect()
}

/// Negative literals: syn lexes each one again, so proc-macro2's span table grows during the
/// parse. Before a block kept its heap when it grew, the table moved into the file's heap (one
/// block left here), and a destroy would have freed it under the thread.
fn negative_literals(n: usize) -> String {
    let arms: Vec<String> = (1..=n).map(|i| format!("-{i}")).collect();
    format!(
        "pub fn f(x: i32) -> u8 {{ match x {{ {} => 1, _ => 2 }} }}\npub fn g() {{}}\n",
        arms.join(" | ")
    )
}

#[test]
fn the_destroy_frees_only_what_the_drop_frees() {
    let files = rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"));
    assert!(files.len() > 100, "{}", files.len());
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        assert_eq!(left_after_the_drop(&text), 0, "{}", path.display());
    }
    for n in [1, 200, 3000] {
        assert_eq!(
            left_after_the_drop(&negative_literals(n)),
            0,
            "{n} negative literals"
        );
    }
    // Macro definitions and calls, attributes, a 2015 edition's file (parsed again, leniently).
    let odd =
        "macro_rules! m { ($x:expr) => { $x }; }\n#[cfg(a)] #[doc = \"d\"] fn f() { m!(1); }\n\
               trait T { fn f(u8); }\nfn g() -> Box<Fn()> { m!{ -1 } }\n";
    assert_eq!(left_after_the_drop(odd), 0);
}

/// The check above sees a token stream kept past the tree (a clone shares the tree's block),
/// and sees it go when it is dropped.
#[test]
fn a_kept_token_stream_is_seen() {
    warm_span_table();
    let heap = FileHeap::new().expect("routed");
    let file = SourceFile::new("f.rs".into(), "fn f() { m!(a b c); }".into());
    let tree = heap.enter(|| source::parse(&file)).unwrap();
    let syn::Item::Fn(f) = &tree.items[0] else {
        panic!("a fn")
    };
    let syn::Stmt::Macro(m) = &f.block.stmts[0] else {
        panic!("a macro")
    };
    let kept = m.mac.tokens.clone();
    drop(tree);
    proc_macro2::extra::invalidate_current_thread_spans();
    assert!(heap.live_blocks() > 0);
    drop(kept);
    assert_eq!(heap.live_blocks(), 0);
}

/// Trees freed whole, one after another on one thread, with the span table grown during the
/// parses and used after them; a panic in the closure drops the tree as usual.
#[test]
fn trees_freed_whole_one_after_another() {
    let text = negative_literals(500);
    for _ in 0..50 {
        let file = SourceFile::new("f.rs".into(), text.clone());
        let n = parse_then(file, |ast, file| {
            read_as_the_engine_does(ast, &file);
            ast.items.len()
        });
        assert_eq!(n.ok(), Some(2));
    }
    // The span table, grown by the parses above, still takes entries and answers.
    let lexed: Vec<proc_macro2::TokenStream> = (0..2000)
        .map(|i| format!("x{i} -1").parse().unwrap())
        .collect();
    let last = lexed.last().unwrap().clone().into_iter().next().unwrap();
    assert_eq!(last.span().start().line, 1);
    drop(lexed);
    proc_macro2::extra::invalidate_current_thread_spans();
    let file = SourceFile::new("f.rs".into(), "fn f() {}".into());
    let panicked = std::panic::catch_unwind(|| parse_then(file, |_, _| panic!("a read panicked")));
    assert!(panicked.is_err());
    let failed = parse_then(SourceFile::new("f.rs".into(), "fn (".into()), |_, _| 0);
    let Err(failed) = failed else {
        panic!("a parse failure")
    };
    let (failure, file) = *failed;
    assert!(
        failure.message.contains("cannot parse"),
        "{}",
        failure.message
    );
    assert_eq!(file.text, "fn (");
}

/// Whole runs, in which every tree is freed whole (on the same worker threads run after run),
/// report the fixture package's findings each time, and no file fails.
#[test]
fn runs_with_trees_freed_whole_report_the_same() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pipeline");
    let opts = Options {
        paths: vec![dir],
        jobs: 2,
        no_cache: true,
        no_deps: true,
        ..Options::default()
    };
    let shown = |o: &engine::Outcome| {
        let d: Vec<String> = o.diagnostics.iter().map(|d| format!("{d:?}")).collect();
        (d, o.errors.len())
    };
    let first = shown(&engine::run(&opts).expect("runs"));
    assert!(!first.0.is_empty());
    assert_eq!(first.1, 0);
    for _ in 0..3 {
        assert_eq!(shown(&engine::run(&opts).expect("runs")), first);
    }
}

/// `file_tree`'s soundness rests on no thread-local holding a syn or proc-macro2 value (one
/// could keep a token stream past its tree). These are the crate's thread-locals, each read to
/// hold none; a new one must be read so too, and added here.
#[test]
fn no_thread_local_can_hold_a_token() {
    let files = rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let mut names = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for block in text.split("thread_local! {").skip(1) {
            let body = &block[..block.find("\n}").unwrap_or(block.len())];
            for line in body.lines() {
                if let Some(rest) = line.trim().strip_prefix("static ") {
                    let name = rest.split(':').next().unwrap_or("").trim().to_string();
                    names.push(format!(
                        "{name}: {}",
                        line.trim().contains("syn::") || line.contains("proc_macro2")
                    ));
                }
            }
        }
    }
    names.sort();
    assert_eq!(
        names,
        [
            "CURRENT: false",
            "CURRENT_HEAP: false",
            "MEMO: false",
            "OWN: false",
            "PIECES: false",
            "RECENT: false",
        ]
    );
}
