//! `harness compare OLD.json NEW.json`: what changed between two runs, most
//! important first: regressions (worked, now fails), fixes, cases added and
//! removed, failures whose summary changed, and the versions that moved.
//! Whether a case works is judged on behaviour, not on the test result, so a
//! pass that became a known failure is still a regression.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::environment::Environment;
use super::{CaseResult, Report};

/// The differences between two reports.
#[derive(Debug, Default)]
pub struct Changes<'a> {
    pub regressions: Vec<(&'a CaseResult, &'a CaseResult)>,
    pub fixes: Vec<(&'a CaseResult, &'a CaseResult)>,
    pub added: Vec<&'a CaseResult>,
    pub removed: Vec<&'a CaseResult>,
    /// Failing in both runs, but differently (outcome or summary).
    pub changed: Vec<(&'a CaseResult, &'a CaseResult)>,
    /// Ran in one run and was skipped in the other: not compared.
    pub skipped: Vec<(&'a CaseResult, &'a CaseResult)>,
    /// `(what, old, new)` for every recorded version that differs.
    pub versions: Vec<(String, String, String)>,
    /// The new run ran no case at all (every case skipped, or none found):
    /// nothing was compared, which must never read as "no regressions".
    pub nothing_ran: bool,
}

/// Compare `old` with `new`.
pub fn changes<'a>(old: &'a Report, new: &'a Report) -> Changes<'a> {
    let by_name = |r: &'a Report| r.cases.iter().map(|c| (c.name.as_str(), c)).collect::<BTreeMap<_, _>>();
    let (old_cases, new_cases) = (by_name(old), by_name(new));
    let mut out = Changes::default();
    for (name, o) in &old_cases {
        let Some(n) = new_cases.get(name) else {
            out.removed.push(o);
            continue;
        };
        match (o.outcome.works(), n.outcome.works()) {
            (Some(true), Some(false)) => out.regressions.push((o, n)),
            (Some(false), Some(true)) => out.fixes.push((o, n)),
            (Some(false), Some(false)) if o.outcome != n.outcome || o.summary != n.summary => out.changed.push((o, n)),
            (Some(_), None) | (None, Some(_)) => out.skipped.push((o, n)),
            _ => {}
        }
    }
    out.added = new_cases.iter().filter(|(name, _)| !old_cases.contains_key(*name)).map(|(_, c)| *c).collect();
    out.versions = version_changes(&old.environment, &new.environment);
    out.nothing_ran = new.cases.iter().all(|c| c.outcome.works().is_none());
    out
}

/// What the new run ran: when nothing, the line that says so.
const NOTHING_RAN: &str = "the new run ran no case (every case was skipped or removed): nothing was compared";

/// Every setup difference: host, rustc, commit, and each crate whose set of
/// resolved versions (with their sources) differs.
fn version_changes(old: &Environment, new: &Environment) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut field = |what: &str, o: &str, n: &str| {
        if o != n {
            out.push((what.to_string(), o.to_string(), n.to_string()));
        }
    };
    field("host", &old.host, &new.host);
    field("rustc", &old.rustc, &new.rustc);
    field("commit", &commit(old), &commit(new));
    let crates = |env: &Environment| {
        let mut map: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for c in &env.crates {
            let version = if c.patched { format!("{} ({})", c.version, c.source) } else { c.version.clone() };
            map.entry((c.name.clone(), c.lock.clone())).or_default().insert(version);
        }
        map
    };
    let (old_crates, new_crates) = (crates(old), crates(new));
    let keys: BTreeSet<_> = old_crates.keys().chain(new_crates.keys()).collect();
    let none = BTreeSet::new();
    for key @ (name, lock) in keys {
        let list = |set: &BTreeSet<String>| {
            if set.is_empty() { "-".to_string() } else { set.iter().cloned().collect::<Vec<_>>().join(", ") }
        };
        let o = list(old_crates.get(key).unwrap_or(&none));
        let n = list(new_crates.get(key).unwrap_or(&none));
        let what = if lock == "Cargo.lock" { name.clone() } else { format!("{name} ({lock})") };
        field(&what, &o, &n);
    }
    out
}

fn commit(env: &Environment) -> String {
    let short: String = env.commit.chars().take(12).collect();
    if env.dirty == Some(true) { format!("{short} (dirty)") } else { short }
}

