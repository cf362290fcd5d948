//! What a signature says of its closure parameters ([`super::facts::FnSig::closure_inputs`]):
//! empty for nearly every fn, so held behind one thin pointer (8 bytes, nothing allocated when
//! empty; a `Vec` inline took 24 bytes in every signature). Serialised as the list.

use super::types::Ty;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::ops::Deref;

/// A closure parameter's position and the types the closure is called with.
pub type ClosureInput = (usize, Vec<Ty>);

/// For each parameter that takes a closure, by position: the types it is called with.
/// (The box is the point: one thin pointer in the signature, a `Vec` only for the few fns that
/// have closure parameters.)
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(clippy::box_collection)]
pub struct ClosureInputs(Option<Box<Vec<ClosureInput>>>);

impl From<Vec<ClosureInput>> for ClosureInputs {
    fn from(list: Vec<ClosureInput>) -> ClosureInputs {
        ClosureInputs((!list.is_empty()).then(|| Box::new(list)))
    }
}

impl Deref for ClosureInputs {
    type Target = [ClosureInput];
    fn deref(&self) -> &[ClosureInput] {
        self.0.as_deref().map_or(&[], |list| list.as_slice())
    }
}

impl Serialize for ClosureInputs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.deref().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ClosureInputs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ClosureInputs, D::Error> {
        Vec::deserialize(deserializer).map(ClosureInputs::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closure_inputs_are_written_as_their_list() {
        let list = vec![(1usize, vec![Ty::Unknown, Ty::SelfTy])];
        let inputs = ClosureInputs::from(list.clone());
        let bytes = postcard::to_stdvec(&inputs).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&list).unwrap());
        let back: ClosureInputs = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, inputs);
        let none = ClosureInputs::from(Vec::new());
        assert!(none.is_empty());
        assert_eq!(
            postcard::to_stdvec(&none).unwrap(),
            postcard::to_stdvec(&Vec::<(usize, Vec<Ty>)>::new()).unwrap()
        );
        assert_eq!(std::mem::size_of::<ClosureInputs>(), 8);
    }
}
