//! Per name id, a hash of every index entry found by that name (see the engine's fingerprint
//! and [`crate::walk_cache`]): held as one vector sorted by name, 12 bytes of payload a name
//! (16 with padding) and no table slack. A hash table of the 257,000 names of a 10 MB file of
//! fns took 8.7 MB (its buckets a power of two, a control byte each) where this takes 4.1 MB,
//! and the walk cache writes it in this order as it is.

/// Each (name id, hash), sorted by name id, one pair a name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameHashes {
    sorted: Vec<(u32, u64)>,
}

impl NameHashes {
    pub fn new() -> NameHashes {
        NameHashes::default()
    }

    /// Each name's wrapping sum of the hashes `entries` give it (a name, once or more often,
    /// with the hash of one entry found by it); the order of `entries` does not matter.
    pub fn summed(mut entries: Vec<(u32, u64)>) -> NameHashes {
        entries.sort_unstable_by_key(|&(key, _)| key);
        let mut kept = 0;
        for i in 0..entries.len() {
            let (key, hash) = entries[i];
            match kept > 0 && entries[kept - 1].0 == key {
                true => entries[kept - 1].1 = entries[kept - 1].1.wrapping_add(hash),
                false => {
                    entries[kept] = (key, hash);
                    kept += 1;
                }
            }
        }
        entries.truncate(kept);
        entries.shrink_to_fit();
        NameHashes { sorted: entries }
    }

    /// The hash of `key`, if any entry is found by that name.
    pub fn get(&self, key: u32) -> Option<u64> {
        let i = self.sorted.binary_search_by_key(&key, |&(k, _)| k).ok()?;
        Some(self.sorted[i].1)
    }

    pub fn contains_key(&self, key: u32) -> bool {
        self.get(key).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Each (name id, hash), by name id.
    pub fn as_slice(&self) -> &[(u32, u64)] {
        &self.sorted
    }

    pub fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.sorted.iter().map(|&(k, _)| k)
    }

    /// The names whose hash differs between `self` and `other`, or that only one holds, by
    /// name id.
    pub fn differing(&self, other: &NameHashes) -> Vec<u32> {
        let mut out = Vec::new();
        merge_join(&self.sorted, &other.sorted, |key, a, b| {
            if a != b {
                out.push(key);
            }
        });
        out
    }

    /// The hashes as stored (`pairs`, sorted by name id when the file was written by this
    /// tool); a name given twice keeps its last hash.
    pub fn from_stored(mut pairs: Vec<(u32, u64)>) -> NameHashes {
        if !pairs.windows(2).all(|w| w[0].0 < w[1].0) {
            last_per_key(&mut pairs);
        }
        NameHashes { sorted: pairs }
    }

    /// Sets each name of `changes` to its hash (`None`: removes it), in order: a name given
    /// twice ends with its last.
    pub fn apply(&mut self, changes: &[(u32, Option<u64>)]) {
        if changes.is_empty() {
            return;
        }
        let mut changes = changes.to_vec();
        last_per_key(&mut changes);
        let mut merged = Vec::with_capacity(self.sorted.len() + changes.len());
        merge_join(&self.sorted, &changes, |key, was, change| {
            let now = match change {
                Some(now) => *now,
                None => was.copied(),
            };
            merged.extend(now.map(|hash| (key, hash)));
        });
        merged.shrink_to_fit();
        self.sorted = merged;
    }
}

/// Sorts `pairs` by key and keeps, of the pairs of one key, the last given.
fn last_per_key<T>(pairs: &mut Vec<(u32, T)>) {
    // Stable: of one key's pairs, the last given stays last.
    pairs.sort_by_key(|(k, _)| *k);
    pairs.reverse();
    // Reversed, the last given of a key comes first, and `dedup` keeps the first of a run.
    pairs.dedup_by_key(|(k, _)| *k);
    pairs.reverse();
}

