//! Item-forwarding macros: tokio writes most of its API inside `cfg_rt! { .. }`-style calls of
//! `macro_rules!` macros whose every arm only repeats its `$item` fragments (maybe with
//! attributes added). The items of such a call are the crate's items; the tokens of any other
//! macro call are not read as items.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::collections::HashSet;

/// The names of the item-forwarding `macro_rules!` macros defined among `items` (inline modules
/// included).
pub fn forwarding_macros(items: &[syn::Item], out: &mut HashSet<String>) {
    for item in items {
        match item {
            syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                if let Some(name) = &m.ident {
                    if forwards_items(&m.mac.tokens) {
                        out.insert(name.to_string());
                    }
                }
            }
            syn::Item::Mod(md) => {
                if let Some((_, inner)) = &md.content {
                    forwarding_macros(inner, out);
                }
            }
            _ => {}
        }
    }
}

/// The names (last path segment) of the item-position macro calls among `items`, inline
/// modules included.
pub fn item_calls(items: &[syn::Item], out: &mut HashSet<String>) {
    for item in items {
        match item {
            syn::Item::Macro(m) if m.ident.is_none() => {
                out.extend(m.mac.path.segments.last().map(|s| s.ident.to_string()));
            }
            syn::Item::Mod(md) => {
                if let Some((_, inner)) = &md.content {
                    item_calls(inner, out);
                }
            }
            _ => {}
        }
    }
}

/// Removes the item-position macro calls that do not call one of `forwarding` (so the index
/// does not read their tokens as items), in inline modules too.
pub fn keep_forwarding_calls(items: &mut Vec<syn::Item>, forwarding: &HashSet<String>) {
    items.retain(|item| match item {
        syn::Item::Macro(m) if m.ident.is_none() => m.mac.path.segments.last().is_some_and(|s| {
            let name = s.ident.to_string();
            forwarding.contains(&name) || ITEM_PRESERVING.contains(&name.as_str())
        }),
        _ => true,
    });
    for item in items {
        if let syn::Item::Mod(md) = item {
            if let Some((_, inner)) = &mut md.content {
                keep_forwarding_calls(inner, forwarding);
            }
        }
    }
}

/// Macros of other crates that keep the items they are given (adding impls beside them):
/// `pin_project_lite::pin_project! { pub struct Sleep { .. } }` declares `Sleep`.
const ITEM_PRESERVING: &[&str] = &["pin_project"];

/// Whether a `macro_rules!` body's every arm has the form `(.. $($x:item)* ..) => { $( #[..]
/// $x )* }` (or `$x` alone, attributes allowed before each fragment).
pub fn forwards_items(rules: &TokenStream) -> bool {
    let Some(arms) = crate::index::macro_expand::arms(rules) else {
        return false;
    };
    !arms.is_empty()
        && arms.iter().all(|(pattern, body)| {
            let fragments = item_fragments(pattern.stream());
            !fragments.is_empty() && repeats_only(body.stream(), &fragments)
        })
}

/// The names of the `$name:item` fragments of a pattern.
fn item_fragments(pattern: TokenStream) -> Vec<String> {
    let tokens: Vec<TokenTree> = pattern.into_iter().collect();
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Group(g) => out.extend(item_fragments(g.stream())),
            TokenTree::Punct(p) if p.as_char() == '$' => {
                if let (
                    Some(TokenTree::Ident(name)),
                    Some(TokenTree::Punct(colon)),
                    Some(TokenTree::Ident(kind)),
                ) = (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3))
                {
                    if colon.as_char() == ':' && kind == "item" {
                        out.push(name.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A body made only of `#[..]` attributes, `$item` fragments and `$( .. )*` repetitions of
/// the same.
fn repeats_only(body: TokenStream, fragments: &[String]) -> bool {
    let tokens: Vec<TokenTree> = body.into_iter().collect();
    let mut i = 0;
    let mut seen_fragment = false;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                // `#[attr]` or `#![attr]`.
                let mut j = i + 1;
                if matches!(tokens.get(j), Some(TokenTree::Punct(b)) if b.as_char() == '!') {
                    j += 1;
                }
                match tokens.get(j) {
                    Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => i = j + 1,
                    _ => return false,
                }
            }
            TokenTree::Punct(p) if p.as_char() == '$' => match tokens.get(i + 1) {
                Some(TokenTree::Ident(name)) if fragments.iter().any(|f| name == f) => {
                    seen_fragment = true;
                    i += 2;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    if !repeats_only(g.stream(), fragments) {
                        return false;
                    }
                    seen_fragment = true;
                    i += 2;
                    if matches!(tokens.get(i), Some(TokenTree::Punct(r)) if matches!(r.as_char(), '*' | '+'))
                    {
                        i += 1;
                    } else {
                        return false;
                    }
                }
                _ => return false,
            },
            _ => return false,
        }
    }
    seen_fragment
}

/// The types a file makes futures through its own `macro_rules!`: a macro whose body writes
/// `impl .. Future for $ty` (or `IntoFuture`), called at item level with a type the file declares
/// (`forward_impl_to_listener! { T => EventListener<T> }`). Those types implement `Future`.
pub fn futures_made_by_macros(items: &[syn::Item]) -> Vec<String> {
    let makers: HashSet<String> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                let name = m.ident.as_ref()?.to_string();
                let mut flat = Vec::new();
                flatten(m.mac.tokens.clone(), &mut flat, 0);
                writes_future_impl(&flat).then_some(name)
            }
            _ => None,
        })
        .collect();
    if makers.is_empty() {
        return Vec::new();
    }
    let declared: HashSet<String> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for item in items {
        let syn::Item::Macro(m) = item else { continue };
        let called = m.ident.is_none()
            && m.mac
                .path
                .segments
                .last()
                .is_some_and(|s| makers.contains(&s.ident.to_string()));
        if !called {
            continue;
        }
        let mut flat = Vec::new();
        flatten(m.mac.tokens.clone(), &mut flat, 0);
        for t in flat {
            if let TokenTree::Ident(i) = t {
                let name = i.to_string();
                if declared.contains(&name) && !out.contains(&name) {
                    out.push(name);
                }
            }
        }
    }
    out
}

