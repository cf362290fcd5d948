//! Issue 29's question before skipping any parse: what share of a tree's source bytes lies in
//! top-level items that no rule could give a finding for, under a prefilter that reads only the
//! item's words (a byte scan, no parse) and what the index knows.
//!
//! The prefilter measured is built to err on the side of parsing, from this repository's own
//! code rather than from a list written by hand:
//!
//! - **Names the analysis compares against.** Every word of every string literal in
//!   `src/knowledge`, `src/analysis`, `src/rules`, `src/lower`, `src/index`, `src/suppress.rs`
//!   and `src/callgraph.rs` (paths split at `::`, messages included): an item whose words hold
//!   one is parsed. Words of literals in a fn that tests names by part (`contains`,
//!   `starts_with`, `ends_with`, `strip_prefix`, `strip_suffix`, `find`) also match as a part of
//!   an item's word (three bytes or more).
//! - **Keywords**: `async` and `await` (literals of the walk anyway);
//!   anyway. Also `macro_rules` (a local macro's body is expanded where it is called).
//! - **Suppressions**: an item with a comment that says `unawaited` or an attribute word of
//!   the above (`allow` is a literal of `src/suppress.rs`).
//! - **What the index would know** (crate by crate, to a fixpoint): an item that passes gives
//!   the names it declares (after `fn`, `struct`, `enum`, `union`, `trait`, `type`, `const`,
//!   `static`, `mod`, `as`, `macro_rules!`, a field's `name:`, the words of an `impl` header),
//!   and an item naming one of them passes too. So a fn returning a type that implements
//!   `Future`, an alias to a future, a field holding a handle, a macro whose body spawns, all
//!   make their users pass. Dependencies' names are not added (the four trees' dependencies
//!   declare no future; tokio's are its own crates' and `mio`/`bytes`).
//!
//! Prints, per tree and in total: files, bytes, top-level items, and the bytes and items that
//! would be skipped; with `--words`, the words that make most items pass. `--tables-only` takes
//! the words of the knowledge tables and the suppressions only, not the walk's and the rules':
//! not sound (the walk keys on names of its own), an estimate of what a prefilter worked out
//! rule by rule could reach.
//!
//! `cargo run --release --example prefilter_share -- [--words] [--tables-only] TREE...`

use std::collections::{HashMap, HashSet};
use syn::visit::Visit;
use unawaited::source::groups;
use unawaited::source::words::{scan, Word};

/// The same allocator as the tool.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Words no finding starts from: the language's keywords (but `async` and `await`) and
/// primitive types, the standard library's roots and derivable traits, attribute names. They
/// carry a value that a name of the tables gave (a `Box` of a future), never make one.
const STOP: &[&str] = &[
    "as",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "union",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
    "bool",
    "char",
    "str",
    "std",
    "core",
    "alloc",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "PartialEq",
    "Eq",
    "Hash",
    "PartialOrd",
    "Ord",
    "derive",
    "cfg",
    "doc",
    "feature",
    "repr",
    "inline",
    "C",
    "_",
    // `suppress::rules_of_attr` gives something only for `unused_must_use`,
    // `clippy::let_underscore_future`, `clippy::await_holding_lock` and `cfg_attr(unawaited, …)`:
    // those words stay, the attributes' own names do not.
    "allow",
    "expect",
    "cfg_attr",
    "clippy",
    "not",
];

/// String literal words of the analysis: exact, and those a fn tests as parts.
#[derive(Default)]
struct Literals {
    exact: HashSet<String>,
    parts: HashSet<String>,
}

struct LitVisitor<'a> {
    out: &'a mut Literals,
    /// Inside a fn that tests names by part.
    by_part: bool,
}

fn words_of(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty() && !w.as_bytes()[0].is_ascii_digit())
}

