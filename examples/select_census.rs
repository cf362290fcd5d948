//! A census of `select!` loops for `bench/README.md`: per tree given, how many `select!` /
//! `select_biased!` invocations its files have (a token scan, so those inside other macros
//! count too), how many of them sit in a loop of the same body (a syn walk that also reads the
//! arguments of macros that parse as expressions or statements), how many selects in loops the
//! analysis itself looked at, and the `select_cancel_unsafe` findings. The selects in loops and
//! the findings are listed under each tree.
//!
//! `cargo run --release --example select_census -- PATH...`

use proc_macro2::{TokenStream, TokenTree};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use syn::visit::Visit;
use unawaited::analysis::walk::select::SELECT_LOOPS_SEEN;
use unawaited::engine::{run, Options};
use unawaited::rule_id::RuleId;

fn main() {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    println!("tree\tselects\tin_loops\tlooked_at\tfindings");
    let mut totals = [0usize; 4];
    for root in &paths {
        let (mut selects, mut in_loops) = (0, 0);
        for file in rust_files(root) {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            if let Ok(tokens) = text.parse::<TokenStream>() {
                selects += count_select_tokens(tokens, 0);
            }
            if let Ok(ast) = syn::parse_file(&text) {
                let mut v = Census::default();
                v.visit_file(&ast);
                in_loops += v.in_loops;
                for line in v.lines {
                    println!("  in a loop: {}:{line}", file.display());
                }
            }
            proc_macro2::extra::invalidate_current_thread_spans();
        }
        let before = SELECT_LOOPS_SEEN.load(Ordering::Relaxed);
        let outcome = run(&Options {
            paths: vec![root.clone()],
            no_cache: true,
            ..Options::default()
        })
        .expect("the run starts");
        let looked_at = SELECT_LOOPS_SEEN.load(Ordering::Relaxed) - before;
        let findings: Vec<_> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.rule == RuleId::SelectCancelUnsafe)
            .collect();
        println!(
            "{}\t{selects}\t{in_loops}\t{looked_at}\t{}",
            root.display(),
            findings.len()
        );
        for d in &findings {
            println!("  finding: {}:{}: {}", d.path, d.span.start.line, d.message);
        }
        for (t, n) in totals
            .iter_mut()
            .zip([selects, in_loops, looked_at, findings.len()])
        {
            *t += n;
        }
    }
    println!(
        "total\t{}\t{}\t{}\t{}",
        totals[0], totals[1], totals[2], totals[3]
    );
}

fn rust_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(e.file_type().is_dir() && (name.starts_with('.') || name == "target"))
        })
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.into_path())
        .collect()
}

fn is_select(name: &str) -> bool {
    name == "select" || name == "select_biased"
}

/// `select !` and `select_biased !` token pairs, at any depth (not in comments or strings).
fn count_select_tokens(tokens: TokenStream, depth: usize) -> usize {
    if depth > 256 {
        return 0;
    }
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut n = 0;
    for (i, tt) in tts.iter().enumerate() {
        match tt {
            TokenTree::Ident(id)
                if is_select(&id.to_string())
                    && matches!(tts.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!')
                    && matches!(tts.get(i + 2), Some(TokenTree::Group(_))) =>
            {
                n += 1;
            }
            TokenTree::Group(g) => n += count_select_tokens(g.stream(), depth + 1),
            _ => {}
        }
    }
    n
}

/// Selects in a loop of the same body (closures, async blocks and nested fns start a new body).
#[derive(Default)]
struct Census {
    loop_depth: usize,
    in_loops: usize,
    /// Lines of the selects in loops.
    lines: Vec<usize>,
}

impl Census {
    fn body(&mut self, f: impl FnOnce(&mut Self)) {
        let saved = std::mem::take(&mut self.loop_depth);
        f(self);
        self.loop_depth = saved;
    }

    fn looped(&mut self, f: impl FnOnce(&mut Self)) {
        self.loop_depth += 1;
        f(self);
        self.loop_depth -= 1;
    }
}

impl<'ast> Visit<'ast> for Census {
    fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
        self.looped(|v| syn::visit::visit_expr_loop(v, e));
    }
    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.looped(|v| syn::visit::visit_expr_while(v, e));
    }
    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        self.visit_expr(&e.expr);
        self.looped(|v| v.visit_block(&e.body));
    }
    fn visit_expr_closure(&mut self, e: &'ast syn::ExprClosure) {
        self.body(|v| syn::visit::visit_expr_closure(v, e));
    }
    fn visit_expr_async(&mut self, e: &'ast syn::ExprAsync) {
        self.body(|v| syn::visit::visit_expr_async(v, e));
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.body(|v| syn::visit::visit_item_fn(v, f));
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.body(|v| syn::visit::visit_impl_item_fn(v, f));
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let name = m
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if is_select(&name) {
            if self.loop_depth > 0 {
                self.in_loops += 1;
                self.lines
                    .push(m.path.segments[0].ident.span().start().line);
            }
            return;
        }
        let args = syn::parse::Parser::parse2(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            m.tokens.clone(),
        );
        if let Ok(args) = args {
            args.iter().for_each(|a| self.visit_expr(a));
        } else if let Ok(stmts) =
            syn::parse::Parser::parse2(syn::Block::parse_within, m.tokens.clone())
        {
            stmts.iter().for_each(|s| self.visit_stmt(s));
        }
    }
}
