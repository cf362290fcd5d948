//! Interned types: one [`TyRef`] (4 bytes, `Copy`) per distinct [`Ty`], so that the hundreds of
//! thousands of signatures of a generated file that all return `u32`, `()` or `Self` hold the
//! type once (a `Ty` inline is 40 bytes and its path one more allocation).
//!
//! Like the names' interner ([`crate::symbol`]): one per process, shared by every thread, each
//! distinct type kept once and never freed; reading a type takes no lock. A `TyRef` reads as
//! its type: it derefs to `&Ty`, compares, hashes and shows as it, and is serialised as it (the
//! caches' bytes are those of the `Ty`).

use super::types::Ty;
use hashbrown::HashTable;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::num::NonZeroU32;
use std::ops::Deref;
use std::sync::{Mutex, OnceLock};

/// An interned type: the same type is always the same `TyRef`, within one process.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TyRef(NonZeroU32);

const SHARDS: usize = 16;

struct Types {
    /// `TyRef` `n` is the type at index `n - 1`; appended under a shard's lock, read without.
    types: boxcar::Vec<Ty>,
    /// Type → its `TyRef`, found by the type's hash.
    shards: [Mutex<HashTable<TyRef>>; SHARDS],
}

fn types() -> &'static Types {
    static TYPES: OnceLock<Types> = OnceLock::new();
    TYPES.get_or_init(|| Types {
        types: boxcar::Vec::new(),
        shards: std::array::from_fn(|_| Mutex::new(HashTable::new())),
    })
}

impl TyRef {
    /// The `TyRef` of `ty`, interning it when it is new.
    pub fn intern(ty: Ty) -> TyRef {
        let types = types();
        let hash = rustc_hash::FxBuildHasher.hash_one(&ty);
        let shard = (hash >> 32) as usize % SHARDS;
        // A poisoned lock only means another thread panicked while holding it: the table is
        // still whole (an insert is the last step).
        let mut table = types.shards[shard]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&found) = table.find(hash, |t| *t.get() == ty) {
            return found;
        }
        let index = types.types.push(ty);
        let interned = TyRef(
            u32::try_from(index + 1)
                .ok()
                .and_then(NonZeroU32::new)
                .expect("fewer than 2^32 distinct types"),
        );
        table.insert_unique(hash, interned, |t| {
            rustc_hash::FxBuildHasher.hash_one(t.get())
        });
        interned
    }

    /// The type.
    pub fn get(self) -> &'static Ty {
        types()
            .types
            .get(self.0.get() as usize - 1)
            .expect("a TyRef is made only by interning its type")
    }
}

impl Default for TyRef {
    /// The unknown type.
    fn default() -> TyRef {
        TyRef::intern(Ty::Unknown)
    }
}

impl From<Ty> for TyRef {
    fn from(ty: Ty) -> TyRef {
        TyRef::intern(ty)
    }
}

impl Deref for TyRef {
    type Target = Ty;
    fn deref(&self) -> &Ty {
        self.get()
    }
}

impl AsRef<Ty> for TyRef {
    fn as_ref(&self) -> &Ty {
        self.get()
    }
}

impl Hash for TyRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.get().hash(state);
    }
}

impl fmt::Debug for TyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.get(), f)
    }
}

impl PartialEq<Ty> for TyRef {
    fn eq(&self, other: &Ty) -> bool {
        self.get() == other
    }
}

impl Serialize for TyRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TyRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TyRef, D::Error> {
        Ty::deserialize(deserializer).map(TyRef::intern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbol::Symbol;

    fn path(name: &str) -> Ty {
        Ty::Path {
            segs: Box::new([Symbol::intern(name)]),
            args: Vec::new(),
        }
    }

    #[test]
    fn the_same_type_is_one_ref_across_threads() {
        let refs: Vec<Vec<TyRef>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        (0..500)
                            .map(|i| TyRef::intern(path(&format!("T{i}"))))
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for r in &refs[1..] {
            assert_eq!(r, &refs[0]);
        }
        assert_eq!(*refs[0][7], path("T7"));
        assert_ne!(refs[0][7], refs[0][8]);
    }

    #[test]
    fn a_ty_ref_is_written_as_its_type() {
        let ty = Ty::Path {
            segs: Box::new([Symbol::intern("Result")]),
            args: vec![path("u32"), Ty::Unknown],
        };
        let interned = TyRef::intern(ty.clone());
        let bytes = postcard::to_stdvec(&interned).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&ty).unwrap());
        let back: TyRef = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, interned);
        assert_eq!(format!("{interned:?}"), format!("{ty:?}"));
    }
}
