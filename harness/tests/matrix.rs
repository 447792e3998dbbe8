//! Matrix files through the real `harness` binary: each cell is a test of
//! its own, listed, picked with `--exact`, judged against the host's known
//! failures by its name, and refused by bless (its expectation is the
//! template every cell shares).

mod common;
use common::text;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A project matrix (`round-trip/NAME.toml`) copied into a scratch `cases/`
/// with its template's expected result replaced by `wrong`, so that every
/// cell without its own expectation fails.
fn broken_copy(name: &str, wrong: &str) -> (tempfile::TempDir, PathBuf, String) {
    let guard = tempfile::tempdir().unwrap();
    let cases = guard.path().join("cases");
    std::fs::create_dir_all(&cases).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../cases/round-trip/{name}.toml"));
    let text = std::fs::read_to_string(&source).unwrap();
    let (start, _) = text.match_indices("result = '").next().expect("the matrix writes `result = '...'`");
    let end = start + text[start..].find('\n').unwrap();
    let broken = format!("{}result = '{wrong}'{}", &text[..start], &text[end..]);
    std::fs::write(cases.join(format!("{name}.toml")), &broken).unwrap();
    (guard, cases, broken)
}

/// The pairs matrix with every cell failing.
fn broken_pairs() -> (tempfile::TempDir, PathBuf, String) {
    broken_copy("pairs", "\"not what it returns\"")
}

fn harness(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_harness"));
    cmd.args(args).env_remove("HARNESS_BLESS").env_remove("CI");
    cmd.output().expect("cannot run the harness binary")
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
            "not blessed: this is the cell `root=async,next=sync` of a `matrix.cross`; what differs (expect.result) is written once in"
        ),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(cases.join("pairs.toml")).unwrap(), broken, "the matrix file was rewritten");
}

#[test]
fn bless_writes_a_listed_cell_its_own_expectation() {
    let (_guard, cases, _) = broken_copy("triples", "\"wrong\"");
    let dir = cases.to_str().unwrap();
    let cell = "triples/root=sync,middle=sync,last=sync";
    // The failure names the cell and the command that blesses it alone.
    let failed = text(&harness(&["run", dir, "--", "--exact", cell]));
    assert!(failed.contains("triples.toml (cell root=sync,middle=sync,last=sync)"), "{failed}");
    assert!(failed.contains(&format!("triples.toml -- --exact '{cell}'")), "{failed}");
    let run = harness(&["run", "--bless", dir, "--", "--exact", cell]);
    assert!(run.status.success(), "{}", text(&run));
    assert!(text(&run).contains("triples.toml (matrix.cells[4].expect.result)"), "{}", text(&run));
    let blessed = std::fs::read_to_string(cases.join("triples.toml")).unwrap();
    assert!(blessed.contains(r#"last = "sync", expect = { result = '"hello, world! - entered guest"#), "{blessed}");
    assert!(blessed.contains("result = '\"wrong\"'"), "the template changed:\n{blessed}");
    // The cell now passes on its own expectation; the others still fail.
    assert!(harness(&["run", dir, "--", "--exact", cell]).status.success());
    let other = harness(&["run", dir, "--", "--exact", "triples/root=async,middle=async,last=async"]);
    assert!(!other.status.success(), "{}", text(&other));
}

/// The project's 16 pairs and 6 triples are two matrix files, and each of
/// their 22 tests is found by its exact name.
#[test]
fn the_converted_pairs_and_triples_resolve_by_exact_name() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let cases = cases.to_str().unwrap();
    let list = harness(&["run", cases, "--", "--list"]);
    let names: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .filter(|n| n.starts_with("round-trip/pairs/") || n.starts_with("round-trip/triples/"))
        .map(str::to_string)
        .collect();
    assert_eq!(names.iter().filter(|n| n.starts_with("round-trip/pairs/")).count(), 16, "{names:?}");
    assert_eq!(names.len(), 22, "{names:?}");
    for name in &names {
        let one = harness(&["run", cases, "--", "--list", "--exact", name]);
        assert_eq!(String::from_utf8_lossy(&one.stdout).lines().filter(|l| l.ends_with(": test")).count(), 1, "{name}");
    }
}
