//! A large file read group by group: its top-level items split into groups of about
//! [`GROUP_BYTES`] by a lexical scan (strings, raw strings, char literals and lifetimes,
//! nested block comments and doc comments told apart), each group's text parsed alone so that
//! only one group's syntax tree is alive at a time (syn's tree costs about 100 bytes per byte
//! of source). Positions stay the file's: the parsed text is made of pieces of the file, and
//! [`SourceFile::placed`] maps a line/column of the parsed text to the one a parse of the whole
//! file gives.
//!
//! What crosses groups: the file's own `macro_rules!` (at the top level and in inline modules,
//! as [`crate::index::macro_expand::definitions`] and the lowering's local macros read them)
//! are found by the same scan and their text appended to every group that names one, and to
//! the first, so that each group's parse holds the definitions with their positions. The file's
//! inner attributes are in the first group; a later group that holds one (or fails to parse,
//! or makes the first group's attributes change) makes the caller parse the whole file, so a
//! file that does not parse gives the error a whole parse gives.

use super::{skip_block_comment, skip_raw_string, skip_string, SourceFile};
use proc_macro2::LineColumn;
use std::ops::Range;

/// About how many bytes of items a group holds (it ends at the first item end after that).
/// Each worker holds one group's syntax tree, IR and facts at a time (~100 bytes of heap per
/// byte of source) and frees them before the next: with 64 KB groups a 10 MB file's walk held
/// ~13 MB for its two workers' groups and left as much again in freed pages the allocator keeps
/// for a while; 8 KB groups hold an eighth of it, for no more time (bench/README, `bigmem5`).
pub const GROUP_BYTES: usize = 8 * 1024;

/// Files larger than this many bytes are parsed group by group (`UNAWAITED_SPLIT_ABOVE`
/// overrides it, for tests and measurements: `0` parses every file item by item).
pub fn split_above() -> usize {
    static ABOVE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *ABOVE.get_or_init(|| {
        std::env::var("UNAWAITED_SPLIT_ABOVE")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(1_000_000)
    })
}

/// Where a piece of the parsed text lies in the file: the parsed text's line `rel_line` is the
/// file's `line`, and on that first line columns are shifted by `column` (in characters, as a
/// parse of the whole file counts them: without a BOM).
#[derive(Debug, Clone, Copy)]
pub struct Piece {
    rel_line: usize,
    line: usize,
    column: usize,
}

/// [`SourceFile::placed`] with pieces.
pub(super) fn place(pieces: &[Piece], lc: LineColumn) -> LineColumn {
    // Line 1, column 0 is also where a token made by code (`Span::call_site()`) says it is;
    // no group but the first (placed as it is) has a token there: the others start with the
    // line ending after an item.
    if lc.line <= 1 && lc.column == 0 {
        return lc;
    }
    let i = pieces.partition_point(|p| p.rel_line <= lc.line);
    let Some(p) = i.checked_sub(1).map(|i| pieces[i]) else {
        return lc;
    };
    LineColumn {
        line: p.line + (lc.line - p.rel_line),
        column: lc.column + if lc.line == p.rel_line { p.column } else { 0 },
    }
}

/// The groups of a file and the `macro_rules!` every group may need.
#[derive(Debug, Clone)]
pub struct Split {
    /// Byte ranges of the groups, in order; the text between them is whitespace and comments.
    pub groups: Vec<Range<usize>>,
    /// Byte ranges of the file's `macro_rules!` items that the lowering and the index facts
    /// read (top level and inline modules, 16 deep), in order.
    macros: Vec<Range<usize>>,
    /// Per group: whether its text names one of those macros (their text is then appended).
    names_macro: Vec<bool>,
}

impl Split {
    /// The file's bytes that the parse of group `k` reads ([`SourceFile::parse_group`]): the
    /// group's, and the macros' appended to it.
    pub fn read_by(&self, k: usize) -> Vec<Range<usize>> {
        let appended: &[Range<usize>] = match self.names_macro.get(k) {
            Some(true) => &self.macros,
            _ => &[],
        };
        self.groups
            .get(k)
            .into_iter()
            .chain(appended)
            .cloned()
            .collect()
    }
}

