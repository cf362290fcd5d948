//! The per-name hashes of a context's fingerprint ([`super::reuse`]) kept as sums in a process
//! that checks again and again (the language server): each name's sum of the hashes of the
//! index entries found by it, with how many entries those are. A check subtracts the old part
//! of each file that changed and adds its new part, and knows which names' sums changed since
//! the last check without comparing every name: its cost is that of what changed.
//!
//! The sums are those [`super::reuse::fingerprint`] adds up from scratch: a wrapping sum does
//! not depend on the order its terms were added or taken away in, and a name is present while
//! one entry or more is found by it (a sum of 0 over entries is still a name), as it is when
//! every part is added to an empty map.

use crate::walk_cache::NameHashes;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Each name's sum of entry hashes and number of entries.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct NameSums {
    sums: FxHashMap<u32, (u64, u32)>,
}

/// What a name's sum was before a check changed it (`None`: the name was not there), per name
/// the check touched.
pub(super) type Before = FxHashMap<u32, Option<u64>>;

/// The names whose hash changed at a check, each with its hash now (`None`: gone).
pub(super) type Changes = Vec<(u32, Option<u64>)>;

impl NameSums {
    /// Adds the entries of a part.
    pub fn add(&mut self, entries: &[(u32, u64)]) {
        for &(key, entry) in entries {
            let (sum, count) = self.sums.entry(key).or_default();
            *sum = sum.wrapping_add(entry);
            *count += 1;
        }
    }

    /// Takes out `old` and puts in `new` (a file's part before and now), noting in `before`
    /// each touched name's hash as it was before its first change.
    pub fn replace(&mut self, old: &[(u32, u64)], new: &[(u32, u64)], before: &mut Before) {
        for &(key, _) in old.iter().chain(new) {
            before
                .entry(key)
                .or_insert_with(|| self.sums.get(&key).map(|s| s.0));
        }
        for &(key, entry) in old {
            if let Some((sum, count)) = self.sums.get_mut(&key) {
                *sum = sum.wrapping_sub(entry);
                *count -= 1;
                if *count == 0 {
                    self.sums.remove(&key);
                }
            }
        }
        self.add(new);
    }

    /// The names whose hash differs from what `before` noted, with their hash now (sorted).
    pub fn changes(&self, before: Before) -> Changes {
        let mut changes: Changes = before
            .into_iter()
            .map(|(key, was)| (key, was, self.sums.get(&key).map(|s| s.0)))
            .filter(|(_, was, now)| was != now)
            .map(|(key, _, now)| (key, now))
            .collect();
        changes.sort_unstable();
        changes
    }

    /// Every name's hash.
    pub fn to_map(&self) -> NameHashes {
        NameHashes::summed(self.sums.iter().map(|(k, (sum, _))| (*k, *sum)).collect())
    }
}

/// A number no earlier state of any context's sums had in this process.
pub(super) fn next_generation() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summed(parts: &[&[(u32, u64)]]) -> NameSums {
        let mut s = NameSums::default();
        for p in parts {
            s.add(p);
        }
        s
    }

    #[test]
    fn a_replaced_part_gives_the_sums_of_adding_from_scratch_and_says_what_changed() {
        let a: &[(u32, u64)] = &[(1, 10), (2, 20)];
        let b: &[(u32, u64)] = &[(2, 5), (3, u64::MAX)];
        let b2: &[(u32, u64)] = &[(2, 5), (4, 1), (3, 1)];
        let mut s = summed(&[a, b]);
        let mut before = Before::default();
        s.replace(b, b2, &mut before);
        assert_eq!(s, summed(&[a, b2]));
        // 2 is touched but its sum is the same; 3 changed; 4 is new.
        assert_eq!(s.changes(before), vec![(3, Some(1)), (4, Some(1))]);
        // A name whose last entry goes is gone; one whose entries sum to 0 stays.
        let zero: &[(u32, u64)] = &[(5, 1), (5, u64::MAX)];
        let mut s = summed(&[a, zero]);
        let mut before = Before::default();
        s.replace(a, &[], &mut before);
        assert_eq!(s.to_map().as_slice(), &[(5, 0)]);
        assert_eq!(s.changes(before), vec![(1, None), (2, None)]);
    }
}