impl<'ast> Visit<'ast> for LitVisitor<'_> {
    fn visit_lit_str(&mut self, l: &'ast syn::LitStr) {
        let v = l.value();
        // A message (words with spaces between) is never compared with a name.
        if v.contains(char::is_whitespace) {
            return;
        }
        // A path's last segment is what an item must name to reach it (a type's method: the
        // type too); a message's or a single name's every word.
        let segments: Vec<&str> = v.split("::").collect();
        let roots: Vec<&str> = match segments.len() {
            1 => words_of(&v).collect(),
            n => {
                let mut r: Vec<&str> = words_of(segments[n - 1]).collect();
                if segments[n - 2].starts_with(|c: char| c.is_ascii_uppercase()) {
                    r.extend(words_of(segments[n - 2]));
                }
                r
            }
        };
        for w in roots {
            if STOP.contains(&w) {
                continue;
            }
            self.out.exact.insert(w.to_string());
            if self.by_part && w.len() >= 3 {
                self.out.parts.insert(w.to_string());
            }
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let before = self.by_part;
        self.by_part = tests_parts(&f.block);
        syn::visit::visit_item_fn(self, f);
        self.by_part = before;
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let before = self.by_part;
        self.by_part = tests_parts(&f.block);
        syn::visit::visit_impl_item_fn(self, f);
        self.by_part = before;
    }
}

/// Whether a block calls a method that tests a name by part.
fn tests_parts(b: &syn::Block) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            let name = m.method.to_string();
            self.0 |= matches!(
                name.as_str(),
                "contains"
                    | "starts_with"
                    | "ends_with"
                    | "strip_prefix"
                    | "strip_suffix"
                    | "find"
                    | "rfind"
            );
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut f = Finder(false);
    f.visit_block(b);
    f.0
}

/// With `tables_only`, the literals of `src/knowledge` and `src/suppress.rs` only: the names of
/// the tables, not the walk's (an estimate of what a set worked out rule by rule could give,
/// not a sound prefilter).
fn literals(tables_only: bool) -> Literals {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Literals::default();
    let dirs: &[&str] = match tables_only {
        true => &["knowledge"],
        false => &["knowledge", "analysis", "rules"],
    };
    let files: &[&str] = match tables_only {
        true => &["suppress.rs"],
        false => &["suppress.rs", "callgraph.rs"],
    };
    let mut paths: Vec<std::path::PathBuf> = files.iter().map(|f| root.join(f)).collect();
    for d in dirs {
        for e in walkdir::WalkDir::new(root.join(d)).into_iter().flatten() {
            if e.path().extension().is_some_and(|x| x == "rs") {
                paths.push(e.into_path());
            }
        }
    }
    for p in paths {
        let text = std::fs::read_to_string(&p).expect("the repository's sources");
        let file = syn::parse_file(&text).expect("the repository's sources parse");
        LitVisitor {
            out: &mut out,
            by_part: false,
        }
        .visit_file(&file);
    }
    for k in ["async", "await", "macro_rules", "unawaited"] {
        out.exact.insert(k.to_string());
    }
    out
}

/// One top-level item: its bytes, its words, what it declares.
struct Item {
    bytes: usize,
    words: Vec<String>,
    declares: Vec<String>,
    /// A comment says `unawaited`.
    marked: bool,
}

/// The keywords an item starts with (after its attributes and visibility).
const ITEM_KEYWORDS: &[&str] = &[
    "use",
    "struct",
    "union",
    "enum",
    "fn",
    "impl",
    "trait",
    "type",
    "const",
    "static",
    "mod",
    "extern",
    "macro_rules",
];

/// The byte before `i` that is not whitespace (a space at the start).
fn previous_byte(bytes: &[u8], i: usize) -> u8 {
    bytes[..i]
        .iter()
        .rev()
        .find(|b| !b.is_ascii_whitespace())
        .copied()
        .unwrap_or(b' ')
}

/// A module's name is not among them: a path through it names what it reaches.
const DECLARING: &[&str] = &[
    "fn", "struct", "enum", "union", "trait", "type", "const", "static", "as",
];

