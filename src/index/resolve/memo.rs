//! Resolutions remembered while one index stays unchanged: inside [`Index::with_memo`], each
//! thread keeps what [`Index::resolve_ns`] answered for a (module, path, namespace), and gives
//! the same answer again without searching the module's items, imports and globs a second time.
//!
//! A resolution reads only the index (each starts with a fresh step budget), so a repeat is the
//! same answer: the memo changes no result, only how often one is computed. Generated code asks
//! the same questions over and over (every setter of a generated type names `bool` or `&str`,
//! and in a module that glob-imports a thousand siblings each miss spends the whole budget).

use super::{Index, ModId, Ns, Res};
use std::cell::RefCell;
use std::hash::Hasher;

struct Entry {
    hash: u64,
    m: ModId,
    ns: Ns,
    segs: Box<[Box<str>]>,
    res: Res,
}

struct Memo {
    /// The index the answers are of (its address while [`Index::with_memo`] borrows it).
    index: usize,
    table: hashbrown::HashTable<Entry>,
}

thread_local! {
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// Puts back the thread's previous memo when the scope ends (also by a panic).
struct Restore(Option<Option<Memo>>);

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            MEMO.with(|m| *m.borrow_mut() = previous);
        }
    }
}

fn key_hash<S: AsRef<str>>(m: ModId, segs: &[S], ns: Ns) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write_usize(m);
    h.write_u8(ns as u8);
    for s in segs {
        h.write(s.as_ref().as_bytes());
        h.write_u8(0xff);
    }
    h.finish()
}

fn same<S: AsRef<str>>(e: &Entry, hash: u64, m: ModId, segs: &[S], ns: Ns) -> bool {
    e.hash == hash
        && e.m == m
        && e.ns == ns
        && e.segs.len() == segs.len()
        && e.segs.iter().zip(segs).all(|(a, b)| **a == *b.as_ref())
}

impl Index {
    /// Runs `f` with this thread's resolutions in this index remembered (see the module's
    /// docs); the index cannot change meanwhile, since `f` runs while it is borrowed. Nested
    /// calls share the outer memo.
    pub fn with_memo<R>(&self, f: impl FnOnce() -> R) -> R {
        let id = self as *const Index as usize;
        let active = MEMO.with(|m| m.borrow().as_ref().is_some_and(|memo| memo.index == id));
        let _restore = (!active).then(|| {
            let fresh = Memo {
                index: id,
                table: hashbrown::HashTable::new(),
            };
            Restore(Some(MEMO.with(|m| m.borrow_mut().replace(fresh))))
        });
        f()
    }

    /// [`Index::resolve_ns`] through the memo when one is active for this index: `compute`
    /// gives the answer the first time.
    pub(super) fn memoized<S: AsRef<str>>(
        &self,
        m: ModId,
        segs: &[S],
        ns: Ns,
        compute: impl FnOnce() -> Res,
    ) -> Res {
        let id = self as *const Index as usize;
        let hash = key_hash(m, segs, ns);
        let found = MEMO.with(|memo| {
            let memo = memo.borrow();
            match memo.as_ref() {
                Some(memo) if memo.index == id => Some(
                    memo.table
                        .find(hash, |e| same(e, hash, m, segs, ns))
                        .map(|e| e.res.clone()),
                ),
                _ => None,
            }
        });
        match found {
            // No memo for this index: computed each time.
            None => compute(),
            Some(Some(res)) => res,
            Some(None) => {
                // Computed with the memo released: a resolution may resolve other paths.
                let res = compute();
                MEMO.with(|memo| {
                    if let Some(memo) = memo.borrow_mut().as_mut().filter(|x| x.index == id) {
                        memo.table.insert_unique(
                            hash,
                            Entry {
                                hash,
                                m,
                                ns,
                                segs: segs.iter().map(|s| s.as_ref().into()).collect(),
                                res: res.clone(),
                            },
                            |e| e.hash,
                        );
                    }
                });
                res
            }
        }
    }
}

#[cfg(test)]
impl Index {
    /// How many answers this thread's memo holds (`None`: no memo is active): for tests.
    pub(crate) fn remembered(&self) -> Option<usize> {
        MEMO.with(|m| m.borrow().as_ref().map(|m| m.table.len()))
    }
}
