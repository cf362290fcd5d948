//! The key that says which facts a cache file holds: the format's number, the tool's version
//! and the *shape* of [`FileFacts`] (its fields and their kinds), so a cache written by another
//! build of the tool, or before the facts changed, is never read as if it were current. The
//! index cache and the dependency cache both write it into their sealed headers.

use crate::index::facts::FileFacts;
use std::sync::OnceLock;

/// Bumped when what the facts *mean*, or how they are encoded (postcard since 4), changes (5: a
/// fn's `# Cancel safety` docs as a flag, read through the skeleton; 6: the `mod x;` written
/// inside macro calls are module declarations; 7: `fn(..) -> T` pointer types are callables,
/// `<E as Tr>::X` is the path `E::X`; 8: an impl's parameters without a bound keep their name
/// in its fns' returns and associated types, traits with a future supertrait say so; 9: calls of a file's own `macro_rules!` are read as
/// what they certainly expand to; 10: a file's `macro_rules!` and its calls of other files' macros are kept, for the index
/// to expand across files, a fn's own `cfg`; 11: `impl Stream<Item = T>` keeps its item; 12: the
/// macro rules and calls of 10 keep their tokens as text, so the index expands them without
/// reading the files again; 13: only calls whose path can name one of the crate's own macros;
/// 14: work in the branches of an `if`/`match` before the tail starts a fn's future, a fn
/// returning the future of a call says which name it forwards; 15: a `Drop` impl says whether
/// it only cleans up; 16: a `where` bound on a parameter's associated type is one more generic
/// entry; 17: a fn's return type reads its type arguments that name its bounded parameters as
/// their bounds; 18: the calls of paths, for the evidence from use across files; 19: those
/// calls counted without a leading `crate`, `self` or `super`; 20: a return type's argument
/// naming a parameter bound by `Future` reads as a future; 21: so does a `Self` argument in a trait
/// whose supertrait is `Future`; 22: an enum's variant fields and type parameters; 23: a
/// dependency's macro calls and rules keep their fn bodies, read by the skeleton as by a full
/// parse; 24: the items declared in a fn body are a module of their own below the fn's; 25: a
/// trait's type parameters and its supertraits with type arguments; 26: whether an impl's `Drop`
/// only passes a wake-up on, and the type parameters a return type takes from the arguments; 27: a
/// blanket impl's bounds on its self type; 28: a module's statics and consts with their types;
/// 29: of consts only callables; 30: a signature's rare parts — forwarded call, `cfg`, the
/// runtime, offloading, catching and maybe-async flags — are written with its closure inputs);
/// a change of shape (a field added, removed or renamed) changes
/// [`shape`] and invalidates old caches by itself.
const FORMAT: u32 = 30;
const MAGIC: &str = "unawaited-index-cache";

/// A source whose facts use every field of [`FileFacts`] (a test checks that they do).
const PROBE: &str = "use a::{b as c, d::*};\nmod m;\n#[path = \"x.rs\"] mod n;\n#[cfg_attr(unix, path = \"u.rs\")] mod o;\n\
    pub struct S { f: Box<dyn Fn()> }\nstruct U;\nenum E { A }\ntype T = Vec<u8>;\nstatic H: fn() -> u8 = f;\n\
    trait Tr: IntoFuture { async fn t(&self) -> u8; }\n\
    trait Cb: Fn() -> u8 {}\ntrait Sup: Tr<u8> {}\nimpl<X: Clone> Sup for X {}\n\
    impl Tr for S { type A = u8; async fn t(&self) -> u8 { struct L; 1 } }\n\
    impl S { fn r(&mut self) -> &mut Self { self } fn fw(&self) -> impl Future<Output = u8> { self.f.t() } }\n\
    #[tokio::main] async fn main() {}\n\
    fn off(f: F, g: impl Fn(u8)) { std::thread::spawn(f); }\nfn cu(f: F) { std::panic::catch_unwind(f); }\nmod inline { pub fn g() -> (u8, bool) { (1, true) } }\n\
    #[must_use] pub struct G<T: Clone> { x: T }\n#[must_use] fn mu(a: u8) -> u8 { a }\nfn wr<F>(f: F) -> Option<F> { None }\n\
    impl<F: Future> Future for W<F> { fn st(&self) -> impl Future<Output = u8> { go(); async { 1 } } }\n\
    impl<T> std::ops::Deref for D<T> { type Target = T; }\n#[act] impl U {}\nimpl Drop for S { fn drop(&mut self) { self.f.take(); } }\nimpl Drop for L { fn drop(&mut self) { self.w.wake(); } }\n\
    include!(\"inc.rs\");\nmacro_rules! mk { ($n:ident) => { fn $n() {} } }\nelsewhere!(x);\n#[cfg(x)] fn c() {}\n/// # Cancel safety\n/// Not cancel safe.\nasync fn cs() {}\n#[maybe_async] async fn ma() {}\n";

