//! Stage 8: from what a case did to the test's result and the report's
//! outcome. The host's expectations turn a listed failure into a known
//! failure (and a listed pass into a failing test), bless rewrites a case
//! that differs, and every outcome is recorded for the JSON report that
//! `harness compare` reads.
//!
//! libtest-mimic does not hand back per-test outcomes, so each test records
//! its own into the shared `Judge`, and the report is written once
//! `libtest_mimic::run` returns; cases that never ran were filtered out.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::bless::{self, Rewrite};
use crate::discover::CaseFile;
use crate::expectations::Expectations;
use crate::run;
use crate::suite::{CaseRun, Verdict};
use crate::versions::Environment;

/// The report format's version. Fields may be added without changing it;
/// removing a field or changing what one means bumps it.
pub const REPORT_VERSION: u32 = 1;

/// How a case ended, after the host's expectations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// Failed (or timed out), and the expectations file lists it.
    KnownFailure,
    /// Passed, but the expectations file lists it: the test fails until the
    /// entry is removed.
    UnexpectedPass,
    TimedOut,
    /// Not run: filtered out by name, or ignored.
    Skipped,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Pass,
        Outcome::Fail,
        Outcome::KnownFailure,
        Outcome::UnexpectedPass,
        Outcome::TimedOut,
        Outcome::Skipped,
    ];

    /// Whether the behaviour under test works, regardless of expectations;
    /// `None` when the case did not run.
    pub fn works(self) -> Option<bool> {
        match self {
            Outcome::Pass | Outcome::UnexpectedPass => Some(true),
            Outcome::Fail | Outcome::KnownFailure | Outcome::TimedOut => Some(false),
            Outcome::Skipped => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::KnownFailure => "known failure",
            Outcome::UnexpectedPass => "unexpected pass",
            Outcome::TimedOut => "timed out",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One case in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The test name (the case file's path below the folder searched, no `.toml`).
    pub name: String,
    /// The case file, relative to the project when inside it.
    pub file: String,
    pub outcome: Outcome,
    /// Wall-clock time of the test, including any guest build, composition
    /// or compilation it was the first to need. 0 when skipped.
    pub duration_ms: f64,
    /// One line saying what went wrong: the trap, the first divergent line,
    /// the time-out or the error. `null` when the case passed or was skipped.
    pub summary: Option<String>,
    /// The expectations file's reason, for a known failure or an unexpected pass.
    pub reason: Option<String>,
    /// Whether bless rewrote the case file in this run.
    pub blessed: bool,
}

/// A run's report: what ran on what, and how each case ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `REPORT_VERSION` of the writer.
    pub report_version: u32,
    pub environment: Environment,
    /// How many cases ended each way; every outcome is present.
    pub totals: BTreeMap<Outcome, usize>,
    /// Every case found, sorted by name.
    pub cases: Vec<CaseResult>,
}

impl Report {
    pub fn new(environment: Environment, cases: Vec<CaseResult>) -> Report {
        let mut totals: BTreeMap<Outcome, usize> = Outcome::ALL.iter().map(|o| (*o, 0)).collect();
        for case in &cases {
            *totals.entry(case.outcome).or_default() += 1;
        }
        Report { report_version: REPORT_VERSION, environment, totals, cases }
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_string_pretty(self).context("cannot serialise the report")?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(path, json + "\n").with_context(|| format!("cannot write report {}", path.display()))
    }

    /// Read a report, refusing versions this harness does not know.
    pub fn read(path: &Path) -> Result<Report> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read report {}", path.display()))?;
        let version: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
        match version.get("report_version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(REPORT_VERSION) => {}
            Some(v) => bail!("{}: report_version {v}; this harness reads version {REPORT_VERSION}", path.display()),
            None => bail!("{}: not a harness report (no report_version)", path.display()),
        }
        serde_json::from_str(&text).with_context(|| format!("{}: not a valid report", path.display()))
    }
}

/// Settles each case's test result and records its outcome.
pub struct Judge {
    expectations: Expectations,
    bless: bool,
    /// Case files are shown relative to this folder when inside it.
    root: PathBuf,
    records: Mutex<Vec<CaseResult>>,
    blessed: Mutex<Vec<String>>,
}

