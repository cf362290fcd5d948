//! The body IR: what the walk reads of a file, as plain owned data. It holds no syntax tree and
//! no proc-macro2 span, so it is `Send + Sync` and outlives the parse that made it. Positions are
//! computed once, when the file is lowered ([`super::lower_file`]).
//!
//! Only the distinctions the walk makes are kept: expressions it treats alike (`a + b`, `a[i]`,
//! `return x`, ...) are one variant with their children in evaluation order; macros are lowered
//! as the walk reads them (arguments parsed as expressions, `select!` branches, the names an
//! unparsed macro mentions).

use crate::diagnostic;
use crate::index::facts::{FnSig, UseFact};
use crate::index::types::Ty;
use crate::symbol::Symbol;
use std::collections::HashMap;

/// A [`diagnostic::Position`] in 12 bytes (files are far below 4 GiB).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub byte: u32,
}

/// A [`diagnostic::Span`] in 24 bytes: what every expression of the IR carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Pos {
    fn get(self) -> diagnostic::Position {
        diagnostic::Position {
            line: self.line as usize,
            column: self.column as usize,
            byte: self.byte as usize,
        }
    }
}

impl From<diagnostic::Position> for Pos {
    fn from(p: diagnostic::Position) -> Pos {
        Pos {
            line: p.line as u32,
            column: p.column as u32,
            byte: p.byte as u32,
        }
    }
}

impl Span {
    /// The span, as facts and diagnostics hold it.
    pub fn get(self) -> diagnostic::Span {
        diagnostic::Span {
            start: self.start.get(),
            end: self.end.get(),
        }
    }
}

impl From<diagnostic::Span> for Span {
    fn from(s: diagnostic::Span) -> Span {
        Span {
            start: s.start.into(),
            end: s.end.into(),
        }
    }
}

/// A lowered file.
#[derive(Debug, Default)]
pub struct File {
    pub items: Box<[Item]>,
    /// The bodies of the file's local nullary `macro_rules!` that parse as an expression,
    /// referred to by [`Macro::local`].
    pub macro_bodies: Box<[Expr]>,
    /// How each path written as a callee (`support::stop`, as written) and each method name
    /// (`.request`, on any receiver) is called in the file: the evidence from use for callees
    /// whose definition is not on disk.
    pub call_uses: HashMap<Box<str>, CallUses>,
}

/// How often a callee path is called in a file, and how often directly awaited
/// (`f(..).await`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CallUses {
    pub calls: u32,
    pub awaited: u32,
}

/// An item the walk visits. Item macros are already spliced in (`cfg_rt! { .. }`).
#[derive(Debug)]
pub enum Item {
    Fn(Box<Fn>),
    Impl(Box<Impl>),
    /// A trait with its default methods.
    Trait(Box<Trait>),
    /// An inline `mod m { .. }` (boxed: an item is 24 bytes, not 48; generated files hold
    /// hundreds of thousands of `const` items).
    Mod(Box<InlineMod>),
    /// The initialiser of a `const` or `static` (an inert one, [`Expr::is_inert`], is not kept:
    /// its walk gives nothing, and generated files hold hundreds of thousands of them; see
    /// [`Item::is_inert`]).
    Const(Box<Expr>),
    /// A `use` (read by blocks, which see their `use`s everywhere in them).
    Use(Box<[UseFact]>),
}

/// An inline module's name and items.
#[derive(Debug)]
pub struct InlineMod {
    pub name: Symbol,
    pub items: Box<[Item]>,
}

#[derive(Debug)]
pub struct Impl {
    pub self_ty: Ty,
    /// The impl's type parameters with what their bounds mean.
    pub generics: Box<[(Symbol, Ty)]>,
    pub fns: Box<[Fn]>,
}

#[derive(Debug)]
pub struct Trait {
    pub name: Symbol,
    pub generics: Box<[(Symbol, Ty)]>,
    pub fns: Box<[Fn]>,
}

#[derive(Debug)]
pub struct Fn {
    pub name: Symbol,
    /// The line of the name, as proc-macro2 gives it (what the index knows the fn by).
    pub line: usize,
    /// The span of the name.
    pub name_span: Span,
    pub is_async: bool,
    /// `#[tokio::main]` & co.
    pub runtime_attr: bool,
    /// `#[test]`.
    pub test_attr: bool,
    /// `#[tokio::test]`, `#[async_std::test]` & co.: an async test run by a runtime.
    pub runtime_test_attr: bool,
    /// `#[should_panic]`: the test expects its body to panic.
    pub should_panic: bool,
    /// The fn's own type parameters with what their bounds mean.
    pub generics: Box<[(Symbol, Ty)]>,
    pub params: Box<[Param]>,
    /// Which parameters are bound `mut` by value (`mut path: ..`, `mut self`): the body may
    /// assign them.
    pub mut_params: Box<[bool]>,
    /// Returns `impl Iterator<..>` / `Box<dyn Iterator<..>>`.
    pub returns_iterator: bool,
    /// The signature a block sees a fn declared in it by (only for fns declared in blocks).
    pub local_sig: Option<Box<FnSig>>,
    pub body: Block,
}

