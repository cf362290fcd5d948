//! The speed floor for a syn-based tool, made as strong as it honestly can be: walk the given
//! paths with the tool's default skips, read every `.rs` file, parse it with `syn::parse_file`,
//! visit the whole tree with `syn::visit::Visit` (counting expressions, statements, patterns,
//! types, items and identifiers, so the visit cannot be optimised away), and invalidate the
//! thread's span table after each file, as the tool does; on `--jobs N` threads. Nothing else.
//! Same `syn`, same features and same allocator as the tool. `bench/speed.py` compares
//! `unawaited check` against it.
//!
//! The walk skips what the tool's default walk skips where that is cheap to match: hidden
//! folders and `target/` below a named folder, `.ignore` files, and `.gitignore`s, git's
//! `info/exclude` and global excludes inside a git repository; it follows symbolic links. It
//! does not read `unawaited.toml` excludes or Cargo workspace `exclude`s.
//!
//! `cargo run --release --example parse_floor -- [--jobs N] PATH...`
//!
//! Prints `FILES files, MB MB, N not parsed, SECS s, NODES nodes (E exprs, I idents)`.

use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;
use syn::visit::{self, Visit};

/// The same allocator as the tool, so the comparison measures the analysis, not the allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Node counts of a full visit.
#[derive(Default, Clone, Copy)]
struct Counts {
    exprs: usize,
    stmts: usize,
    pats: usize,
    types: usize,
    items: usize,
    idents: usize,
}

impl Counts {
    fn add(self, o: Counts) -> Counts {
        Counts {
            exprs: self.exprs + o.exprs,
            stmts: self.stmts + o.stmts,
            pats: self.pats + o.pats,
            types: self.types + o.types,
            items: self.items + o.items,
            idents: self.idents + o.idents,
        }
    }

    fn nodes(&self) -> usize {
        self.exprs + self.stmts + self.pats + self.types + self.items + self.idents
    }
}

impl<'ast> Visit<'ast> for Counts {
    fn visit_expr(&mut self, node: &'ast syn::Expr) {
        self.exprs += 1;
        visit::visit_expr(self, node);
    }
    fn visit_stmt(&mut self, node: &'ast syn::Stmt) {
        self.stmts += 1;
        visit::visit_stmt(self, node);
    }
    fn visit_pat(&mut self, node: &'ast syn::Pat) {
        self.pats += 1;
        visit::visit_pat(self, node);
    }
    fn visit_type(&mut self, node: &'ast syn::Type) {
        self.types += 1;
        visit::visit_type(self, node);
    }
    fn visit_item(&mut self, node: &'ast syn::Item) {
        self.items += 1;
        visit::visit_item(self, node);
    }
    fn visit_ident(&mut self, node: &'ast proc_macro2::Ident) {
        let _ = node;
        self.idents += 1;
    }
}

/// The tool's default walk of one named path, where cheap to match: `ignore`'s matchers for
/// `.ignore` and, inside a git repository, `.gitignore`, `info/exclude` and global excludes;
/// hidden folders and `target/` skipped below the named folder; symbolic links followed.
fn rust_files(root: &PathBuf, out: &mut Vec<PathBuf>) {
    let walk = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(false)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .require_git(true)
        .parents(true)
        .follow_links(true)
        .filter_entry(|e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !(is_dir && (name.starts_with('.') || name == "target"))
        })
        .build();
    out.extend(
        walk.flatten()
            .filter(|e| {
                e.file_type().is_some_and(|t| t.is_file())
                    && e.path().extension().is_some_and(|x| x == "rs")
            })
            .map(|e| e.into_path()),
    );
}

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
        if root.is_file() {
            files.push(root.clone());
        } else {
            rust_files(root, &mut files);
        }
    }
    files.sort();
    files.dedup();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(256 << 20)
        .build()
        .expect("a thread pool");
    let (bytes, failures, counts) = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let Ok(text) = std::fs::read_to_string(path) else {
                    return (0, 1, Counts::default());
                };
                let mut counts = Counts::default();
                let ok = match syn::parse_file(&text) {
                    Ok(file) => {
                        counts.visit_file(&file);
                        true
                    }
                    Err(_) => false,
                };
                proc_macro2::extra::invalidate_current_thread_spans();
                (text.len(), usize::from(!ok), counts)
            })
            .reduce(
                || (0, 0, Counts::default()),
                |a, b| (a.0 + b.0, a.1 + b.1, a.2.add(b.2)),
            )
    });
    println!(
        "{} files, {:.1} MB, {} not parsed, {:.3} s, {} nodes ({} exprs, {} idents)",
        files.len(),
        bytes as f64 / 1e6,
        failures,
        start.elapsed().as_secs_f64(),
        counts.nodes(),
        counts.exprs,
        counts.idents
    );
}
