//! `unawaited`: finds orphaned futures and async runtime misuse in Rust source, without a build.

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