impl Changes<'_> {
    /// The last line of the output: the counts.
    fn tally(&self) -> String {
        let n = |count: usize, one: &str, many: &str| format!("{count} {}", if count == 1 { one } else { many });
        [
            n(self.regressions.len(), "regression", "regressions"),
            n(self.fixes.len(), "fix", "fixes"),
            n(self.added.len(), "new case", "new cases"),
            n(self.removed.len(), "removed case", "removed cases"),
            n(self.changed.len(), "changed failure", "changed failures"),
            n(self.versions.len(), "version change", "version changes"),
        ]
        .join(", ")
    }

    /// Plain text for a terminal; sections without entries are left out.
    pub fn text(&self, old_name: &str, new_name: &str) -> String {
        let mut out = format!("comparing {old_name} (old) with {new_name} (new)\n");
        let pair = |(o, n): &(&CaseResult, &CaseResult)| {
            let mut line = format!("  {}: {} → {}", o.name, o.outcome.name(), n.outcome.name());
            if let Some(s) = n.summary.as_ref().or(o.summary.as_ref()) {
                let _ = write!(line, ": {s}");
            }
            line
        };
        let single = |c: &&CaseResult| {
            let mut line = format!("  {}: {}", c.name, c.outcome.name());
            if let Some(s) = &c.summary {
                let _ = write!(line, ": {s}");
            }
            line
        };
        let changed = |(o, n): &(&CaseResult, &CaseResult)| {
            format!(
                "  {}: {}: {}\n    now {}: {}",
                o.name,
                o.outcome.name(),
                o.summary.as_deref().unwrap_or("-"),
                n.outcome.name(),
                n.summary.as_deref().unwrap_or("-")
            )
        };
        section(&mut out, "regressions", self.regressions.iter().map(pair));
        section(&mut out, "fixes", self.fixes.iter().map(pair));
        section(&mut out, "new cases", self.added.iter().map(single));
        section(&mut out, "removed cases", self.removed.iter().map(single));
        section(&mut out, "changed failures", self.changed.iter().map(changed));
        section(&mut out, "skipped in one run (not compared)", self.skipped.iter().map(pair));
        section(&mut out, "version changes", self.versions.iter().map(|(w, o, n)| format!("  {w}: {o} → {n}")));
        if self.nothing_ran {
            let _ = writeln!(out, "\n{NOTHING_RAN}");
        }
        let _ = writeln!(out, "\n{}", self.tally());
        out
    }

    /// Whether `compare` must exit non-zero: a regression, or a new run
    /// that ran nothing.
    pub fn failed(&self) -> bool {
        !self.regressions.is_empty() || self.nothing_ran
    }

    /// A Markdown table of case changes and one of version changes, to
    /// paste into a pull request.
    pub fn markdown(&self, old_name: &str, new_name: &str) -> String {
        let mut out = format!("**Conformance: {}** (`{old_name}` → `{new_name}`)\n", self.tally());
        if self.nothing_ran {
            let _ = writeln!(out, "\n**{NOTHING_RAN}**");
        }
        let mut rows = Vec::new();
        let mut pairs = |kind: &str, list: &[(&CaseResult, &CaseResult)]| {
            for (o, n) in list {
                let summary = match (&o.summary, &n.summary) {
                    (Some(o), Some(n)) if o != n => format!("{o} → {n}"),
                    (o, n) => opt(n.as_ref().or(o.as_ref())).to_string(),
                };
                rows.push(row(&[kind, &format!("`{}`", o.name), o.outcome.name(), n.outcome.name(), &summary]));
            }
        };
        pairs("regression", &self.regressions);
        pairs("fix", &self.fixes);
        pairs("changed failure", &self.changed);
        pairs("skipped in one run", &self.skipped);
        for (kind, list) in [("new", &self.added), ("removed", &self.removed)] {
            for c in list {
                let (o, n) = if kind == "new" { ("-", c.outcome.name()) } else { (c.outcome.name(), "-") };
                rows.push(row(&[kind, &format!("`{}`", c.name), o, n, opt(c.summary.as_ref())]));
            }
        }
        if !rows.is_empty() {
            out.push_str("\n| change | case | old | new | summary |\n|---|---|---|---|---|\n");
            rows.iter().for_each(|r| out.push_str(r));
        }
        if !self.versions.is_empty() {
            out.push_str("\n| version | old | new |\n|---|---|---|\n");
            for (w, o, n) in &self.versions {
                out.push_str(&row(&[w, o, n]));
            }
        }
        out
    }
}

