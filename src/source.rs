//! A source file: its text, a line index, and position conversion from `proc_macro2` spans.
//!
//! `syn::parse_file` strips a BOM and a shebang before parsing, so span positions are relative
//! to the stripped text; [`SourceFile::position`] adds the stripped prefix back so lines, columns
//! and byte offsets refer to the file as it is on disk.

use crate::diagnostic::{Position, Span};
use proc_macro2::LineColumn;

const BOM: &str = "\u{feff}";

/// The deepest nesting (brackets, generics, prefix operators) accepted before parsing. Real code
/// stays far below; the workers' stacks hold far more, so this only catches hostile input.
pub const MAX_NESTING: usize = 256;

pub struct SourceFile {
    /// The path shown to the user.
    pub display: String,
    pub text: String,
    line_starts: Vec<usize>,
    has_bom: bool,
}

impl SourceFile {
    pub fn new(display: String, text: String) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let has_bom = text.starts_with(BOM);
        SourceFile {
            display,
            text,
            line_starts,
            has_bom,
        }
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Converts a `proc_macro2` line/column (1-based line, 0-based column in characters, relative
    /// to the text syn parsed) into a position in the file on disk.
    pub fn position(&self, lc: LineColumn) -> Position {
        self.position_with(lc, |text| text.is_ascii())
    }

    /// Whether each line is ASCII (for [`SourceFile::position_with`], when many positions of
    /// one file are converted).
    pub fn ascii_lines(&self) -> Vec<bool> {
        (0..self.line_starts.len())
            .map(|i| {
                let start = self.line_starts[i];
                let end = self
                    .line_starts
                    .get(i + 1)
                    .copied()
                    .unwrap_or(self.text.len());
                self.text[start..end].is_ascii()
            })
            .collect()
    }

    /// [`SourceFile::position`], told by `is_ascii` whether a line's text is ASCII.
    pub fn position_with(&self, lc: LineColumn, is_ascii: impl FnOnce(&str) -> bool) -> Position {
        let line = lc.line.max(1);
        let mut column = lc.column;
        if line == 1 && self.has_bom {
            column += 1;
        }
        let start = self
            .line_starts
            .get(line - 1)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let line_text = &self.text[start..end];
        let byte_in_line = if is_ascii(line_text) {
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

    pub fn span(&self, span: proc_macro2::Span) -> Span {
        Span {
            start: self.position(span.start()),
            end: self.position(span.end()),
        }
    }

    /// The position of a byte offset (used for fix edits and errors computed on raw text).
    pub fn position_of_byte(&self, byte: usize) -> Position {
        let byte = byte.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        let column = self.text[start..byte].chars().count();
        Position {
            line: line_idx + 1,
            column: column + 1,
            byte,
        }
    }
}

/// Why a file was not parsed.
#[derive(Debug, Clone)]
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
    syn::parse_file(&file.text).map_err(|err| {
        let span = file.span(err.span());
        ParseFailure {
            message: format!("cannot parse this file: {err}"),
            span,
        }
    })
}

/// A cheap lexical scan for nesting that would make a recursive parser or walker overflow its
/// stack: brackets of all kinds, generic angle brackets, and runs of prefix operators and closure
/// bars. Comments, strings and character literals are skipped. Returns the depth found and the
/// byte offset where the limit was crossed.
pub fn too_deep(text: &str, limit: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut brackets = 0usize;
    let mut angles = 0usize;
    let mut prefix_run = 0usize;
    let mut prev_significant = b' ';
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(bytes, i);
                continue;
            }
            b'"' => {
                i = skip_string(bytes, i);
                prev_significant = b'"';
                prefix_run = 0;
                continue;
            }
            b'r' if matches!(bytes.get(i + 1), Some(b'"') | Some(b'#'))
                && !is_ident_byte(prev_byte(bytes, i)) =>
            {
                if let Some(end) = skip_raw_string(bytes, i + 1) {
                    i = end;
                    prev_significant = b'"';
                    prefix_run = 0;
                    continue;
                }
            }
            b'\'' => {
                // A char literal ('a', '\n', '\u{..}') or a lifetime ('a).
                if let Some(end) = skip_char_literal(bytes, i) {
                    i = end;
                    prev_significant = b'"';
                    prefix_run = 0;
                    continue;
                }
            }
            b'(' | b'[' | b'{' => {
                brackets += 1;
                if c == b'{' {
                    angles = 0;
                }
                if brackets + angles > limit {
                    return Some((brackets + angles, i));
                }
                prefix_run = 0;
            }
            b')' | b']' | b'}' => {
                brackets = brackets.saturating_sub(1);
                if c == b'}' {
                    angles = 0;
                }
                prefix_run = 0;
            }
            b';' => {
                angles = 0;
                prefix_run = 0;
            }
            b'<' => {
                if is_ident_byte(prev_significant)
                    || prev_significant == b':'
                    || prev_significant == b'<'
                {
                    angles += 1;
                    if brackets + angles > limit {
                        return Some((brackets + angles, i));
                    }
                }
                prefix_run = 0;
            }
            b'>' => {
                if prev_significant != b'-' && prev_significant != b'=' {
                    angles = angles.saturating_sub(1);
                }
                prefix_run = 0;
            }
            b'!' | b'-' | b'*' | b'&' | b'|' => {
                prefix_run += 1;
                if prefix_run > 2 * limit {
                    return Some((prefix_run / 2, i));
                }
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {
                // `move` and `async` between closure bars do not break a run of closures.
                let word_end = (i..bytes.len())
                    .find(|&j| !is_ident_byte(bytes[j]))
                    .unwrap_or(bytes.len());
                let word = &bytes[i..word_end];
                if word_end > i && (word == b"move" || word == b"async") {
                    i = word_end;
                    prev_significant = b'e';
                    continue;
                }
                prefix_run = 0;
                if word_end > i + 1 {
                    // A whole word at once (scanning from each of its bytes is quadratic).
                    prev_significant = bytes[word_end - 1];
                    i = word_end;
                    continue;
                }
            }
        }
        prev_significant = c;
        i += 1;
    }
    None
}

pub(crate) fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

pub(crate) fn prev_byte(bytes: &[u8], i: usize) -> u8 {
    if i == 0 {
        b' '
    } else {
        bytes[i - 1]
    }
}

/// Where the (nested) block comment starting at `start` (`/*`) ends.
pub(crate) fn skip_block_comment(bytes: &[u8], start: usize) -> usize {
    let mut depth = 1;
    let mut i = start + 2;
    while i < bytes.len() && depth > 0 {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 1;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 1;
        }
        i += 1;
    }
    i.min(bytes.len())
}

pub(crate) fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `i` points after the `r`: at `"` or `#`.
pub(crate) fn skip_raw_string(bytes: &[u8], mut i: usize) -> Option<usize> {
    let mut hashes = 0;
    while bytes.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    i += 1;
    while i < bytes.len() {
        if bytes[i] == b'"'
            && bytes[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&b| b == b'#')
                .count()
                == hashes
        {
            return Some(i + 1 + hashes);
        }
        i += 1;
    }
    Some(bytes.len())
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
    }

    #[test]
    fn line_text_strips_crlf() {
        let file = SourceFile::new("x.rs".into(), "a\r\nbc\r\n".into());
        assert_eq!(file.line_text(1), "a");
        assert_eq!(file.line_text(2), "bc");
    }
}
