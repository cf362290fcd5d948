//! Lowering: a parsed file to the body IR ([`ir`]) the walk reads. Lowering knows syntax: which
//! items hold bodies, where each expression starts and ends, how macro arguments parse. It knows
//! no names, types or index; the IR it gives holds no syntax tree and no proc-macro2 span, so it
//! can be kept after the AST is dropped and handed to another thread.

mod inert;
pub mod ir;
mod line_ascii;
mod macros;
pub use macros::body_syntax;
pub mod spans;
pub mod test_code;

use crate::index::facts::{
    collect_use, flatten_items, generic_params, has_runtime_attr, sig_of, ItemMacros,
};
use crate::index::types::{path_symbols, Ty};
use crate::source::SourceFile;
use crate::symbol::Symbol;
use ir::{Expr, ExprKind, Pos, Span};
use line_ascii::LineAscii;
use proc_macro2::LineColumn;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use syn::spanned::Spanned;

/// Expressions nested deeper than this are lowered as [`ExprKind::Opaque`] (with their span).
/// The walk stops at 2,000 nested evaluations; the nesting pre-check of [`crate::source`] keeps
/// real input far below either (a long method chain is the deep case that passes it).
const MAX_DEPTH: usize = 4000;

/// Item nesting the walk follows (inline modules in inline modules).
const MAX_ITEM_DEPTH: usize = 64;

/// Lowers a parsed file. Positions are those of `source`, the text `ast` was parsed from.
pub fn lower_file(ast: &syn::File, source: &SourceFile) -> ir::File {
    lower_file_sharing(ast, source, &ItemMacros::default())
}

/// [`lower_file`], the item macros' items taken from `shared` where it has them (parsed once
/// for the file's facts and its lowering).
pub fn lower_file_sharing(ast: &syn::File, source: &SourceFile, shared: &ItemMacros) -> ir::File {
    let mut lowering = FileLowering::new(source, &ast.items, shared);
    lowering.items(&ast.items);
    lowering.finish()
}

/// A file lowered in parts (a large file, group by group: see [`crate::source::groups`]):
/// the file's local macros first, then its top-level items in order, in one or more calls;
/// what [`lower_file`] gives for the whole.
pub struct FileLowering<'s> {
    cx: Lower<'s>,
    items: Vec<ir::Item>,
    macro_bodies: Box<[ir::Expr]>,
}

