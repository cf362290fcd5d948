//! The machine formats, parsed the way their consumers parse them: rustc diagnostics through
//! `cargo_metadata`'s types (what rust-analyzer reads), SARIF's fields through `serde_json`,
//! GitHub workflow commands as exact lines.
//!
//! Most tests render hand-built diagnostics, so that they pin the formats and not the rules'
//! wording; one runs the binary to check that `--format` reaches each renderer.

mod common;
use common::*;

use cargo_metadata::diagnostic::{
    Applicability as RustcApplicability, Diagnostic as RustcDiagnostic, DiagnosticLevel,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{self, Write};
use unawaited::diagnostic::{
    Applicability, Diagnostic, Edit, Fix, Level, Note, Position, Provenance, RunError, Span,
};
use unawaited::render::{self, Format, RenderOptions, Report};
use unawaited::rule_id::RuleId;

const PATH: &str = "src/lib.rs";

/// Line 4 has two-byte characters before the finding, so its character and byte columns differ;
/// lines 5 to 7 hold a call that spans several lines.
const SRC: &str = "async fn work() {}\n\nasync fn run() {\n    let é = \"ü\"; work();\n    w(\n        1,\n    );\n}\n";
const NON_ASCII_LINE: &str = "    let é = \"ü\"; work();";

/// The keys of a JSON object, in order.
fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn position(text: &str, byte: usize) -> Position {
    let before = &text[..byte];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        byte,
    }
}

/// The span of the `nth` (0-based) occurrence of `needle` in `text`.
fn span_of(text: &str, needle: &str, nth: usize) -> Span {
    let (start, _) = text
        .match_indices(needle)
        .nth(nth)
        .expect("the needle occurs");
    Span {
        start: position(text, start),
        end: position(text, start + needle.len()),
    }
}

/// A deny-level finding on the non-ASCII line, with a label, a help and a fix.
fn unawaited_call(text: &str) -> Diagnostic {
    let span = span_of(text, "work()", 1);
    Diagnostic {
        rule: RuleId::UnawaitedFuture,
        level: Level::Deny,
        path: PATH.to_string(),
        span,
        message: "future returned by `work` is never awaited".to_string(),
        label: Some("this future is dropped".to_string()),
        help: Some("add `.await` to run it".to_string()),
        notes: Vec::new(),
        fix: Some(Fix {
            message: "add `.await`".to_string(),
            applicability: Applicability::MachineApplicable,
            edits: vec![Edit {
                span: Span {
                    start: span.end,
                    end: span.end,
                },
                text: ".await".to_string(),
            }],
        }),
        provenance: Some(Provenance::Proven),
        in_test: false,
    }
}

/// A warn-level finding over three lines, with a note, and `%`, `,`, `:` and a newline in its
/// texts.
fn blocking_call(text: &str) -> Diagnostic {
    Diagnostic {
        rule: RuleId::BlockingInAsync,
        level: Level::Warn,
        path: PATH.to_string(),
        span: span_of(text, "w(\n        1,\n    )", 0),
        message: "`w` blocks: 100% of a core, for 1:30".to_string(),
        label: None,
        help: Some("move it to `spawn_blocking`\nor make it async".to_string()),
        notes: vec![Note {
            path: None,
            span: span_of(text, "async fn work() {}", 0),
            message: "`w` calls `work` here".to_string(),
        }],
        fix: None,
        provenance: None,
        in_test: false,
    }
}

fn findings(text: &str) -> Vec<Diagnostic> {
    vec![unawaited_call(text), blocking_call(text)]
}

fn sources(text: &str) -> HashMap<String, String> {
    HashMap::from([(PATH.to_string(), text.to_string())])
}

fn render_to_string(
    format: Format,
    diagnostics: &[Diagnostic],
    errors: &[RunError],
    sources: &HashMap<String, String>,
) -> String {
    let report = Report {
        diagnostics,
        errors,
        notes: &[],
        files: 1,
        sources,
        root: None,
    };
    let mut out = Vec::new();
    render::render(format, &report, RenderOptions::default(), &mut out).expect("renders");
    String::from_utf8(out).expect("UTF-8")
}

