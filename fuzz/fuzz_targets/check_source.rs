//! The per-file pipeline on arbitrary text: parse, index, analyse, judge, and render in every
//! format. Runs on a thread with the tool's worker stack, as the tool does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use unawaited::render::{render, Format, RenderOptions, Report};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let text = text.to_string();
    let worker = std::thread::Builder::new().stack_size(256 << 20).spawn(move || {
        let diagnostics = unawaited::engine::check_source("fuzz.rs", &text, &Default::default());
        let sources: HashMap<String, String> = [("fuzz.rs".to_string(), text)].into_iter().collect();
        let report = Report { diagnostics: &diagnostics, errors: &[], files: 1, sources: &sources };
        for format in [Format::Human, Format::Json, Format::Cargo, Format::Sarif, Format::Github] {
            render(format, &report, RenderOptions::default(), &mut std::io::sink()).expect("rendering to a sink");
        }
        for d in &diagnostics {
            assert!(d.span.start <= d.span.end || d.span.start.line > d.span.end.line, "span order");
        }
    });
    worker.expect("a thread").join().expect("no panic");
});
