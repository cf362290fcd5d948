//! Light types: what can be known of a type from its written form, without a type checker.

use serde::{Deserialize, Serialize};

/// The identifiers of a path's segments (`tokio::time::sleep` → `["tokio", "time", "sleep"]`).
pub fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// A type as written, with references, parentheses and lifetimes stripped. Paths are unresolved
/// (resolution needs the module the type was written in).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ty {
    Path {
        segs: Vec<String>,
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

/// The type an `impl Stream` / `dyn Stream` stands for: the knowledge tables know its methods.
pub const STREAM_TYPE: &str = "futures::stream::Stream";
const FN_TRAITS: &[&str] = &[
    "Fn",
    "FnMut",
    "FnOnce",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
];

impl Ty {
    pub fn from_syn(ty: &syn::Type) -> Ty {
        Ty::from_syn_depth(ty, 0)
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
            syn::Type::Path(p) if p.qself.is_none() => {
                if p.path.is_ident("Self") {
                    return Ty::SelfTy;
                }
                let segs: Vec<String> = path_segments(&p.path);
                let args = match p.path.segments.last().map(|s| &s.arguments) {
                    Some(syn::PathArguments::AngleBracketed(a)) => a
                        .args
                        .iter()
                        .filter_map(|arg| match arg {
                            syn::GenericArgument::Type(t) => Some(Ty::from_syn_depth(t, depth + 1)),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                Ty::Path { segs, args }
            }
            syn::Type::ImplTrait(t) => Ty::from_bounds(t.bounds.iter(), depth),
            syn::Type::TraitObject(t) => Ty::from_bounds(t.bounds.iter(), depth),
            _ => Ty::Unknown,
        }
    }

    /// The meaning of `impl A + B` / `dyn A + B` / a generic parameter's bounds.
    pub fn from_bounds<'a>(
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
                return Ty::Path {
                    segs: STREAM_TYPE.split("::").map(String::from).collect(),
                    args: Vec::new(),
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
                    if let syn::ReturnType::Type(_, ret) = &p.output {
                        let ret = Ty::from_syn_depth(ret, depth + 1);
                        // `AsyncFn() -> T` returns a future of T.
                        let ret = if name.starts_with("Async") {
                            Ty::Future(Some(Box::new(ret)))
                        } else {
                            ret
                        };
                        return Ty::Callable(Box::new(ret));
                    }
                }
            }
        }
        Ty::Unknown
    }

    pub fn last_segment(&self) -> Option<&str> {
        match self {
            Ty::Path { segs, .. } => segs.last().map(String::as_str),
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
