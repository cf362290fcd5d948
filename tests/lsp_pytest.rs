//! `unawaited server` driven by pytest-lsp (`tests/lsp_client/`), an LSP client built for
//! testing language servers that checks every message against the specification and the
//! recorded capabilities of real editors. It runs in the tests' own Python environment
//! (`tests/common/python.rs`) against the binary cargo built for these tests, wherever
//! `CARGO_TARGET_DIR` puts it. A machine that cannot build the environment fails the test,
//! unless `UNAWAITED_TEST_SKIP=lsp`.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn pytest_lsp_drives_the_server() {
    let python = match common::python::python() {
        Ok(p) => p,
        Err(e) => {
            common::cannot_run(
                "lsp",
                &format!("the tests' Python environment with pytest-lsp cannot be built: {e}"),
            );
            return;
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(python)
        .current_dir(root)
        .env("UNAWAITED_BIN", env!("CARGO_BIN_EXE_unawaited"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .args([
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=auto",
            "-q",
            "tests/lsp_client",
        ])
        .output()
        .expect("pytest runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "pytest-lsp failed:\n{text}");
    // Every test ran: none skipped, none deselected.
    assert!(
        text.contains(" passed") && !text.contains("skipped") && !text.contains("deselected"),
        "{text}"
    );
}
