//! Item-position calls of a file's own `macro_rules!`, expanded when every step is certain: the
//! first arm that matches takes only `$x:ident`, `$t:ty`, `$x:tt` and a trailing
//! `$($i:item)*` fragments, and its body writes them back (`pub async fn $name(..)`,
//! `impl Future for $t`, `$( #[cfg(..)] $i )*`). Any other fragment, an arm that may or may not
//! match, or an expansion that does not parse as items: the call's items stay unknown.

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use std::collections::HashMap;

/// The `macro_rules!` of a file (inline modules included), by name; a name defined twice with
/// different rules is left out (which one a call means depends on textual order).
pub fn definitions(items: &[syn::Item]) -> HashMap<String, TokenStream> {
    fn add(items: &[syn::Item], depth: usize, out: &mut HashMap<String, Option<TokenStream>>) {
        for item in items {
            match item {
                syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                    let Some(name) = &m.ident else { continue };
                    let tokens = m.mac.tokens.clone();
                    out.entry(name.to_string())
                        .and_modify(|old| {
                            if old.as_ref().map(|t| t.to_string()) != Some(tokens.to_string()) {
                                *old = None;
                            }
                        })
                        .or_insert_with(|| Some(tokens.clone()));
                }
                syn::Item::Mod(md) if depth < 16 => {
                    if let Some((_, inner)) = &md.content {
                        add(inner, depth + 1, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut all = HashMap::new();
    add(items, 0, &mut all);
    all.into_iter()
        .filter_map(|(name, t)| Some((name, t?)))
        .collect()
}

/// The arms of a `macro_rules!` body, `(pattern) => { body }` each, `;` between them; `None`
/// when the body is anything else.
pub fn arms(rules: &TokenStream) -> Option<Vec<(Group, Group)>> {
    let tokens: Vec<TokenTree> = rules.clone().into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (
            Some(TokenTree::Group(pattern)),
            Some(TokenTree::Punct(eq)),
            Some(TokenTree::Punct(gt)),
            Some(TokenTree::Group(body)),
        ) = (
            tokens.get(i),
            tokens.get(i + 1),
            tokens.get(i + 2),
            tokens.get(i + 3),
        )
        else {
            return None;
        };
        if eq.as_char() != '=' || gt.as_char() != '>' {
            return None;
        }
        out.push((pattern.clone(), body.clone()));
        i += 4;
        if matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
            i += 1;
        }
    }
    Some(out)
}

/// Whether some arm of the rules may write items: its body starts an item at its top level
/// (`fn`, `impl`, `pub struct`, .., inside `$( .. )*` repetitions too). A macro whose arms all
/// write expressions or statements (`info!`, `select!`) never makes an item.
pub fn may_write_items(rules: &TokenStream) -> bool {
    const ITEM_WORDS: &[&str] = &[
        "fn", "impl", "struct", "enum", "union", "mod", "trait", "type", "pub", "use", "static",
        "const", "async", "unsafe", "extern",
    ];
    fn top(ts: TokenStream, depth: usize) -> bool {
        let tokens: Vec<TokenTree> = ts.into_iter().collect();
        tokens.iter().enumerate().any(|(i, t)| match t {
            TokenTree::Ident(id) => ITEM_WORDS.iter().any(|w| id == w),
            TokenTree::Group(g) if depth < 4 && g.delimiter() == Delimiter::Parenthesis => {
                i > 0
                    && matches!(&tokens[i - 1], TokenTree::Punct(d) if d.as_char() == '$')
                    && top(g.stream(), depth + 1)
            }
            _ => false,
        })
    }
    fn takes_items(ts: TokenStream, depth: usize) -> bool {
        let tokens: Vec<TokenTree> = ts.into_iter().collect();
        tokens.iter().enumerate().any(|(i, t)| match t {
            TokenTree::Ident(id) => {
                id == "item"
                    && i > 0
                    && matches!(&tokens[i - 1], TokenTree::Punct(c) if c.as_char() == ':')
            }
            TokenTree::Group(g) if depth < 4 => takes_items(g.stream(), depth + 1),
            _ => false,
        })
    }
    // Only `$x:ident`, `$x:tt`, `$t:ty` and `$i:item` are ever expanded.
    fn expandable(ts: TokenStream, depth: usize) -> bool {
        let tokens: Vec<TokenTree> = ts.into_iter().collect();
        tokens.iter().enumerate().all(|(i, t)| match t {
            TokenTree::Ident(kind) => {
                !(i >= 2
                    && matches!(&tokens[i - 1], TokenTree::Punct(c) if c.as_char() == ':')
                    && matches!(&tokens[i - 2], TokenTree::Ident(_))
                    && i >= 3
                    && matches!(&tokens[i - 3], TokenTree::Punct(d) if d.as_char() == '$'))
                    || ["ident", "tt", "ty", "item"].iter().any(|k| kind == k)
            }
            TokenTree::Group(g) => depth < 4 && expandable(g.stream(), depth + 1),
            _ => true,
        })
    }
    arms(rules).is_some_and(|arms| {
        arms.into_iter().any(|(pattern, body)| {
            expandable(pattern.stream(), 0)
                && (takes_items(pattern.stream(), 0) || top(body.stream(), 0))
        })
    })
}

/// The items a call with `input` of the macro whose rules are `rules` expands to, when certain.
pub fn expand(rules: &TokenStream, input: &TokenStream) -> Option<Vec<syn::Item>> {
    let input: Vec<TokenTree> = input.clone().into_iter().collect();
    for (pattern, body) in arms(rules)? {
        let pattern: Vec<TokenTree> = pattern.stream().into_iter().collect();
        let mut binds = Binds::new();
        if matches(&pattern, &input, &mut binds, 0)? {
            let out = substitute(body.stream(), &binds, 0)?;
            let file: syn::File = syn::parse2(out).ok()?;
            return Some(file.items);
        }
    }
    None
}

#[derive(Default)]
struct Binds {
    single: HashMap<String, TokenStream>,
    /// The one `$($i:item)*` repetition: its name and the items.
    items: Option<(String, Vec<TokenStream>)>,
}

impl Binds {
    fn new() -> Self {
        Self::default()
    }
}

/// Whether `input` matches `pattern`: `Some(false)` when it certainly does not, `None` when that
/// is not known.
fn matches(
    pattern: &[TokenTree],
    input: &[TokenTree],
    binds: &mut Binds,
    depth: usize,
) -> Option<bool> {
    if depth > 8 {
        return None;
    }
    let (mut p, mut i) = (0, 0);
    while p < pattern.len() {
        match &pattern[p] {
            TokenTree::Punct(d) if d.as_char() == '$' => match pattern.get(p + 1) {
                Some(TokenTree::Ident(name)) => {
                    let (Some(TokenTree::Punct(colon)), Some(TokenTree::Ident(kind))) =
                        (pattern.get(p + 2), pattern.get(p + 3))
                    else {
                        return None;
                    };
                    if colon.as_char() != ':' {
                        return None;
                    }
                    let taken: TokenStream = match kind.to_string().as_str() {
                        "ident" => match input.get(i) {
                            Some(TokenTree::Ident(id)) => {
                                i += 1;
                                TokenTree::Ident(id.clone()).into()
                            }
                            Some(_) | None => return None,
                        },
                        "tt" => match input.get(i) {
                            Some(t) => {
                                i += 1;
                                t.clone().into()
                            }
                            None => return None,
                        },
                        "ty" => {
                            // Up to the pattern's next literal token (the rest when none).
                            let end = match pattern.get(p + 4) {
                                None => input.len(),
                                Some(TokenTree::Punct(next)) => (i..input.len())
                                    .find(|&j| {
                                        matches!(&input[j], TokenTree::Punct(q) if q.as_char() == next.as_char())
                                    })
                                    .unwrap_or(input.len()),
                                Some(_) => return None,
                            };
                            let ts: TokenStream = input[i..end].iter().cloned().collect();
                            syn::parse2::<syn::Type>(ts.clone()).ok()?;
                            i = end;
                            ts
                        }
                        _ => return None,
                    };
                    binds.single.insert(name.to_string(), taken);
                    p += 4;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    // Only `$($i:item)*` (or `+`), last in the pattern.
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    let [TokenTree::Punct(d2), TokenTree::Ident(name), TokenTree::Punct(colon), TokenTree::Ident(kind)] =
                        inner.as_slice()
                    else {
                        return None;
                    };
                    let op = pattern.get(p + 2);
                    let rep =
                        matches!(op, Some(TokenTree::Punct(r)) if matches!(r.as_char(), '*' | '+'));
                    if d2.as_char() != '$'
                        || colon.as_char() != ':'
                        || kind != "item"
                        || !rep
                        || p + 3 != pattern.len()
                        || binds.items.is_some()
                    {
                        return None;
                    }
                    let rest: TokenStream = input[i..].iter().cloned().collect();
                    let file: syn::File = syn::parse2(rest).ok()?;
                    if file.items.is_empty()
                        && matches!(op, Some(TokenTree::Punct(r)) if r.as_char() == '+')
                    {
                        return Some(false);
                    }
                    let items = file
                        .items
                        .iter()
                        .map(quote::ToTokens::to_token_stream)
                        .collect();
                    binds.items = Some((name.to_string(), items));
                    return Some(true);
                }
                _ => return None,
            },
            TokenTree::Group(g) => {
                let Some(TokenTree::Group(h)) = input.get(i) else {
                    return Some(false);
                };
                if g.delimiter() != h.delimiter() {
                    return Some(false);
                }
                let gp: Vec<TokenTree> = g.stream().into_iter().collect();
                let hi: Vec<TokenTree> = h.stream().into_iter().collect();
                if !matches(&gp, &hi, binds, depth + 1)? {
                    return Some(false);
                }
                p += 1;
                i += 1;
            }
            literal => {
                let same = match (literal, input.get(i)) {
                    (TokenTree::Ident(a), Some(TokenTree::Ident(b))) => a == b,
                    (TokenTree::Punct(a), Some(TokenTree::Punct(b))) => a.as_char() == b.as_char(),
                    (TokenTree::Literal(a), Some(TokenTree::Literal(b))) => {
                        a.to_string() == b.to_string()
                    }
                    _ => false,
                };
                if !same {
                    return Some(false);
                }
                p += 1;
                i += 1;
            }
        }
    }
    Some(i == input.len())
}

/// The body with the bound fragments written in; `None` for anything unsure.
fn substitute(body: TokenStream, binds: &Binds, depth: usize) -> Option<TokenStream> {
    if depth > 16 {
        return None;
    }
    let tokens: Vec<TokenTree> = body.into_iter().collect();
    let mut out = TokenStream::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Punct(d) if d.as_char() == '$' => match tokens.get(i + 1) {
                Some(TokenTree::Ident(name)) if name == "crate" => {
                    out.extend([TokenTree::Ident(Ident::new("crate", name.span()))]);
                    i += 2;
                }
                Some(TokenTree::Ident(name)) => {
                    out.extend(binds.single.get(&name.to_string())?.clone());
                    i += 2;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    // `$( .. $i .. )*` over the items.
                    let (name, items) = binds.items.as_ref()?;
                    let inner = g.stream();
                    if !mentions(&inner, name) {
                        return None;
                    }
                    if !matches!(tokens.get(i + 2), Some(TokenTree::Punct(r)) if matches!(r.as_char(), '*' | '+'))
                    {
                        return None;
                    }
                    for item in items {
                        let mut one = Binds::new();
                        one.single.clone_from(&binds.single);
                        one.single.insert(name.clone(), item.clone());
                        out.extend(substitute(inner.clone(), &one, depth + 1)?);
                    }
                    i += 3;
                }
                _ => return None,
            },
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), substitute(g.stream(), binds, depth + 1)?);
                ng.set_span(g.span());
                out.extend([TokenTree::Group(ng)]);
                i += 1;
            }
            other => {
                out.extend([other.clone()]);
                i += 1;
            }
        }
    }
    Some(out)
}

