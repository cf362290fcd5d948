//! Floor 0: the identity of every rule — its id and its names — with no rule logic. The list of
//! rules is written once, in [`for_each_rule`]; the enum here and the registry in
//! [`crate::rules`] (docs, levels, logic) are both generated from it.

/// Calls `$m! { Variant => module, ... }` with every rule, in catalog order.
macro_rules! for_each_rule {
    ($m:ident) => {
        $m! {
        UnawaitedFuture => unawaited_future,
        BlockOnInAsync => block_on_in_async,
        RuntimeInAsync => runtime_in_async,
        SpawnWithoutRuntime => spawn_without_runtime,
        BlockingInAsync => blocking_in_async,
        LockAcrossAwait => lock_across_await,
        RuntimeInLoop => runtime_in_loop,
        SelectCancelUnsafe => select_cancel_unsafe,
        ChannelNeverCloses => channel_never_closes,
        TasksDroppedUnjoined => tasks_dropped_unjoined,
        StreamNeverPolled => stream_never_polled,
        DetachedTask => detached_task,
        DetachedThread => detached_thread,
        ParseError => parse_error,
        UnusedSuppression => unused_suppression,
            }
    };
}
pub(crate) use for_each_rule;

macro_rules! rule_ids {
    ($($variant:ident => $module:ident),* $(,)?) => {
        /// The identity of a rule.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
        )]
        pub enum RuleId {
            $($variant),*
        }

        impl RuleId {
            /// Every rule, in catalog order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant),*];

            /// The rule's snake_case name, as written in flags, config and suppressions.
            pub fn name(self) -> &'static str {
                match self {
                    $(RuleId::$variant => stringify!($module)),*
                }
            }
        }
    };
}
for_each_rule!(rule_ids);

/// The tool prefix rustc puts before a tool's lint names (`unawaited::unawaited_future`).
pub const TOOL_PREFIX: &str = "unawaited::";

/// The selector for every rule, as ruff spells it.
pub const ALL_RULES: &str = "ALL";

/// Whether `written` spells `name`, with `-` for `_` allowed (`unawaited-future`).
fn spells(written: &str, name: &str) -> bool {
    written.len() == name.len()
        && written
            .bytes()
            .zip(name.bytes())
            .all(|(w, n)| w == n || (w == b'-' && n == b'_'))
}

impl RuleId {
    /// The rule a name stands for, in any of its spellings: `unawaited_future`,
    /// `unawaited-future`, `unawaited::unawaited_future` (the code editors show).
    pub fn from_name(name: &str) -> Option<RuleId> {
        let name = name.strip_prefix(TOOL_PREFIX).unwrap_or(name);
        RuleId::ALL.iter().copied().find(|r| spells(name, r.name()))
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A rule name that names no rule, with the nearest real one when there is a close one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule {
    pub name: String,
    pub suggestion: Option<&'static str>,
}

impl UnknownRule {
    /// What to write instead: `, did you mean `x`` or ` (see `unawaited rules`)`.
    pub fn hint(&self) -> String {
        match self.suggestion {
            Some(s) => format!(", did you mean `{s}`"),
            None => " (see `unawaited rules`)".into(),
        }
    }
}

impl std::fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown rule `{}`{}", self.name, self.hint())
    }
}

/// The rules a user-written name selects: one rule in any spelling ([`RuleId::from_name`]), or
/// every rule for `ALL`. Flags, configuration and suppressions all read names through this.
pub fn rules_named(name: &str) -> Result<Vec<RuleId>, UnknownRule> {
    let name = name.trim();
    if name == ALL_RULES {
        return Ok(RuleId::ALL.to_vec());
    }
    RuleId::from_name(name)
        .map(|r| vec![r])
        .ok_or_else(|| UnknownRule {
            name: name.to_string(),
            suggestion: did_you_mean(
                name,
                RuleId::ALL.iter().map(|r| r.name()).chain([ALL_RULES]),
            ),
        })
}

/// The candidate nearest to `name` by edit distance (ignoring case, `-`/`_` and the tool
/// prefix), when it is close enough to be a typo: at most a third of the name's length, as
/// rustc's suggestions for lint names.
pub fn did_you_mean(
    name: &str,
    candidates: impl IntoIterator<Item = &'static str>,
) -> Option<&'static str> {
    let norm = |s: &str| {
        s.strip_prefix(TOOL_PREFIX)
            .unwrap_or(s)
            .to_ascii_lowercase()
            .replace('-', "_")
    };
    let written = norm(name);
    let limit = written.chars().count().max(3) / 3;
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&written, &norm(c)), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_every_spelling() {
        for name in [
            "unawaited_future",
            "unawaited-future",
            "unawaited::unawaited_future",
            "unawaited::unawaited-future",
        ] {
            assert_eq!(
                RuleId::from_name(name),
                Some(RuleId::UnawaitedFuture),
                "{name}"
            );
        }
        assert_eq!(RuleId::from_name("unawaited__future"), None);
        assert_eq!(RuleId::from_name("Unawaited_Future"), None);
        assert_eq!(rules_named("ALL").unwrap(), RuleId::ALL);
    }

    #[test]
    fn did_you_mean_only_for_near_names() {
        let unknown = rules_named("blocking_in_asnyc").unwrap_err();
        assert_eq!(unknown.suggestion, Some("blocking_in_async"));
        assert_eq!(
            unknown.to_string(),
            "unknown rule `blocking_in_asnyc`, did you mean `blocking_in_async`"
        );
        assert_eq!(rules_named("all").unwrap_err().suggestion, Some("ALL"));
        let far = rules_named("frobnicate").unwrap_err();
        assert_eq!(far.suggestion, None);
        assert_eq!(
            far.to_string(),
            "unknown rule `frobnicate` (see `unawaited rules`)"
        );
    }
}
