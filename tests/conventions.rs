//! Tests that guard the project's conventions: the README's rule table is generated from the
//! rules, every rule is documented and has fixtures, messages follow rustc's style.

use std::collections::BTreeSet;
use unawaited::engine::{run, Options};
use unawaited::rule_id::RuleId;
use unawaited::rules::markdown_table;

#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let start = readme
        .find("<!-- rules-table")
        .expect("the README marks its rule table");
    let body_start = readme[start..].find('\n').map(|i| start + i + 1).unwrap();
    let end = readme
        .find("<!-- end rules-table -->")
        .expect("the table has an end mark");
    assert_eq!(
        &readme[body_start..end],
        markdown_table(),
        "the README's rule table drifted from the rules; paste the output of rules::markdown_table()"
    );
}

#[test]
fn every_rule_has_all_doc_sections() {
    for rule in RuleId::ALL {
        let docs = rule.docs().text;
        for section in unawaited::rules::DOC_SECTIONS {
            assert!(docs.contains(section), "{} lacks `{section}`", rule.name());
        }
        let summary = rule.summary();
        assert!(
            !summary.ends_with('.') && summary.chars().next().is_some_and(|c| !c.is_uppercase()),
            "{}: summary style",
            rule.name()
        );
    }
}

fn fixture_marks() -> BTreeSet<String> {
    let mut marks = BTreeSet::new();
    for entry in walkdir::WalkDir::new("fixtures")
        .into_iter()
        .filter_entry(|e| e.file_name() != "target")
        .flatten()
    {
        if entry.path().extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for line in text.lines() {
                if let Some(at) = line.find("//~") {
                    marks.extend(line[at + 3..].split_whitespace().map(String::from));
                }
            }
        }
    }
    marks
}

#[test]
fn every_rule_has_a_fixture() {
    let marks = fixture_marks();
    for rule in RuleId::ALL {
        assert!(
            marks.contains(rule.name()),
            "no fixture line is marked `//~ {}`",
            rule.name()
        );
    }
}

#[test]
fn messages_are_lowercase_without_a_trailing_period() {
    let outcome = run(&Options {
        paths: vec!["fixtures".into()],
        ..Options::default()
    })
    .expect("runs");
    assert!(!outcome.diagnostics.is_empty());
    for d in &outcome.diagnostics {
        let first = d.message.chars().next().unwrap();
        assert!(
            !first.is_uppercase(),
            "{}: message starts uppercase: {}",
            d.rule,
            d.message
        );
        assert!(
            !d.message.ends_with('.'),
            "{}: message ends with a period: {}",
            d.rule,
            d.message
        );
        if let Some(label) = &d.label {
            assert!(
                !label.ends_with('.'),
                "{}: label ends with a period",
                d.rule
            );
        }
    }
}

#[test]
fn the_tool_starts_no_program() {
    // README, Security: it never runs anything. The knowledge tables name process APIs as data.
    let mut stack = vec![std::path::PathBuf::from("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                if !path.ends_with("knowledge") {
                    stack.push(path);
                }
                continue;
            }
            // `unawaited flycheck` runs `cargo check` for rust-analyzer: the documented exception.
            if path.ends_with("flycheck.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            let code = text.lines().filter(|l| !l.trim_start().starts_with("//"));
            for line in code {
                for spawn in [
                    "process::Command",
                    "Command::new",
                    "libc::exec",
                    "libc::system",
                ] {
                    assert!(
                        !line.contains(spawn),
                        "{} uses `{spawn}`: {line}",
                        path.display()
                    );
                }
            }
        }
    }
}

/// The first lines of a rule's page under `docs/rules/`; the rest is the rule's documentation,
/// the text `unawaited explain RULE` prints.
fn rule_page_header(rule: RuleId) -> String {
    format!(
        "<!-- generated from the rule's docs, as `unawaited explain {name}` prints them; \
         UNAWAITED_BLESS=1 cargo test --test conventions rewrites it -->\n\
         # `{name}`\n\n\
         Default level: `{level}`.{fix} Back to [the rules](README.md).\n\n",
        name = rule.name(),
        level = rule.default_level().as_str(),
        fix = if rule.fixable() {
            " Fixable with `--fix`."
        } else {
            ""
        },
    )
}

