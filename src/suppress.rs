//! Inline suppressions, applied centrally after the rules ran.
//!
//! - `// unawaited: allow(rule, ...) -- reason` at the end of a line, or alone on the line
//!   before, suppresses those rules on that line;
//! - `// unawaited: allow-file(rule, ...)` anywhere in a file suppresses them in the whole file;
//! - attributes on an enclosing item, statement or expression:
//!   `#[cfg_attr(unawaited, allow(unawaited::rule))]`, and the rustc/clippy allows, each for the
//!   forms its own lint reports ([`Form`]): `#[allow(unused_must_use)]` for a future dropped as
//!   a statement, `#[allow(clippy::let_underscore_future)]` for `let _ = fut;`,
//!   `#[allow(clippy::await_holding_lock)]` for `lock_across_await`.

use crate::diagnostic::{Applicability, Edit, Fix, Position, Span};
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
    /// The byte where the rule names start (inside the parentheses), the names as written, and
    /// their start position: for a fix that corrects a misspelt name.
    names_at: usize,
    names: String,
    names_start: Position,
}

/// A suppression comment reported as `unused_suppression`: what is wrong, and a fix if there is
/// one.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Stale {
    pub span: Span,
    pub message: String,
    pub help: String,
    pub fix: Option<Fix>,
}

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Suppressions {
    pub comments: Vec<Comment>,
    /// Comments that look like suppressions but are not in the form that works.
    malformed: Vec<Stale>,
    /// (first line, last line, rule) from attributes.
    attrs: Vec<(usize, usize, Allow)>,
}

const MARKER: &str = "unawaited:";
const NAME: &str = "unawaited";

impl Suppressions {
    pub fn collect(source: &SourceFile, ast: Option<&syn::File>) -> Suppressions {
        let mut s = Suppressions::default();
        for line_no in lines_naming_the_tool(source) {
            let line = source.line_text(line_no);
            let Some((comment_at, kind)) = comment_start(line) else {
                continue;
            };
            let line_start = line_start_byte(source, line_no);
            let at = |byte_in_line: usize| Position {
                line: line_no,
                column: line[..byte_in_line].chars().count() + 1,
                byte: line_start + byte_in_line,
            };
            let comment = &line[comment_at + 2..];
            // The comment's own end: a block comment's `*/` on this line, else the line's end.
            let comment_end = match kind {
                CommentKind::Block => comment
                    .find("*/")
                    .map_or(line.len(), |i| comment_at + 2 + i + 2),
                CommentKind::Line => line.len(),
            };
            let span = Span {
                start: at(comment_at),
                end: at(comment_end),
            };
            let code_before = !line[..comment_at].trim().is_empty();
            let lines_for = |file_level: bool| {
                if file_level {
                    None
                } else if code_before {
                    Some((line_no, line_no))
                } else {
                    Some((line_no, line_no + 1))
                }
            };
            if kind == CommentKind::Line {
                if let Some(d) = well_formed(comment) {
                    let names_at = comment_at + 2 + d.names_at;
                    let used = vec![false; d.rules.len()];
                    s.comments.push(Comment {
                        lines: lines_for(d.file_level),
                        rules: d.rules,
                        span,
                        used,
                        names_at: line_start + names_at,
                        names: line[names_at..names_at + d.names_len].to_string(),
                        names_start: at(names_at),
                    });
                    continue;
                }
            }
            let body = &line[comment_at + 2..comment_end.max(comment_at + 2)];
            let body = body.strip_suffix("*/").unwrap_or(body);
            if let Some(m) = malformed(body) {
                // The rewrite is a line comment: only where nothing follows the block comment.
                let ends_line = line[comment_end..].trim().is_empty();
                let fix = m
                    .rewrite
                    .filter(|_| ends_line)
                    .map(|(text, directive)| Fix {
                        message: format!("rewrite it as `{directive}`"),
                        applicability: Applicability::MaybeIncorrect,
                        edits: vec![Edit {
                            span: Span {
                                start: span.start,
                                end: at(line.len()),
                            },
                            text,
                        }],
                    });
                s.malformed.push(Stale {
                    span,
                    message: format!(
                        "malformed suppression comment: {}; it suppresses nothing",
                        m.why
                    ),
                    help: "write `// unawaited: allow(rule, ...) -- reason`, a line comment".into(),
                    fix,
                });
            }
        }
        if let Some(ast) = ast {
            s.collect_attrs(source, ast);
        }
        s
    }

