//! Statics and consts read by their declared type (`static HANDLER: fn() -> BoxFuture<'static,
//! ()>`, `static CLIENT: Lazy<Client>`): a path naming one (`CLIENT`, `crate::CLIENT`, an
//! imported one) is a value of that type, and calling it (`HANDLER()`) gives what a callable
//! of that type gives. The declared type is what the code says; nothing is guessed.

use super::Walker;
use crate::analysis::value::Val;
use crate::index::ModId;
use crate::lower::ir;
use crate::symbol::Symbol;

impl Walker<'_, '_> {
    /// The value of the static or const `name` of module `m`: what its declared type says.
    pub(super) fn static_value(&self, m: ModId, name: Symbol) -> Val {
        match self.cx.index.static_type(m, name) {
            Some(ty) => self.types().val_of_ty(ty, m, None, &[], 0),
            None => Val::Unknown,
        }
    }

    /// `HANDLER(..)`: what calling the static's value gives, named after the static.
    pub(super) fn call_static(&mut self, call: &ir::Call, m: ModId, name: Symbol) -> Val {
        self.eval_args(call.args.iter(), crate::knowledge::Role::Plain, "");
        let f = self.static_value(m, name);
        match self.called(f) {
            Some(ret) => ret.with_origin(format!("`{name}`")),
            None => Val::Unknown,
        }
    }
}
