//! A source file: its text, a line index, and position conversion from `proc_macro2` spans.
//!
//! `syn::parse_file` strips a BOM and a shebang before parsing, so span positions are relative
//! to the stripped text; [`SourceFile::position`] adds the stripped prefix back so lines, columns
//! and byte offsets refer to the file as it is on disk.

use crate::diagnostic::{Position, Span};
use proc_macro2::LineColumn;
use std::cell::RefCell;
use std::ops::{ControlFlow, Range};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

pub mod file_tree;
pub mod groups;
pub mod tree_heap;
pub mod words;

#[cfg(test)]
mod nesting_by_byte;
#[cfg(test)]
pub(crate) mod scan_cases;

const BOM: &str = "\u{feff}";

/// The deepest nesting (brackets, generics, prefix operators) accepted before parsing. Real code
/// stays far below; the workers' stacks hold far more, so this only catches hostile input.
pub const MAX_NESTING: usize = 256;

pub struct SourceFile {
    /// The path shown to the user.
    pub display: String,
    /// The whole text; empty for a file read in windows ([`FileLines::window`]).
    pub text: String,
    line_starts: Arc<Vec<usize>>,
    has_bom: bool,
    /// The file's length in bytes (the text's, unless read in windows).
    len: usize,
    /// A file read in windows: where each lies in the file and its text, in order (else
    /// empty), and whether each line of the file is ASCII.
    windows: Vec<(usize, String)>,
    ascii: Option<Arc<Vec<bool>>>,
    /// Tells this file's pieces from another's in [`PIECES`].
    id: u64,
    /// Whether a group of it was ever parsed alone (else [`SourceFile::placed`] reads no
    /// [`PIECES`]).
    grouped: AtomicBool,
}

thread_local! {
    /// While a group of a large file is parsed alone on this thread ([`groups`]): the file's
    /// [`SourceFile::id`] and where each piece of the text syn parsed lies in it. Empty: syn
    /// parsed the whole file. The thread's, as proc-macro2's span tables are: a group's parse
    /// and what reads its positions run on one thread, so the groups of one file can be parsed
    /// on several threads at once, each placed as its own parse says.
    static PIECES: RefCell<(u64, Vec<groups::Piece>)> = const { RefCell::new((0, Vec::new())) };
}

/// The next [`SourceFile::id`] (0 is none).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl SourceFile {
    pub fn new(display: String, text: String) -> SourceFile {
        // Sized first: grown by doubling, the table of a 10 MB file was 4.2 MB for 2.9 MB of
        // lines, besides the tables it grew from.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let mut line_starts = Vec::with_capacity(lines + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let has_bom = text.starts_with(BOM);
        SourceFile {
            display,
            len: text.len(),
            text,
            line_starts: Arc::new(line_starts),
            has_bom,
            windows: Vec::new(),
            ascii: None,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            grouped: AtomicBool::new(false),
        }
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(line).copied().unwrap_or(self.len);
        self.slice(start..end).trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Converts a `proc_macro2` line/column (1-based line, 0-based column in characters, relative
    /// to the text syn parsed) into a position in the file on disk.
    pub fn position(&self, lc: LineColumn) -> Position {
        self.position_with(lc, |_, text| text.is_ascii())
    }

    /// Where a `proc_macro2` line/column of the text syn parsed lies in the whole file, as a
    /// parse of the whole file would give it: the same line/column, unless a group of the file
    /// was parsed alone (see [`groups`]).
    pub fn placed(&self, lc: LineColumn) -> LineColumn {
        if !self.grouped.load(Ordering::Relaxed) {
            return lc;
        }
        PIECES.with(|p| match &*p.borrow() {
            (id, pieces) if *id == self.id && !pieces.is_empty() => groups::place(pieces, lc),
            _ => lc,
        })
    }

    /// Places this thread's parse of a group of this file by `pieces` (empty: the whole
    /// file's parse).
    fn set_pieces(&self, pieces: Vec<groups::Piece>) {
        if !pieces.is_empty() {
            self.grouped.store(true, Ordering::Relaxed);
        }
        PIECES.with(|p| *p.borrow_mut() = (self.id, pieces));
    }

    /// Whether each line is ASCII (for [`SourceFile::position_with`], when many positions of
    /// one file are converted).
    pub fn ascii_lines(&self) -> Vec<bool> {
        if let Some(ascii) = &self.ascii {
            return ascii.to_vec();
        }
        (0..self.line_starts.len())
            .map(|i| {
                let start = self.line_starts[i];
                let end = self.line_starts.get(i + 1).copied().unwrap_or(self.len);
                self.slice(start..end).is_ascii()
            })
            .collect()
    }

    /// [`SourceFile::position`], told by `is_ascii` whether a line (1-based number in the file,
    /// and text) is ASCII.
    pub fn position_with(
        &self,
        lc: LineColumn,
        is_ascii: impl FnOnce(usize, &str) -> bool,
    ) -> Position {
        let lc = self.placed(lc);
        let line = lc.line.max(1);
        let mut column = lc.column;
        if line == 1 && self.has_bom {
            column += 1;
        }
        let start = self.line_starts.get(line - 1).copied().unwrap_or(self.len);
        let end = self.line_starts.get(line).copied().unwrap_or(self.len);
        let line_text = self.slice(start..end);
        let byte_in_line = if is_ascii(line, line_text) {
            column.min(line_text.len())
        } else {
            line_text
                .char_indices()
                .nth(column)
                .map(|(i, _)| i)
                .unwrap_or(line_text.len())
        };
        Position {
            line,
            column: column + 1,
            byte: start + byte_in_line,
        }
    }

    /// The file's text: whole, or the windows read of it (see [`FileLines::window`]), each a
    /// run of whole lines.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let whole = self.windows.is_empty().then_some(self.text.as_str());
        whole
            .into_iter()
            .chain(self.windows.iter().map(|(_, text)| text.as_str()))
    }

    /// The text of the file's bytes `range`: of its text, or of the window that holds them
    /// (a file read in windows: see [`FileLines::window`], whose windows hold every line a
    /// position of its parse reads).
    pub(crate) fn slice(&self, range: Range<usize>) -> &str {
        if self.windows.is_empty() {
            return &self.text[range];
        }
        if range.is_empty() {
            return "";
        }
        let i = self.windows.partition_point(|w| w.0 <= range.start);
        let (start, text) = &self.windows[i.checked_sub(1).expect("a window holds the bytes")];
        &text[range.start - start..range.end - start]
    }

    pub fn span(&self, span: proc_macro2::Span) -> Span {
        Span {
            start: self.position(span.start()),
            end: self.position(span.end()),
        }
    }

    /// The position of a byte offset (used for fix edits and errors computed on raw text).
    pub fn position_of_byte(&self, byte: usize) -> Position {
        let byte = byte.min(self.len);
        let line_idx = match self.line_starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        let column = self.slice(start..byte).chars().count();
        Position {
            line: line_idx + 1,
            column: column + 1,
            byte,
        }
    }
}

