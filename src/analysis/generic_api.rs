//! The generic signatures of [`crate::knowledge::generic_api`], read once, and the one type
//! flow they all go through: the receiver's type arguments bind the impl's parameters, each
//! argument's value binds the parameters its written type names (a closure's result binds what
//! its `Fn` bound returns), and the return type is read under those bindings.

use super::value::Val;
use crate::index::types::Ty;
use crate::knowledge::path_str::{first_segment, last_segment, last_separator};
use crate::knowledge::streams::STREAM_TYPE;
use crate::symbol::Symbol;
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

/// What a parameter of a generic signature takes.
#[derive(Debug, Clone)]
pub enum Param {
    /// A value of this type.
    Value(Ty),
    /// A closure called with `inputs` (each marked when written as a borrow) that returns
    /// `output`.
    Closure { inputs: Vec<(Ty, bool)>, output: Ty },
    /// Anything iterable (`impl IntoIterator<Item = X>`): its items are `X`.
    Items(Ty),
}

/// A method of a generic signature.
#[derive(Debug, Clone)]
pub struct Method {
    pub name: String,
    pub is_async: bool,
    /// The method's own type parameters.
    generics: Vec<Symbol>,
    pub params: Vec<Param>,
    pub ret: Ty,
}

/// One `impl` of the table.
#[derive(Debug, Clone, Default)]
struct Impl {
    /// The impl's own type parameters.
    generics: Vec<Symbol>,
    /// The self type's arguments as written: a parameter (`T`), or a pattern that binds the
    /// parameters it names (`FuturesUnordered<impl Future<Output = T>>`: what its futures give).
    params: Vec<Ty>,
    methods: Vec<Method>,
    assoc: Vec<(Symbol, Ty)>,
}

/// A type's parameter names bound to values.
pub type Bindings = Vec<(Symbol, Val)>;

/// The table's impls by type path, and its free fns by their full path.
type Tables = (HashMap<String, Vec<Impl>>, HashMap<String, Method>);

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| parse(crate::knowledge::generic_api::SIGNATURES))
}

fn table() -> &'static HashMap<String, Vec<Impl>> {
    &tables().0
}

fn parse(text: &str) -> Tables {
    let mut out: HashMap<String, Vec<Impl>> = HashMap::default();
    let mut free: HashMap<String, Method> = HashMap::default();
    let Ok(file) = syn::parse_file(text) else {
        return (out, free);
    };
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(tp) = &*imp.self_ty else {
            continue;
        };
        let path = crate::index::types::path_segments(&tp.path).join("::");
        // An `impl` of a module's path (a lowercase last segment) holds its free fns.
        if path
            .rsplit("::")
            .next()
            .is_some_and(|l| l.starts_with(char::is_lowercase))
        {
            for it in &imp.items {
                if let syn::ImplItem::Fn(f) = it {
                    free.insert(format!("{path}::{}", f.sig.ident), read_method(&f.sig));
                }
            }
            continue;
        }
        let params = match tp.path.segments.last().map(|s| &s.arguments) {
            Some(syn::PathArguments::AngleBracketed(a)) => a
                .args
                .iter()
                .map(|arg| match arg {
                    syn::GenericArgument::Type(t) => Ty::from_syn(t),
                    _ => Ty::Unknown,
                })
                .collect(),
            _ => Vec::new(),
        };
        let generics = type_params(&imp.generics);
        let mut entry = Impl {
            generics,
            params,
            ..Impl::default()
        };
        for it in &imp.items {
            match it {
                syn::ImplItem::Fn(f) => entry.methods.push(read_method(&f.sig)),
                syn::ImplItem::Type(t) => entry
                    .assoc
                    .push((t.ident.to_string().into(), Ty::from_syn(&t.ty))),
                _ => {}
            }
        }
        out.entry(path).or_default().push(entry);
    }
    (out, free)
}

/// The names of the type parameters `generics` declares.
fn type_params(generics: &syn::Generics) -> Vec<Symbol> {
    generics
        .params
        .iter()
        .filter_map(|p| match p {
            syn::GenericParam::Type(t) => Some(Symbol::from(t.ident.to_string())),
            _ => None,
        })
        .collect()
}

