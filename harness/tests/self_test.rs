//! The harness tests itself: every fixture under `tests/fixtures/` is a case
//! that is broken on purpose, run by the real `harness` binary in one run
//! together with good cases, and each must fail for the reason its header
//! documents. A harness that passes a case it should fail is worse than none.
//!
//! A fixture's header says what must happen, one line each:
//!
//! ```toml
//! # self-test: fails with "+timed out after 300 ms (limits.timeout-ms)"
//! # self-test: passes
//! ```
//!
//! A `.wast` fixture writes the same lines as `;; self-test: ...`.
//!
//! A fixture with a `fails with` line must fail and its failure text must
//! contain every quoted message; one with `passes` must pass. A fixture
//! with neither is itself an error, so no fixture runs unchecked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use walkdir::WalkDir;

fn root() -> PathBuf {
    harness::suite::project_root()
}

/// Run the harness binary with `args` from the project root.
fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("cannot run the harness binary")
}

#[derive(Debug, PartialEq)]
enum Expected {
    Fails(Vec<String>),
    Passes,
}

/// Every fixture by test name, with what its header says must happen.
fn fixtures(dir: &Path) -> BTreeMap<String, Expected> {
    let mut out = BTreeMap::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        // The header is a comment in the file's own syntax.
        let prefix = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => "# self-test: ",
            Some("wast") => ";; self-test: ",
            _ => continue,
        };
        let name = path.strip_prefix(dir).unwrap().with_extension("").to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(path).unwrap();
        let mut messages = Vec::new();
        let mut passes = false;
        for line in text.lines() {
            let Some(rule) = line.strip_prefix(prefix) else { continue };
            if rule == "passes" {
                passes = true;
            } else if let Some(quoted) = rule.strip_prefix("fails with ") {
                let message = quoted
                    .strip_prefix('"')
                    .and_then(|q| q.strip_suffix('"'))
                    .unwrap_or_else(|| panic!("{}: quote the message: {line}", path.display()));
                messages.push(message.replace("\\\"", "\""));
            } else {
                panic!("{}: unknown self-test rule: {line}", path.display());
            }
        }
        let expected = match (passes, messages.is_empty()) {
            (true, true) => Expected::Passes,
            (false, false) => Expected::Fails(messages),
            (true, false) => panic!("{}: both `passes` and `fails with`", path.display()),
            (false, true) => panic!("{}: no `# self-test:` line says what must happen", path.display()),
        };
        out.insert(name, expected);
    }
    out
}

/// libtest-mimic's output: `test NAME ... ok|FAILED` lines, and the failure
/// text in each `---- NAME ----` section.
struct Results {
    status: BTreeMap<String, String>,
    failures: BTreeMap<String, String>,
}

fn parse(stdout: &str) -> Results {
    let mut status = BTreeMap::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, result)) = rest.rsplit_once(" ... ")
        {
            status.insert(name.trim_end().to_string(), result.trim().to_string());
        }
    }
    let mut failures = BTreeMap::new();
    for section in stdout.split("\n---- ").skip(1) {
        let Some((name, body)) = section.split_once(" ----\n") else { continue };
        // The last section runs into the summary.
        let body = body.split("\nfailures:\n").next().unwrap_or(body);
        failures.insert(name.to_string(), body.to_string());
    }
    Results { status, failures }
}

