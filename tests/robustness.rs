//! Hostile input: every case gives a clear message (or a clean result) and the run goes on with
//! every other file's findings intact. Never a crash, never a hang.

mod common;
use common::*;

use serde_json::Value;
use std::path::Path;

const GOOD: &str = "async fn w() {}\nfn g() {\n    w();\n}\n";

fn run_json(dir: &Path) -> (Value, i32, String) {
    let out = unawaited()
        .current_dir(dir)
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON: {e}: {}", String::from_utf8_lossy(&out.stdout)));
    (
        doc,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_good_file_still_reported(doc: &Value) {
    let found = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["path"] == "good.rs" && d["line"] == 3);
    assert!(found, "the good file's finding survives: {doc}");
}

#[test]
fn strange_bytes_and_syntax() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
    std::fs::write(dir.path().join("nul.rs"), "fn f() {}\0\0\nfn g() {}\n").unwrap();
    std::fs::write(
        dir.path().join("binary.rs"),
        [0x7f, b'E', b'L', b'F', 0, 0, 0xff, 0xfe, 0x00, 0x01],
    )
    .unwrap();
    std::fs::write(
        dir.path().join("unterminated.rs"),
        "fn f() { let s = \"never closed;\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("empty.rs"), "").unwrap();
    std::fs::create_dir(dir.path().join("folder.rs")).unwrap();
    std::fs::write(dir.path().join("folder.rs/inner.rs"), "fn main() {}\n").unwrap();
    let (doc, code, _) = run_json(dir.path());
    assert_eq!(code, 2, "the binary file is an error");
    assert_good_file_still_reported(&doc);
    let errors: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(errors, ["binary.rs"]);
    let parse_errors: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "parse_error")
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(parse_errors, ["nul.rs", "unterminated.rs"]);
}

#[test]
fn huge_and_deep_inputs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
    let chain = format!(
        "async fn w() {{}}\nfn f(x: u8) {{\n    let _ = x{};\n}}\n",
        ".clone()".repeat(50_000)
    );
    std::fs::write(dir.path().join("chain.rs"), chain).unwrap();
    let modules = format!(
        "{}fn f() {{}}{}\n",
        "mod m { ".repeat(5_000),
        "}".repeat(5_000)
    );
    std::fs::write(dir.path().join("modules.rs"), modules).unwrap();
    let brackets = format!(
        "fn f() {{ let x = {}0{}; }}\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    std::fs::write(dir.path().join("brackets.rs"), brackets).unwrap();
    let deep = [
        (
            "parens.rs",
            format!(
                "fn f() {{ let x = {}1{}; }}\n",
                "(".repeat(20_000),
                ")".repeat(20_000)
            ),
        ),
        (
            "blocks.rs",
            format!("fn f() {}{}\n", "{".repeat(20_000), "}".repeat(20_000)),
        ),
        (
            "closures.rs",
            format!("fn f() {{ let x = {}0; }}\n", "move || ".repeat(20_000)),
        ),
        (
            "generics.rs",
            format!(
                "fn f() -> {}u8{} {{ todo!() }}\n",
                "Vec<".repeat(5_000),
                ">".repeat(5_000)
            ),
        ),
    ];
    for (name, text) in &deep {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut big = String::from("async fn w() {}\n");
    let mut n = 0;
    while big.len() < 10_000_000 {
        big.push_str(&format!(
            "pub async fn f{n}(x: u64) -> u64 {{ let y = x.wrapping_mul({n}); w().await; y }}\n"
        ));
        n += 1;
    }
    big.push_str("fn last() {\n    w();\n}\n");
    std::fs::write(dir.path().join("big.rs"), &big).unwrap();
    let (doc, code, _) = run_json(dir.path());
    assert_eq!(code, 1);
    assert_good_file_still_reported(&doc);
    let diags = doc["diagnostics"].as_array().unwrap();
    let has = |path: &str, rule: &str| diags.iter().any(|d| d["path"] == path && d["rule"] == rule);
    for deep in [
        "modules.rs",
        "brackets.rs",
        "parens.rs",
        "blocks.rs",
        "closures.rs",
        "generics.rs",
    ] {
        let d = diags
            .iter()
            .find(|d| d["path"] == deep && d["rule"] == "parse_error")
            .unwrap_or_else(|| panic!("{deep}: no parse_error in {doc}"));
        assert!(
            d["message"]
                .as_str()
                .unwrap()
                .contains("nesting deeper than"),
            "{deep}: {d}"
        );
    }
    assert!(
        !has("chain.rs", "parse_error"),
        "a long but shallow chain is analysed"
    );
    let last_line = big.lines().count() - 1;
    assert!(
        diags
            .iter()
            .any(|d| d["path"] == "big.rs" && d["line"] == last_line),
        "the 10 MB file is analysed to its end"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_missing_paths() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("nowhere.rs", dir.path().join("dangling.rs")).unwrap();
    let (doc, code, _) = run_json(dir.path());
    assert_eq!(code, 2);
    assert_good_file_still_reported(&doc);
    assert!(
        doc["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "dangling.rs" && e["message"] == "no such file or directory"),
        "a symlink whose target is gone names the file and the reason: {doc}"
    );
    let messages: Vec<String> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}: {}", e["path"], e["message"]))
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("symlink loop")),
        "{messages:?}"
    );
    let out = unawaited()
        .current_dir(dir.path())
        .args(["check", "good.rs", "gone.rs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gone.rs: no such file or directory"));
}