/// The shape of the facts as cached: the JSON structure (keys and kinds of values, not the
/// values) of the facts of [`PROBE`], hashed. Computed once per run that uses a cache.
pub fn shape() -> u64 {
    static SHAPE: OnceLock<u64> = OnceLock::new();
    *SHAPE.get_or_init(|| {
        let facts = FileFacts::of_text(PROBE);
        let value = serde_json::to_value(&facts).unwrap_or_default();
        // The encoded probe too: postcard writes enum variants by position, which the JSON
        // structure (names) does not show.
        let mut key = structure(&value).into_bytes();
        key.extend(postcard::to_allocvec(&facts).unwrap_or_default());
        crate::files::content_hash(&key) as u64
    })
}

/// The structure of a JSON value: object keys in order with their values' structures, the
/// distinct structures of an array's elements, and the kind of each scalar.
fn structure(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::Array(items) => {
            let mut kinds: Vec<String> = items.iter().map(structure).collect();
            kinds.sort();
            kinds.dedup();
            format!("[{}]", kinds.join("|"))
        }
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}:{}", structure(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
    }
}

/// What a sealed cache of facts holds: magic, format, shape and tool version, one line.
pub fn sealed_kind() -> &'static str {
    static KIND: OnceLock<String> = OnceLock::new();
    KIND.get_or_init(|| {
        format!(
            "{MAGIC} {FORMAT} {:016x} {}",
            shape(),
            env!("CARGO_PKG_VERSION")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn facts_of(src: &str) -> FileFacts {
        FileFacts::extract(&syn::parse_file(src).unwrap())
    }

    /// Every field of the facts (by name, wherever its type is used) holds something
    /// somewhere in the probe's facts: a non-empty list, an option that is set, a `true`. So a field added to the facts either
    /// shows in [`shape`] (and old caches stop loading) or fails this test until the probe
    /// uses it.
    #[test]
    fn the_probe_uses_every_field_of_the_facts() {
        fn visit(value: &serde_json::Value, field: &str, used: &mut HashMap<String, bool>) {
            use serde_json::Value;
            let holds = match value {
                Value::Null | Value::Bool(false) => false,
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !o.is_empty(),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            *used.entry(field.to_string()).or_default() |= holds;
            match value {
                Value::Array(items) => items.iter().for_each(|v| visit(v, field, used)),
                Value::Object(map) => map.iter().for_each(|(k, v)| visit(v, k, used)),
                _ => {}
            }
        }
        let value = serde_json::to_value(FileFacts::of_text(PROBE)).unwrap();
        let mut used = HashMap::new();
        visit(&value, "", &mut used);
        let unused: Vec<&String> = used.iter().filter(|(_, u)| !**u).map(|(p, _)| p).collect();
        assert!(
            unused.is_empty(),
            "PROBE leaves these fields empty: {unused:?}\n{value}"
        );
        assert!(
            used.len() > 25,
            "the probe reaches every level of the facts: {used:?}"
        );
    }

    /// The shape follows the facts' structure: a renamed, added or removed key, or a value of
    /// another kind, is another shape; other values are the same shape.
    #[test]
    fn the_shape_changes_with_the_structure_only() {
        let value = serde_json::to_value(facts_of(PROBE)).unwrap();
        let text = value.to_string();
        let shape_of = |t: &str| structure(&serde_json::from_str(t).unwrap());
        let base = shape_of(&text);
        assert_eq!(base, structure(&value));
        assert_eq!(shape_of(&text.replace("\"main\"", "\"other\"")), base);
        for (from, to) in [
            ("\"is_async\"", "\"asynchronous\""),
            ("\"line\":", "\"line\":0,\"column\":"),
            ("\"glob\":true", "\"glob\":\"yes\""),
        ] {
            assert!(text.contains(from), "{from} in {text}");
            assert_ne!(shape_of(&text.replace(from, to)), base, "{from} → {to}");
        }
    }
}