impl<'s> FileLowering<'s> {
    /// `macro_items`: items holding the file's `macro_rules!` (the whole file's items, or the
    /// macros alone), parsed from `source` and placed as it says now; `shared`: the item
    /// macros' items parsed already (see [`ItemMacros`]).
    pub fn new(
        source: &'s SourceFile,
        macro_items: &[syn::Item],
        shared: &'s ItemMacros,
    ) -> FileLowering<'s> {
        // Local nullary macros: their bodies are lowered once, calls refer to them.
        let mut local_macros = HashMap::new();
        let mut bodies: Vec<(String, syn::Expr)> = Vec::new();
        for (name, tokens) in macros::local_macros(macro_items) {
            if let Ok(e) = syn::parse2::<syn::Expr>(tokens) {
                local_macros.insert(name.clone(), bodies.len() as u32);
                bodies.push((name, e));
            }
        }
        let cx = Lower {
            source,
            shared,
            ascii: Cow::Owned(LineAscii::new(source.line_count())),
            local_macros: Cow::Owned(local_macros),
            call_uses: RefCell::default(),
            key: RefCell::default(),
        };
        let macro_bodies = bodies.iter().map(|(_, e)| cx.expr(e, 0)).collect();
        FileLowering {
            cx,
            items: Vec::new(),
            macro_bodies,
        }
    }

    /// What the lowerings of the file's other groups share, each on a thread of its own
    /// ([`FileLowering::of_group`]), once this one is done; the bodies of the local macros are
    /// this one's ([`FileLowering::take_macro_bodies`]).
    pub fn into_part(self) -> FilePart {
        FilePart {
            ascii: self.cx.ascii.into_owned(),
            local_macros: self.cx.local_macros.into_owned(),
        }
    }

    /// A lowering of a group of the file `part` was taken from, which gives what this file's
    /// lowering gives for the same items (their call uses aside: [`FileLowering::finish`] is
    /// not for it): the local macros are those of `part`, their bodies lowered there.
    pub fn of_group(
        source: &'s SourceFile,
        part: &'s FilePart,
        shared: &'s ItemMacros,
    ) -> FileLowering<'s> {
        FileLowering {
            cx: Lower {
                source,
                shared,
                ascii: Cow::Borrowed(&part.ascii),
                local_macros: Cow::Borrowed(&part.local_macros),
                call_uses: RefCell::default(),
                key: RefCell::default(),
            },
            items: Vec::new(),
            macro_bodies: Box::default(),
        }
    }

    /// Lowers top-level items (after those of the calls before).
    pub fn items(&mut self, items: &[syn::Item]) {
        let lowered = self.cx.items(items, 0).into_vec();
        if self.items.is_empty() {
            self.items = lowered;
        } else {
            self.items.extend(lowered);
        }
    }

    /// The items lowered so far, taken: a large file walked group by group lowers a group,
    /// walks its items and drops them before the next group is parsed.
    pub fn take_items(&mut self) -> Vec<ir::Item> {
        std::mem::take(&mut self.items)
    }

    /// The bodies of the file's local nullary macros, taken (lowered once, in [`Self::new`]).
    pub fn take_macro_bodies(&mut self) -> Box<[ir::Expr]> {
        std::mem::take(&mut self.macro_bodies)
    }

    /// The call uses counted so far, taken: a file lowered group by group, each group by a
    /// lowering of its own ([`FileLowering::of_group`]), adds them up.
    pub fn take_call_uses(&mut self) -> HashMap<Box<str>, ir::CallUses> {
        std::mem::take(self.cx.call_uses.get_mut())
    }

    /// Forgets the call uses counted so far (a second reading of a file whose uses an earlier
    /// one counted).
    pub fn clear_call_uses(&mut self) {
        self.cx.call_uses.get_mut().clear();
    }

    pub fn finish(self) -> ir::File {
        ir::File {
            items: self.items.into_boxed_slice(),
            macro_bodies: self.macro_bodies,
            call_uses: self.cx.call_uses.into_inner(),
        }
    }
}

/// What the lowerings of one file's groups share (see [`FileLowering::into_part`]): the
/// file's line flags and its local macros' names; nothing a thread keeps to itself.
pub struct FilePart {
    ascii: LineAscii,
    local_macros: HashMap<String, u32>,
}

/// The [`ir::File::call_uses`] key of the method `name` (on any receiver; the text its
/// identifier shows), into `out`: `.name`, which no path is.
fn write_method_key(name: &str, out: &mut String) {
    out.push('.');
    out.push_str(name);
}

/// The [`ir::File::call_uses`] key of a callee written as a plain path (`support::stop`): the
/// path as written, into `out`; false (nothing written) for any other callee.
fn write_callee_key(func: &syn::Expr, out: &mut String) -> bool {
    use std::fmt::Write;
    match func {
        syn::Expr::Path(p) if p.qself.is_none() => {
            for (i, segment) in p.path.segments.iter().enumerate() {
                if i > 0 {
                    out.push_str("::");
                }
                // Writing to a `String` does not fail.
                let _ = write!(out, "{}", segment.ident);
            }
            true
        }
        _ => false,
    }
}

struct Lower<'s> {
    source: &'s SourceFile,
    /// The item macros' items, parsed once (see [`ItemMacros`]).
    shared: &'s ItemMacros,
    /// Whether each line is ASCII (position conversion is then a plain offset), read when a
    /// position on it is first converted.
    ascii: Cow<'s, LineAscii>,
    /// Local nullary `macro_rules!` whose body is an expression → index in `macro_bodies`.
    local_macros: Cow<'s, HashMap<String, u32>>,
    /// Callee paths and how they are called (see [`ir::File::call_uses`]).
    call_uses: RefCell<HashMap<Box<str>, ir::CallUses>>,
    /// A callee's key is written here to be looked up: a key is allocated only when new.
    key: RefCell<String>,
}