fn item_of(text: &str, range: std::ops::Range<usize>) -> Item {
    let mut words = Vec::new();
    // Where each word starts.
    let mut starts = Vec::new();
    let mut marked = false;
    scan(text, range.clone(), |w| match w {
        Word::Ident(s) => {
            starts.push(s.as_ptr() as usize - text.as_ptr() as usize);
            words.push(s.to_string());
        }
        // A comment suppression starts with the name, in any case.
        Word::Comment(c) => marked |= c.to_ascii_lowercase().contains("unawaited"),
    });
    let bytes = text.as_bytes();
    let mut declares = Vec::new();
    // `as` declares a name in a `use` item only (elsewhere it casts); `name:` is a field in a
    // type's definition only (elsewhere a parameter, a binding, a field given a value). The
    // item's keyword is its first word that is one (attributes come before it).
    let first = words.iter().find(|w| ITEM_KEYWORDS.contains(&w.as_str()));
    let is_use = first.is_some_and(|w| w == "use");
    let is_type = first.is_some_and(|w| matches!(w.as_str(), "struct" | "union" | "enum"));
    for (k, pair) in words.windows(2).enumerate() {
        // The name right after the keyword (`extern "C" fn(T)` is a pointer type).
        let between = &text[starts[k] + pair[0].len()..starts[k + 1]];
        if !between.trim().is_empty() {
            continue;
        }
        let declaring = match pair[0].as_str() {
            "as" => is_use,
            // `*const T` is a pointer type.
            "const" => previous_byte(bytes, starts[k]) != b'*',
            w => DECLARING.contains(&w) || w == "macro_rules",
        };
        if declaring {
            declares.push(pair[1].clone());
        }
    }
    // A field's `name:` — not `name::`.
    if is_type {
        scan_fields(text, range.clone(), bytes, &mut declares);
    }
    // An impl's header words.
    if words.iter().any(|w| w == "impl") {
        let head_end = text[range.clone()]
            .find('{')
            .map_or(range.end, |e| range.start + e);
        let mut in_head = Vec::new();
        // The last segment of each path (`impl ::core::clone::Clone for X`: `Clone`, `X`).
        scan(text, range.start..head_end, |w| {
            if let Word::Ident(s) = w {
                let end = s.as_ptr() as usize - text.as_ptr() as usize + s.len();
                let rest = text[end..].trim_start();
                if !rest.starts_with("::") {
                    in_head.push(s.to_string());
                }
            }
        });
        declares.extend(in_head);
    }
    declares.retain(|d| !STOP.contains(&d.as_str()));
    Item {
        bytes: range.len(),
        words,
        declares,
        marked,
    }
}

fn scan_fields(
    text: &str,
    range: std::ops::Range<usize>,
    bytes: &[u8],
    declares: &mut Vec<String>,
) {
    scan(text, range, |w| {
        if let Word::Ident(s) = w {
            let start = s.as_ptr() as usize - text.as_ptr() as usize;
            let mut j = start + s.len();
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if bytes.get(j) == Some(&b':') && bytes.get(j + 1) != Some(&b':') {
                declares.push(s.to_string());
            }
        }
    });
}

struct Tree {
    files: usize,
    /// Files the split does not read (counted as one item that passes).
    unsplit: usize,
    bytes: usize,
    items: Vec<Item>,
}

fn tree(root: &str) -> Tree {
    let mut t = Tree {
        files: 0,
        unsplit: 0,
        bytes: 0,
        items: Vec::new(),
    };
    let walk = walkdir::WalkDir::new(root).into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 0 || !(name.starts_with('.') || name == "target")
    });
    for e in walk.flatten() {
        if e.path().extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        t.files += 1;
        t.bytes += text.len();
        match groups::split(&text, 0) {
            Some(split) => {
                for g in split.groups {
                    t.items.push(item_of(&text, g));
                }
            }
            // Not split: counted as one item that passes.
            None => {
                t.unsplit += 1;
                t.items.push(Item {
                    bytes: text.len(),
                    words: vec!["async".into()],
                    declares: Vec::new(),
                    marked: true,
                })
            }
        }
    }
    t
}

