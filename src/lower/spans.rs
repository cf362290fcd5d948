//! Positions of expressions without re-tokenising them. `syn::spanned::Spanned::span` turns the
//! whole subtree into tokens, so calling it at every level of a 50,000-link method chain is
//! quadratic; these walk to the first and last token instead, iteratively.

use proc_macro2::{LineColumn, Span};
use syn::spanned::Spanned;
use syn::Expr;

/// Where the expression's first token starts.
pub fn start(mut e: &Expr) -> LineColumn {
    loop {
        e = match e {
            Expr::MethodCall(m) => &m.receiver,
            Expr::Field(f) => &f.base,
            Expr::Call(c) => &c.func,
            Expr::Index(i) => &i.expr,
            Expr::Try(t) => &t.expr,
            Expr::Await(a) => &a.base,
            Expr::Binary(b) => &b.left,
            Expr::Cast(c) => &c.expr,
            Expr::Assign(a) => &a.left,
            Expr::Range(r) => match &r.start {
                Some(s) => s,
                None => return r.limits.span().start(),
            },
            Expr::Path(p) => {
                return p
                    .path
                    .segments
                    .first()
                    .map(|s| s.ident.span())
                    .unwrap_or_else(|| p.span())
                    .start()
            }
            Expr::Block(b) => {
                return b
                    .label
                    .as_ref()
                    .map(|l| l.name.span())
                    .unwrap_or(b.block.brace_token.span.open())
                    .start()
            }
            Expr::Async(a) => return a.async_token.span.start(),
            Expr::Unsafe(u) => return u.unsafe_token.span.start(),
            Expr::Macro(m) => {
                return m
                    .mac
                    .path
                    .segments
                    .first()
                    .map(|s| s.ident.span())
                    .unwrap_or_else(|| m.span())
                    .start()
            }
            Expr::Paren(p) => return p.paren_token.span.open().start(),
            Expr::Tuple(t) => return t.paren_token.span.open().start(),
            Expr::Array(a) => return a.bracket_token.span.open().start(),
            Expr::Struct(s) => {
                return s
                    .path
                    .segments
                    .first()
                    .map(|s| s.ident.span())
                    .unwrap_or_else(|| s.span())
                    .start()
            }
            Expr::If(i) => return i.if_token.span.start(),
            Expr::Match(m) => return m.match_token.span.start(),
            Expr::Reference(r) => return r.and_token.span.start(),
            Expr::Return(r) => return r.return_token.span.start(),
            Expr::Let(l) => return l.let_token.span.start(),
            // A literal (a generated crate's constants are thousands of them): its own token,
            // or its first attribute's, not the literal copied into tokens to find it.
            Expr::Lit(l) => {
                return l
                    .attrs
                    .first()
                    .map(|a| a.pound_token.span)
                    .unwrap_or_else(|| l.lit.span())
                    .start()
            }
            other => return other.span().start(),
        };
    }
}

/// Where the expression's last token ends.
pub fn end(mut e: &Expr) -> LineColumn {
    loop {
        e = match e {
            Expr::MethodCall(m) => return m.paren_token.span.close().end(),
            Expr::Call(c) => return c.paren_token.span.close().end(),
            Expr::Await(a) => return a.await_token.span.end(),
            Expr::Try(t) => return t.question_token.span.end(),
            Expr::Field(f) => return f.member.span().end(),
            Expr::Index(i) => return i.bracket_token.span.close().end(),
            Expr::Paren(p) => return p.paren_token.span.close().end(),
            Expr::Tuple(t) => return t.paren_token.span.close().end(),
            Expr::Array(a) => return a.bracket_token.span.close().end(),
            Expr::Struct(s) => return s.brace_token.span.close().end(),
            Expr::Block(b) => return b.block.brace_token.span.close().end(),
            Expr::Async(a) => return a.block.brace_token.span.close().end(),
            Expr::Unsafe(u) => return u.block.brace_token.span.close().end(),
            Expr::Macro(m) => {
                return match &m.mac.delimiter {
                    syn::MacroDelimiter::Paren(p) => p.span.close().end(),
                    syn::MacroDelimiter::Brace(b) => b.span.close().end(),
                    syn::MacroDelimiter::Bracket(b) => b.span.close().end(),
                }
            }
            Expr::Path(p)
                if p.path
                    .segments
                    .last()
                    .is_some_and(|s| s.arguments.is_none()) =>
            {
                return p
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.span())
                    .unwrap_or_else(|| p.span())
                    .end()
            }
            Expr::Binary(b) => &b.right,
            Expr::Unary(u) => &u.expr,
            Expr::Reference(r) => &r.expr,
            Expr::Assign(a) => &a.right,
            Expr::Closure(c) => &c.body,
            Expr::Range(r) => match &r.end {
                Some(x) => x,
                None => return r.limits.span().end(),
            },
            Expr::Return(r) => match &r.expr {
                Some(x) => x,
                None => return r.return_token.span.end(),
            },
            Expr::Lit(l) => return l.lit.span().end(),
            other => return other.span().end(),
        };
    }
}

