//! Findings as LSP diagnostics: severity from the level, `code` the rule, `source` unawaited,
//! the notes (the `.await` a guard is held across, steps of a call chain) as related
//! information.

use super::documents::{Encoding, LineIndex};
use super::settings::Settings;
use crate::diagnostic::{Diagnostic, Level, Span};
use crate::rule_id::RuleId;
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location,
    NumberOrString, Url,
};

pub const SOURCE: &str = "unawaited";

/// Where a note's file is: its URI and text (`None` when it cannot be read).
pub type NoteFiles<'a> = dyn Fn(&str) -> Option<(Url, String)> + 'a;

pub fn to_lsp(
    d: &Diagnostic,
    uri: &Url,
    text: &str,
    encoding: Encoding,
    settings: &Settings,
    note_files: &NoteFiles,
) -> lsp_types::Diagnostic {
    let index = LineIndex::new(text);
    let range = |span: &Span, index: &LineIndex, text: &str| {
        index.range(text, span.start.byte, span.end.byte, encoding)
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .notes
        .iter()
        .filter_map(|note| {
            let location = match &note.path {
                None => Location::new(uri.clone(), range(&note.span, &index, text)),
                Some(path) => {
                    let (uri, text) = note_files(path)?;
                    let index = LineIndex::new(&text);
                    Location::new(uri, range(&note.span, &index, &text))
                }
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: note.message.clone(),
            })
        })
        .collect();
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    lsp_types::Diagnostic {
        range: range(&d.span, &index, text),
        severity: Some(match d.level {
            Level::Deny => DiagnosticSeverity::ERROR,
            Level::Warn | Level::Allow => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.rule.name().into())),
        code_description: settings
            .docs_link(d.rule)
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        // A suppression that suppresses nothing is unnecessary code, which editors fade; no
        // other finding is about unneeded or deprecated code.
        tags: (d.rule == RuleId::UnusedSuppression).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Note, Position};

    fn span(text: &str, needle: &str) -> Span {
        let at = |byte: usize| Position {
            line: 0,
            column: 0,
            byte,
        };
        let start = text.find(needle).unwrap();
        Span {
            start: at(start),
            end: at(start + needle.len()),
        }
    }

    #[test]
    fn a_finding_with_notes_becomes_a_diagnostic_with_related_information() {
        let text = "async fn a() {\n    let g = m.lock().unwrap(); // ü\n    x().await;\n}\n";
        let other = "fn helper() {\n    sleep();\n}\n";
        let uri = Url::parse("file:///w/src/a.rs").unwrap();
        let other_uri = Url::parse("file:///w/src/b.rs").unwrap();
        let d = Diagnostic {
            rule: RuleId::LockAcrossAwait,
            level: Level::Warn,
            path: "/w/src/a.rs".into(),
            span: span(text, "m.lock().unwrap()"),
            message: "a lock guard is held across an await".into(),
            label: None,
            help: Some("drop the guard before awaiting".into()),
            notes: vec![
                Note {
                    path: None,
                    span: span(text, "x().await"),
                    message: "awaited here".into(),
                },
                Note {
                    path: Some("src/b.rs".into()),
                    span: span(other, "sleep()"),
                    message: "blocks here".into(),
                },
                Note {
                    path: Some("gone.rs".into()),
                    span: span(other, "sleep()"),
                    message: "unreadable".into(),
                },
            ],
            fix: None,
            provenance: None,
            in_test: false,
        };
        let files = |p: &str| (p == "src/b.rs").then(|| (other_uri.clone(), other.to_string()));
        let l = to_lsp(
            &d,
            &uri,
            text,
            Encoding::Utf16,
            &Settings::default(),
            &files,
        );
        assert_eq!(l.severity, Some(DiagnosticSeverity::WARNING));
        assert_eq!(
            l.code,
            Some(NumberOrString::String("lock_across_await".into()))
        );
        assert_eq!(l.source.as_deref(), Some("unawaited"));
        assert_eq!(
            l.message,
            "a lock guard is held across an await\nhelp: drop the guard before awaiting"
        );
        assert_eq!((l.range.start.line, l.range.start.character), (1, 12));
        assert_eq!((l.range.end.line, l.range.end.character), (1, 29));
        assert!(l.code_description.is_none() && l.tags.is_none());
        let related = l.related_information.unwrap();
        assert_eq!(related.len(), 2);
        assert_eq!(related[0].location.uri, uri);
        assert_eq!(
            related[0].location.range.start,
            lsp_types::Position::new(2, 4)
        );
        assert_eq!(related[1].location.uri, other_uri);
        assert_eq!(
            related[1].location.range.start,
            lsp_types::Position::new(1, 4)
        );
    }
}
