//! Matrix files through the real `harness` binary: each cell is a test of
//! its own, listed, picked with `--exact`, judged against the host's known
//! failures by its name, and refused by bless (its expectation is the
//! template every cell shares).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project's pairs matrix, copied into a scratch `cases/` with its
/// expected result made wrong, so that every cell fails.
fn broken_pairs() -> (tempfile::TempDir, PathBuf, String) {
    let guard = tempfile::tempdir().unwrap();
    let cases = guard.path().join("cases");
    std::fs::create_dir_all(&cases).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases/round-trip/pairs.toml");
    let text = std::fs::read_to_string(&source).unwrap();
    let (start, _) = text.match_indices("result = '").next().expect("pairs.toml writes `result = '...'`");
    let end = start + text[start..].find('\n').unwrap();
    let broken = format!("{}result = '\"not what it returns\"'{}", &text[..start], &text[end..]);
    std::fs::write(cases.join("pairs.toml"), &broken).unwrap();
    (guard, cases, broken)
}

fn harness(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_harness"));
    cmd.args(args).env_remove("HARNESS_BLESS").env_remove("CI");
    cmd.output().expect("cannot run the harness binary")
}

fn text(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn each_cell_is_a_test_listed_picked_and_judged_by_its_name() {
    let (_guard, cases, _) = broken_pairs();
    let dir = cases.to_str().unwrap();
    let list = harness(&["run", dir, "--", "--list"]);
    let names: Vec<_> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect();
    assert_eq!(names.len(), 16, "{}", text(&list));
    assert!(names.contains(&"pairs/root=wait,next=async-sync-import".to_string()), "{names:?}");

    let one = harness(&["run", dir, "--", "--exact", "pairs/root=sync,next=wait"]);
    let out = text(&one);
    assert!(!one.status.success() && out.contains("1 failed; 0 ignored; 0 measured; 15 filtered out"), "{out}");
    // The failure points at the template's line in the matrix file, in the cell.
    assert!(out.contains("pairs.toml:18:10 (root=sync,next=wait)"), "{out}");

    let expectations = cases.parent().unwrap().join("known.toml");
    std::fs::write(&expectations, "[known-failures]\n\"pairs/root=sync,next=wait\" = \"wrong on purpose\"\n").unwrap();
    let known = harness(&[
        "run",
        dir,
        "--expectations",
        expectations.to_str().unwrap(),
        "--",
        "--exact",
        "pairs/root=sync,next=wait",
    ]);
    assert!(known.status.success() && text(&known).contains("known failures (1)"), "{}", text(&known));
    // Listed by its cell's name, it applies to that cell only.
    let other = harness(&[
        "run",
        dir,
        "--expectations",
        expectations.to_str().unwrap(),
        "--",
        "--exact",
        "pairs/root=sync,next=sync",
    ]);
    assert!(!other.status.success(), "{}", text(&other));
}

#[test]
fn bless_refuses_a_cell_and_says_why() {
    let (_guard, cases, broken) = broken_pairs();
    let run = harness(&["run", "--bless", cases.to_str().unwrap(), "--", "--exact", "pairs/root=async,next=sync"]);
    let out = text(&run);
    assert!(!run.status.success(), "{out}");
    assert!(
        out.contains(
            "not blessed: this is the cell `root=async,next=sync` of a matrix; what differs (expect.result) is written once in"
        ),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(cases.join("pairs.toml")).unwrap(), broken, "the matrix file was rewritten");
}