fn section(out: &mut String, title: &str, lines: impl Iterator<Item = String>) {
    let lines: Vec<_> = lines.collect();
    if !lines.is_empty() {
        let _ = writeln!(out, "\n{title} ({}):", lines.len());
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn opt(s: Option<&String>) -> &str {
    s.map_or("", String::as_str)
}

/// A table row; `|` inside a cell would end the cell, and a line break the
/// row.
fn row(cells: &[&str]) -> String {
    let cells: Vec<_> = cells.iter().map(|c| c.replace('|', "\\|").replace(['\r', '\n'], " ")).collect();
    format!("| {} |\n", cells.join(" | "))
}

#[cfg(test)]
mod tests {
    use super::super::Outcome;
    use super::super::environment::Crate;
    use super::*;

    fn case(name: &str, outcome: Outcome, summary: Option<&str>) -> CaseResult {
        CaseResult {
            name: name.into(),
            file: format!("cases/{name}.toml"),
            outcome,
            duration_ms: 1.0,
            summary: summary.map(Into::into),
            reason: None,
            blessed: false,
            config: Vec::new(),
            detail: None,
        }
    }

    fn report(commit: &str, wasmtime: Crate, cases: Vec<CaseResult>) -> Report {
        let env = Environment {
            host: "wasmtime".into(),
            commit: commit.into(),
            dirty: Some(false),
            rustc: "rustc 1.95.0".into(),
            patched: wasmtime.patched,
            crates: vec![wasmtime],
        };
        Report::new(env, cases)
    }

    fn wasmtime(version: &str, source: &str) -> Crate {
        Crate {
            name: "wasmtime".into(),
            version: version.into(),
            source: source.into(),
            patched: source != "crates.io",
            lock: "Cargo.lock".into(),
        }
    }

    fn reports() -> (Report, Report) {
        use Outcome::*;
        let old = report(
            "aaaa",
            wasmtime("48.0.8", "crates.io"),
            vec![
                case("a", Pass, None),
                case("b", Fail, Some("expected `x`, got `y`")),
                case("c", Pass, None),
                case("d", Fail, Some("trap a | b")),
                case("gone", Pass, None),
                case("same", KnownFailure, Some("s")),
                case("skip", Pass, None),
            ],
        );
        let new = report(
            "bbbb",
            wasmtime("49.0.0", "path"),
            vec![
                case("a", TimedOut, Some("timed out after 100 ms")),
                case("b", Pass, None),
                case("c", KnownFailure, Some("trap unreachable")),
                case("d", Fail, Some("trap c")),
                case("fresh", Fail, Some("f")),
                case("same", KnownFailure, Some("s")),
                case("skip", Skipped, None),
            ],
        );
        (old, new)
    }

    #[test]
    fn classifies_every_kind_of_change() {
        let (old, new) = reports();
        let c = changes(&old, &new);
        let names = |l: &[(&CaseResult, &CaseResult)]| l.iter().map(|(o, _)| o.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&c.regressions), ["a", "c"]);
        assert_eq!(names(&c.fixes), ["b"]);
        assert_eq!(names(&c.changed), ["d"]);
        assert_eq!(names(&c.skipped), ["skip"]);
        assert_eq!(c.added.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["fresh"]);
        assert_eq!(c.removed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["gone"]);
        assert_eq!(
            c.versions,
            [
                ("commit".to_string(), "aaaa".to_string(), "bbbb".to_string()),
                ("wasmtime".to_string(), "48.0.8".to_string(), "49.0.0 (path)".to_string()),
            ]
        );
    }

    #[test]
    fn text_puts_regressions_first() {
        let (old, new) = reports();
        let text = changes(&old, &new).text("old.json", "new.json");
        let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("`{s}` missing from:\n{text}"));
        assert!(at("regressions (2):") < at("fixes (1):"));
        assert!(at("fixes (1):") < at("new cases (1):"));
        assert!(at("  a: pass → timed out: timed out after 100 ms") > at("regressions (2):"));
        assert!(at("  wasmtime: 48.0.8 → 49.0.0 (path)") > at("version changes (2):"));
        assert!(
            text.trim_end()
                .ends_with("2 regressions, 1 fix, 1 new case, 1 removed case, 1 changed failure, 2 version changes")
        );
    }

    #[test]
    fn markdown_is_a_table_with_escaped_cells() {
        let (old, new) = reports();
        let md = changes(&old, &new).markdown("old.json", "new.json");
        assert!(md.contains("| change | case | old | new | summary |\n|---|---|---|---|---|\n"), "{md}");
        assert!(md.contains("| regression | `a` | pass | timed out | timed out after 100 ms |\n"), "{md}");
        assert!(md.contains("| changed failure | `d` | fail | fail | trap a \\| b → trap c |\n"), "{md}");
        assert!(md.contains("| wasmtime | 48.0.8 | 49.0.0 (path) |\n"), "{md}");
        assert_eq!(row(&["a\nb", "c"]), "| a b | c |\n");
    }

    #[test]
    fn a_non_ascii_commit_is_shortened_by_chars() {
        let (mut old, new) = reports();
        old.environment.commit = "ééééééééééééééé".into();
        let c = changes(&old, &new);
        assert_eq!(c.versions[0], ("commit".into(), "éééééééééééé".into(), "bbbb".into()));
    }

    #[test]
    fn a_new_run_that_ran_nothing_fails_the_comparison() {
        let (old, mut new) = reports();
        assert!(!changes(&old, &old).failed());
        for case in &mut new.cases {
            case.outcome = Outcome::Skipped;
        }
        let c = changes(&old, &new);
        assert!(c.nothing_ran && c.failed());
        assert!(c.text("a", "b").contains("ran no case"));
        assert!(c.markdown("a", "b").contains("ran no case"));
        new.cases.clear();
        assert!(changes(&old, &new).failed());
    }

    #[test]
    fn identical_reports_have_no_changes() {
        let (old, _) = reports();
        let c = changes(&old, &old);
        assert!(c.regressions.is_empty() && c.versions.is_empty() && c.changed.is_empty());
        assert!(c.text("a", "b").contains("0 regressions, 0 fixes"));
    }
}
