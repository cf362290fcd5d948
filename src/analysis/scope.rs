//! Lexical scopes of bindings inside one function body.

use super::value::Val;
use crate::diagnostic::Span;
use crate::index::facts::FnSig;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Binding {
    pub name: String,
    pub val: Val,
    /// Mentioned anywhere after its declaration.
    pub used: bool,
    /// Where the value was created (the initialiser), for reports.
    pub span: Span,
    /// A parameter: its value was created by the caller, so never reported as unused.
    pub param: bool,
    /// Which body (fn, async block, closure) declared it; guards only live across awaits of
    /// their own body.
    pub body: usize,
    /// A sync lock guard that was released (`drop(guard)`, moved away) or already reported.
    pub guard_done: bool,
}

#[derive(Debug, Default)]
pub struct Scope {
    pub bindings: Vec<Binding>,
    /// `use` declarations inside the block.
    pub uses: HashMap<String, Vec<String>>,
    /// `fn` items declared inside the block.
    pub fns: HashMap<String, FnSig>,
}

/// The stack of scopes of one walk.
#[derive(Debug, Default)]
pub struct Scopes {
    stack: Vec<Scope>,
}

impl Scopes {
    pub fn push(&mut self) {
        self.stack.push(Scope::default());
    }

    pub fn pop(&mut self) -> Option<Scope> {
        self.stack.pop()
    }

    pub fn current(&mut self) -> &mut Scope {
        if self.stack.is_empty() {
            self.stack.push(Scope::default());
        }
        self.stack.last_mut().expect("a scope was just pushed")
    }

    /// The innermost binding of `name`, if any.
    pub fn lookup(&mut self, name: &str) -> Option<&mut Binding> {
        self.stack
            .iter_mut()
            .rev()
            .flat_map(|s| s.bindings.iter_mut().rev())
            .find(|b| b.name == name)
    }

    /// Marks the innermost binding of `name` used; returns its value.
    pub fn use_name(&mut self, name: &str) -> Option<Val> {
        let b = self.lookup(name)?;
        b.used = true;
        Some(b.val.clone())
    }

    pub fn local_use(&self, name: &str) -> Option<&Vec<String>> {
        self.stack.iter().rev().find_map(|s| s.uses.get(name))
    }

    pub fn local_fn(&self, name: &str) -> Option<&FnSig> {
        self.stack.iter().rev().find_map(|s| s.fns.get(name))
    }

    /// Live sync-lock guards of `body` that were neither released nor reported.
    pub fn live_guards(&mut self, body: usize) -> impl Iterator<Item = &mut Binding> {
        self.stack
            .iter_mut()
            .flat_map(|s| s.bindings.iter_mut())
            .filter(move |b| b.body == body && b.val == Val::SyncGuard && !b.guard_done)
    }

    pub fn depth(&self) -> usize {
        self.stack.len()
    }
}
