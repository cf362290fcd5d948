//! Light types: what can be known of a type from its written form, without a type checker.

use crate::symbol::Symbol;
use serde::{Deserialize, Serialize};

/// The identifiers of a path's segments (`tokio::time::sleep` → `["tokio", "time", "sleep"]`).
pub fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// [`path_segments`], interned.
pub fn path_symbols(path: &syn::Path) -> Box<[Symbol]> {
    path.segments
        .iter()
        .map(|s| Symbol::shown(&s.ident))
        .collect()
}

/// A type as written, with references, parentheses and lifetimes stripped. Paths are unresolved
/// (resolution needs the module the type was written in).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ty {
    Path {
        segs: Box<[Symbol]>,
        args: Vec<Ty>,
    },
    /// `impl Future<Output = T>` or `dyn Future<Output = T>`.
    Future(Option<Box<Ty>>),
    /// `impl Fn(..) -> T` or `dyn Fn(..) -> T`.
    Callable(Box<Ty>),
    Tuple(Vec<Ty>),
    /// `Self`, in an impl.
    SelfTy,
    Unknown,
}

const FUTURE_TRAITS: &[&str] = &["Future", "TryFuture", "IntoFuture"];

/// Auto, derive and callable traits: none names the methods a value is used through here.
fn says_nothing(name: &str) -> bool {
    MARKER_TRAITS.contains(&name) || FN_TRAITS.contains(&name) || FUTURE_TRAITS.contains(&name)
}

/// Traits that say nothing about a value's methods that matter here.
const MARKER_TRAITS: &[&str] = &[
    "Send",
    "Sync",
    "Unpin",
    "Sized",
    "Clone",
    "Copy",
    "Debug",
    "Display",
    "Default",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Serialize",
    "Deserialize",
    "DeserializeOwned",
    "UnwindSafe",
    "RefUnwindSafe",
    "Any",
];

pub use crate::knowledge::streams::STREAM_TYPE;
use crate::source::FN_TRAITS;

impl Ty {
    pub fn from_syn(ty: &syn::Type) -> Ty {
        Ty::from_syn_depth(ty, 0)
    }

    /// The type arguments of a path segment (`Gen<u8>`, `RtOf::<C>`); none for other arguments.
    pub fn args_of(args: &syn::PathArguments) -> Vec<Ty> {
        Ty::args_at(args, 0)
    }