/// The tokens of a stream, groups opened (bounded depth).
fn flatten(ts: TokenStream, out: &mut Vec<TokenTree>, depth: usize) {
    for t in ts {
        match t {
            TokenTree::Group(g) if depth < 16 => flatten(g.stream(), out, depth + 1),
            other => out.push(other),
        }
    }
}

/// `Future for $x` (or `IntoFuture for $x`) among the tokens.
fn writes_future_impl(flat: &[TokenTree]) -> bool {
    flat.windows(3).any(|w| {
        matches!(&w[0], TokenTree::Ident(a) if a == "Future" || a == "IntoFuture")
            && matches!(&w[1], TokenTree::Ident(f) if f == "for")
            && matches!(&w[2], TokenTree::Punct(p) if p.as_char() == '$')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn futures_made_by_a_files_own_macros() {
        let file = syn::parse_file(
            "macro_rules! fwd { ($g:ident => $ty:ty) => { \
                 impl<$g> core::future::Future for $ty { type Output = $g; } } }\n\
             macro_rules! other { ($ty:ty) => { impl Clone for $ty {} } }\n\
             pub struct Listener<T> { t: T }\n\
             pub struct Plain;\n\
             fwd! { T => Listener<T> }\n\
             other! { Plain }\n",
        )
        .unwrap();
        assert_eq!(futures_made_by_macros(&file.items), ["Listener"]);
    }

    fn forwarding(src: &str) -> HashSet<String> {
        let file = syn::parse_file(src).unwrap();
        let mut out = HashSet::new();
        forwarding_macros(&file.items, &mut out);
        out
    }

    #[test]
    fn forwarding_and_not() {
        let set = forwarding(
            "macro_rules! cfg_rt { ($($item:item)*) => { $( #[cfg(feature = \"rt\")] \
             #[cfg_attr(docsrs, doc(cfg(feature = \"rt\")))] $item )* } }\n\
             macro_rules! two { ($($i:item)*) => { $($i)* }; (@x $($i:item)*) => { $( #[doc(hidden)] $i )* }; }\n\
             macro_rules! plain { ($i:item) => { $i } }\n\
             macro_rules! makes { ($n:ident) => { pub struct $n; } }\n\
             macro_rules! wraps { ($($i:item)*) => { mod hidden { $($i)* } } }\n\
             macro_rules! half { ($($i:item)*) => { $($i)* }; ($n:ident) => { struct $n; } }\n",
        );
        let mut got: Vec<&str> = set.iter().map(String::as_str).collect();
        got.sort();
        assert_eq!(got, ["cfg_rt", "plain", "two"]);
    }

    #[test]
    fn other_calls_are_dropped() {
        let mut file = syn::parse_file(
            "cfg_rt! { pub fn a() {} }\nmakes! { pub fn b() {} }\nmod m { makes! { fn c() {} } }\n",
        )
        .unwrap();
        let set: HashSet<String> = ["cfg_rt".to_string()].into();
        keep_forwarding_calls(&mut file.items, &set);
        assert_eq!(file.items.len(), 2);
        let syn::Item::Mod(m) = &file.items[1] else {
            panic!()
        };
        assert!(m.content.as_ref().unwrap().1.is_empty());
    }
}
