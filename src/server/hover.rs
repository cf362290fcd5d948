//! Hover on a finding: the rule's documentation, as `unawaited explain` prints it.

use super::state::Checked;
use crate::rule_id::RuleId;
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

/// The documentation of the rules whose findings cover `byte` (ends included, so the cursor
/// just after a finding still shows it).
pub fn hover(checked: &Checked, byte: usize) -> Option<Hover> {
    let mut rules: Vec<(RuleId, &str)> = Vec::new();
    let mut range = None;
    for (d, lsp) in checked.diagnostics.iter().zip(&checked.lsp) {
        if d.span.start.byte <= byte && byte <= d.span.end.byte {
            if !rules.iter().any(|(r, _)| *r == d.rule) {
                rules.push((d.rule, d.level.as_str()));
            }
            range.get_or_insert(lsp.range);
        }
    }
    if rules.is_empty() {
        return None;
    }
    let value = rules
        .iter()
        .map(|(rule, level)| format!("**unawaited: `{rule}`** ({level})\n\n{}", rule.docs().text))
        .collect::<Vec<_>>()
        .join("\n---\n\n");
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range,
    })
}