/// The bytes of the items that do not pass.
fn skipped_bytes(items: &[Item], pass: &[bool]) -> usize {
    items
        .iter()
        .zip(pass)
        .filter(|(_, p)| !**p)
        .map(|(i, _)| i.bytes)
        .sum()
}

fn main() {
    let (mut show_words, mut tables_only) = (false, false);
    let mut roots = Vec::new();
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--words" => show_words = true,
            "--tables-only" => tables_only = true,
            _ => roots.push(a),
        }
    }
    let lits = literals(tables_only);
    println!(
        "{} exact words, {} words tested as parts",
        lits.exact.len(),
        lits.parts.len()
    );
    let mut part_cache: HashMap<String, bool> = HashMap::new();
    let mut static_hit = |w: &str| -> bool {
        if lits.exact.contains(w) {
            return true;
        }
        if let Some(&b) = part_cache.get(w) {
            return b;
        }
        let b = lits.parts.iter().any(|p| w.contains(p.as_str()));
        part_cache.insert(w.to_string(), b);
        b
    };
    let (mut all_bytes, mut all_skip, mut all_items, mut all_skip_items) = (0, 0, 0, 0);
    let mut why: HashMap<String, usize> = HashMap::new();
    for root in &roots {
        let t = tree(root);
        // Static pass, then the index's names to a fixpoint.
        let mut pass: Vec<bool> = t
            .items
            .iter()
            .map(|i| i.marked || i.words.iter().any(|w| static_hit(w)))
            .collect();
        let static_skip = skipped_bytes(&t.items, &pass);
        let static_pass = pass.clone();
        let mut known: HashSet<&str> = HashSet::new();
        loop {
            let before = known.len();
            for (i, p) in t.items.iter().zip(&pass) {
                if *p {
                    known.extend(i.declares.iter().map(String::as_str));
                }
            }
            let mut changed = known.len() != before;
            for (i, p) in t.items.iter().zip(pass.iter_mut()) {
                if !*p && i.words.iter().any(|w| known.contains(w.as_str())) {
                    *p = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if show_words {
            for ((i, p), s) in t.items.iter().zip(&pass).zip(&static_pass) {
                if *p && !i.marked {
                    let mut seen = HashSet::new();
                    for w in &i.words {
                        let hit = match s {
                            true => lits.exact.contains(w.as_str()),
                            false => known.contains(w.as_str()),
                        };
                        if hit && seen.insert(w) {
                            let key = format!("{}{w}", if *s { "" } else { "index: " });
                            *why.entry(key).or_default() += 1;
                        }
                    }
                }
            }
        }
        let skip = skipped_bytes(&t.items, &pass);
        let skip_items = pass.iter().filter(|p| !**p).count();
        println!(
            "{root}: {} files ({} not split), {:.1} MB, {} items; skipped {} items, {:.1} MB = {:.1}% of the bytes \
             (words of the analysis only: {:.1}%)",
            t.files,
            t.unsplit,
            t.bytes as f64 / 1e6,
            t.items.len(),
            skip_items,
            skip as f64 / 1e6,
            100.0 * skip as f64 / t.bytes as f64,
            100.0 * static_skip as f64 / t.bytes as f64,
        );
        all_bytes += t.bytes;
        all_skip += skip;
        all_items += t.items.len();
        all_skip_items += skip_items;
    }
    println!(
        "total: {:.1} MB, {all_items} items; skipped {all_skip_items} items, {:.1} MB = {:.1}%",
        all_bytes as f64 / 1e6,
        all_skip as f64 / 1e6,
        100.0 * all_skip as f64 / all_bytes.max(1) as f64
    );
    if show_words {
        let mut why: Vec<_> = why.into_iter().collect();
        why.sort_by_key(|b| std::cmp::Reverse(b.1));
        for (w, n) in why.iter().take(40) {
            println!("  {n:>7} items pass on `{w}`");
        }
    }
}
