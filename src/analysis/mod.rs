//! The per-body walk over the lowered IR ([`crate::lower::ir`]): execution contexts, lexical
//! scopes of bindings, value kinds, and the facts the rules consume. It knows names, types and the
//! index; lowering knows the syntax.

mod bounds;
pub mod facts;
mod generic_api;
pub mod other_files;
mod patterns;
mod projection;
#[cfg(test)]
mod resolve_memo_tests;
pub mod scope;
mod types_env;
pub mod value;
pub mod walk;

pub use walk::{analyze, analyze_items, FileCx, TestCode};
