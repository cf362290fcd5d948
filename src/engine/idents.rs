//! The names a file's code holds, for the walk cache (see [`crate::walk_cache::WalkEntry`]):
//! the ids of its identifiers and of the words of its literals (`format!("{NAME}")` names
//! `NAME`), not of its comments, nor of its `#[doc ..]` attributes (nor of any bracket group
//! whose first token is `doc`).
//!
//! What they are is defined by [`by_tokens`], over proc-macro2's tokens; [`of_text`] gives the
//! same from one pass over the bytes (lexing the text again cost as much as a tenth of a cold
//! run), and falls back to the tokens wherever the text holds something it does not read the
//! way proc-macro2 does (a non-ASCII character outside literals and comments, a shebang, a
//! byte order mark, a front matter, rustc's `(/*ERROR*/)` token).

use super::reuse::{name_id, tokens};

/// The ids of the names the text of a file that lexes holds, sorted, each once; as
/// [`by_tokens`] gives them. Held until the file is walked: sized to what it holds (a 10 MB
/// file's 1.35 million identifiers are 257,000 names: its vector kept 8.4 MB for 1 MB).
pub(super) fn of_text(text: &str) -> Vec<u32> {
    let mut ids = scan(text).unwrap_or_else(|| by_tokens(text));
    ids.sort_unstable();
    ids.dedup();
    ids.shrink_to_fit();
    ids
}

/// The ids, from proc-macro2's tokens (unsorted); a text that does not lex: every word of it.
pub(super) fn by_tokens(text: &str) -> Vec<u32> {
    fn collect(tokens: proc_macro2::TokenStream, ids: &mut Vec<u32>) {
        for t in tokens {
            match t {
                proc_macro2::TokenTree::Ident(i) => {
                    let name = i.to_string();
                    let name = name.strip_prefix("r#").unwrap_or(&name);
                    ids.push(name_id(name));
                }
                proc_macro2::TokenTree::Literal(l) => {
                    super::reuse::tokens(l.to_string().as_bytes(), false, ids);
                }
                proc_macro2::TokenTree::Group(g) => {
                    // A doc comment, `#[doc = ".."]` once lexed, names nothing.
                    let first = g.stream().into_iter().next();
                    let is_doc = g.delimiter() == proc_macro2::Delimiter::Bracket
                        && matches!(&first, Some(proc_macro2::TokenTree::Ident(i)) if i == "doc");
                    if !is_doc {
                        collect(g.stream(), ids);
                    }
                }
                proc_macro2::TokenTree::Punct(_) => {}
            }
        }
    }
    let mut ids = Vec::new();
    match text.parse::<proc_macro2::TokenStream>() {
        Ok(tokens) => collect(tokens, &mut ids),
        Err(_) => tokens(text.as_bytes(), false, &mut ids),
    }
    ids
}

