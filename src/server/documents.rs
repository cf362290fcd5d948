//! The open documents: their text as the editor holds it, kept in step with incremental
//! changes, and conversions between byte offsets and LSP positions (UTF-16 code units, or
//! UTF-8 bytes when the client asked for them).

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Url};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How the `character` of an LSP position counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Document {
    pub version: i32,
    pub text: String,
    /// The file it stands for; `None` for a document that is not a file (`untitled:`).
    pub path: Option<PathBuf>,
}

#[derive(Debug, Default)]
pub struct Documents {
    pub open: BTreeMap<Url, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Url, version: i32, text: String) {
        let path = uri.to_file_path().ok();
        self.open.insert(
            uri,
            Document {
                version,
                text,
                path,
            },
        );
    }

    /// Applies changes in order; a change without a range replaces the whole text.
    pub fn change(
        &mut self,
        uri: &Url,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Result<(), String> {
        let doc = self
            .open
            .get_mut(uri)
            .ok_or_else(|| format!("change to a document that is not open: {uri}"))?;
        for change in changes {
            match change.range {
                None => doc.text = change.text,
                Some(range) => {
                    let index = LineIndex::new(&doc.text);
                    let start = index.offset(&doc.text, range.start, encoding);
                    let end = index.offset(&doc.text, range.end, encoding).max(start);
                    doc.text.replace_range(start..end, &change.text);
                }
            }
        }
        doc.version = version;
        Ok(())
    }

    pub fn close(&mut self, uri: &Url) -> Option<Document> {
        self.open.remove(uri)
    }

    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.open.get(uri)
    }
}

/// The byte offsets where lines start, for converting positions of one text.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The LSP position of a byte offset (clamped into the text, down to a char boundary).
    pub fn position(&self, text: &str, byte: usize, encoding: Encoding) -> Position {
        let mut byte = byte.min(text.len());
        while !text.is_char_boundary(byte) {
            byte -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= byte) - 1;
        let start = self.starts[line];
        let character: usize = text[start..byte].chars().map(|c| encoding.width(c)).sum();
        Position {
            line: line as u32,
            character: character as u32,
        }
    }

    pub fn range(&self, text: &str, start: usize, end: usize, encoding: Encoding) -> Range {
        Range {
            start: self.position(text, start, encoding),
            end: self.position(text, end, encoding),
        }
    }

    /// The byte offset of an LSP position: a line past the end is the end of the text, a
    /// character past the end of its line (or inside a character) the end of what it covers.
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |&next| next - 1);
        let line = &text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += encoding.width(c);
        }
        start + line.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_or_bytes() {
        let text = "fn a() {}\nlet s = \"é🦀\"; f();\n";
        let index = LineIndex::new(text);
        let f = text.find("f()").unwrap();
        let utf16 = index.position(text, f, Encoding::Utf16);
        assert_eq!((utf16.line, utf16.character), (1, 15));
        let utf8 = index.position(text, f, Encoding::Utf8);
        assert_eq!((utf8.line, utf8.character), (1, 18));
        assert_eq!(index.offset(text, utf16, Encoding::Utf16), f);
        assert_eq!(index.offset(text, utf8, Encoding::Utf8), f);
        // Past the end of a line, past the last line.
        let eol = Position::new(0, 99);
        assert_eq!(index.offset(text, eol, Encoding::Utf16), 9);
        let eof = Position::new(9, 0);
        assert_eq!(index.offset(text, eof, Encoding::Utf16), text.len());
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let uri = Url::parse("file:///tmp/a.rs").unwrap();
        let mut docs = Documents::default();
        docs.open(uri.clone(), 1, "let é = f();\n".into());
        let change = |l0, c0, l1, c1, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: text.into(),
        };
        let changes = vec![change(0, 11, 0, 11, ".await"), change(0, 4, 0, 5, "x")];
        docs.change(&uri, 2, changes, Encoding::Utf16).unwrap();
        let doc = docs.get(&uri).unwrap();
        assert_eq!(doc.text, "let x = f().await;\n");
        assert_eq!(doc.version, 2);
        let unknown = Url::parse("file:///tmp/b.rs").unwrap();
        assert!(docs.change(&unknown, 1, vec![], Encoding::Utf16).is_err());
    }
}