/// Whether `$name` appears in the stream.
fn mentions(ts: &TokenStream, name: &str) -> bool {
    let tokens: Vec<TokenTree> = ts.clone().into_iter().collect();
    tokens.iter().enumerate().any(|(i, t)| match t {
        TokenTree::Punct(d) if d.as_char() == '$' => {
            matches!(tokens.get(i + 1), Some(TokenTree::Ident(n)) if n == name)
        }
        TokenTree::Group(g) => mentions(&g.stream(), name),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(rules: &str, input: &str) -> Option<Vec<String>> {
        let rules: TokenStream = rules.parse().unwrap();
        let input: TokenStream = input.parse().unwrap();
        expand(&rules, &input).map(|items| {
            items
                .iter()
                .map(|i| quote::ToTokens::to_token_stream(i).to_string())
                .collect()
        })
    }

    #[test]
    fn simple_fragments() {
        let got = expanded(
            "($name:ident) => { pub async fn $name() -> u8 { 1 } };",
            "fetch",
        )
        .unwrap();
        assert_eq!(got, ["pub async fn fetch () -> u8 { 1 }"]);
        let got = expanded(
            "($t:ty) => { impl core::future::Future for $t { type Output = (); } }",
            "Listener<T>",
        )
        .unwrap();
        assert_eq!(got.len(), 1);
        let got = expanded(
            "($($i:item)*) => { $( #[cfg(x)] $i )* }",
            "fn a() {} fn b() {}",
        )
        .unwrap();
        assert_eq!(got, ["# [cfg (x)] fn a () { }", "# [cfg (x)] fn b () { }"]);
    }

    #[test]
    fn item_writers() {
        let writes = |r: &str| may_write_items(&r.parse().unwrap());
        assert!(writes("($n:ident) => { pub async fn $n() {} };"));
        assert!(writes("($($i:item)*) => { $( #[cfg(x)] $i )* };"));
        assert!(!writes("($e:expr) => { match $e { _ => { fn f() {} } } };"));
        assert!(!writes("($($t:tt)*) => { $crate::event!($($t)*) };"));
        assert!(!writes("($(#[$m:meta])* $n:ident) => { pub struct $n; };"));
    }

    #[test]
    fn unsure_is_none() {
        // An expression fragment, an arm before the matching one that might match, `$x` unbound.
        assert!(expanded("($e:expr) => { fn f() { $e; } }", "1").is_none());
        assert!(expanded("($e:expr) => {}; ($n:ident) => { fn $n() {} }", "a").is_none());
        assert!(expanded("($n:ident) => { fn $m() {} }", "a").is_none());
        // A literal arm that does not match is passed over.
        let got = expanded("(@x $n:ident) => {}; ($n:ident) => { fn $n() {} }", "a").unwrap();
        assert_eq!(got, ["fn a () { }"]);
    }
}
