//! Patterns and bindings: what a `let`, a parameter, a `for` or a `match` arm binds, to what.

use super::Walker;
use crate::analysis::facts::DropHow;
use crate::analysis::value::Val;
use crate::diagnostic::Span;
use crate::index::{Ns, Res};
use crate::lower::ir;
use crate::symbol::Symbol;

impl Walker<'_, '_> {
    pub(super) fn bind_param_pattern(&mut self, pat: &ir::Pat, val: Val) {
        match pat {
            ir::Pat::Ident { name, .. } => self.declare_param(name, val),
            ir::Pat::Type(pt) => self.bind_param_pattern(&pt.0, val),
            ir::Pat::Ref(p) | ir::Pat::Paren(p) => self.bind_param_pattern(p, val),
            // `|(k, conn)|` over an iterator of pairs: each part its own.
            ir::Pat::Tuple(elems) => {
                let parts = match val {
                    Val::Tuple(parts) if parts.len() == elems.len() => parts,
                    _ => vec![Val::Unknown; elems.len()],
                };
                for (p, v) in elems.iter().zip(parts) {
                    self.bind_param_pattern(p, v);
                }
            }
            other => {
                for name in other.idents() {
                    self.declare_param(&name, Val::Unknown);
                }
            }
        }
    }

    /// Binds the names of a `let`/`for`/`match` pattern to (parts of) a value.
    pub(super) fn bind_pattern(&mut self, pat: &ir::Pat, val: Val, span: Span) {
        match pat {
            // `_` binds nothing: it drops a value only where that value is a temporary the
            // `let` made (`let (_, b) = (f(), g());`), never in a refutable pattern or in parts
            // of a place (`let (_, b) = pair;` leaves the part in `pair`).
            ir::Pat::Wild if self.wild_silent > 0 => {}
            ir::Pat::Wild => self.report_lost(&val, DropHow::LetUnderscore, span, None),
            // `None`, a unit variant or a constant in a pattern: a path, not a binding (by
            // convention only those are capitalised).
            ir::Pat::Ident { name, sub: None }
                if name.chars().next().is_some_and(char::is_uppercase) => {}
            ir::Pat::Ident { name, sub } => {
                if let Some(sub) = sub {
                    self.bind_pattern(sub, Val::Unknown, span);
                }
                self.declare(name.to_string(), val, span);
            }
            ir::Pat::Type(pt) => {
                let (p, ty) = &**pt;
                let ann = self.val_of_ty(ty, self.module, 0);
                let val = crate::analysis::patterns::annotated(ann, val);
                self.bind_pattern(p, val, span);
            }
            ir::Pat::Ref(p) => self.bind_pattern(p, val, span),
            ir::Pat::Paren(p) => self.bind_pattern(p, val, span),
            ir::Pat::Tuple(elems) => {
                let parts = match val {
                    Val::Tuple(parts) if parts.len() == elems.len() => parts,
                    _ => vec![Val::Unknown; elems.len()],
                };
                self.wild_silent += usize::from(self.place_init);
                for (p, v) in elems.iter().zip(parts) {
                    self.bind_pattern(p, v, span);
                }
                self.wild_silent -= usize::from(self.place_init);
            }
            ir::Pat::TupleStruct { path, elems } => {
                let variant = path.last().map(|s| s.as_str()).unwrap_or_default();
                let unwraps = elems.len() == 1 && matches!(variant, "Some" | "Ok");
                self.wild_silent += usize::from(self.place_init);
                for (i, p) in elems.iter().enumerate() {
                    let inner = if unwraps && super::calls::is_mapped(&val) {
                        // `if let Some(f) = opt.map(|x| x.fetch())`: the closure's future, as
                        // `.unwrap()` and `?` give it.
                        val.clone()
                    } else if unwraps {
                        val.unwrapped()
                    } else {
                        self.field_val(path, &i.to_string())
                    };
                    self.bind_pattern(p, inner, span);
                }
                self.wild_silent -= usize::from(self.place_init);
            }
            // `let Self { tx, .. } = self;`: each field gets its declared type.
            ir::Pat::Struct { path, fields } => {
                self.wild_silent += usize::from(self.place_init);
                for (name, p) in fields.iter() {
                    let v = self.field_val(path, name);
                    self.bind_pattern(p, v, span);
                }
                self.wild_silent -= usize::from(self.place_init);
            }
            other => {
                for name in other.idents() {
                    self.declare(name.to_string(), Val::Unknown, span);
                }
            }
        }
    }

    /// Whether `e` names a binding that was already used (polled by hand, borrowed, ...):
    /// dropping such a value afterwards is not losing it.
    pub(super) fn binding_used_before(&mut self, e: &ir::Expr) -> bool {
        e.bare_ident()
            .and_then(|n| self.scopes.lookup(n).map(|b| b.used))
            .unwrap_or(false)
    }

    /// The declared type of field `name` of the struct a pattern's path names, or of the enum
    /// variant it names (`Job::Work(fut)`, `Self::Run { fut }`: the enum's field `Work::0`).
    pub(super) fn field_val(&self, path: &[Symbol], name: &str) -> Val {
        let (ty, field) = match self.resolve_path(path, Ns::Type) {
            Res::Type(ty) => (ty, name.to_string()),
            _ => match path {
                [owner @ .., variant] if !owner.is_empty() => {
                    let Res::Type(ty) = self.resolve_path(owner, Ns::Type) else {
                        return Val::Unknown;
                    };
                    (ty, format!("{variant}::{name}"))
                }
                _ => return Val::Unknown,
            },
        };
        self.types().field_of(
            &Val::typed(ty),
            &field,
            self.self_ty.as_deref(),
            &self.generics,
        )
    }

    pub(super) fn mark_used(&mut self, name: &str) {
        self.scopes.use_name(name);
    }

    /// Patterns of `if let`, `while let`, `match` arms and `for`: a `_` there is not a drop.
    pub(super) fn bind_refutable(&mut self, pat: &ir::Pat, val: Val, span: Span) {
        match pat {
            ir::Pat::Wild => {}
            ir::Pat::Or(cases) => {
                for name in cases.first().map(ir::Pat::idents).unwrap_or_default() {
                    self.declare(name.to_string(), Val::Unknown, span);
                }
            }
            _ => {
                self.wild_silent += 1;
                self.bind_pattern(pat, val, span);
                self.wild_silent -= 1;
            }
        }
        // Names bound by refutable patterns are often only used inside: count them as used.
        for name in pat.idents() {
            if let Some(b) = self.scopes.lookup(&name) {
                if !b.val.is_future() {
                    b.used = true;
                }
            }
        }
    }
}
