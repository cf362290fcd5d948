//! Stage 6, judge: the rules read each reported file's facts (its own and those its calls bring
//! from the call graph), then levels (command line, configuration, `per-file-ignores`) and
//! inline suppressions decide what is shown.

use super::plan::TargetFile;
use super::walk::{read_text, Walked};
use crate::analysis::facts::Fact;
use crate::config::LevelFlags;
use crate::diagnostic::{Diagnostic, Level, RunError, Span};
use crate::rule_id::RuleId;
use crate::rules::Finding;

/// What one reported file gives.
#[derive(Default)]
pub(super) struct FileResult {
    pub diagnostics: Vec<Diagnostic>,
    pub error: Option<RunError>,
    /// The file's text, when it has diagnostics.
    pub text: Option<String>,
    /// No target of the file's package compiles it: nothing is reported.
    pub uncompiled: bool,
}

/// Applies the rules, levels and suppressions to a file's facts.
pub(super) fn judge(
    t: &TargetFile,
    w: Walked,
    indirect: Vec<Fact>,
    flags: &LevelFlags,
) -> FileResult {
    if let Some(error) = w.error {
        return FileResult {
            error: Some(error),
            ..FileResult::default()
        };
    }
    let config = t.config.as_deref();
    // `per-file-ignores` applies last, over the command line's levels (as in ruff).
    let off = config.map(|c| c.ignored_rules(&t.path)).unwrap_or_default();
    let level = |rule: RuleId| {
        if off.contains(&rule) {
            Level::Allow
        } else {
            flags.level(rule, config)
        }
    };
    // `[test-code]` levels, over the others, in test and example code.
    let test_level = |rule: RuleId| {
        config
            .and_then(|c| c.test_levels.get(&rule).copied())
            .unwrap_or_else(|| level(rule))
    };
    let whole_file_is_test = crate::lower::test_code::is_test_path(&t.path);
    let in_test = |line: usize| {
        whole_file_is_test || w.test_ranges.iter().any(|&(a, b)| a <= line && line <= b)
    };
    let make = |rule: RuleId, level: Level, f: Finding| Diagnostic {
        in_test: in_test(f.span.start.line),
        rule,
        // What the evidence allows caps what was configured (a guess is at most a warning).
        level: f.max_level.map_or(level, |cap| level.min(cap)),
        path: t.display.clone(),
        span: f.span,
        message: f.message,
        label: f.label,
        help: f.help,
        notes: f.notes,
        fix: f.fix,
        provenance: f.provenance,
    };
    let mut diagnostics = Vec::new();
    if let Some(failure) = w.parse_failure {
        let lvl = level(RuleId::ParseError);
        if lvl != Level::Allow {
            diagnostics.push(make(
                RuleId::ParseError,
                lvl,
                Finding::new(failure.span, failure.message),
            ));
        }
        return FileResult {
            diagnostics,
            error: None,
            text: w.text,
            uncompiled: false,
        };
    }
    let mut suppressions = w.suppressions.unwrap_or_default();
    let mut findings = Vec::new();
    for rule in RuleId::ALL {
        let (lvl, lvl_test) = (level(*rule), test_level(*rule));
        if lvl == Level::Allow && lvl_test == Level::Allow {
            continue;
        }
        for fact in w.facts.iter().chain(&indirect) {
            rule.check(fact, &mut findings);
            for f in findings.drain(..) {
                let line = f.span.start.line;
                let lvl = if in_test(line) { lvl_test } else { lvl };
                let form = crate::suppress::Form::of(fact);
                if lvl != Level::Allow && !suppressions.suppresses(*rule, line, form) {
                    diagnostics.push(make(*rule, lvl, f));
                }
            }
        }
    }
    let lvl = level(RuleId::UnusedSuppression);
    if lvl != Level::Allow {
        for stale in suppressions.unused() {
            let finding = Finding::new(stale.span, stale.message)
                .help(stale.help)
                .fix(stale.fix);
            diagnostics.push(make(RuleId::UnusedSuppression, lvl, finding));
        }
    }
    dedup_same_span(&mut diagnostics);
    let text = match w.text {
        None if !diagnostics.is_empty() => read_text(&t.path, Some(t)).ok(),
        text => text,
    };
    FileResult {
        diagnostics,
        error: None,
        text,
        uncompiled: false,
    }
}

/// Two facts can describe one finding (a value lost and also shadowed); keep one per rule+span.
fn dedup_same_span(diags: &mut Vec<Diagnostic>) {
    let mut seen: Vec<(RuleId, Span)> = Vec::new();
    diags.retain(|d| {
        let key = (d.rule, d.span);
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}
