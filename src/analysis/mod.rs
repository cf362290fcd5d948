//! The per-body walk: execution contexts, lexical scopes of bindings, value kinds, and the facts
//! the rules consume.

pub mod facts;
mod macros;
pub mod scope;
pub mod select;
pub mod spans;
pub mod value;
pub mod walk;