fn run_error() -> RunError {
    RunError {
        path: "./src/gone.rs".to_string(),
        message: "cannot read: permission denied".to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// cargo

fn cargo_lines(diagnostics: &[Diagnostic], errors: &[RunError]) -> Vec<(Value, RustcDiagnostic)> {
    render_to_string(Format::Cargo, diagnostics, errors, &sources(SRC))
        .lines()
        .map(|line| {
            let raw: Value = serde_json::from_str(line).expect("JSON");
            let diag = serde_json::from_str(line).expect("a rustc diagnostic per line");
            (raw, diag)
        })
        .collect()
}

#[test]
fn cargo_lines_are_bare_rustc_diagnostics() {
    let lines = cargo_lines(&findings(SRC), &[]);
    assert_eq!(lines.len(), 2);
    for (raw, diag) in &lines {
        let top_keys = keys(raw);
        assert_eq!(
            top_keys,
            [
                "$message_type",
                "message",
                "code",
                "level",
                "spans",
                "children",
                "rendered"
            ]
        );
        assert_eq!(raw["$message_type"], "diagnostic");
        assert!(raw.get("reason").is_none(), "not a cargo-wrapped message");
        for child in &diag.children {
            assert!(child.code.is_none() && child.rendered.is_none());
        }
        let span_keys = keys(&raw["spans"][0]);
        assert_eq!(
            span_keys,
            [
                "file_name",
                "byte_start",
                "byte_end",
                "line_start",
                "line_end",
                "column_start",
                "column_end",
                "is_primary",
                "text",
                "label",
                "suggested_replacement",
                "suggestion_applicability",
                "expansion"
            ]
        );
    }
    let codes: Vec<&str> = lines
        .iter()
        .map(|(_, d)| d.code.as_ref().unwrap().code.as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "unawaited::unawaited_future",
            "unawaited::blocking_in_async"
        ]
    );
    assert_eq!(lines[0].1.level, DiagnosticLevel::Error);
    assert_eq!(lines[1].1.level, DiagnosticLevel::Warning);
}

#[test]
fn cargo_spans_have_byte_offsets_character_columns_and_whole_lines() {
    let diags = findings(SRC);
    let lines = cargo_lines(&diags, &[]);
    let (_, fut) = &lines[0];
    assert_eq!(fut.message, "future returned by `work` is never awaited");
    let span = &fut.spans[0];
    assert_eq!(span.file_name, PATH);
    assert!(span.is_primary);
    assert_eq!(
        &SRC[span.byte_start as usize..span.byte_end as usize],
        "work()"
    );
    let line_start = SRC.find(NON_ASCII_LINE).unwrap();
    assert_eq!(
        span.byte_start as usize - line_start,
        19,
        "bytes count é and ü twice"
    );
    assert_eq!(
        (span.line_start, span.line_end),
        (4, 4),
        "lines are 1-based"
    );
    assert_eq!(
        (span.column_start, span.column_end),
        (18, 24),
        "columns count characters"
    );
    assert_eq!(span.label.as_deref(), Some("this future is dropped"));
    assert_eq!(span.text.len(), 1);
    assert_eq!(span.text[0].text, NON_ASCII_LINE);
    assert_eq!(
        (span.text[0].highlight_start, span.text[0].highlight_end),
        (18, 24)
    );
    // What rustc prints for such a finding, written out by hand.
    assert_eq!(
        fut.rendered.as_deref(),
        Some(concat!(
            "error[unawaited_future]: future returned by `work` is never awaited\n",
            "  --> src/lib.rs:4:18\n",
            "  |\n",
            "4 |     let é = \"ü\"; work();\n",
            "  |                  ^^^^^^ this future is dropped\n",
            "  |\n",
            "  = help: add `.await` to run it\n",
            "  = help: add `.await`: `let é = \"ü\"; work().await;`\n",
            "\n",
        ))
    );

    let (_, blocking) = &lines[1];
    let span = &blocking.spans[0];
    assert_eq!(
        (
            span.line_start,
            span.column_start,
            span.line_end,
            span.column_end
        ),
        (5, 5, 7, 6)
    );
    let text: Vec<(&str, usize, usize)> = span
        .text
        .iter()
        .map(|l| (l.text.as_str(), l.highlight_start, l.highlight_end))
        .collect();
    assert_eq!(
        text,
        [("    w(", 5, 7), ("        1,", 1, 11), ("    );", 1, 6)]
    );
}

#[test]
fn cargo_lines_of_a_crlf_file_drop_the_carriage_return() {
    let crlf = SRC.replace('\n', "\r\n");
    let diag = unawaited_call(&crlf);
    let out = render_to_string(Format::Cargo, &[diag], &[], &sources(&crlf));
    let fut: RustcDiagnostic = serde_json::from_str(out.trim_end()).unwrap();
    assert_eq!(fut.spans[0].text[0].text, NON_ASCII_LINE);
}

#[test]
fn cargo_fix_is_a_help_child_with_a_suggestion_and_notes_are_note_children() {
    let lines = cargo_lines(&findings(SRC), &[]);
    let (_, fut) = &lines[0];
    let children: Vec<(&DiagnosticLevel, &str, usize)> = fut
        .children
        .iter()
        .map(|c| (&c.level, c.message.as_str(), c.spans.len()))
        .collect();
    assert_eq!(
        children,
        [
            (&DiagnosticLevel::Help, "add `.await` to run it", 0),
            (&DiagnosticLevel::Help, "add `.await`", 1),
        ]
    );
    let suggestion = &fut.children[1].spans[0];
    assert_eq!(suggestion.suggested_replacement.as_deref(), Some(".await"));
    assert_eq!(
        suggestion.suggestion_applicability,
        Some(RustcApplicability::MachineApplicable)
    );
    assert_eq!(
        (suggestion.byte_start, suggestion.byte_end),
        (fut.spans[0].byte_end, fut.spans[0].byte_end),
        "an insertion right after the call"
    );
    assert_eq!((suggestion.column_start, suggestion.column_end), (24, 24));
    assert_eq!(suggestion.text[0].text, NON_ASCII_LINE);
    assert!(fut.spans[0].suggested_replacement.is_none());

    let (_, blocking) = &lines[1];
    let note = &blocking.children[0];
    assert_eq!(note.level, DiagnosticLevel::Note);
    assert_eq!(note.message, "`w` calls `work` here");
    assert_eq!(note.spans[0].file_name, PATH);
    assert_eq!(
        (note.spans[0].line_start, note.spans[0].column_start),
        (1, 1)
    );
    assert_eq!(note.spans[0].text[0].text, "async fn work() {}");
    assert_eq!(blocking.children[1].level, DiagnosticLevel::Help);
    assert!(blocking
        .children
        .iter()
        .all(|c| c.spans.iter().all(|s| s.suggested_replacement.is_none())));
}

#[test]
fn cargo_run_errors_are_rustc_errors_without_spans() {
    let error = run_error();
    let lines = cargo_lines(&[], std::slice::from_ref(&error));
    assert_eq!(lines.len(), 1);
    let (raw, diag) = &lines[0];
    assert_eq!(raw["$message_type"], "diagnostic");
    assert_eq!(diag.level, DiagnosticLevel::Error);
    assert_eq!(
        diag.message,
        "./src/gone.rs: cannot read: permission denied"
    );
    assert!(diag.code.is_none() && diag.spans.is_empty() && diag.children.is_empty());
    assert_eq!(
        diag.rendered.as_deref(),
        Some("error: ./src/gone.rs: cannot read: permission denied\n")
    );
}

#[test]
fn cargo_prints_nothing_for_a_clean_run() {
    assert_eq!(render_to_string(Format::Cargo, &[], &[], &sources(SRC)), "");
}

// ---------------------------------------------------------------------------------------------
// SARIF

fn sarif(diagnostics: &[Diagnostic], errors: &[RunError], text: &str) -> Value {
    serde_json::from_str(&render_to_string(
        Format::Sarif,
        diagnostics,
        errors,
        &sources(text),
    ))
    .expect("one JSON document")
}

fn region(line: usize, column: usize, end_line: usize, end_column: usize) -> Value {
    json!({ "startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column })
}

#[test]
fn sarif_describes_the_tool_and_every_rule() {
    let doc = sarif(&[], &[], SRC);
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(
        doc["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(doc["runs"].as_array().unwrap().len(), 1);
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["results"], json!([]));
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "unawaited");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    // The repository when Cargo.toml names one, else no link (never a made-up page).
    let repository = env!("CARGO_PKG_REPOSITORY");
    match repository {
        "" => assert!(driver.get("informationUri").is_none(), "{driver}"),
        r => assert_eq!(driver["informationUri"], r),
    }
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RuleId::ALL.len());
    for (rule, descriptor) in RuleId::ALL.iter().zip(rules) {
        let docs = rule.docs().text;
        assert_eq!(descriptor["id"], rule.name());
        assert_eq!(descriptor["shortDescription"]["text"], rule.summary());
        let full = descriptor["fullDescription"]["text"].as_str().unwrap();
        assert!(!full.is_empty() && !full.contains("##"), "{full}");
        assert!(docs.contains(full), "the `What it does` section of {rule}");
        assert_eq!(descriptor["help"]["markdown"], docs.as_str());
        assert_eq!(descriptor["help"]["text"], docs.as_str());
        let level = match rule.default_level() {
            Level::Deny => "error",
            Level::Warn => "warning",
            Level::Allow => "note",
        };
        assert_eq!(descriptor["defaultConfiguration"]["level"], level);
    }
}

#[test]
fn sarif_results_carry_rule_level_message_region_and_fix() {
    let doc = sarif(&findings(SRC), &[], SRC);
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);

    let fut = &results[0];
    assert_eq!(fut["ruleId"], "unawaited_future");
    let index = fut["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "unawaited_future");
    assert_eq!(fut["level"], "error");
    assert_eq!(
        fut["message"]["text"],
        "future returned by `work` is never awaited\nhelp: add `.await` to run it"
    );
    let location = &fut["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"],
        json!({ "uri": PATH, "uriBaseId": "%SRCROOT%" })
    );
    assert_eq!(
        location["physicalLocation"]["region"],
        region(4, 18, 4, 24),
        "code-point columns"
    );
    assert_eq!(location["message"]["text"], "this future is dropped");
    assert!(fut.get("relatedLocations").is_none());
    let fix = &fut["fixes"][0];
    assert_eq!(fix["description"]["text"], "add `.await`");
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], PATH);
    assert_eq!(
        change["replacements"],
        json!([{ "deletedRegion": region(4, 24, 4, 24), "insertedContent": { "text": ".await" } }])
    );

    let blocking = &results[1];
    assert_eq!(blocking["ruleId"], "blocking_in_async");
    assert_eq!(blocking["level"], "warning");
    assert_eq!(
        blocking["locations"][0]["physicalLocation"]["region"],
        region(5, 5, 7, 6)
    );
    assert!(blocking["locations"][0].get("message").is_none());
    assert!(blocking.get("fixes").is_none());
    let related = &blocking["relatedLocations"][0];
    assert_eq!(related["id"], 0);
    assert_eq!(related["message"]["text"], "`w` calls `work` here");
    assert_eq!(related["physicalLocation"]["region"], region(1, 1, 1, 19));
}

