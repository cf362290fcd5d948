//! Configuration and baseline parsing on arbitrary text: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = unawaited::config::Config::parse(Path::new("unawaited.toml"), text, None);
    let _ = unawaited::config::Config::parse(Path::new("Cargo.toml"), text, Some("metadata"));
    let _ = unawaited::baseline::Baseline::parse(text);
});
