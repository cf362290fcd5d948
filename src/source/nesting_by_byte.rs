//! The nesting scan [`super::too_deep`] replaced, kept to test it against: every run of bytes
//! passed over stops at each word that may be `move`, `async` or a raw string's `r`. Only the
//! runs differ: what is done at the byte a run stops at is the same step ([`Depth::after_run`];
//! here a raw string's `r` always stops a run, so the step never finds one from its quote).

use super::{scan_nesting, starts_depth_word, DEPTH_ACTS, DEPTH_CLASS, DEPTH_MAY_START};

/// [`super::too_deep`] as it was: the same scan, each run passed over byte by byte.
pub fn too_deep(text: &str, limit: usize) -> Option<(usize, usize)> {
    scan_nesting(text, limit, |bytes, mut i, _| {
        while let Some(&b) = bytes.get(i) {
            let class = DEPTH_CLASS[b as usize];
            if class == DEPTH_ACTS || (class == DEPTH_MAY_START && starts_depth_word(bytes, i)) {
                break;
            }
            i += 1;
        }
        i
    })
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
