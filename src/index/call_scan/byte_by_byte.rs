//! The scan [`super::of_bytes`] replaced, kept to test it against: it reads every byte (no
//! skipping to the next `::`, literal or parenthesis), and builds each path's text as it reads.

use super::{awaited_after, call_key, skip_angles, skip_literal_or_comment, PathUses};
use crate::source::{is_ident_byte, prev_byte, skip_space};

/// The callee paths of `bytes` (as [`call_key`] counts them), sorted by path.
pub fn of_bytes(bytes: &[u8]) -> Vec<PathUses> {
    let mut keys: rustc_hash::FxHashMap<String, usize> = Default::default();
    let mut counts: Vec<(u32, u32)> = Vec::new();
    // Per open parenthesis: the callee whose argument list it opens.
    let mut parens: Vec<Option<usize>> = Vec::new();
    // The path being read, in one buffer for the whole file (most paths are not calls).
    let mut path = String::new();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        let c = bytes[i];
        if matches!(c, b'/' | b'"' | b'\'' | b'r' | b'b' | b'c') {
            if let Some(next) = skip_literal_or_comment(bytes, i) {
                i = next.max(i + 1);
                continue;
            }
        }
        if (c.is_ascii_alphabetic() || c == b'_') && !is_ident_byte(prev_byte(bytes, i)) {
            // A lone identifier (most of them): passed over without building a path.
            let mut e = i + 1;
            while e < n && is_ident_byte(bytes[e]) {
                e += 1;
            }
            if !bytes[skip_space(bytes, e)..].starts_with(b"::") {
                i = e;
                continue;
            }
            let (segs, end) = read_path(bytes, i, &mut path);
            let key = (segs >= 2 && bytes.get(end) == Some(&b'('))
                .then(|| call_key(&path))
                .flatten();
            if let Some(key) = key {
                // Looked up before it is copied: most calls repeat a path met before.
                let k = match keys.get(key) {
                    Some(&k) => k,
                    None => {
                        let k = keys.len();
                        keys.insert(key.to_string(), k);
                        counts.push((0, 0));
                        k
                    }
                };
                parens.push(Some(k));
                i = end + 1;
            } else {
                i = end.max(i + 1);
            }
            continue;
        }
        match c {
            b'(' => parens.push(None),
            b')' => {
                if let Some(Some(k)) = parens.pop() {
                    counts[k].0 += 1;
                    if awaited_after(bytes, i + 1) {
                        counts[k].1 += 1;
                    }
                }
            }
            _ => {}
        }
        i += 1;
        // Straight on to the next byte the loop acts on (see [`passed_over`]).
        while i < n && passed_over(bytes[i], bytes[i - 1]) {
            i += 1;
        }
    }
    super::uses_of(keys, &counts)
}

/// Whether the loop of [`of_bytes`] passes byte `c` (after `prev`) over without acting: no
/// parenthesis, no possible start of a comment or literal, no identifier's first byte (the rest
/// of a word, a number's digits, spaces and other punctuation). A letter after an identifier's
/// byte starts neither a word nor a raw string (`br"..."` is read from its `b`).
#[inline]
fn passed_over(c: u8, prev: u8) -> bool {
    let class = CLASS[c as usize];
    class & ACTS == 0 && (class & STARTS == 0 || is_ident_byte(prev))
}

/// [`CLASS`] bits: a byte that can start an identifier (a letter, `_`); one the loop always
/// acts on (a parenthesis, a possible comment or literal). An identifier's other bytes are
/// [`is_ident_byte`]'s table.
const STARTS: u8 = 1;
const ACTS: u8 = 2;

/// Each byte's [`STARTS`] and [`ACTS`] bits: one look-up where the scan's loop tested ranges.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphabetic() || c == b'_' {
            t[b] |= STARTS;
        }
        if matches!(c, b'/' | b'"' | b'\'' | b'(' | b')') {
            t[b] |= ACTS;
        }
        b += 1;
    }
    t
};

/// The path written from `start` (an identifier's first byte), written into `path`: its
/// segments joined by `::`; gives how many, and where the text after it (spaces and a turbofish
/// skipped) resumes.
fn read_path(b: &[u8], start: usize, path: &mut String) -> (usize, usize) {
    path.clear();
    let mut segs = 0;
    let mut i = start;
    loop {
        let s = i;
        while i < b.len() && is_ident_byte(b[i]) {
            i += 1;
        }
        if !path.is_empty() {
            path.push_str("::");
        }
        path.push_str(&String::from_utf8_lossy(&b[s..i]));
        segs += 1;
        let after = skip_space(b, i);
        if !b[after..].starts_with(b"::") {
            return (segs, after);
        }
        let mut j = skip_space(b, after + 2);
        if b.get(j) == Some(&b'<') {
            // A turbofish: `Vec::<u8>::new`, `f::<T>(..)`.
            j = skip_space(b, skip_angles(b, j));
            if !b[j..].starts_with(b"::") {
                return (segs, j);
            }
            j = skip_space(b, j + 2);
        }
        match b.get(j) {
            Some(&c) if c.is_ascii_alphabetic() || c == b'_' => i = j,
            _ => return (segs, j),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::source::scan_cases::{agree_everywhere, agree_over_tree};

    fn same(text: &[u8], what: &dyn std::fmt::Display) {
        assert_eq!(
            super::super::of_bytes(text),
            super::of_bytes(text),
            "{what}: {:?}",
            String::from_utf8_lossy(text)
        );
    }

    #[test]
    fn the_skipping_scan_counts_what_the_byte_by_byte_scan_counts() {
        let hard: &[&[u8]] = &[
            b"a::b(c::d(e)).await; a::b(x) . /* y */ await",
            b"r#\"a::b()\"# a::b(r\"x::y(\") br##\"(\"# a::c()\"## cr\"(\" c::d()",
            b"/* a::b() /* nested c::d() */ e::f() */ g::h()",
            b"b'(' '(' a::b('x') 'a a::b::<'a>(1) x::y(b\"(\")",
            b"r#type::x() r#x::y() xr#\"a::b()\" br#\"\"# s::t()",
            b"\"x\"abc::d() 'a'b::c() // c\n ::x() a::1b::c()",
            b"a:::b() ::a::b() a :: b () a::\n b().await",
            b"a::b(()) ) ) a::c( ( a::d() ",
            b"f::<fn(u8)>::g(1) Vec::<Vec<u8>>::new() x::<T->u8>::y()",
            b"\xff\xfea::b() \xc3\xa9x::y() x\xc3\xa9::y() r\xc3\xa9::z()",
            b"crate::a::b() self::c() super::super::d::e() a::b!(c::d())",
            b"\"unclosed a::b(",
            b"r##\"unclosed a::b(",
            b"/* unclosed a::b(",
            b"a::b(\"(\" ')' /* ) */ // )\n).await",
        ];
        agree_everywhere(hard, same);
    }

    /// The same over every `.rs` file of a tree (`UNAWAITED_SCAN_TREE`, by default the bench's
    /// pinned crates): `cargo test --lib call_scan -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn the_skipping_scan_counts_the_same_over_a_tree() {
        agree_over_tree(same);
    }
}