fn fingerprints(doc: &Value) -> Vec<String> {
    doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["unawaited/v1"]
                .as_str()
                .expect("a fingerprint")
                .to_string()
        })
        .collect()
}

#[test]
fn sarif_fingerprints_survive_code_moving_down() {
    let before = sarif(&findings(SRC), &[], SRC);
    let moved_src = format!("// one\n// two\n// three\n{SRC}");
    let after = sarif(&findings(&moved_src), &[], &moved_src);
    let line = |doc: &Value| {
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
            .clone()
    };
    assert_eq!((line(&before), line(&after)), (json!(4), json!(7)));
    let fps = fingerprints(&before);
    assert_eq!(fps, fingerprints(&after));
    assert_ne!(fps[0], fps[1]);
    // The same finding on an edited line is a different finding.
    let edited = SRC.replace("let é", "let e");
    assert_ne!(
        fingerprints(&sarif(&findings(&edited), &[], &edited))[0],
        fps[0]
    );
}

#[test]
fn sarif_fingerprints_tell_identical_lines_apart() {
    let text = "async fn run() {\n    work();\n    work();\n}\n";
    let on = |nth| Diagnostic {
        span: span_of(text, "work()", nth),
        fix: None,
        ..unawaited_call(SRC)
    };
    let fps = fingerprints(&sarif(&[on(0), on(1)], &[], text));
    assert_ne!(fps[0], fps[1]);
}

