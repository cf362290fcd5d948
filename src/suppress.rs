//! Inline suppressions, applied centrally after the rules ran.
//!
//! - `// unawaited: allow(rule, ...) -- reason` at the end of a line, or alone on the line
//!   before, suppresses those rules on that line;
//! - `// unawaited: allow-file(rule, ...)` anywhere in a file suppresses them in the whole file;
//! - attributes on an enclosing item, statement or expression:
//!   `#[cfg_attr(unawaited, allow(unawaited::rule))]`, and the rustc/clippy allows that mean the
//!   same thing: `#[allow(unused_must_use)]` and `#[allow(clippy::let_underscore_future)]` for
//!   `unawaited_future`, `#[allow(clippy::await_holding_lock)]` for `lock_across_await`.

use crate::diagnostic::{Position, Span};
use crate::index::types::path_segments;
use crate::rule_id::RuleId;
use crate::source::SourceFile;
use syn::spanned::Spanned;
use syn::visit::Visit;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Comment {
    /// Lines it applies to (inclusive); `None` for the whole file.
    pub lines: Option<(usize, usize)>,
    pub rules: Vec<String>,
    pub span: Span,
    pub used: Vec<bool>,
}

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Suppressions {
    pub comments: Vec<Comment>,
    /// (first line, last line, rule) from attributes.
    attrs: Vec<(usize, usize, RuleId)>,
}

const MARKER: &str = "unawaited:";

impl Suppressions {
    pub fn collect(source: &SourceFile, ast: Option<&syn::File>) -> Suppressions {
        let mut s = Suppressions::default();
        for line_no in 1..=source.line_count() {
            let line = source.line_text(line_no);
            let Some(comment_at) = line.find("//") else {
                continue;
            };
            let comment = &line[comment_at + 2..];
            // Doc comments document; only plain comments suppress.
            if comment.starts_with('/') || comment.starts_with('!') {
                continue;
            }
            let Some(marker_at) = comment.find(MARKER) else {
                continue;
            };
            let rest = comment[marker_at + MARKER.len()..].trim_start();
            let (file_level, rest) = if let Some(r) = rest.strip_prefix("allow-file(") {
                (true, r)
            } else if let Some(r) = rest.strip_prefix("allow(") {
                (false, r)
            } else {
                continue;
            };
            let Some(close) = rest.find(')') else {
                continue;
            };
            let rules: Vec<String> = rest[..close]
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect();
            let code_before = !line[..comment_at].trim().is_empty();
            let lines = if file_level {
                None
            } else if code_before {
                Some((line_no, line_no))
            } else {
                Some((line_no, line_no + 1))
            };
            let start_col = line[..comment_at].chars().count() + 1;
            let line_start = line_start_byte(source, line_no);
            let span = Span {
                start: Position {
                    line: line_no,
                    column: start_col,
                    byte: line_start + comment_at,
                },
                end: Position {
                    line: line_no,
                    column: line.chars().count() + 1,
                    byte: line_start + line.len(),
                },
            };
            let used = vec![false; rules.len()];
            s.comments.push(Comment {
                lines,
                rules,
                span,
                used,
            });
        }
        if let Some(ast) = ast {
            let mut v = AttrVisitor {
                source,
                out: &mut s.attrs,
            };
            for attr in &ast.attrs {
                for rule in rules_of_attr(attr) {
                    v.out.push((1, usize::MAX, rule));
                }
            }
            v.visit_file(ast);
        }
        s
    }

    /// Whether a finding of `rule` starting on `line` is suppressed; marks the suppression used.
    pub fn suppresses(&mut self, rule: RuleId, line: usize) -> bool {
        let mut hit = false;
        for c in &mut self.comments {
            let applies = match c.lines {
                None => true,
                Some((a, b)) => (a..=b).contains(&line),
            };
            if !applies {
                continue;
            }
            for (i, r) in c.rules.iter().enumerate() {
                if names(r, rule) {
                    c.used[i] = true;
                    hit = true;
                }
            }
        }
        hit || self
            .attrs
            .iter()
            .any(|&(a, b, r)| r == rule && (a..=b).contains(&line))
    }

    /// Suppression comments that suppressed nothing, or name unknown rules: (span, message,
    /// help).
    pub fn unused(&self) -> Vec<(Span, String, String)> {
        let mut out = Vec::new();
        for c in &self.comments {
            for (i, r) in c.rules.iter().enumerate() {
                if is_all(r) {
                    if !c.used[i] {
                        out.push((
                            c.span,
                            format!("suppression of `{r}` suppressed nothing"),
                            "remove the suppression comment".into(),
                        ));
                    }
                    continue;
                }
                match crate::rule_id::rules_named(r) {
                    Err(unknown) => {
                        let help = match unknown.suggestion {
                            Some(s) => format!("write `{s}`"),
                            None => "see `unawaited rules` for the rule names".into(),
                        };
                        let mean = unknown
                            .suggestion
                            .map(|s| format!(", did you mean `{s}`"))
                            .unwrap_or_default();
                        let message = format!("suppression names an unknown rule `{r}`{mean}");
                        out.push((c.span, message, help));
                    }
                    Ok(_) if !c.used[i] => out.push((
                        c.span,
                        format!("suppression of `{r}` suppressed nothing"),
                        "remove the suppression comment".into(),
                    )),
                    Ok(_) => {}
                }
            }
        }
        out
    }
}

