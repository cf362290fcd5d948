//! The parts of a signature that nearly every fn leaves empty — what it says of its closure
//! parameters ([`super::facts::FnSig::closure_inputs`]) and which type parameters its return
//! type takes from its arguments ([`super::facts::FnSig::ret_from_args`]) — held behind one thin
//! pointer (8 bytes, nothing allocated when both are empty; a `Vec` inline took 24 bytes in every
//! signature, each). Serialised as the two lists.

use super::types::Ty;
use crate::symbol::Symbol;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A closure parameter's position and the types the closure is called with.
pub type ClosureInput = (usize, Vec<Ty>);

/// A type parameter of the return type and the position of the parameter whose whole type it is.
pub type ArgParam = (Symbol, u32);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Lists {
    closure_inputs: Vec<ClosureInput>,
    ret_from_args: Vec<ArgParam>,
}

/// A signature's rare parts (see the module's doc).
/// (The box is the point: one thin pointer in the signature, the lists only for the few fns that
/// have entries.)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SigExtras(Option<Box<Lists>>);

impl SigExtras {
    pub fn new(closure_inputs: Vec<ClosureInput>, ret_from_args: Vec<ArgParam>) -> SigExtras {
        let lists = Lists {
            closure_inputs,
            ret_from_args,
        };
        SigExtras((lists != Lists::default()).then(|| Box::new(lists)))
    }

    /// For each parameter that takes a closure, by position: the types it is called with.
    pub fn closure_inputs(&self) -> &[ClosureInput] {
        self.0
            .as_deref()
            .map_or(&[], |l| l.closure_inputs.as_slice())
    }

    /// The type parameters the return type takes from the arguments.
    pub fn ret_from_args(&self) -> &[ArgParam] {
        self.0
            .as_deref()
            .map_or(&[], |l| l.ret_from_args.as_slice())
    }
}

impl Serialize for SigExtras {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(lists) => lists.serialize(serializer),
            None => Lists::default().serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SigExtras {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SigExtras, D::Error> {
        Lists::deserialize(deserializer).map(|l| SigExtras::new(l.closure_inputs, l.ret_from_args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rare_parts_are_written_as_their_lists() {
        let inputs = vec![(1usize, vec![Ty::Unknown, Ty::SelfTy])];
        let params = vec![(Symbol::intern("F"), 0u32)];
        let extras = SigExtras::new(inputs.clone(), params.clone());
        let bytes = postcard::to_stdvec(&extras).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&(&inputs, &params)).unwrap());
        let back: SigExtras = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, extras);
        assert_eq!(back.closure_inputs(), inputs.as_slice());
        assert_eq!(back.ret_from_args(), params.as_slice());
        let none = SigExtras::new(Vec::new(), Vec::new());
        assert!(none.closure_inputs().is_empty() && none.ret_from_args().is_empty());
        assert_eq!(none, SigExtras::default());
        let empty: (Vec<ClosureInput>, Vec<ArgParam>) = (Vec::new(), Vec::new());
        assert_eq!(
            postcard::to_stdvec(&none).unwrap(),
            postcard::to_stdvec(&empty).unwrap()
        );
        assert_eq!(std::mem::size_of::<SigExtras>(), 8);
    }
}
