//! The coverage file (`coverage/anchors.toml`): which known Component Model
//! async test scenarios ("anchors": wasmtime's tests, the component-model
//! repository's `.wast` tests, jco's) the cases check, and the README table
//! generated from it.
//!
//! The survey that judged each anchor lives outside the repository, so the
//! file carries its own copy of every scenario id; `tests/coverage.rs` pins
//! their number, so an entry cannot disappear unnoticed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use toml::Spanned;

use crate::load::Source;

/// Where the coverage file is, relative to the repository root.
pub const PATH: &str = "coverage/anchors.toml";

/// The README lines between which the generated table sits.
pub const BEGIN: &str = "<!-- coverage:begin -->";
pub const END: &str = "<!-- coverage:end -->";

/// The command that rewrites the README's table; failures print it.
pub const BLESS_COMMAND: &str = "COVERAGE_BLESS=1 cargo test -p case-format --test coverage";

/// What `add` may name: the ways to turn a gap into cases, cheapest first.
pub const ADD_KINDS: &[&str] = &["data", "code", "script", "wat", "host", "flag", "guest"];

/// The whole coverage file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    pub survey: Survey,
    #[serde(rename = "repo")]
    pub repos: Vec<Repo>,
    #[serde(rename = "topic")]
    pub topics: Vec<Topic>,
    #[serde(rename = "scenario")]
    pub scenarios: Vec<Scenario>,
}

/// The survey the statuses come from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Survey {
    /// Its path in the shared folder next to the repository.
    pub document: String,
    /// The commit of this repository it was measured at.
    pub measured_at: String,
    /// How many scenarios it numbers: the ids run from 1 to this.
    pub scenarios: Spanned<u32>,
}

/// A repository that anchors come from, at the commit the survey read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repo {
    pub name: Spanned<String>,
    pub url: String,
    pub commit: String,
}

/// A topic the scenarios are grouped by (the README's table has one row each).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub id: Spanned<String>,
    pub name: String,
}

/// One anchor scenario.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Its number in the survey.
    pub id: Spanned<u32>,
    pub topic: Spanned<String>,
    pub title: Spanned<String>,
    /// The `name` of a `[[repo]]`.
    pub repo: Spanned<String>,
    /// Path in that repository, with `::test` for a test function.
    pub anchor: String,
    pub status: Spanned<Status>,
    /// Why a `not-applicable` scenario cannot be a case.
    pub reason: Option<Spanned<Reason>>,
    /// Case files, relative to the repository root.
    #[serde(default)]
    pub cases: Vec<Spanned<String>>,
    /// For `partial` and `missing`: what adding it takes, `+`-joined kinds.
    pub add: Option<Spanned<String>>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Covered,
    Partial,
    Missing,
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Needs a feature not yet available upstream.
    GatedUpstream,
    /// Tests an embedder's API, not Component Model behaviour.
    EmbedderApi,
    /// Excluded by the harness's design (e.g. outbound HTTP is denied).
    OutOfScope,
}

/// Scenario counts per status.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub covered: usize,
    pub partial: usize,
    pub missing: usize,
    pub not_applicable: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.covered + self.partial + self.missing + self.not_applicable
    }

    fn add(&mut self, status: Status) {
        match status {
            Status::Covered => self.covered += 1,
            Status::Partial => self.partial += 1,
            Status::Missing => self.missing += 1,
            Status::NotApplicable => self.not_applicable += 1,
        }
    }
}

impl Coverage {
    /// Read, parse and validate `PATH` under the repository `root`. Messages
    /// name the file relative to the root, as a reader of the repo sees it.
    pub fn load(root: &Path) -> Result<Coverage> {
        let text = std::fs::read_to_string(root.join(PATH)).with_context(|| format!("cannot read {PATH}"))?;
        let source = Source::new(PATH.into(), text);
        Coverage::parse(&source, &|case| match case.split_once('#') {
            None => root.join(case).is_file(),
            Some((file, cell)) => std::fs::read_to_string(root.join(file))
                .ok()
                .and_then(|text| crate::matrix::labels(&text))
                .is_some_and(|labels| labels.iter().any(|l| l == cell)),
        })
    }

