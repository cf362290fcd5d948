//! Macro calls, lowered as the walk reads them: the arguments of well-known macros (`select!`,
//! `join!`, `vec!`, `assert!`, the `format!` family, logging macros) parsed as expressions, the
//! arguments of other macros parsed when they parse (the walk reads them quietly), and the names
//! mentioned in a macro that cannot be parsed (each counts as used).

use super::ir;
use super::Lower;
use crate::source::tree_heap::in_tree_heap;
use crate::symbol::Symbol;
use proc_macro2::{TokenStream, TokenTree};
use std::collections::HashSet;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Pat, Token};

/// Macros whose arguments are plain comma-separated expressions, with a known meaning.
const EXPRESSION_MACROS: &[&str] = &[
    "join",
    "try_join",
    "vec",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "format_args",
    "write",
    "writeln",
    "panic",
    "dbg",
    "todo",
    "unimplemented",
    "unreachable",
    "info",
    "debug",
    "warn",
    "error",
    "trace",
    "event",
    "bail",
    "ensure",
    "anyhow",
];

/// `macro_rules!` of the file (top level and inline modules) with one arm that takes no input
/// (`() => { actix_test::start(..) }`), with their bodies; a later definition of a name wins.
pub(super) fn local_macros(items: &[syn::Item]) -> Vec<(String, TokenStream)> {
    fn add(items: &[syn::Item], depth: usize, out: &mut Vec<(String, TokenStream)>) {
        for item in items {
            match item {
                syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                    if let (Some(name), Some(body)) = (&m.ident, nullary_body(&m.mac.tokens)) {
                        let name = name.to_string();
                        out.retain(|(n, _)| *n != name);
                        out.push((name, body));
                    }
                }
                syn::Item::Mod(md) if depth < 16 => {
                    if let Some((_, items)) = &md.content {
                        add(items, depth + 1, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    add(items, 0, &mut out);
    out
}

/// The body of `() => { .. }` (with an optional `;`), when that is the macro's only arm and the
/// body uses no macro variables.
fn nullary_body(tokens: &TokenStream) -> Option<TokenStream> {
    let tts: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let (matcher, arrow1, arrow2, body) = match tts.as_slice() {
        [a, b, c, d] | [a, b, c, d, TokenTree::Punct(_)] => (a, b, c, d),
        _ => return None,
    };
    let empty_matcher = matches!(matcher, TokenTree::Group(g) if g.stream().is_empty());
    let arrow = matches!((arrow1, arrow2), (TokenTree::Punct(p), TokenTree::Punct(q)) if p.as_char() == '=' && q.as_char() == '>');
    let TokenTree::Group(body) = body else {
        return None;
    };
    let uses_vars = body.stream().to_string().contains('$');
    (empty_matcher && arrow && !uses_vars).then(|| body.stream())
}

/// `tokio::pin!`, `futures::pin_mut!`, `std::pin::pin!`.
pub(super) fn is_pin_macro(mac: &syn::Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "pin" || s.ident == "pin_mut")
}

impl Lower<'_> {
    pub(super) fn mac(&self, mac: &syn::Macro, depth: usize) -> ir::Macro {
        let local = if mac.tokens.is_empty() {
            mac.path
                .get_ident()
                .and_then(|i| self.local_macros.get(&i.to_string()).copied())
        } else {
            None
        };
        ir::Macro {
            local,
            form: self.macro_form(mac, depth),
        }
    }

    fn macro_form(&self, mac: &syn::Macro, depth: usize) -> ir::MacroForm {
        use ir::MacroForm as F;
        let d = depth + 1;
        // Interned, not a `String` per call: macro names are few and mostly known already.
        let name = mac.path.segments.last().map(|s| Symbol::shown(&s.ident));
        match name.as_deref().unwrap_or_default() {
            "assert_ok" => {
                if let Ok(args) = parse_args(&mac.tokens) {
                    if !args.is_empty() {
                        return F::AssertOk(self.exprs(&args, d));
                    }
                }
            }
            "pin" => {
                if let Ok(args) = parse_args(&mac.tokens) {
                    if args.len() == 1 {
                        return F::Pin(self.boxed(&args[0], d));
                    }
                }
            }
            "select" | "select_biased" => {
                if let Ok(select) = parse_tokens::<Select>(&mac.tokens) {
                    return F::Select(
                        select
                            .branches
                            .iter()
                            .map(|b| ir::SelectBranch {
                                pat: b.pat.as_ref().map(|p| {
                                    (self.pat(p), self.span(syn::spanned::Spanned::span(p)))
                                }),
                                future: b.future.as_ref().map(|f| self.expr(f, d)),
                                condition: b.condition.as_ref().map(|c| self.expr(c, d)),
                                handler: self.expr(&b.handler, d),
                                races: b.future.is_some() || b.is_default,
                                leaves_loop: leaves_loop(&b.handler, 0),
                            })
                            .collect(),
                    );
                }
            }
            n if EXPRESSION_MACROS.contains(&n) => {
                if let Ok(args) = parse_args(&mac.tokens) {
                    return F::Exprs(self.exprs(&args, d));
                }
            }
            _ => {
                if let Ok(args) = parse_args(&mac.tokens) {
                    return F::QuietExprs(self.exprs(&args, d));
                }
                if let Ok(stmts) = parse_tokens::<Stmts>(&mac.tokens) {
                    let stmts = stmts.0.iter().map(|s| self.stmt(s, d)).collect();
                    return F::QuietStmts(stmts, idents(&mac.tokens));
                }
            }
        }
        F::Idents(idents(&mac.tokens))
    }

    /// `tokio::pin!(a, b)`, or `tokio::pin! { let a = ..; }`, or neither.
    pub(super) fn pin_form(&self, mac: &syn::Macro, depth: usize) -> ir::PinForm {
        let names = syn::parse::Parser::parse2(
            Punctuated::<syn::Ident, Token![,]>::parse_terminated,
            mac.tokens.clone(),
        );
        if let Ok(names) = names {
            return ir::PinForm::Names(names.iter().map(Symbol::shown).collect());
        }
        match syn::parse::Parser::parse2(syn::Block::parse_within, mac.tokens.clone()) {
            Ok(stmts) if stmts.iter().all(|s| matches!(s, syn::Stmt::Local(_))) => {
                ir::PinForm::Lets(stmts.iter().map(|s| self.stmt(s, depth)).collect())
            }
            _ => ir::PinForm::Macro(Box::new(self.mac(mac, depth))),
        }
    }
}

/// The code inside a macro call, as the lowering reads it (a `select!`'s futures, conditions
/// and handlers, the arguments of an expression macro, a block's statements), each as a
/// statement; empty when the body is not Rust the lowering reads. For passes that look at the
/// syntax itself, such as attribute suppressions inside a `select!` arm.
pub fn body_syntax(mac: &syn::Macro) -> Vec<syn::Stmt> {
    let expr = |e: &Expr| syn::Stmt::Expr(e.clone(), None);
    let name = mac.path.segments.last().map(|s| s.ident.to_string());
    if matches!(name.as_deref(), Some("select" | "select_biased")) {
        if let Ok(select) = parse_tokens::<Select>(&mac.tokens) {
            return select
                .branches
                .iter()
                .flat_map(|b| [b.future.as_ref(), b.condition.as_ref(), Some(&b.handler)])
                .flatten()
                .map(expr)
                .collect();
        }
    }
    if let Ok(args) = parse_args(&mac.tokens) {
        return args.iter().map(expr).collect();
    }
    parse_tokens::<Stmts>(&mac.tokens)
        .map(|s| s.0)
        .unwrap_or_default()
}

fn parse_args(tokens: &TokenStream) -> syn::Result<Punctuated<Expr, Token![,]>> {
    in_tree_heap(|| {
        syn::parse::Parser::parse2(
            Punctuated::<Expr, Token![,]>::parse_terminated,
            tokens.clone(),
        )
    })
}

/// A macro's tokens parsed as `T`: a syntax tree the lowering reads and drops, built in the
/// trees' heap as a file's is ([`in_tree_heap`]).
fn parse_tokens<T: Parse>(tokens: &TokenStream) -> syn::Result<T> {
    in_tree_heap(|| syn::parse2(tokens.clone()))
}

/// The identifiers in the tokens, each once, in order of first mention.
fn idents(tokens: &TokenStream) -> Box<[Symbol]> {
    fn collect(
        tokens: TokenStream,
        depth: usize,
        seen: &mut HashSet<Symbol>,
        out: &mut Vec<Symbol>,
    ) {
        if depth > 128 {
            return;
        }
        for tt in tokens {
            match tt {
                TokenTree::Ident(i) => {
                    let name = Symbol::shown(&i);
                    if seen.insert(name) {
                        out.push(name);
                    }
                }
                TokenTree::Group(g) => collect(g.stream(), depth + 1, seen, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    collect(tokens.clone(), 0, &mut HashSet::new(), &mut out);
    out.into()
}

/// Whether a branch's handler always leaves the loop (`break`, `return`, a block ending in one,
/// a panic): the shutdown pattern, where the loss happens only when the loop is left on purpose.
fn leaves_loop(e: &Expr, depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    let stmt_leaves = |s: &syn::Stmt| match s {
        syn::Stmt::Expr(e, _) => leaves_loop(e, depth + 1),
        syn::Stmt::Macro(m) => diverging_macro(&m.mac),
        _ => false,
    };
    match e {
        Expr::Break(_) | Expr::Return(_) => true,
        Expr::Paren(p) => leaves_loop(&p.expr, depth + 1),
        Expr::Group(g) => leaves_loop(&g.expr, depth + 1),
        Expr::Block(b) if b.label.is_none() => b.block.stmts.iter().any(stmt_leaves),
        Expr::If(i) => match &i.else_branch {
            Some((_, other)) => {
                i.then_branch.stmts.iter().any(stmt_leaves) && leaves_loop(other, depth + 1)
            }
            None => false,
        },
        Expr::Match(m) => {
            !m.arms.is_empty() && m.arms.iter().all(|a| leaves_loop(&a.body, depth + 1))
        }
        Expr::Macro(m) => diverging_macro(&m.mac),
        _ => false,
    }
}

fn diverging_macro(mac: &syn::Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| {
        ["panic", "unreachable", "todo", "unimplemented", "bail"]
            .iter()
            .any(|name| s.ident == name)
    })
}

/// A block's worth of statements, for macros like `tokio::pin! { let x = ..; }`.
struct Stmts(Vec<syn::Stmt>);

impl Parse for Stmts {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Ok(Stmts(syn::Block::parse_within(input)?))
    }
}

/// `tokio::select!` / `futures::select!`:
/// `[biased;] pat = future [, if condition] => handler, ... [else | default | complete => handler]`.
struct Select {
    branches: Vec<Branch>,
}

struct Branch {
    pat: Option<Pat>,
    future: Option<Expr>,
    condition: Option<Expr>,
    handler: Expr,
    /// futures' `default =>`: taken when no future is ready at once.
    is_default: bool,
}

impl Parse for Select {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut branches = Vec::new();
        if input.peek(syn::Ident) && input.peek2(Token![;]) {
            input.parse::<syn::Ident>()?;
            input.parse::<Token![;]>()?;
        }
        while !input.is_empty() {
            let is_fallback = input.peek(Token![else])
                || (input.peek(syn::Ident) && input.peek2(Token![=>]) && {
                    let fork = input.fork();
                    let id: syn::Ident = fork.parse()?;
                    id == "default" || id == "complete"
                });
            let is_default = is_fallback && input.peek(syn::Ident) && {
                let fork = input.fork();
                let id: syn::Ident = fork.parse()?;
                id == "default"
            };
            let (pat, future, condition) = if is_fallback {
                if input.peek(Token![else]) {
                    input.parse::<Token![else]>()?;
                } else {
                    input.parse::<syn::Ident>()?;
                }
                (None, None, None)
            } else {
                let pat = Pat::parse_multi_with_leading_vert(input)?;
                input.parse::<Token![=]>()?;
                let future: Expr = input.parse()?;
                let condition = if input.peek(Token![,]) && input.peek2(Token![if]) {
                    input.parse::<Token![,]>()?;
                    input.parse::<Token![if]>()?;
                    Some(input.parse::<Expr>()?)
                } else {
                    None
                };
                (Some(pat), Some(future), condition)
            };
            input.parse::<Token![=>]>()?;
            let handler: Expr = input.parse()?;
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            }
            branches.push(Branch {
                pat,
                future,
                condition,
                handler,
                is_default,
            });
        }
        Ok(Select { branches })
    }
}
