//! A wrong expected event in an `[http]` case must fail that case, naming
//! the first event that differs. Runs the real `harness run` on a copy of
//! `cases/http/echo/several-chunks.toml` with one event changed.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn wrong_http_event_names_the_first_divergent_event() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let case = std::fs::read_to_string(root.join("cases/http/echo/several-chunks.toml")).unwrap();
    let right = "\"response trailer fizz: buzz\"";
    assert!(case.contains(right), "the case this test edits no longer expects {right}");
    let wrong = case.replace(right, "\"response trailer fizz: bang\"");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("wrong-trailer.toml"), wrong).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_harness")).arg("run").arg(dir.path()).output().unwrap();

    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the run passed with a wrong event:\n{stdout}\n{stderr}");
    // Line 1 is the outcome, line 2 the section header, then the five
    // events: the trailer is line 7.
    for needle in [
        "test wrong-trailer ... FAILED",
        "first difference at line 7 of the comparison: expected `response trailer fizz: bang`",
        "-response trailer fizz: bang",
        "+response trailer fizz: buzz",
    ] {
        assert!(stdout.contains(needle), "`{needle}` missing from the output:\n{stdout}\n{stderr}");
    }
}