/// `all` (and ruff's `ALL`): every rule.
fn is_all(name: &str) -> bool {
    name == "all" || name == crate::rule_id::ALL_RULES
}

/// Whether a name written in a suppression stands for `rule`, in any of its spellings.
fn names(written: &str, rule: RuleId) -> bool {
    is_all(written) || RuleId::from_name(written) == Some(rule)
}

fn line_start_byte(source: &SourceFile, line: usize) -> usize {
    // The byte of column 1 on `line`.
    let mut byte = 0;
    for (i, l) in source.text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return byte;
        }
        byte += l.len();
    }
    byte
}

/// The rules an attribute allows.
pub fn rules_of_attr(attr: &syn::Attribute) -> Vec<RuleId> {
    let mut out = Vec::new();
    let path = &attr.path();
    let Ok(list) = attr.meta.require_list() else {
        return out;
    };
    if path.is_ident("allow") || path.is_ident("expect") {
        let _ = list.parse_nested_meta(|meta| {
            let segs: Vec<String> = path_segments(&meta.path);
            match segs
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice()
            {
                ["unused_must_use"] | ["clippy", "let_underscore_future"] => {
                    out.push(RuleId::UnawaitedFuture)
                }
                ["clippy", "await_holding_lock"] => out.push(RuleId::LockAcrossAwait),
                _ => {}
            }
            Ok(())
        });
    } else if path.is_ident("cfg_attr") {
        // #[cfg_attr(unawaited, allow(unawaited::rule, ...))]
        let mut is_ours = false;
        let _ = list.parse_nested_meta(|meta| {
            if meta.path.is_ident("unawaited") {
                is_ours = true;
            } else if is_ours && meta.path.is_ident("allow") {
                meta.parse_nested_meta(|inner| {
                    let segs: Vec<String> = path_segments(&inner.path);
                    if let [tool, name] = segs.as_slice() {
                        if tool == "unawaited" {
                            if let Some(r) = RuleId::from_name(name) {
                                out.push(r);
                            }
                        }
                    }
                    Ok(())
                })?;
            }
            Ok(())
        });
    }
    out
}

struct AttrVisitor<'a> {
    source: &'a SourceFile,
    out: &'a mut Vec<(usize, usize, RuleId)>,
}

impl AttrVisitor<'_> {
    /// Records the rules `attrs` allow over `node`'s lines. The node's span is computed only
    /// when an attribute matters: it re-tokenises the node.
    fn record(&mut self, attrs: &[syn::Attribute], node: &dyn Spanned) {
        if attrs.is_empty() {
            return;
        }
        let rules: Vec<RuleId> = attrs.iter().flat_map(rules_of_attr).collect();
        if rules.is_empty() {
            return;
        }
        let s = self.source.span(node.span());
        for r in rules {
            self.out.push((s.start.line, s.end.line, r));
        }
    }
}

impl<'ast> Visit<'ast> for AttrVisitor<'_> {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match i {
            syn::Item::Fn(x) => &x.attrs,
            syn::Item::Impl(x) => &x.attrs,
            syn::Item::Mod(x) => &x.attrs,
            syn::Item::Trait(x) => &x.attrs,
            syn::Item::Const(x) => &x.attrs,
            syn::Item::Static(x) => &x.attrs,
            _ => &[],
        };
        self.record(attrs, i);
        syn::visit::visit_item(self, i);
    }
    fn visit_impl_item_fn(&mut self, i: &'ast syn::ImplItemFn) {
        self.record(&i.attrs, i);
        syn::visit::visit_impl_item_fn(self, i);
    }
    fn visit_trait_item_fn(&mut self, i: &'ast syn::TraitItemFn) {
        self.record(&i.attrs, i);
        syn::visit::visit_trait_item_fn(self, i);
    }
    fn visit_local(&mut self, i: &'ast syn::Local) {
        self.record(&i.attrs, i);
        syn::visit::visit_local(self, i);
    }
    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        let attrs: &[syn::Attribute] = match e {
            syn::Expr::Call(x) => &x.attrs,
            syn::Expr::MethodCall(x) => &x.attrs,
            syn::Expr::Block(x) => &x.attrs,
            syn::Expr::Async(x) => &x.attrs,
            syn::Expr::Closure(x) => &x.attrs,
            syn::Expr::Macro(x) => &x.attrs,
            _ => &[],
        };
        self.record(attrs, e);
        syn::visit::visit_expr(self, e);
    }
}