fn read_method(sig: &syn::Signature) -> Method {
    let generics = type_params(&sig.generics);
    let params = sig
        .inputs
        .iter()
        .filter_map(|i| match i {
            syn::FnArg::Typed(pt) => Some(param(&pt.ty)),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let ret = match &sig.output {
        syn::ReturnType::Default => Ty::Tuple(Vec::new()),
        syn::ReturnType::Type(_, t) => Ty::from_syn(t),
    };
    Method {
        name: sig.ident.to_string(),
        is_async: sig.asyncness.is_some(),
        generics,
        params,
        ret,
    }
}

fn param(ty: &syn::Type) -> Param {
    if let syn::Type::ImplTrait(it) = ty {
        for b in &it.bounds {
            let syn::TypeParamBound::Trait(tb) = b else {
                continue;
            };
            let Some(last) = tb.path.segments.last() else {
                continue;
            };
            // `impl IntoIterator<Item = X>`: what it yields.
            if let (true, syn::PathArguments::AngleBracketed(a)) =
                (last.ident == "IntoIterator", &last.arguments)
            {
                for arg in &a.args {
                    if let syn::GenericArgument::AssocType(at) = arg {
                        if at.ident == "Item" {
                            return Param::Items(Ty::from_syn(&at.ty));
                        }
                    }
                }
            }
            if let syn::PathArguments::Parenthesized(p) = &last.arguments {
                let inputs = p
                    .inputs
                    .iter()
                    .map(|a| (Ty::from_syn(&a.ty), matches!(a.ty, syn::Type::Reference(_))))
                    .collect();
                let output = match &p.output {
                    syn::ReturnType::Default => Ty::Tuple(Vec::new()),
                    syn::ReturnType::Type(_, t) => Ty::from_syn(t),
                };
                return Param::Closure { inputs, output };
            }
        }
    }
    Param::Value(Ty::from_syn(ty))
}

/// Stream types of the tables whose item is their (first) type argument.
const ITEM_IS_ARG: &[&str] = &[
    "futures::stream::BoxStream",
    "futures::stream::LocalBoxStream",
    "tokio_stream::wrappers::ReceiverStream",
    "tokio_stream::wrappers::UnboundedReceiverStream",
    "tokio_stream::wrappers::WatchStream",
    "futures::channel::mpsc::Receiver",
    "futures::channel::mpsc::UnboundedReceiver",
];

/// The table's impls of the type at `path` (as values carry it: `Option`,
/// `tokio::sync::mpsc::Receiver`; std's types also by their full path).
fn impls_of(path: &str) -> &'static [Impl] {
    let t = table();
    if let Some(v) = t.get(path) {
        return v;
    }
    // Streams whose item is their type argument have a stream's methods.
    if ITEM_IS_ARG.contains(&path) {
        return t.get(STREAM_TYPE).map(Vec::as_slice).unwrap_or_default();
    }
    // The walk keeps an owning iterator (`v.into_iter()`) as its vector: an iterator's methods,
    // the item its first argument (a vector has no method of those names).
    let short = last_segment(path);
    if matches!(short, "Vec" | "VecDeque" | "SmallVec") {
        return t
            .get(crate::analysis::patterns::ITER)
            .map(Vec::as_slice)
            .unwrap_or_default();
    }
    if matches!(first_segment(path), "std" | "core" | "alloc") {
        if let Some(v) = t.get(last_segment(path)) {
            return v;
        }
    }
    match dependency_path_of(path) {
        Some(table_path) if table_path != path => impls_of(table_path),
        _ => &[],
    }
}

/// The table's path of a type a dependency's sources name by its own path
/// (`futures_util::lock::mutex::Mutex` is `futures::lock::Mutex`,
/// `futures_channel::mpsc::Receiver` is `futures::channel::mpsc::Receiver`): the one table type
/// of the same crate family whose last two segments, else whose last segment, are the same.
/// Looked up in [`by_tail`], built once: the walk asks for every receiver type the table does
/// not hold (a scan of the table each time was 2.8% of a cold run on tokio).
fn dependency_path_of(path: &str) -> Option<&'static str> {
    let krate = family(first_segment(path));
    let index: &TailIndex = by_tail();
    for n in [2, 1] {
        let Some(want) = tail(path, n) else { continue };
        if let Some(&(k, 1)) = index.get(&(krate, n, want)) {
            return Some(k);
        }
    }
    None
}

/// The crate family of a path's first segment (`futures_util` is `futures`).
fn family(first: &str) -> &str {
    match first.split('_').next().unwrap_or(first) {
        "futures" => "futures",
        _ => first,
    }
}

/// The last `n` segments of a path, when it has more.
fn tail(p: &str, n: usize) -> Option<&str> {
    let mut at = p.len();
    for _ in 0..n {
        at = last_separator(&p[..at])?;
    }
    Some(&p[at + 2..])
}

