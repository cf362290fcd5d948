//! The types of the language and of std whose values the walk knows by name (numbers, `bool`,
//! `char`, `String`): the std traits each meets, and the names of its inherent methods (and
//! `str`'s for `String`), which a trait's method of the same name never shadows.

/// The kinds of builtin types, by what they meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Float,
    Bool,
    Char,
    String,
}

fn kind(ty: &str) -> Option<Kind> {
    Some(match ty {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" => Kind::Integer,
        "f32" | "f64" => Kind::Float,
        "bool" => Kind::Bool,
        "char" => Kind::Char,
        "String" | "std::string::String" | "alloc::string::String" => Kind::String,
        _ => return None,
    })
}

/// Whether `ty` is a builtin type this table describes.
pub fn is_builtin(ty: &str) -> bool {
    kind(ty).is_some()
}

/// Whether every value of the builtin type `ty` meets the std trait named `name` (its last
/// segment: `Clone`, `Send`, `Hash`). `false` for a type or a trait this table does not know.
pub fn meets_std_trait(ty: &str, name: &str) -> bool {
    const ALL: &[&str] = &[
        "Clone",
        "Send",
        "Sync",
        "Sized",
        "Unpin",
        "Debug",
        "Display",
        "ToString",
        "Default",
        "PartialEq",
        "PartialOrd",
        "Any",
        "UnwindSafe",
        "RefUnwindSafe",
    ];
    let Some(k) = kind(ty) else {
        return false;
    };
    ALL.contains(&name)
        || (name == "Copy" && k != Kind::String)
        || (matches!(name, "Eq" | "Ord" | "Hash") && k != Kind::Float)
}

/// Whether `name` is an inherent method of the builtin type `ty` (for `String`, of `str` too,
/// reached by auto-deref): a call of it never reaches a trait's method of that name.
pub fn is_inherent_method(ty: &str, name: &str) -> bool {
    const NUMBER: &[&str] = &[
        "abs",
        "abs_diff",
        "checked_add",
        "checked_sub",
        "checked_mul",
        "checked_div",
        "checked_rem",
        "checked_neg",
        "checked_pow",
        "checked_shl",
        "checked_shr",
        "saturating_add",
        "saturating_sub",
        "saturating_mul",
        "saturating_pow",
        "wrapping_add",
        "wrapping_sub",
        "wrapping_mul",
        "wrapping_div",
        "wrapping_neg",
        "wrapping_pow",
        "wrapping_shl",
        "wrapping_shr",
        "overflowing_add",
        "overflowing_sub",
        "overflowing_mul",
        "pow",
        "count_ones",
        "count_zeros",
        "leading_zeros",
        "trailing_zeros",
        "leading_ones",
        "trailing_ones",
        "rotate_left",
        "rotate_right",
        "swap_bytes",
        "reverse_bits",
        "to_be",
        "to_le",
        "to_be_bytes",
        "to_le_bytes",
        "to_ne_bytes",
        "is_power_of_two",
        "next_power_of_two",
        "checked_next_power_of_two",
        "min",
        "max",
        "clamp",
        "signum",
        "is_positive",
        "is_negative",
        "rem_euclid",
        "div_euclid",
        "ilog",
        "ilog2",
        "ilog10",
        "isqrt",
        "unsigned_abs",
        "div_ceil",
        "next_multiple_of",
        "midpoint",
        "floor",
        "ceil",
        "round",
        "trunc",
        "fract",
        "sqrt",
        "powi",
        "powf",
        "exp",
        "ln",
        "log",
        "log2",
        "log10",
        "sin",
        "cos",
        "tan",
        "is_nan",
        "is_finite",
        "is_infinite",
        "to_bits",
        "mul_add",
        "hypot",
        "atan2",
        "recip",
        "to_degrees",
        "to_radians",
        "total_cmp",
        "is_sign_positive",
        "is_sign_negative",
    ];
    const BOOL: &[&str] = &["then", "then_some"];
    const CHAR: &[&str] = &[
        "is_alphabetic",
        "is_numeric",
        "is_alphanumeric",
        "is_whitespace",
        "is_ascii",
        "is_ascii_digit",
        "is_ascii_alphabetic",
        "is_ascii_alphanumeric",
        "is_uppercase",
        "is_lowercase",
        "is_control",
        "to_digit",
        "to_ascii_uppercase",
        "to_ascii_lowercase",
        "to_uppercase",
        "to_lowercase",
        "len_utf8",
        "encode_utf8",
        "eq_ignore_ascii_case",
    ];
    const STRING: &[&str] = &[
        "len",
        "is_empty",
        "push",
        "push_str",
        "pop",
        "truncate",
        "clear",
        "capacity",
        "reserve",
        "shrink_to_fit",
        "insert",
        "insert_str",
        "remove",
        "retain",
        "drain",
        "split_off",
        "as_str",
        "as_mut_str",
        "as_bytes",
        "into_bytes",
        "into_boxed_str",
        "chars",
        "char_indices",
        "bytes",
        "lines",
        "split",
        "splitn",
        "rsplit",
        "rsplitn",
        "split_once",
        "rsplit_once",
        "split_whitespace",
        "split_at",
        "split_terminator",
        "trim",
        "trim_start",
        "trim_end",
        "trim_matches",
        "trim_start_matches",
        "trim_end_matches",
        "strip_prefix",
        "strip_suffix",
        "starts_with",
        "ends_with",
        "contains",
        "find",
        "rfind",
        "matches",
        "match_indices",
        "replace",
        "replacen",
        "to_lowercase",
        "to_uppercase",
        "to_ascii_lowercase",
        "to_ascii_uppercase",
        "repeat",
        "parse",
        "get",
        "get_mut",
        "is_char_boundary",
        "eq_ignore_ascii_case",
        "escape_debug",
        "escape_default",
        "encode_utf16",
        "make_ascii_lowercase",
        "make_ascii_uppercase",
        "as_ptr",
        "leak",
        "extend_from_within",
    ];
    match kind(ty) {
        Some(Kind::Integer | Kind::Float) => NUMBER.contains(&name),
        Some(Kind::Bool) => BOOL.contains(&name),
        Some(Kind::Char) => CHAR.contains(&name),
        Some(Kind::String) => STRING.contains(&name),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_meet_what_std_implements() {
        assert!(meets_std_trait("u32", "Copy") && meets_std_trait("u32", "Hash"));
        assert!(meets_std_trait("f64", "Copy") && !meets_std_trait("f64", "Eq"));
        assert!(meets_std_trait("String", "Clone") && !meets_std_trait("String", "Copy"));
        assert!(!meets_std_trait("u32", "Serialize") && !meets_std_trait("Vec", "Clone"));
        assert!(is_inherent_method("String", "len") && is_inherent_method("u8", "pow"));
        assert!(!is_inherent_method("u8", "len") && !is_inherent_method("Vec", "len"));
    }
}
