//! Path resolution through the module tree, `use` imports (renames, groups, globs, `self`,
//! `super`, `crate`) and the crates of the context referring to each other by name.

use super::{FnId, Index, ModId};

mod memo;

/// What a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Res {
    Module(ModId),
    Fn(FnId),
    /// A type of the context, by full path.
    Type(String),
    /// `Type::name`: an associated function or variant of a type of the context.
    Assoc(String, String),
    /// A static or const of a module of the context: its module and name (see
    /// [`Index::static_type`]).
    Static(ModId, crate::symbol::Symbol),
    /// A path outside the context (another crate, std, the prelude), fully written out.
    External(String),
    Unknown,
}

const MAX_DEPTH: usize = 24;

/// Rust's namespaces: a module `yield_now` and a fn `yield_now` can live side by side. The last
/// segment of a path is looked up in the namespace its use asks for; earlier segments are
/// modules or types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    Value,
    Type,
}

/// Bounds one resolution: glob imports can form cycles and fan out (`use super::*` in every
/// module), so the number of lookup steps is capped and no module's globs are searched twice.
struct Budget {
    steps: usize,
    globbed: Vec<ModId>,
}

impl Budget {
    fn take(&mut self) -> bool {
        if self.steps == 0 {
            return false;
        }
        self.steps -= 1;
        true
    }
}

impl Index {
    /// The methods `name` that any type has through a blanket impl of a trait of the index
    /// (`impl<T: Clone> FetchExt for T`), for a type with no method of that name of its own.
    /// The impl's bounds are not checked: a type that does not meet them could not call it.
    pub fn blanket_methods(&self, name: &str) -> Vec<FnId> {
        let declared_by_trait = self
            .methods_named(name)
            .iter()
            .any(|&id| self.fn_info(id).trait_path.is_some());
        if !declared_by_trait {
            return Vec::new();
        }
        self.blanket_assoc_fns(name)
    }

