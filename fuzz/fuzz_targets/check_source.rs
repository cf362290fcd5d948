//! The per-file pipeline on arbitrary text: parse, index, analyse, judge, and render in every
//! format. Runs on a thread with the tool's worker stack, as the tool does. Checks that every
//! position points into the text (line, column and byte agreeing) and that every
//! machine-applicable fix applies in full and leaves a file that parses.
//!
//! Run it with `cargo fuzz run --no-cfg-fuzzing check_source`: under `cfg(fuzzing)` proc-macro2
//! turns span locations off (every span is line 1, column 0), so positions and fixes would be
//! neither exercised nor checkable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use unawaited::diagnostic::{Applicability, Position, Span};
use unawaited::render::{render, Format, RenderOptions, Report};
use unawaited::source::{self, SourceFile};

fn check_position(text: &str, p: &Position) {
    assert!(p.byte <= text.len() && text.is_char_boundary(p.byte), "byte {p:?}");
    let line_start = text[..p.byte].rfind('\n').map_or(0, |i| i + 1);
    assert_eq!(p.line, text[..p.byte].matches('\n').count() + 1, "line {p:?}");
    assert_eq!(p.column, text[line_start..p.byte].chars().count() + 1, "column {p:?}");
}

fn check_span(text: &str, s: &Span) {
    check_position(text, &s.start);
    check_position(text, &s.end);
    assert!(s.start.byte <= s.end.byte, "span order {s:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let text = text.to_string();
    let worker = std::thread::Builder::new().stack_size(256 << 20).spawn(move || {
        let diagnostics = unawaited::engine::check_source("fuzz.rs", &text, &Default::default());
        for d in &diagnostics {
            check_span(&text, &d.span);
            for n in d.notes.iter().filter(|n| n.path.is_none()) {
                check_span(&text, &n.span);
            }
            let Some(fix) = &d.fix else { continue };
            for e in &fix.edits {
                check_span(&text, &e.span);
            }
            if fix.applicability == Applicability::MachineApplicable {
                let (fixed, applied) = unawaited::fix::apply(&text, &fix.edits);
                assert_eq!(applied, fix.edits.len(), "every edit applies");
                let file = SourceFile::new("fuzz.rs".into(), fixed);
                assert!(source::parse(&file).is_ok(), "the fixed text parses: {:?}\n{}", fix.edits, file.text);
            }
        }
        let sources: HashMap<String, String> = [("fuzz.rs".to_string(), text)].into_iter().collect();
        let report = Report { diagnostics: &diagnostics, errors: &[], files: 1, sources: &sources, notes: &[], root: None };
        for format in [Format::Human, Format::Json, Format::Cargo, Format::Sarif, Format::Github] {
            render(format, &report, RenderOptions::default(), &mut std::io::sink()).expect("rendering to a sink");
        }
    });
    worker.expect("a thread").join().expect("no panic");
});
