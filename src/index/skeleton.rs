//! The item skeleton of a file, for the index: its text with function bodies blanked out,
//! parsed by syn. Index facts only need items and signatures, and most of a file's syntax is in
//! its function bodies, so a byte scan that finds the bodies plus a parse of what is left costs
//! a fraction of a full parse.
//!
//! Blanking replaces every byte of a body but newlines with a space, so lines stay where they
//! were. A body is kept when the index reads it: [`FileFacts`](super::facts::FileFacts) records
//! whether a function hands a parameter to an offloading call or to `catch_unwind`, so a body
//! mentioning `spawn`, `block_in_place`, `unblock` or `catch_unwind` stays whole, a body whose signature names a future (does it start
//! its work before returning the future?), and the types, traits and impls a body declares,
//! so a body with one of their keywords stays whole too. A macro's group (`cfg_rt! { .. }`, the
//! rules of `macro_rules!`) stays whole with its comments: the facts keep a macro call's tokens
//! and a file's macro rules as text, to expand them later. When the skeleton does not parse, the
//! caller falls back to a full parse. The facts are the same either way: the tests compare them
//! on every file of this repository, and `examples/skeleton_check.rs` on any tree (0 differences
//! on the 11,279 files of the benchmark's vendored crates and check set).

use super::doc_cancel::{DocCancel, CANCEL_SAFE_MARK, CANCEL_UNSAFE_MARK};
pub(crate) use crate::source::skip_literal_or_comment;
use crate::source::{is_ident_byte, prev_byte};

/// Body text that keeps a body whole.
const KEEP_BODY: &[&str] = &["spawn", "block_in_place", "unblock", "catch_unwind"];

/// The skeleton of `text` parsed, or `None` when it does not parse.
pub fn parse(text: &str) -> Option<syn::File> {
    crate::source::parse_text(&skeleton_text(text)).ok()
}

/// `text` with the bodies of `fn` items blanked out.
pub fn skeleton_text(text: &str) -> String {
    skeleton_text_keeping(text, true)
}

