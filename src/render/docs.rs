//! A rule's documentation (markdown, from its `//!` comments) as terminal text, for `unawaited
//! explain`: headings without their `#` marks and underlined, code blocks without their fences
//! and indented by four spaces, as `man` pages and `rustc --explain` in a plain terminal show
//! them. Inline code keeps its backticks, as rustc's messages write it.

/// Renders the markdown of a rule's documentation for a terminal.
pub fn terminal_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            if !line.trim().is_empty() {
                out.push_str("    ");
                out.push_str(line);
            }
        } else if let Some(title) = heading(trimmed) {
            out.push_str(title);
            out.push('\n');
            out.push_str(&"-".repeat(title.chars().count()));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The title of a markdown heading line (`## Example` → `Example`).
fn heading(line: &str) -> Option<&str> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &line[hashes..];
    rest.starts_with(' ').then(|| rest.trim())
}

#[cfg(test)]
mod tests {
    use super::terminal_text;

    #[test]
    fn fences_go_and_code_is_indented() {
        let md = "## Example\n```rust,ignore\nfn f() {\n\n    g();\n}\n```\nText with `code`.\n";
        assert_eq!(
            terminal_text(md),
            "Example\n-------\n    fn f() {\n\n        g();\n    }\nText with `code`.\n"
        );
    }

    #[test]
    fn hashes_that_are_not_headings_stay() {
        assert_eq!(terminal_text("#[attr]\n#!x\n"), "#[attr]\n#!x\n");
    }
}
