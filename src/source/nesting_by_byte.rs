//! The nesting scan [`super::too_deep`] replaced, kept to test it against: every run of bytes
//! passed over stops at each word that may be `move`, `async` or a raw string's `r`.

use super::{
    is_ident_byte, prev_byte, skip_block_comment, skip_char_literal, skip_raw_string, skip_string,
};

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
        // Straight past the bytes whose only effect is that they are written: spaces, and
        // punctuation and words that neither open nor close anything (see [`DEPTH_CLASS`]).
        let run = i;
        while let Some(&b) = bytes.get(i) {
            let class = DEPTH_CLASS[b as usize];
            if class == DEPTH_ACTS || (class == DEPTH_MAY_START && starts_depth_word(bytes, i)) {
                break;
            }
            i += 1;
        }
        if let Some(&last) = bytes[run..i].iter().rfind(|b| !b.is_ascii_whitespace()) {
            prev_significant = last;
            prefix_run = 0;
        }
        let Some(&c) = bytes.get(i) else {
            break;
        };
        match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
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
            // A `<` written after a space is an operator (`a < b`, `x << 3`), never a generic
            // list's: rustfmt writes `Vec<T>`, and a spaced one merely counts less.
            b'<' if prev_byte(bytes, i).is_ascii_whitespace() => {
                // The whole operator: `<`, `<<`, `<=`, `<<=`.
                while matches!(bytes.get(i), Some(b'<' | b'=')) {
                    i += 1;
                }
                prev_significant = b'=';
                prefix_run = 0;
                continue;
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

#[cfg(test)]
mod tests {
    use crate::source::scan_cases::{agree_everywhere, agree_over_tree};

    /// The limits compared at: small ones, which real files cross, and the one used.
    const LIMITS: [usize; 5] = [1, 2, 3, 5, crate::source::MAX_NESTING];

    fn same(text: &[u8], what: &dyn std::fmt::Display) {
        let text = String::from_utf8_lossy(text);
        for limit in LIMITS {
            assert_eq!(
                crate::source::too_deep(&text, limit),
                super::too_deep(&text, limit),
                "{what}, limit {limit}: {text:?}"
            );
        }
    }

    #[test]
    fn the_nesting_scan_finds_what_the_byte_by_byte_scan_finds() {
        let hard: &[&[u8]] = &[
            b"f(|| move || async move { !!&*x }) && - -y | &mut a",
            b"let s = r\"(\\\"; t = r#\"((\"# ((r##\"x\"#(\"## br\"(\\\"(( cr\"(\" xr\"((\"",
            b"r#type (r#x) r# ( r#\"unclosed ((",
            b"/* ( /* nested [ */ { */ (( // ((\n ((",
            b"b'(' '(' 'a ('a' '\\u{28}' '\\'' (( 'static <'a, T>",
            b"Vec<Vec<u8>> a < b << c <= d <<= e a<b<c>=d> x->y -> Z> { <<<",
            b"! ! ! move ! async ! movex ! asyncy ! mover ! a ! m ! r ! r\"(\" !",
            b"&&&& move &&&& async& |x| |y| &mut &mut &*&*x",
            b"\xc3\xa9(r\"(\" \xc3\xa9r\"((\" ((\xff\xfe((",
            b"\"unclosed ((((",
        ];
        agree_everywhere(hard, same);
    }

    /// The same over every `.rs` file of a tree (`UNAWAITED_SCAN_TREE`, by default the bench's
    /// pinned crates): `cargo test --lib nesting_by_byte -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn the_nesting_scan_finds_the_same_over_a_tree() {
        agree_over_tree(same);
    }
}