/// The table's types (and [`ITEM_IS_ARG`]'s, a second time when both name one) by (crate
/// family, 2 or 1, the last two or last segment): one of them, and how many there are.
type TailIndex = HashMap<(&'static str, usize, &'static str), (&'static str, usize)>;

fn by_tail() -> &'static TailIndex {
    static BY_TAIL: OnceLock<TailIndex> = OnceLock::new();
    BY_TAIL.get_or_init(|| {
        let known = table()
            .keys()
            .map(String::as_str)
            .chain(ITEM_IS_ARG.iter().copied());
        let mut index: HashMap<_, (&str, usize)> = HashMap::default();
        for k in known {
            let Some(krate) = k.split("::").next().map(family) else {
                continue;
            };
            for n in [2, 1] {
                if let Some(t) = tail(k, n) {
                    index.entry((krate, n, t)).or_insert((k, 0)).1 += 1;
                }
            }
        }
        index
    })
}

/// The impl parameters bound to the receiver's type arguments, each argument matched against
/// the pattern written at its place.
fn bind(imp: &Impl, args: &[Val]) -> Bindings {
    let mut env: Bindings = imp.generics.iter().map(|g| (*g, Val::Unknown)).collect();
    for (pattern, arg) in imp.params.iter().zip(args) {
        unify(pattern, arg, &mut env, 0);
    }
    env
}

/// The method `name` of the type at `path`, with the receiver's type arguments `args` bound
/// (the method's own parameters bound to nothing yet).
pub fn method_of(path: &str, name: &str, args: &[Val]) -> Option<(&'static Method, Bindings)> {
    impls_of(path).iter().find_map(|imp| {
        let m = imp.methods.iter().find(|m| m.name == name)?;
        let mut env = bind(imp, args);
        env.extend(m.generics.iter().map(|g| (*g, Val::Unknown)));
        Some((m, env))
    })
}

/// The free fn of the table at `path` (`futures::future::join_all`, as the knowledge tables
/// name it), with its type parameters bound to nothing yet.
pub fn free_fn(path: &str) -> Option<(&'static Method, Bindings)> {
    let m = tables().1.get(path)?;
    Some((m, m.generics.iter().map(|g| (*g, Val::Unknown)).collect()))
}

/// Whether the table has a method `name` for the type at `path`.
pub fn method(path: &str, name: &str) -> Option<&'static Method> {
    method_of(path, name, &[]).map(|(m, _)| m)
}

/// The associated type `name` (`Output`, `Target`) of the type at `path`, with the receiver's
/// type arguments bound.
pub fn assoc(path: &str, name: &str, args: &[Val]) -> Option<(Ty, Bindings)> {
    impls_of(path).iter().find_map(|imp| {
        let (_, ty) = imp.assoc.iter().find(|(n, _)| n == name)?;
        Some((ty.clone(), bind(imp, args)))
    })
}

impl Method {
    /// The values each closure parameter is called with, by argument position: what the
    /// bindings say of its inputs (a borrowed input keeps its type but nothing to lose).
    pub fn closure_inputs(
        &self,
        env: &Bindings,
        val_of: impl Fn(&Ty, &Bindings) -> Val,
    ) -> Vec<(usize, Vec<Val>)> {
        self.params
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p {
                Param::Closure { inputs, .. } => Some((
                    i,
                    inputs
                        .iter()
                        .map(|(t, by_ref)| {
                            let v = val_of(t, env).flowed();
                            if *by_ref {
                                super::patterns::borrowed(v)
                            } else {
                                v
                            }
                        })
                        .collect(),
                )),
                Param::Value(_) | Param::Items(_) => None,
            })
            .collect()
    }

    /// The method's own parameters bound by the arguments' values (`map(|c| c.name())`: `U`
    /// is what the closure returns).
    pub fn bind_args(&self, env: &mut Bindings, args: &[Val]) {
        for (p, a) in self.params.iter().zip(args) {
            match (p, a) {
                (Param::Value(t), v) => unify(t, v, env, 0),
                (Param::Closure { output, .. }, Val::Callable(ret)) => unify(output, ret, env, 0),
                (Param::Items(t), v) => {
                    unify(t, &super::patterns::iter_item(v, false), env, 0);
                }
                _ => {}
            }
        }
    }
}

