//! The regression-tracking workflow end to end, through the real `harness`
//! binary on copies of real cases: reports from two runs, `compare` on them,
//! known failures from an expectations file, and bless.

mod common;
use common::text;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A fresh folder for one test, with an empty `cases/`; it goes when the
/// guard does, at the end of the test.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path().to_owned();
    std::fs::create_dir_all(dir.join("cases")).unwrap();
    (guard, dir)
}

fn project_case(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases").join(format!("{name}.toml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A case value as TOML parses it, to build expectations from the case
/// files rather than writing them out here.
fn expect_value(case_text: &str, key: &str) -> toml::Value {
    let case: toml::Table = toml::from_str(case_text).unwrap();
    case["expect"][key].clone()
}

/// `text` with `expect.result` replaced by the WAVE string `wave`.
fn with_result(text: &str, wave: &str) -> String {
    let old = expect_value(text, "result");
    let old = format!("result = '{}'", old.as_str().unwrap());
    assert!(text.contains(&old), "the case does not write its result as `{old}`");
    text.replace(&old, &format!("result = '{wave}'"))
}

/// Run the harness; bless and CI are off unless `env` turns them on.
fn harness(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_harness"));
    cmd.args(args).env_remove("HARNESS_BLESS").env_remove("CI");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("cannot run the harness binary")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn case<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case `{name}` in the report: {report:#}"))
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn two_runs_compared_show_the_regression_and_exit_non_zero() {
    let (_guard, dir) = scratch();
    let sync = project_case("round-trip/single/sync");
    let expected = expect_value(&sync, "result");
    let broken = "\"a result this guest never returns\"";

    // The old run: the case as it is, passing.
    let old_cases = dir.join("old");
    std::fs::create_dir_all(&old_cases).unwrap();
    std::fs::write(old_cases.join("sync.toml"), &sync).unwrap();
    let old_report = dir.join("old.json");
    let run = harness(&["run", s(&old_cases), "--report", s(&old_report)], &[]);
    assert!(run.status.success(), "{}", text(&run));

    // The new run: the same case regressed, one that hangs, one filtered out.
    let new_cases = dir.join("new");
    std::fs::create_dir_all(&new_cases).unwrap();
    std::fs::write(new_cases.join("sync.toml"), with_result(&sync, broken)).unwrap();
    // On the real clock: on the virtual one a sleep costs no wall time.
    let slow =
        format!("{sync}\n[host]\nclock = \"real\"\n\n[host.baz]\ndelay-ms = 5000\n\n[limits]\ntimeout-ms = 200\n");
    std::fs::write(new_cases.join("slow.toml"), slow).unwrap();
    std::fs::write(new_cases.join("other.toml"), &sync).unwrap();
    let new_report = dir.join("new.json");
    let run = harness(&["run", s(&new_cases), "--report", s(&new_report), "--", "--skip", "other"], &[]);
    assert!(!run.status.success(), "{}", text(&run));

    let old = read_json(&old_report);
    let new = read_json(&new_report);
    assert_eq!(old["report_version"], 1);
    assert_eq!(case(&old, "sync")["outcome"], "pass");
    assert_eq!(case(&old, "sync")["summary"], Value::Null);
    let regressed = case(&new, "sync");
    assert_eq!(regressed["outcome"], "fail");
    let summary = regressed["summary"].as_str().unwrap();
    assert!(summary.contains(broken) && summary.contains(expected.as_str().unwrap()), "{summary}");
    assert!(regressed["duration_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(case(&new, "slow")["outcome"], "timed_out");
    assert_eq!(case(&new, "slow")["summary"], "timed out after 200 ms");
    assert_eq!(case(&new, "other")["outcome"], "skipped");
    assert_eq!(new["totals"]["fail"], 1);
    assert_eq!(new["totals"]["timed_out"], 1);
    assert_eq!(new["totals"]["skipped"], 1);

    // What was in use is recorded from both lock files.
    let env = &new["environment"];
    assert_eq!(env["host"], "wasmtime");
    assert!(env["rustc"].as_str().unwrap().starts_with("rustc "), "{env:#}");
    assert!(!env["commit"].as_str().unwrap().is_empty());
    let crates = env["crates"].as_array().unwrap();
    let find = |name: &str, lock: &str| {
        crates.iter().find(|c| c["name"] == name && c["lock"] == lock).unwrap_or_else(|| panic!("{name}: {env:#}"))
    };
    assert_eq!(find("wasmtime", "Cargo.lock")["version"], harness::build::lockfile::wasmtime_version());
    assert_eq!(find("wit-bindgen", "guests/Cargo.lock")["source"], "crates.io");
    find("wasmparser", "Cargo.lock");
    find("wasm-wave", "Cargo.lock");

    let compare = harness(&["compare", s(&old_report), s(&new_report)], &[]);
    assert_eq!(compare.status.code(), Some(1), "{}", text(&compare));
    let out = stdout(&compare);
    let regressions = out.find("regressions (1):").unwrap_or_else(|| panic!("{out}"));
    let line = out.find(&format!("  sync: pass → fail: {summary}")).unwrap_or_else(|| panic!("{out}"));
    let added = out.find("new cases (2):").unwrap_or_else(|| panic!("{out}"));
    assert!(regressions < line && line < added, "{out}");
    assert!(out.contains("  slow: timed out: timed out after 200 ms"), "{out}");

    let markdown = harness(&["compare", s(&old_report), s(&new_report), "--format", "markdown"], &[]);
    assert_eq!(markdown.status.code(), Some(1), "{}", text(&markdown));
    assert!(stdout(&markdown).contains("| regression | `sync` | pass | fail |"), "{}", text(&markdown));

    // The other way round it is a fix, and nothing regressed.
    let reverse = harness(&["compare", s(&new_report), s(&old_report)], &[]);
    assert!(reverse.status.success(), "{}", text(&reverse));
    assert!(stdout(&reverse).contains("fixes (1):\n  sync: fail → pass"), "{}", text(&reverse));
}

#[test]
fn known_failures_pass_and_listed_passes_name_the_line_to_delete() {
    let (_guard, dir) = scratch();
    let sync = project_case("round-trip/single/sync");
    let cases = dir.join("cases");
    std::fs::write(cases.join("good.toml"), &sync).unwrap();
    std::fs::write(cases.join("broken.toml"), with_result(&sync, "\"not what it returns\"")).unwrap();
    let report = dir.join("report.json");

    let listed = dir.join("broken-listed.toml");
    std::fs::write(&listed, "[known-failures]\nbroken = \"the expectation is wrong on purpose\"\n").unwrap();
    let run = harness(&["run", s(&cases), "--expectations", s(&listed), "--report", s(&report)], &[]);
    assert!(run.status.success(), "{}", text(&run));
    assert!(stdout(&run).contains("known failures (1)"), "{}", text(&run));
    let json = read_json(&report);
    assert_eq!(case(&json, "broken")["outcome"], "known_failure");
    assert_eq!(case(&json, "broken")["reason"], "the expectation is wrong on purpose");
    assert_eq!(case(&json, "good")["outcome"], "pass");

    // Without the expectations file the same case fails.
    let run = harness(&["run", s(&cases)], &[]);
    assert!(!run.status.success(), "{}", text(&run));

    let passing = dir.join("good-listed.toml");
    std::fs::write(&passing, "# good passes\n[known-failures]\n\"good\" = \"not really\"\n").unwrap();
    let run = harness(&["run", s(&cases), "--expectations", s(&passing), "--report", s(&report)], &[]);
    assert!(!run.status.success(), "{}", text(&run));
    let remove = format!("remove the entry at {}:3", passing.display());
    assert!(stdout(&run).contains(&remove), "expected `{remove}` in:\n{}", text(&run));
    assert_eq!(case(&read_json(&report), "good")["outcome"], "unexpected_pass");

    let unknown = dir.join("unknown.toml");
    std::fs::write(&unknown, "[known-failures]\nbroken = \"r\"\nmissing = \"r\"\n").unwrap();
    let run = harness(&["run", s(&cases), "--expectations", s(&unknown)], &[]);
    assert!(!run.status.success(), "{}", text(&run));
    let error = format!("{}:3:1: unknown case `missing`", unknown.display());
    assert!(text(&run).contains(&error), "expected `{error}` in:\n{}", text(&run));
}

#[test]
fn bless_rewrites_the_wrong_expectations_and_keeps_comments() {
    let (_guard, dir) = scratch();
    let cases = dir.join("cases");
    let original = project_case("concurrency/async-overlaps");
    let events = expect_value(&original, "transcript");
    let result = expect_value(&original, "result");
    let first_event = events[0].as_str().unwrap();
    let wrong = with_result(&original, "\"wrong\"")
        .replacen(&format!("\"{first_event}\", "), "", 1)
        .replace("[expect]\n", "[expect]\n# a comment bless must keep\n");
    assert_ne!(wrong, original);
    let case_file = cases.join("overlaps.toml");
    std::fs::write(&case_file, &wrong).unwrap();
    let slow_text = format!("{}\n[limits]\ntimeout-ms = 50\n", project_case("round-trip/single/sync"));
    let slow_text =
        slow_text.replace("[expect]", "[host]\nclock = \"real\"\n\n[host.baz]\ndelay-ms = 5000\n\n[expect]");
    let slow = cases.join("slow.toml");
    std::fs::write(&slow, &slow_text).unwrap();

    // Never on CI, whichever way it is asked for.
    for (args, env) in [
        (vec!["run", s(&cases)], vec![("HARNESS_BLESS", "1"), ("CI", "true")]),
        (vec!["run", "--bless", s(&cases)], vec![("CI", "true")]),
    ] {
        let run = harness(&args, &env);
        assert!(!run.status.success(), "{}", text(&run));
        assert!(text(&run).contains("refusing to rewrite case files on CI"), "{}", text(&run));
        assert_eq!(std::fs::read_to_string(&case_file).unwrap(), wrong);
    }

    let report = dir.join("report.json");
    let run = harness(&["run", "--bless", s(&cases), "--report", s(&report)], &[]);
    // The time-out is not blessed, so the run still fails.
    assert!(!run.status.success(), "{}", text(&run));
    let out = stdout(&run);
    let blessed = "overlaps.toml (expect.result, expect.transcript)";
    assert!(
        out.lines().any(|l| l.starts_with("blessed ") && l.ends_with(blessed)),
        "no `{blessed}` in:\n{}",
        text(&run)
    );
    assert_eq!(std::fs::read_to_string(&slow).unwrap(), slow_text);
    assert!(stdout(&run).contains("not blessed: the case timed out"), "{}", text(&run));
    let json = read_json(&report);
    assert_eq!(
        (&case(&json, "overlaps")["outcome"], &case(&json, "overlaps")["blessed"]),
        (&"pass".into(), &true.into())
    );
    assert_eq!(case(&json, "slow")["outcome"], "timed_out");

    let now = std::fs::read_to_string(&case_file).unwrap();
    for comment in wrong.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(now.contains(comment), "bless dropped `{comment}`:\n{now}");
    }
    assert_eq!(expect_value(&now, "result"), result);
    assert_eq!(expect_value(&now, "transcript"), events);

    std::fs::remove_file(&slow).unwrap();
    let run = harness(&["run", s(&cases)], &[]);
    assert!(run.status.success(), "{}", text(&run));
}
