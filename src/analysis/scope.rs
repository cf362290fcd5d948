//! Lexical scopes of bindings inside one function body.

use super::value::Val;
use crate::diagnostic::Span;
use crate::index::facts::FnSig;
use crate::symbol::Symbol;
// Fx: a name is looked up in every scope of the stack, and a scope is made for every block;
// std's SipHash and its per-map random state were a share of the walk (tokio).
use rustc_hash::FxHashMap as HashMap;

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
    /// Declared by a `let` under `#[cfg(..)]`.
    pub cfg: bool,
    /// Its value was read by name (not only marked used by a loop or a pattern).
    pub read: bool,
}

#[derive(Debug, Default)]
pub struct Scope {
    /// In declaration order; add with [`Scope::declare`].
    pub bindings: Vec<Binding>,
    /// Name → index in `bindings` of its latest declaration, so that declaring and looking up
    /// stay constant-time in bodies with many thousands of bindings (generated code).
    latest: HashMap<String, usize>,
    /// Indices in `bindings` of sync lock guards, so that each `.await` checks only those.
    guards: Vec<usize>,
    /// `use` declarations inside the block.
    pub uses: HashMap<Symbol, Box<[Symbol]>>,
    /// Glob `use` declarations inside the block (`use futures::prelude::*;`).
    pub globs: Vec<Box<[Symbol]>>,
    /// `fn` items declared inside the block.
    pub fns: HashMap<Symbol, FnSig>,
}

impl Scope {
    pub fn declare(&mut self, binding: Binding) {
        self.latest
            .insert(binding.name.clone(), self.bindings.len());
        if binding.val.is_sync_guard() {
            self.guards.push(self.bindings.len());
        }
        self.bindings.push(binding);
    }

    /// The latest binding of `name` in this scope.
    pub fn latest(&mut self, name: &str) -> Option<&mut Binding> {
        let i = *self.latest.get(name)?;
        self.bindings.get_mut(i)
    }
}

/// The stack of scopes of one walk.
#[derive(Debug, Default)]
pub struct Scopes {
    stack: Vec<Scope>,
}

impl Scopes {
    /// What a nested item sees of this body: its block-level `fn` items and `use`
    /// declarations (inner ones shadowing outer ones), never its locals.
    pub fn items(&self) -> Scope {
        let mut out = Scope::default();
        for s in &self.stack {
            out.uses.extend(s.uses.iter().map(|(k, v)| (*k, v.clone())));
            out.globs.extend(s.globs.iter().cloned());
            out.fns.extend(s.fns.iter().map(|(k, v)| (*k, v.clone())));
        }
        out
    }

    /// Puts `scope` below every scope of the walk (the items a nested fn inherits).
    pub fn insert_base(&mut self, scope: Scope) {
        self.stack.insert(0, scope);
    }

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
        self.stack.iter_mut().rev().find_map(|s| s.latest(name))
    }

    /// Marks the innermost binding of `name` used; returns its value.
    pub fn use_name(&mut self, name: &str) -> Option<Val> {
        let b = self.lookup(name)?;
        b.used = true;
        Some(b.val.clone())
    }

    pub fn local_use(&self, name: &str) -> Option<&[Symbol]> {
        self.stack
            .iter()
            .rev()
            .find_map(|s| s.uses.get(name).map(|t| &t[..]))
    }

    /// Glob imports of the enclosing blocks, innermost first.
    pub fn local_globs(&self) -> impl Iterator<Item = &Box<[Symbol]>> {
        self.stack.iter().rev().flat_map(|s| s.globs.iter())
    }

    pub fn local_fn(&self, name: &str) -> Option<&FnSig> {
        self.stack.iter().rev().find_map(|s| s.fns.get(name))
    }

    /// Marks the live sync-lock guards of `body` (neither released nor reported yet) as
    /// reported, and returns their names and spans, outermost scope first.
    pub fn take_live_guards(&mut self, body: usize) -> Vec<(String, Span)> {
        let mut found = Vec::new();
        for s in &mut self.stack {
            for &i in &s.guards {
                let b = &mut s.bindings[i];
                if b.body == body && !b.guard_done {
                    b.guard_done = true;
                    found.push((b.name.clone(), b.span));
                }
            }
        }
        found
    }

    /// Every binding in scope, innermost scope last.
    pub fn bindings_mut(&mut self) -> impl Iterator<Item = &mut Binding> {
        self.stack.iter_mut().flat_map(|s| s.bindings.iter_mut())
    }

    /// The index in the stack (0 outermost) of the scope holding the innermost binding of
    /// `name`.
    pub fn scope_of(&self, name: &str) -> Option<usize> {
        self.stack.iter().rposition(|s| s.latest.contains_key(name))
    }

    pub fn depth(&self) -> usize {
        self.stack.len()
    }
}
