//! Evidence from use across files: how the other files of a file's *scope* call each callee
//! path, for the callees whose definition is not on disk (a test helper module left out of a
//! published package, a crate not declared or not fetched). A scope is a package's library and
//! binaries, or its tests, examples and benches together (`mod support;` in each of
//! `tests/*.rs` names one helper module), so the same path written in two files of a scope names
//! the same thing. The counts are each file's [`PathUses`] (a scan of its text, cached with its
//! index facts), summed per scope by the engine; the walk reads them through [`OtherFiles`],
//! which remembers what it read, so that the walk cache takes a stored walk only while the
//! other files still give the same.

use crate::index::call_scan::PathUses;
use crate::symbol::Symbol;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// The calls of a scope's files, summed per callee path (only the paths some file awaits).
#[derive(Debug, Default, PartialEq)]
pub struct ScopeUses {
    uses: FxHashMap<Symbol, Summed>,
    /// The path shown of each file of the scope, by its number.
    shown: Vec<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Summed {
    calls: u32,
    awaited: u32,
    /// The first two files (by number) that await the path.
    awaiting: [Option<u32>; 2],
}

impl ScopeUses {
    /// Adds a file's uses (`shown`: its path as shown); gives its number in the scope.
    pub fn add(&mut self, shown: String, uses: &[PathUses]) -> u32 {
        let me = self.shown.len() as u32;
        self.shown.push(shown);
        for u in uses {
            let s = self.uses.entry(u.path).or_default();
            s.calls += u.calls;
            s.awaited += u.awaited;
            if u.awaited > 0 {
                if let Some(slot) = s.awaiting.iter_mut().find(|a| a.is_none()) {
                    *slot = Some(me);
                }
            }
        }
        me
    }

    /// Forgets the paths no file awaits: nothing can be read from them.
    pub fn settle(&mut self) {
        self.uses.retain(|_, s| s.awaited > 0);
        self.uses.shrink_to_fit();
    }
}

/// What the other files of a scope say of one callee path: how often they call it, how often
/// they await the call, and one of them that awaits it (its path as shown).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherUses {
    pub path: String,
    pub calls: u32,
    pub awaited: u32,
    pub named: String,
}

/// The other files of one file's scope, as its walk reads them.
pub struct OtherFiles<'a> {
    scope: &'a ScopeUses,
    /// The file's own uses (taken out of the scope's sums), sorted by path.
    own: &'a [PathUses],
    /// The file's number in the scope.
    me: u32,
    /// What the walk read, in the order it read it.
    read: Mutex<Vec<OtherUses>>,
}

impl<'a> OtherFiles<'a> {
    pub fn new(scope: &'a ScopeUses, own: &'a [PathUses], me: u32) -> OtherFiles<'a> {
        OtherFiles {
            scope,
            own,
            me,
            read: Mutex::new(Vec::new()),
        }
    }

    /// What the other files say of `path`, remembered as read.
    pub fn uses(&self, path: &str) -> OtherUses {
        let u = self.peek(path);
        let mut read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        if !read.contains(&u) {
            read.push(u.clone());
        }
        u
    }

    /// [`Self::uses`], not remembered.
    pub fn peek(&self, path: &str) -> OtherUses {
        let Some(s) = self.scope.uses.get(path) else {
            return OtherUses {
                path: path.to_string(),
                ..OtherUses::default()
            };
        };
        let own = self
            .own
            .binary_search_by(|u| u.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.own[i]);
        let named = s
            .awaiting
            .iter()
            .flatten()
            .find(|&&f| f != self.me)
            .map(|&f| self.scope.shown[f as usize].clone())
            .unwrap_or_default();
        OtherUses {
            path: path.to_string(),
            calls: s.calls - own.map_or(0, |u| u.calls),
            awaited: s.awaited - own.map_or(0, |u| u.awaited),
            named,
        }
    }

    /// Whether the other files still say what a walk read of them.
    pub fn agree(&self, read: &[OtherUses]) -> bool {
        read.iter().all(|r| self.peek(&r.path) == *r)
    }

    /// What the walk read.
    pub fn take_read(&self) -> Vec<OtherUses> {
        std::mem::take(&mut *self.read.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(path: &str, calls: u32, awaited: u32) -> PathUses {
        PathUses {
            path: Symbol::intern(path),
            calls,
            awaited,
        }
    }

    #[test]
    fn a_file_reads_the_sums_of_the_others() {
        let mut scope = ScopeUses::default();
        let a = [uses("support::stop", 3, 3)];
        let b = [uses("support::go", 2, 0), uses("support::stop", 1, 0)];
        scope.add("tests/a.rs".into(), &a);
        let me = scope.add("tests/b.rs".into(), &b);
        scope.settle();
        let other = OtherFiles::new(&scope, &b, me);
        let read = other.uses("support::stop");
        assert_eq!((read.calls, read.awaited), (3, 3));
        assert_eq!(read.named, "tests/a.rs");
        // Awaited nowhere: nothing kept.
        assert_eq!(other.uses("support::go").calls, 0);
        let taken = other.take_read();
        assert_eq!(taken.len(), 2);
        assert!(other.agree(&taken));
        // Seen from `a.rs`: `b.rs` calls it once, unawaited, and awaits it nowhere.
        let other = OtherFiles::new(&scope, &a, 0);
        let read = other.peek("support::stop");
        assert_eq!((read.calls, read.awaited, read.named.as_str()), (1, 0, ""));
        assert!(!other.agree(&taken));
    }
}
