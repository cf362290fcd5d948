//! What destructuring and iteration give: the element of a collection a `for` loop walks
//! (vectors, slices, sets, maps as `(key, value)` pairs, the iterators `iter()`, `values()` and
//! friends make), and what borrowing leaves of a value.
//!
//! A borrowed element keeps its type, so its methods resolve, but it is never a future or a
//! handle whose loss counts: dropping a reference drops nothing.

use super::value::Val;

/// Collections whose items are their first type argument.
const SEQUENCES: &[&str] = &[
    "Vec",
    "VecDeque",
    "HashSet",
    "BTreeSet",
    "BinaryHeap",
    "LinkedList",
    "IndexSet",
    "SmallVec",
    "Option",
];

/// Maps: items are `(key, value)`.
const MAPS: &[&str] = &["HashMap", "BTreeMap", "IndexMap", "DashMap"];

/// The iterator values this module makes stand for: the argument is the item.
pub const ITER: &str = "core::iter::Iterator";

fn short(path: &str) -> &str {
    crate::knowledge::path_str::last_segment(path)
}

/// What borrowing leaves of a value: its type, but no future or handle to lose.
pub fn borrowed(v: Val) -> Val {
    match v {
        Val::Typed { .. } | Val::Callable(_) => v,
        Val::Tuple(parts) => Val::Tuple(parts.into_iter().map(borrowed).collect()),
        _ => Val::Unknown,
    }
}

/// What `coll[i]` names: an element of a sequence or a value of a map, borrowed (indexing is a
/// place; a future there is not lost by using the place).
pub fn indexed(coll: &Val) -> Val {
    let Val::Typed { path, args } = coll else {
        return Val::Unknown;
    };
    let short = short(path);
    let item = if matches!(short, "Vec" | "VecDeque" | "SmallVec") {
        args.first()
    } else if MAPS.contains(&short) {
        args.get(1)
    } else {
        None
    };
    borrowed(item.cloned().unwrap_or_default())
}

/// The item a `for` loop over `coll` binds; `by_ref` for `for x in &coll`.
pub fn iter_item(coll: &Val, by_ref: bool) -> Val {
    let Val::Typed { path, args } = coll else {
        return Val::Unknown;
    };
    // An element's kind flowed through the collection's type: inferred at best.
    let item = if path == ITER {
        return args.first().cloned().unwrap_or_default().flowed();
    } else if SEQUENCES.contains(&short(path)) {
        args.first().cloned().unwrap_or_default()
    } else if MAPS.contains(&short(path)) {
        Val::Tuple(vec![
            args.first().cloned().unwrap_or_default(),
            args.get(1).cloned().unwrap_or_default(),
        ])
    } else {
        return Val::Unknown;
    };
    if by_ref {
        borrowed(item)
    } else {
        item.flowed()
    }
}

/// The owning iterator a vector stands for, when the walk kept `v.into_iter()` (or
/// `v.drain(..)`) as `v`: its items moved out, what they are flowed through the collection.
/// (A vector has no method of an iterator's names but `last`, answered first as a slice's.)
pub fn owned_iter(recv: &Val) -> Option<Val> {
    match recv {
        Val::Typed { path, args } if matches!(short(path), "Vec" | "VecDeque" | "SmallVec") => {
            Some(iter_of(args.first().cloned().unwrap_or_default().flowed()))
        }
        _ => None,
    }
}

fn iter_of(item: Val) -> Val {
    Val::Typed {
        path: ITER.into(),
        args: vec![item],
    }
}

/// `flatten()` of an iterator whose items are options or sequences: an iterator of their items.
fn flattened(item: &Val) -> Option<Val> {
    match item {
        Val::Typed { path, args } if SEQUENCES.contains(&short(path)) => {
            Some(iter_of(args.first().cloned().unwrap_or_default()))
        }
        _ => None,
    }
}

fn option_of(item: Val) -> Val {
    Val::Typed {
        path: "Option".into(),
        args: vec![item],
    }
}