/// Splits `text` into groups of top-level items of about `target` bytes each (`0`: every
/// item alone). A group ends after a `}` or `;` outside any bracket that ends its line.
/// `None` when the scan finds brackets that do not balance or a `macro_rules!` it cannot read:
/// the whole file is parsed then (and gives the error).
pub fn split(text: &str, target: usize) -> Option<Split> {
    let bytes = text.as_bytes();
    let mut lexer = Lexer { bytes, i: 0 };
    // For each open bracket: whether it is an inline module's brace (`mod name {`).
    let mut open: Vec<bool> = Vec::new();
    let mut groups = Vec::new();
    let mut macros = Vec::new();
    let mut start = 0;
    let mut last_end = 0;
    let (mut prev, mut prev2) = (None, None);
    while let Some(tok) = lexer.next() {
        match tok.kind {
            Kind::Open(b) => {
                let module = b == b'{'
                    && matches!(prev, Some(t) if is_word(bytes, t))
                    && matches!(prev2, Some(t) if word(bytes, t) == b"mod");
                open.push(module);
            }
            Kind::Close(_) => {
                open.pop()?;
            }
            _ => {}
        }
        // An item ends here: a group may.
        let item_end = matches!(tok.kind, Kind::Close(b'}') | Kind::Punct(b';'))
            && open.is_empty()
            && ends_line(bytes, tok.end);
        if item_end && tok.end - start >= target {
            groups.push(start..tok.end);
            start = tok.end;
        }
        match tok.kind {
            Kind::Word
                if word(bytes, tok) == b"macro_rules"
                    && open.len() <= 16
                    && open.iter().all(|&m| m) =>
            {
                if let Some(end) = macro_end(lexer.clone()) {
                    macros.push(tok.start..end);
                } else if matches!(lexer.clone().next(), Some(t) if t.kind == Kind::Punct(b'!')) {
                    return None;
                }
            }
            _ => {}
        }
        last_end = tok.end;
        prev2 = prev;
        prev = Some(tok);
    }
    if !open.is_empty() {
        return None;
    }
    if last_end > start || groups.is_empty() {
        groups.push(start..text.len());
    }
    let names: Vec<&[u8]> = macros
        .iter()
        .filter_map(|m| macro_name(bytes, m.clone()))
        .collect();
    let names_macro = groups
        .iter()
        .enumerate()
        .map(|(k, g)| {
            // The first group's parse lowers the local macros' bodies.
            k == 0 && !macros.is_empty()
                || (!names.is_empty() && {
                    let mut lx = Lexer {
                        bytes: &bytes[..g.end],
                        i: g.start,
                    };
                    std::iter::from_fn(|| lx.next())
                        .filter(|t| t.kind == Kind::Word)
                        .any(|t| names.contains(&unraw(word(bytes, t))))
                })
        })
        .collect();
    Some(Split {
        groups,
        macros,
        names_macro,
    })
}

/// A group parsed alone: its own items (the file's inner attributes in the first), and the
/// file's `macro_rules!` parsed with it when it names one.
pub struct Parsed {
    pub file: syn::File,
    pub macros: Vec<syn::Item>,
}

