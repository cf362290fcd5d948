//! End-to-end tests of the binary: exit codes, standard input, the JSON contract, colour rules,
//! the subset invariant and hostile input.

mod common;
use common::*;

use serde_json::Value;
use std::path::Path;

fn json(dir: &Path, args: &[&str]) -> (Value, i32) {
    check_json(dir, args)
}

fn findings(doc: &Value) -> Vec<(String, u64, String)> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const LIB: &str =
    "mod net;\npub async fn work() {}\npub async fn run() {\n    work();\n    net::fetch();\n}\n";
const NET: &str = "pub async fn fetch() {}\npub fn sync_helper() {\n    crate::work();\n}\n";

#[test]
fn exit_codes() {
    let clean = package(&[(
        "src/lib.rs",
        "pub async fn a() {}\npub async fn b() { a().await; }\n",
    )]);
    unawaited()
        .current_dir(clean.path())
        .args(["check", "."])
        .assert()
        .code(0);
    let bad = package(&[("src/lib.rs", LIB), ("src/net.rs", NET)]);
    unawaited()
        .current_dir(bad.path())
        .args(["check", "."])
        .assert()
        .code(1);
    unawaited()
        .current_dir(bad.path())
        .args(["check", ".", "--exit-zero"])
        .assert()
        .code(0);
    unawaited()
        .current_dir(bad.path())
        .args(["check", ".", "-A", "unawaited_future"])
        .assert()
        .code(0);
    unawaited()
        .current_dir(bad.path())
        .args(["check", "does-not-exist"])
        .assert()
        .code(2);
    unawaited()
        .current_dir(bad.path())
        .args(["check", ".", "-D", "no_such_rule"])
        .assert()
        .code(2);
    unawaited()
        .current_dir(bad.path())
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    // A warning alone exits 0, and 1 with `-D warnings`.
    let warn = package(&[(
        "src/lib.rs",
        "pub async fn a() { std::thread::sleep(std::time::Duration::from_millis(1)); }\n",
    )]);
    unawaited()
        .current_dir(warn.path())
        .args(["check", "."])
        .assert()
        .code(0);
    unawaited()
        .current_dir(warn.path())
        .args(["check", ".", "-D", "warnings"])
        .assert()
        .code(1);
}

#[test]
fn json_contract() {
    let dir = package(&[(
        "src/lib.rs",
        "pub async fn work() {}\npub async fn run() {\n    let é = 1; work();\n}\n",
    )]);
    let (doc, code) = json(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(doc["version"], 1);
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["version", "diagnostics", "errors", "summary"]);
    let d = &doc["diagnostics"][0];
    let dkeys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "rule",
        "level",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "help",
        "fix",
        "provenance",
    ] {
        assert!(dkeys.contains(&k), "missing key {k} in {d}");
    }
    assert_eq!(d["provenance"], "proven");
    assert_eq!(d["rule"], "unawaited_future");
    assert_eq!(d["level"], "deny");
    assert_eq!(d["path"], "src/lib.rs");
    // Columns are 1-based characters: `let é = 1; ` is 11 characters (12 bytes) after 4 spaces.
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(16))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(3), Some(22))
    );
    assert_eq!(d["fix"]["applicability"], "MachineApplicable");
    assert_eq!(d["fix"]["edits"][0]["text"], ".await");
    assert_eq!(d["fix"]["edits"][0]["column"].as_u64(), Some(22));
    assert_eq!(doc["summary"]["files"], 1);
    assert_eq!(doc["summary"]["diagnostics"], 1);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
}