#[test]
fn sarif_uris_are_relative_percent_encoded_with_forward_slashes() {
    let at = |path: &str| Diagnostic {
        path: path.to_string(),
        notes: Vec::new(),
        ..blocking_call(SRC)
    };
    let doc = sarif(&[at("./src/my lib é.rs"), at(".//src/50%,#x.rs")], &[], SRC);
    let uri = |i: usize| {
        doc["runs"][0]["results"][i]["locations"][0]["physicalLocation"]["artifactLocation"].clone()
    };
    assert_eq!(
        uri(0),
        json!({ "uri": "src/my%20lib%20%C3%A9.rs", "uriBaseId": "%SRCROOT%" })
    );
    assert_eq!(
        uri(1),
        json!({ "uri": "src/50%25%2C%23x.rs", "uriBaseId": "%SRCROOT%" })
    );
    if cfg!(unix) {
        let doc = sarif(&[at("/tmp/a b.rs")], &[], SRC);
        assert_eq!(
            doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"],
            json!({ "uri": "file:///tmp/a%20b.rs" }),
            "an absolute path is not relative to %SRCROOT%"
        );
    }
}

#[test]
fn sarif_run_errors_are_tool_execution_notifications() {
    let clean = sarif(&findings(SRC), &[], SRC);
    assert_eq!(
        clean["runs"][0]["invocations"],
        json!([{ "executionSuccessful": true, "toolExecutionNotifications": [] }])
    );
    let failed = sarif(&findings(SRC), &[run_error()], SRC);
    let invocation = &failed["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"],
        json!([{
            "level": "error",
            "message": { "text": "cannot read: permission denied" },
            "locations": [{ "physicalLocation": { "artifactLocation": { "uri": "src/gone.rs", "uriBaseId": "%SRCROOT%" } } }],
        }])
    );
    assert_eq!(failed["runs"][0]["results"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// GitHub

#[test]
fn github_annotations_are_exact_escaped_and_drop_columns_on_multi_line_spans() {
    let out = render_to_string(
        Format::Github,
        &findings(SRC),
        &[run_error()],
        &sources(SRC),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=src/lib.rs,line=4,col=18,endLine=4,endColumn=24,title=unawaited (unawaited_future)::future returned by `work` is never awaited%0Ahelp: add `.await` to run it",
            "::warning file=src/lib.rs,line=5,endLine=7,title=unawaited (blocking_in_async)::`w` blocks: 100%25 of a core, for 1:30%0Anote: `w` calls `work` here (src/lib.rs:1:1)%0Ahelp: move it to `spawn_blocking`%0Aor make it async",
            "::error file=src/gone.rs::cannot read: permission denied",
        ]
    );
    assert!(out.ends_with('\n'));
}

#[test]
fn github_property_values_escape_commas_and_colons() {
    let diag = Diagnostic {
        path: "./src/a,b:c%\r\n.rs".to_string(),
        notes: Vec::new(),
        help: None,
        ..unawaited_call(SRC)
    };
    let out = render_to_string(Format::Github, &[diag], &[], &sources(SRC));
    assert_eq!(
        out,
        "::error file=src/a%2Cb%3Ac%25%0D%0A.rs,line=4,col=18,endLine=4,endColumn=24,title=unawaited (unawaited_future)::future returned by `work` is never awaited\n"
    );
    use unawaited::render::github::{escape_data, escape_property};
    assert_eq!(escape_data("50%, a:b\r\n"), "50%25, a:b%0D%0A");
    assert_eq!(escape_property("50%, a:b\r\n"), "50%25%2C a%3Ab%0D%0A");
}

// ---------------------------------------------------------------------------------------------
// All formats

/// A writer whose every write fails, like a closed pipe.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn write_errors_are_returned_not_panicked() {
    let diagnostics = findings(SRC);
    let errors = [run_error()];
    let sources = sources(SRC);
    let report = Report {
        diagnostics: &diagnostics,
        errors: &errors,
        notes: &[],
        files: 1,
        sources: &sources,
        root: None,
    };
    let formats = <Format as clap::ValueEnum>::value_variants();
    assert!(formats.contains(&Format::Human) && formats.contains(&Format::Json));
    for &format in formats {
        let result = render::render(format, &report, RenderOptions::default(), &mut Closed);
        assert_eq!(
            result.map_err(|e| e.kind()),
            Err(io::ErrorKind::BrokenPipe),
            "{format:?}"
        );
    }
}

