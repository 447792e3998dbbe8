//! The judge settles each case's test result: a failure the host's
//! expectations list becomes a known failure (and a listed pass a failing
//! test), and with bless on, a case that differs is rewritten to expect what
//! was observed.
//!
//! libtest-mimic does not hand back per-test outcomes, so each test records
//! its own into the shared `Judge`, and the report is written once
//! `libtest_mimic::run` returns; cases that never ran were filtered out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use case_format::CaseFile;

use super::bless::Rewrite;
use super::expectations::Expectations;
use super::{CaseResult, Outcome};
use crate::check::render;

/// How a case went, before the host's expectations and bless apply.
#[derive(Debug)]
pub struct CaseRun {
    /// `Pass`, `Fail` or `TimedOut`.
    pub outcome: Outcome,
    /// The failure message: what ran, the diff or error, the guests'
    /// output. Empty on a pass.
    pub message: String,
    /// One line saying what went wrong, for reports. Empty on a pass.
    pub summary: String,
    /// When the observation differs from the expectation: the rewrite that
    /// would make the case expect it, or why there is none.
    pub bless: Option<Result<Rewrite, String>>,
    /// The flagged runtime features the case turned on (`[config]`).
    pub features: Vec<String>,
}

impl CaseRun {
    pub fn pass() -> CaseRun {
        CaseRun {
            outcome: Outcome::Pass,
            message: String::new(),
            summary: String::new(),
            bless: None,
            features: Vec::new(),
        }
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
        let known = self.expectations.lookup(&file.path, file.cell.as_deref());
        let mut blessed = false;
        let (outcome, result) = match (run.outcome, known) {
            (Outcome::Pass, None) => (Outcome::Pass, Ok(())),
            (Outcome::Pass, Some(entry)) => (
                Outcome::UnexpectedPass,
                Err(format!(
                    "unexpected pass: `{}` is listed as a known failure ({}), but it passes now; \
                     remove the entry at {}",
                    entry.name, entry.reason, entry.at
                )),
            ),
            // A known failure is never blessed: that would make the case
            // expect the host's bug.
            (_, Some(_)) => (Outcome::KnownFailure, Ok(())),
            (outcome, None) => {
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
            config: run.features,
            detail: (failed && !run.message.is_empty()).then(|| run.message.trim_end().to_string()),
        });
        result
    }

    /// Rewrite a case file and say so, as each one happens.
    fn bless(&self, rewrite: &Rewrite) -> Result<(), String> {
        rewrite.apply().map_err(|e| render::render(&e))?;
        let what = format!("{} ({})", self.shown(&rewrite.path), rewrite.keys_and_files());
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
        // By name, so that a suite of 10,000 cases is not 10,000 scans.
        let mut records: std::collections::HashMap<String, CaseResult> =
            std::mem::take(&mut *self.records.lock().unwrap()).into_iter().map(|r| (r.name.clone(), r)).collect();
        files
            .iter()
            .map(|file| match records.remove(&file.name) {
                Some(record) => record,
                None => CaseResult {
                    name: file.name.clone(),
                    file: self.shown(&file.path),
                    outcome: Outcome::Skipped,
                    duration_ms: 0.0,
                    summary: None,
                    reason: None,
                    blessed: false,
                    config: Vec::new(),
                    detail: None,
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
            let _ = writeln!(out, "bless rewrote {} case file(s):", blessed.len());
            for file in blessed.iter() {
                let _ = writeln!(out, "    {file}");
            }
        }
        out
    }
}