/// `unawaited check | head -1`: the reader goes away after one line. The test is that reader
/// itself, so it needs no shell.
#[test]
fn stdout_closed_early_is_not_a_crash() {
    use std::io::BufRead;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    // Far more output than a pipe buffer holds, so writing hits the closed pipe.
    for i in 0..400 {
        std::fs::write(dir.path().join(format!("f{i}.rs")), GOOD).unwrap();
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("unawaited"))
        .current_dir(dir.path())
        .args(["check", "."])
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
        // Dropping the reader closes the pipe, as `head` does when it exits.
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !stderr.contains("error:"),
        "a closed pipe is not an error: {stderr}"
    );
    assert!(first.starts_with("error[unawaited_future]"), "{first}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the exit code still reflects the findings"
    );
}

#[test]
fn many_bindings_in_one_body_stay_linear() {
    // Generated code can hold tens of thousands of bindings in one body; declaring and looking
    // them up used to scan every earlier binding: quadratic, over a minute for this file even in
    // a release build. The bindings are plain values so that the output stays small; the future
    // dropped at the end shows the walk reached it, and a future bound among them that the last
    // statement uses shows lookups still find the right binding.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
    let mut text = String::from("async fn w() {}\nasync fn f() {\n    let early = w();\n");
    for i in 0..100_000 {
        text.push_str(&format!("    let x{i} = {i};\n"));
    }
    text.push_str("    early.await;\n    w();\n}\n");
    std::fs::write(dir.path().join("many.rs"), &text).unwrap();
    let (doc, code, _) = run_json(dir.path());
    assert_eq!(code, 1);
    assert_good_file_still_reported(&doc);
    let lines: Vec<u64> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == "many.rs")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [100_005], "only the `w();` at the end: {doc}");
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_errors_naming_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
    let locked = dir.path().join("locked.rs");
    std::fs::write(&locked, GOOD).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // A file whose read fails with an I/O error whoever runs the test: on Linux,
    // /proc/self/mem is a regular file whose first page is never mapped. Named on the command
    // line (a symbolic link to it in the tree would lead outside the repository: not read).
    let io_error = cfg!(target_os = "linux");
    let mut args = vec!["check", ".", "--format", "json"];
    if io_error {
        args.push("/proc/self/mem");
    }
    let out = if std::fs::read(&locked).is_err() {
        unawaited()
            .current_dir(dir.path())
            .args(&args)
            .output()
            .unwrap()
    } else {
        // Root reads a mode-000 file anyway: run the check as an unprivileged user instead.
        match as_nobody(dir.path(), &args) {
            Ok(out) => out,
            Err(why) => {
                common::cannot_run("setuid", &why);
                return;
            }
        }
    };
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON: {e}: {}", String::from_utf8_lossy(&out.stdout)));
    let code = out.status.code().unwrap_or(-1);
    assert_good_file_still_reported(&doc);
    let errors: Vec<(String, String)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        errors.contains(&("locked.rs".into(), "permission denied".into())),
        "{errors:?}"
    );
    if io_error {
        assert!(
            errors
                .iter()
                .any(|(p, m)| p == "/proc/self/mem" && m.contains("input/output error")),
            "{errors:?}"
        );
    }
    assert_eq!(code, 2);
}

/// Runs the binary as user and group 65534 (`nobody`), from a copy that user can execute, in
/// `dir` (made readable to it). For a test run as root, whom file modes do not stop.
#[cfg(unix)]
fn as_nobody(dir: &Path, args: &[&str]) -> Result<std::process::Output, String> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let open = |p: &Path| std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755));
    let bin_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let bin = bin_dir.path().join("unawaited");
    std::fs::copy(assert_cmd::cargo::cargo_bin("unawaited"), &bin).map_err(|e| e.to_string())?;
    for p in [bin_dir.path(), bin.as_path(), dir] {
        open(p).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    std::process::Command::new(&bin)
        .current_dir(dir)
        .args(args)
        .uid(65534)
        .gid(65534)
        .output()
        .map_err(|e| format!("cannot run the binary as an unprivileged user (uid 65534): {e}"))
}

#[test]
fn unknown_rule_names_in_flags_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
    for (flag, name) in [
        ("--select", "bogus"),
        ("--ignore", "unawaited_futures"),
        ("-A", "nope"),
        ("-W", "Unawaited_Future"),
        ("-D", "warning"),
    ] {
        let out = unawaited()
            .current_dir(dir.path())
            .args(["check", ".", flag, name])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {name}");
        assert!(out.stdout.is_empty(), "{flag} {name}: nothing is checked");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("unknown rule `{name}` in {flag}")),
            "{flag} {name}: {err}"
        );
    }
    let out = unawaited().args(["explain", "bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule `bogus`"));
}