fn is_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_part(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The ids in one pass over the bytes (unsorted), or `None` where [`by_tokens`] must say.
/// Only called on texts that lex (the caller parsed them): an unterminated literal or comment
/// gives `None`, never a guess.
fn scan(text: &str) -> Option<Vec<u32>> {
    let b = text.as_bytes();
    if text.starts_with('\u{feff}')
        || (text.starts_with("#!") && !text.starts_with("#!["))
        || text.trim_start().starts_with("---")
        || text.contains("(/*ERROR*/)")
    {
        return None;
    }
    let mut ids = Vec::new();
    // Open delimiters, and the depth at which a `[doc ..]` group being skipped closes.
    let mut depth = 0usize;
    let mut skip_to: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        let emit = skip_to.is_none();
        let c = b[i];
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr_newline(b, i);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = crate::source::block_comment_end(b, i)?;
            }
            b'"' => {
                let end = crate::source::string_end(b, i)?;
                if emit {
                    tokens(&b[i..end], false, &mut ids);
                }
                i = end;
            }
            b'\'' => match char_literal_end(b, i)? {
                Some(end) => {
                    if emit {
                        tokens(&b[i..end], false, &mut ids);
                    }
                    i = end;
                }
                // A lifetime's quote: its name is read next, as an identifier.
                None => i += 1,
            },
            b'(' | b'{' => {
                depth += 1;
                i += 1;
            }
            b'[' => {
                depth += 1;
                i += 1;
                if emit && doc_group_follows(b, i)? {
                    skip_to = Some(depth - 1);
                }
            }
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if skip_to == Some(depth) {
                    skip_to = None;
                }
                i += 1;
            }
            b'0'..=b'9' => {
                // A number, with its suffix or exponent: no name, unless a word follows a digit
                // (`1u8` names `u8`, as the literal's words do).
                let start = i;
                while i < b.len() && (is_part(b[i]) || (b[i] == b'.' && next_is_digit(b, i))) {
                    i += 1;
                }
                if b.get(i).is_some_and(|&x| x >= 0x80) {
                    return None;
                }
                if emit {
                    tokens(&b[start..i], false, &mut ids);
                }
            }
            _ if is_start(c) => {
                let start = i;
                while i < b.len() && is_part(b[i]) {
                    i += 1;
                }
                if b.get(i).is_some_and(|&x| x >= 0x80) {
                    return None;
                }
                let word = &b[start..i];
                let next = b.get(i).copied();
                let after = b.get(i + 1).copied();
                if word == b"r" && next == Some(b'#') && after.is_some_and(is_start) {
                    // A raw identifier: `r#name` names `name`.
                    let name_start = i + 1;
                    i = name_start;
                    while i < b.len() && is_part(b[i]) {
                        i += 1;
                    }
                    if b.get(i).is_some_and(|&x| x >= 0x80) {
                        return None;
                    }
                    if emit {
                        ids.push(name_id(std::str::from_utf8(&b[name_start..i]).ok()?));
                    }
                } else if matches!(word, b"r" | b"br" | b"cr") && matches!(next, Some(b'"' | b'#'))
                {
                    let end = crate::source::raw_string_end(b, i)?;
                    if emit {
                        tokens(&b[start..end], false, &mut ids);
                    }
                    i = end;
                } else if emit {
                    ids.push(name_id(std::str::from_utf8(word).ok()?));
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => i += 1,
            _ if c >= 0x80 => return None,
            _ => i += 1,
        }
    }
    (depth == 0).then_some(ids)
}

fn next_is_digit(b: &[u8], i: usize) -> bool {
    b.get(i + 1).is_some_and(u8::is_ascii_digit)
}

