//! Macro calls: the arguments of well-known macros (`select!`, `join!`, `vec!`, `assert!`, the
//! `format!` family, logging macros) are parsed as expressions, so futures inside them count as
//! consumed and orphans inside them are found. Arguments of other macros are walked quietly
//! (their meaning is unknown, so nothing there is reported) and every name mentioned in a macro
//! that cannot be parsed counts as used.

use super::select::RaceBranch;
use super::value::Val;
use super::walk::Walker;
use proc_macro2::{TokenStream, TokenTree};
use std::collections::HashMap;
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

/// `macro_rules!` of the file with one arm that takes no input (`() => { actix_test::start(..) }`):
/// a call of one stands for its body.
#[derive(Default)]
pub(super) struct LocalMacros(HashMap<String, TokenStream>);

impl LocalMacros {
    pub(super) fn collect(items: &[syn::Item]) -> LocalMacros {
        let mut out = LocalMacros::default();
        out.add(items, 0);
        out
    }

    fn add(&mut self, items: &[syn::Item], depth: usize) {
        for item in items {
            match item {
                syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                    if let (Some(name), Some(body)) = (&m.ident, nullary_body(&m.mac.tokens)) {
                        self.0.insert(name.to_string(), body);
                    }
                }
                syn::Item::Mod(md) if depth < 16 => {
                    if let Some((_, items)) = &md.content {
                        self.add(items, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn body(&self, mac: &syn::Macro) -> Option<&TokenStream> {
        if !mac.tokens.is_empty() {
            return None;
        }
        self.0.get(&mac.path.get_ident()?.to_string())
    }
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

pub(super) fn eval_macro(w: &mut Walker, mac: &syn::Macro) -> Val {
    if let Some(body) = w.local_macro(mac) {
        // Its body is written elsewhere: only its value counts here, nothing is reported in it.
        if let Ok(e) = syn::parse2::<Expr>(body) {
            return w.with_quiet(|w| w.eval_expr(&e));
        }
    }
    let name = mac
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    match name.as_str() {
        // `tokio_test::assert_ok!(expr, ..)`: the `Ok` value of `expr`.
        "assert_ok" => {
            if let Ok(args) = parse_args(&mac.tokens) {
                if let Some(first) = args.first() {
                    let v = w.eval_expr(first).unwrapped();
                    for rest in args.iter().skip(1) {
                        w.eval_expr(rest);
                    }
                    return v;
                }
            }
        }
        // `std::pin::pin!(fut)` in expression position: the pinned future itself.
        "pin" => {
            if let Ok(args) = parse_args(&mac.tokens) {
                if args.len() == 1 {
                    return w.eval_expr(&args[0]);
                }
            }
        }
        "select" | "select_biased" => {
            if let Ok(select) = syn::parse2::<Select>(mac.tokens.clone()) {
                let races: Vec<RaceBranch> = select
                    .branches
                    .iter()
                    .map(|b| RaceBranch {
                        future: b.future.as_ref(),
                        handler: &b.handler,
                        races: b.future.is_some() || b.is_default,
                    })
                    .collect();
                super::select::on_select(w, &races);
                for branch in &select.branches {
                    w.scoped(|w| {
                        if let Some(fut) = &branch.future {
                            w.eval_expr(fut);
                        }
                        if let Some(pat) = &branch.pat {
                            w.bind_arm_pattern(pat);
                        }
                        if let Some(cond) = &branch.condition {
                            w.eval_expr(cond);
                        }
                        w.eval_expr(&branch.handler);
                    });
                }
                return Val::Unknown;
            }
        }
        n if EXPRESSION_MACROS.contains(&n) => {
            if let Ok(args) = parse_args(&mac.tokens) {
                for arg in &args {
                    w.eval_expr(arg);
                }
                return Val::Unknown;
            }
        }
        _ => {
            if let Ok(args) = parse_args(&mac.tokens) {
                w.with_quiet(|w| {
                    for arg in &args {
                        w.eval_expr(arg);
                    }
                });
                return Val::Unknown;
            }
            if let Ok(stmts) = syn::parse2::<Stmts>(mac.tokens.clone()) {
                w.with_quiet(|w| w.scoped(|w| stmts.0.iter().for_each(|s| w.stmt_in_macro(s))));
                mark_idents(w, mac.tokens.clone(), 0);
                return Val::Unknown;
            }
        }
    }
    mark_idents(w, mac.tokens.clone(), 0);
    Val::Unknown
}

fn parse_args(tokens: &TokenStream) -> syn::Result<Punctuated<Expr, Token![,]>> {
    syn::parse::Parser::parse2(
        Punctuated::<Expr, Token![,]>::parse_terminated,
        tokens.clone(),
    )
}

/// Every identifier in the tokens counts as a use of a binding of that name.
fn mark_idents(w: &mut Walker, tokens: TokenStream, depth: usize) {
    if depth > 128 {
        return;
    }
    for tt in tokens {
        match tt {
            TokenTree::Ident(i) => w.mark_name_used(&i.to_string()),
            TokenTree::Group(g) => mark_idents(w, g.stream(), depth + 1),
            _ => {}
        }
    }
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