/// End to end: `--format` reaches each renderer, and the engine's positions on a non-ASCII line
/// come out as character columns.
#[test]
fn the_binary_renders_each_format() {
    let lib = "async fn work() {}\npub async fn run() {\n    let é = \"ü\"; work();\n}\n";
    let dir = package(&[("src/lib.rs", lib)]);
    let output = |format: &str| {
        let out = unawaited()
            .current_dir(dir.path())
            .args(["check", "--format", format])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{format}");
        String::from_utf8(out.stdout).expect("UTF-8")
    };

    let cargo = output("cargo");
    let diags: Vec<RustcDiagnostic> = cargo
        .lines()
        .map(|l| serde_json::from_str(l).expect("a rustc diagnostic per line"))
        .collect();
    let fut = diags
        .iter()
        .find(|d| d.code.as_ref().map(|c| c.code.as_str()) == Some("unawaited::unawaited_future"))
        .expect("the unawaited call");
    let span = &fut.spans[0];
    assert_eq!(
        (span.line_start, span.column_start, span.column_end),
        (3, 18, 24)
    );
    assert_eq!(
        &lib[span.byte_start as usize..span.byte_end as usize],
        "work()"
    );

    let doc: Value = serde_json::from_str(&output("sarif")).expect("SARIF is JSON");
    let result = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "unawaited_future")
        .expect("the unawaited call");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"],
        region(3, 18, 3, 24)
    );

    let github = output("github");
    assert!(
        github.lines().any(|l| l.starts_with(
            "::error file=src/lib.rs,line=3,col=18,endLine=3,endColumn=24,title=unawaited (unawaited_future)::"
        )),
        "{github}"
    );
}