#[derive(Debug)]
pub enum Param {
    SelfParam,
    Typed(Pat, Ty),
}

#[derive(Debug, Default)]
pub struct Block {
    pub stmts: Box<[Stmt]>,
}

#[derive(Debug)]
pub enum Stmt {
    Let(Box<Local>),
    Expr {
        expr: Expr,
        semi: bool,
    },
    /// A macro in statement position (not `pin!`).
    Macro {
        mac: Box<Macro>,
        span: Span,
        semi: bool,
    },
    /// `tokio::pin!(a, b);`, `pin_mut!(x);` or `tokio::pin! { let a = ..; }`.
    Pin {
        span: Span,
        form: PinForm,
    },
    Item(Item),
    /// An item the walk does not visit (kept so that the block's tail stays the tail).
    Other,
}

#[derive(Debug)]
pub enum PinForm {
    Names(Box<[Symbol]>),
    Lets(Box<[Stmt]>),
    /// Neither: the macro as any other.
    Macro(Box<Macro>),
}

#[derive(Debug)]
pub struct Local {
    pub pat: Pat,
    pub init: Option<Expr>,
    /// `let .. else { .. }`.
    pub diverge: Option<Box<Expr>>,
    /// From `let` to `;`.
    pub span: Span,
    /// Carries a `#[cfg]`.
    pub cfg: bool,
}

#[derive(Debug)]
pub struct Expr {
    /// From the first token to the last.
    pub span: Span,
    pub kind: ExprKind,
}

#[derive(Debug)]
pub enum ExprKind {
    Path(Box<Path>),
    Call(Box<Call>),
    MethodCall(Box<MethodCall>),
    Await(Box<Await>),
    Try(Box<Expr>),
    Async(Box<AsyncBlock>),
    Closure(Box<Closure>),
    /// A block, `unsafe` block or `const` block: its value is its tail's.
    Block(Box<Block>),
    /// `try { .. }`: walked, value unknown.
    TryBlock(Box<Block>),
    /// `( .. )`.
    Paren(Box<Expr>),
    /// An invisible group.
    Group(Box<Expr>),
    /// `&x`, `&mut x`.
    Ref(Box<Expr>),
    Unary {
        deref: bool,
        /// `!x` (not `-x`).
        not: bool,
        expr: Box<Expr>,
    },
    Field(Box<Field>),
    If(Box<If>),
    Let(Box<LetExpr>),
    Match(Box<Match>),
    For(Box<For>),
    While {
        cond: Box<Expr>,
        body: Box<Block>,
    },
    Loop(Box<Block>),
    Cast(Box<Cast>),
    Tuple(Box<[Expr]>),
    /// `[a, b]`: walked, value unknown.
    Array(Box<[Expr]>),
    Struct(Box<Struct>),
    Macro(Box<Macro>),
    /// Expressions whose children are walked in this order and whose value is unknown
    /// (assignments right side first, binary operators, ranges, `[x; n]`, `yield`).
    Other(Box<[Expr]>),
    /// `base[index]`: the two, walked in that order; the value is the element when the base's
    /// type says it.
    Index(Box<[Expr]>),
    /// `return` with its value, if any.
    Return(Box<[Expr]>),
    /// `break` with its value, if any; a labelled `continue 'outer` too (it leaves the loop it
    /// is written in, as a `break` does).
    Break(Box<[Expr]>),
    /// A `bool` or integer literal (conditions on constant arguments read them).
    Lit(Lit),
    /// Other literals, `continue`, and what the walk does not look into.
    Opaque,
}

/// A literal whose value a condition can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lit {
    Bool(bool),
    Int(IntLit),
}

/// An integer literal's value, held as two halves: a `u128` field would align every
/// expression to 16 bytes (64 a node, against 48).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntLit([u64; 2]);

impl IntLit {
    pub fn new(value: u128) -> IntLit {
        IntLit([value as u64, (value >> 64) as u64])
    }

    pub fn get(self) -> u128 {
        u128::from(self.0[0]) | (u128::from(self.0[1]) << 64)
    }
}

