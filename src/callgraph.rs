//! Reach through the call graph. Misuse often sits in a plain helper — a sync bridge
//! (`fn get_sync() { RT.block_on(..) }`) later called from async code, a function that sleeps
//! three calls down. Every function of the context gets summaries computed to a fixed point —
//! *blocks*, *enters a runtime* (`block_on`), *builds a runtime*, *needs a runtime* — from the
//! facts the walk recorded: effects in the function's own sync body and its calls of sync
//! functions of the workspace. Rules then fire at call sites in async code (or in a sync `main`
//! with no runtime), with the chain as notes.
//!
//! Not followed: `async fn` callees (they run where they are awaited and are checked there),
//! closures and fns handed to offloading calls (their facts are `Offloaded`), async blocks inside
//! a sync function (they do not run when it is called), unresolved calls, trait methods with
//! more than one implementation.

use crate::analysis::facts::{Arg, Effect, ExecContext, Fact, FactKind, Guard};
use crate::diagnostic::{Note, Span};
use crate::index::{FnId, Index};
use std::collections::HashMap;

const EFFECTS: [Effect; 4] = [
    Effect::BlockOn,
    Effect::BuildsRuntime,
    Effect::Blocking,
    Effect::NeedsRuntime,
];

/// Chains longer than this are cut (the finding stands; the notes stop).
const MAX_CHAIN: usize = 12;

/// Ways a function may have an effect under different conditions on its parameters: kept
/// apart up to this many, so that a caller's constants can rule out each.
const MAX_CONDITIONAL: usize = 4;

#[derive(Debug, Clone)]
enum Step {
    /// The function's own body has the effect: a call of `callee` (`std::thread::sleep`).
    Direct { callee: String },
    /// The function calls `callee`, which has the effect, passing `args`.
    Call { callee: FnId, args: Vec<Arg> },
}

#[derive(Debug, Clone)]
struct Witness {
    step: Step,
    path: String,
    span: Span,
    /// The condition this step runs under in its function, if any.
    branch: Option<Span>,
    /// What must hold of the function's own parameters for this step to have the effect,
    /// when that is known (its own condition, or the callee's passed on through an argument).
    guard: Option<Guard>,
    /// Whether no step from here to the effect is under a condition.
    certain: bool,
}

/// A call a function makes: its callee, file, span, the condition it runs under (and what that
/// tests of a parameter) and what it passes.
struct Edge<'a> {
    callee: FnId,
    path: &'a str,
    span: Span,
    branch: Option<Span>,
    guard: Option<Guard>,
    args: &'a [Arg],
}

pub use crate::analysis::facts::ContextFacts;

/// What each function of a context does when called.
#[derive(Debug, Default)]
pub struct Summaries {
    /// One certain witness, or up to [`MAX_CONDITIONAL`] conditional ones with distinct guards.
    witness: HashMap<(FnId, Effect), Vec<Witness>>,
    /// Which `async fn`s are not cancel-safe.
    cancel: crate::analysis::walk::select::CancelSummaries,
}

impl Summaries {
    pub fn compute(index: &Index, files: &ContextFacts) -> Summaries {
        let mut s = Summaries {
            cancel: crate::analysis::walk::select::CancelSummaries::compute(index, files),
            ..Summaries::default()
        };
        let mut edges: HashMap<FnId, Vec<Edge>> = HashMap::new();
        for (path, facts) in files {
            for fact in facts.iter().filter(|f| f.ctx == ExecContext::Sync) {
                let Some(owner) = fact.owner else { continue };
                if index.fn_info(owner).sig.is_async {
                    continue;
                }
                match &fact.kind {
                    FactKind::Call {
                        effect,
                        callee,
                        chain,
                        branch,
                        guard,
                        ..
                    } if chain.is_empty() => {
                        let witness = Witness {
                            step: Step::Direct {
                                callee: callee.clone(),
                            },
                            path: path.to_string(),
                            span: fact.span,
                            branch: *branch,
                            guard: *guard,
                            certain: branch.is_none(),
                        };
                        s.add((owner, *effect), witness);
                    }
                    FactKind::CallsFn {
                        callee,
                        branch,
                        guard,
                        args,
                        ..
                    } => edges.entry(owner).or_default().push(Edge {
                        callee: *callee,
                        path,
                        span: fact.span,
                        branch: *branch,
                        guard: *guard,
                        args,
                    }),
                    _ => {}
                }
            }
        }
        // Fixed point: a function has an effect when one of its callees has it for what the
        // call passes. Each round only adds witnesses (a certain one replaces the conditional
        // ones, at most once), and they are bounded, so it ends.
        let mut callers: Vec<(&FnId, &Vec<Edge>)> = edges.iter().collect();
        callers.sort_by_key(|(id, _)| **id);
        loop {
            let mut changed = false;
            for (caller, calls) in &callers {
                for effect in EFFECTS {
                    for edge in calls.iter() {
                        let Some(found) = s.usable(edge.callee, effect, edge.args) else {
                            continue;
                        };
                        let certain = found.certain && edge.branch.is_none();
                        // The callee's condition on a parameter the caller passes on as its
                        // own is the caller's condition.
                        let passed_on =
                            found
                                .guard
                                .and_then(|g| match edge.args.get(usize::from(g.param)) {
                                    Some(Arg::Param(j)) => Some(Guard { param: *j, ..g }),
                                    _ => None,
                                });
                        let witness = Witness {
                            step: Step::Call {
                                callee: edge.callee,
                                args: edge.args.to_vec(),
                            },
                            path: edge.path.to_string(),
                            span: edge.span,
                            branch: edge.branch,
                            guard: if edge.branch.is_some() {
                                edge.guard
                            } else {
                                passed_on
                            },
                            certain,
                        };
                        changed |= s.add((**caller, effect), witness);
                    }
                }
            }
            if !changed {
                break;
            }
        }
        s
    }