/// A future known only by a method name matched on a receiver of unknown type is a guess: at
/// most a warning, whatever the rule's level, its message and the JSON say so, and its fix is
/// never machine-applicable. A proven one beside it stays an error.
#[test]
fn a_guessed_future_is_at_most_a_warning() {
    let dir = package(&[(
        "src/lib.rs",
        "pub struct Conn;\nimpl Conn {\n    pub async fn flush_all(&self) {}\n}\n\
         pub async fn run(c: impl Sized, d: Conn) {\n    c.flush_all();\n    d.flush_all();\n}\n",
    )]);
    let (doc, code) = json(dir.path(), &[".", "-D", "unawaited_future"]);
    assert_eq!(code, 1);
    let diags = doc["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 2, "{doc}");
    let (guess, proven) = (&diags[0], &diags[1]);
    assert_eq!(guess["line"], 6);
    assert_eq!(guess["provenance"], "guessed");
    assert_eq!(guess["level"], "warn");
    assert!(
        guess["message"].as_str().unwrap().contains("guessed"),
        "{guess}"
    );
    assert_eq!(guess["fix"]["applicability"], "MaybeIncorrect");
    assert_eq!(proven["line"], 7);
    assert_eq!(proven["provenance"], "proven");
    assert_eq!(proven["level"], "deny");
    // With the proven finding gone, the guess alone does not fail the run.
    let only_guess = package(&[(
        "src/lib.rs",
        "pub struct Conn;\nimpl Conn {\n    pub async fn flush_all(&self) {}\n}\n\
         pub async fn run(c: impl Sized) {\n    c.flush_all();\n}\n",
    )]);
    let (doc, code) = json(only_guess.path(), &["."]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["diagnostics"][0]["level"], "warn");
}

#[test]
fn findings_do_not_depend_on_which_files_are_named() {
    let dir = package(&[("src/lib.rs", LIB), ("src/net.rs", NET)]);
    let (all, _) = json(dir.path(), &["."]);
    let (one, _) = json(dir.path(), &["src/net.rs"]);
    let (other, _) = json(dir.path(), &["src/lib.rs"]);
    let all = findings(&all);
    let net: Vec<_> = all
        .iter()
        .filter(|f| f.0 == "src/net.rs")
        .cloned()
        .collect();
    let lib: Vec<_> = all
        .iter()
        .filter(|f| f.0 == "src/lib.rs")
        .cloned()
        .collect();
    assert!(
        !net.is_empty() && !lib.is_empty(),
        "both files have findings: {all:?}"
    );
    assert_eq!(findings(&one), net);
    assert_eq!(findings(&other), lib);
}

/// cargo compiles the module trees of a package's targets and nothing else: a file in none of
/// them (test data, a file no `mod` names) is not reported when a folder is walked, and only
/// noted when it is named; the files the trees reach are checked as before.
#[test]
fn files_no_target_compiles_are_not_reported() {
    const STRAY: &str = "async fn a() {}\nfn f() {\n    a();\n}\n";
    let dir = package(&[
        ("src/lib.rs", LIB),
        ("src/net.rs", NET),
        ("src/stray.rs", STRAY),
        ("tests/data/input.rs", "fn broken( {\n    async {};\n}\n"),
        ("tests/it/main.rs", "mod y;\n"),
        ("tests/it/y.rs", STRAY),
        ("templates/page.rs", "fn {{ name }}() {}\n"),
    ]);
    let (all, _) = json(dir.path(), &["."]);
    let mut paths: Vec<String> = findings(&all).into_iter().map(|f| f.0).collect();
    paths.dedup();
    assert_eq!(paths, ["src/lib.rs", "src/net.rs", "tests/it/y.rs"]);
    assert!(!all["notes"].to_string().contains("no target"), "{all}");
    // A folder of the package outside its target folders, named on its own: loose files.
    let (templates, _) = json(dir.path(), &["templates"]);
    assert_eq!(
        findings(&templates),
        [(
            "templates/page.rs".to_string(),
            1,
            "parse_error".to_string()
        )]
    );
    for named in ["src/stray.rs", "tests/data/input.rs"] {
        let (doc, code) = json(dir.path(), &[named]);
        assert_eq!(code, 0, "{doc}");
        assert_eq!(findings(&doc), [], "{doc}");
        let notes = doc["notes"].to_string();
        assert!(
            notes.contains(named) && notes.contains("no target of its package compiles it"),
            "{notes}"
        );
    }
}

#[test]
fn stdin_is_checked_in_its_files_context() {
    let dir = package(&[
        ("src/lib.rs", "mod net;\n"),
        ("src/net.rs", "pub async fn fetch() {}\n"),
    ]);
    let out = unawaited()
        .current_dir(dir.path())
        .args([
            "check",
            "-",
            "--stdin-filename",
            "src/lib.rs",
            "--format",
            "json",
        ])
        .write_stdin("mod net;\npub fn go() {\n    net::fetch();\n}\n")
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        findings(&doc),
        vec![("src/lib.rs".to_string(), 3, "unawaited_future".to_string())]
    );
    assert_eq!(out.status.code(), Some(1));
    unawaited()
        .current_dir(dir.path())
        .args(["check", "-"])
        .write_stdin("fn main() {}")
        .assert()
        .code(2);
}

