//! `unawaited`: finds orphaned futures and async runtime misuse in Rust source, without a build.
//!
//! The modules stand on floors, and every import points down: a module may use what a lower
//! floor holds, or a module of its own floor that does not use it back. `tests/floors.rs` reads
//! the `// floor N` lines below and fails on an import from a floor above, or on any circle
//! between modules (top-level ones, and sibling submodules inside one).
//!
//! The layout follows the pipeline ([`engine`] runs it, stage by stage):
//!
//! - ground: [`files`] (normalised paths, hashes, atomic writes, sealed cache files),
//!   [`repo`] (the repository root paths are shown from), [`rule_id`] (every rule's
//!   identity and names, no logic) and [`symbol`] (interned names);
//! - [`diagnostic`]: what a finding is; [`source`]: reading and parsing a file (with the nesting
//!   pre-check), positions;
//! - [`discover`]: which files to check, their analysis contexts and crate roots, and ignore
//!   rules; [`config`]: `unawaited.toml` and `[package.metadata.unawaited]`; [`knowledge`]: the
//!   typed tables of external APIs;
//! - [`index`]: per-file index facts ([`index::facts`], from a full parse or the item
//!   [`index::skeleton`]), the dependencies' sources ([`index::deps`]), and each context's module
//!   tree and name resolution, built once and shared read-only;
//! - [`lower`]: a parsed file lowered to the body IR ([`lower::ir`]); it knows syntax only;
//! - [`analysis`]: the walk over the IR, which resolves names and types against the index and the
//!   [`knowledge`] tables and records facts;
//! - [`callgraph`]: what calls bring from other functions; [`rules`]: one module per rule,
//!   reading facts only; [`suppress`]: inline suppressions;
//! - [`cache`]: the index facts per file, kept between runs; [`walk_cache`]: what the walk of
//!   each file gave, reused while neither its text nor its context's index changed;
//!   [`baseline`]: known findings; [`fix`]: applying fixes; [`render`]: the output formats;
//! - [`engine`]: the pipeline;
//! - front ends: [`cli`] (with `main.rs`), [`server`] (the language server), [`flycheck`]
//!   (rust-analyzer's check command).

// floor 0: ground
pub mod files;
pub mod repo;
pub mod rule_id;
pub mod symbol;

// floor 1: the finding, the parsed file
pub mod diagnostic;
pub mod source;

// floor 2: what is checked, how, and what the world's APIs do
pub mod config;
pub mod discover;
pub mod knowledge;

// floor 3: the index
pub mod index;

// floor 4: lowering
pub mod lower;

// floor 5: the walk
pub mod analysis;

// floor 6: what the facts mean
pub mod callgraph;
pub mod rules;
pub mod suppress;

// floor 7: what is done with findings
pub mod baseline;
pub mod cache;
pub mod fix;
pub mod name_hashes;
pub mod render;
pub mod walk_cache;

// floor 8: the pipeline
pub mod engine;

// floor 9: front ends
pub mod cli;
pub mod flycheck;
pub mod server;
