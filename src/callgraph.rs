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

use crate::analysis::facts::{Effect, ExecContext, Fact, FactKind};
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

#[derive(Debug, Clone)]
enum Step {
    /// The function's own body has the effect: a call of `callee` (`std::thread::sleep`).
    Direct { callee: String },
    /// The function calls `callee`, which has the effect.
    Call { callee: FnId },
}

#[derive(Debug, Clone)]
struct Witness {
    step: Step,
    path: String,
    span: Span,
    /// The condition this step runs under in its function, if any.
    branch: Option<Span>,
    /// Whether no step from here to the effect is under a condition.
    certain: bool,
}

/// The calls a function makes: (callee, file, call span, condition it runs under).
type Edges<'a> = Vec<(FnId, &'a str, Span, Option<Span>)>;

pub use crate::analysis::facts::ContextFacts;

/// What each function of a context does when called.
#[derive(Debug, Default)]
pub struct Summaries {
    witness: HashMap<(FnId, Effect), Witness>,
    /// Which `async fn`s are not cancel-safe.
    cancel: crate::analysis::walk::select::CancelSummaries,
}

impl Summaries {
    pub fn compute(index: &Index, files: &ContextFacts) -> Summaries {
        let mut s = Summaries {
            cancel: crate::analysis::walk::select::CancelSummaries::compute(index, files),
            ..Summaries::default()
        };
        let mut edges: HashMap<FnId, Edges> = HashMap::new();
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
                        ..
                    } if chain.is_empty() => {
                        let witness = Witness {
                            step: Step::Direct {
                                callee: callee.clone(),
                            },
                            path: path.to_string(),
                            span: fact.span,
                            branch: *branch,
                            certain: branch.is_none(),
                        };
                        // A call on every path wins over one under a condition.
                        let slot = s.witness.entry((owner, *effect));
                        match slot {
                            std::collections::hash_map::Entry::Occupied(mut o) => {
                                if !o.get().certain && witness.certain {
                                    o.insert(witness);
                                }
                            }
                            std::collections::hash_map::Entry::Vacant(v) => {
                                v.insert(witness);
                            }
                        }
                    }
                    FactKind::CallsFn { callee, branch, .. } => edges
                        .entry(owner)
                        .or_default()
                        .push((*callee, path, fact.span, *branch)),
                    _ => {}
                }
            }
        }
        // Fixed point: a function has an effect when one of its callees has it. Each round
        // only adds witnesses, so it ends after at most (functions × effects) rounds.
        let mut callers: Vec<(&FnId, &Edges)> = edges.iter().collect();
        callers.sort_by_key(|(id, _)| **id);
        loop {
            let mut changed = false;
            for (caller, calls) in &callers {
                for effect in EFFECTS {
                    // A witness is replaced only by a certain one, so this ends.
                    if s.witness
                        .get(&(**caller, effect))
                        .is_some_and(|w| w.certain)
                    {
                        continue;
                    }
                    let known = s.witness.contains_key(&(**caller, effect));
                    let certain_of = |c: &FnId, b: &Option<Span>| {
                        s.witness
                            .get(&(*c, effect))
                            .map(|w| w.certain && b.is_none())
                    };
                    let best = calls
                        .iter()
                        .find(|(c, _, _, b)| certain_of(c, b) == Some(true))
                        .or_else(|| {
                            calls
                                .iter()
                                .find(|(c, _, _, b)| !known && certain_of(c, b).is_some())
                        });
                    if let Some((callee, path, span, branch)) = best {
                        let certain = certain_of(callee, branch) == Some(true);
                        s.witness.insert(
                            (**caller, effect),
                            Witness {
                                step: Step::Call { callee: *callee },
                                path: path.to_string(),
                                span: *span,
                                branch: *branch,
                                certain,
                            },
                        );
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        s
    }

    /// The facts that calls in `facts` add through the functions they reach: at a call in async
    /// code of a function that blocks or enters or builds a runtime, and at a call in a sync
    /// `main` with no runtime of a function that needs one.
    pub fn indirect_facts(&self, index: &Index, facts: &[Fact]) -> Vec<Fact> {
        let mut out = self.cancel.indirect_facts(index, facts);
        for fact in facts {
            let FactKind::CallsFn {
                callee,
                in_loop,
                no_runtime,
                expects_panic,
                in_callback,
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
                if !relevant || !self.witness.contains_key(&(callee, effect)) {
                    continue;
                }
                let (chain, branch) = self.chain(index, callee, effect);
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
                    },
                });
            }
        }
        out
    }

    /// The path from `start` to the call that has the effect, as notes; the last one names the
    /// call with the effect (see [`crate::rules::reached`]). A step taken only under a
    /// condition adds a note on that condition before its own, and the first such condition is
    /// returned: the effect may not happen.
    fn chain(&self, index: &Index, start: FnId, effect: Effect) -> (Vec<Note>, Option<Span>) {
        let mut notes = Vec::new();
        let mut first_branch = None;
        let mut current = start;
        let mut seen = vec![start];
        while let Some(w) = self.witness.get(&(current, effect)) {
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
                Step::Call { callee } => {
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
        None => info.sig.name.clone(),
    }
}