/// Runs the binary with its standard output on a fresh pseudo-terminal, as in an interactive
/// shell, and returns what it printed (the terminal's `\r\n` read back as `\n`); `None` when
/// no pseudo-terminal can be opened here.
#[cfg(unix)]
fn on_a_terminal(dir: &Path, args: &[&str], no_color: Option<&str>) -> Option<String> {
    use std::io::Read;
    let pty = nix::pty::openpty(None, None).ok()?;
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("unawaited"));
    cmd.current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .stdout(pty.slave);
    if let Some(value) = no_color {
        cmd.env("NO_COLOR", value);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    // The child holds the only other end now: reading ends when it exits.
    drop(cmd);
    let mut master = std::fs::File::from(pty.master);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            // Linux reports the closed other end as EIO.
            Err(e) if e.raw_os_error() == Some(nix::libc::EIO) => break,
            Err(e) => panic!("reading the terminal: {e}"),
        }
    }
    child.wait().expect("the binary ends");
    Some(String::from_utf8(out).expect("UTF-8").replace("\r\n", "\n"))
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = package(&[("src/lib.rs", LIB), ("src/net.rs", NET)]);
    let plain = unawaited()
        .current_dir(dir.path())
        .args(["check", "."])
        .output()
        .unwrap();
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    assert!(text.contains(
        "error[unawaited_future]: [*] future returned by async fn `work` is never awaited"
    ));
    assert!(text.contains("--> src/lib.rs:4:5"), "{text}");
    let forced = unawaited()
        .current_dir(dir.path())
        .args(["check", ".", "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8(forced.stdout).unwrap().contains('\u{1b}'));

    #[cfg(unix)]
    {
        let Some(tty) = on_a_terminal(dir.path(), &["check", "."], None) else {
            common::cannot_run("pty", "no pseudo-terminal can be opened here");
            return;
        };
        assert!(tty.contains('\u{1b}'), "colour on a terminal: {tty:?}");
        assert!(tty.contains("unawaited_future"), "{tty:?}");
        for (args, no_color, why) in [
            (&["check", "."][..], Some("1"), "NO_COLOR turns it off"),
            (&["check", ".", "--color", "never"], None, "--color never"),
        ] {
            let tty = on_a_terminal(dir.path(), args, no_color).expect("a pseudo-terminal");
            assert!(!tty.contains('\u{1b}'), "{why}: {tty:?}");
            assert!(
                tty.contains("error[unawaited_future]: [*] future returned by async fn `work`"),
                "{why}: the findings are still printed: {tty:?}"
            );
        }
        let empty =
            on_a_terminal(dir.path(), &["check", "."], Some("")).expect("a pseudo-terminal");
        assert!(empty.contains('\u{1b}'), "an empty NO_COLOR is unset");
    }
}

#[test]
fn hostile_files_give_clear_errors_and_the_run_goes_on() {
    let deep_parens = format!(
        "fn f() {{ let x = {}1{}; }}\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let deep_blocks = format!("fn f() {}{}\n", "{".repeat(10_000), "}".repeat(10_000));
    let deep_closures = format!("fn f() {{ let x = {}0; }}\n", "|| ".repeat(10_000));
    let deep_generics = format!(
        "type T = {}u8{};\n",
        "Vec<".repeat(5_000),
        ">".repeat(5_000)
    );
    let dir = package(&[
        ("src/lib.rs", "mod deep_parens; mod deep_blocks; mod deep_closures; mod deep_generics; mod broken; mod bom; mod crlf; mod empty; mod good;\n"),
        ("src/deep_parens.rs", &deep_parens),
        ("src/deep_blocks.rs", &deep_blocks),
        ("src/deep_closures.rs", &deep_closures),
        ("src/deep_generics.rs", &deep_generics),
        ("src/broken.rs", "fn f() {\n    let x = ;\n}\n"),
        ("src/bom.rs", "\u{feff}async fn w() {}\nfn g() { w(); }\n"),
        ("src/crlf.rs", "async fn w() {}\r\nfn g() {\r\n    w();\r\n}\r\n"),
        ("src/empty.rs", ""),
        ("src/good.rs", "async fn w() {}\nfn g() { w(); }\n"),
    ]);
    std::fs::write(dir.path().join("src/latin1.rs"), b"// caf\xe9\nfn f() {}\n").unwrap();
    let (doc, code) = json(dir.path(), &["."]);
    assert_eq!(code, 2, "a file that cannot be read as UTF-8 is an error");
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], "src/latin1.rs");
    assert!(errors[0]["message"].as_str().unwrap().contains("UTF-8"));
    let f = findings(&doc);
    for deep in [
        "deep_parens",
        "deep_blocks",
        "deep_closures",
        "deep_generics",
    ] {
        assert!(
            f.contains(&(format!("src/{deep}.rs"), 1, "parse_error".into())),
            "{deep}: {f:?}"
        );
    }
    assert!(
        f.contains(&("src/broken.rs".into(), 2, "parse_error".into())),
        "{f:?}"
    );
    assert!(f.contains(&("src/good.rs".into(), 2, "unawaited_future".into())));
    assert!(f.contains(&("src/crlf.rs".into(), 3, "unawaited_future".into())));
    let bom = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "src/bom.rs")
        .expect("a finding in the BOM file");
    assert_eq!(
        (bom["line"].as_u64(), bom["column"].as_u64()),
        (Some(2), Some(10))
    );
}