/// [`start`], without turning the expressions it would tokenise whole into tokens when their
/// first token is known (closures, unary operators, loops: their attributes, label or keyword).
pub fn start_cheap(e: &Expr) -> LineColumn {
    let first = |attrs: &[syn::Attribute], then: proc_macro2::Span| {
        attrs
            .first()
            .map(|a| a.pound_token.span)
            .unwrap_or(then)
            .start()
    };
    let label = |l: &Option<syn::Label>, then: proc_macro2::Span| {
        l.as_ref().map(|l| l.name.apostrophe).unwrap_or(then)
    };
    match e {
        Expr::Closure(c) => {
            let then = c
                .lifetimes
                .as_ref()
                .map(|l| l.for_token.span)
                .or(c.constness.map(|t| t.span))
                .or(c.asyncness.map(|t| t.span))
                .or(c.capture.map(|t| t.span))
                .unwrap_or(c.inputs_begin.span);
            first(&c.attrs, then)
        }
        Expr::Unary(u) => {
            let op = match u.op {
                syn::UnOp::Deref(t) => t.span,
                syn::UnOp::Not(t) => t.span,
                syn::UnOp::Neg(t) => t.span,
                _ => return start(e),
            };
            first(&u.attrs, op)
        }
        Expr::ForLoop(f) => first(&f.attrs, label(&f.label, f.for_token.span)),
        Expr::While(w) => first(&w.attrs, label(&w.label, w.while_token.span)),
        Expr::Loop(l) => first(&l.attrs, label(&l.label, l.loop_token.span)),
        _ => start(e),
    }
}

/// [`end`], without tokenising expressions that end in a known token (a body's brace, a
/// match's brace, a cast's type).
pub fn end_cheap(e: &Expr) -> LineColumn {
    match e {
        Expr::If(i) => match &i.else_branch {
            Some((_, other)) => end_cheap(other),
            None => i.then_branch.brace_token.span.close().end(),
        },
        Expr::Match(m) => m.brace_token.span.close().end(),
        Expr::ForLoop(f) => f.body.brace_token.span.close().end(),
        Expr::While(w) => w.body.brace_token.span.close().end(),
        Expr::Loop(l) => l.body.brace_token.span.close().end(),
        Expr::Cast(c) => c.ty.span().end(),
        _ => end(e),
    }
}

/// Where a macro call starts and ends: its path's first token (a leading `::` or the first
/// name) to its closing delimiter, what `Spanned::span` gives without turning the call (its
/// whole body) into tokens.
pub fn of_macro(mac: &syn::Macro) -> (Span, Span) {
    let first = match (&mac.path.leading_colon, mac.path.segments.first()) {
        (Some(colons), _) => colons.spans[0],
        (None, Some(segment)) => segment.ident.span(),
        (None, None) => return (mac.span(), mac.span()),
    };
    let close = match &mac.delimiter {
        syn::MacroDelimiter::Paren(p) => p.span.close(),
        syn::MacroDelimiter::Brace(b) => b.span.close(),
        syn::MacroDelimiter::Bracket(b) => b.span.close(),
    };
    (first, close)
}
