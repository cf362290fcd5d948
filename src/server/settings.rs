//! The server's settings, from `initializationOptions` and `workspace/configuration` (section
//! `unawaited`). Rule levels set here act as the command line's `-A`/`-W`/`-D` do, on top of the
//! configuration files (`unawaited.toml`, `Cargo.toml` metadata), which are read as the CLI reads
//! them.

use crate::config::LevelFlags;
use crate::diagnostic::Level;
use crate::rule_id::RuleId;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Rule name → `allow` | `warn` | `deny`.
    pub levels: BTreeMap<String, String>,
    /// Quiet time after an edit before checking, in milliseconds. None: check at once; the
    /// edits that arrive during a check are coalesced into the next one.
    pub debounce_ms: Option<u64>,
    /// A URL for a rule's documentation, `{rule}` standing for its name: diagnostics link to it
    /// (`codeDescription`) only when it is set.
    pub docs_url: Option<String>,
    /// A configuration file to use instead of discovering one (`--config`).
    pub config: Option<PathBuf>,
}

/// A check of an edited buffer costs tens of milliseconds (what did not change is reused), so
/// the server checks at once and lets the edits typed meanwhile wait for the next check: a
/// quiet time would only add to the latency.
pub const DEFAULT_DEBOUNCE_MS: u64 = 0;

/// The settings' keys, as clients write them.
const KEYS: [&str; 4] = ["levels", "debounceMs", "docsUrl", "config"];

impl Settings {
    /// Reads settings from a JSON value: the object itself, or its `unawaited` member.
    pub fn from_json(value: &serde_json::Value) -> Result<Settings, String> {
        let value = value.get("unawaited").unwrap_or(value);
        if value.is_null() {
            return Ok(Settings::default());
        }
        let settings: Settings = serde_json::from_value(value.clone())
            .map_err(|e| format!("bad unawaited settings: {e}"))?;
        settings.flags()?;
        Ok(settings)
    }

    /// A warning for each key of the settings object that is not a setting (it is ignored),
    /// with the setting it may have meant.
    pub fn unknown_keys(value: &serde_json::Value) -> Vec<String> {
        let value = value.get("unawaited").unwrap_or(value);
        let Some(object) = value.as_object() else {
            return Vec::new();
        };
        object
            .keys()
            .filter(|k| !KEYS.contains(&k.as_str()))
            .map(|k| {
                let hint = crate::rule_id::did_you_mean(k, KEYS)
                    .map(|s| format!(", did you mean `{s}`"))
                    .unwrap_or_else(|| {
                        format!(
                            " (the settings are {})",
                            KEYS.map(|k| format!("`{k}`")).join(", ")
                        )
                    });
                format!("unknown setting `{k}` is ignored{hint}")
            })
            .collect()
    }

    pub fn flags(&self) -> Result<LevelFlags, String> {
        let mut flags = LevelFlags::default();
        for (name, level) in &self.levels {
            let rule = RuleId::from_name(name)
                .ok_or_else(|| format!("unknown rule `{name}` in the settings' levels"))?;
            let list = match Level::parse(level) {
                Some(Level::Allow) => &mut flags.allow,
                Some(Level::Warn) => &mut flags.warn,
                Some(Level::Deny) => &mut flags.deny,
                None => {
                    return Err(format!(
                        "bad level `{level}` for rule `{name}`: expected \"allow\", \"warn\" or \"deny\""
                    ))
                }
            };
            list.push(rule);
        }
        Ok(flags)
    }

    pub fn debounce(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.debounce_ms.unwrap_or(DEFAULT_DEBOUNCE_MS))
    }

    pub fn docs_link(&self, rule: RuleId) -> Option<lsp_types::Url> {
        let template = self.docs_url.as_ref()?;
        lsp_types::Url::parse(&template.replace("{rule}", rule.name())).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_become_flags_and_bad_ones_are_refused() {
        let s = Settings::from_json(&serde_json::json!({
            "unawaited": {"levels": {"blocking_in_async": "deny", "unawaited_future": "allow"}}
        }))
        .unwrap();
        let flags = s.flags().unwrap();
        assert_eq!(flags.level(RuleId::BlockingInAsync, None), Level::Deny);
        assert_eq!(flags.level(RuleId::UnawaitedFuture, None), Level::Allow);
        let bad = serde_json::json!({"levels": {"no_such_rule": "deny"}});
        assert!(Settings::from_json(&bad)
            .unwrap_err()
            .contains("no_such_rule"));
        let bad = serde_json::json!({"levels": {"unawaited_future": "loud"}});
        assert!(Settings::from_json(&bad).unwrap_err().contains("loud"));
        assert_eq!(
            Settings::from_json(&serde_json::Value::Null).unwrap(),
            Settings::default()
        );
    }

    #[test]
    fn unknown_keys_are_named_with_what_they_may_mean() {
        let warned = Settings::unknown_keys(&serde_json::json!({
            "unawaited": {"level": {}, "debounceMs": 3, "colour": true}
        }));
        assert_eq!(warned.len(), 2, "{warned:?}");
        assert!(
            warned[0].contains("`level`") && warned[0].contains("did you mean `levels`"),
            "{warned:?}"
        );
        assert!(
            warned[1].contains("`colour`") && warned[1].contains("the settings are"),
            "{warned:?}"
        );
    }

    #[test]
    fn docs_links_only_when_configured() {
        assert!(Settings::default()
            .docs_link(RuleId::UnawaitedFuture)
            .is_none());
        let s = Settings {
            docs_url: Some("https://example.org/rules/{rule}".into()),
            ..Settings::default()
        };
        let link = s.docs_link(RuleId::UnawaitedFuture).unwrap();
        assert_eq!(link.as_str(), "https://example.org/rules/unawaited_future");
    }
}