/// [`skeleton_text`], or with `macro_groups` false the bodies in macro groups blanked too (as
/// before issue 33: their facts may differ from a full parse's; for `examples/skeleton_check`
/// to measure what keeping them costs).
pub fn skeleton_text_keeping(text: &str, macro_groups: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut depth = 0usize;
    // After `fn name`: the bracket depth of the signature, and whether `(` was seen there.
    let mut sig: Option<(usize, bool)> = None;
    let mut i = 0;
    // Where the current signature starts (from `fn`).
    let mut sig_start = 0;
    // The outer doc comments since the last token, when one of them may speak of cancel safety
    // (most files have no such section: then none is looked at).
    let mut docs = DocRun::default();
    let read_docs = may_have_cancel_safety_docs(text);
    while i < bytes.len() {
        if let Some(next) = skip_literal_or_comment(bytes, i) {
            // Comments go too: doc comments are attributes that syn would parse.
            if bytes[i] == b'/' {
                if read_docs {
                    docs.comment(text, i, next);
                }
                blank(&mut out[i..next]);
            } else if !docs.comments.is_empty() {
                docs.end(text, &mut out);
            }
            i = next;
            continue;
        }
        let c = bytes[i];
        if !docs.comments.is_empty() && !c.is_ascii_whitespace() {
            docs.end(text, &mut out);
        }
        match c {
            b'(' | b'[' => {
                if let Some((d, params)) = &mut sig {
                    if *d == depth && c == b'(' {
                        *params = true;
                    }
                }
                depth += 1;
            }
            b'{' => {
                if sig.is_some_and(|(d, params)| d == depth && params) {
                    sig = None;
                    let close = matching_brace(bytes, i);
                    let body = &text[i + 1..close.min(bytes.len())];
                    // Only a body that may hand a parameter on is read by the index.
                    let has_params = text[sig_start..i].contains(':');
                    let offloads = has_params && KEEP_BODY.iter().any(|k| body.contains(k));
                    // A fn returning a future: whether it starts the work before returning it.
                    let returns_future = text[sig_start..i].contains("Future");
                    // A `Drop` impl's `drop`: whether it only cleans up or hands work off.
                    let drops = is_drop_fn(&text[sig_start..i]);
                    if !offloads && !returns_future && !drops && !declares_items(body) {
                        blank(&mut out[i + 1..close.min(bytes.len())]);
                    }
                    i = close + 1;
                    continue;
                }
                depth += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if sig.is_some_and(|(d, _)| depth < d) {
                    sig = None;
                }
            }
            b';' if sig.is_some_and(|(d, _)| d == depth) => sig = None,
            _ if is_ident_byte(c) && !is_ident_byte(prev_byte(bytes, i)) => {
                let end = word_end(bytes, i);
                // A macro's group outside a signature (an item macro's call, `macro_rules!`'s
                // rules): the facts keep its tokens as text, so it stays whole, comments too.
                if sig.is_none() && macro_groups {
                    if let Some(close) = macro_group(bytes, i, end) {
                        i = close + 1;
                        continue;
                    }
                }
                if &bytes[i..end] == b"fn" {
                    let mut j = end;
                    while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if j > end && j < bytes.len() && is_ident_byte(bytes[j]) {
                        sig = Some((depth, false));
                        sig_start = i;
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII bytes were written over whole characters' bytes, or left alone.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Whether the text may hold a `# Cancel safety` section that the docs' reader would take: its
/// heading, whatever the case of `safety`, with `ancel` in lower case as
/// [`DocCancel::of_attrs`] and [`DocRun::comment`] require.
fn may_have_cancel_safety_docs(text: &str) -> bool {
    text.contains("ancel s") || text.contains("ancel S")
}

/// The outer doc comments (`///`, `/** */`) of one item, as the scan meets them: what their
/// `# Cancel safety` section says is all the index keeps of them, written back as a marker
/// attribute ([`DocCancel::of_attrs`] reads it) over the blanked comments.
#[derive(Default)]
struct DocRun {
    /// The doc comments seen since the last token: (start, end) in the text.
    comments: Vec<(usize, usize)>,
    /// One of them mentions cancelling.
    mentions: bool,
}

impl DocRun {
    fn comment(&mut self, text: &str, start: usize, end: usize) {
        let c = &text[start..end];
        let outer_doc = (c.starts_with("///") && !c.starts_with("////"))
            || (c.starts_with("/**") && !c.starts_with("/***") && c != "/**/");
        if outer_doc {
            self.comments.push((start, end));
            self.mentions |= c.contains("ancel");
        }
    }

    /// A token: the comments so far belong to the item it starts.
    fn end(&mut self, text: &str, out: &mut [u8]) {
        if self.mentions {
            self.mark(text, out);
        }
        self.comments.clear();
        self.mentions = false;
    }

    fn mark(&self, text: &str, out: &mut [u8]) {
        // The docs as syn gives them: the text after `///`, or between `/**` and `*/`.
        let mut doc = String::new();
        for &(start, end) in &self.comments {
            let c = &text[start..end];
            let inner = match c.strip_prefix("///") {
                Some(line) => line,
                None => c.get(3..c.len().saturating_sub(2)).unwrap_or(""),
            };
            doc.push_str(inner);
            doc.push('\n');
        }
        let mark = match DocCancel::of_doc(&doc) {
            DocCancel::Silent => return,
            DocCancel::Safe => CANCEL_SAFE_MARK,
            DocCancel::NotSafe => CANCEL_UNSAFE_MARK,
        };
        let attr = format!("#[{mark}]");
        // On the first stretch of a comment without a line end that holds it (the section's
        // heading always does).
        for &(start, end) in &self.comments {
            let mut from = start;
            while from < end {
                let to = text[from..end].find(['\n', '\r']).map_or(end, |n| from + n);
                if to - from >= attr.len() {
                    out[from..from + attr.len()].copy_from_slice(attr.as_bytes());
                    return;
                }
                from = to + 1;
            }
        }
    }
}

/// `fn drop(&mut self)`: the signature of `Drop::drop`.
fn is_drop_fn(sig: &str) -> bool {
    sig.strip_prefix("fn")
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix("drop"))
        .is_some_and(|rest| rest.trim_start().starts_with('('))
}

/// Item keywords: the index reads the types, traits and impls a body declares.
const ITEM_WORDS: &[&str] = &["struct", "enum", "union", "type", "trait", "impl", "mod"];

/// Whether `body` may declare a type, trait, impl or module: one of their keywords as a word followed by
/// a space or `<` (also in strings or `impl Trait` types: keeping a body is always safe).
fn declares_items(body: &str) -> bool {
    let bytes = body.as_bytes();
    ITEM_WORDS.iter().any(|w| {
        body.match_indices(w).any(|(at, _)| {
            !is_ident_byte(prev_byte(bytes, at))
                && bytes
                    .get(at + w.len())
                    .is_some_and(|b| b.is_ascii_whitespace() || *b == b'<')
        })
    })
}

/// Spaces over everything but line ends.
fn blank(bytes: &mut [u8]) {
    for b in bytes {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
}

fn word_end(bytes: &[u8], start: usize) -> usize {
    (start..bytes.len())
        .find(|&j| !is_ident_byte(bytes[j]))
        .unwrap_or(bytes.len())
}

/// When the word at `start..end` is a macro's name followed by `!` and its group (`m! { .. }`,
/// `m!(..)`, `m![..]`, or `macro_rules! name { .. }`): the index of the group's closing bracket
/// (the end of the text if none does).
fn macro_group(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    let skip_ws = |mut j: usize| {
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        j
    };
    let bang = skip_ws(end);
    if bytes.get(bang) != Some(&b'!') {
        return None;
    }
    let mut open = skip_ws(bang + 1);
    if &bytes[start..end] == b"macro_rules" && bytes.get(open).is_some_and(|&b| is_ident_byte(b)) {
        open = skip_ws(word_end(bytes, open));
    }
    matches!(bytes.get(open), Some(b'{' | b'(' | b'[')).then(|| matching_close(bytes, open))
}

/// The index of the bracket closing the one at `open` (the end of the text if none does).
fn matching_close(bytes: &[u8], open: usize) -> usize {
    matching(bytes, open, b"{([", b"})]")
}

/// The index of the `}` closing the `{` at `open` (the end of the text if none does).
fn matching_brace(bytes: &[u8], open: usize) -> usize {
    matching(bytes, open, b"{", b"}")
}

/// The index of the closer matching the opener at `open`, counting only the brackets of
/// `openers` and `closers` outside literals and comments.
fn matching(bytes: &[u8], open: usize, openers: &[u8], closers: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        if let Some(next) = skip_literal_or_comment(bytes, i) {
            i = next;
            continue;
        }
        let b = bytes[i];
        if openers.contains(&b) {
            depth += 1;
        } else if closers.contains(&b) {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return i;
            }
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::super::facts::FileFacts;

    fn same_facts(src: &str) {
        let full = FileFacts::extract(&syn::parse_file(src).unwrap());
        let skel = FileFacts::extract(&super::parse(src).expect("the skeleton parses"));
        assert_eq!(full, skel, "{src}");
    }

    #[test]
    fn bodies_are_emptied_and_the_facts_stay() {
        same_facts(
            "#!/usr/bin/env run-cargo-script\n//! doc\nuse std::io;\n\
             pub async fn f(x: u8) -> u8 { let g = |y| y; fn inner() {} g(x) }\n\
             fn g<const N: usize>(a: [u8; { N }]) where u8: Copy { }\n\
             type F = fn(u8) -> u8;\n\
             impl S { pub fn new() -> Self { S { f: { 1 } } } async fn m(&self) {} }\n\
             trait T { fn d(&self) {} fn e(&self); async fn a(&self) -> u8 { 1 } }\n\
             extern \"C\" { fn ext(x: u8); }\n\
             mod m { pub fn run(f: F) { std::thread::spawn(f); } }\n\
             fn off(f: F) { tokio::task::spawn_blocking(f); }\n\
             cfg_rt! { pub fn spawned() -> JoinHandle<()> { tokio::spawn(async {}) } }\n\
             const C: fn() = { fn h() {} h };\n\
             struct S { f: fn(u8) }\n",
        );
        same_facts("\u{feff}#![allow(dead_code)]\nfn main() {}\n");
        same_facts("fn t() { impl<T> Tr for W<T> {} }\nfn u() { struct L; }\n");
    }

    /// A macro call's tokens and a macro's rules are kept as text: the bodies and comments in
    /// them stay, or the text would differ from a full parse's.
    #[test]
    fn macro_groups_stay_whole() {
        let src = "cfg_a! {\n    /// Docs.\n    cfg_b! { pub fn f(x: u8) -> u8 { let y = x; y } }\n}\n                   cfg_c!(fn g() { h() });\n                   macro_rules! m { () => { fn k() -> $crate::Ret { go() } } }\n                   m![fn l() { 1 }];\n                   impl S { fn n(&self) -> bool { self.0 != 1 } }\n                   fn o() -> ! { loop {} }\n";
        same_facts(src);
        let full = FileFacts::extract(&syn::parse_file(src).unwrap());
        assert!(full.modules[0].macro_calls[0].tokens.contains("let y = x"));
        assert!(full.macro_defs[0].1.contains("go ()"));
        // Fn bodies outside them are still blanked.
        let text = super::skeleton_text(src);
        assert!(!text.contains("self.0") && !text.contains("loop"));
        assert_eq!(text.len(), src.len());
    }

    /// A `# Cancel safety` section survives the blanking as a flag, in every doc-comment form.
    #[test]
    fn cancel_safety_docs_are_kept_as_a_flag() {
        use super::super::doc_cancel::DocCancel;
        let src = "/// Reads.\n///\n/// # Cancel safety\n///\n/// This method is not cancel safe.\n\
                   #[inline]\npub async fn a() {}\n\
                   /**\n * # Cancel safety\n * Cancel safe.\n */\npub fn b() -> F { F }\n\
                   /** # Cancel safety\r\nNot cancel-safe. */ fn c() {}\n\
                   impl S {\n    /// # Cancel safety\n    // a plain comment between\n    /// This method is cancel safe.\n    pub async fn d(&self) {}\n\
                   /// Cancel it any time: there is no section.\n    fn e(&self) {}\n}\n\
                   trait T {\n    /// # Cancel safety\n    /// Not cancel safe.\n    fn f(&mut self);\n}\n\
                   /// # Cancel safety\n/// Not cancel safe.\n#[doc = \"more\"]\nfn g(\n    /// # Cancel safety\n    /// cancel safe\n    x: u8,\n) {}\n\
                   /// # Cancel SAFETY\n/// NOT cancel safe\npub fn h() {}\n";
        same_facts(src);
        let skel = FileFacts::extract(&super::parse(src).unwrap());
        let m = &skel.modules[0];
        let flags: Vec<(&str, DocCancel)> = m
            .fns
            .iter()
            .chain(m.impls.iter().flat_map(|i| &i.fns))
            .chain(m.traits.iter().flat_map(|t| &t.1))
            .map(|f| (f.name.as_str(), f.cancel_doc))
            .collect();
        use DocCancel::*;
        assert_eq!(
            flags,
            [
                ("a", NotSafe),
                ("b", Safe),
                ("c", NotSafe),
                ("g", NotSafe),
                ("h", NotSafe),
                ("d", Safe),
                ("e", Silent),
                ("f", NotSafe)
            ]
        );
        // Lines stay where they were.
        assert_eq!(
            super::skeleton_text(src).lines().count(),
            src.lines().count()
        );
    }

    #[test]
    fn offloading_bodies_are_kept() {
        let src = "fn run(f: F) { std::thread::spawn(f); }\n";
        let skel = FileFacts::extract(&super::parse(src).unwrap());
        assert!(skel.modules[0].fns[0].offloads_param());
    }

    /// Every Rust file of this repository: the skeleton gives the same facts as a full parse.
    #[test]
    fn same_facts_on_the_repository() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for dir in ["src", "tests", "fixtures", "examples", "fuzz"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                if entry.path().extension().is_none_or(|x| x != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(entry.path()).unwrap();
                let Ok(ast) = syn::parse_file(&text) else {
                    continue;
                };
                // Macro rules and calls' tokens too, as text.
                let skel = super::parse(&text).map(|f| FileFacts::extract(&f));
                assert_eq!(
                    skel.as_ref(),
                    Some(&FileFacts::extract(&ast)),
                    "{}",
                    entry.path().display()
                );
                checked += 1;
            }
        }
        assert!(checked > 50, "{checked} files");
    }
}
