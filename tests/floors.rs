//! The module floors: every import points down, and no modules import each other in a circle.
//!
//! `src/lib.rs` says which floor each top-level module is on (`// floor N` lines before its
//! `pub mod` lines). This test reads every file of `src/`, finds the paths it names
//! (`crate::a::b`, `super::x`, `use crate::{a, b::c}`, in code and macro bodies; comments and
//! strings do not count), and fails when a module names one on a higher floor, or when modules
//! that share a parent name each other in a circle.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

/// A module path from the crate root: `["analysis", "walk", "select"]`.
type ModPath = Vec<String>;

/// The floors `lib.rs` declares: top-level module → floor.
fn floors(lib: &str) -> BTreeMap<String, u32> {
    let mut floor = None;
    let mut out = BTreeMap::new();
    for line in lib.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("// floor ") {
            let n = rest.split(|c: char| !c.is_ascii_digit()).next().unwrap();
            floor = Some(n.parse().expect("a floor number"));
        } else if let Some(name) = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("mod "))
        {
            let name = name.trim_end_matches(';').to_string();
            let floor = floor.unwrap_or_else(|| panic!("`{name}` is declared before any floor"));
            out.insert(name, floor);
        }
    }
    out
}

/// The module paths that `text`, the file of module `me`, names: each `crate::…` and
/// `super::…` path, resolved to a module path (possibly longer than a module: the caller cuts
/// it to the module it names).
fn named_paths(me: &ModPath, text: &str) -> Vec<ModPath> {
    let tokens = TokenStream::from_str(text).expect("src files tokenize");
    let mut out = Vec::new();
    scan(me, tokens, &mut out);
    out
}

fn scan(me: &ModPath, tokens: TokenStream, out: &mut Vec<ModPath>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        if let TokenTree::Group(g) = &tokens[i] {
            scan(me, g.stream(), out);
            i += 1;
            continue;
        }
        let start = match &tokens[i] {
            TokenTree::Ident(id) if id == "crate" => Some(Vec::new()),
            TokenTree::Ident(id) if id == "super" => Some(me.clone()),
            _ => None,
        };
        // Only a path's first segment: `a::crate` and `x::super` are not roots.
        let after_colons = i >= 2 && is_colons(&tokens[i - 2], &tokens[i - 1]);
        match start {
            Some(base) if !after_colons => {
                i = path_from(base, &tokens, i, out);
            }
            _ => i += 1,
        }
    }
}

fn is_colons(a: &TokenTree, b: &TokenTree) -> bool {
    matches!((a, b), (TokenTree::Punct(x), TokenTree::Punct(y)) if x.as_char() == ':' && y.as_char() == ':')
}

/// Reads the path that starts at `tokens[i]` (`crate` or `super`) into `out`; returns the index
/// after it.
fn path_from(
    mut base: ModPath,
    tokens: &[TokenTree],
    mut i: usize,
    out: &mut Vec<ModPath>,
) -> usize {
    let supers = matches!(&tokens[i], TokenTree::Ident(id) if id == "super");
    if supers {
        base.pop();
    }
    i += 1;
    while i + 1 < tokens.len() && is_colons(&tokens[i], &tokens[i + 1]) {
        match tokens.get(i + 2) {
            Some(TokenTree::Ident(id)) if id == "super" && supers => {
                base.pop();
            }
            Some(TokenTree::Ident(id)) => base.push(id.to_string()),
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                // `crate::{a::b, c}`: each entry is a path below `base`.
                for entry in split_commas(g.stream()) {
                    let mut path = base.clone();
                    for t in entry {
                        match t {
                            TokenTree::Ident(id) if id != "self" => path.push(id.to_string()),
                            TokenTree::Punct(p) if p.as_char() == ':' => {}
                            _ => break,
                        }
                    }
                    out.push(path);
                }
                return i + 3;
            }
            _ => break,
        }
        i += 3;
    }
    out.push(base);
    i
}

fn split_commas(stream: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut entries = vec![Vec::new()];
    for t in stream {
        match &t {
            TokenTree::Punct(p) if p.as_char() == ',' => entries.push(Vec::new()),
            _ => entries.last_mut().unwrap().push(t),
        }
    }
    entries.retain(|e| !e.is_empty());
    entries
}

/// Every module file of the library in `src/` (not its root, nor the binaries) with its module
/// path and text.
fn module_files(src: &Path) -> Vec<(ModPath, String, String)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(src).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(src).unwrap();
        if rel.starts_with("bin") {
            continue; // other crates: the binaries' own roots
        }
        let mut segs: ModPath = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if segs.last().is_some_and(|s| s == "mod") {
            segs.pop();
        }
        if segs.len() == 1 && (segs[0] == "lib" || segs[0] == "main") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        out.push((segs, rel.display().to_string(), text));
    }
    out
}

