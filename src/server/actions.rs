//! Code actions on findings: the fix (safe fixes preferred, unsafe ones labelled), a suppression
//! comment with a reason to fill in, and `source.fixAll.unawaited` (every safe fix of the file).
//! The server never writes a file: it hands the client workspace edits to apply.

use super::documents::{Encoding, LineIndex};
use super::state::Checked;
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::rule_id::RuleId;
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
        let edits = safe_edits(&checked.diagnostics, text);
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

/// The edits of every safe fix, in order; a fix is taken whole or not at all, as `--fix` takes
/// them ([`crate::fix::choose_fixes`]).
fn safe_edits(diagnostics: &[Diagnostic], text: &str) -> Vec<Edit> {
    let fixes: Vec<&crate::diagnostic::Fix> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| crate::fix::applies(f, false))
        .collect();
    let chosen = crate::fix::choose_fixes(text, &fixes);
    let mut edits: Vec<Edit> = fixes
        .iter()
        .zip(chosen)
        .filter(|(_, taken)| *taken)
        .flat_map(|(f, _)| f.edits.iter().cloned())
        .collect();
    edits.sort_by_key(|e| (e.span.start.byte, e.span.end.byte));
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Fix, Level, Position, Span};

    fn at(byte: usize) -> Span {
        let p = Position {
            line: 1,
            column: byte + 1,
            byte,
        };
        Span { start: p, end: p }
    }

    fn finding(rule: RuleId, byte: usize, applicability: Applicability) -> Diagnostic {
        Diagnostic {
            rule,
            level: Level::Deny,
            path: "a.rs".into(),
            span: at(byte),
            message: "m".into(),
            label: None,
            help: None,
            notes: Vec::new(),
            fix: Some(Fix {
                message: "add `.await`".into(),
                applicability,
                edits: vec![Edit {
                    span: at(byte),
                    text: ".await".into(),
                }],
            }),
            provenance: None,
            in_test: false,
        }
    }

    fn checked(diagnostics: Vec<Diagnostic>) -> Checked {
        let lsp = diagnostics
            .iter()
            .map(|d| lsp_types::Diagnostic {
                range: Range::new(
                    lsp_types::Position::new(0, d.span.start.byte as u32),
                    lsp_types::Position::new(0, d.span.end.byte as u32),
                ),
                ..lsp_types::Diagnostic::default()
            })
            .collect();
        Checked {
            version: 1,
            text: "\tf(); g(); h();\n".into(),
            diagnostics,
            lsp,
        }
    }

    fn titles(actions: &[CodeActionOrCommand]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a.title.clone(),
                CodeActionOrCommand::Command(c) => c.title.clone(),
            })
            .collect()
    }

    #[test]
    fn unsafe_fixes_are_labelled_and_fix_all_takes_only_safe_ones() {
        let uri = Url::parse("file:///w/a.rs").unwrap();
        let c = checked(vec![
            finding(RuleId::UnawaitedFuture, 4, Applicability::MachineApplicable),
            finding(RuleId::UnawaitedFuture, 9, Applicability::MaybeIncorrect),
            finding(RuleId::ParseError, 14, Applicability::MachineApplicable),
        ]);
        let everywhere = Range::new(
            lsp_types::Position::new(0, 0),
            lsp_types::Position::new(0, 20),
        );
        let all = code_actions(&uri, &c, everywhere, None, Encoding::Utf16);
        assert_eq!(
            titles(&all),
            [
                "add `.await`",
                "suppress `unawaited_future` on this line",
                "add `.await` (unsafe fix: check the result)",
                "suppress `unawaited_future` on this line",
                "add `.await`",
                "fix every safe unawaited finding in the file",
            ]
        );
        let CodeActionOrCommand::CodeAction(suppress) = &all[1] else {
            panic!("an action")
        };
        let edits = &suppress.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
        assert_eq!(
            edits[0].new_text,
            "\t// unawaited: allow(unawaited_future) -- TODO: say why\n"
        );
        let only_fix_all = [CodeActionKind::SOURCE_FIX_ALL];
        let fix_all = code_actions(&uri, &c, everywhere, Some(&only_fix_all), Encoding::Utf16);
        let CodeActionOrCommand::CodeAction(fix_all) = &fix_all[0] else {
            panic!("an action")
        };
        let edits = &fix_all.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
        let at: Vec<u32> = edits.iter().map(|e| e.range.start.character).collect();
        assert_eq!(at, [4, 14], "the unsafe fix is left out");
        let only_quickfix = [CodeActionKind::QUICKFIX];
        let narrow = Range::new(
            lsp_types::Position::new(0, 9),
            lsp_types::Position::new(0, 9),
        );
        let quick = code_actions(&uri, &c, narrow, Some(&only_quickfix), Encoding::Utf16);
        assert_eq!(quick.len(), 2, "{:?}", titles(&quick));
    }
}