/// Calls `each` with every key of `a` or `b` (both sorted by key, one pair a key), in order,
/// with its value in each.
fn merge_join<A, B>(
    a: &[(u32, A)],
    b: &[(u32, B)],
    mut each: impl FnMut(u32, Option<&A>, Option<&B>),
) {
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (Some((ka, va)), Some((kb, vb))) if ka == kb => {
                each(*ka, Some(va), Some(vb));
                i += 1;
                j += 1;
            }
            (Some((ka, va)), Some((kb, _))) if ka < kb => {
                each(*ka, Some(va), None);
                i += 1;
            }
            (Some((ka, va)), None) => {
                each(*ka, Some(va), None);
                i += 1;
            }
            (_, Some((kb, vb))) => {
                each(*kb, None, Some(vb));
                j += 1;
            }
            (None, None) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Pairs with few distinct keys (so that keys repeat), from a fixed seed.
    fn pairs(seed: u64, n: usize) -> Vec<(u32, u64)> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 33) as u32 % 97, x.rotate_left(17))
            })
            .collect()
    }

    fn as_map(n: &NameHashes) -> HashMap<u32, u64> {
        n.as_slice().iter().copied().collect()
    }

    /// Summed, looked up, changed and compared, the sorted pairs say what a hash map of the
    /// same pairs says.
    #[test]
    fn the_sorted_pairs_behave_as_a_map_of_name_to_hash() {
        for seed in 0..20 {
            let entries = pairs(seed, 300);
            let mut model: HashMap<u32, u64> = HashMap::new();
            for &(k, h) in &entries {
                let sum = model.entry(k).or_default();
                *sum = sum.wrapping_add(h);
            }
            let mut names = NameHashes::summed(entries);
            assert_eq!(as_map(&names), model);
            assert!(names.as_slice().windows(2).all(|w| w[0].0 < w[1].0));
            assert_eq!(names.len(), model.len());
            for k in 0..100 {
                assert_eq!(names.get(k), model.get(&k).copied(), "{k}");
                assert_eq!(names.contains_key(k), model.contains_key(&k));
            }
            // Changes, a key given twice among them, removals of present and absent keys.
            let changes: Vec<(u32, Option<u64>)> = pairs(seed + 100, 40)
                .into_iter()
                .map(|(k, h)| (k + 3, (h % 3 != 0).then_some(h)))
                .chain([(1, Some(7)), (1, None), (500, Some(1)), (501, None)])
                .collect();
            let before = names.clone();
            let mut changed = model.clone();
            for &(k, now) in &changes {
                match now {
                    Some(h) => changed.insert(k, h),
                    None => changed.remove(&k),
                };
            }
            names.apply(&changes);
            assert_eq!(as_map(&names), changed);
            assert!(names.as_slice().windows(2).all(|w| w[0].0 < w[1].0));
            // The names that differ, either way round.
            let mut differ: Vec<u32> = model
                .keys()
                .chain(changed.keys())
                .filter(|k| model.get(k) != changed.get(k))
                .copied()
                .collect();
            differ.sort_unstable();
            differ.dedup();
            assert_eq!(before.differing(&names), differ);
            assert_eq!(names.differing(&before), differ);
            assert!(names.differing(&names).is_empty());
        }
    }

    /// Pairs read from a file are taken as they are when sorted; otherwise sorted, a name
    /// given twice keeping its last hash.
    #[test]
    fn stored_pairs_out_of_order_are_sorted_with_the_last_of_a_name_kept() {
        let sorted = vec![(1, 5), (4, 2), (9, 0)];
        assert_eq!(
            NameHashes::from_stored(sorted.clone()).as_slice(),
            &sorted[..]
        );
        let stored = vec![(9, 1), (1, 5), (9, 2), (4, 2), (1, 6)];
        let names = NameHashes::from_stored(stored);
        assert_eq!(names.as_slice(), &[(1, 6), (4, 2), (9, 2)]);
        assert_eq!(NameHashes::summed(vec![(5, 0)]).as_slice(), &[(5, 0)]);
        assert!(NameHashes::summed(Vec::new()).is_empty());
    }
}
