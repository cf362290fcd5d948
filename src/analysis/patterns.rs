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
const ITER: &str = "core::iter::Iterator";

fn short(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// What borrowing leaves of a value: its type, but no future or handle to lose.
pub fn borrowed(v: Val) -> Val {
    match v {
        Val::Typed { .. } | Val::Callable(_) => v,
        Val::Tuple(parts) => Val::Tuple(parts.into_iter().map(borrowed).collect()),
        _ => Val::Unknown,
    }
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

fn iter_of(item: Val) -> Val {
    Val::Typed {
        path: ITER.into(),
        args: vec![item],
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
            | "filter" | "skip_while" | "take_while" | "inspect" | "by_ref" => Some(recv.clone()),
            "enumerate" => Some(iter_of(Val::Tuple(vec![Val::Unknown, arg(0)]))),
            "next" | "last" | "nth" | "find" | "min_by_key" | "max_by_key" => {
                Some(option_of(arg(0)))
            }
            _ => None,
        };
    }
    let short = short(path);
    if SEQUENCES.contains(&short) && short != "Option" {
        return match name {
            "iter" | "iter_mut" => Some(iter_of(borrowed(arg(0)))),
            "first" | "last" | "get" | "get_mut" | "first_mut" | "last_mut" | "front" | "back"
            | "front_mut" | "back_mut" | "peek" => Some(option_of(borrowed(arg(0)))),
            "pop" | "pop_front" | "pop_back" => Some(option_of(arg(0))),
            _ => None,
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
            _ => None,
        };
    }
    None
}