#[test]
fn rules_and_explain() {
    let out = unawaited().arg("rules").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for rule in unawaited::rule_id::RuleId::ALL {
        assert!(text.contains(rule.name()), "`rules` lists {}", rule.name());
    }
    let out = unawaited()
        .args(["explain", "unawaited_future"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for section in unawaited::rules::DOC_SECTIONS {
        let title = section.trim_start_matches("# ").trim_start_matches('#');
        assert!(
            text.contains(&format!(
                "\n{}\n{}\n",
                title.trim(),
                "-".repeat(title.trim().len())
            )),
            "explain shows {section} as a terminal heading: {text}"
        );
    }
    // Terminal text, not markdown: no fences, no `#` marks; the example's code indented.
    assert!(!text.contains("```"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with('#')), "{text}");
    assert!(text.contains("\n    async fn handle("), "{text}");
    unawaited().args(["explain", "nope"]).assert().code(2);
}

#[test]
fn help_says_what_flags_do() {
    let out = unawaited().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    // `-j`: one default, said once in words.
    let jobs = help.lines().find(|l| l.contains("--jobs")).unwrap_or("");
    let jobs_help: String = help
        .split("--jobs")
        .nth(1)
        .unwrap_or("")
        .lines()
        .take(2)
        .collect();
    assert!(
        jobs_help.contains("one per core") && !jobs_help.contains("[default: 0]"),
        "{jobs}: {jobs_help}"
    );
    // `--write-baseline` prints no report (what it does, README "Baseline").
    let baseline: String = help
        .split("--write-baseline")
        .nth(1)
        .unwrap_or("")
        .lines()
        .take(3)
        .collect();
    assert!(
        baseline.contains("no report") && !baseline.contains("as usual"),
        "{baseline}"
    );
}

#[test]
fn workspace_crates_refer_to_each_other_by_name() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Cargo.toml",
        "[workspace]\nmembers = [\"core-lib\", \"app\"]\n",
    );
    write(
        dir.path(),
        "core-lib/Cargo.toml",
        "[package]\nname = \"core-lib\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        dir.path(),
        "core-lib/src/lib.rs",
        "pub mod net;\npub fn sync_len() -> usize { 0 }\n",
    );
    write(
        dir.path(),
        "core-lib/src/net.rs",
        "pub async fn fetch() -> u8 { 1 }\n",
    );
    write(
        dir.path(),
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        dir.path(),
        "app/src/main.rs",
        "use core_lib::net;\n\nfn main() {\n    net::fetch();\n    core_lib::net::fetch();\n    core_lib::sync_len();\n}\n",
    );
    let (doc, code) = json(dir.path(), &["app/src/main.rs"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&doc),
        vec![
            (
                "app/src/main.rs".to_string(),
                4,
                "unawaited_future".to_string()
            ),
            (
                "app/src/main.rs".to_string(),
                5,
                "unawaited_future".to_string()
            ),
        ]
    );
}

