//! Macro calls, as lowering parsed them ([`crate::lower::ir::MacroForm`]): the arguments of
//! well-known macros count as consumed and orphans inside them are found; the arguments of other
//! macros are walked quietly (their meaning is unknown, so nothing there is reported) and every
//! name mentioned in a macro that could not be parsed counts as used.

use super::select::RaceBranch;
use super::Walker;
use crate::analysis::value::Val;
use crate::lower::ir::{Macro, MacroForm};
use crate::symbol::Symbol;

pub(super) fn eval_macro(w: &mut Walker, mac: &Macro) -> Val {
    if let Some(body) = w.local_macro(mac) {
        // Its body is written elsewhere: only its value counts here, nothing is reported in it.
        return w.with_quiet(|w| w.eval_expr(body));
    }
    match &mac.form {
        // `tokio_test::assert_ok!(expr, ..)`: the `Ok` value of `expr`.
        MacroForm::AssertOk(args) => {
            let v = w.eval_expr(&args[0]).unwrapped();
            for rest in args.iter().skip(1) {
                w.eval_expr(rest);
            }
            v
        }
        // `std::pin::pin!(fut)` in expression position: the pinned future itself.
        MacroForm::Pin(fut) => w.eval_expr(fut),
        MacroForm::Select(branches) => {
            let races: Vec<RaceBranch> = branches
                .iter()
                .map(|b| RaceBranch {
                    future: b.future.as_ref(),
                    handler: &b.handler,
                    races: b.races,
                    leaves_loop: b.leaves_loop,
                })
                .collect();
            let raced = super::select::on_select(w, &races);
            for (branch, raced) in branches.iter().zip(raced) {
                w.scoped(|w| {
                    if let Some(fut) = &branch.future {
                        let saved = super::select::enter_branch(w, raced);
                        w.eval_expr(fut);
                        super::select::leave_branch(w, saved);
                    }
                    if let Some((pat, span)) = &branch.pat {
                        w.bind_arm_pattern(pat, span.get());
                    }
                    if let Some(cond) = &branch.condition {
                        w.eval_expr(cond);
                    }
                    w.eval_expr(&branch.handler);
                });
            }
            Val::Unknown
        }
        MacroForm::Exprs(args) => {
            for arg in args.iter() {
                w.eval_expr(arg);
            }
            Val::Unknown
        }
        MacroForm::QuietExprs(args) => {
            w.with_quiet(|w| {
                for arg in args.iter() {
                    w.eval_expr(arg);
                }
            });
            Val::Unknown
        }
        MacroForm::QuietStmts(stmts, names) => {
            w.with_quiet(|w| w.scoped(|w| stmts.iter().for_each(|s| w.stmt_in_macro(s))));
            mark_names(w, names);
            Val::Unknown
        }
        MacroForm::Idents(names) => {
            mark_names(w, names);
            Val::Unknown
        }
    }
}

/// Every name the macro mentions counts as a use of a binding of that name.
fn mark_names(w: &mut Walker, names: &[Symbol]) {
    for name in names {
        w.mark_name_used(name);
    }
}