    /// The fns named `name` (with a receiver or not) of the traits that blanket impls give
    /// every type of a bound (`impl<T: Config> ConfigExt for T`): their own and their impls'.
    pub fn blanket_assoc_fns(&self, name: &str) -> Vec<FnId> {
        let mut out: Vec<FnId> = self
            .blanket_traits
            .iter()
            .flat_map(|tr| self.methods_in(tr, name).iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The traits implemented for a self type that reads as a bare type parameter: a lone
    /// capitalised name that no type of the index has.
    pub(super) fn find_blanket_traits(&self) -> Vec<String> {
        const NOT_PARAMS: &[&str] = &["String", "Vec", "Option", "Result", "Box", "Arc", "Rc"];
        let mut out: Vec<String> = Vec::new();
        for (self_path, traits) in &self.trait_impls {
            let param_like = !self_path.contains("::")
                && self_path.starts_with(|c: char| c.is_ascii_uppercase())
                && !NOT_PARAMS.contains(&self_path.as_str())
                && !self.types.contains_key(self_path);
            if param_like {
                out.extend(traits.iter().cloned());
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Resolves a path written in module `m` in value position (a call, a value).
    pub fn resolve<S: AsRef<str>>(&self, m: ModId, segs: &[S]) -> Res {
        self.resolve_ns(m, segs, Ns::Value)
    }

    /// Resolves a path written in module `m` in type position.
    pub fn resolve_type<S: AsRef<str>>(&self, m: ModId, segs: &[S]) -> Res {
        self.resolve_ns(m, segs, Ns::Type)
    }

    pub fn resolve_ns<S: AsRef<str>>(&self, m: ModId, segs: &[S], ns: Ns) -> Res {
        self.memoized(m, segs, ns, || {
            let mut budget = Budget {
                steps: 256,
                globbed: Vec::new(),
            };
            self.resolve_depth(m, segs, ns, 0, &mut budget)
        })
    }

    fn resolve_depth<S: AsRef<str>>(
        &self,
        m: ModId,
        segs: &[S],
        ns: Ns,
        depth: usize,
        b: &mut Budget,
    ) -> Res {
        let Some(first) = segs.first() else {
            return Res::Unknown;
        };
        if depth > MAX_DEPTH || m >= self.modules.len() || !b.take() {
            return Res::Unknown;
        }
        let rest = &segs[1..];
        match first.as_ref() {
            "crate" => self.resolve_in(self.modules[m].crate_root, rest, ns, depth + 1, b),
            // In a fn body's items, `self::x` may name the body's own item (the module's
            // otherwise, see `scope_lookup`), `super` is the parent of the fn's module.
            "self" => self.resolve_in(m, segs, ns, depth + 1, b),
            "super" => self.resolve_in(self.module_outside_fns(m), segs, ns, depth + 1, b),
            "Self" => Res::Unknown,
            "std" | "core" | "alloc" => Res::External(join(segs)),
            name => {
                let first_ns = if rest.is_empty() { ns } else { Ns::Type };
                if let Some(r) = self.scope_lookup(m, name, first_ns, depth + 1, b) {
                    return self.continue_from(r, rest, ns, depth + 1, b);
                }
                if let Some(root) = self.crate_named(m, name) {
                    return self.resolve_in(root, rest, ns, depth + 1, b);
                }
                Res::External(join(segs))
            }
        }
    }

    /// A name visible in module `m`: its items, its imports, then its glob imports.
    fn scope_lookup(
        &self,
        m: ModId,
        name: &str,
        ns: Ns,
        depth: usize,
        b: &mut Budget,
    ) -> Option<Res> {
        if depth > MAX_DEPTH || !b.take() {
            return None;
        }
        let module = &self.modules[m];
        let item = || match ns {
            Ns::Value => self
                .module_fn(m, name)
                .map(Res::Fn)
                .or_else(|| self.static_named(m, name)),
            Ns::Type => module
                .children
                .get(name)
                .map(|&c| Res::Module(c))
                .or_else(|| module.types.get(name).map(|t| Res::Type(t.clone()))),
        };
        let other = || match ns {
            Ns::Value => module
                .types
                .get(name)
                .map(|t| Res::Type(t.clone()))
                .or_else(|| module.children.get(name).map(|&c| Res::Module(c))),
            Ns::Type => self.module_fn(m, name).map(Res::Fn),
        };
        if let Some(r) = item() {
            return Some(r);
        }
        if let Some(target) = module.uses.get(name) {
            // `use foo;` of an external crate names itself: do not loop on it.
            if target.len() == 1 && target[0] == name {
                return self
                    .crate_named(m, name)
                    .map(Res::Module)
                    .or(Some(Res::External(name.to_string())));
            }
            return Some(self.resolve_depth(m, target, ns, depth + 1, b));
        }
        if let Some(r) = other() {
            return Some(r);
        }
        if let Some(r) = self.glob_lookup(m, name, ns, depth, b) {
            return Some(r);
        }
        // A fn body's items: what the body does not declare is its module's.
        match (module.fn_scope, module.parent) {
            (true, Some(p)) => self.scope_lookup(p, name, ns, depth + 1, b),
            _ => None,
        }
    }

    /// A name that module `m`'s glob imports bring in.
    fn glob_lookup(
        &self,
        m: ModId,
        name: &str,
        ns: Ns,
        depth: usize,
        b: &mut Budget,
    ) -> Option<Res> {
        let module = &self.modules[m];
        if module.globs.is_empty() || b.globbed.contains(&m) {
            return None;
        }
        b.globbed.push(m);
        for glob in &module.globs {
            match self.resolve_depth(m, glob, Ns::Type, depth + 1, b) {
                Res::Module(gm) if gm != m => {
                    if let Some(r) = self.scope_lookup(gm, name, ns, depth + 1, b) {
                        return Some(r);
                    }
                }
                // `use Enum::*;`
                Res::Type(t)
                    if self.type_info(&t).is_some()
                        && name.starts_with(|c: char| c.is_ascii_uppercase()) =>
                {
                    return Some(Res::Assoc(t, name.to_string()));
                }
                Res::External(p) => {
                    if let Some(full) = crate::knowledge::glob_export(&p, name) {
                        return Some(Res::External(full));
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn resolve_in<S: AsRef<str>>(
        &self,
        m: ModId,
        rest: &[S],
        ns: Ns,
        depth: usize,
        b: &mut Budget,
    ) -> Res {
        if depth > MAX_DEPTH || !b.take() {
            return Res::Unknown;
        }
        let Some(name) = rest.first() else {
            return Res::Module(m);
        };
        match name.as_ref() {
            "super" => match self.modules[m].parent {
                Some(p) => self.resolve_in(p, &rest[1..], ns, depth + 1, b),
                None => Res::Unknown,
            },
            "self" => self.resolve_in(m, &rest[1..], ns, depth + 1, b),
            _ => match self.scope_lookup(
                m,
                name.as_ref(),
                if rest.len() == 1 { ns } else { Ns::Type },
                depth + 1,
                b,
            ) {
                Some(r) => self.continue_from(r, &rest[1..], ns, depth + 1, b),
                // Not among the module's visible items (often: made by a macro). Its full path
                // still lets the knowledge tables recognise it (`tokio::task::block_in_place`).
                None => Res::External(format!(
                    "{}::{}",
                    self.modules[self.module_outside_fns(m)].path,
                    join(rest)
                )),
            },
        }
    }

    fn continue_from<S: AsRef<str>>(
        &self,
        r: Res,
        rest: &[S],
        ns: Ns,
        depth: usize,
        b: &mut Budget,
    ) -> Res {
        if rest.is_empty() {
            return r;
        }
        match r {
            Res::Module(c) => self.resolve_in(c, rest, ns, depth + 1, b),
            Res::Type(p) if rest.len() == 1 => Res::Assoc(p, rest[0].as_ref().to_string()),
            Res::External(p) => Res::External(format!("{p}::{}", join(rest))),
            _ => Res::Unknown,
        }
    }
}

/// A path's segments joined with `::`, whatever holds their text.
pub fn join<S: AsRef<str>>(segs: &[S]) -> String {
    let mut out = String::new();
    for (i, s) in segs.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        out.push_str(s.as_ref());
    }
    out
}