/// Issue 30, item 8: `docs/rules/RULE.md` is one page per rule, generated from the rule's docs,
/// and says what `unawaited explain RULE` says; a page that drifts (or a page of no rule) fails.
/// `UNAWAITED_BLESS=1` rewrites them.
#[test]
fn rule_pages_match_explain() {
    let dir = std::path::Path::new("docs/rules");
    let bless = std::env::var_os("UNAWAITED_BLESS").is_some_and(|v| !v.is_empty() && v != "0");
    let mut index = String::from(
        "<!-- generated: UNAWAITED_BLESS=1 cargo test --test conventions rewrites it -->\n\
         # Rules\n\n`unawaited rules` prints this list, `unawaited explain RULE` a rule's page.\n\n",
    );
    let mut expected = BTreeSet::from(["README.md".to_string()]);
    for rule in RuleId::ALL {
        let name = format!("{}.md", rule.name());
        index.push_str(&format!(
            "- [`{}`]({name}) ({}): {}\n",
            rule.name(),
            rule.default_level().as_str(),
            rule.summary()
        ));
        let page = rule_page_header(*rule) + &rule.docs().text;
        if bless {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(&name), &page).unwrap();
        }
        let on_disk = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
        assert_eq!(
            on_disk, page,
            "docs/rules/{name} drifted from the rule's docs; rewrite the pages with \
             `UNAWAITED_BLESS=1 cargo test --test conventions`"
        );
        // What `explain` prints is the page's text, for the terminal.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_unawaited"))
            .args(["explain", rule.name()])
            .output()
            .unwrap();
        let body = on_disk.strip_prefix(&rule_page_header(*rule)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim_end(),
            format!(
                "{} ({} by default)\n\n{}",
                rule.name(),
                rule.default_level().as_str(),
                unawaited::render::docs::terminal_text(body)
            )
            .trim_end(),
            "unawaited explain {}",
            rule.name()
        );
        expected.insert(name);
    }
    if bless {
        std::fs::write(dir.join("README.md"), &index).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).unwrap_or_default(),
        index,
        "docs/rules/README.md drifted; UNAWAITED_BLESS=1 cargo test --test conventions"
    );
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk, expected, "docs/rules/ holds a page of no rule");
}

/// Issue 30, item 8: the README leads with use — what it finds, install and run (the quick start
/// exits 1 on purpose, and says so), the output, configuration, integrations — in under 350
/// lines; contributor material lives in `docs/`, and every page the README links to exists.
#[test]
fn readme_leads_with_use() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let lines = readme.lines().count();
    assert!(
        lines < 350,
        "README.md has {lines} lines: move detail to docs/"
    );
    let at = |heading: &str| {
        readme
            .find(&format!("\n## {heading}\n"))
            .unwrap_or_else(|| panic!("README: no `## {heading}`"))
    };
    let order = [
        "Install and run",
        "What the output looks like",
        "Configuration",
        "Integrations",
        "Testing",
    ];
    for pair in order.windows(2) {
        assert!(at(pair[0]) < at(pair[1]), "{} before {}", pair[0], pair[1]);
    }
    let quick_start = &readme[at("Install and run")..at("What the output looks like")];
    assert!(quick_start.contains("exits 1 on"), "{quick_start}");
    // Contributor material: only the Testing section points at it.
    for contributor in [
        "UNAWAITED_BLESS",
        "python-requirements",
        "cargo fuzz",
        "bench/",
    ] {
        if let Some(i) = readme.find(contributor) {
            assert!(
                i > at("Testing"),
                "`{contributor}` before the Testing section"
            );
        }
    }
    for link in readme.split("](").skip(1) {
        let target = link.split(')').next().unwrap();
        if !target.starts_with("http") {
            assert!(
                std::path::Path::new(target).exists(),
                "README links to {target}, which is not there"
            );
        }
    }
    for page in std::fs::read_dir("docs").unwrap() {
        let page = page.unwrap().path();
        if page.extension().is_some_and(|x| x == "md") {
            let text = std::fs::read_to_string(&page).unwrap();
            for link in text.split("](").skip(1) {
                let target = link.split(')').next().unwrap().split('#').next().unwrap();
                if !target.starts_with("http") && !target.is_empty() {
                    assert!(
                        page.parent().unwrap().join(target).exists(),
                        "{} links to {target}, which is not there",
                        page.display()
                    );
                }
            }
        }
    }
}