    /// Parse and validate a coverage file's text; `case_exists` says whether
    /// a path relative to the repository root is a file (or, written
    /// `FILE#CELL`, a cell of the matrix file FILE).
    pub fn parse(src: &Source, case_exists: &dyn Fn(&str) -> bool) -> Result<Coverage> {
        let coverage: Coverage = toml::from_str(&src.text).map_err(|e| {
            let at = e.span().map_or_else(|| src.path.display().to_string(), |s| src.at(&s));
            anyhow::anyhow!("{at}: {}", e.message().trim_end())
        })?;
        let problems = coverage.problems(src, case_exists);
        if !problems.is_empty() {
            bail!("{}", problems.join("\n"));
        }
        Ok(coverage)
    }

    /// Every problem at once: fixing a 211-entry file one error per run
    /// would be slow.
    fn problems(&self, src: &Source, case_exists: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut problems = Vec::new();
        let mut say = |span: &std::ops::Range<usize>, msg: String| problems.push(format!("{}: {msg}", src.at(span)));

        let mut repos = BTreeMap::new();
        for repo in &self.repos {
            if let Some(first) = repos.insert(repo.name.get_ref().as_str(), repo.name.span()) {
                say(
                    &repo.name.span(),
                    format!("repo `{}` is already defined at {}", repo.name.get_ref(), src.at(&first)),
                );
            }
        }
        let mut topics = BTreeMap::new();
        for topic in &self.topics {
            if let Some(first) = topics.insert(topic.id.get_ref().as_str(), topic.id.span()) {
                say(
                    &topic.id.span(),
                    format!("topic `{}` is already defined at {}", topic.id.get_ref(), src.at(&first)),
                );
            }
        }

        let declared = *self.survey.scenarios.get_ref();
        if self.scenarios.len() != declared as usize {
            say(
                &self.survey.scenarios.span(),
                format!("the survey numbers {declared} scenarios but the file has {}", self.scenarios.len()),
            );
        }
        let mut ids = BTreeMap::new();
        let mut previous = 0;
        for s in &self.scenarios {
            let id = *s.id.get_ref();
            if let Some(first) = ids.insert(id, s.id.span()) {
                say(&s.id.span(), format!("scenario id {id} is already used at {}", src.at(&first)));
            } else if id == 0 || id > declared {
                say(&s.id.span(), format!("scenario id {id} is outside 1..={declared} (`survey.scenarios`)"));
            } else if id < previous {
                say(&s.id.span(), format!("scenario id {id} comes after {previous}; keep scenarios in id order"));
            }
            previous = previous.max(id);

            if !topics.contains_key(s.topic.get_ref().as_str()) {
                let known = topics.keys().copied().collect::<Vec<_>>().join(", ");
                say(&s.topic.span(), format!("unknown topic `{}`; known topics: {known}", s.topic.get_ref()));
            }
            if !repos.contains_key(s.repo.get_ref().as_str()) {
                let known = repos.keys().copied().collect::<Vec<_>>().join(", ");
                say(&s.repo.span(), format!("unknown repo `{}`; known repos: {known}", s.repo.get_ref()));
            }
            if s.title.get_ref().trim().is_empty() {
                say(&s.title.span(), "`title` is empty".into());
            }
            self.status_problems(s, &mut say);

            let mut seen = BTreeSet::new();
            for case in &s.cases {
                let path = case.get_ref();
                if !seen.insert(path) {
                    say(&case.span(), format!("`{path}` is listed twice"));
                } else if !path.starts_with("cases/")
                    || !(path.split('#').next().is_some_and(|f| f.ends_with(".toml"))
                        || (path.ends_with(".wast") && !path.contains('#')))
                {
                    say(
                        &case.span(),
                        format!(
                            "`{path}` is not a case file: write `cases/....toml`, `cases/....wast` or \
                             `cases/....toml#CELL` for a matrix cell, relative to the repository root"
                        ),
                    );
                } else if !case_exists(path) {
                    let what = if path.contains('#') { "matrix cell" } else { "case file" };
                    say(&case.span(), format!("{what} `{path}` does not exist"));
                }
            }
        }
        let missing: Vec<String> = (1..=declared).filter(|id| !ids.contains_key(id)).map(|id| id.to_string()).collect();
        if !missing.is_empty() {
            say(&self.survey.scenarios.span(), format!("no scenario with id {}", missing.join(", ")));
        }
        problems
    }