    /// Adds the suppressions of `ast`'s attributes: the whole file's, or those of one group of
    /// its items after those of the groups before (see [`crate::source::groups`]).
    pub fn collect_attrs(&mut self, source: &SourceFile, ast: &syn::File) {
        // Only the names `rules_of_attr` reads suppress, and every attribute is written in the
        // file's text (doc comments aside): a text that names none of them has none. (A file
        // read in windows: the windows hold the lines of the group's items.)
        if !source.texts().any(may_suppress) {
            return;
        }
        let mut v = AttrVisitor {
            source,
            out: &mut self.attrs,
            depth: 0,
        };
        for attr in &ast.attrs {
            for allow in rules_of_attr(attr) {
                v.out.push((1, usize::MAX, allow));
            }
        }
        v.visit_file(ast);
    }

    /// Whether the file holds a suppression comment (well-formed or not): it may report.
    pub fn has_comments(&self) -> bool {
        !self.comments.is_empty() || !self.malformed.is_empty()
    }

    /// Whether a finding of `rule` starting on `line` is suppressed; marks the suppression used.
    pub fn suppresses(&mut self, rule: RuleId, line: usize, form: Form) -> bool {
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
            .any(|&(a, b, allow)| allow.covers(rule, form) && (a..=b).contains(&line))
    }

    /// Suppression comments that suppressed nothing, name unknown rules, or are malformed.
    pub fn unused(&self) -> Vec<Stale> {
        let mut out = self.malformed.clone();
        for c in &self.comments {
            for (i, r) in c.rules.iter().enumerate() {
                let nothing = || Stale {
                    span: c.span,
                    message: format!("suppression of `{r}` suppressed nothing"),
                    help: "remove the suppression comment".into(),
                    fix: None,
                };
                if is_all(r) {
                    if !c.used[i] {
                        out.push(nothing());
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
                        let fix = unknown.suggestion.and_then(|s| c.rename_fix(r, s));
                        out.push(Stale {
                            span: c.span,
                            message,
                            help,
                            fix,
                        });
                    }
                    Ok(_) if !c.used[i] => out.push(nothing()),
                    Ok(_) => {}
                }
            }
        }
        out
    }
}

