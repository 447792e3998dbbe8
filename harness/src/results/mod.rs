//! Results: from a checked case to the test's result and the report. The
//! host's known failures (`expectations`) and bless (`bless`) are applied by
//! the `judge`; every outcome goes into the JSON report (here) that
//! `harness compare` reads (`compare`), with the versions in use
//! (`environment`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

pub mod bless;
pub mod compare;
pub mod environment;
pub mod expectations;
pub mod judge;
pub mod page;

use environment::Environment;

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
    /// The flagged runtime features the case turned on (`[config]`), e.g.
    /// `more-async-builtins`; empty for most cases.
    #[serde(default)]
    pub config: Vec<String>,
    /// The whole failure message (what ran, the first difference, the diff
    /// or the error), for a case that did not pass; `harness page` shows it.
    /// Absent in reports written before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
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
        // Atomically: a run killed while writing leaves the old report whole.
        crate::build::cache::write_atomically(path, (json + "\n").as_bytes())
            .with_context(|| format!("cannot write report {}", path.display()))
    }

    /// Read a report, refusing versions this harness does not know.
    pub fn read(path: &Path) -> Result<Report> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read report {}", path.display()))?;
        let version: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
        match version.get("report_version") {
            Some(v) if v.as_u64() == Some(u64::from(REPORT_VERSION)) => {}
            Some(v) => bail!("{}: report_version {v}; this harness reads version {REPORT_VERSION}", path.display()),
            None => bail!("{}: not a harness report (no report_version)", path.display()),
        }
        let report: Report =
            serde_json::from_str(&text).with_context(|| format!("{}: not a valid report", path.display()))?;
        let mut names = std::collections::BTreeSet::new();
        if let Some(twice) = report.cases.iter().find(|c| !names.insert(c.name.as_str())) {
            bail!("{}: the case `{}` is listed twice; a report has each case once", path.display(), twice.name);
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            config: Vec::new(),
            detail: None,
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

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        let mut twice = report.clone();
        for (i, case) in twice.cases.iter_mut().enumerate() {
            case.name = format!("case-{i}");
        }
        twice.write(&path).unwrap();
        assert_eq!(Report::read(&path).unwrap(), twice);
        twice.cases[1].name = "other".into();
        twice.cases[2].name = "other".into();
        twice.write(&path).unwrap();
        assert!(Report::read(&path).unwrap_err().to_string().contains("`other` is listed twice"));
        std::fs::write(&path, "{\"report_version\": \"1\"}").unwrap();
        assert!(Report::read(&path).unwrap_err().to_string().contains("report_version \"1\""));
    }
}
