//! An isolated Python environment for the suites that drive Python tools (`pre-commit`,
//! `pytest-lsp`): made once with `python3 -m venv` under the Cargo target folder, the pinned
//! versions of `tests/python-requirements.txt` installed into it with pip, and reused while
//! that file is unchanged. Nothing outside the target folder is touched, and nothing needs to
//! be installed beforehand but `python3` (with its `venv` module) and access to the package
//! index.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const REQUIREMENTS: &str = include_str!("../python-requirements.txt");

/// The folder cargo builds into (`CARGO_TARGET_DIR` or `target/`), found from the binary
/// cargo built for the tests.
pub fn target_dir() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_unawaited"));
    // `<target>/<profile>/unawaited`
    bin.parent()
        .and_then(Path::parent)
        .expect("the binary lives in <target>/<profile>/")
        .to_path_buf()
}

/// The environment's Python interpreter, the environment built first if needed; the error
/// says what is missing.
pub fn python() -> Result<PathBuf, String> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PYTHON.get_or_init(build).clone()
}

fn interpreter(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// Whether `venv` holds these requirements, installed completely.
fn is_ready(venv: &Path) -> bool {
    std::fs::read_to_string(venv.join("unawaited-requirements.txt"))
        .is_ok_and(|r| r == REQUIREMENTS)
        && interpreter(venv).exists()
}

fn build() -> Result<PathBuf, String> {
    let venv = target_dir().join("unawaited-test-python");
    if is_ready(&venv) {
        return Ok(interpreter(&venv));
    }
    // Built beside, then renamed into place: a test binary running at the same time never
    // sees half an environment.
    let building = venv.with_file_name(format!("unawaited-test-python.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&building);
    std::fs::create_dir_all(target_dir()).map_err(|e| e.to_string())?;
    eprintln!(
        "building the tests' Python environment (once): {} with tests/python-requirements.txt",
        venv.display()
    );
    let python3 = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
    run(Command::new(&python3).args(["-m", "venv"]).arg(&building))
        .map_err(|e| format!("`python3 -m venv` failed: {e}"))?;
    let requirements = building.join("unawaited-requirements.txt");
    std::fs::write(&requirements, REQUIREMENTS).map_err(|e| e.to_string())?;
    run(Command::new(interpreter(&building))
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
            "-r",
        ])
        .arg(&requirements))
    .map_err(|e| format!("pip could not install tests/python-requirements.txt: {e}"))?;
    if !is_ready(&venv) {
        let _ = std::fs::remove_dir_all(&venv);
        if let Err(e) = std::fs::rename(&building, &venv) {
            // Another test binary finished first: use its environment.
            let _ = std::fs::remove_dir_all(&building);
            if !is_ready(&venv) {
                return Err(format!("cannot move the environment into place: {e}"));
            }
        }
    } else {
        let _ = std::fs::remove_dir_all(&building);
    }
    Ok(interpreter(&venv))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