    fn args_at(args: &syn::PathArguments, depth: usize) -> Vec<Ty> {
        match args {
            syn::PathArguments::AngleBracketed(a) => a
                .args
                .iter()
                .filter_map(|arg| match arg {
                    syn::GenericArgument::Type(t) => Some(Ty::from_syn_depth(t, depth)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn from_syn_depth(ty: &syn::Type, depth: usize) -> Ty {
        if depth > 64 {
            return Ty::Unknown;
        }
        match ty {
            syn::Type::Reference(r) => Ty::from_syn_depth(&r.elem, depth + 1),
            syn::Type::Paren(p) => Ty::from_syn_depth(&p.elem, depth + 1),
            syn::Type::Group(g) => Ty::from_syn_depth(&g.elem, depth + 1),
            syn::Type::Ptr(p) => Ty::from_syn_depth(&p.elem, depth + 1),
            syn::Type::Tuple(t) => Ty::Tuple(
                t.elems
                    .iter()
                    .map(|e| Ty::from_syn_depth(e, depth + 1))
                    .collect(),
            ),
            // `<E as Executor>::Handle`, `<<C as Config>::Rt as Runtime>::Sleep`: the
            // associated type of the qualified type, as `E::Handle` is.
            syn::Type::Path(p) if p.qself.as_ref().is_some_and(|q| q.position > 0) => {
                let q = p.qself.as_ref().expect("checked above");
                let Ty::Path { segs, args } = Ty::from_syn_depth(&q.ty, depth + 1) else {
                    return Ty::Unknown;
                };
                if !args.is_empty() {
                    return Ty::Unknown;
                }
                let mut segs = segs.into_vec();
                segs.extend(
                    p.path
                        .segments
                        .iter()
                        .skip(q.position)
                        .map(|s| Symbol::intern(&s.ident.to_string())),
                );
                Ty::Path {
                    segs: segs.into(),
                    args: Vec::new(),
                }
            }
            syn::Type::Path(p) if p.qself.is_none() => {
                if p.path.is_ident("Self") {
                    return Ty::SelfTy;
                }
                let segs = path_symbols(&p.path);
                let args = p
                    .path
                    .segments
                    .last()
                    .map_or_else(Vec::new, |s| Ty::args_at(&s.arguments, depth + 1));
                Ty::Path { segs, args }
            }
            // `[T]` and `[T; N]` are sequences of `T`, as a `Vec` is (iterating gives `T`).
            syn::Type::Slice(s) => Ty::Path {
                segs: Box::new([Symbol::intern("Vec")]),
                args: vec![Ty::from_syn_depth(&s.elem, depth + 1)],
            },
            syn::Type::Array(a) => Ty::Path {
                segs: Box::new([Symbol::intern("Vec")]),
                args: vec![Ty::from_syn_depth(&a.elem, depth + 1)],
            },
            syn::Type::ImplTrait(t) => Ty::from_bounds(t.bounds.iter(), depth),
            syn::Type::TraitObject(t) => Ty::from_bounds(t.bounds.iter(), depth),
            // `fn(A) -> T`: calling it gives a `T`.
            syn::Type::FnPtr(f) => Ty::Callable(Box::new(match &f.output {
                syn::ReturnType::Type(_, ret) => Ty::from_syn_depth(ret, depth + 1),
                syn::ReturnType::Default => Ty::Tuple(Vec::new()),
            })),
            _ => Ty::Unknown,
        }
    }

    /// The meaning of `impl A + B` / `dyn A + B` / a generic parameter's bounds: a future, a
    /// stream, a callable, or else the one trait besides auto and common derive traits (its
    /// methods are the value's); several such traits are unknown.
    pub fn from_bounds<'a>(
        bounds: impl Iterator<Item = &'a syn::TypeParamBound> + Clone,
        depth: usize,
    ) -> Ty {
        let special = Ty::from_special_bounds(bounds.clone(), depth);
        if special != Ty::Unknown {
            return special;
        }
        let mut traits = bounds.filter_map(|b| match b {
            syn::TypeParamBound::Trait(tb)
                if !tb
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| says_nothing(&s.ident.to_string()))
                    && tb.maybe.is_none() =>
            {
                Some(&tb.path)
            }
            _ => None,
        });
        match (traits.next(), traits.next()) {
            (Some(path), None) => Ty::Path {
                segs: path_symbols(path),
                args: Vec::new(),
            },
            _ => Ty::Unknown,
        }
    }

    fn from_special_bounds<'a>(
        bounds: impl Iterator<Item = &'a syn::TypeParamBound>,
        depth: usize,
    ) -> Ty {
        for bound in bounds {
            let syn::TypeParamBound::Trait(tb) = bound else {
                continue;
            };
            let Some(last) = tb.path.segments.last() else {
                continue;
            };
            let name = last.ident.to_string();
            if matches!(name.as_str(), "Stream" | "TryStream") {
                // `impl Stream<Item = T>`: the item, as the stream type's one argument.
                let item = match &last.arguments {
                    syn::PathArguments::AngleBracketed(a) => {
                        a.args.iter().find_map(|arg| match arg {
                            syn::GenericArgument::AssocType(at) if at.ident == "Item" => {
                                Some(Ty::from_syn_depth(&at.ty, depth + 1))
                            }
                            _ => None,
                        })
                    }
                    _ => None,
                };
                return Ty::Path {
                    segs: STREAM_TYPE.split("::").map(Symbol::intern).collect(),
                    args: item.into_iter().collect(),
                };
            }
            if FUTURE_TRAITS.contains(&name.as_str()) {
                let output = match &last.arguments {
                    syn::PathArguments::AngleBracketed(a) => {
                        a.args.iter().find_map(|arg| match arg {
                            syn::GenericArgument::AssocType(at) if at.ident == "Output" => {
                                Some(Box::new(Ty::from_syn_depth(&at.ty, depth + 1)))
                            }
                            _ => None,
                        })
                    }
                    _ => None,
                };
                return Ty::Future(output);
            }
            if FN_TRAITS.contains(&name.as_str()) {
                if let syn::PathArguments::Parenthesized(p) = &last.arguments {
                    let is_async = name.starts_with("Async");
                    match &p.output {
                        syn::ReturnType::Type(_, ret) => {
                            let ret = Ty::from_syn_depth(ret, depth + 1);
                            // `AsyncFn() -> T` returns a future of T.
                            let ret = if is_async {
                                Ty::Future(Some(Box::new(ret)))
                            } else {
                                ret
                            };
                            return Ty::Callable(Box::new(ret));
                        }
                        // `AsyncFn(u8)`: a future of `()`.
                        syn::ReturnType::Default if is_async => {
                            let unit = Box::new(Ty::Tuple(Vec::new()));
                            return Ty::Callable(Box::new(Ty::Future(Some(unit))));
                        }
                        syn::ReturnType::Default => {}
                    }
                }
            }
        }
        Ty::Unknown
    }

    /// The type with the generic parameters `params` (name, meaning) replaced by their meaning.
    pub fn substitute(&self, params: &[(Symbol, Ty)]) -> Ty {
        self.substitute_depth(params, 0)
    }

    fn substitute_depth(&self, params: &[(Symbol, Ty)], depth: usize) -> Ty {
        if params.is_empty() || depth > 32 {
            return self.clone();
        }
        let sub = |t: &Ty| t.substitute_depth(params, depth + 1);
        match self {
            Ty::Path { segs, args } => {
                if let ([name], true) = (&segs[..], args.is_empty()) {
                    if let Some((_, t)) = params.iter().find(|(n, _)| n == name) {
                        return t.clone();
                    }
                }
                Ty::Path {
                    segs: segs.clone(),
                    args: args.iter().map(sub).collect(),
                }
            }
            Ty::Future(Some(o)) => Ty::Future(Some(Box::new(sub(o)))),
            Ty::Callable(r) => Ty::Callable(Box::new(sub(r))),
            Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(sub).collect()),
            other => other.clone(),
        }
    }

    pub fn last_segment(&self) -> Option<&str> {
        match self {
            Ty::Path { segs, .. } => segs.last().map(|s| s.as_str()),
            _ => None,
        }
    }

    pub fn first_arg(&self) -> Option<&Ty> {
        match self {
            Ty::Path { args, .. } => args.first(),
            _ => None,
        }
    }
}