impl Comment {
    /// A fix that writes `right` for the misspelt rule name `wrong` in the comment.
    fn rename_fix(&self, wrong: &str, right: &str) -> Option<Fix> {
        let offset = self
            .names
            .match_indices(wrong)
            .find(|(i, _)| {
                let before = self.names[..*i].chars().next_back();
                let after = self.names[i + wrong.len()..].chars().next();
                let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                !word(before) && !word(after)
            })?
            .0;
        let column = self.names_start.column + self.names[..offset].chars().count();
        let start = Position {
            line: self.names_start.line,
            column,
            byte: self.names_at + offset,
        };
        let end = Position {
            line: start.line,
            column: column + wrong.chars().count(),
            byte: start.byte + wrong.len(),
        };
        Some(Fix {
            message: format!("write `{right}`"),
            applicability: Applicability::MaybeIncorrect,
            edits: vec![Edit {
                span: Span { start, end },
                text: right.to_string(),
            }],
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CommentKind {
    Line,
    Block,
}

/// Where the line's first comment starts (`//` or `/*`) and which kind it is; doc comments
/// (`///`, `//!`, `/**`, `/*!`) document, and are not returned.
/// The lines (1-based, ascending, each once) whose text holds the tool's name in any case: only
/// they can hold a suppression comment, well-formed ([`well_formed`]) or not ([`malformed`]).
/// One scan of the text, instead of looking for a comment on every line.
fn lines_naming_the_tool(source: &SourceFile) -> Vec<usize> {
    let bytes = source.text.as_bytes();
    let mut out: Vec<usize> = Vec::new();
    for at in names_of_the_tool(bytes) {
        let line = source.position_of_byte(at).line;
        if out.last() != Some(&line) {
            out.push(line);
        }
    }
    out
}

/// Where the tool's name is written in `bytes`, in any case, in order. The search goes from
/// one `w` or `W` to the next, each read as the name's `w`: of the name's letters, `w`
/// is the rarest in code (a `u` is in every `u32`, `usize` and `pub`: about twice as many stops
/// on generated files). The name cannot overlap itself, so every place is found.
fn names_of_the_tool(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let name = NAME.as_bytes();
    // Where the name's `w` is (a name without one does not compile).
    const W_AT: usize = {
        let (name, mut at) = (NAME.as_bytes(), 0);
        while name[at] != b'w' {
            at += 1;
        }
        at
    };
    memchr::memchr2_iter(b'w', b'W', bytes).filter_map(move |w| {
        let at = w.checked_sub(W_AT)?;
        let found = bytes.get(at..at + name.len())?;
        found.eq_ignore_ascii_case(name).then_some(at)
    })
}

fn comment_start(line: &str) -> Option<(usize, CommentKind)> {
    let line_at = line.find("//");
    let block_at = line.find("/*");
    let (at, kind) = match (line_at, block_at) {
        (Some(l), Some(b)) if b < l => (b, CommentKind::Block),
        (Some(l), _) => (l, CommentKind::Line),
        (None, Some(b)) => (b, CommentKind::Block),
        (None, None) => return None,
    };
    let next = line[at + 2..].chars().next();
    let doc = match kind {
        CommentKind::Line => matches!(next, Some('/' | '!')),
        CommentKind::Block => matches!(next, Some('*' | '!')),
    };
    (!doc).then_some((at, kind))
}

/// A suppression in the form that works.
struct Directive {
    file_level: bool,
    rules: Vec<String>,
    /// Where the names start in the comment, and their length in bytes.
    names_at: usize,
    names_len: usize,
}

/// `unawaited: allow(rule, ...)` or `unawaited: allow-file(...)` anywhere in a line comment.
fn well_formed(comment: &str) -> Option<Directive> {
    let marker_at = comment.find(MARKER)?;
    let after = &comment[marker_at + MARKER.len()..];
    let rest = after.trim_start();
    let (file_level, opener) = if rest.starts_with("allow-file(") {
        (true, "allow-file(")
    } else if rest.starts_with("allow(") {
        (false, "allow(")
    } else {
        return None;
    };
    let names_at = marker_at + MARKER.len() + (after.len() - rest.len()) + opener.len();
    let close = comment[names_at..].find(')')?;
    let rules = comment[names_at..names_at + close]
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    Some(Directive {
        file_level,
        rules,
        names_at,
        names_len: close,
    })
}

/// A comment that reads as a suppression but is not in the form that works.
struct Malformed {
    why: &'static str,
    /// The comment in the right form, when what was meant is clear, and its directive alone
    /// (for the fix's message).
    rewrite: Option<(String, String)>,
}

/// `unawaited allow(x)` (no colon), `unawaited = allow(x)`, `unawaited: allow (x)`, a missing
/// `)`, `unawaited: ignore(x)`, and any of them in a block comment: the comment's text (without
/// its `//` or `/*`, `*/`) must start with `unawaited` (any case), so prose that mentions the
/// tool is not taken for a suppression.
fn malformed(body: &str) -> Option<Malformed> {
    let text = body.trim_start();
    let head = text.get(..NAME.len())?;
    if !head.eq_ignore_ascii_case(NAME) {
        return None;
    }
    let after_name = &text[NAME.len()..];
    if after_name.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let rest = after_name.trim_start();
    let (separator, rest) = match rest.chars().next() {
        Some(c @ (':' | '=')) => (Some(c), rest[1..].trim_start()),
        _ => (None, rest),
    };
    let word_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let word = &rest[..word_len];
    let after_word = rest[word_len..].trim_start();
    let kind = match word.to_ascii_lowercase().as_str() {
        "allow" => "allow",
        "allow-file" | "allow_file" => "allow-file",
        // `unawaited: ignore(x)`, `unawaited: disable(x)`: a directive we do not have, said
        // with the colon and parentheses of ours.
        _ if separator == Some(':') && after_word.starts_with('(') && !word.is_empty() => "allow",
        _ => return None,
    };
    let why = if word != kind && kind == "allow" && !word.eq_ignore_ascii_case("allow") {
        "unknown directive (the directives are `allow` and `allow-file`)"
    } else if separator != Some(':') {
        "`unawaited` must be followed by a colon"
    } else if !rest.starts_with(&format!("{kind}(")) {
        "the rules must follow in parentheses, as `allow(rule)`"
    } else {
        "a suppression is a line comment"
    };
    let Some(names) = after_word.strip_prefix('(') else {
        return Some(Malformed { why, rewrite: None });
    };
    let Some(close) = names.find(')') else {
        return Some(Malformed {
            why: "the list of rules is not closed with `)`",
            rewrite: None,
        });
    };
    let rules: Vec<&str> = names[..close]
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .collect();
    if rules.is_empty() {
        return Some(Malformed { why, rewrite: None });
    }
    let reason = names[close + 1..].trim_end();
    let directive = format!("// {MARKER} {kind}({})", rules.join(", "));
    Some(Malformed {
        why,
        rewrite: Some((format!("{directive}{reason}"), directive)),
    })
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

/// What form a finding takes, for the foreign lints that cover one form only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Form {
    /// `expr;` (rustc's `unused_must_use`).
    Statement,
    /// `let _ = expr;` (clippy's `let_underscore_future`).
    LetUnderscore,
    /// Any other.
    Other,
}

impl Form {
    /// The form of the finding a fact gives.
    pub fn of(fact: &crate::analysis::facts::Fact) -> Form {
        use crate::analysis::facts::{DropHow, FactKind};
        match &fact.kind {
            FactKind::Dropped {
                how: DropHow::Statement,
                ..
            } => Form::Statement,
            FactKind::Dropped {
                how: DropHow::LetUnderscore,
                ..
            } => Form::LetUnderscore,
            _ => Form::Other,
        }
    }
}

/// A rule an attribute allows, in every form or in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Allow {
    pub rule: RuleId,
    pub only: Option<Form>,
}

impl Allow {
    fn any(rule: RuleId) -> Allow {
        Allow { rule, only: None }
    }

    fn only(rule: RuleId, form: Form) -> Allow {
        Allow {
            rule,
            only: Some(form),
        }
    }

    fn covers(self, rule: RuleId, form: Form) -> bool {
        self.rule == rule && self.only.is_none_or(|f| f == form)
    }
}

/// The rules an attribute allows.
pub fn rules_of_attr(attr: &syn::Attribute) -> Vec<Allow> {
    let mut out = Vec::new();
    let path = &attr.path();
    // The name first: `require_list` builds an error (its message formatted) for every
    // attribute that is not a list, doc comments included.
    if !(path.is_ident("allow") || path.is_ident("expect") || path.is_ident("cfg_attr")) {
        return out;
    }
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
                // Each foreign lint covers the forms it reports, no more.
                ["unused_must_use"] => {
                    out.push(Allow::only(RuleId::UnawaitedFuture, Form::Statement))
                }
                ["clippy", "let_underscore_future"] => {
                    out.push(Allow::only(RuleId::UnawaitedFuture, Form::LetUnderscore))
                }
                ["clippy", "await_holding_lock"] => out.push(Allow::any(RuleId::LockAcrossAwait)),
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
                                out.push(Allow::any(r));
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
    out: &'a mut Vec<(usize, usize, Allow)>,
    /// Macro bodies entered (bounded: a body can hold another macro).
    depth: usize,
}

/// Whether tokens hold an attribute that may suppress (`#[allow(..)]`, `#[expect(..)]`,
/// `#[cfg_attr(..)]`), at any depth.
fn has_attribute(tokens: &proc_macro2::TokenStream) -> bool {
    use proc_macro2::{Delimiter, TokenTree};
    let mut after_hash = false;
    for tt in tokens.clone() {
        match tt {
            TokenTree::Group(g) if after_hash && g.delimiter() == Delimiter::Bracket => {
                // Only these can suppress (see [`rules_of_attr`]); doc comments, the bulk of
                // the attributes in item macros, cannot.
                let first = g.stream().into_iter().next();
                if let Some(TokenTree::Ident(name)) = first {
                    if name == "allow" || name == "expect" || name == "cfg_attr" {
                        return true;
                    }
                }
                after_hash = false;
            }
            TokenTree::Group(g) => {
                if has_attribute(&g.stream()) {
                    return true;
                }
                after_hash = false;
            }
            TokenTree::Punct(p) => after_hash = p.as_char() == '#',
            _ => after_hash = false,
        }
    }
    false
}

/// Whether the text of a macro call's body names a lint or tool an attribute can suppress
/// with ([`may_suppress`]): a cheap test before [`has_attribute`], which copies the tokens
/// (every identifier allocated).
/// A body whose place in the text is not known is read as the tokens say.
fn text_may_suppress(source: &SourceFile, m: &syn::Macro) -> bool {
    let span = m.delimiter.span();
    let start = source.position(span.open().start()).byte;
    let end = source.position(span.close().end()).byte;
    match source.text.get(start..end) {
        Some(body) if start < end => may_suppress(body),
        _ => true,
    }
}

/// Whether a text names anywhere (comments and strings too) one of the names without which
/// [`rules_of_attr`] gives nothing: the lints it maps (`unused_must_use`,
/// `clippy::let_underscore_future`, `clippy::await_holding_lock`) and the tool's own name (of
/// `cfg_attr(unawaited, allow(unawaited::rule))`). `allow`, `expect` and `cfg_attr` are in
/// most files (320 of tokio's 573); these names in few (2 of 573): the others' trees are not
/// visited.
fn may_suppress(text: &str) -> bool {
    // Built once: a searcher's set-up was a tenth of the search's cost over a run's files.
    static WORDS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 4]> =
        std::sync::LazyLock::new(|| {
            [
                NAME,
                "unused_must_use",
                "let_underscore_future",
                "await_holding_lock",
            ]
            .map(memchr::memmem::Finder::new)
        });
    WORDS.iter().any(|w| w.find(text.as_bytes()).is_some())
}

impl AttrVisitor<'_> {
    /// Records the rules `attrs` allow over `node`'s lines. The node's span is computed only
    /// when an attribute matters: it re-tokenises the node.
    fn record(&mut self, attrs: &[syn::Attribute], node: &dyn Spanned) {
        if attrs.is_empty() {
            return;
        }
        let allows: Vec<Allow> = attrs.iter().flat_map(rules_of_attr).collect();
        if allows.is_empty() {
            return;
        }
        let s = self.source.span(node.span());
        for a in allows {
            self.out.push((s.start.line, s.end.line, a));
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
    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        self.record(&m.attrs, m);
        syn::visit::visit_stmt_macro(self, m);
    }
    /// Inside a macro call, the attributes of the code the lowering reads there (a statement in
    /// a `select!` arm): its body is parsed again only when its tokens hold an attribute.
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if self.depth < 64 && text_may_suppress(self.source, m) && has_attribute(&m.tokens) {
            self.depth += 1;
            for stmt in crate::lower::body_syntax(m) {
                self.visit_stmt(&stmt);
            }
            self.depth -= 1;
        }
        syn::visit::visit_macro(self, m);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The name found from its `w` is where a search from every byte finds it, in any case,
    /// at the text's ends, next to itself and next to pieces of itself.
    #[test]
    fn the_name_is_found_where_a_byte_by_byte_search_finds_it() {
        let every_byte = |b: &[u8]| -> Vec<usize> {
            (0..b.len())
                .filter(|&i| {
                    b.get(i..i + NAME.len())
                        .is_some_and(|s| s.eq_ignore_ascii_case(NAME.as_bytes()))
                })
                .collect()
        };
        for text in [
            "",
            "unawaited",
            "unaw",
            "awaited",
            "// unawaited: allow(x)",
            "UNAWAITED UnAwAiTeD unawaitedunawaited",
            "ununawaited unaunawaited wunawaitedw www",
            "let w = 1; // unawaited:allow\nfn unawaite() {}\n/* Unawaited */",
            "\u{e9}unawaited\u{e9} u32 usize pub",
        ] {
            let bytes = text.as_bytes();
            let found: Vec<usize> = names_of_the_tool(bytes).collect();
            assert_eq!(found, every_byte(bytes), "{text:?}");
        }
    }

    fn rewrite(body: &str) -> Option<String> {
        malformed(body)
            .and_then(|m| m.rewrite)
            .map(|(text, _)| text)
    }

    #[test]
    fn malformed_comments_and_their_rewrites() {
        for (body, want) in [
            (
                " unawaited allow(a, b) -- why",
                Some("// unawaited: allow(a, b) -- why"),
            ),
            (" unawaited: allow(a) ", Some("// unawaited: allow(a)")),
            (
                " Unawaited = allow-file(a)",
                Some("// unawaited: allow-file(a)"),
            ),
            (" unawaited: allow (a)", Some("// unawaited: allow(a)")),
            (" unawaited: ignore(a)", Some("// unawaited: allow(a)")),
            (" unawaited: allow(a", None),
            (" unawaited allow a", None),
        ] {
            assert!(malformed(body).is_some(), "{body}");
            assert_eq!(rewrite(body).as_deref(), want, "{body}");
        }
        for prose in [
            " unawaited is a linter; allow(x) is a call",
            " see unawaited's docs",
            " unawaited_future: allow(x)",
            " the unawaited: allow(x) form",
            " unawaited: it allows nothing",
        ] {
            assert!(malformed(prose).is_none(), "{prose}");
        }
    }

    /// A text [`may_suppress`] passes over has no attribute that suppresses: the visit of
    /// every file of the fixtures and of `src/` that parses, run whatever the text names.
    #[test]
    fn the_text_test_skips_only_files_whose_attributes_suppress_nothing() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut skipped, mut found) = (0, 0);
        for dir in ["fixtures", "src", "tests"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                let path = entry.path();
                if path.extension().is_none_or(|x| x != "rs") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    continue;
                };
                let source = SourceFile::new("a.rs".into(), text);
                let Ok(ast) = crate::source::parse(&source) else {
                    continue;
                };
                let mut attrs = Vec::new();
                let mut v = AttrVisitor {
                    source: &source,
                    out: &mut attrs,
                    depth: 0,
                };
                for attr in &ast.attrs {
                    for allow in rules_of_attr(attr) {
                        v.out.push((1, usize::MAX, allow));
                    }
                }
                v.visit_file(&ast);
                proc_macro2::extra::invalidate_current_thread_spans();
                if !may_suppress(&source.text) {
                    skipped += 1;
                    assert!(attrs.is_empty(), "{}: {attrs:?}", path.display());
                }
                found += usize::from(!attrs.is_empty());
            }
        }
        assert!(
            skipped > 100 && found > 0,
            "{skipped} skipped, {found} with suppressions"
        );
    }

    fn collected(text: &str) -> Suppressions {
        let source = SourceFile::new("a.rs".to_string(), text.to_string());
        Suppressions::collect(&source, None)
    }

    #[test]
    fn a_block_comment_is_rewritten_only_where_it_ends_the_line() {
        let s = collected(
            "fn a() {
    /* unawaited: allow(x) */
    b(); /* unawaited: allow(x) */ c();
}
",
        );
        let stale = s.unused();
        assert_eq!(stale.len(), 2, "{stale:?}");
        let fix = stale[0].fix.as_ref().expect("the first ends its line");
        assert_eq!(fix.edits[0].text, "// unawaited: allow(x)");
        assert_eq!(fix.edits[0].span.start.column, 5);
        assert!(stale[1].fix.is_none(), "code follows the second");
        assert!(s.comments.is_empty());
    }
}