impl Judge {
    pub fn new(expectations: Expectations, bless: bool, root: &Path) -> Judge {
        Judge { expectations, bless, root: root.to_owned(), records: Mutex::default(), blessed: Mutex::default() }
    }

    /// The test's result for a case run; `Err` is the failure message.
    pub fn settle(&self, file: &CaseFile, run: CaseRun, took: Duration) -> Result<(), String> {
        let known = self.expectations.lookup(&file.path);
        let mut blessed = false;
        let (outcome, result) = match (run.verdict, known) {
            (Verdict::Pass, None) => (Outcome::Pass, Ok(())),
            (Verdict::Pass, Some(entry)) => (
                Outcome::UnexpectedPass,
                Err(format!(
                    "unexpected pass: `{}` is listed as a known failure ({}), but it passes now; \
                     remove the entry at {}",
                    entry.name, entry.reason, entry.at
                )),
            ),
            // A known failure is never blessed: that would make the case
            // expect the host's bug.
            (Verdict::Fail | Verdict::TimedOut, Some(_)) => (Outcome::KnownFailure, Ok(())),
            (verdict @ (Verdict::Fail | Verdict::TimedOut), None) => {
                let outcome = if verdict == Verdict::TimedOut { Outcome::TimedOut } else { Outcome::Fail };
                let not_blessed = |why: &str| Err(format!("{}\n\nnot blessed: {why}", run.message.trim_end()));
                match (&run.bless, self.bless) {
                    (_, false) => (outcome, Err(run.message.clone())),
                    (Some(Ok(rewrite)), true) => match self.bless(rewrite) {
                        Ok(()) => {
                            blessed = true;
                            (Outcome::Pass, Ok(()))
                        }
                        Err(e) => (outcome, not_blessed(&e)),
                    },
                    (Some(Err(why)), true) => (outcome, not_blessed(why)),
                    (None, true) => (outcome, not_blessed("the case could not run, so nothing was observed")),
                }
            }
        };
        let failed = !matches!(outcome, Outcome::Pass | Outcome::Skipped);
        self.records.lock().unwrap().push(CaseResult {
            name: file.name.clone(),
            file: self.shown(&file.path),
            outcome,
            duration_ms: (took.as_secs_f64() * 10_000.0).round() / 10.0,
            summary: (failed && !run.summary.is_empty()).then_some(run.summary),
            reason: known.map(|e| e.reason.clone()),
            blessed,
        });
        result
    }

    /// Rewrite a case file and say so, as each one happens.
    fn bless(&self, rewrite: &Rewrite) -> Result<(), String> {
        rewrite.apply().map_err(|e| crate::report::render(&e))?;
        let what = format!("{} ({})", self.shown(&rewrite.path), rewrite.keys());
        println!("blessed {what}");
        self.blessed.lock().unwrap().push(what);
        Ok(())
    }

    fn shown(&self, path: &Path) -> String {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        absolute.strip_prefix(&self.root).unwrap_or(path).display().to_string()
    }

    /// Every case in `files`, in order; those that recorded nothing were
    /// not run.
    pub fn results(&self, files: &[CaseFile]) -> Vec<CaseResult> {
        let mut records = std::mem::take(&mut *self.records.lock().unwrap());
        files
            .iter()
            .map(|file| match records.iter().position(|r| r.name == file.name) {
                Some(i) => records.swap_remove(i),
                None => CaseResult {
                    name: file.name.clone(),
                    file: self.shown(&file.path),
                    outcome: Outcome::Skipped,
                    duration_ms: 0.0,
                    summary: None,
                    reason: None,
                    blessed: false,
                },
            })
            .collect()
    }