impl Lower<'_> {
    /// Counts a use of the callee whose key `write` writes (when it writes one: true).
    fn tally(
        &self,
        write: impl FnOnce(&mut String) -> bool,
        count: impl FnOnce(&mut ir::CallUses),
    ) {
        let mut key = self.key.borrow_mut();
        key.clear();
        if !write(&mut key) {
            return;
        }
        let mut uses = self.call_uses.borrow_mut();
        match uses.get_mut(key.as_str()) {
            Some(known) => count(known),
            None => count(uses.entry(Box::from(key.as_str())).or_default()),
        }
    }

    fn pos(&self, lc: LineColumn) -> Pos {
        self.source
            .position_with(lc, |line, text| self.ascii.is_ascii(line, text))
            .into()
    }

    fn span(&self, s: proc_macro2::Span) -> Span {
        Span {
            start: self.pos(s.start()),
            end: self.pos(s.end()),
        }
    }

    /// A macro call's span ([`spans::of_macro`]).
    fn macro_span(&self, mac: &syn::Macro) -> Span {
        let (first, close) = spans::of_macro(mac);
        Span {
            start: self.pos(first.start()),
            end: self.pos(close.end()),
        }
    }

    // ----- items ---------------------------------------------------------------------------

    fn items(&self, items: &[syn::Item], depth: usize) -> Box<[ir::Item]> {
        if depth > MAX_ITEM_DEPTH {
            return Box::default();
        }
        let flat = flatten_items(items, self.shared);
        flat.iter()
            // Generated constants: known inert from their syntax, not lowered to be dropped.
            .filter(|i| !inert::item(i.as_ref()))
            .filter_map(|i| self.item(i.as_ref(), depth))
            .filter(|i| !i.is_inert())
            .collect()
    }

    /// An item the walk visits (`use`s aside: only blocks read theirs).
    fn item(&self, item: &syn::Item, depth: usize) -> Option<ir::Item> {
        Some(match item {
            syn::Item::Fn(f) => {
                ir::Item::Fn(Box::new(self.func(&f.sig, &f.attrs, &f.block, false)))
            }
            syn::Item::Impl(imp) => ir::Item::Impl(Box::new(ir::Impl {
                self_ty: Ty::from_syn(&imp.self_ty),
                generics: generic_params(&imp.generics).into(),
                fns: imp
                    .items
                    .iter()
                    .filter_map(|it| match it {
                        syn::ImplItem::Fn(f) => Some(self.func(&f.sig, &f.attrs, &f.block, false)),
                        _ => None,
                    })
                    .collect(),
            })),
            syn::Item::Trait(t) => ir::Item::Trait(Box::new(ir::Trait {
                name: Symbol::shown(&t.ident),
                generics: generic_params(&t.generics).into(),
                fns: t
                    .items
                    .iter()
                    .filter_map(|it| match it {
                        syn::TraitItem::Fn(f) => f
                            .default
                            .as_ref()
                            .map(|b| self.func(&f.sig, &f.attrs, b, false)),
                        _ => None,
                    })
                    .collect(),
            })),
            syn::Item::Mod(md) => {
                let (_, items) = md.content.as_ref()?;
                ir::Item::Mod(Box::new(ir::InlineMod {
                    name: Symbol::shown(&md.ident),
                    items: self.items(items, depth + 1),
                }))
            }
            syn::Item::Const(c) => ir::Item::Const(self.boxed(&c.expr, 0)),
            syn::Item::Static(s) => ir::Item::Const(self.boxed(&s.expr, 0)),
            _ => return None,
        })
    }

    fn func(
        &self,
        sig: &syn::Signature,
        attrs: &[syn::Attribute],
        block: &syn::Block,
        in_block: bool,
    ) -> ir::Fn {
        let is_async = sig.asyncness.is_some();
        // The name's line placed in the file, as its span's start is.
        let name_span = self.span(sig.ident.span());
        let line = name_span.start.line as usize;
        ir::Fn {
            name: Symbol::shown(&sig.ident),
            line,
            name_span,
            is_async,
            runtime_attr: has_runtime_attr(attrs),
            test_attr: attrs.iter().any(|a| a.path().is_ident("test")),
            runtime_test_attr: attrs.iter().any(|a| {
                a.path().segments.len() == 2
                    && a.path().segments.last().is_some_and(|s| s.ident == "test")
            }),
            should_panic: attrs.iter().any(|a| a.path().is_ident("should_panic")),
            generics: generic_params(&sig.generics).into(),
            params: sig
                .inputs
                .iter()
                .map(|input| match input {
                    syn::FnArg::Receiver(_) => ir::Param::SelfParam,
                    syn::FnArg::Typed(pt) => {
                        ir::Param::Typed(self.pat(&pt.pat), Ty::from_syn(&pt.ty))
                    }
                })
                .collect(),
            mut_params: sig
                .inputs
                .iter()
                .map(|input| match input {
                    syn::FnArg::Receiver(r) => r.mutability.is_some(),
                    syn::FnArg::Typed(pt) => {
                        matches!(&*pt.pat, syn::Pat::Ident(i) if i.mutability.is_some())
                    }
                })
                .collect(),
            returns_iterator: returns_iterator(&sig.output),
            // Its line placed in the file, as the fn's own (a group of a large file is parsed
            // apart: its spans count from the group).
            local_sig: in_block.then(|| {
                let mut local = sig_of(sig, attrs);
                local.line = u32::try_from(line).unwrap_or(u32::MAX);
                Box::new(local)
            }),
            body: self.block(block, 0),
        }
    }

    // ----- blocks and statements -----------------------------------------------------------

    fn block(&self, block: &syn::Block, depth: usize) -> ir::Block {
        self.block_of(&block.stmts, depth)
    }

    fn block_of(&self, stmts: &[syn::Stmt], depth: usize) -> ir::Block {
        ir::Block {
            stmts: stmts.iter().map(|s| self.stmt(s, depth)).collect(),
        }
    }

    fn stmt(&self, stmt: &syn::Stmt, depth: usize) -> ir::Stmt {
        match stmt {
            syn::Stmt::Local(local) => {
                let span = Span {
                    start: self.pos(local.let_token.span.start()),
                    end: self.pos(local.semi_token.span.end()),
                };
                let init = local.init.as_ref();
                ir::Stmt::Let(Box::new(ir::Local {
                    pat: self.pat(&local.pat),
                    init: init.map(|i| self.expr(&i.expr, depth + 1)),
                    diverge: init
                        .and_then(|i| i.diverge.as_ref())
                        .map(|(_, d)| self.boxed(d, depth + 1)),
                    span,
                    cfg: local.attrs.iter().any(|a| a.path().is_ident("cfg")),
                }))
            }
            syn::Stmt::Expr(e, semi) => ir::Stmt::Expr {
                expr: self.expr(e, depth + 1),
                semi: semi.is_some(),
            },
            syn::Stmt::Macro(m) if macros::is_pin_macro(&m.mac) => ir::Stmt::Pin {
                span: self.macro_span(&m.mac),
                form: self.pin_form(&m.mac, depth),
            },
            syn::Stmt::Macro(m) => ir::Stmt::Macro {
                mac: Box::new(self.mac(&m.mac, depth)),
                span: self.macro_span(&m.mac),
                semi: m.semi_token.is_some(),
            },
            syn::Stmt::Item(item) => match item {
                syn::Item::Use(u) => {
                    let mut uses = Vec::new();
                    collect_use(&u.tree, &mut Vec::new(), &mut uses);
                    ir::Stmt::Item(ir::Item::Use(uses.into()))
                }
                syn::Item::Fn(f) => ir::Stmt::Item(ir::Item::Fn(Box::new(
                    self.func(&f.sig, &f.attrs, &f.block, true),
                ))),
                syn::Item::Impl(_)
                | syn::Item::Trait(_)
                | syn::Item::Mod(_)
                | syn::Item::Const(_)
                | syn::Item::Static(_) => match self.item(item, 1) {
                    Some(item) => ir::Stmt::Item(item),
                    None => ir::Stmt::Other,
                },
                _ => ir::Stmt::Other,
            },
        }
    }

    // ----- expressions ---------------------------------------------------------------------

    fn exprs<'e>(&self, es: impl IntoIterator<Item = &'e syn::Expr>, depth: usize) -> Box<[Expr]> {
        es.into_iter().map(|e| self.expr(e, depth)).collect()
    }

    fn boxed(&self, e: &syn::Expr, depth: usize) -> Box<Expr> {
        Box::new(self.expr(e, depth))
    }

    /// Lowers an expression. Its span is computed as [`spans`] computes it, from the lowered
    /// children where [`spans`] would descend into them (so a long chain is not walked again at
    /// every link). The first operand of postfix and binary expressions (a method chain's
    /// receivers, `a + b + c`'s left sides) is lowered in a loop, not by recursion: such chains
    /// pass the nesting pre-check at any length, and callers with small stacks lower them too.
    pub(crate) fn expr(&self, e: &syn::Expr, depth: usize) -> Expr {
        let mut chain = Vec::new();
        let (mut e, mut depth) = (e, depth);
        while depth <= MAX_DEPTH {
            let Some(first) = first_operand(e) else { break };
            chain.push(e);
            e = first;
            depth += 1;
        }
        let mut lowered = self.node(e, depth, None);
        while let Some(parent) = chain.pop() {
            depth -= 1;
            lowered = self.node(parent, depth, Some(lowered));
        }
        lowered
    }

    /// The child of `first` ([`first_operand`]) or lowers it.
    fn first(&self, first: &mut Option<Expr>, e: &syn::Expr, depth: usize) -> Expr {
        first.take().unwrap_or_else(|| self.expr(e, depth))
    }

    /// Lowers one expression; `first`: its first operand, already lowered.
    fn node(&self, e: &syn::Expr, depth: usize, mut first: Option<Expr>) -> Expr {
        use syn::Expr as E;
        let first = &mut first;
        if depth > MAX_DEPTH {
            return Expr {
                span: Span {
                    start: self.pos(spans::start(e)),
                    end: self.pos(spans::end(e)),
                },
                kind: ExprKind::Opaque,
            };
        }
        let d = depth + 1;
        // `start`/`end`: taken from a lowered child where the span functions descend.
        let mut start: Option<Pos> = None;
        let mut end: Option<Pos> = None;
        let kind = match e {
            E::Path(p) => ExprKind::Path(Box::new(self.path_expr(p))),
            E::Call(c) => {
                self.tally(|key| write_callee_key(&c.func, key), |u| u.calls += 1);
                let func = self.first(first, &c.func, d);
                start = Some(func.span.start);
                ExprKind::Call(Box::new(ir::Call {
                    func,
                    args: self.exprs(&c.args, d),
                }))
            }
            E::MethodCall(mc) => {
                let method = Symbol::shown(&mc.method);
                self.tally(
                    |key| {
                        write_method_key(&method, key);
                        true
                    },
                    |u| u.calls += 1,
                );
                let receiver = self.first(first, &mc.receiver, d);
                start = Some(receiver.span.start);
                ExprKind::MethodCall(Box::new(ir::MethodCall {
                    receiver,
                    method,
                    args: self.exprs(&mc.args, d),
                    turbofish: mc.turbofish.as_ref().and_then(|t| {
                        t.args.iter().find_map(|a| match a {
                            syn::GenericArgument::Type(ty) => Some(Box::new(Ty::from_syn(ty))),
                            _ => None,
                        })
                    }),
                }))
            }
            E::Await(a) => {
                let write = |key: &mut String| match &*a.base {
                    syn::Expr::Call(c) => write_callee_key(&c.func, key),
                    syn::Expr::MethodCall(mc) => {
                        write_method_key(&Symbol::shown(&mc.method), key);
                        true
                    }
                    _ => false,
                };
                self.tally(write, |u| u.awaited += 1);
                let base = self.first(first, &a.base, d);
                start = Some(base.span.start);
                ExprKind::Await(Box::new(ir::Await {
                    base,
                    await_span: self.span(a.await_token.span),
                }))
            }
            E::Try(t) => {
                let inner = Box::new(self.first(first, &t.expr, d));
                start = Some(inner.span.start);
                ExprKind::Try(inner)
            }
            E::Async(a) => ExprKind::Async(Box::new(ir::AsyncBlock {
                block: self.block(&a.block, d),
                is_move: a.capture.is_some(),
                line: self.pos(a.async_token.span.start()).line as usize,
            })),
            E::Closure(c) => {
                let body = self.expr(&c.body, d);
                end = Some(body.span.end);
                ExprKind::Closure(Box::new(ir::Closure {
                    is_async: c.asyncness.is_some(),
                    is_move: c.capture.is_some(),
                    inputs: c.inputs.iter().map(|p| self.pat(p)).collect(),
                    body,
                    line: self.pos(c.inputs_begin.span.start()).line as usize,
                }))
            }
            E::Block(b) => ExprKind::Block(Box::new(self.block(&b.block, d))),
            E::Unsafe(u) => ExprKind::Block(Box::new(self.block(&u.block, d))),
            E::Const(c) => ExprKind::Block(Box::new(self.block(&c.block, d))),
            E::TryBlock(t) => ExprKind::TryBlock(Box::new(self.block(&t.block, d))),
            E::Paren(p) => ExprKind::Paren(self.boxed(&p.expr, d)),
            E::Group(g) => ExprKind::Group(self.boxed(&g.expr, d)),
            E::Reference(r) => {
                let inner = self.boxed(&r.expr, d);
                end = Some(inner.span.end);
                ExprKind::Ref(inner)
            }
            E::Unary(u) => {
                let inner = self.boxed(&u.expr, d);
                end = Some(inner.span.end);
                ExprKind::Unary {
                    deref: matches!(u.op, syn::UnOp::Deref(_)),
                    not: matches!(u.op, syn::UnOp::Not(_)),
                    expr: inner,
                }
            }
            E::Field(f) => {
                let base = self.first(first, &f.base, d);
                start = Some(base.span.start);
                ExprKind::Field(Box::new(ir::Field {
                    base,
                    member: member_name(&f.member),
                }))
            }
            E::If(i) => ExprKind::If(Box::new(ir::If {
                cond: self.expr(&i.cond, d),
                then: self.block(&i.then_branch, d),
                otherwise: i.else_branch.as_ref().map(|(_, e)| self.expr(e, d)),
            })),
            E::Let(l) => ExprKind::Let(Box::new(ir::LetExpr {
                pat: self.pat(&l.pat),
                expr: self.expr(&l.expr, d),
            })),
            E::Match(m) => ExprKind::Match(Box::new(ir::Match {
                expr: self.expr(&m.expr, d),
                arms: m
                    .arms
                    .iter()
                    .map(|arm| {
                        // syn 3 holds an arm's guard in its pattern.
                        let (pat, guard) = match &arm.pat {
                            syn::Pat::Guard(g) => (&*g.pat, Some(&*g.guard)),
                            pat => (pat, None),
                        };
                        ir::Arm {
                            pat: self.pat(pat),
                            pat_span: self.span(pat.span()),
                            guard: guard.map(|g| self.expr(g, d)),
                            body: self.expr(&arm.body, d),
                        }
                    })
                    .collect(),
            })),
            E::ForLoop(f) => ExprKind::For(Box::new(ir::For {
                pat: self.pat(&f.pat),
                pat_span: self.span(f.pat.span()),
                expr: self.expr(&f.expr, d),
                body: self.block(&f.body, d),
            })),
            E::While(w) => ExprKind::While {
                cond: self.boxed(&w.cond, d),
                body: Box::new(self.block(&w.body, d)),
            },
            E::Loop(l) => ExprKind::Loop(Box::new(self.block(&l.body, d))),
            E::Assign(a) => {
                let right = self.expr(&a.right, d);
                let left = self.expr(&a.left, d);
                start = Some(left.span.start);
                end = Some(right.span.end);
                ExprKind::Other(Box::new([right, left]))
            }
            E::Binary(b) => {
                let left = self.first(first, &b.left, d);
                let right = self.expr(&b.right, d);
                start = Some(left.span.start);
                end = Some(right.span.end);
                ExprKind::Other(Box::new([left, right]))
            }
            E::Index(i) => {
                let base = self.first(first, &i.expr, d);
                start = Some(base.span.start);
                ExprKind::Index(Box::new([base, self.expr(&i.index, d)]))
            }
            E::Range(r) => {
                let lo = r.start.as_ref().map(|s| self.expr(s, d));
                let hi = r.end.as_ref().map(|s| self.expr(s, d));
                start = lo.as_ref().map(|x| x.span.start);
                end = hi.as_ref().map(|x| x.span.end);
                ExprKind::Other(lo.into_iter().chain(hi).collect())
            }
            E::Return(r) => {
                let inner = r.expr.as_ref().map(|x| self.expr(x, d));
                end = inner.as_ref().map(|x| x.span.end);
                ExprKind::Return(inner.into_iter().collect())
            }
            E::Break(b) => ExprKind::Break(b.expr.iter().map(|x| self.expr(x, d)).collect()),
            E::Continue(c) if c.label.is_some() => ExprKind::Break(Box::new([])),
            E::Yield(y) => ExprKind::Other(y.expr.iter().map(|x| self.expr(x, d)).collect()),
            E::Cast(c) => {
                let inner = self.first(first, &c.expr, d);
                start = Some(inner.span.start);
                ExprKind::Cast(Box::new(ir::Cast {
                    expr: inner,
                    dyn_trait: dyn_trait(&c.ty),
                }))
            }
            E::Tuple(t) => ExprKind::Tuple(self.exprs(&t.elems, d)),
            E::Array(a) => ExprKind::Array(self.exprs(&a.elems, d)),
            E::Repeat(r) => {
                ExprKind::Other(Box::new([self.expr(&r.expr, d), self.expr(&r.len, d)]))
            }
            E::Struct(s) => ExprKind::Struct(Box::new(ir::Struct {
                path: path_symbols(&s.path),
                exprs: s
                    .fields
                    .iter()
                    .map(|f| &f.expr)
                    .chain(s.rest.as_deref())
                    .map(|x| self.expr(x, d))
                    .collect(),
            })),
            E::Macro(m) => ExprKind::Macro(Box::new(self.mac(&m.mac, d))),
            E::Lit(l) => match &l.lit {
                syn::Lit::Bool(b) => ExprKind::Lit(ir::Lit::Bool(b.value)),
                syn::Lit::Int(i) => match i.base10_parse::<u128>() {
                    Ok(v) => ExprKind::Lit(ir::Lit::Int(ir::IntLit::new(v))),
                    Err(_) => ExprKind::Opaque,
                },
                _ => ExprKind::Opaque,
            },
            _ => ExprKind::Opaque,
        };
        if end.is_none() {
            end = match (e, &kind) {
                (E::If(_), ExprKind::If(i)) => i.otherwise.as_ref().map(|o| o.span.end),
                (E::Let(_), ExprKind::Let(l)) => Some(l.expr.span.end),
                _ => None,
            };
        }
        let start = start.unwrap_or_else(|| self.pos(spans::start_cheap(e)));
        let end = end.unwrap_or_else(|| self.pos(spans::end_cheap(e)));
        Expr {
            span: Span { start, end },
            kind,
        }
    }

    fn path_expr(&self, p: &syn::ExprPath) -> ir::Path {
        let segs = path_symbols(&p.path);
        match &p.qself {
            None => ir::Path {
                head_args: match p.path.segments.len() {
                    n if n >= 2 => type_args(&p.path.segments[n - 2].arguments),
                    _ => Box::default(),
                },
                segs,
                qself: ir::QSelf::None,
            },
            // `<Type>::f` and `<Type as Trait>::f`: the type's `f` (its trait's, when the trait
            // is in scope, as method calls find it).
            Some(q) => match &*q.ty {
                syn::Type::Path(tp) if tp.qself.is_none() && q.position <= segs.len() => ir::Path {
                    segs: segs[q.position..].into(),
                    qself: ir::QSelf::Plain(path_symbols(&tp.path)),
                    head_args: tp
                        .path
                        .segments
                        .last()
                        .map(|s| type_args(&s.arguments))
                        .unwrap_or_default(),
                },
                _ => ir::Path {
                    segs,
                    qself: ir::QSelf::Other,
                    head_args: Box::default(),
                },
            },
        }
    }

    // ----- patterns ------------------------------------------------------------------------

    fn pat(&self, pat: &syn::Pat) -> ir::Pat {
        use ir::Pat as P;
        let many = |ps: &mut dyn Iterator<Item = &syn::Pat>| -> Box<[P]> {
            ps.map(|p| self.pat(p)).collect()
        };
        match pat {
            syn::Pat::Wild(_) => P::Wild,
            syn::Pat::Ident(pi) => P::Ident {
                name: Symbol::shown(&pi.ident),
                sub: pi.subpat.as_ref().map(|(_, s)| Box::new(self.pat(s))),
            },
            syn::Pat::Type(pt) => P::Type(Box::new((self.pat(&pt.pat), Ty::from_syn(&pt.ty)))),
            syn::Pat::Reference(r) => P::Ref(Box::new(self.pat(&r.pat))),
            syn::Pat::Paren(p) => P::Paren(Box::new(self.pat(&p.pat))),
            syn::Pat::Tuple(t) => P::Tuple(many(&mut t.elems.iter())),
            syn::Pat::TupleStruct(ts) => P::TupleStruct {
                path: path_symbols(&ts.path),
                elems: many(&mut ts.elems.iter()),
            },
            syn::Pat::Struct(ps) => P::Struct {
                path: path_symbols(&ps.path),
                fields: ps
                    .fields
                    .iter()
                    .map(|f| (member_name(&f.member), self.pat(&f.pat)))
                    .collect(),
            },
            syn::Pat::Or(o) => P::Or(many(&mut o.cases.iter())),
            syn::Pat::Slice(s) => P::Other(many(&mut s.elems.iter())),
            _ => P::Other(Box::default()),
        }
    }
}

