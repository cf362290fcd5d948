//! `--statistics`: only the number of findings per rule, as ruff prints it — count, a fixable
//! marker (`[*]` fixable with the flags given, `[-]` only with `--unsafe-fixes`, `[ ]` not
//! fixable) and the rule, in every format but two: `--format json` gets a statistics document
//! instead, and `--format sarif` its document with the table in the run's properties. How many
//! of a rule's findings are in test or example code is said after it, when some are (`(12 in
//! test code)`), and is `in_test` in the JSON document.

use super::{json::SCHEMA_VERSION, Fixable, Format, RenderOptions, Report};
use crate::rule_id::RuleId;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub rule: RuleId,
    pub count: usize,
    pub fixable: Fixable,
    /// How many of them are in test or example code.
    pub in_test: usize,
}

/// The rows, most frequent rule first (ties by rule name).
pub fn rows(report: &Report) -> Vec<Row> {
    let mut by_rule: BTreeMap<RuleId, Vec<_>> = BTreeMap::new();
    for d in report.diagnostics {
        by_rule.entry(d.rule).or_default().push(d);
    }
    let mut rows: Vec<Row> = by_rule
        .into_iter()
        .map(|(rule, ds)| Row {
            rule,
            count: ds.len(),
            in_test: ds.iter().filter(|d| d.in_test).count(),
            fixable: Fixable::count(ds),
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.name().cmp(b.rule.name())));
    rows
}

fn marker(f: Fixable, unsafe_fixes: bool) -> &'static str {
    if f.any_applies(unsafe_fixes) {
        "[*]"
    } else if f.unsafe_ > 0 {
        "[-]"
    } else {
        "[ ]"
    }
}

pub fn render(
    format: Format,
    report: &Report,
    opts: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rows = rows(report);
    let table = || {
        rows.iter()
            .map(|r| {
                json!({
                    "rule": r.rule.name(),
                    "count": r.count,
                    "in_test": r.in_test,
                    "fixable": r.fixable.any_applies(opts.unsafe_fixes),
                    "safe_fixes": r.fixable.safe,
                    "unsafe_fixes": r.fixable.unsafe_,
                })
            })
            .collect::<Vec<_>>()
    };
    match format {
        Format::Json => {
            let doc = json!({
                "version": SCHEMA_VERSION,
                "statistics": table(),
                "errors": report.errors,
            });
            serde_json::to_writer(&mut *out, &doc)?;
            return out.write_all(b"\n");
        }
        // A SARIF document still, for the tools that read it: the table in the run's
        // properties, beside the results.
        Format::Sarif => return super::sarif::render_with(report, Some(json!(table())), out),
        _ => {}
    }
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    for r in &rows {
        write!(
            out,
            "{:>width$}  {} {}",
            r.count,
            marker(r.fixable, opts.unsafe_fixes),
            r.rule.name()
        )?;
        if r.in_test > 0 {
            write!(out, "  ({} in test code)", r.in_test)?;
        }
        writeln!(out)?;
    }
    // Files that could not be checked are not findings: they go to standard error.
    for e in report.errors {
        eprintln!("error: {}: {}", e.path, e.message);
    }
    Ok(())
}