/// Views and iterators of a collection: `iter()`, `values()`, `get(..)`, `first()`, ... and the
/// adaptors that keep the item (`rev`, `skip`, `enumerate` pairs it with an index).
pub fn view_method(recv: &Val, name: &str) -> Option<Val> {
    let Val::Typed { path, args } = recv else {
        return None;
    };
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    if path == ITER {
        return match name {
            "rev" | "skip" | "take" | "peekable" | "fuse" | "cycle" | "step_by" | "chain"
            | "filter" | "skip_while" | "take_while" | "inspect" | "by_ref" | "cloned"
            | "copied" => Some(recv.clone()),
            "enumerate" => Some(iter_of(Val::Tuple(vec![Val::Unknown, arg(0)]))),
            "flatten" => flattened(&arg(0)),
            "next" | "last" | "nth" | "find" | "min_by_key" | "max_by_key" => {
                Some(option_of(arg(0)))
            }
            _ => None,
        };
    }
    let short = short(path);
    if short == "Option" {
        return match name {
            // A borrowed item is its type already (see [`borrowed`]): `cloned()` keeps it.
            "take" | "replace" | "or" | "or_else" | "xor" | "filter" | "cloned" | "copied" => {
                Some(recv.clone())
            }
            "insert" | "get_or_insert" | "get_or_insert_with" => Some(borrowed(arg(0))),
            // An option is an iterator of zero or one item.
            "iter" | "iter_mut" => Some(iter_of(borrowed(arg(0)))),
            "into_iter" => Some(iter_of(arg(0).flowed())),
            _ => None,
        };
    }
    if SEQUENCES.contains(&short) {
        return match name {
            "iter" | "iter_mut" => Some(iter_of(borrowed(arg(0)))),
            "first" | "last" | "get" | "get_mut" | "first_mut" | "last_mut" | "front" | "back"
            | "front_mut" | "back_mut" | "peek" => Some(option_of(borrowed(arg(0)))),
            "pop" | "pop_front" | "pop_back" => Some(option_of(arg(0))),
            "flatten" => flattened(&arg(0)),
            // `vv.concat()`: the inner sequences' items in one vector.
            "concat" => match arg(0) {
                Val::Typed { path, args } if SEQUENCES.contains(&self::short(&path)) => {
                    Some(Val::Typed {
                        path: "Vec".into(),
                        args: vec![args.first().cloned().unwrap_or_default().flowed()],
                    })
                }
                _ => None,
            },
            // The walk keeps an owning iterator (`v.into_iter()`, `v.drain(..)`) as its
            // vector: what an iterator's method gives on it is the iterator's.
            _ => view_method(&owned_iter(recv)?, name),
        };
    }
    if MAPS.contains(&short) {
        let pair = || Val::Tuple(vec![borrowed(arg(0)), borrowed(arg(1))]);
        return match name {
            "iter" | "iter_mut" => Some(iter_of(pair())),
            "values" | "values_mut" => Some(iter_of(borrowed(arg(1)))),
            "keys" => Some(iter_of(borrowed(arg(0)))),
            "into_values" => Some(iter_of(arg(1))),
            "into_keys" => Some(iter_of(arg(0))),
            "get" | "get_mut" => Some(option_of(borrowed(arg(1)))),
            "remove" => Some(option_of(arg(1))),
            // `m.entry(k).or_insert_with(..)`: the entry's methods are the tables'.
            "entry" => Some(Val::Typed {
                path: "std::collections::hash_map::Entry".into(),
                args: vec![arg(0), arg(1)],
            }),
            _ => None,
        };
    }
    None
}

/// Methods that make an iterator of a collection, whatever its type.
const ITERATING: &[&str] = &["iter", "into_iter", "iter_mut", "drain", "into_values"];

