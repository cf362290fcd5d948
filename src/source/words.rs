//! The words of a piece of Rust source text, by a byte scan: identifiers and keywords outside
//! comments and literals (a raw identifier without its `r#`), and each comment's text apart.
//! What a prefilter reads of an item before deciding whether it needs a parse.

use std::ops::Range;

/// One piece of what [`scan`] finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word<'a> {
    /// An identifier or keyword (`r#type` gives `type`).
    Ident(&'a str),
    /// A line or block comment, its markers included.
    Comment(&'a str),
}

/// Calls `each` with every identifier and comment of `text[range]`, in order; string,
/// character and raw string literals are skipped, lifetimes give their name.
pub fn scan<'a>(text: &'a str, range: Range<usize>, mut each: impl FnMut(Word<'a>)) {
    let bytes = &text.as_bytes()[..range.end.min(text.len())];
    let mut i = range.start;
    while i < bytes.len() {
        if let Some(next) = super::skip_literal_or_comment(bytes, i) {
            let next = next.max(i + 1).min(bytes.len());
            if bytes[i] == b'/' {
                each(Word::Comment(&text[i..next]));
            }
            i = next;
            continue;
        }
        let c = bytes[i];
        if super::is_ident_byte(c) && !c.is_ascii_digit() {
            let mut end = i;
            while end < bytes.len() && super::is_ident_byte(bytes[end]) {
                end += 1;
            }
            // `r#name`: the name.
            if &bytes[i..end] == b"r" && bytes.get(end) == Some(&b'#') {
                i = end + 1;
                continue;
            }
            // `b"..."`, `b'x'`, `c"..."`: a literal's prefix.
            let prefix = matches!(&bytes[i..end], b"b" | b"c");
            if prefix && matches!(bytes.get(end), Some(b'"' | b'\'')) {
                i = end;
                continue;
            }
            each(Word::Ident(&text[i..end]));
            i = end;
            continue;
        }
        if c.is_ascii_digit() {
            // A number with its suffix (`1u32`, `0x_ff`) is not a word.
            while i < bytes.len() && super::is_ident_byte(bytes[i]) {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Word<'_>> {
        let mut out = Vec::new();
        scan(text, 0..text.len(), |w| out.push(w));
        out
    }

    #[test]
    fn identifiers_and_comments_outside_literals() {
        let text = "fn r#type<'a>(x: &'a str) -> u32 { // note\n let s = \"spawn(\\\"x\\\")\"; \
                    let r = r#\"await\"#; let c = 'q'; let b = b\"sleep\"; /* a /* b */ c */ 0x1fu32 }";
        let got = words(text);
        use Word::*;
        assert_eq!(
            got,
            [
                Ident("fn"),
                Ident("type"),
                Ident("a"),
                Ident("x"),
                Ident("a"),
                Ident("str"),
                Ident("u32"),
                Comment("// note"),
                Ident("let"),
                Ident("s"),
                Ident("let"),
                Ident("r"),
                Ident("let"),
                Ident("c"),
                Ident("let"),
                Ident("b"),
                Comment("/* a /* b */ c */"),
            ]
        );
    }

    #[test]
    fn a_range_is_read_alone() {
        let text = "fn a() {}\nasync fn b() {}\n";
        let mut got = Vec::new();
        scan(text, 10..text.len(), |w| got.push(w));
        assert_eq!(
            got,
            [Word::Ident("async"), Word::Ident("fn"), Word::Ident("b")]
        );
    }
}