    /// Adds a witness; whether it changed anything. A certain witness replaces conditional
    /// ones; a conditional one is kept beside others only with a guard none of them has.
    fn add(&mut self, key: (FnId, Effect), witness: Witness) -> bool {
        let list = self.witness.entry(key).or_default();
        if list.first().is_some_and(|w| w.certain) {
            return false;
        }
        if witness.certain {
            *list = vec![witness];
            return true;
        }
        if list.len() >= MAX_CONDITIONAL || list.iter().any(|w| w.guard == witness.guard) {
            return false;
        }
        list.push(witness);
        true
    }

    /// A way `f`, called with `args`, has `effect`: its certain witness, or a conditional one
    /// whose condition the constants passed do not rule out.
    fn usable(&self, f: FnId, effect: Effect, args: &[Arg]) -> Option<&Witness> {
        self.witness.get(&(f, effect))?.iter().find(|w| {
            w.certain
                || !w.guard.is_some_and(|g| {
                    matches!(args.get(usize::from(g.param)), Some(Arg::Const(c)) if g.test.fails_for(*c))
                })
        })
    }

    /// The facts that calls in `facts` add through the functions they reach: at a call in async
    /// code of a function that blocks or enters or builds a runtime, and at a call in a sync
    /// `main` with no runtime of a function that needs one. A call whose constant arguments
    /// rule out every branch that has the effect adds nothing.
    pub fn indirect_facts(&self, index: &Index, facts: &[Fact]) -> Vec<Fact> {
        let mut out = self.cancel.indirect_facts(index, facts);
        for fact in facts {
            let FactKind::CallsFn {
                callee,
                in_loop,
                no_runtime,
                expects_panic,
                in_callback,
                ref args,
                ..
            } = fact.kind
            else {
                continue;
            };
            for effect in EFFECTS {
                let relevant = match effect {
                    Effect::NeedsRuntime => no_runtime && fact.ctx == ExecContext::Sync,
                    _ => fact.ctx == ExecContext::Async,
                };
                if !relevant {
                    continue;
                }
                let Some(first) = self.usable(callee, effect, args) else {
                    continue;
                };
                let (chain, branch) = self.chain(index, callee, first, effect);
                out.push(Fact {
                    span: fact.span,
                    ctx: fact.ctx,
                    owner: fact.owner,
                    kind: FactKind::Call {
                        effect,
                        callee: qualified_name(index, callee),
                        in_loop,
                        no_runtime,
                        chain,
                        expects_panic,
                        in_callback,
                        runtime: index.runtime,
                        branch,
                        guard: None,
                    },
                });
            }
        }
        out
    }

    /// The path from `start` (through its witness `first`) to the call that has the effect, as
    /// notes; the last one names the call with the effect (see [`crate::rules::reached`]). A
    /// step taken only under a condition adds a note on that condition before its own, and the
    /// first such condition is returned: the effect may not happen.
    fn chain(
        &self,
        index: &Index,
        start: FnId,
        first: &Witness,
        effect: Effect,
    ) -> (Vec<Note>, Option<Span>) {
        let mut notes = Vec::new();
        let mut first_branch = None;
        let mut current = start;
        let mut seen = vec![start];
        let mut next = Some(first);
        while let Some(w) = next {
            let name = qualified_name(index, current);
            if let Some(branch) = w.branch {
                first_branch = first_branch.or(Some(branch));
                notes.push(Note {
                    path: Some(w.path.clone()),
                    span: branch,
                    message: format!("`{name}` takes the call below only when this holds"),
                });
            }
            match &w.step {
                Step::Direct { callee } => {
                    notes.push(Note {
                        path: Some(w.path.clone()),
                        span: w.span,
                        message: format!("`{name}` calls `{callee}` here"),
                    });
                    break;
                }
                Step::Call { callee, args } => {
                    let callee_name = qualified_name(index, *callee);
                    notes.push(Note {
                        path: Some(w.path.clone()),
                        span: w.span,
                        message: format!("`{name}` calls `{callee_name}` here"),
                    });
                    if seen.contains(callee) || notes.len() >= MAX_CHAIN {
                        break;
                    }
                    seen.push(*callee);
                    current = *callee;
                    next = self.usable(*callee, effect, args);
                }
            }
        }
        (notes, first_branch)
    }

    /// How many (function, effect) pairs hold; for tests and statistics.
    pub fn len(&self) -> usize {
        self.witness.len()
    }

    pub fn is_empty(&self) -> bool {
        self.witness.is_empty()
    }

    /// Whether `f` has `effect` when called.
    pub fn has(&self, f: FnId, effect: Effect) -> bool {
        self.witness.contains_key(&(f, effect))
    }
}

/// A function as a message names it: `Store::new` for a method or associated function, `load`
/// for a free function.
fn qualified_name(index: &Index, id: FnId) -> String {
    let info = index.fn_info(id);
    match info.self_ty.as_deref().and_then(|t| t.rsplit("::").next()) {
        Some(ty) => format!("{ty}::{}", info.sig.name),
        None => info.sig.name.to_string(),
    }
}