/// What a file read in windows needs of the whole file (a large file's groups read again from
/// the file, see [`crate::source::groups`]): where its lines start, whether each is ASCII,
/// whether it starts with a BOM, its length. Read by streaming the file, which is hashed.
pub struct FileLines {
    line_starts: Arc<Vec<usize>>,
    ascii: Arc<Vec<bool>>,
    has_bom: bool,
    len: usize,
}

/// Streams the file at `path` in pieces of 1 MB to `each`, and gives its content hash (what
/// [`crate::files::content_hash`] gives of its bytes).
pub fn stream_file(path: &Path, mut each: impl FnMut(&[u8])) -> std::io::Result<u128> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        each(&buf[..n]);
    }
    Ok(hasher.digest128())
}

impl FileLines {
    /// The lines of `file`'s whole text (its line table shared, not copied): the file can be
    /// read in windows once its text is dropped.
    pub fn of(file: &SourceFile) -> FileLines {
        FileLines {
            line_starts: Arc::clone(&file.line_starts),
            ascii: Arc::new(file.ascii_lines()),
            has_bom: file.has_bom,
            len: file.len,
        }
    }

    /// The lines of the file at `path`, streamed (its text is not held), and its content hash.
    pub fn read(path: &Path) -> std::io::Result<(FileLines, u128)> {
        let mut line_starts = vec![0];
        let mut ascii = Vec::new();
        let (mut len, mut line_ascii) = (0usize, true);
        let mut head: Vec<u8> = Vec::with_capacity(3);
        let hash = stream_file(path, |chunk| {
            if head.len() < 3 {
                head.extend(chunk.iter().take(3 - head.len()));
            }
            let mut from = 0;
            for i in memchr::memchr_iter(b'\n', chunk) {
                ascii.push(line_ascii && chunk[from..=i].is_ascii());
                line_ascii = true;
                line_starts.push(len + i + 1);
                from = i + 1;
            }
            line_ascii &= chunk[from..].is_ascii();
            len += chunk.len();
        })?;
        ascii.push(line_ascii);
        let lines = FileLines {
            line_starts: Arc::new(line_starts),
            ascii: Arc::new(ascii),
            has_bom: head == BOM.as_bytes(),
            len,
        };
        Ok((lines, hash))
    }

