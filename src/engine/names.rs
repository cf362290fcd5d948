//! The names a caller writes: identifiers scanned from bytes (no parse), for `--dependents`
//! ([`super::dependents`]) and for keeping a caller's findings to those that involve what the
//! named files define.

use crate::diagnostic::Diagnostic;
use std::collections::HashSet;

/// What the named files of a context define: the names their callers write, and the files.
#[derive(Debug, Default)]
pub(crate) struct Named {
    /// Functions, methods and trait methods defined there, and the aliases they are imported as.
    pub names: HashSet<String>,
    /// The named files, as paths are shown.
    pub files: HashSet<String>,
}

impl Named {
    /// Whether a finding in a caller involves what the named files define: its message or the
    /// lines it spans name one of their functions (the call, the future it made), or one of its
    /// notes points into a named file (a call chain through them).
    pub(crate) fn involved_in(&self, d: &Diagnostic, text: &str) -> bool {
        if mentions(d.message.as_bytes(), &self.names) {
            return true;
        }
        if d.notes
            .iter()
            .any(|n| n.path.as_ref().is_some_and(|p| self.files.contains(p)))
        {
            return true;
        }
        let (first, last) = (d.span.start.line.max(1), d.span.end.line.max(1));
        text.lines()
            .skip(first - 1)
            .take(last.saturating_sub(first) + 1)
            .any(|l| mentions(l.as_bytes(), &self.names))
    }
}

/// The identifiers of a text, each with the byte offset just past it (`r#name` gives `name`).
fn idents(text: &[u8]) -> impl Iterator<Item = (&str, usize)> {
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < text.len() {
            if !is_ident(text[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < text.len() && is_ident(text[i]) {
                i += 1;
            }
            if let Ok(s) = std::str::from_utf8(&text[start..i]) {
                return Some((s, i));
            }
        }
        None
    })
}

/// Whether the text holds one of the names as an identifier.
pub(super) fn mentions(text: &[u8], names: &HashSet<String>) -> bool {
    idents(text).any(|(s, _)| names.contains(s))
}

/// The aliases a text gives the names: `NAME as ALIAS`, with only spaces between.
pub(super) fn aliases_of(text: &[u8], names: &HashSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (s, end) in idents(text) {
        if !names.contains(s) {
            continue;
        }
        let rest = &text[end..];
        let spaced = |b: &[u8]| b.iter().all(u8::is_ascii_whitespace);
        let Some(as_at) = rest.windows(2).position(|w| w == b"as") else {
            continue;
        };
        if as_at == 0 || !spaced(&rest[..as_at]) {
            continue;
        }
        let after = &rest[as_at + 2..];
        let Some((alias, _)) = idents(after).next() else {
            continue;
        };
        let gap = after
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(0);
        if gap > 0 && after[gap..].starts_with(alias.as_bytes()) && alias != "_" {
            out.push(alias.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> HashSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_name_counts_as_a_whole_identifier_only() {
        let names = set(&["save"]);
        assert!(mentions(b"fn f() { crate::store::save(); }", &names));
        assert!(mentions(b"s.r#save().await", &names));
        assert!(!mentions(b"fn f() { saved(); autosave(); }", &names));
    }

    #[test]
    fn renamed_imports_give_aliases() {
        let names = set(&["save"]);
        let text = b"pub use crate::store::{save as persist, load};\nlet n = save() as u32;";
        assert_eq!(aliases_of(text, &names), vec!["persist".to_string()]);
        assert!(aliases_of(b"use a::save as _;", &names).is_empty());
    }
}