    /// What the per-test lines do not show: known failures and their reasons,
    /// and the files bless rewrote.
    pub fn epilogue(&self, results: &[CaseResult]) -> String {
        let mut out = String::new();
        let known: Vec<_> = results.iter().filter(|r| r.outcome == Outcome::KnownFailure).collect();
        if !known.is_empty() {
            let _ = writeln!(out, "known failures ({}), passing as expected failures:", known.len());
            for r in known {
                let _ = writeln!(
                    out,
                    "    {}: {} [{}]",
                    r.name,
                    r.reason.as_deref().unwrap_or_default(),
                    r.summary.as_deref().unwrap_or_default()
                );
            }
        }
        let blessed = self.blessed.lock().unwrap();
        if !blessed.is_empty() {
            let _ = writeln!(out, "{} rewrote {} case file(s):", bless::VAR, blessed.len());
            for file in blessed.iter() {
                let _ = writeln!(out, "    {file}");
            }
        }
        out
    }
}

/// One line for the report about a case whose comparison failed: the
/// time-out, the unexpected trap or error, or the first line that differs.
pub fn summary(outcome: &run::Outcome, diff: &str) -> String {
    if let run::Outcome::TimedOut(limit) = outcome {
        return format!("timed out after {} ms", limit.as_millis());
    }
    // Both sides agree up to the first hunk, so lining up its old and new
    // lines shows the first divergence with both sides (the diff alone may
    // show an insertion first where the sides merely swapped two events).
    let mut expected = Vec::new();
    let mut got = Vec::new();
    for line in diff.lines().skip_while(|l| !l.starts_with("@@")).skip(1) {
        match line.split_at_checked(1) {
            Some((" ", same)) => {
                expected.push(same);
                got.push(same);
            }
            Some(("-", e)) => expected.push(e),
            Some(("+", g)) => got.push(g),
            _ => break,
        }
    }
    let line = match expected.iter().zip(&got).position(|(e, g)| e != g) {
        Some(i) => format!("expected `{}`, got `{}`", expected[i], got[i]),
        None if expected.len() > got.len() => format!("missing `{}`", expected[got.len()]),
        None if got.len() > expected.len() => format!("unexpected `{}`", got[expected.len()]),
        None => diff.lines().next().unwrap_or_default().to_string(),
    };
    one_line(&line)
}

/// At most one line of reasonable length.
pub fn one_line(text: &str) -> String {
    const MAX: usize = 300;
    let line = text.lines().next().unwrap_or_default().trim();
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn returned() -> run::Outcome {
        run::Outcome::Returned(Vec::new())
    }

    #[test]
    fn summary_shows_both_sides_of_the_first_divergence() {
        let diff = crate::compare::diff(
            "x.toml",
            "returned \"a\"\n-- host events --\nbaz.foo enter 1\nbaz.foo enter 2\nbaz.foo exit 1\n",
            "returned \"a\"\n-- host events --\nbaz.foo enter 1\nbaz.foo exit 1\nbaz.foo enter 2\n",
        );
        assert_eq!(summary(&returned(), &diff), "expected `baz.foo enter 2`, got `baz.foo exit 1`");
        let trap = crate::compare::diff("x.toml", "returned \"a\"\n", "trap cannot-block-sync-task\n");
        assert_eq!(summary(&returned(), &trap), "expected `returned \"a\"`, got `trap cannot-block-sync-task`");
        let extra = crate::compare::diff("x.toml", "returned\n", "returned\nreturned\n");
        assert_eq!(summary(&returned(), &extra), "unexpected `returned`");
    }

    #[test]
    fn summary_of_a_time_out_says_so() {
        let s = summary(&run::Outcome::TimedOut(Duration::from_millis(250)), "anything");
        assert_eq!(s, "timed out after 250 ms");
    }

    #[test]
    fn totals_count_every_outcome() {
        let case = |outcome| CaseResult {
            name: "n".into(),
            file: "f".into(),
            outcome,
            duration_ms: 1.0,
            summary: None,
            reason: None,
            blessed: false,
        };
        let env = Environment {
            host: "wasmtime".into(),
            commit: "c".into(),
            dirty: None,
            rustc: "r".into(),
            patched: false,
            crates: Vec::new(),
        };
        let report = Report::new(env, vec![case(Outcome::Pass), case(Outcome::Pass), case(Outcome::TimedOut)]);
        assert_eq!(report.totals.len(), Outcome::ALL.len());
        assert_eq!((report.totals[&Outcome::Pass], report.totals[&Outcome::TimedOut]), (2, 1));
        assert_eq!(report.totals[&Outcome::Fail], 0);
    }
}