    /// The file at `path` (these lines') read in windows: the whole lines that hold each of
    /// `ranges` (bytes of the file) and the first line, each read from the file. A position of
    /// a parse of those ranges' text reads only those lines, and gives what the whole file's
    /// [`SourceFile`] gives. An error when the file cannot be read or a window is not UTF-8.
    pub fn window(
        &self,
        display: String,
        path: &Path,
        ranges: &[Range<usize>],
    ) -> std::io::Result<SourceFile> {
        use std::io::{Read, Seek, SeekFrom};
        let line_of = |byte: usize| self.line_starts.partition_point(|&s| s <= byte) - 1;
        let line_end = |line: usize| self.line_starts.get(line + 1).copied().unwrap_or(self.len);
        let mut wanted: Vec<Range<usize>> = std::iter::once(0..line_end(0))
            .chain(ranges.iter().map(|r| {
                let (first, last) = (line_of(r.start), line_of(r.end.max(r.start)));
                self.line_starts[first]..line_end(last)
            }))
            .collect();
        wanted.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(wanted.len());
        for r in wanted {
            match merged.last_mut() {
                Some(m) if r.start <= m.end => m.end = m.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let mut file = std::fs::File::open(path)?;
        let mut windows = Vec::with_capacity(merged.len());
        for r in merged {
            file.seek(SeekFrom::Start(r.start as u64))?;
            let mut bytes = vec![0u8; r.len()];
            file.read_exact(&mut bytes)?;
            let text = String::from_utf8(bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            windows.push((r.start, text));
        }
        Ok(SourceFile {
            display,
            text: String::new(),
            line_starts: Arc::clone(&self.line_starts),
            has_bom: self.has_bom,
            len: self.len,
            windows,
            ascii: Some(Arc::clone(&self.ascii)),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            grouped: AtomicBool::new(false),
        })
    }
}

/// Why a file was not parsed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ParseFailure {
    pub message: String,
    pub span: Span,
}

/// Parses a file with syn after the nesting pre-check.
pub fn parse(file: &SourceFile) -> Result<syn::File, ParseFailure> {
    if let Some((depth, byte)) = too_deep(&file.text, MAX_NESTING) {
        let pos = file.position_of_byte(byte);
        return Err(ParseFailure {
            message: format!(
                "nesting deeper than {MAX_NESTING} levels (at least {depth}): the file is not analysed"
            ),
            span: Span { start: pos, end: pos },
        });
    }
    parse_text(&file.text).map_err(|err| {
        let span = file.span(err.span());
        ParseFailure {
            message: format!("cannot parse this file: {err}"),
            span,
        }
    })
}

/// Parses a file's text as rustc reads it: `syn::parse_file`, and when that fails, the forms
/// rustc still accepts that syn 3 does not ([`lenient`]): the 2015 edition's bare trait objects
/// (`Box<Fn()>`, `type Action = Fn(&T) + Send;`) and anonymous parameters of trait methods
/// (`fn f(u8);`), a negative inherent impl (refused by rustc only after `cfg` stripping), and a
/// cargo-script front matter. A file that is one expression (a fragment
/// only `include!` can pull in, such as a generated table) is read as an empty file: its
/// meaning is the including file's, and it is never reported as unparsable. Otherwise the
/// error is syn's first one. Positions stay the file's own: the retry rewrites tokens, keeping
/// every original token's span, never the text.
pub fn parse_text(text: &str) -> syn::Result<syn::File> {
    tree_heap::in_tree_heap(|| {
        let err = match syn::parse_file(text) {
            Ok(file) => return Ok(file),
            Err(err) => err,
        };
        lenient(text).ok_or(err)
    })
}

/// The retry of [`parse_text`], or `None`.
fn lenient(text: &str) -> Option<syn::File> {
    use std::str::FromStr;
    let blanked = blank_front_matter(text);
    let text = blanked.as_deref().unwrap_or(text);
    // What `syn::parse_file` parses: without the BOM and the shebang line (its newline kept, so
    // lines keep their numbers).
    let mut content = text.strip_prefix(BOM).unwrap_or(text);
    if content.starts_with("#!") && !content[2..].trim_start().starts_with('[') {
        content = &content[content.find('\n').unwrap_or(content.len())..];
    }
    let tokens = proc_macro2::TokenStream::from_str(content).ok()?;
    let rewritten = edition_2015::rewrite(tokens.clone());
    if let Ok(file) = syn::parse2::<syn::File>(rewritten.clone()) {
        return Some(file);
    }
    // Edition 2015's identifiers that later editions made keywords (`use async::stdin;`), as
    // raw identifiers: a file that writes them as keywords does not parse this way either.
    if let Ok(file) = syn::parse2::<syn::File>(edition_2015::raw_identifiers(rewritten.clone())) {
        return Some(file);
    }
    for candidate in [tokens, rewritten] {
        if syn::parse2::<Fragment>(candidate).is_ok() {
            return Some(syn::File {
                shebang: None,
                frontmatter: None,
                attrs: Vec::new(),
                items: Vec::new(),
            });
        }
    }
    None
}

/// A file that is one expression, as `include!` reads one in expression position.
struct Fragment;

impl syn::parse::Parse for Fragment {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Fragment> {
        input.call(syn::Attribute::parse_inner)?;
        input.parse::<syn::Expr>()?;
        input.parse::<Option<syn::Token![;]>>()?;
        Ok(Fragment)
    }
}

/// A cargo-script front matter (`---` lines after the shebang, as `cargo -Zscript` files have)
/// blanked with spaces, byte for byte; `None` when there is none.
fn blank_front_matter(text: &str) -> Option<String> {
    let mut start = 0;
    if text.starts_with("#!") && !text[2..].trim_start().starts_with('[') {
        start = text.find('\n')? + 1;
    }
    let rest = &text[start..];
    let open = start + (rest.len() - rest.trim_start().len());
    if !text[open..].starts_with("---") {
        return None;
    }
    let body = text[open..].find('\n')? + open + 1;
    let mut close = None;
    let mut at = body;
    for line in text[body..].split_inclusive('\n') {
        if line.starts_with("---") {
            close = Some(at + line.trim_end_matches(['\n', '\r']).len());
            break;
        }
        at += line.len();
    }
    let end = close?;
    let mut bytes = text.as_bytes().to_vec();
    for b in &mut bytes[open..end] {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
    String::from_utf8(bytes).ok()
}

/// The 2015 edition's syntax that syn 3 refuses, rewritten into what it accepts, token by
/// token: every original token keeps its span, an added token takes the span of the token it
/// is added before, so positions and byte offsets stay those of the file.
/// The traits whose bounds take parenthesized arguments (`Fn(u8) -> u8`): written bare in a type
/// (edition 2015), syn 3 cannot read them as a trait object without `dyn`.
pub const FN_TRAITS: &[&str] = &[
    "Fn",
    "FnMut",
    "FnOnce",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
];

mod edition_2015 {
    use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, TokenStream, TokenTree};

    pub fn rewrite(tokens: TokenStream) -> TokenStream {
        rewrite_in(tokens, false)
    }

    fn rewrite_in(tokens: TokenStream, in_parens: bool) -> TokenStream {
        let input: Vec<TokenTree> = tokens.into_iter().collect();
        let mut out: Vec<TokenTree> = Vec::with_capacity(input.len());
        for (i, token) in input.iter().enumerate() {
            let starts_type = if out.is_empty() {
                in_parens
            } else {
                type_follows(&out)
            };
            if starts_type && bare_fn_trait_at(&input, i) {
                out.push(TokenTree::Ident(Ident::new("dyn", token.span())));
            }
            if negative_inherent_impl(&out, &input, i) {
                continue;
            }
            match token {
                TokenTree::Group(g) => {
                    let parens = g.delimiter() == Delimiter::Parenthesis;
                    let mut inner = rewrite_in(g.stream(), parens);
                    if parens && named_fn_before(&input[..i]) {
                        inner = name_anonymous_params(inner);
                    }
                    let mut group = Group::new(g.delimiter(), inner);
                    group.set_span(g.span());
                    out.push(TokenTree::Group(group));
                }
                other => out.push(other.clone()),
            }
        }
        out.into_iter().collect()
    }

    /// Whether `input[i]` is the `!` of `impl !Type {}`, an impl with no `for`: rustc parses
    /// it and refuses it only after `cfg` stripping (syn's own tests keep one under
    /// `#[cfg(any())]`); the `!` is dropped, as syn 3 drops it from a negative trait impl.
    fn negative_inherent_impl(out: &[TokenTree], input: &[TokenTree], i: usize) -> bool {
        is_punct(&input[i], '!')
            && out.last().is_some_and(|t| is_ident(t, "impl"))
            // `impl ! {}` is an impl for the never type: its `!` is the type (`impl !! {}`
            // negates it).
            && !matches!(input.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace)
            && !input[i..]
                .iter()
                .take_while(|t| !matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
                .any(|t| is_ident(t, "for"))
    }

    /// `async`, `await` and `try` as raw identifiers everywhere (edition 2015 has no such
    /// keywords), and `dyn` where it cannot start a trait object (before `::`, `;`, `,`, `=`,
    /// `.`, `)` or the end, or after `fn`, `mod`, `let`, `struct`, `enum`, `trait`, `type` or
    /// `.`). Spans are kept, so positions stay the file's.
    pub fn raw_identifiers(tokens: TokenStream) -> TokenStream {
        let input: Vec<TokenTree> = tokens.into_iter().collect();
        let mut out: Vec<TokenTree> = Vec::with_capacity(input.len());
        for (i, token) in input.iter().enumerate() {
            match token {
                TokenTree::Group(g) => {
                    let mut group = Group::new(g.delimiter(), raw_identifiers(g.stream()));
                    group.set_span(g.span());
                    out.push(TokenTree::Group(group));
                }
                TokenTree::Ident(id) if ["async", "await", "try"].iter().any(|k| id == k) => {
                    out.push(TokenTree::Ident(Ident::new_raw(&id.to_string(), id.span())));
                }
                TokenTree::Ident(id) if id == "dyn" && dyn_is_a_name(&input, i) => {
                    out.push(TokenTree::Ident(Ident::new_raw("dyn", id.span())));
                }
                other => out.push(other.clone()),
            }
        }
        out.into_iter().collect()
    }

    fn dyn_is_a_name(input: &[TokenTree], i: usize) -> bool {
        let next_ends = match input.get(i + 1) {
            None => true,
            Some(TokenTree::Punct(p)) => matches!(p.as_char(), ':' | ';' | ',' | '=' | '.' | ')'),
            _ => false,
        };
        let prev_names = i > 0
            && (["fn", "mod", "let", "struct", "enum", "trait", "type"]
                .iter()
                .any(|k| is_ident(&input[i - 1], k))
                || is_punct(&input[i - 1], '.'));
        next_ends || prev_names
    }

    fn is_punct(t: &TokenTree, c: char) -> bool {
        matches!(t, TokenTree::Punct(p) if p.as_char() == c)
    }

    fn is_ident(t: &TokenTree, name: &str) -> bool {
        matches!(t, TokenTree::Ident(i) if i == name)
    }

    /// Whether a type starts after the tokens written so far: after `<`, `,`, `&` (and `&'a`,
    /// `&mut`, `&'a mut`), `*const`, `*mut`, or a lone `=` (`type A = ..`).
    fn type_follows(out: &[TokenTree]) -> bool {
        let n = out.len();
        let last = &out[n - 1];
        let before = |k: usize| n.checked_sub(k).map(|i| &out[i]);
        if is_punct(last, '<') || is_punct(last, ',') || is_punct(last, '&') {
            return true;
        }
        if is_punct(last, '=') {
            // Not the end of `==`, `<=`, `=>`...: a lone `=`.
            return !matches!(before(2), Some(TokenTree::Punct(p)) if p.spacing() == Spacing::Joint);
        }
        if is_ident(last, "mut") || is_ident(last, "const") {
            return before(2).is_some_and(|t| is_punct(t, '&') || is_punct(t, '*'))
                || before(3).is_some_and(|t| is_punct(t, '\''));
        }
        // `&'a`: a lifetime is a joint `'` and an identifier.
        if matches!(last, TokenTree::Ident(_)) {
            return before(2).is_some_and(|t| is_punct(t, '\''))
                && before(3).is_some_and(|t| is_punct(t, '&'));
        }
        false
    }

    /// Whether a path ending in an `Fn` trait with parenthesized arguments starts at `i`
    /// (`Fn(u8)`, `::std::ops::FnMut()`, `for<'a> Fn(&'a T)`).
    fn bare_fn_trait_at(t: &[TokenTree], mut i: usize) -> bool {
        if t.get(i).is_some_and(|x| is_ident(x, "for"))
            && t.get(i + 1).is_some_and(|x| is_punct(x, '<'))
        {
            let mut depth = 0usize;
            i += 1;
            while let Some(x) = t.get(i) {
                if is_punct(x, '<') {
                    depth += 1;
                } else if is_punct(x, '>') {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                i += 1;
            }
            i += 1;
        }
        let path_sep = |i: usize| {
            matches!(t.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
                && t.get(i + 1).is_some_and(|x| is_punct(x, ':'))
        };
        if path_sep(i) {
            i += 2;
        }
        loop {
            let Some(TokenTree::Ident(name)) = t.get(i) else {
                return false;
            };
            if path_sep(i + 1) {
                i += 3;
                continue;
            }
            let parens = matches!(t.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
            return parens && super::FN_TRAITS.iter().any(|f| name == f);
        }
    }

    /// Whether `before` ends with `fn NAME` or `fn NAME<..>`: the group after it is a
    /// parameter list.
    fn named_fn_before(before: &[TokenTree]) -> bool {
        let mut i = before.len();
        let arrow_at = |i: usize| {
            i > 0
                && matches!(&before[i - 1], TokenTree::Punct(p) if p.as_char() == '-' && p.spacing() == Spacing::Joint)
        };
        if i > 0 && is_punct(&before[i - 1], '>') {
            if arrow_at(i - 1) {
                // `-> (A, B)`: a return type, not a parameter list.
                return false;
            }
            // Back over the generics to their `<` (an `->` inside them is no bracket).
            let mut depth = 0usize;
            loop {
                if i == 0 {
                    return false;
                }
                i -= 1;
                if is_punct(&before[i], '>') && !arrow_at(i) {
                    depth += 1;
                } else if is_punct(&before[i], '<') {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
        }
        i >= 2 && matches!(before[i - 1], TokenTree::Ident(_)) && is_ident(&before[i - 2], "fn")
    }

    /// A parameter list with `_: ` before each parameter that is a type alone (the 2015
    /// edition's anonymous parameters of trait methods, `fn f(u8, &str);`).
    fn name_anonymous_params(params: TokenStream) -> TokenStream {
        let tokens: Vec<TokenTree> = params.into_iter().collect();
        let mut out = Vec::with_capacity(tokens.len());
        // Parameters end at a comma outside angle brackets (`map: HashMap<K, V>` is one).
        let mut depth = 0usize;
        let mut params: Vec<&[TokenTree]> = Vec::new();
        let mut start = 0;
        for (i, t) in tokens.iter().enumerate() {
            let arrow = i > 0
                && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '-' && p.spacing() == Spacing::Joint);
            if is_punct(t, '<') {
                depth += 1;
            } else if is_punct(t, '>') && !arrow {
                depth = depth.saturating_sub(1);
            } else if is_punct(t, ',') && depth == 0 {
                params.push(&tokens[start..i]);
                start = i + 1;
            }
        }
        params.push(&tokens[start..]);
        for param in params {
            if !out.is_empty() {
                out.push(TokenTree::Punct(Punct::new(',', Spacing::Alone)));
            }
            if let Some(first) = param.first() {
                if !has_own_colon(param) && !is_self_param(param) {
                    out.push(TokenTree::Ident(Ident::new("_", first.span())));
                    let mut colon = Punct::new(':', Spacing::Alone);
                    colon.set_span(first.span());
                    out.push(TokenTree::Punct(colon));
                }
            }
            out.extend(param.iter().cloned());
        }
        out.into_iter().collect()
    }

    /// Whether a parameter has a `:` of its own (`x: u8`), not one of a path's `::`.
    fn has_own_colon(param: &[TokenTree]) -> bool {
        param.iter().enumerate().any(|(i, t)| {
            let TokenTree::Punct(p) = t else {
                return false;
            };
            let after_joint_colon = i > 0
                && matches!(&param[i - 1], TokenTree::Punct(q) if q.as_char() == ':' && q.spacing() == Spacing::Joint);
            p.as_char() == ':' && p.spacing() == Spacing::Alone && !after_joint_colon
        })
    }

    /// `self`, `mut self`, `&self`, `&mut self`, `&'a self`, `&'a mut self`.
    fn is_self_param(param: &[TokenTree]) -> bool {
        param.last().is_some_and(|t| is_ident(t, "self"))
    }
}

/// A cheap lexical scan for nesting that would make a recursive parser or walker overflow its
/// stack: brackets of all kinds, generic angle brackets, and runs of prefix operators and closure
/// bars. Comments, strings and character literals are skipped. Returns the depth found and the
/// byte offset where the limit was crossed.
pub fn too_deep(text: &str, limit: usize) -> Option<(usize, usize)> {
    scan_nesting(text, limit, pass_run)
}

/// [`too_deep`]'s loop, with `pass_run` (the bytes, where a run starts, what has been read)
/// giving where the run of bytes whose only effect is that they are written ends: spaces, and
/// punctuation and words that neither open nor close anything (see [`DEPTH_CLASS`]). What is
/// done at the byte a run stops at is [`Depth::after_run`].
fn scan_nesting(
    text: &str,
    limit: usize,
    pass_run: impl Fn(&[u8], usize, &Depth) -> usize,
) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut depth = Depth::default();
    while i < bytes.len() {
        let run = i;
        i = pass_run(bytes, run, &depth);
        match depth.after_run(bytes, run, i, limit) {
            ControlFlow::Continue(next) => i = next,
            ControlFlow::Break(found) => return found,
        }
    }
    None
}

/// The end of the run of bytes [`too_deep`] passes over from `i`.
fn pass_run(bytes: &[u8], mut i: usize, depth: &Depth) -> usize {
    if depth.prefix_run > 0 {
        // After prefix operators, a word may be `move` or `async`, which keep their run
        // going: read up to the first byte that is not a space, as each byte was read.
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
    }
    let plain = |i: usize| match bytes.get(i).map(|&b| DEPTH_CLASS[b as usize]) {
        Some(DEPTH_PLAIN) => true,
        Some(DEPTH_MAY_START) => !starts_depth_word(bytes, i),
        _ => false,
    };
    if depth.prefix_run == 0 || plain(i) {
        // No run of prefix operators is going (or this byte ends it): the rest of the run
        // is passed over up to the next byte acted on whatever its words are (`move` and
        // `async` leave a run that is not going as it is; a raw string is found from its
        // quote).
        // Eight bytes at a time while none of them is acted on: one branch for eight.
        while let Some(chunk) = bytes.get(i..i + 8) {
            if chunk
                .iter()
                .fold(0, |acts, &b| acts | DEPTH_ACTED_ON[b as usize])
                != 0
            {
                break;
            }
            i += 8;
        }
        while bytes
            .get(i)
            .is_some_and(|&b| DEPTH_ACTED_ON[b as usize] == 0)
        {
            i += 1;
        }
    }
    i
}

/// What [`too_deep`] has read so far: open brackets and generic angle brackets, the prefix
/// operators and closure bars in a row, and the last byte written that is not a space.
struct Depth {
    brackets: usize,
    angles: usize,
    prefix_run: usize,
    prev_significant: u8,
}

impl Default for Depth {
    fn default() -> Depth {
        Depth {
            brackets: 0,
            angles: 0,
            prefix_run: 0,
            prev_significant: b' ',
        }
    }
}

impl Depth {
    /// Reads what a run of bytes passed over (`run..i`) leaves, then acts on the byte at `i`:
    /// where to read on, or (`Break`) the end of the text or the depth found past `limit` and
    /// where it was crossed.
    #[inline(always)]
    fn after_run(
        &mut self,
        bytes: &[u8],
        run: usize,
        mut i: usize,
        limit: usize,
    ) -> ControlFlow<Option<(usize, usize)>, usize> {
        if let Some(&last) = bytes[run..i].iter().rfind(|b| !b.is_ascii_whitespace()) {
            self.prev_significant = last;
            self.prefix_run = 0;
        }
        let Some(&c) = bytes.get(i) else {
            return ControlFlow::Break(None);
        };
        match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                return ControlFlow::Continue(i);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(bytes, i);
                return ControlFlow::Continue(i);
            }
            b'"' => {
                i = match raw_string_prefix(bytes, run, i) {
                    Some(r) => skip_raw_string(bytes, r + 1).unwrap_or(bytes.len()),
                    None => skip_string(bytes, i),
                };
                self.prev_significant = b'"';
                self.prefix_run = 0;
                return ControlFlow::Continue(i);
            }
            b'r' if matches!(bytes.get(i + 1), Some(b'"') | Some(b'#'))
                && !is_ident_byte(prev_byte(bytes, i)) =>
            {
                if let Some(end) = skip_raw_string(bytes, i + 1) {
                    i = end;
                    self.prev_significant = b'"';
                    self.prefix_run = 0;
                    return ControlFlow::Continue(i);
                }
            }
            b'\'' => {
                // A char literal ('a', '\n', '\u{..}') or a lifetime ('a).
                if let Some(end) = skip_char_literal(bytes, i) {
                    i = end;
                    self.prev_significant = b'"';
                    self.prefix_run = 0;
                    return ControlFlow::Continue(i);
                }
            }
            b'(' | b'[' | b'{' => {
                self.brackets += 1;
                if c == b'{' {
                    self.angles = 0;
                }
                if self.brackets + self.angles > limit {
                    return ControlFlow::Break(Some((self.brackets + self.angles, i)));
                }
                self.prefix_run = 0;
            }
            b')' | b']' | b'}' => {
                self.brackets = self.brackets.saturating_sub(1);
                if c == b'}' {
                    self.angles = 0;
                }
                self.prefix_run = 0;
            }
            b';' => {
                self.angles = 0;
                self.prefix_run = 0;
            }
            // A `<` written after a space is an operator (`a < b`, `x << 3`), never a generic
            // list's: rustfmt writes `Vec<T>`, and a spaced one merely counts less.
            b'<' if prev_byte(bytes, i).is_ascii_whitespace() => {
                // The whole operator: `<`, `<<`, `<=`, `<<=`.
                while matches!(bytes.get(i), Some(b'<' | b'=')) {
                    i += 1;
                }
                self.prev_significant = b'=';
                self.prefix_run = 0;
                return ControlFlow::Continue(i);
            }
            b'<' => {
                if is_ident_byte(self.prev_significant)
                    || self.prev_significant == b':'
                    || self.prev_significant == b'<'
                {
                    self.angles += 1;
                    if self.brackets + self.angles > limit {
                        return ControlFlow::Break(Some((self.brackets + self.angles, i)));
                    }
                }
                self.prefix_run = 0;
            }
            b'>' => {
                if self.prev_significant != b'-' && self.prev_significant != b'=' {
                    self.angles = self.angles.saturating_sub(1);
                }
                self.prefix_run = 0;
            }
            b'!' | b'-' | b'*' | b'&' | b'|' => {
                self.prefix_run += 1;
                if self.prefix_run > 2 * limit {
                    return ControlFlow::Break(Some((self.prefix_run / 2, i)));
                }
            }
            _ => {
                // `move` and `async` between closure bars do not break a run of closures.
                let word_end = (i..bytes.len())
                    .find(|&j| !is_ident_byte(bytes[j]))
                    .unwrap_or(bytes.len());
                let word = &bytes[i..word_end];
                if word_end > i && (word == b"move" || word == b"async") {
                    i = word_end;
                    self.prev_significant = b'e';
                    return ControlFlow::Continue(i);
                }
                self.prefix_run = 0;
                if word_end > i + 1 {
                    // A whole word at once (scanning from each of its bytes is quadratic).
                    self.prev_significant = bytes[word_end - 1];
                    i = word_end;
                    return ControlFlow::Continue(i);
                }
            }
        }
        self.prev_significant = c;
        ControlFlow::Continue(i + 1)
    }
}

/// The `r` of the raw string whose quote is at `quote` (`r"`, `r#"`), when that `r` starts a
/// word at or after `from`: [`too_deep`] passes a raw string's `r` over with the bytes around
/// it, and finds the raw string from its quote.
fn raw_string_prefix(bytes: &[u8], from: usize, quote: usize) -> Option<usize> {
    let mut r = quote;
    while r > from && bytes[r - 1] == b'#' {
        r -= 1;
    }
    (r > from && bytes[r - 1] == b'r' && !is_ident_byte(prev_byte(bytes, r - 1))).then(|| r - 1)
}

/// [`DEPTH_CLASS`] of a byte [`too_deep`] acts on: a bracket, a `;`, an angle bracket, a prefix
/// operator or closure bar, or a possible start of a comment or literal.
const DEPTH_ACTS: u8 = 0;
/// [`DEPTH_CLASS`] of ASCII whitespace: passed over, it changes nothing.
const DEPTH_SPACE: u8 = 1;
/// [`DEPTH_CLASS`] of the other bytes: punctuation that opens, closes and prefixes nothing
/// (`:`, `=`, `,`, `.`, `#`, ...) and identifier bytes; passed over, each is written (the byte
/// before a `<` or `>`) and ends a run of prefix operators, as a word does.
const DEPTH_PLAIN: u8 = 2;
/// [`DEPTH_CLASS`] of `m`, `a` and `r`: passed over as [`DEPTH_PLAIN`] is, unless they start a
/// word the scan reads ([`starts_depth_word`]).
const DEPTH_MAY_START: u8 = 3;

/// Each byte's class for [`too_deep`]'s runs of bytes passed over.
const DEPTH_CLASS: [u8; 256] = {
    let mut t = [DEPTH_PLAIN; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_whitespace() {
            t[b] = DEPTH_SPACE;
        } else if matches!(c, b'm' | b'a' | b'r') {
            t[b] = DEPTH_MAY_START;
        } else if matches!(
            c,
            b'/' | b'"'
                | b'\''
                | b'('
                | b'['
                | b'{'
                | b')'
                | b']'
                | b'}'
                | b';'
                | b'<'
                | b'>'
                | b'!'
                | b'-'
                | b'*'
                | b'&'
                | b'|'
        ) {
            t[b] = DEPTH_ACTS;
        }
        b += 1;
    }
    t
};

/// 1 for each byte of [`DEPTH_ACTS`] class, 0 for the others: what a run passed over in one
/// go stops at, as a number so that eight bytes are tested with one branch.
const DEPTH_ACTED_ON: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (DEPTH_CLASS[b] == DEPTH_ACTS) as u8;
        b += 1;
    }
    t
};

/// Whether the identifier byte at `i` starts a word [`too_deep`] reads rather than passes
/// over: `move` or `async` (which keep a run of closures going) may start with it, or it is the
/// `r` of a raw string (`r"`, `r#`).
#[inline]
fn starts_depth_word(bytes: &[u8], i: usize) -> bool {
    if is_ident_byte(prev_byte(bytes, i)) {
        return false;
    }
    match bytes[i] {
        b'm' | b'a' => true,
        b'r' => matches!(bytes.get(i + 1), Some(b'"') | Some(b'#')),
        _ => false,
    }
}

/// The first index at or after `i` that is not ASCII whitespace (or the end).
pub(crate) fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// A byte of an identifier: an ASCII letter or digit, `_`, or part of a non-ASCII character.
#[inline]
pub(crate) fn is_ident_byte(b: u8) -> bool {
    IDENT_BYTES[b as usize]
}

/// [`is_ident_byte`] of each byte, looked up (the byte scans test it for most bytes of a file).
const IDENT_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
        b += 1;
    }
    t
};