#[test]
fn every_fixture_fails_for_its_documented_reason() {
    let dir = root().join("harness/tests/fixtures");
    let fixtures = fixtures(&dir);
    assert!(fixtures.values().any(|e| *e == Expected::Passes), "no passing fixture runs alongside the broken ones");
    let expectations = "harness/tests/fixtures-expectations.toml";
    let out = harness(&["run", "harness/tests/fixtures", "--expectations", expectations, "--", "--test-threads", "4"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the run with broken fixtures exited successfully\n{stdout}\n{stderr}");
    let results = parse(&stdout);

    let mut problems = Vec::new();
    for (name, expected) in &fixtures {
        let status = results.status.get(name).map(String::as_str);
        match expected {
            Expected::Passes if status != Some("ok") => problems
                .push(format!("{name}: must pass, got {status:?}:\n{}", results.failures.get(name).map_or("", |s| s))),
            Expected::Passes => {}
            Expected::Fails(messages) => {
                if status != Some("FAILED") {
                    problems.push(format!("{name}: must fail, got {status:?}"));
                    continue;
                }
                let text = results.failures.get(name).map_or("", String::as_str);
                for m in messages.iter().filter(|m| !text.contains(m.as_str())) {
                    problems.push(format!("{name}: the failure does not contain `{m}`; it is:\n{text}"));
                }
            }
        }
    }
    let unknown: Vec<_> = results.status.keys().filter(|n| !fixtures.contains_key(*n)).collect();
    if !unknown.is_empty() {
        problems.push(format!("tests that are not fixtures: {unknown:?}"));
    }
    assert!(problems.is_empty(), "{}\n\nfull output:\n{stdout}\n{stderr}", problems.join("\n\n"));
}

#[test]
fn an_empty_cases_folder_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = harness(&["run", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "an empty cases folder passed");
    assert!(stderr.contains("no case files (*.toml, *.wast) found in"), "{stderr}");
}

#[test]
fn a_missing_cases_folder_fails_the_run() {
    let out = harness(&["run", "harness/tests/no-such-folder"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a missing cases folder passed");
    assert!(stderr.contains("case path harness/tests/no-such-folder does not exist"), "{stderr}");
}

#[test]
fn a_filter_that_matches_nothing_fails_the_run() {
    let out = harness(&["run", "harness/tests/fixtures/passing", "--", "no-such-case-typo"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a filter matching no case passed");
    assert!(stderr.contains("no case ran: the filters (`no-such-case-typo`) match none of the"), "{stderr}");
}

/// A case naming a sidecar outside its folder, blessed: nothing outside the
/// folder is read or written, and the case file stays as it was.
#[test]
fn bless_never_touches_a_file_outside_the_case_folder() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases");
    std::fs::create_dir(&cases).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    let case = cases.join("escape.toml");
    let text = "description = \"d\"\nchain = [\"guest-sync\"]\n\n[call]\nfunction = \"local:local/baz#foo\"\n\
                args = ['\"hi\"']\n\n[expect]\nresult = '\"wrong\"'\ntranscript-file = \"../victim.txt\"\n";
    std::fs::write(&case, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(["run", "--bless", cases.to_str().unwrap()])
        .env_remove("CI")
        .current_dir(root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("`transcript-file` `../victim.txt` contains `..`"), "{stdout}");
    assert!(stdout.contains("not blessed"), "{stdout}");
    assert!(!stdout.contains("precious"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_eq!(std::fs::read_to_string(&case).unwrap(), text);
}

#[test]
fn zero_test_threads_is_refused() {
    let out = harness(&["run", "harness/tests/fixtures/passing", "--", "--test-threads", "0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "--test-threads 0 passed");
    assert!(stderr.contains("--test-threads 0 would run nothing"), "{stderr}");
}

/// A result of 64 KiB that differs in one character: the failure names the
/// character and shows a window around it, in under 2 KiB all told.
#[test]
fn a_64_kib_mismatch_prints_under_2_kib() {
    let dir = tempfile::tempdir().unwrap();
    let input = "a".repeat(65536);
    let mut wrong = format!("{input} - entered guest - entered host - exited host - exited guest");
    wrong.replace_range(40000..40001, "b");
    let case = dir.path().join("big.toml");
    let text = format!(
        "description = \"a long result that differs in one character\"\nchain = [\"guest-sync\"]\n\n[call]\n\
         function = \"local:local/baz#foo\"\nargs = ['\"{input}\"']\n\n[expect]\nresult = '\"{wrong}\"'\n"
    );
    std::fs::write(&case, text).unwrap();
    let out = harness(&["run", case.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "a wrong 64 KiB result passed");
    let failure = parse(&stdout).failures.remove("big").unwrap_or_else(|| panic!("no failure text in:\n{stdout}"));
    // `returned "` is 10 characters, so the 40001st of the value is #40011.
    assert!(failure.contains("first differing character is #40011 of the line"), "{failure}");
    assert!(failure.contains("big.toml:9:10"), "{failure}");
    assert!(failure.len() < 2048, "{} bytes:\n{failure}", failure.len());
}