#[test]
fn a_select_finding_through_awaits_in_other_files_needs_only_its_own_file_named() {
    let lib = "mod b;\nmod c;\nuse std::time::Duration;\n\
        pub async fn serve(mut s: tokio::net::TcpStream) {\n    loop {\n        tokio::select! {\n            \
        f = b::outer(&mut s) => drop(f),\n            _ = tokio::time::sleep(Duration::from_secs(1)) => {}\n        }\n    }\n}\n";
    let b = "pub async fn outer(s: &mut tokio::net::TcpStream) -> u8 {\n    crate::c::inner(s).await\n}\n";
    let c = "use tokio::io::AsyncReadExt;\npub async fn inner(s: &mut tokio::net::TcpStream) -> u8 {\n    \
        let mut frame = [0u8; 4];\n    s.read_exact(&mut frame).await.unwrap();\n    frame[0]\n}\n";
    let dir = package(&[("src/lib.rs", lib), ("src/b.rs", b), ("src/c.rs", c)]);
    let expected = vec![(
        "src/lib.rs".to_string(),
        7,
        "select_cancel_unsafe".to_string(),
    )];
    for named in [".", "src/lib.rs"] {
        let (doc, _) = json(dir.path(), &[named]);
        assert_eq!(findings(&doc), expected, "named {named}");
    }
}

/// The README's install line uses the committed lock and states the minimum Rust version that
/// `Cargo.toml` declares; its Security section says each thing once.
#[test]
fn readme_install_and_security_say_it_right() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(
        readme.contains("cargo install --locked --path . && unawaited check fixtures/pipeline"),
        "the install command"
    );
    let msrv = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"');
    assert!(
        readme.contains(&format!("Rust {msrv} or later")),
        "the README states rust-version {msrv}"
    );
    let security = readme
        .split("\n## Security\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    let mut seen = std::collections::HashSet::new();
    for line in security.lines().map(str::trim).filter(|l| l.len() > 30) {
        assert!(seen.insert(line), "said twice in Security: {line}");
    }
}

/// Notes respect the user: one short line (how many, and how to list them), not repeated while
/// nothing changed, none with `-q`; `--show-notes` lists them in full, JSON carries them all.
#[test]
fn notes_are_one_short_line_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let manifest = |deps: &[&str]| {
        let lines: Vec<String> = deps.iter().map(|n| format!("{n} = \"1\"\n")).collect();
        format!(
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\n{}",
            lines.concat()
        )
    };
    write(d, "Cargo.toml", &manifest(&["alpha", "beta"]));
    write(
        d,
        "src/lib.rs",
        "pub fn f() {\n    alpha::run();\n    beta::run();\n}\n",
    );
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = unawaited()
            .current_dir(d)
            .env("CARGO_HOME", home.path())
            .env("UNAWAITED_DEPS_CACHE", home.path().join("deps-cache"))
            .arg("check")
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        let notes: Vec<String> = err
            .lines()
            .filter(|l| l.contains("note:"))
            .map(String::from)
            .collect();
        (notes, String::from_utf8(out.stdout).unwrap())
    };
    let (notes, _) = run(&[]);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("the sources of 2 dependencies")
            && notes[0].contains("--show-notes")
            && notes[0].len() <= 120,
        "{notes:?}"
    );
    assert!(
        !notes[0].contains("alpha"),
        "the names wait for --show-notes"
    );
    // Nothing changed: nothing said, in any format but JSON's document.
    assert_eq!(run(&[]).0, Vec::<String>::new());
    assert_eq!(run(&["--message-format", "short"]).0, Vec::<String>::new());
    // In full on demand, each time.
    for _ in 0..2 {
        let (notes, _) = run(&["--show-notes"]);
        assert!(
            notes.len() == 1 && notes[0].contains("alpha") && notes[0].contains("beta"),
            "{notes:?}"
        );
    }
    let (verbose, _) = run(&["--verbose"]);
    assert_eq!(verbose.len(), 1, "{verbose:?}");
    // Something changed: `-q` still says nothing, the next plain run says it.
    write(d, "Cargo.toml", &manifest(&["alpha", "beta", "gamma"]));
    write(
        d,
        "src/lib.rs",
        "pub fn f() {\n    alpha::run();\n    beta::run();\n    gamma::run();\n}\n",
    );
    assert_eq!(run(&["-q"]).0, Vec::<String>::new());
    let (notes, _) = run(&[]);
    assert!(
        notes.len() == 1 && notes[0].contains("the sources of 3 dependencies"),
        "{notes:?}"
    );
    // JSON carries every note whatever was printed before.
    let (_, json) = run(&["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let all = doc["notes"].to_string();
    assert!(all.contains("alpha") && all.contains("gamma"), "{all}");
}

/// CI runs the README's test command as the README writes it, and installs nothing for it: the
/// suites that need Python tools build their own environment.
#[test]
fn ci_runs_the_readmes_test_command() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    let testing = readme.split("\n## Testing\n").nth(1).unwrap();
    let block = testing.split("```sh\n").nth(1).unwrap();
    let command = block
        .lines()
        .next()
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .trim();
    assert_eq!(command, "cargo test");
    assert!(ci.lines().any(|l| l.trim() == command), "{ci}");
    assert!(
        !ci.contains("pip install"),
        "cargo test needs no tool installed first"
    );
}

