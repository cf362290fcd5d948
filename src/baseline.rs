//! Baselines, for adopting the tool on a large codebase: `--write-baseline FILE` records today's
//! findings; `--baseline FILE` then reports only findings that are not in it.
//!
//! A finding is recorded by path, rule and a fingerprint of the rule, the path, the trimmed text
//! of the line it starts on and its occurrence among identical lines — not the line number — so
//! a finding keeps its identity when code above it moves.

use crate::diagnostic::Diagnostic;
use crate::source::Sources;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hasher;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// A stable hash (FNV-1a, 64 bits) of the finding's identity, as 16 hex digits.
pub fn fingerprint(rule: &str, path: &str, line_text: &str, occurrence: usize) -> String {
    let mut h = fnv::FnvHasher::default();
    for part in [rule, path, line_text.trim()] {
        h.write(part.as_bytes());
        h.write_u8(0);
    }
    h.write_usize(occurrence);
    format!("{:016x}", h.finish())
}

/// The baseline entries of a run's findings, in order.
pub fn entries(diagnostics: &[Diagnostic], sources: &dyn Sources) -> Vec<Entry> {
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let line = sources
                .text(&d.path)
                .and_then(|t| t.lines().nth(d.span.start.line.saturating_sub(1)))
                .unwrap_or("");
            let key = (
                d.rule.name().to_string(),
                d.path.clone(),
                line.trim().to_string(),
            );
            let n = seen.entry(key).or_default();
            let fp = fingerprint(d.rule.name(), &d.path, line, *n);
            *n += 1;
            Entry {
                path: d.path.clone(),
                rule: d.rule.name().to_string(),
                fingerprint: fp,
            }
        })
        .collect()
}

impl Baseline {
    pub fn of(diagnostics: &[Diagnostic], sources: &dyn Sources) -> Baseline {
        Baseline {
            version: 1,
            findings: entries(diagnostics, sources),
        }
    }

    /// Reads and parses a baseline file; the error says why it cannot be used.
    pub fn read(path: &std::path::Path) -> Result<Baseline, String> {
        let bytes = std::fs::read(path).map_err(|e| crate::discover::io_message(&e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| "not a baseline file: not valid UTF-8".to_string())?;
        Baseline::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Baseline, String> {
        let b: Baseline =
            serde_json::from_str(text).map_err(|e| format!("not a baseline file: {e}"))?;
        if b.version != 1 {
            return Err(format!("unsupported baseline version {}", b.version));
        }
        Ok(b)
    }

    /// Removes the findings the baseline holds (each entry absorbs one finding).
    pub fn filter(&self, diagnostics: Vec<Diagnostic>, sources: &dyn Sources) -> Vec<Diagnostic> {
        let mut budget: HashMap<&Entry, usize> = HashMap::new();
        for e in &self.findings {
            *budget.entry(e).or_default() += 1;
        }
        let keys = entries(&diagnostics, sources);
        diagnostics
            .into_iter()
            .zip(keys)
            .filter(|(_, key)| match budget.get_mut(key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .map(|(d, _)| d)
            .collect()
    }
}