    /// What each status requires of `cases`, `reason` and `add`.
    fn status_problems(&self, s: &Scenario, say: &mut impl FnMut(&std::ops::Range<usize>, String)) {
        let status = *s.status.get_ref();
        let at = s.status.span();
        let has_cases = !s.cases.is_empty();
        match status {
            Status::Covered | Status::Partial if !has_cases => {
                say(&at, format!("a {} scenario needs `cases`: the case files that check it", status.name()));
            }
            Status::Missing | Status::NotApplicable if has_cases => {
                say(
                    &s.cases[0].span(),
                    format!(
                        "a {} scenario lists no cases; if a case checks it, say `partial` or `covered`",
                        status.name()
                    ),
                );
            }
            _ => {}
        }
        match (&s.reason, status) {
            (None, Status::NotApplicable) => {
                say(&at, "`not-applicable` needs a `reason`: gated-upstream, embedder-api or out-of-scope".into());
            }
            (Some(reason), other) if other != Status::NotApplicable => {
                say(&reason.span(), "`reason` is only for `not-applicable` scenarios".into());
            }
            _ => {}
        }
        let wants_add = matches!(status, Status::Partial | Status::Missing);
        match &s.add {
            None if wants_add => {
                let kinds = ADD_KINDS.join(", ");
                say(&at, format!("a {} scenario needs `add`: what it would take ({kinds})", status.name()));
            }
            Some(add) if !wants_add => {
                say(&add.span(), format!("`add` is only for partial and missing scenarios, not {}", status.name()));
            }
            Some(add) => {
                for kind in add.get_ref().split('+') {
                    if !ADD_KINDS.contains(&kind) {
                        say(&add.span(), format!("unknown `add` kind `{kind}`; known: {}", ADD_KINDS.join(", ")));
                    }
                }
            }
            None => {}
        }
    }

    /// Counts per topic, in the file's topic order, and over all scenarios.
    pub fn counts(&self) -> (Vec<(&Topic, Counts)>, Counts) {
        let mut per_topic: Vec<(&Topic, Counts)> = self.topics.iter().map(|t| (t, Counts::default())).collect();
        let mut all = Counts::default();
        for s in &self.scenarios {
            all.add(*s.status.get_ref());
            if let Some((_, c)) = per_topic.iter_mut().find(|(t, _)| t.id.get_ref() == s.topic.get_ref()) {
                c.add(*s.status.get_ref());
            }
        }
        (per_topic, all)
    }

    /// The README's generated section (between `BEGIN` and `END`).
    pub fn render(&self) -> String {
        let (per_topic, all) = self.counts();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} anchor scenarios: {} covered, {} partial, {} missing, {} not applicable.\n",
            all.total(),
            all.covered,
            all.partial,
            all.missing,
            all.not_applicable
        );
        out.push_str("| topic | N | covered | partial | missing | not applicable |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|\n");
        for (topic, c) in per_topic {
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {} | {} | {} |",
                topic.id.get_ref(),
                topic.name,
                c.total(),
                c.covered,
                c.partial,
                c.missing,
                c.not_applicable
            );
        }
        let _ = writeln!(
            out,
            "| **all** | **{}** | **{}** | **{}** | **{}** | **{}** |",
            all.total(),
            all.covered,
            all.partial,
            all.missing,
            all.not_applicable
        );
        out
    }
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Covered => "covered",
            Status::Partial => "partial",
            Status::Missing => "missing",
            Status::NotApplicable => "not-applicable",
        }
    }
}

/// `readme` with the text between the `BEGIN` and `END` lines replaced by
/// `section`. Both markers must be there, once each, in that order.
pub fn splice_readme(readme: &str, section: &str) -> Result<String> {
    crate::readme::splice(readme, BEGIN, END, section)
}

#[cfg(test)]
mod tests;