impl SourceFile {
    /// Parses group `k` of `split`, its pieces placed (see [`SourceFile::placed`]) until
    /// [`SourceFile::end_group`]. `None` when it does not parse alone, or holds inner attributes
    /// (but the first): parse the whole file then.
    pub fn parse_group(&self, split: &Split, k: usize) -> Option<Parsed> {
        let group = split.groups.get(k)?.clone();
        let appended: &[Range<usize>] = match split.names_macro[k] {
            true => &split.macros,
            false => &[],
        };
        let mut text = String::with_capacity(
            group.len() + appended.iter().map(|m| m.len() + 1).sum::<usize>(),
        );
        let mut pieces = Vec::with_capacity(1 + appended.len());
        let mut rel_line = 1;
        for (i, range) in std::iter::once(&group).chain(appended).enumerate() {
            if i > 0 {
                text.push('\n');
                rel_line += 1;
            }
            pieces.push(self.piece_at(range.start, rel_line));
            let piece = self.slice(range.clone());
            text.push_str(piece);
            rel_line += piece.bytes().filter(|&b| b == b'\n').count();
        }
        self.set_pieces(pieces);
        let parsed = match k {
            0 => syn::parse_file(&text),
            _ => syn::parse_str::<syn::File>(&text),
        };
        let Ok(mut file) = parsed else {
            self.end_group();
            return None;
        };
        if k > 0 && !file.attrs.is_empty() || file.items.len() < appended.len() {
            self.end_group();
            return None;
        }
        let macros = file.items.split_off(file.items.len() - appended.len());
        let all_macro_rules = macros
            .iter()
            .all(|m| matches!(m, syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules")));
        if !all_macro_rules {
            self.end_group();
            return None;
        }
        Some(Parsed { file, macros })
    }

    /// Positions are the whole parse's again (after a group's tree is dropped), on this
    /// thread.
    pub fn end_group(&self) {
        self.set_pieces(Vec::new());
    }

    /// The piece of the parsed text that starts at the parsed text's line `rel_line` with the
    /// file's byte `byte`.
    fn piece_at(&self, byte: usize, rel_line: usize) -> Piece {
        let line = match self.line_starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let mut column = self.slice(self.line_starts[line]..byte).chars().count();
        if line == 0 && self.has_bom && byte > 0 {
            column -= 1;
        }
        Piece {
            rel_line,
            line: line + 1,
            column,
        }
    }
}

/// Whether only a line ending (or the file's end) follows byte `end` (spaces before it too).
fn ends_line(bytes: &[u8], end: usize) -> bool {
    let rest = &bytes[end..];
    let n = rest
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(rest.len());
    matches!(rest.get(n), None | Some(b'\n') | Some(b'\r'))
}

/// Where the `macro_rules!` item whose `macro_rules` the lexer just read ends: after `!`, a
/// name and a delimited body (and the `;` a parenthesized or bracketed one ends with).
fn macro_end(mut lexer: Lexer) -> Option<usize> {
    let bang = lexer.next()?;
    if bang.kind != Kind::Punct(b'!') {
        return None;
    }
    let mut tok = lexer.next()?;
    if tok.kind == Kind::Word {
        tok = lexer.next()?;
    }
    let Kind::Open(delim) = tok.kind else {
        return None;
    };
    let mut depth = 1usize;
    let mut end = tok.end;
    while depth > 0 {
        let t = lexer.next()?;
        match t.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => depth -= 1,
            _ => {}
        }
        end = t.end;
    }
    if delim != b'{' {
        let mut after = lexer.clone();
        if let Some(t) = after.next() {
            if t.kind == Kind::Punct(b';') {
                end = t.end;
            }
        }
    }
    Some(end)
}

/// The name of the `macro_rules!` item at `range`.
fn macro_name(bytes: &[u8], range: Range<usize>) -> Option<&[u8]> {
    let mut lexer = Lexer {
        bytes: &bytes[..range.end],
        i: range.start,
    };
    lexer.next()?;
    lexer.next()?;
    let name = lexer.next()?;
    (name.kind == Kind::Word).then(|| unraw(word(bytes, name)))
}

fn unraw(word: &[u8]) -> &[u8] {
    word.strip_prefix(b"r#").unwrap_or(word)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An identifier, keyword or number.
    Word,
    /// A string, byte string, raw string or character literal.
    Literal,
    Open(u8),
    Close(u8),
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn word(bytes: &[u8], t: Token) -> &[u8] {
    &bytes[t.start..t.end]
}

fn is_word(bytes: &[u8], t: Token) -> bool {
    t.kind == Kind::Word && !bytes[t.start].is_ascii_digit()
}

/// Rust's tokens, as far as splitting needs them: comments skipped, literals whole.
#[derive(Clone)]
struct Lexer<'a> {
    bytes: &'a [u8],
    i: usize,
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let bytes = self.bytes;
        loop {
            let start = self.i;
            let c = *bytes.get(start)?;
            let (kind, end) = match c {
                b'/' if bytes.get(start + 1) == Some(&b'/') => {
                    self.i = bytes[start..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(bytes.len(), |n| start + n);
                    continue;
                }
                b'/' if bytes.get(start + 1) == Some(&b'*') => {
                    self.i = skip_block_comment(bytes, start);
                    continue;
                }
                c if c.is_ascii_whitespace() => {
                    self.i += 1;
                    continue;
                }
                b'"' => (Kind::Literal, skip_string(bytes, start)),
                b'\'' => match char_literal_end(bytes, start) {
                    Some(end) => (Kind::Literal, end),
                    None => (Kind::Punct(c), start + 1),
                },
                b'(' | b'[' | b'{' => (Kind::Open(c), start + 1),
                b')' | b']' | b'}' => (Kind::Close(c), start + 1),
                c if super::is_ident_byte(c) => {
                    let mut end = word_end(bytes, start);
                    let w = &bytes[start..end];
                    let next = bytes.get(end).copied();
                    match (w, next) {
                        (b"r" | b"br" | b"cr", Some(b'"' | b'#')) => {
                            match skip_raw_string(bytes, end) {
                                Some(e) => (Kind::Literal, e),
                                // `r#name`: a raw identifier.
                                None if w == b"r"
                                    && bytes
                                        .get(end + 1)
                                        .is_some_and(|&b| super::is_ident_byte(b)) =>
                                {
                                    end = word_end(bytes, end + 1);
                                    (Kind::Word, end)
                                }
                                None => (Kind::Word, end),
                            }
                        }
                        (b"b" | b"c", Some(b'"')) => (Kind::Literal, skip_string(bytes, end)),
                        (b"b", Some(b'\'')) => match char_literal_end(bytes, end) {
                            Some(e) => (Kind::Literal, e),
                            None => (Kind::Word, end),
                        },
                        _ => (Kind::Word, end),
                    }
                }
                c => (Kind::Punct(c), start + 1),
            };
            let end = end.min(bytes.len()).max(start + 1);
            self.i = end;
            return Some(Token { kind, start, end });
        }
    }
}

fn word_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&b| !super::is_ident_byte(b))
        .map_or(bytes.len(), |n| start + n)
}

