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
///
/// The scan goes from one place it acts on to the next, each found by `memchr`: a possible
/// comment or literal (`/`, `"`, `'`; a raw string's `r`, `br` or `cr` is found back from its
/// quote), a `::` (a path starts at the word written just before it), and, while the argument
/// list of a counted call is open, a parenthesis. What lies between (words, numbers, spaces,
/// other punctuation) changes nothing. Parentheses are not followed while no such list is open:
/// the ones opened then can only be closed by a `)` that counts nothing.
pub fn of_bytes(bytes: &[u8]) -> Vec<PathUses> {
    let mut calls = Calls::default();
    let mut segs: Vec<(usize, usize)> = Vec::new();
    let colons = memchr::memmem::Finder::new(b"::");
    let n = bytes.len();
    let next_literal =
        |i: usize| memchr::memchr3(b'/', b'"', b'\'', &bytes[i..]).map_or(n, |p| i + p);
    let next_colons = |i: usize| colons.find(&bytes[i..]).map_or(n, |p| i + p);
    // The next place of each kind at or after `i` (`n`: none), searched again once passed.
    let (mut literal, mut colon, mut paren) = (next_literal(0), next_colons(0), 0);
    let mut i = 0;
    while i < n {
        if literal < i {
            literal = next_literal(i);
        }
        if colon < i {
            colon = next_colons(i);
        }
        let mut at = literal.min(colon);
        if calls.open > 0 {
            if paren < i {
                paren = memchr::memchr2(b'(', b')', &bytes[i..]).map_or(n, |p| i + p);
            }
            at = at.min(paren);
        }
        if at >= n {
            break;
        }
        i = if at == literal {
            let start = match bytes[at] {
                b'"' => raw_string_start(bytes, i, at).unwrap_or(at),
                _ => at,
            };
            skip_literal_or_comment(bytes, start).map_or(at + 1, |next| next.max(start + 1))
        } else if at == colon {
            match path_start(bytes, i, at) {
                Some(start) => calls.read(bytes, start, &mut segs),
                None => at + 1,
            }
        } else {
            if bytes[at] == b'(' {
                calls.parens.push(None);
            } else {
                calls.close(bytes, at);
            }
            at + 1
        };
    }
    calls.into_uses()
}

/// The calls of a file counted so far, and the parentheses open around where the scan is.
#[derive(Default)]
struct Calls {
    keys: rustc_hash::FxHashMap<String, usize>,
    counts: Vec<(u32, u32)>,
    /// Per open parenthesis: the callee whose argument list it opens. Those below the lowest
    /// callee's are left out (closing them counts nothing).
    parens: Vec<Option<usize>>,
    /// How many of `parens` are a callee's.
    open: usize,
    /// The path being keyed, in one buffer for the whole file (most paths are not calls).
    path: String,
}

impl Calls {
    /// Reads the path whose first segment starts at `start`; when it is called, its argument
    /// list is opened. Gives where the scan resumes.
    fn read(&mut self, bytes: &[u8], start: usize, segs: &mut Vec<(usize, usize)>) -> usize {
        let end = read_path(bytes, start, segs);
        if segs.len() < 2 || bytes.get(end) != Some(&b'(') {
            return end.max(start + 1);
        }
        self.path.clear();
        for (k, &(s, e)) in segs.iter().enumerate() {
            if k > 0 {
                self.path.push_str("::");
            }
            self.path.push_str(&String::from_utf8_lossy(&bytes[s..e]));
        }
        let Some(key) = call_key(&self.path) else {
            return end.max(start + 1);
        };
        // Looked up before it is copied: most calls repeat a path met before.
        let k = match self.keys.get(key) {
            Some(&k) => k,
            None => {
                let k = self.keys.len();
                self.keys.insert(key.to_string(), k);
                self.counts.push((0, 0));
                k
            }
        };
        self.parens.push(Some(k));
        self.open += 1;
        end + 1
    }

    /// The `)` at `at`: when it closes a callee's argument list, that call is counted.
    fn close(&mut self, bytes: &[u8], at: usize) {
        if let Some(Some(k)) = self.parens.pop() {
            self.counts[k].0 += 1;
            if awaited_after(bytes, at + 1) {
                self.counts[k].1 += 1;
            }
            self.open -= 1;
            if self.open == 0 {
                self.parens.clear();
            }
        }
    }

    fn into_uses(self) -> Vec<PathUses> {
        uses_of(self.keys, &self.counts)
    }
}

/// The uses of the callee paths called at least once, sorted by path: each path's `counts`
/// (calls, awaited) at its number in `keys`.
fn uses_of(keys: rustc_hash::FxHashMap<String, usize>, counts: &[(u32, u32)]) -> Vec<PathUses> {
    let mut out: Vec<PathUses> = (keys.into_iter())
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

/// Where the raw string whose opening quote is at `quote` starts (its `r`, `br` or `cr`), when
/// the quote is a raw string's and that prefix starts a word at or after `from`.
fn raw_string_start(b: &[u8], from: usize, quote: usize) -> Option<usize> {
    let mut r = quote;
    while r > from && b[r - 1] == b'#' {
        r -= 1;
    }
    if r == from || b[r - 1] != b'r' {
        return None;
    }
    let r = r - 1;
    if !is_ident_byte(prev_byte(b, r)) {
        return Some(r);
    }
    let prefixed = r > from && matches!(b[r - 1], b'b' | b'c');
    (prefixed && !is_ident_byte(prev_byte(b, r - 1))).then(|| r - 1)
}

/// The first byte of the word written just before the `::` at `colons` (spaces between), when
/// a word starts there, at or after `from`, with a letter or `_`: a path's first segment.
fn path_start(b: &[u8], from: usize, colons: usize) -> Option<usize> {
    let mut end = colons;
    while end > from && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let mut s = end;
    while s > from && is_ident_byte(b[s - 1]) {
        s -= 1;
    }
    let letter = b[s].is_ascii_alphabetic() || b[s] == b'_';
    (s < end && letter && !is_ident_byte(prev_byte(b, s))).then_some(s)
}

/// The segments of the path written from `start` (an identifier's first byte), as byte ranges
/// into `segs`; gives where the text after it (spaces and a turbofish skipped) resumes.
fn read_path(b: &[u8], start: usize, segs: &mut Vec<(usize, usize)>) -> usize {
    segs.clear();
    let mut i = start;
    loop {
        let s = i;
        while i < b.len() && is_ident_byte(b[i]) {
            i += 1;
        }
        segs.push((s, i));
        let after = skip_space(b, i);
        if !b[after..].starts_with(b"::") {
            return after;
        }
        let mut j = skip_space(b, after + 2);
        if b.get(j) == Some(&b'<') {
            // A turbofish: `Vec::<u8>::new`, `f::<T>(..)`.
            j = skip_space(b, skip_angles(b, j));
            if !b[j..].starts_with(b"::") {
                return j;
            }
            j = skip_space(b, j + 2);
        }
        match b.get(j) {
            Some(&c) if c.is_ascii_alphabetic() || c == b'_' => i = j,
            _ => return j,
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
mod byte_by_byte;

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