/// Binds the still unbound parameters that `ty` names to the parts of `v` they stand for.
fn unify(ty: &Ty, v: &Val, env: &mut Bindings, depth: usize) {
    if depth > 8 || *v == Val::Unknown {
        return;
    }
    match (ty, v) {
        (Ty::Path { segs, args }, _) if segs.len() == 1 && args.is_empty() => {
            if let Some((_, slot)) = env.iter_mut().find(|(n, _)| *n == segs[0]) {
                if *slot == Val::Unknown {
                    *slot = v.clone();
                }
            }
        }
        (Ty::Path { segs, args }, Val::Typed { path, args: vargs }) => {
            let short = |p: &str| p.rsplit("::").next().unwrap_or(p).to_string();
            if segs.last().map(|s| s.as_str()) == Some(short(path).as_str()) {
                for (t, a) in args.iter().zip(vargs) {
                    unify(t, a, env, depth + 1);
                }
            }
        }
        (Ty::Tuple(ts), Val::Tuple(vs)) => {
            for (t, a) in ts.iter().zip(vs) {
                unify(t, a, env, depth + 1);
            }
        }
        (Ty::Callable(t), Val::Callable(r)) => unify(t, r, env, depth + 1),
        (
            Ty::Future(Some(t)),
            Val::Future {
                output: Some(o), ..
            },
        ) => unify(t, o, env, depth + 1),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan [`dependency_path_of`] replaced: every table type of the path's crate family
    /// whose last two, else last, segments are the path's, when there is exactly one.
    fn dependency_path_by_scan(path: &str) -> Option<&'static str> {
        let krate = family(path.split("::").next()?);
        let known = table()
            .keys()
            .map(String::as_str)
            .chain(ITEM_IS_ARG.iter().copied());
        let same_crate: Vec<&'static str> = known
            .filter(|k| k.split("::").next().map(family) == Some(krate))
            .collect();
        for n in [2, 1] {
            let Some(want) = tail(path, n) else { continue };
            let mut found = same_crate.iter().filter(|k| tail(k, n) == Some(want));
            if let (Some(k), None) = (found.next(), found.next()) {
                return Some(k);
            }
        }
        None
    }

    /// The index gives what the scan of the table gave: for each table type as a dependency's
    /// sources may name it (under `futures_util`, `core`, another module, with one segment
    /// less or more) and for paths the table does not know.
    #[test]
    fn dependency_paths_from_the_index_are_the_scans() {
        let mut paths: Vec<String> = vec![
            "futures_util::lock::mutex::Mutex".into(),
            "futures_channel::mpsc::Receiver".into(),
            "my::Receiver".into(),
            "Receiver".into(),
            "".into(),
            "tokio".into(),
            "tokio::Sender".into(),
        ];
        let known = table()
            .keys()
            .map(String::as_str)
            .chain(ITEM_IS_ARG.iter().copied());
        for k in known {
            let segs: Vec<&str> = k.split("::").collect();
            let rest = segs[1..].join("::");
            paths.push(k.to_string());
            paths.push(format!("{}_util::{rest}", segs[0]));
            paths.push(format!("{}::inner::{rest}", segs[0]));
            paths.push(format!("other::{rest}"));
            paths.push(segs[segs.len() - 1].to_string());
            if segs.len() > 2 {
                paths.push(format!("{}::{}", segs[0], segs[segs.len() - 1]));
            }
        }
        let mut found = 0;
        for p in &paths {
            let want = dependency_path_by_scan(p);
            found += usize::from(want.is_some());
            assert_eq!(dependency_path_of(p), want, "{p}");
        }
        assert!(found > 100, "{found}");
    }

    #[test]
    fn the_table_reads_and_binds() {
        let (m, mut env) = method_of("tokio::sync::mpsc::Receiver", "recv", &[Val::typed("Job")])
            .expect("recv is in the table");
        assert!(m.is_async);
        assert_eq!(env, vec![(Symbol::from("T"), Val::typed("Job"))]);
        // `Option::map`: the closure's result is `U`.
        let (m, mut menv) = method_of("std::option::Option", "map", &[Val::typed("A")]).unwrap();
        m.bind_args(&mut menv, &[Val::Callable(Box::new(Val::typed("B")))]);
        assert!(menv.contains(&(Symbol::from("U"), Val::typed("B"))));
        let hints = m.closure_inputs(&menv, |t, _| match t {
            Ty::Path { segs, .. } => Val::typed(segs.join("::")),
            _ => Val::Unknown,
        });
        assert_eq!(hints.len(), 1);
        env.clear();
        assert!(assoc("tokio::sync::MutexGuard", "Target", &[Val::typed("C")]).is_some());
        assert!(method("my::Receiver", "recv").is_none());
    }

    #[test]
    fn a_self_argument_written_as_a_pattern_binds_what_it_names() {
        // `impl<T> FuturesUnordered<impl Future<Output = T>>`: `T` is what its futures give.
        let fut = Val::future("f").with_output(Some(Box::new(Val::typed("Job"))));
        let (m, env) = method_of("futures::stream::FuturesUnordered", "next", &[fut]).unwrap();
        assert!(m.is_async);
        assert_eq!(env, vec![(Symbol::from("T"), Val::typed("Job"))]);
        // Not a future: nothing bound.
        let (_, env) = method_of(
            "futures::stream::FuturesUnordered",
            "next",
            &[Val::typed("Job")],
        )
        .unwrap();
        assert_eq!(env, vec![(Symbol::from("T"), Val::Unknown)]);
    }
}