#[derive(Debug)]
pub struct Await {
    pub base: Expr,
    pub await_span: Span,
}

#[derive(Debug)]
pub struct Field {
    pub base: Expr,
    pub member: Symbol,
}

/// `x as T`: the trait of `&dyn Trait` when the type is one (auto traits left out).
#[derive(Debug)]
pub struct Cast {
    pub expr: Expr,
    pub dyn_trait: Option<Box<[Symbol]>>,
}

#[derive(Debug)]
pub struct Struct {
    pub path: Box<[Symbol]>,
    /// The fields' values, then the `..rest`.
    pub exprs: Box<[Expr]>,
}

#[derive(Debug)]
pub struct Path {
    pub segs: Box<[Symbol]>,
    pub qself: QSelf,
    /// The type arguments written on the type the last segment is reached through
    /// (`RtOf::<C>::sleep`, `<RtOf<C>>::sleep`): what a generic alias there is expanded with.
    pub head_args: Box<[Ty]>,
}

#[derive(Debug, PartialEq)]
pub enum QSelf {
    None,
    /// `<Type>::f`: the type's path, no trait.
    Plain(Box<[Symbol]>),
    /// `<T as Trait>::f` and other qualified forms.
    Other,
}

#[derive(Debug)]
pub struct Call {
    pub func: Expr,
    pub args: Box<[Expr]>,
}

#[derive(Debug)]
pub struct MethodCall {
    pub receiver: Expr,
    pub method: Symbol,
    pub args: Box<[Expr]>,
    /// The first type of a turbofish (`collect::<Vec<_>>()`), when written.
    pub turbofish: Option<Box<Ty>>,
}

#[derive(Debug)]
pub struct AsyncBlock {
    pub block: Block,
    /// `async move`.
    pub is_move: bool,
    /// The line of `async`.
    pub line: usize,
}

#[derive(Debug)]
pub struct Closure {
    pub is_async: bool,
    /// `move`.
    pub is_move: bool,
    pub inputs: Box<[Pat]>,
    pub body: Expr,
    /// The line of the first `|`.
    pub line: usize,
}

#[derive(Debug)]
pub struct If {
    pub cond: Expr,
    pub then: Block,
    pub otherwise: Option<Expr>,
}

#[derive(Debug)]
pub struct LetExpr {
    pub pat: Pat,
    pub expr: Expr,
}

#[derive(Debug)]
pub struct Match {
    pub expr: Expr,
    pub arms: Box<[Arm]>,
}

#[derive(Debug)]
pub struct Arm {
    pub pat: Pat,
    pub pat_span: Span,
    pub guard: Option<Expr>,
    pub body: Expr,
}

#[derive(Debug)]
pub struct For {
    pub pat: Pat,
    pub pat_span: Span,
    pub expr: Expr,
    pub body: Block,
}

/// A pattern, as far as bindings go.
#[derive(Debug)]
pub enum Pat {
    Wild,
    Ident {
        name: Symbol,
        /// `name @ sub`.
        sub: Option<Box<Pat>>,
    },
    Type(Box<(Pat, Ty)>),
    Ref(Box<Pat>),
    Paren(Box<Pat>),
    Tuple(Box<[Pat]>),
    TupleStruct {
        path: Box<[Symbol]>,
        elems: Box<[Pat]>,
    },
    Struct {
        path: Box<[Symbol]>,
        fields: Box<[(Symbol, Pat)]>,
    },
    Or(Box<[Pat]>),
    /// Any other pattern, with its sub-patterns (a slice's elements).
    Other(Box<[Pat]>),
}

impl Pat {
    /// The names the pattern binds, in order.
    pub fn idents(&self) -> Vec<Symbol> {
        let mut out = Vec::new();
        self.collect_idents(&mut out);
        out
    }

    fn collect_idents(&self, out: &mut Vec<Symbol>) {
        match self {
            Pat::Wild => {}
            Pat::Ident { name, sub } => {
                out.push(*name);
                if let Some(sub) = sub {
                    sub.collect_idents(out);
                }
            }
            Pat::Type(pt) => pt.0.collect_idents(out),
            Pat::Ref(p) | Pat::Paren(p) => p.collect_idents(out),
            Pat::Tuple(ps) | Pat::TupleStruct { elems: ps, .. } | Pat::Or(ps) | Pat::Other(ps) => {
                ps.iter().for_each(|p| p.collect_idents(out))
            }
            Pat::Struct { fields, .. } => fields.iter().for_each(|(_, p)| p.collect_idents(out)),
        }
    }
}