/// What is wrong with the imports among `files` (module path, display name, text) given the
/// floors: each import from a higher floor, each circle.
fn check(files: &[(ModPath, String, String)], floors: &BTreeMap<String, u32>) -> Vec<String> {
    let modules: BTreeSet<&ModPath> = files.iter().map(|(m, _, _)| m).collect();
    let mut problems = Vec::new();
    for top in modules.iter().filter(|m| m.len() == 1) {
        if !floors.contains_key(&top[0]) {
            problems.push(format!("`{}` has no floor in src/lib.rs", top[0]));
        }
    }
    // Edges between modules that share a parent: parent → (child, child) → files naming it.
    let mut edges: BTreeMap<ModPath, BTreeMap<(String, String), BTreeSet<String>>> =
        BTreeMap::new();
    for (me, name, text) in files {
        for mut path in named_paths(me, text) {
            // Cut to the module it names.
            while !path.is_empty() && !modules.contains(&path) {
                path.pop();
            }
            let common = me.iter().zip(&path).take_while(|(a, b)| a == b).count();
            if common == me.len() || common == path.len() {
                continue; // itself, an ancestor or a descendant: one module tree
            }
            let (from, to) = (me[common].clone(), path[common].clone());
            if common == 0 {
                let (f, t) = (floors.get(&from), floors.get(&to));
                if let (Some(f), Some(t)) = (f, t) {
                    if t > f {
                        problems.push(format!(
                            "{name}: `{from}` (floor {f}) imports `crate::{}` (floor {t})",
                            path.join("::")
                        ));
                    }
                }
            }
            edges
                .entry(me[..common].to_vec())
                .or_default()
                .entry((from, to))
                .or_default()
                .insert(name.clone());
        }
    }
    for (parent, pairs) in &edges {
        for circle in circles(pairs.keys()) {
            let at = if parent.is_empty() {
                "crate".into()
            } else {
                parent.join("::")
            };
            let why: Vec<String> = circle
                .iter()
                .flat_map(|a| circle.iter().map(move |b| (a, b)))
                .filter_map(|(a, b)| {
                    let files = pairs.get(&(a.clone(), b.clone()))?;
                    Some(format!(
                        "{a} → {b} ({})",
                        files.iter().cloned().collect::<Vec<_>>().join(", ")
                    ))
                })
                .collect();
            problems.push(format!("a circle in `{at}`: {}", why.join("; ")));
        }
    }
    problems
}

/// The strongly connected groups of more than one node (Tarjan's algorithm, recursive: the
/// graphs are small).
fn circles<'a>(edges: impl Iterator<Item = &'a (String, String)>) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        graph.entry(a).or_default().push(b);
        graph.entry(b).or_default();
    }
    struct Tarjan<'g> {
        graph: &'g BTreeMap<&'g str, Vec<&'g str>>,
        index: BTreeMap<&'g str, (usize, usize)>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g str) -> usize {
            let n = self.index.len();
            self.index.insert(v, (n, n));
            self.stack.push(v);
            self.on_stack.insert(v);
            let mut low = n;
            for &w in &self.graph[v] {
                if let Some(&(wi, _)) = self.index.get(w) {
                    if self.on_stack.contains(w) {
                        low = low.min(wi);
                    }
                } else {
                    low = low.min(self.visit(w));
                }
            }
            if low == n {
                let mut group = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    group.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.out.push(group);
                }
            }
            low
        }
    }
    let mut t = Tarjan {
        graph: &graph,
        index: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for &v in graph.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.out
}

#[test]
fn every_import_points_down_and_no_modules_form_a_circle() {
    let lib = std::fs::read_to_string("src/lib.rs").unwrap();
    let floors = floors(&lib);
    assert!(floors.len() >= 15, "lib.rs declares the floors: {floors:?}");
    let files = module_files(Path::new("src"));
    let problems = check(&files, &floors);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checker itself finds an upward import, a circle between siblings, and paths in every
/// spelling; and ignores comments, strings and a module naming its own children.
#[test]
fn the_checker_sees_upward_imports_and_circles() {
    let floors = floors("// floor 0\npub mod low;\n// floor 1\npub mod high;\n");
    let m = |p: &str| p.split("::").map(String::from).collect::<ModPath>();
    let file = |p: &str, text: &str| (m(p), p.to_string(), text.to_string());
    let files = vec![
        file("low", "// crate::high::x in a comment\nconst S: &str = \"crate::high\";\nuse crate::low::a::X;"),
        file("low::a", "use super::b::Y;"),
        file("low::b", "fn f() { crate::{low::a::g, high}::z(); }"),
        file("high", "use crate::low::a;"),
    ];
    let problems = check(&files, &floors);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains("low::b: `low` (floor 0) imports `crate::high` (floor 1)"));
    assert!(problems[1].contains("a circle in `crate`") && problems[1].contains("low → high"));
    assert!(problems[2].contains("a circle in `low`") && problems[2].contains("a → b"));
    assert!(check(&files[3..], &floors).is_empty());
    // An undeclared top-level module is named.
    let stray = vec![file("stray", "")];
    assert_eq!(
        check(&stray, &floors),
        ["`stray` has no floor in src/lib.rs"]
    );
}