pub(crate) fn prev_byte(bytes: &[u8], i: usize) -> u8 {
    if i == 0 {
        b' '
    } else {
        bytes[i - 1]
    }
}

/// Where the (nested) block comment starting at `start` (`/*`) ends.
pub(crate) fn skip_block_comment(bytes: &[u8], start: usize) -> usize {
    block_comment_end(bytes, start).unwrap_or(bytes.len())
}

/// Past the block comment (nested ones counted) starting at `start`; `None` when it is not
/// closed.
pub(crate) fn block_comment_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 1;
    let mut i = start + 2;
    while i + 1 < bytes.len() {
        // Straight to the next `/` or `*`: nothing else opens or closes a comment.
        match memchr::memchr2(b'/', b'*', &bytes[i..bytes.len() - 1]) {
            Some(n) => i += n,
            None => return None,
        }
        if bytes[i] == b'/' && bytes[i + 1] == b'*' {
            depth += 1;
            i += 1;
        } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
            depth -= 1;
            if depth == 0 {
                return Some(i + 2);
            }
            i += 1;
        }
        i += 1;
    }
    None
}

pub(crate) fn skip_string(bytes: &[u8], start: usize) -> usize {
    string_end(bytes, start).unwrap_or(bytes.len())
}

/// Past the closing quote of the string whose opening quote is at `start`; `None` when it is
/// not closed.
pub(crate) fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        i += memchr::memchr2(b'\\', b'"', &bytes[i..])?;
        match bytes[i] {
            b'\\' => i += 2,
            _ => return Some(i + 1),
        }
    }
    None
}

