//! Blocks and statements: `let`, expression statements, `pin!`, items declared in blocks.

use super::{await_edit, walk_fn, walk_items, FnSite, Walker};
use crate::analysis::facts::DropHow;
use crate::analysis::value::Val;
use crate::diagnostic::Span;
use crate::index::facts::FnSig;
use crate::lower::ir;

impl Walker<'_, '_> {
    pub(super) fn block_value(&mut self, block: &ir::Block) -> Val {
        self.block_value_with(block, |w, last| {
            let v = w.stmt(last, true);
            super::orphans::after_stmt(w, last);
            v
        })
    }

    /// A block whose last statement's value `tail` makes (a closure handed on from the block's
    /// end: `calls::tail_closure`); the statements before it are walked as in any block.
    pub(super) fn block_value_with(
        &mut self,
        block: &ir::Block,
        tail: impl FnOnce(&mut Self, &ir::Stmt) -> Val,
    ) -> Val {
        self.scopes.push();
        self.register_block_items(&block.stmts);
        let v = match block.stmts.split_last() {
            Some((last, before)) => {
                for stmt in before {
                    self.stmt(stmt, false);
                    super::orphans::after_stmt(self, stmt);
                }
                tail(self, last)
            }
            None => Val::Unknown,
        };
        self.pop_scope();
        v
    }

    /// `use` and `fn` items declared in a block are visible in all of it.
    pub(super) fn register_block_items(&mut self, stmts: &[ir::Stmt]) {
        for stmt in stmts {
            match stmt {
                ir::Stmt::Item(ir::Item::Use(uses)) => {
                    for u in uses.iter() {
                        if u.glob {
                            self.scopes.current().globs.push(u.target.clone());
                        } else {
                            self.scopes.current().uses.insert(u.alias, u.target.clone());
                        }
                    }
                }
                ir::Stmt::Item(ir::Item::Fn(f)) => {
                    if let Some(sig) = &f.local_sig {
                        let sig = FnSig::clone(sig);
                        self.scopes.current().fns.insert(sig.name, sig);
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn stmt(&mut self, stmt: &ir::Stmt, is_tail: bool) -> Val {
        match stmt {
            ir::Stmt::Let(local) => {
                let span = local.span.get();
                self.last_built = None;
                let val = match &local.init {
                    Some(init) => {
                        self.on_lazy_let(&local.pat, init);
                        let saved =
                            crate::analysis::walk::select::before_let(self, &local.pat, init);
                        let v = self.eval_moved(init);
                        crate::analysis::walk::select::on_let(self, &local.pat, init, saved);
                        if let Some(diverge) = &local.diverge {
                            self.eval(diverge);
                        }
                        v
                    }
                    None => Val::Unknown,
                };
                let init_span = local.init.as_ref().map(|i| i.span.get()).unwrap_or(span);
                // Report at the `let` line, where the future was made.
                let report_span = Span {
                    start: span.start,
                    end: init_span.end,
                };
                // `let rt = Builder::..build()?;`: moving `rt` into a thread's closure later
                // takes the runtime out of async code.
                if let (Some(i), ir::Pat::Ident { name, .. }) = (self.last_built.take(), &local.pat)
                {
                    self.built_runtimes.push((name.to_string(), i));
                }
                self.cfg_local = local.cfg;
                match &local.init {
                    // `let _ = fut;`: `.await` goes after the initialiser.
                    Some(init)
                        if matches!(local.pat, ir::Pat::Wild)
                            && local.diverge.is_none()
                            && init.awaitable() =>
                    {
                        let fix = await_edit(init_span);
                        self.report_lost(&val, DropHow::LetUnderscore, report_span, Some(fix));
                    }
                    _ => {
                        self.place_init = local.init.as_ref().is_some_and(is_place);
                        // `let Some(_) = x else { .. }` is a refutable pattern.
                        let refutable = usize::from(local.diverge.is_some());
                        self.wild_silent += refutable;
                        self.bind_pattern(&local.pat, val.clone(), report_span);
                        self.wild_silent -= refutable;
                        self.place_init = false;
                    }
                }
                self.cfg_local = false;
                super::orphans::on_let(self, local, &val);
                Val::Unknown
            }
            ir::Stmt::Expr { expr: e, semi } => {
                let v = self.eval_moved(e);
                if *semi {
                    super::orphans::on_statement(self, e, &v);
                    let span = e.span.get();
                    let fix = e.awaitable().then(|| await_edit(span));
                    self.report_lost(&v, DropHow::Statement, span, fix);
                    Val::Unknown
                } else if is_tail {
                    v
                } else {
                    Val::Unknown
                }
            }
            ir::Stmt::Pin { span, form } => {
                // `tokio::pin!(fut);` re-binds `fut` to the pinned future: it must still be
                // polled through the new name.
                match form {
                    ir::PinForm::Names(names) => {
                        for name in names.iter() {
                            let val = self.scopes.use_name(name).unwrap_or_default();
                            self.declare(name.to_string(), val, span.get());
                        }
                    }
                    // `tokio::pin! { let f1 = one(); let f2 = two(); }`: the `let`s bind
                    // pinned futures under their own names.
                    ir::PinForm::Lets(stmts) => {
                        for s in stmts.iter() {
                            self.stmt(s, false);
                        }
                    }
                    ir::PinForm::Macro(mac) => {
                        self.eval_macro(mac);
                    }
                }
                Val::Unknown
            }
            ir::Stmt::Macro { mac, span, semi } => {
                let v = self.eval_macro(mac);
                if *semi {
                    self.report_lost(&v, DropHow::Statement, span.get(), None);
                }
                Val::Unknown
            }
            ir::Stmt::Item(item) => {
                self.nested_item(item);
                Val::Unknown
            }
            ir::Stmt::Other => Val::Unknown,
        }
    }

    pub(super) fn nested_item(&mut self, item: &ir::Item) {
        let mut nested = Vec::new();
        match item {
            ir::Item::Fn(f) => {
                let site = FnSite {
                    enclosing_items: Some(self.scopes.items()),
                    ..FnSite::default()
                };
                walk_fn(self.cx, self.module, site, f, &mut nested)
            }
            ir::Item::Use(_) => {}
            _ => walk_items(
                self.cx,
                std::slice::from_ref(item),
                &mut Vec::new(),
                Some(self.module),
                &mut nested,
                1,
            ),
        }
        if self.quiet == 0 {
            self.facts.extend(nested);
        }
    }
}

/// Whether `e` names a place (a local, a field, a dereference), not a temporary.
fn is_place(e: &ir::Expr) -> bool {
    match &e.kind {
        ir::ExprKind::Path(_) | ir::ExprKind::Field(_) => true,
        ir::ExprKind::Paren(inner) | ir::ExprKind::Group(inner) => is_place(inner),
        ir::ExprKind::Unary {
            deref: true, expr, ..
        } => is_place(expr),
        _ => false,
    }
}
