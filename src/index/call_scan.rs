//! How a file's text calls each callee path (`support::stop(..)`), and how often that call is
//! directly awaited (`support::stop(..).await`), by one pass over its bytes (no parse; comments
//! and string literals skipped): the evidence from use that the other files of a package give
//! about a callee whose definition is not on disk (see [`crate::analysis::other_files`]).
//!
//! Only paths of two segments or more, as written (the key the walk's own per-file count
//! uses, [`crate::lower::ir::File::call_uses`]). Anything written like a call counts as one: a
//! tuple struct pattern (`Msg::Stop(x) =>`), a call inside a macro's tokens. Such a count can only
//! add calls that are not awaited, which silences the evidence, never makes it.

use super::skeleton::skip_literal_or_comment;
use crate::source::{is_ident_byte, prev_byte, skip_space};
use crate::symbol::Symbol;
use serde::{Deserialize, Serialize};

/// One callee path of a file: how often it is called, and how often directly awaited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathUses {
    /// The segments joined by `::`, generic arguments left out (`Vec::<u8>::new` is `Vec::new`).
    pub path: Symbol,
    pub calls: u32,
    pub awaited: u32,
}

/// The key a called path is counted under across files: the path without its leading
/// `crate`, `self` and `super` segments (`crate::support::reset`, `self::support::reset` and
/// `support::reset` name the same helper of a crate's own module), or `None` when less than two
/// segments are left (a lone name is too often another file's own fn).
pub fn call_key(path: &str) -> Option<&str> {
    let mut key = path;
    while let Some(rest) = ["crate::", "self::", "super::"]
        .iter()
        .find_map(|p| key.strip_prefix(p))
    {
        key = rest;
    }
    key.contains("::").then_some(key)
}

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
    let mut out: Vec<PathUses> = keys
        .into_iter()
        .filter(|&(_, k)| counts[k].0 > 0)
        .map(|(path, k)| PathUses {
            path: Symbol::intern(&path),
            calls: counts[k].0,
            awaited: counts[k].1,
        })
        .collect();
    out.sort_by(|a, b| a.path.as_str().cmp(b.path.as_str()));
    out
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

/// Past the `>` that closes the `<` at `open` (`->` inside is no closing bracket).
fn skip_angles(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'<' => depth += 1,
            b'>' if prev_byte(b, i) != b'-' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'(' | b')' | b'{' | b'}' | b';' => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Whether `.await` follows at `i` (whitespace and comments between).
fn awaited_after(b: &[u8], i: usize) -> bool {
    let i = skip_trivia(b, i);
    if b.get(i) != Some(&b'.') {
        return false;
    }
    let i = skip_trivia(b, i + 1);
    b[i..].starts_with(b"await") && !b.get(i + 5).is_some_and(|&c| is_ident_byte(c))
}

fn skip_trivia(b: &[u8], mut i: usize) -> usize {
    loop {
        i = skip_space(b, i);
        if i + 1 < b.len() && b[i] == b'/' && matches!(b[i + 1], b'/' | b'*') {
            match skip_literal_or_comment(b, i) {
                Some(next) if next > i => i = next,
                _ => return i,
            }
        } else {
            return i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(text: &str) -> Vec<(String, u32, u32)> {
        of_bytes(text.as_bytes())
            .into_iter()
            .map(|u| (u.path.to_string(), u.calls, u.awaited))
            .collect()
    }

    #[test]
    fn counts_calls_and_direct_awaits_of_paths() {
        let text = "async fn t() {\n    support::stop().await;\n    support::stop()\n        .await;\n    \
                    support::stop();\n    let x = support::start(support::port(1)).await?;\n    \
                    Vec::<u8>::new();\n    f::<u8>(1).await;\n    stop().await;\n    x.a::<u8>().await;\n    \
                    a::b!(c::d());\n}\n";
        assert_eq!(
            uses(text),
            [
                ("Vec::new".to_string(), 1, 0),
                ("c::d".to_string(), 1, 0),
                ("support::port".to_string(), 1, 0),
                ("support::start".to_string(), 1, 1),
                ("support::stop".to_string(), 3, 2),
            ]
        );
    }

    /// Comments and string literals hold no calls; a call awaited only through `?` is not
    /// directly awaited.
    #[test]
    fn comments_strings_and_try_are_not_awaits() {
        let text = "/// support::stop().await\n// support::stop().await\nfn f() {\n    \
                    let s = \"support::stop().await\";\n    /* a::b().await */\n    \
                    support::stop()?.await;\n    support::stop() /* x */ .await;\n}\n";
        assert_eq!(uses(text), [("support::stop".to_string(), 2, 1)]);
    }

    /// A leading `crate`, `self` or `super` is not part of the key; what is left must still
    /// be a path of two segments.
    #[test]
    fn paths_are_counted_without_their_leading_keywords() {
        let text = "async fn t() {\n    crate::support::reset().await;\n    \
                    self::support::reset().await;\n    super::super::support::reset();\n    \
                    super::stop();\n    crate::go().await;\n}\n";
        assert_eq!(uses(text), [("support::reset".to_string(), 3, 2)]);
        assert_eq!(call_key("self::a::b"), Some("a::b"));
        assert_eq!(call_key("super::b"), None);
    }

    /// What the scan passes over in one go (a word's rest, numbers, spaces) hides no call, and
    /// a literal is still skipped whole after it.
    #[test]
    fn runs_passed_over_hide_no_call_and_no_literal() {
        let text = "fn f() {\n    let a = br\"x::y()\"; let b = r#\"x::y()\"#;\n    \
                    let c = 0x1f+ab; x::z(b\"(\", 'r', c\"(\", \u{e9}x::y);\n    \
                    Ab::c(1)(2)   .await;\n}\n";
        assert_eq!(
            uses(text),
            [("Ab::c".to_string(), 1, 0), ("x::z".to_string(), 1, 0)]
        );
    }
}