/// The operand an expression starts with, when it is a postfix or binary one.
fn first_operand(e: &syn::Expr) -> Option<&syn::Expr> {
    match e {
        syn::Expr::MethodCall(m) => Some(&m.receiver),
        syn::Expr::Field(f) => Some(&f.base),
        syn::Expr::Await(a) => Some(&a.base),
        syn::Expr::Try(t) => Some(&t.expr),
        syn::Expr::Call(c) => Some(&c.func),
        syn::Expr::Index(i) => Some(&i.expr),
        syn::Expr::Cast(c) => Some(&c.expr),
        syn::Expr::Binary(b) => Some(&b.left),
        _ => None,
    }
}

/// The type arguments of a path segment (`RtOf::<C>`, `Gen<u8>`), as the IR holds them.
fn type_args(args: &syn::PathArguments) -> Box<[Ty]> {
    Ty::args_of(args).into_boxed_slice()
}

fn member_name(m: &syn::Member) -> Symbol {
    match m {
        syn::Member::Named(n) => Symbol::shown(n),
        syn::Member::Unnamed(i) => Symbol::shown(&i.index),
    }
}

/// `&dyn Trait` (references stripped): the one trait besides `Send`, `Sync`, `Unpin`.
fn dyn_trait(ty: &syn::Type) -> Option<Box<[Symbol]>> {
    let mut ty = ty;
    while let syn::Type::Reference(r) = ty {
        ty = &r.elem;
    }
    let syn::Type::TraitObject(obj) = ty else {
        return None;
    };
    let mut traits = obj.bounds.iter().filter_map(|b| match b {
        syn::TypeParamBound::Trait(t)
            if !t.path.is_ident("Send")
                && !t.path.is_ident("Sync")
                && !t.path.is_ident("Unpin") =>
        {
            Some(&t.path)
        }
        _ => None,
    });
    match (traits.next(), traits.next()) {
        (Some(path), None) => Some(path_symbols(path)),
        _ => None,
    }
}

/// `fn f() -> impl Iterator<..>` / `Box<dyn Iterator<..>>`.
fn returns_iterator(out: &syn::ReturnType) -> bool {
    let syn::ReturnType::Type(_, ty) = out else {
        return false;
    };
    let mut ty = Ty::from_syn(ty);
    while let Ty::Path { segs, args } = &ty {
        match segs.last().map(|s| s.as_str()) {
            Some("Box") if args.len() == 1 => ty = args[0].clone(),
            Some(name) => return name.ends_with("Iterator"),
            None => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests;