/// `xs.iter().map(|x| fetch(x))`: an iterator of the closure's futures (inferred: the item's
/// kind flowed through the closure). `from_iter_call` says the receiver is itself a call of
/// an iterating method (`iter()`, `into_iter()`, ...) whose collection's type is unknown.
pub fn mapped_futures(recv: &Val, from_iter_call: bool, name: &str, args: &[Val]) -> Option<Val> {
    if name != "map" || args.len() != 1 {
        return None;
    }
    let is_iter = match recv {
        Val::Typed { path, .. } => path == ITER,
        Val::Unknown => from_iter_call,
        _ => false,
    };
    let Val::Callable(ret) = &args[0] else {
        return None;
    };
    (is_iter && ret.is_future()).then(|| iter_of((**ret).clone().flowed()))
}

/// Whether `method` makes an iterator of its receiver.
pub fn is_iterating(method: &str) -> bool {
    ITERATING.contains(&method)
}

/// `iter.collect::<Vec<_>>()`: the collection holds the iterator's items (`into` is the
/// turbofish's type; none written means a `Vec`, as a later annotation says). A collection
/// written with its item (`collect::<Vec<Conn>>()`) is what it says; the futures a `Vec` or a
/// future pool holds are kept as futures, any other collection's only by their type.
pub fn collected(recv: &Val, into: Option<&Val>) -> Option<Val> {
    // An owning iterator the walk kept as its vector collects its items too.
    let owned = owned_iter(recv);
    let Val::Typed { path, args } = owned.as_ref().unwrap_or(recv) else {
        return None;
    };
    if path != ITER {
        return None;
    }
    let item = args.first().filter(|i| **i != Val::Unknown)?;
    let holds = |p: &str| {
        matches!(
            short(p),
            "Vec" | "VecDeque" | "FuturesUnordered" | "FuturesOrdered"
        )
    };
    let path = match into {
        None => "Vec".to_string(),
        Some(Val::Typed { path, args }) if args.iter().all(|a| *a == Val::Unknown) => {
            if !holds(path) && !SEQUENCES.contains(&short(path)) {
                return None;
            }
            path.clone()
        }
        Some(_) => return None,
    };
    let item = match holds(&path) {
        true => item.clone(),
        false => borrowed(item.clone()),
    };
    Some(Val::Typed {
        path,
        args: vec![item],
    })
}

/// A `let` annotation over an initialiser's value: `let v: Vec<_> = ..collect();` keeps what
/// the value knows of the element the annotation leaves out (`_`).
pub fn annotated(ann: Val, val: Val) -> Val {
    match (&ann, &val) {
        (Val::Unknown, _) => val,
        (
            Val::Typed { path: a, args: aa },
            Val::Typed {
                path: v, args: va, ..
            },
        ) if short(a) == short(v) && aa.iter().all(|x| *x == Val::Unknown) && !va.is_empty() => val,
        _ => ann,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fut() -> Val {
        Val::future("async fn `fetch`")
    }

    #[test]
    fn futures_mapped_then_collected_are_held_by_the_collection() {
        let ids = Val::Typed {
            path: "Vec".into(),
            args: vec![Val::typed("u32")],
        };
        let it = view_method(&ids, "iter").unwrap();
        let mapped = mapped_futures(&it, false, "map", &[Val::Callable(Box::new(fut()))]).unwrap();
        let v = collected(&mapped, None).unwrap();
        assert_eq!(v.path(), Some("Vec"));
        assert!(v.droppable_kind().is_some());
        // Not futures: nothing to hold.
        let plain = mapped_futures(&it, false, "map", &[Val::Callable(Box::new(Val::Unknown))]);
        assert!(plain.is_none());
        // An unknown receiver is an iterator only when an iterating call made it.
        let call = [Val::Callable(Box::new(fut()))];
        assert!(mapped_futures(&Val::Unknown, true, "map", &call).is_some());
        assert!(mapped_futures(&Val::Unknown, false, "map", &call).is_none());
        // Collected into something else: unknown.
        assert!(collected(&mapped, Some(&Val::typed("std::collections::HashMap"))).is_none());
        // `let v: Vec<_> = ..` keeps the element the value knows.
        let ann = Val::Typed {
            path: "Vec".into(),
            args: vec![Val::Unknown],
        };
        assert_eq!(annotated(ann.clone(), v.clone()), v);
        assert_eq!(annotated(ann.clone(), Val::Unknown), ann);
    }
}
