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
}

/// The calls a function makes: (callee, file, call span).
type Edges<'a> = Vec<(FnId, &'a str, Span)>;

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
                        ..
                    } if chain.is_empty() => {
                        s.witness
                            .entry((owner, *effect))
                            .or_insert_with(|| Witness {
                                step: Step::Direct {
                                    callee: callee.clone(),
                                },
                                path: path.to_string(),
                                span: fact.span,
                            });
                    }
                    FactKind::CallsFn { callee, .. } => edges
                        .entry(owner)
                        .or_default()
                        .push((*callee, path, fact.span)),
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
                    if s.witness.contains_key(&(**caller, effect)) {
                        continue;
                    }
                    if let Some((callee, path, span)) = calls
                        .iter()
                        .find(|(c, _, _)| s.witness.contains_key(&(*c, effect)))
                    {
                        s.witness.insert(
                            (**caller, effect),
                            Witness {
                                step: Step::Call { callee: *callee },
                                path: path.to_string(),
                                span: *span,
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
                out.push(Fact {
                    span: fact.span,
                    ctx: fact.ctx,
                    owner: fact.owner,
                    kind: FactKind::Call {
                        effect,
                        callee: qualified_name(index, callee),
                        in_loop,
                        no_runtime,
                        chain: self.chain(index, callee, effect),
                        expects_panic,
                        in_callback,
                        runtime: index.runtime,
                    },
                });
            }
        }
        out
    }

    /// The path from `start` to the call that has the effect, as notes; the last one names the
    /// call with the effect (see [`crate::rules::reached`]).
    fn chain(&self, index: &Index, start: FnId, effect: Effect) -> Vec<Note> {
        let mut notes = Vec::new();
        let mut current = start;
        let mut seen = vec![start];
        while let Some(w) = self.witness.get(&(current, effect)) {
            let name = qualified_name(index, current);
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
        notes
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