/// A repository `repo/` (git) holding the package `repo/pkg/`, with one finding in
/// `pkg/src/lib.rs` and one in `pkg/tests/t.rs`.
fn repository_with_a_package() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let inited = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(&repo)
        .status()
        .is_ok_and(|s| s.success());
    if !inited {
        std::fs::create_dir(repo.join(".git")).unwrap();
    }
    write(
        &repo,
        "pkg/Cargo.toml",
        "[package]\nname = \"pkg\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    let code = "async fn f() {}\npub fn g() {\n    f();\n}\n";
    write(&repo, "pkg/src/lib.rs", code);
    write(&repo, "pkg/tests/t.rs", code);
    dir
}

fn stdout_in(dir: &Path, program: &str, args: &[&str]) -> String {
    let mut cmd = if program == "cargo-unawaited" {
        let mut c = assert_cmd::Command::cargo_bin("cargo-unawaited").unwrap();
        c.arg("unawaited");
        c
    } else {
        unawaited()
    };
    let out = cmd.current_dir(dir).args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Code scanning and workflow annotations need paths from the repository root, and cargo's
/// formats from the workspace root, wherever the tool runs; the human formats stay relative to
/// the working directory, in one style (`../` above it, never absolute) (issue 30, item 3).
#[test]
fn paths_from_the_repository_root_wherever_the_run_starts() {
    let dir = repository_with_a_package();
    let repo = dir.path().join("repo");
    let src = repo.join("pkg/src");
    let sarif: Value = serde_json::from_str(&stdout_in(
        &src,
        "unawaited",
        &["check", "--format", "sarif"],
    ))
    .unwrap();
    let run = &sarif["runs"][0];
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(base.ends_with("/repo/"), "{base}");
    let uri = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(uri["uri"], "pkg/src/lib.rs", "{uri}");
    assert_eq!(uri["uriBaseId"], "%SRCROOT%");
    let github = stdout_in(&src, "unawaited", &["check", "--format", "github"]);
    assert!(
        github.starts_with("::error file=pkg/src/lib.rs,line=3,"),
        "{github}"
    );
    // cargo's formats: from the workspace (here the package) root, as cargo's own messages.
    for args in [&["--format", "cargo"][..], &["--message-format", "json"]] {
        let text = stdout_in(&src, "cargo-unawaited", args);
        let mut names: Vec<&str> = text
            .split("\"file_name\":\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names, ["src/lib.rs", "tests/t.rs"], "{args:?}: {text}");
    }
    // Human and short: relative to the working directory, `../` for the file above it.
    let short = stdout_in(&src, "cargo-unawaited", &["--format", "short"]);
    let paths: Vec<&str> = short
        .lines()
        .filter(|l| l.contains(": error["))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(paths, ["../tests/t.rs", "lib.rs"], "{short}");
    // From the repository root, the same SARIF and annotations.
    let github_at_root = stdout_in(
        &repo,
        "unawaited",
        &["check", "pkg/src", "--format", "github"],
    );
    assert_eq!(github_at_root, github);
}

/// The `unawaited check` commands of the README's GitHub Actions workflow, as written (the
/// output redirection left out).
fn readme_ci_steps() -> Vec<Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme.split("\n### GitHub Actions\n").nth(1).unwrap();
    let block = section.split("```yaml\n").nth(1).unwrap();
    let block = block.split("\n```").next().unwrap();
    block
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- run: unawaited check "))
        .map(|args| {
            let args = args.split('>').next().unwrap();
            std::iter::once("check")
                .chain(args.split_whitespace())
                .map(String::from)
                .collect()
        })
        .collect()
}

/// Issue 30, item 5: what fails a CI step, as the README says (What fails a run, GitHub
/// Actions): warnings — a file that does not parse among them — show and pass; the SARIF step
/// never fails; the annotation step fails on an error (exit 1) and on a file it cannot read (2).
#[test]
fn the_readmes_ci_steps_fail_on_what_the_readme_says() {
    let steps = readme_ci_steps();
    assert_eq!(
        steps.len(),
        2,
        "a SARIF step and an annotation step: {steps:?}"
    );
    let (sarif, annotate) = (&steps[0], &steps[1]);
    assert!(sarif.contains(&"sarif".to_string()) && annotate.contains(&"github".to_string()));
    let run = |dir: &Path, args: &[String]| {
        let out = unawaited().current_dir(dir).args(args).output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let warnings = package(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        (
            "src/a.rs",
            "pub async fn f() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
        ),
        ("src/b.rs", "pub fn broken( {\n"),
    ]);
    let (code, out) = run(warnings.path(), annotate);
    assert_eq!(code, 0, "warnings pass: {out}");
    assert!(
        out.contains("::warning file=src/a.rs") && out.contains("title=unawaited (parse_error)"),
        "warnings, a file that does not parse among them, are shown: {out}"
    );
    let mut strict = annotate.clone();
    strict.extend(["-D".to_string(), "warnings".to_string()]);
    assert_eq!(
        run(warnings.path(), &strict).0,
        1,
        "-D warnings fails on them"
    );
    let errors = package(&[("src/lib.rs", "async fn w() {}\npub fn f() {\n    w();\n}\n")]);
    assert_eq!(run(errors.path(), sarif).0, 0, "the SARIF step never fails");
    let (code, out) = run(errors.path(), annotate);
    assert_eq!(code, 1, "an error fails the step: {out}");
    assert!(out.contains("::error file=src/lib.rs,line=3"), "{out}");
    // A file the crate compiles (`mod latin1;`) that cannot be read as UTF-8.
    std::fs::write(
        errors.path().join("src/lib.rs"),
        "mod latin1;\nasync fn w() {}\npub fn f() {\n    w();\n}\n",
    )
    .unwrap();
    std::fs::write(errors.path().join("src/latin1.rs"), b"// caf\xe9\n").unwrap();
    assert_eq!(
        run(errors.path(), annotate).0,
        2,
        "an unreadable file fails it"
    );
}

/// Issue 30, item 1: `--dependents` reports the unnamed callers of what the named files define
/// (renamed imports followed), and of those callers only the findings that involve it: a file
/// that merely writes the name keeps its unrelated error to itself.
#[test]
fn dependents_are_the_callers_of_what_the_named_files_define() {
    let dir = package(&[
        (
            "src/lib.rs",
            "pub mod api;\npub mod store;\npub mod other;\npub use store::save as persist;\n",
        ),
        ("src/store.rs", "pub async fn save() {}\n"),
        (
            "src/api.rs",
            "pub async fn handle() {\n    crate::persist();\n}\n",
        ),
        (
            "src/other.rs",
            "// not `save`\nasync fn w() {}\npub fn unrelated() {\n    w();\n}\n",
        ),
        (
            "src/far.rs",
            "async fn w() {}\npub fn far() {\n    w();\n}\n",
        ),
    ]);
    let (doc, code) = json(dir.path(), &["src/store.rs"]);
    assert_eq!((code, findings(&doc).len()), (0, 0), "{doc}");
    let (doc, code) = json(dir.path(), &["--dependents", "src/store.rs"]);
    assert_eq!(code, 1, "{doc}");
    let paths: Vec<String> = findings(&doc).into_iter().map(|f| f.0).collect();
    assert_eq!(paths, ["src/api.rs"], "{doc}");
    assert_eq!(
        doc["summary"]["files"], 4,
        "store.rs, lib.rs (the rename), api.rs, other.rs (the name in a comment): {doc}"
    );
}