/// The end of the character literal at `start` (`'a'`, `'\''`, `'\u{1F600}'`), or `None`
/// for a lifetime or label (`'a`).
fn char_literal_end(bytes: &[u8], start: usize) -> Option<usize> {
    let next = *bytes.get(start + 1)?;
    if next == b'\\' {
        // The escaped character, then up to `u{10FFFF}` before the closing quote.
        let from = start + 3;
        let close = bytes
            .get(from..)?
            .iter()
            .take(10)
            .position(|&b| b == b'\'')?;
        return Some(from + close + 1);
    }
    if next == b'\'' || next == b'\n' {
        return None;
    }
    let len = match next {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    };
    (bytes.get(start + 1 + len) == Some(&b'\'')).then_some(start + 2 + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, split: &Split) -> Vec<&'a str> {
        split
            .groups
            .iter()
            .map(|g| text[g.clone()].trim())
            .collect()
    }

    #[test]
    fn items_split_where_they_end_their_line_never_inside_literals_or_comments() {
        let text = "//! doc\n#![allow(x)]\nfn a() { let s = \"}\n\"; }\n\
            const C: char = '}';\n\
            /* } ;\n /* nested } */ ; */\nfn b<'a>(x: &'a str) -> &'a str { x }\n\
            static R: &str = r#\"};\n\"#;\n\
            struct S { f: u8 }\n\
            fn c() { let b = b'}'; let q = '\\''; let l = 'a'; }\n\
            /// doc of d\nfn d() {} fn e() {}\n";
        let split = split(text, 0).unwrap();
        assert_eq!(
            texts(text, &split),
            [
                "//! doc\n#![allow(x)]\nfn a() { let s = \"}\n\"; }",
                "const C: char = '}';",
                "/* } ;\n /* nested } */ ; */\nfn b<'a>(x: &'a str) -> &'a str { x }",
                "static R: &str = r#\"};\n\"#;",
                "struct S { f: u8 }",
                "fn c() { let b = b'}'; let q = '\\''; let l = 'a'; }",
                "/// doc of d\nfn d() {} fn e() {}",
            ]
        );
        let whole = split_text_sizes(text, 1 << 20);
        assert_eq!(whole, [text.len()], "one group when the target is the file");
    }

    fn split_text_sizes(text: &str, target: usize) -> Vec<usize> {
        split(text, target)
            .unwrap()
            .groups
            .iter()
            .map(|g| g.len())
            .collect()
    }

    #[test]
    fn macro_rules_of_modules_are_found_and_others_not() {
        let text = "mod m {\n    macro_rules! a { () => { 1 } }\n}\n\
            mod r#n { mod o { macro_rules! b ( () => { 2 } ); } }\n\
            fn f() { macro_rules! c { () => {} } }\n\
            cfg_x! { macro_rules! d { () => {} } }\n\
            fn g() -> u8 { a!() }\n";
        let split = split(text, 0).unwrap();
        let found: Vec<&str> = split.macros.iter().map(|m| &text[m.clone()]).collect();
        assert_eq!(
            found,
            [
                "macro_rules! a { () => { 1 } }",
                "macro_rules! b ( () => { 2 } );"
            ]
        );
        assert_eq!(split.groups.len(), 5);
        assert_eq!(split.names_macro, [true, true, false, false, true]);
    }

    /// Any prefix of any fixture (strings, comments and brackets left open) is scanned without
    /// a panic, and the groups found cover its items in order.
    #[test]
    fn truncated_text_never_panics() {
        let mut stack = vec![std::path::PathBuf::from("fixtures")];
        let mut scanned = 0;
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                for cut in (0..text.len())
                    .step_by(97)
                    .filter(|&i| text.is_char_boundary(i))
                {
                    if let Some(split) = split(&text[..cut], 0) {
                        let ends = split.groups.windows(2).all(|w| w[0].end == w[1].start);
                        assert!(ends && split.groups[0].start == 0, "{}", p.display());
                    }
                    scanned += 1;
                }
            }
        }
        assert!(scanned > 1000);
    }

    #[test]
    fn unbalanced_brackets_give_up() {
        assert!(split("fn a() { \n", 0).is_none());
        assert!(split("fn a() } \n", 0).is_none());
    }

    #[test]
    fn a_group_parsed_alone_keeps_the_file_positions() {
        let text = "\u{feff}fn a() {}\nmacro_rules! m { () => { x() } }\n   fn é() {} fn b() {\n    m!()\n}\n";
        let file = SourceFile::new("x.rs".into(), text.into());
        let split = split(text, 0).unwrap();
        assert_eq!(split.groups.len(), 3);
        let parsed = file.parse_group(&split, 2).unwrap();
        assert_eq!(parsed.macros.len(), 1);
        let syn::Item::Fn(b) = &parsed.file.items[1] else {
            panic!()
        };
        let at = file.span(b.sig.ident.span());
        assert_eq!((at.start.line, at.start.column), (3, 17));
        assert_eq!(&file.text[at.start.byte..at.end.byte], "b");
        let syn::Item::Macro(m) = &parsed.macros[0] else {
            panic!()
        };
        let at = file.span(m.ident.as_ref().unwrap().span());
        assert_eq!((at.start.line, at.start.column), (2, 14));
        file.end_group();
        // The first group: the BOM is the whole parse's (column 1 is after it).
        let parsed = file.parse_group(&split, 0).unwrap();
        let syn::Item::Fn(a) = &parsed.file.items[0] else {
            panic!()
        };
        let at = file.span(a.sig.ident.span());
        assert_eq!((at.start.line, at.start.column, at.start.byte), (1, 5, 6));
        file.end_group();
    }

    /// Groups of one file parsed at once on two threads are each placed as their own parse
    /// says: the pieces are the thread's, as the spans are.
    #[test]
    fn groups_of_one_file_parsed_on_two_threads_at_once_keep_their_positions() {
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!("fn f{i}() {{\n    g();\n}}\n"));
        }
        let file = SourceFile::new("x.rs".into(), text);
        let split = split(&file.text, 0).unwrap();
        assert_eq!(split.groups.len(), 200);
        let both = std::sync::Barrier::new(2);
        std::thread::scope(|s| {
            for start in [0, 1] {
                let (file, split, both) = (&file, &split, &both);
                s.spawn(move || {
                    for k in (start..200).step_by(2) {
                        let parsed = file.parse_group(split, k).unwrap();
                        // Both threads hold a group parsed.
                        if k < 2 {
                            both.wait();
                        }
                        let syn::Item::Fn(f) = &parsed.file.items[0] else {
                            panic!()
                        };
                        let at = file.span(f.sig.ident.span());
                        assert_eq!((at.start.line, at.start.column), (3 * k + 1, 4));
                        assert_eq!(&file.text[at.start.byte..at.end.byte], format!("f{k}"));
                        drop(parsed);
                        file.end_group();
                        proc_macro2::extra::invalidate_current_thread_spans();
                    }
                });
            }
        });
    }
}
