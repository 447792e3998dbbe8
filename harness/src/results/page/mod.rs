//! `harness page`: conformance at a glance. Reads reports as they are (it
//! never reruns a case) and writes one self-contained HTML file: the cases
//! grouped by topic × one column per report, totals, a pass-rate chart, a
//! filter, and each failure's diff. No server, no network: the CSS and the
//! script are inline, so the page opens from `file://` and can be kept as a
//! CI artifact.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use case_format::coverage::Coverage;

use super::{CaseResult, Outcome, Report};

mod html;

/// One column: a report and the name it is shown under.
#[derive(Debug)]
pub struct Run {
    /// The report file's stem (`main` for `main.json`).
    pub label: String,
    /// The report file as given, for the column's tooltip.
    pub path: String,
    pub report: Report,
}

impl Run {
    pub fn read(path: &Path) -> Result<Run> {
        let report = Report::read(path)?;
        let label = path.file_stem().map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned());
        Ok(Run { label, path: path.display().to_string(), report })
    }
}

/// One row: a case as the runs saw it.
#[derive(Debug)]
struct Row<'a> {
    name: &'a str,
    file: &'a str,
    /// The case's `description` (or a `.wast` file's first `;;` line), read
    /// from the checkout the page is built in; `None` when the file is gone.
    description: Option<String>,
    /// One per run; `None` where that run did not have the case.
    cells: Vec<Option<&'a CaseResult>>,
}

impl Row<'_> {
    /// Whether the runs disagree on this case (a missing case counts).
    fn differs(&self) -> bool {
        let first = self.cells[0].map(|c| c.outcome);
        self.cells.iter().any(|c| c.map(|c| c.outcome) != first)
    }
}

/// The rows of one topic, in name order.
#[derive(Debug)]
struct Group<'a> {
    title: String,
    rows: Vec<Row<'a>>,
}

/// How the cases of a group (or a whole run) ended in one run.
#[derive(Debug, Default, Clone)]
struct Tally {
    counts: BTreeMap<Outcome, usize>,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        *self.counts.entry(outcome).or_default() += 1;
    }

    fn get(&self, outcome: Outcome) -> usize {
        self.counts.get(&outcome).copied().unwrap_or(0)
    }

    /// Cases that ran, and of those, the ones whose behaviour works
    /// (`Outcome::works`): a known failure does not work, however expected.
    fn works_of_ran(&self) -> (usize, usize) {
        let ran = self.counts.iter().filter(|(o, _)| o.works().is_some()).map(|(_, n)| n).sum();
        let works = self.counts.iter().filter(|(o, _)| o.works() == Some(true)).map(|(_, n)| n).sum();
        (works, ran)
    }
}

fn tally<'a>(cells: impl Iterator<Item = Option<&'a CaseResult>>) -> Tally {
    let mut tally = Tally::default();
    cells.flatten().for_each(|c| tally.add(c.outcome));
    tally
}

/// Write `OUT/index.html` for these runs; returns its path. `root` is the
/// project: topics come from its `coverage/anchors.toml`, descriptions from
/// its case files, and links point at them.
pub fn write(runs: &[Run], root: &Path, out: &Path) -> Result<PathBuf> {
    if runs.is_empty() {
        bail!("give at least one report");
    }
    let groups = group(runs, root)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let to_root = relative(out, root)?;
    let page = html::page(runs, &groups, &to_root);
    let index = out.join("index.html");
    std::fs::write(&index, page).with_context(|| format!("cannot write {}", index.display()))?;
    Ok(index)
}

/// Every case of every run, grouped: a case listed in the coverage file goes
/// under the first topic that lists it, any other under its top-level folder.
fn group<'a>(runs: &'a [Run], root: &Path) -> Result<Vec<Group<'a>>> {
    let (mut titles, topic_of) = topics(root)?;
    let mut by_name: BTreeMap<&str, Vec<Option<&CaseResult>>> = BTreeMap::new();
    for (i, run) in runs.iter().enumerate() {
        for case in &run.report.cases {
            by_name.entry(&case.name).or_insert_with(|| vec![None; runs.len()])[i] = Some(case);
        }
    }
    let mut folders: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rows: BTreeMap<usize, Vec<Row>> = BTreeMap::new();
    let mut descriptions: HashMap<&str, Option<String>> = HashMap::new();
    for (name, cells) in by_name {
        let Some(first) = cells.iter().flatten().next() else { continue };
        let file = first.file.as_str();
        let topic = match topic_of.get(file) {
            Some(&t) => t,
            None => {
                let folder = name.split('/').next().unwrap_or(name);
                *folders.entry(folder).or_insert_with(|| {
                    titles.push(format!("{folder}/ (no anchor scenario)"));
                    titles.len() - 1
                })
            }
        };
        let description = descriptions.entry(file).or_insert_with(|| describe(&root.join(file))).clone();
        rows.entry(topic).or_default().push(Row { name, file, description, cells });
    }
    Ok(rows.into_iter().map(|(topic, rows)| Group { title: titles[topic].clone(), rows }).collect())
}

