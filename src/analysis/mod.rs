//! The per-body walk: execution contexts, lexical scopes of bindings, value kinds, and the facts
//! the rules consume.

pub mod facts;
mod macros;
mod patterns;
pub mod scope;
pub mod select;
pub mod spans;
mod types_env;
pub mod value;
pub mod walk;