/// The offset of the newline ending the line comment at `i` (or the end).
fn memchr_newline(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&x| x == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// At a quote: `Some(Some(end))` past a character literal, `Some(None)` for a lifetime's quote
/// (proc-macro2 reads a literal first: `'x'` with one character or an escape).
fn char_literal_end(b: &[u8], i: usize) -> Option<Option<usize>> {
    let rest = &b[i + 1..];
    match rest.first() {
        Some(b'\\') => {
            // `'\n'`, `'\''`, `'\x41'`, `'\u{1F600}'`: the closing quote within a few bytes.
            let close = rest.iter().skip(2).take(10).position(|&x| x == b'\'')?;
            Some(Some(i + 1 + 2 + close + 1))
        }
        Some(&first) => {
            let len = match first {
                0x00..=0x7f => 1,
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            Some((rest.get(len) == Some(&b'\'')).then_some(i + 1 + len + 1))
        }
        None => None,
    }
}

/// Whether the bracket group opened just before `i` starts with the identifier `doc` (a doc
/// comment first is a `#` first: no).
fn doc_group_follows(b: &[u8], mut i: usize) -> Option<bool> {
    loop {
        match b.get(i)? {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => i += 1,
            b'/' if b[i..].starts_with(b"//") => {
                let doc = (b[i..].starts_with(b"///") && !b[i..].starts_with(b"////"))
                    || b[i..].starts_with(b"//!");
                if doc {
                    return Some(false);
                }
                i = memchr_newline(b, i);
            }
            b'/' if b[i..].starts_with(b"/*") => {
                let doc = (b[i..].starts_with(b"/**")
                    && !b[i..].starts_with(b"/***")
                    && !b[i..].starts_with(b"/**/"))
                    || b[i..].starts_with(b"/*!");
                if doc {
                    return Some(false);
                }
                i = crate::source::block_comment_end(b, i)?;
            }
            &x if x >= 0x80 => return None,
            _ => {
                let is_doc = b[i..].starts_with(b"doc")
                    && b.get(i + 3).is_none_or(|&x| !is_part(x) && x < 0x80);
                return Some(is_doc);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut ids: Vec<u32>) -> Vec<u32> {
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn same(text: &str) {
        let fast = scan(text).unwrap_or_else(|| panic!("no scan of {text:?}"));
        assert_eq!(sorted(fast), sorted(by_tokens(text)), "{text:?}");
    }

    /// The names of a text that repeats a few of them many times are held in a vector of
    /// their size, not of the identifiers scanned.
    #[test]
    fn the_names_are_held_in_a_vector_of_their_size() {
        let text = "fn f(a: u32) -> u32 { a + a }\n".repeat(5_000);
        let ids = of_text(&text);
        assert_eq!(
            ids.len(),
            4,
            "fn, f, a and u32: a keyword is an identifier to the lexer"
        );
        assert!(ids.capacity() < 8, "{}", ids.capacity());
    }

    #[test]
    fn the_scan_names_what_the_tokens_name() {
        for text in [
            "fn a() { b(c, 1u8, 2.5e-3f32, 0x1F, 1_000usize, x.0.1, 1..2, 3.max(4)); }",
            "// a comment naming hidden\nfn f() {} /* block /* nested */ more */ struct S;",
            "/// doc naming secret\n//! inner doc\n/** block doc */ /*! inner */ /**/ /***/ fn g(){}",
            "#[doc = \"words\"] #[doc(hidden)] #![doc(html_root_url = \"x\")] fn h() {}",
            "fn i() { let doc = [doc, 1]; let v = [docs, 2]; let w = [ /* c */ doc ]; }",
            "fn j() { let v = [/// x\n doc]; let w = [//! y\n a]; let z = [/** q */ b]; }",
            "fn k<'a>(x: &'a str) -> &'static str { let c = '\\''; let d = '\"'; let e = 'x'; 'lab: loop {} }",
            "fn l() { let s = \"a \\\" // not a comment [doc] b\"; let t = b\"bytes\"; let u = c\"cstr\"; }",
            "fn m() { let r = r#\"raw \" still\"#; let q = r##\"a\"#b\"##; let p = br\"x\"; let o = cr#\"y\"#; }",
            "fn r#try() { r#match(); let r = 1; let x = r; }",
            "fn n() { let c = '\\u{1F600}'; let d = '\\x41'; let e = b'\\n'; let f = 'é'; }",
            "fn o() { \"suffix\"abc; 'x'def; println!(\"{NAME} é {}\", r); }",
            "macro_rules! m { ($x:expr) => { [doc $x] }; } fn p() { m!([doc]); }",
            "fn q() { a/b; a/ *b; }",
        ] {
            same(text);
        }
    }

    #[test]
    fn what_the_scan_does_not_read_is_left_to_the_tokens() {
        for text in [
            "\u{feff}fn a() {}",
            "#!/usr/bin/env run\nfn a() {}",
            "---\n[package]\n---\nfn a() {}",
            "fn é() {}",
            "fn a() { (/*ERROR*/) }",
        ] {
            assert!(scan(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn the_fixtures_are_named_alike_both_ways() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            if text.parse::<proc_macro2::TokenStream>().is_err() {
                continue;
            }
            if let Some(fast) = scan(&text) {
                assert_eq!(
                    sorted(fast),
                    sorted(by_tokens(&text)),
                    "{}",
                    entry.path().display()
                );
                checked += 1;
            }
        }
        assert!(checked > 50, "{checked} fixture files checked");
    }
}
