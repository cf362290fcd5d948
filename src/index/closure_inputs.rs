//! What a signature says of its closure parameters ([`super::facts::FnSig::closure_inputs`]):
//! empty for nearly every fn, so held behind one thin pointer (8 bytes, nothing allocated when
//! empty; a `Vec` inline took 24 bytes in every signature). Serialised as the list.

use super::types::Ty;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::ops::Deref;

/// A closure parameter's position and the types the closure is called with.
pub type ClosureInput = (usize, Vec<Ty>);

/// For each parameter that takes a closure, by position: the types it is called with.
pub type ClosureInputs = ThinList<ClosureInput>;

/// A list that is empty for nearly every signature: one thin pointer in the signature, a `Vec`
/// only for the few fns that have entries. Serialised as the list.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::box_collection)]
pub struct ThinList<T>(Option<Box<Vec<T>>>);

impl<T> Default for ThinList<T> {
    fn default() -> ThinList<T> {
        ThinList(None)
    }
}

impl<T> From<Vec<T>> for ThinList<T> {
    fn from(list: Vec<T>) -> ThinList<T> {
        ThinList((!list.is_empty()).then(|| Box::new(list)))
    }
}

impl<T> Deref for ThinList<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.0.as_deref().map_or(&[], |list| list.as_slice())
    }
}

impl<T: Serialize> Serialize for ThinList<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.deref().serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ThinList<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ThinList<T>, D::Error> {
        Vec::deserialize(deserializer).map(ThinList::from)
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
