//! How the cost per case grows with the number of cases: a generated matrix
//! of N cells over four of today's chains (each kind composed over itself),
//! with the host's sleep at zero, listed, loaded and run at each size.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use case_format::Case;

use crate::suite::Suite;

/// The sizes measured; the target compares the largest with the smallest.
pub(super) const SIZES: [usize; 3] = [100, 1_000, 10_000];
const TARGET_RATIO: f64 = 2.0;
const KINDS: [&str; 4] = ["async", "async-sync-import", "sync", "wait"];

pub(super) struct Scale {
    pub cases: usize,
    pub listing: Duration,
    pub loading: Duration,
    pub running: Duration,
    pub failures: Vec<String>,
}

/// A matrix of `KINDS.len() * inputs` cells, each calling with its own input.
fn matrix(inputs: usize) -> String {
    let kinds: Vec<String> = KINDS.iter().map(|k| format!("\"{k}\"")).collect();
    let n: Vec<String> = (1..=inputs).map(|i| i.to_string()).collect();
    format!(
        r#"description = "scale: ${{root}} over ${{root}}, input ${{n}}"
chain = ["guest-${{root}}", "guest-${{root}}"]

[matrix.cross]
root = [{}]
n = [{}]

[call]
function = "local:local/baz#foo"
args = ['"hello ${{n}}"']

[host.baz]
delay-ms = 0

[expect]
result = '"hello ${{n}}${{" - entered guest" * chain}} - entered host - exited host${{" - exited guest" * chain}}"'
"#,
        kinds.join(", "),
        n.join(", ")
    )
}

/// List, load and run a generated matrix of `cases` cells in `dir`.
pub(super) fn measure(suite: &Suite, dir: &Path, cases: usize, threads: usize) -> Result<Scale> {
    if !cases.is_multiple_of(KINDS.len()) {
        bail!("a scale size must be a multiple of {}", KINDS.len());
    }
    let folder = dir.join(format!("scale-{cases}"));
    std::fs::create_dir_all(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
    std::fs::write(folder.join("scale.toml"), matrix(cases / KINDS.len()))?;
    let started = Instant::now();
    let files = case_format::discover(std::slice::from_ref(&folder))?;
    let listing = started.elapsed();
    if files.len() != cases {
        bail!("the generated matrix listed {} cases, not {cases}", files.len());
    }
    let started = Instant::now();
    for file in &files {
        Case::load(&file.path, file.cell.as_deref(), suite.known_guests())
            .with_context(|| format!("the generated case {} does not load", file.name))?;
    }
    let loading = started.elapsed();
    let run = super::run_suite_on(suite, &files, threads)?;
    let failures = run
        .samples
        .iter()
        .filter_map(|s| s.failure.as_ref().map(|f| format!("{}: {}", s.name, super::first_line(f))))
        .collect();
    Ok(Scale { cases, listing, loading, running: run.wall, failures })
}

/// The table of per-case figures, and the target's verdict.
pub(super) fn report(scales: &[Scale]) -> String {
    let per = |d: Duration, n: usize| d.as_secs_f64() * 1e6 / n as f64;
    let mut out = String::from(
        "\nscale: a generated matrix over 4 chains, host sleep 0; per case (wall time / cases)\n\
         \x20  cases     listing     loading     running\n",
    );
    for s in scales {
        let _ = writeln!(
            out,
            "{:>8} {:>8.1} µs {:>8.1} µs {:>8.1} µs",
            s.cases,
            per(s.listing, s.cases),
            per(s.loading, s.cases),
            per(s.running, s.cases)
        );
    }
    if let (Some(small), Some(large)) = (scales.first(), scales.last()) {
        let ratio = per(large.running, large.cases) / per(small.running, small.cases);
        let verdict = if ratio <= TARGET_RATIO { "met" } else { "NOT met" };
        let _ = writeln!(
            out,
            "running per case at {} / at {}: {ratio:.2}x   target <= {TARGET_RATIO:.0}x: {verdict}",
            large.cases, small.cases
        );
    }
    out
}
