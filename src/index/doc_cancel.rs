//! What a fn's docs say of its cancel safety, as a flag the item skeleton and a full parse
//! both give.

use serde::{Deserialize, Serialize};

/// What a fn's docs say of its cancel safety: tokio's `# Cancel safety` section, read by
/// [`crate::knowledge::cancel_safety::doc_cancel_safety`]. The item skeleton blanks doc comments;
/// it writes the verdict as a marker attribute in their place ([`CANCEL_SAFE_MARK`],
/// [`CANCEL_UNSAFE_MARK`]), so a skeleton and a full parse give the same flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocCancel {
    /// No `# Cancel safety` section, or one that says neither.
    #[default]
    Silent,
    /// Documented cancel safe.
    Safe,
    /// Documented not cancel safe.
    NotSafe,
}

impl DocCancel {
    pub fn is_silent(&self) -> bool {
        *self == DocCancel::Silent
    }

    /// What a doc comment's text says.
    pub fn of_doc(doc: &str) -> DocCancel {
        use crate::knowledge::cancel_safety::{doc_cancel_safety, CancelSafety};
        match doc_cancel_safety(doc) {
            Some(CancelSafety::Safe) => DocCancel::Safe,
            Some(_) => DocCancel::NotSafe,
            None => DocCancel::Silent,
        }
    }

    /// What an item's attributes say: the skeleton's marker, else its `#[doc]` attributes (doc
    /// comments in a full parse).
    pub fn of_attrs(attrs: &[syn::Attribute]) -> DocCancel {
        let mut docs: Vec<&syn::LitStr> = Vec::new();
        for attr in attrs {
            let path = attr.path();
            if path.is_ident(CANCEL_UNSAFE_MARK) {
                return DocCancel::NotSafe;
            }
            if path.is_ident(CANCEL_SAFE_MARK) {
                return DocCancel::Safe;
            }
            if !path.is_ident("doc") {
                continue;
            }
            if let syn::Meta::NameValue(nv) = &attr.meta {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    docs.push(s);
                }
            }
        }
        // Unescaped only when a literal as written may say it: a letter is written as itself
        // or as an escape (`\x63`, `\u{63}`), and a word may be split by an escaped line end.
        // Each literal written into one buffer (not a `String` per doc line); an escape starts
        // with a backslash, so a line without one needs no search for them.
        let mut written = String::new();
        let mut may_say = |s: &&syn::LitStr| {
            use std::fmt::Write;
            written.clear();
            let _ = write!(written, "{}", s.token());
            memchr::memmem::find(written.as_bytes(), b"ancel").is_some()
                || (memchr::memchr(b'\\', written.as_bytes()).is_some()
                    && ["\\x", "\\u", "\\\n", "\\\r"]
                        .iter()
                        .any(|e| written.contains(e)))
        };
        if !docs.iter().any(&mut may_say) {
            return DocCancel::Silent;
        }
        let mut doc = String::new();
        for s in docs {
            doc.push_str(&s.value());
            doc.push('\n');
        }
        if doc.contains("ancel") {
            DocCancel::of_doc(&doc)
        } else {
            DocCancel::Silent
        }
    }
}

/// The attribute the skeleton writes over doc comments that say their item is cancel safe (short
/// enough to fit on the line of the section's heading).
pub const CANCEL_SAFE_MARK: &str = "__cs_safe";
/// The same for doc comments that say their item is not cancel safe.
pub const CANCEL_UNSAFE_MARK: &str = "__cs_unsafe";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_doc_literals_read_as_plain_ones() {
        let of = |text: &str| {
            let f: syn::ItemFn = syn::parse_str(text).unwrap();
            DocCancel::of_attrs(&f.attrs)
        };
        let plain = of("/// # Cancel safety\n///\n/// This method is cancel safe.\nfn f() {}");
        assert_eq!(plain, DocCancel::Safe);
        for escaped in [
            "#[doc = \"# C\\x61ncel safety\"]\n#[doc = \"This method is c\\u{61}ncel safe.\"] fn f() {}",
            "#[doc = \"# Can\\\n   cel safety\"]\n#[doc = \"This method is cancel safe.\"] fn f() {}",
        ] {
            assert_eq!(of(escaped), plain, "{escaped}");
        }
        assert_eq!(of("/// Nothing said.\nfn f() {}"), DocCancel::Silent);
    }
}