/// The coverage file's topic titles, in its order, and the first topic
/// (an index into them) under which each case file is listed. A project
/// without the file groups every case by folder.
fn topics(root: &Path) -> Result<(Vec<String>, HashMap<String, usize>)> {
    if !root.join(case_format::coverage::PATH).is_file() {
        return Ok((Vec::new(), HashMap::new()));
    }
    let coverage = Coverage::load(root).context("cannot read the topics of the cases")?;
    let titles: Vec<String> = coverage.topics.iter().map(|t| format!("{} {}", t.id.get_ref(), t.name)).collect();
    let index: HashMap<&str, usize> =
        coverage.topics.iter().enumerate().map(|(i, t)| (t.id.get_ref().as_str(), i)).collect();
    let mut topic_of: HashMap<String, usize> = HashMap::new();
    for scenario in &coverage.scenarios {
        let Some(&topic) = index.get(scenario.topic.get_ref().as_str()) else { continue };
        for case in &scenario.cases {
            let entry = topic_of.entry(case.get_ref().clone()).or_insert(topic);
            *entry = (*entry).min(topic);
        }
    }
    Ok((titles, topic_of))
}

/// What a case file says it checks: `description` of a TOML case, the first
/// `;;` line of a `.wast` script.
fn describe(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    if file.extension().is_some_and(|e| e == "wast") {
        let line = text.lines().map(str::trim).find(|l| l.starts_with(";;"))?;
        return Some(line.trim_start_matches(';').trim().to_string());
    }
    let value: toml::Table = toml::from_str(&text).ok()?;
    value.get("description")?.as_str().map(str::to_string)
}

/// The path from folder `from` to `to`, `/`-separated, for a link that
/// works from `file://` and wherever the two are copied together.
fn relative(from: &Path, to: &Path) -> Result<String> {
    let absolute = |p: &Path| std::path::absolute(p).with_context(|| format!("cannot resolve {}", p.display()));
    let parts = |p: PathBuf| -> Vec<String> {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect()
    };
    let (from, to) = (parts(absolute(from)?), parts(absolute(to)?));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<String> = vec!["..".to_string(); from.len() - common];
    out.extend(to[common..].iter().cloned());
    Ok(if out.is_empty() { ".".to_string() } else { out.join("/") })
}

/// The config switches a run turned on, with how many cases asked for each.
fn switches(report: &Report) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &report.cases {
        for flag in case.config.iter().collect::<BTreeSet<_>>() {
            *counts.entry(flag).or_default() += 1;
        }
    }
    counts.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_out_of_the_output_folder() {
        assert_eq!(relative(Path::new("/a/b/out"), Path::new("/a/b")).unwrap(), "..");
        assert_eq!(relative(Path::new("/a/target/page"), Path::new("/a")).unwrap(), "../..");
        assert_eq!(relative(Path::new("/a"), Path::new("/a")).unwrap(), ".");
        assert_eq!(relative(Path::new("/x/y"), Path::new("/a")).unwrap(), "../../a");
    }

    #[test]
    fn a_case_goes_under_the_first_topic_that_lists_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let (titles, topic_of) = topics(&root).unwrap();
        let t1 = topic_of["cases/round-trip/single/async.toml"];
        assert!(titles[t1].starts_with("T1 "), "{}", titles[t1]);
        assert!(topic_of.values().all(|t| *t < titles.len()));
    }

    #[test]
    fn works_counts_only_cases_that_ran() {
        let mut t = Tally::default();
        for o in [Outcome::Pass, Outcome::UnexpectedPass, Outcome::KnownFailure, Outcome::Skipped, Outcome::TimedOut] {
            t.add(o);
        }
        assert_eq!(t.works_of_ran(), (2, 4));
    }
}