#[test]
fn a_configuration_that_cannot_be_read_is_an_error_not_a_default() {
    for (what, make) in [
        (
            "not valid UTF-8",
            (|p: &Path| {
                std::fs::write(p, b"[rules]\nunawaited_future = \"allow\" # caf\xe9\n").unwrap()
            }) as fn(&Path),
        ),
        ("is a directory", |p: &Path| std::fs::create_dir(p).unwrap()),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
        make(&dir.path().join("unawaited.toml"));
        let err = stderr_of_error_run(dir.path(), &["check", "."], what);
        assert!(
            err.contains("unawaited.toml: cannot read the configuration") && err.contains(what),
            "{what}: {err}"
        );
    }
}

#[test]
fn garbage_baselines_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
    std::fs::write(dir.path().join("empty.json"), "").unwrap();
    std::fs::write(dir.path().join("v2.json"), r#"{"version":2,"findings":[]}"#).unwrap();
    std::fs::write(dir.path().join("list.json"), "[1, 2]").unwrap();
    std::fs::write(dir.path().join("bytes.json"), [0xff, 0xfe, 0x00]).unwrap();
    std::fs::create_dir(dir.path().join("dir.json")).unwrap();
    for (file, reason) in [
        ("empty.json", "not a baseline file"),
        ("v2.json", "unsupported baseline version 2"),
        ("list.json", "not a baseline file"),
        ("bytes.json", "not a baseline file: not valid UTF-8"),
        ("dir.json", "is a directory"),
        ("missing.json", "no such file or directory"),
    ] {
        let err = stderr_of_error_run(dir.path(), &["check", ".", "--baseline", file], file);
        assert!(err.contains(&format!("{file}: {reason}")), "{file}: {err}");
    }
}

/// Every file below `dir` outside `target/` (where a cache may live), with its bytes.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    stack.push(path);
                }
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn checking_writes_nothing_and_runs_nothing_from_the_tree() {
    let dir = package(&[
        ("src/lib.rs", "mod good;\nmod fixable;\n"),
        ("src/good.rs", GOOD),
        (
            "src/fixable.rs",
            "async fn w() {}\nasync fn run() {\n    w();\n}\n",
        ),
        // Would leave a file behind if anything built or ran the package.
        (
            "build.rs",
            "fn main() { std::fs::write(\"ran-build-script\", \"\").unwrap(); }\n",
        ),
        (
            "unawaited.toml",
            "blocking = [\"std::process::Command::status\"]\n[rules]\ndetached_task = \"warn\"\n",
        ),
    ]);
    let before = snapshot(dir.path());
    for args in [
        &["check", "."][..],
        &["check", ".", "--format", "sarif", "--statistics"],
        &["check", ".", "--diff"],
        &["check", "src/good.rs", "--format", "cargo"],
    ] {
        let out = unawaited()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    assert_eq!(snapshot(dir.path()), before, "a check changed the tree");
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_named_on_the_command_line_is_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
    nix::unistd::mkfifo(
        &dir.path().join("fifo.rs"),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .expect("a FIFO can be made in a temporary folder");
    let special = ["/dev/zero", "fifo.rs"];
    for path in special {
        // Reading either would never end (no writer, or endless zeros).
        let out = unawaited()
            .timeout(std::time::Duration::from_secs(30))
            .current_dir(dir.path())
            .args(["check", "good.rs", path, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{path}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_good_file_still_reported(&doc);
        assert_eq!(doc["errors"][0]["path"], path);
        assert!(
            doc["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("not a regular file"),
            "{doc}"
        );
    }
}

/// A bug that panics while one file is analysed becomes an internal error for that file; the
/// other files are still checked and reported. The panic is asked for through a hook that only
/// debug builds have (`UNAWAITED_TEST_PANIC_IN`, in `src/engine.rs`).
#[test]
fn a_panic_in_one_file_is_an_internal_error_for_that_file() {
    if !cfg!(debug_assertions) {
        common::cannot_run(
            "panic-hook",
            "the panic hook exists only in debug builds; run the tests without --release",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
    std::fs::write(dir.path().join("boom.rs"), GOOD).unwrap();
    let out = unawaited()
        .current_dir(dir.path())
        .env("UNAWAITED_TEST_PANIC_IN", "boom.rs")
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{doc}");
    assert_good_file_still_reported(&doc);
    assert_eq!(
        doc["errors"],
        serde_json::json!([{
            "path": "boom.rs",
            "message": "internal error while analysing this file: a panic asked for by UNAWAITED_TEST_PANIC_IN",
        }])
    );
    assert!(
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["path"] != "boom.rs"),
        "{doc}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "workers never print: {stderr}"
    );
}
