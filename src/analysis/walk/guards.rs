//! Conditions on a function's own parameters, and the constants calls pass: what lets the call
//! graph tell that a helper's blocking branch cannot run for a caller (`load(None)` of a helper
//! that opens a file only `if let Some(p) = path`).

use super::Walker;
use crate::analysis::facts::{Arg, Const, Guard, Test};
use crate::lower::ir::{self, Expr, ExprKind, Lit};
use crate::symbol::Symbol;

/// Through parentheses, `&x`, and views that keep an `Option`'s variant (`x.as_ref()`).
fn strip(e: &Expr) -> &Expr {
    let mut e = e;
    for _ in 0..8 {
        e = match &e.kind {
            ExprKind::Paren(inner) | ExprKind::Group(inner) | ExprKind::Ref(inner) => inner,
            ExprKind::MethodCall(mc)
                if mc.args.is_empty()
                    && matches!(
                        mc.method.as_str(),
                        "as_ref" | "as_deref" | "as_mut" | "as_deref_mut" | "clone"
                    ) =>
            {
                &mc.receiver
            }
            _ => break,
        };
    }
    e
}

/// What a pattern tests of an `Option`: `Some(..)` or `None`.
fn option_test(pat: &ir::Pat) -> Option<Test> {
    match pat {
        ir::Pat::Paren(p) => option_test(p),
        ir::Pat::TupleStruct { path, .. } if path.last().is_some_and(|s| s == "Some") => {
            Some(Test::IsSome)
        }
        ir::Pat::Ident { name, sub: None } if name == "None" => Some(Test::IsNone),
        _ => None,
    }
}

impl Walker<'_, '_> {
    /// `open` on open options given `custom_flags(O_NONBLOCK)` (in the same chain, or on the
    /// local earlier): a FIFO opened so does not wait for its other end, a file opens at once.
    pub(super) fn opens_nonblocking(&self, mc: &ir::MethodCall, name: &str) -> bool {
        if name != "open" {
            return false;
        }
        let mut e = &mc.receiver;
        for _ in 0..16 {
            match &e.kind {
                ExprKind::MethodCall(inner) => {
                    if inner.method == "custom_flags" && inner.args.iter().any(mentions_nonblock) {
                        return true;
                    }
                    e = &inner.receiver;
                }
                ExprKind::Paren(inner) | ExprKind::Group(inner) | ExprKind::Ref(inner) => e = inner,
                _ => break,
            }
        }
        e.bare_ident()
            .is_some_and(|n| self.nonblocking.iter().any(|m| m == n))
    }

    /// The index of the function's own parameter `e` names, if it does (not a local or a
    /// closure's parameter of the same name).
    fn own_param(&self, e: &Expr) -> Option<u16> {
        let name = strip(e).bare_ident()?;
        if self.binding_scope(name) != Some(self.param_scope?) {
            return None;
        }
        let i = self
            .param_names
            .iter()
            .position(|p| p.as_deref() == Some(name))?;
        u16::try_from(i).ok()
    }

    /// What an `if` condition tests of a parameter, when that is all it tests.
    pub(super) fn guard_of_cond(&self, cond: &Expr) -> Option<Guard> {
        let cond = match &cond.kind {
            ExprKind::Paren(inner) | ExprKind::Group(inner) => inner,
            _ => cond,
        };
        let (param, test) = match &cond.kind {
            ExprKind::Let(l) => (self.own_param(&l.expr)?, option_test(&l.pat)?),
            ExprKind::Unary {
                not: true, expr, ..
            } => (self.own_param(expr)?, Test::Is(false)),
            ExprKind::MethodCall(mc) if mc.args.is_empty() => {
                let test = match mc.method.as_str() {
                    "is_some" => Test::IsSome,
                    "is_none" => Test::IsNone,
                    _ => return None,
                };
                (self.own_param(&mc.receiver)?, test)
            }
            _ => (self.own_param(cond)?, Test::Is(true)),
        };
        Some(Guard { param, test })
    }

    /// What an arm of a `match` on `scrutinee` tests of a parameter.
    pub(super) fn guard_of_arm(&self, scrutinee: &Expr, arm: &ir::Arm) -> Option<Guard> {
        if arm.guard.is_some() {
            return None;
        }
        Some(Guard {
            param: self.own_param(scrutinee)?,
            test: option_test(&arm.pat)?,
        })
    }

    /// What a call passes for each parameter of its callee: the receiver first, when there is
    /// one.
    pub(super) fn call_args<'e>(
        &self,
        receiver: Option<&'e Expr>,
        args: impl IntoIterator<Item = &'e Expr>,
    ) -> Vec<Arg> {
        receiver
            .into_iter()
            .chain(args)
            .map(|a| self.arg_of(a))
            .collect()
    }

    fn arg_of(&self, e: &Expr) -> Arg {
        let e = match &e.kind {
            ExprKind::Paren(inner) | ExprKind::Group(inner) => inner,
            _ => e,
        };
        match &e.kind {
            ExprKind::Lit(Lit::Bool(b)) => Arg::Const(Const::Bool(*b)),
            ExprKind::Lit(Lit::Int(i)) => Arg::Const(Const::Int(i.get())),
            ExprKind::Path(p)
                if p.qself == ir::QSelf::None && is_option_variant(&p.segs, "None") =>
            {
                Arg::Const(Const::None)
            }
            ExprKind::Call(c) => match &c.func.kind {
                ExprKind::Path(p) if is_option_variant(&p.segs, "Some") => Arg::Const(Const::Some),
                _ => Arg::Other,
            },
            _ => match self.own_param(e) {
                Some(i) => Arg::Param(i),
                None => Arg::Other,
            },
        }
    }
}

/// `None`, `Option::None`, `std::option::Option::None` (and `Some`).
fn is_option_variant(segs: &[Symbol], variant: &str) -> bool {
    match segs {
        [v] => v == variant,
        [.., o, v] => o == "Option" && v == variant,
        [] => false,
    }
}

/// Whether an expression names `O_NONBLOCK` (`libc::O_NONBLOCK | libc::O_CLOEXEC`).
pub(super) fn mentions_nonblock(e: &Expr) -> bool {
    fn go(e: &Expr, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match &e.kind {
            ExprKind::Path(p) => p.segs.last().is_some_and(|s| s == "O_NONBLOCK"),
            ExprKind::Paren(inner) | ExprKind::Group(inner) => go(inner, depth + 1),
            ExprKind::Cast(c) => go(&c.expr, depth + 1),
            ExprKind::Other(parts) | ExprKind::Index(parts) => {
                parts.iter().any(|p| go(p, depth + 1))
            }
            _ => false,
        }
    }
    go(e, 0)
}

/// The local a method chain starts from: `options` in `options.read(true).write(true)`.
pub(super) fn chain_root(e: &Expr) -> Option<&str> {
    let mut e = e;
    for _ in 0..16 {
        e = match &e.kind {
            ExprKind::MethodCall(mc) => &mc.receiver,
            ExprKind::Paren(inner) | ExprKind::Group(inner) | ExprKind::Ref(inner) => inner,
            _ => break,
        };
    }
    e.bare_ident()
}
