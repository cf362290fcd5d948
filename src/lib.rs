//! `unawaited`: finds orphaned futures and async runtime misuse in Rust source, without a build.
//!
//! The layout follows the pipeline ([`engine`] runs it, stage by stage):
//!
//! - [`discover`]: which files to check, their analysis contexts (workspaces, packages, loose
//!   files) and ignore rules; [`config`]: `unawaited.toml` and `[package.metadata.unawaited]`;
//! - [`source`]: reading and parsing a file (with the nesting pre-check), positions;
//! - [`index`]: per-file index facts ([`index::facts`], from a full parse or the item
//!   [`index::skeleton`]), the dependencies' sources ([`index::deps`]), and each context's module
//!   tree and name resolution, built once and shared read-only; [`cache`]: the facts per file,
//!   kept between runs;
//! - [`lower`]: a parsed file lowered to the body IR ([`lower::ir`]); it knows syntax only;
//! - [`analysis`]: the walk over the IR, which resolves names and types against the index and the
//!   [`knowledge`] tables and records facts; [`callgraph`]: what calls bring from other
//!   functions;
//! - [`rules`]: one module per rule, reading facts only; [`suppress`]: inline suppressions;
//!   [`baseline`]: known findings; [`fix`]: applying fixes;
//! - [`diagnostic`]: what a finding is; [`render`]: the output formats;
//! - front ends: [`cli`] (with `main.rs`), [`server`] (the language server), [`flycheck`]
//!   (rust-analyzer's check command).

pub mod analysis;
pub mod baseline;
pub mod cache;
pub mod callgraph;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod fix;
pub mod flycheck;
pub mod index;
pub mod knowledge;
pub mod lower;
pub mod render;
pub mod rules;
pub mod server;
pub mod source;
pub mod suppress;
