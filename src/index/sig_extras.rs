//! The parts of a signature that nearly every fn leaves empty — what it says of its closure
//! parameters ([`SigExtras::closure_inputs`]), which type parameters its return type takes from
//! its arguments ([`SigExtras::ret_from_args`]), the call whose future it forwards, its own
//! `cfg`, and four flags that only runtime entry points, offloading helpers, panic-catching test
//! helpers and `#[maybe_async]` fns set — held behind one thin pointer (8 bytes, nothing
//! allocated when all are empty). Kept out of the signature itself so that a signature is 32
//! bytes and its shared block 48 (64 with these inline: a generated file holds hundreds of
//! thousands). Serialised as [`Rare`], the default when there is none.

use super::types::Ty;
use crate::symbol::Symbol;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The call whose future a fn returns as its tail: the callee's name, and what its receiver is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forward {
    pub name: Symbol,
    pub via: Via,
}

/// Where the receiver of a forwarded method call comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Via {
    /// A free fn, or a receiver not reached from `self`.
    Unknown,
    /// `self.name(..)`: a method of the fn's own type.
    SelfValue,
    /// `self.field..name(..)` (through method calls, `?` and further fields): a method of a type
    /// the field's declared type names (`inner: Cell<LinkInner>` → `Cell` or `LinkInner`).
    Field(Symbol),
}

/// A closure parameter's position and the types the closure is called with.
pub type ClosureInput = (usize, Vec<Ty>);

/// A type parameter of the return type and the position of the parameter whose whole type it is.
pub type ArgParam = (Symbol, u32);

/// The rare parts themselves; a signature holds them only when one is not empty or false.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Rare {
    closure_inputs: Vec<ClosureInput>,
    ret_from_args: Vec<ArgParam>,
    forwards_to: Option<Forward>,
    cfg: Option<Symbol>,
    runtime_attr: bool,
    offloads_param: bool,
    catches_param: bool,
    async_by_feature: bool,
}

/// A signature's rare parts (see the module's doc).
/// (The box is the point: one thin pointer in the signature, the parts only for the few fns that
/// have any.)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SigExtras(Option<Box<Rare>>);

impl SigExtras {
    pub fn new(closure_inputs: Vec<ClosureInput>, ret_from_args: Vec<ArgParam>) -> SigExtras {
        SigExtras::of(Rare {
            closure_inputs,
            ret_from_args,
            ..Rare::default()
        })
    }

    /// Boxed only when something is set, so that equal parts compare equal.
    fn of(rare: Rare) -> SigExtras {
        SigExtras((rare != Rare::default()).then(|| Box::new(rare)))
    }

    /// Changes the parts, dropping the box when nothing is left set. `clears`: the change only
    /// clears a part, nothing to do without a box (the common case, no `Rare` made).
    fn edit(&mut self, clears: bool, f: impl FnOnce(&mut Rare)) {
        if clears && self.0.is_none() {
            return;
        }
        let mut rare = self.0.take().map(|b| *b).unwrap_or_default();
        f(&mut rare);
        *self = SigExtras::of(rare);
    }

    /// For each parameter that takes a closure, by position: the types it is called with.
    pub fn closure_inputs(&self) -> &[ClosureInput] {
        self.0
            .as_deref()
            .map_or(&[], |r| r.closure_inputs.as_slice())
    }

    /// The type parameters the return type takes from the arguments.
    pub fn ret_from_args(&self) -> &[ArgParam] {
        self.0
            .as_deref()
            .map_or(&[], |r| r.ret_from_args.as_slice())
    }

    /// See [`super::facts::FnSig::forwards_to`].
    pub fn forwards_to(&self) -> Option<&Forward> {
        self.0.as_deref().and_then(|r| r.forwards_to.as_ref())
    }

    /// See [`super::facts::FnSig::cfg`].
    pub fn cfg(&self) -> Option<Symbol> {
        self.0.as_deref().and_then(|r| r.cfg)
    }

    /// See [`super::facts::FnSig::runtime_attr`].
    pub fn runtime_attr(&self) -> bool {
        self.0.as_deref().is_some_and(|r| r.runtime_attr)
    }

    /// See [`super::facts::FnSig::offloads_param`].
    pub fn offloads_param(&self) -> bool {
        self.0.as_deref().is_some_and(|r| r.offloads_param)
    }

    /// See [`super::facts::FnSig::catches_param`].
    pub fn catches_param(&self) -> bool {
        self.0.as_deref().is_some_and(|r| r.catches_param)
    }

    /// See [`super::facts::FnSig::async_by_feature`].
    pub fn async_by_feature(&self) -> bool {
        self.0.as_deref().is_some_and(|r| r.async_by_feature)
    }

    pub fn set_forwards_to(&mut self, to: Option<Forward>) {
        self.edit(to.is_none(), |r| r.forwards_to = to);
    }

    pub fn set_cfg(&mut self, cfg: Option<Symbol>) {
        self.edit(cfg.is_none(), |r| r.cfg = cfg);
    }

    pub fn set_runtime_attr(&mut self, on: bool) {
        self.edit(!on, |r| r.runtime_attr = on);
    }

    pub fn set_offloads_param(&mut self, on: bool) {
        self.edit(!on, |r| r.offloads_param = on);
    }

    pub fn set_catches_param(&mut self, on: bool) {
        self.edit(!on, |r| r.catches_param = on);
    }

    pub fn set_async_by_feature(&mut self, on: bool) {
        self.edit(!on, |r| r.async_by_feature = on);
    }
}

impl Serialize for SigExtras {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(rare) => rare.serialize(serializer),
            None => Rare::default().serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SigExtras {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SigExtras, D::Error> {
        Rare::deserialize(deserializer).map(SigExtras::of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rare_parts_round_trip_and_leave_no_box_when_cleared() {
        let inputs = vec![(1usize, vec![Ty::Unknown, Ty::SelfTy])];
        let params = vec![(Symbol::intern("F"), 0u32)];
        let mut extras = SigExtras::new(inputs.clone(), params.clone());
        extras.set_forwards_to(Some(Forward {
            name: Symbol::intern("close"),
            via: Via::SelfValue,
        }));
        extras.set_cfg(Some(Symbol::intern("unix")));
        extras.set_runtime_attr(true);
        extras.set_catches_param(true);
        let bytes = postcard::to_stdvec(&extras).unwrap();
        let back: SigExtras = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, extras);
        assert_eq!(back.closure_inputs(), inputs.as_slice());
        assert_eq!(back.ret_from_args(), params.as_slice());
        assert_eq!(back.forwards_to().map(|f| f.name.as_str()), Some("close"));
        assert_eq!(back.cfg().map(Symbol::as_str), Some("unix"));
        assert!(back.runtime_attr() && back.catches_param());
        assert!(!back.offloads_param() && !back.async_by_feature());

        let none = SigExtras::new(Vec::new(), Vec::new());
        assert!(none.closure_inputs().is_empty() && none.ret_from_args().is_empty());
        assert!(none.forwards_to().is_none() && none.cfg().is_none() && !none.runtime_attr());
        assert_eq!(none, SigExtras::default());
        let back: SigExtras = postcard::from_bytes(&postcard::to_stdvec(&none).unwrap()).unwrap();
        assert_eq!(back, none);
        // A flag set and cleared again leaves the same value as one never set (no empty box).
        let mut flag = SigExtras::default();
        flag.set_async_by_feature(true);
        assert_ne!(flag, none);
        flag.set_async_by_feature(false);
        assert_eq!(flag, none);
        assert!(flag.0.is_none());
        assert_eq!(std::mem::size_of::<SigExtras>(), 8);
    }
}