/// A macro call, as the walk reads it.
#[derive(Debug)]
pub struct Macro {
    /// A local nullary `macro_rules!` called with no input: its body (in [`File::macro_bodies`]).
    pub local: Option<u32>,
    pub form: MacroForm,
}

#[derive(Debug)]
pub enum MacroForm {
    /// `assert_ok!(expr, ..)`: the `Ok` value of the first.
    AssertOk(Box<[Expr]>),
    /// `pin!(fut)` in expression position.
    Pin(Box<Expr>),
    /// `select!` / `select_biased!`.
    Select(Box<[SelectBranch]>),
    /// A macro of known meaning whose arguments are expressions (`join!`, `vec!`, `println!`).
    Exprs(Box<[Expr]>),
    /// Another macro whose arguments parse as expressions: walked quietly.
    QuietExprs(Box<[Expr]>),
    /// Another macro whose input parses as statements: walked quietly, and its names used.
    QuietStmts(Box<[Stmt]>, Box<[Symbol]>),
    /// Input that does not parse: the identifiers it mentions (each once, in order).
    Idents(Box<[Symbol]>),
}

#[derive(Debug)]
pub struct SelectBranch {
    pub pat: Option<(Pat, Span)>,
    pub future: Option<Expr>,
    pub condition: Option<Expr>,
    pub handler: Expr,
    /// Whether the branch can win over the others: a future, or futures' `default`.
    pub races: bool,
    /// The handler always leaves the loop (`break`, `return`, a panic).
    pub leaves_loop: bool,
}

impl Item {
    /// Whether the walk of the item can give nothing: an inert `const` ([`Expr::is_inert`]),
    /// an `impl` or trait with no fn body (`impl Copy for X {}`), an inline module holding
    /// none of the others. Such an item is not kept in the IR.
    pub fn is_inert(&self) -> bool {
        match self {
            Item::Const(e) => e.is_inert(),
            Item::Impl(imp) => imp.fns.is_empty(),
            Item::Trait(t) => t.fns.is_empty(),
            Item::Mod(m) => m.items.is_empty(),
            Item::Fn(_) | Item::Use(_) => false,
        }
    }
}

impl Expr {
    /// A single name (`x`), as a path expression.
    pub fn bare_ident(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Path(p) if p.qself == QSelf::None && p.segs.len() == 1 => Some(&p.segs[0]),
            _ => None,
        }
    }

    /// A place as written, when it is a name or a chain of fields (`t.on_event`, `self.f`).
    pub fn place_text(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Path(p) if p.qself == QSelf::None => Some(p.segs.join("::")),
            ExprKind::Field(f) => Some(format!("{}.{}", f.base.place_text()?, f.member)),
            ExprKind::Paren(inner) => inner.place_text(),
            _ => None,
        }
    }

    /// Whether the walk can learn nothing from the expression: it holds only literals, what the
    /// lowering left opaque, and operators, casts (to no trait object), parentheses, tuples
    /// and arrays of those (`4i32`, `-1`, `1 << 3 | 2`, `0x10 as _`). No name, call, block or
    /// macro: evaluating it records no fact and reaches no fn.
    pub fn is_inert(&self) -> bool {
        // A stack, not recursion: a long operator chain nests as deep as it is long.
        let mut todo = vec![self];
        while let Some(e) = todo.pop() {
            match &e.kind {
                ExprKind::Lit(_) | ExprKind::Opaque => {}
                ExprKind::Paren(inner) | ExprKind::Group(inner) => todo.push(inner),
                ExprKind::Unary { expr, .. } => todo.push(expr),
                ExprKind::Cast(c) if c.dyn_trait.is_none() => todo.push(&c.expr),
                ExprKind::Other(parts) | ExprKind::Tuple(parts) | ExprKind::Array(parts) => {
                    todo.extend(parts.iter())
                }
                _ => return false,
            }
        }
        true
    }

    /// Whether `.await` can be appended to the expression as written.
    pub fn awaitable(&self) -> bool {
        matches!(
            self.kind,
            ExprKind::Call(_)
                | ExprKind::MethodCall(_)
                | ExprKind::Path(_)
                | ExprKind::Paren(_)
                | ExprKind::Field { .. }
                | ExprKind::Macro(_)
        )
    }
}

impl Block {
    /// The tail expression (the last statement, an expression without `;`).
    pub fn tail(&self) -> Option<&Expr> {
        match self.stmts.last() {
            Some(Stmt::Expr { expr, semi: false }) => Some(expr),
            _ => None,
        }
    }
}
