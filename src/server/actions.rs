//! Code actions on findings: the fix (safe fixes preferred, unsafe ones labelled), a suppression
//! comment with a reason to fill in, and `source.fixAll.unawaited` (every safe fix of the file).
//! The server never writes a file: it hands the client workspace edits to apply.

use super::checker::Checked;
use super::documents::{Encoding, LineIndex};
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::rules::RuleId;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Url, WorkspaceEdit,
};
use std::collections::HashMap;

pub const FIX_ALL: &str = "source.fixAll.unawaited";

/// The actions for `range` of a checked document, filtered by the kinds the client asked for.
pub fn code_actions(
    uri: &Url,
    checked: &Checked,
    range: Range,
    only: Option<&[CodeActionKind]>,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let wants = |kind: &str| {
        only.is_none_or(|only| {
            only.iter()
                .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str())))
        })
    };
    let text = checked.text.as_str();
    let index = LineIndex::new(text);
    let edit_of = |edits: &[Edit]| -> WorkspaceEdit {
        let edits = edits
            .iter()
            .map(|e| TextEdit {
                range: index.range(text, e.span.start.byte, e.span.end.byte, encoding),
                new_text: e.text.clone(),
            })
            .collect();
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    };
    let mut actions = Vec::new();
    if wants(CodeActionKind::QUICKFIX.as_str()) {
        for (d, lsp) in checked.diagnostics.iter().zip(&checked.lsp) {
            if !overlaps(lsp.range, range) {
                continue;
            }
            if let Some(fix) = &d.fix {
                let safe = fix.applicability == Applicability::MachineApplicable;
                let title = if safe {
                    fix.message.clone()
                } else {
                    format!("{} (unsafe fix: check the result)", fix.message)
                };
                actions.push(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp.clone()]),
                    edit: Some(edit_of(&fix.edits)),
                    is_preferred: Some(safe),
                    ..CodeAction::default()
                });
            }
            if let Some(edit) = suppression(d, text) {
                actions.push(CodeAction {
                    title: format!("suppress `{}` on this line", d.rule),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp.clone()]),
                    edit: Some(edit_of(&[edit])),
                    is_preferred: Some(false),
                    ..CodeAction::default()
                });
            }
        }
    }
    if wants(FIX_ALL) {
        let edits = safe_edits(&checked.diagnostics);
        if !edits.is_empty() {
            actions.push(CodeAction {
                title: "fix every safe unawaited finding in the file".into(),
                kind: Some(CodeActionKind::new(FIX_ALL)),
                edit: Some(edit_of(&edits)),
                ..CodeAction::default()
            });
        }
    }
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// `// unawaited: allow(rule) -- reason`, alone on a line above the finding, indented as the
/// finding's line. Findings about the file itself (it does not parse, a suppression that
/// suppresses nothing) have none.
fn suppression(d: &Diagnostic, text: &str) -> Option<Edit> {
    if matches!(d.rule, RuleId::ParseError | RuleId::UnusedSuppression) {
        return None;
    }
    let start = d.span.start.byte.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let at = crate::diagnostic::Position {
        line: d.span.start.line,
        column: 1,
        byte: line_start,
    };
    Some(Edit {
        span: crate::diagnostic::Span { start: at, end: at },
        text: format!("{indent}// unawaited: allow({}) -- TODO: say why\n", d.rule),
    })
}

/// The machine-applicable edits of every finding, in order, without overlaps.
fn safe_edits(diagnostics: &[Diagnostic]) -> Vec<Edit> {
    let mut edits: Vec<Edit> = crate::fix::edits_by_file(diagnostics)
        .into_values()
        .flatten()
        .collect();
    edits.sort_by_key(|e| (e.span.start.byte, e.span.end.byte));
    edits.dedup();
    let mut end = 0;
    edits.retain(|e| {
        let keep = e.span.start.byte >= end;
        if keep {
            end = e.span.end.byte;
        }
        keep
    });
    edits
}