/// `i` points after the `r`: at `"` or `#`. `None` when no raw string starts there; the end of
/// the text when it is not closed.
pub(crate) fn skip_raw_string(bytes: &[u8], i: usize) -> Option<usize> {
    let hashes = bytes[i..].iter().take_while(|&&x| x == b'#').count();
    if bytes.get(i + hashes) != Some(&b'"') {
        return None;
    }
    Some(raw_string_end(bytes, i).unwrap_or(bytes.len()))
}

/// Past the raw string whose hashes or quote start at `i` (after the `r`); `None` when no raw
/// string starts there or it is not closed.
pub(crate) fn raw_string_end(bytes: &[u8], i: usize) -> Option<usize> {
    let hashes = bytes[i..].iter().take_while(|&&x| x == b'#').count();
    let open = i + hashes;
    if bytes.get(open) != Some(&b'"') {
        return None;
    }
    let mut j = open + 1;
    while j < bytes.len() {
        if bytes[j] == b'"'
            && bytes[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&x| x == b'#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    None
}

pub(crate) fn skip_char_literal(bytes: &[u8], start: usize) -> Option<usize> {
    let next = *bytes.get(start + 1)?;
    if next == b'\\' {
        let close = bytes[start + 2..]
            .iter()
            .take(12)
            .position(|&b| b == b'\'')?;
        return Some(start + 2 + close + 1);
    }
    // One character (possibly multi-byte) followed by a quote is a char literal.
    let len = utf8_len(next);
    if bytes.get(start + 1 + len) == Some(&b'\'') {
        return Some(start + 2 + len);
    }
    None
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// The texts of the files that findings point into, keyed by display path.
pub trait Sources {
    fn text(&self, path: &str) -> Option<&str>;
}

impl Sources for std::collections::HashMap<String, String> {
    fn text(&self, path: &str) -> Option<&str> {
        self.get(path).map(String::as_str)
    }
}

/// Where the comment, string, raw string or character literal starting at `i` ends, if one does.
pub(crate) fn skip_literal_or_comment(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes[i] {
        b'/' if bytes.get(i + 1) == Some(&b'/') => {
            Some(memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n))
        }
        b'/' if bytes.get(i + 1) == Some(&b'*') => Some(skip_block_comment(bytes, i)),
        b'"' => Some(skip_string(bytes, i).min(bytes.len())),
        // `r"..."`, `br#"..."#`, `cr"..."`: raw strings, at the start of a word.
        c @ (b'r' | b'b' | b'c') if !is_ident_byte(prev_byte(bytes, i)) => {
            let after = match (c, bytes.get(i + 1)) {
                (b'r', _) => i + 1,
                (_, Some(b'r')) => i + 2,
                _ => return None,
            };
            if matches!(bytes.get(after), Some(b'"') | Some(b'#')) {
                skip_raw_string(bytes, after).map(|e| e.min(bytes.len()))
            } else {
                None
            }
        }
        b'\'' => skip_char_literal(bytes, i),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_add_back_the_bom_and_count_characters() {
        let file = SourceFile::new("x.rs".into(), "\u{feff}fn a() {}\nlet é = 1; b();\n".into());
        let p = file.position(LineColumn { line: 1, column: 0 });
        assert_eq!((p.line, p.column, p.byte), (1, 2, 3));
        let p = file.position(LineColumn {
            line: 2,
            column: 11,
        });
        assert_eq!((p.line, p.column), (2, 12));
        assert_eq!(&file.text[p.byte..p.byte + 3], "b()");
    }

    #[test]
    fn deep_nesting_is_caught_and_normal_code_is_not() {
        let deep = format!("fn f() {{ {}1{} }}", "(".repeat(5000), ")".repeat(5000));
        assert!(too_deep(&deep, MAX_NESTING).is_some());
        let closures = format!("fn f() {{ let x = {}0; }}", "|| ".repeat(5000));
        assert!(too_deep(&closures, MAX_NESTING).is_some());
        let generics = format!("type T = {}u8{};", "Vec<".repeat(5000), ">".repeat(5000));
        assert!(too_deep(&generics, MAX_NESTING).is_some());
        let normal = "fn f<T: Into<Vec<u8>>>(a: &&T) -> bool { if a < b && c > d { '{'; \"((\" ; r#\"[[\"#; true } else { !!false } }";
        assert_eq!(too_deep(normal, 4), None);
        let comparisons = "fn f() { ".to_string() + &"a < b; ".repeat(1000) + "}";
        assert_eq!(too_deep(&comparisons, MAX_NESTING), None);
        // Shifts in a long table (no `;` between them), as generated lookup tables write them.
        let shifts =
            "static T: [u8; 1000] = [".to_string() + &"(0b1 << 3) + 1, ".repeat(1000) + "];";
        assert_eq!(too_deep(&shifts, MAX_NESTING), None);
        let spaced_generics = format!("type T = {}u8{};", "Vec <".repeat(10), ">".repeat(10));
        assert_eq!(
            too_deep(&spaced_generics, 4),
            None,
            "spaced: counted less, never more"
        );
    }

    /// What the nesting scan passes over in a run (spaces, plain punctuation, words) keeps its
    /// effects: a written byte ends a run of prefix operators, `move` and `async` do not, and
    /// an `r` after punctuation still opens a raw string.
    #[test]
    fn runs_passed_over_keep_what_the_nesting_scan_reads() {
        let closures = format!("fn f() {{ let x = {}0; }}", "|| move ".repeat(5000));
        assert!(too_deep(&closures, MAX_NESTING).is_some());
        let closures = format!("fn f() {{ let x = {}0; }}", "|async| ".repeat(5000));
        assert!(too_deep(&closures, MAX_NESTING).is_some());
        let ended = format!("fn f() {{ g({}0); }}", "!x, ".repeat(5000));
        assert_eq!(too_deep(&ended, MAX_NESTING), None);
        let ended = format!("fn f() {{ g({}0); }}", "&mut_x, ".repeat(5000));
        assert_eq!(too_deep(&ended, MAX_NESTING), None);
        // Read as a plain string, the raw one's `\"` would hide its quote and the brackets in
        // the next string would count.
        let raw = r#"fn f() { let s=r"\"; let t = "(((((("; }"#;
        assert_eq!(too_deep(raw, 4), None);
        let raw = r##"fn f() { let s=r#"\"#; t=(((((0))))); }"##;
        assert_eq!(too_deep(raw, 4), Some((5, 28)));
        assert_eq!(too_deep("fn f(){ x=a<b<c<d<e;}", 4), Some((5, 17)));
        assert_eq!(too_deep("fn f(){ x=a <b <c <d <e;}", 4), None);
    }

    /// A file's lines streamed in pieces of 1 MB (a line across two pieces, non-ASCII text at
    /// the cut, a BOM) are those of its text, and its hash the text's.
    #[test]
    fn a_file_streamed_has_the_lines_of_its_text() {
        let mut text = String::from("\u{feff}fn a() {}\r\n");
        while text.len() + 10 <= (1 << 20) - 4 {
            text.push_str("fn b() {}\n");
        }
        while text.len() < (1 << 20) - 4 {
            text.push(' ');
        }
        // The first `é` across the cut.
        text.push_str("// ééé across the cut\nfn c() {}");
        assert!(!text.is_char_boundary(1 << 20));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        std::fs::write(&path, &text).unwrap();
        let (lines, hash) = FileLines::read(&path).unwrap();
        let file = SourceFile::new(String::new(), text.clone());
        assert_eq!(hash, crate::files::content_hash(text.as_bytes()));
        assert_eq!(lines.line_starts, file.line_starts);
        assert_eq!(*lines.ascii, file.ascii_lines());
        assert!(lines.has_bom && lines.len == text.len());
        assert!(!lines.ascii[lines.ascii.len() - 2] && !lines.ascii[0] && lines.ascii[1]);
        // A window holds whole lines: the first, and those of the range.
        let at = text.find("ééé").unwrap();
        // Twice: windows that overlap are merged.
        let ranges = vec![at..at + 2, at..at + 2];
        let windowed = lines.window(String::new(), &path, &ranges).unwrap();
        let last = file.line_count() - 1;
        assert_eq!(windowed.line_text(last), file.line_text(last));
        assert_eq!(windowed.line_text(1), file.line_text(1));
        let lc = LineColumn {
            line: last,
            column: 5,
        };
        assert_eq!(windowed.position(lc), file.position(lc));
    }

    #[test]
    fn line_text_strips_crlf() {
        let file = SourceFile::new("x.rs".into(), "a\r\nbc\r\n".into());
        assert_eq!(file.line_text(1), "a");
        assert_eq!(file.line_text(2), "bc");
    }
}
