//! `harness bench`: what a run costs, cold and warm, and what one more case
//! costs, against starting a process per case. Run on demand, never from
//! `cargo test`: timings are reported here, not asserted anywhere.
//!
//! Suites run in this process on one shared engine, with a fresh `Suite`
//! (so an empty in-memory layer) each time, on as many threads as `cargo
//! test` would use. "Cold" clears only the harness's cache folder
//! (`target/cache/`); the guests stay built, the cargo target is untouched.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::num::NonZero;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use case_format::{CaseFile, Clock};

use crate::build::cache::Stats;
use crate::build::lockfile;
use crate::host::Runtime;
use crate::results::Outcome;
use crate::results::environment::HOST;
use crate::results::expectations::Expectations;
use crate::suite::Suite;

mod copies;
mod scale;

use copies::{Scratch, zero_delay_copies};

/// Targets from the issues, printed next to the measurements.
const WARM_SUITE_TARGET: Duration = Duration::from_millis(300);
const ONE_MORE_CASE_TARGET: Duration = Duration::from_millis(5);
const RATIO_TARGET: f64 = 10.0;

pub struct Options {
    pub root: PathBuf,
    pub cases: PathBuf,
    /// Runs of each case for the one-more-case figure.
    pub repeat: usize,
}

/// One case's run: how long it took and whether it passed.
struct Sample {
    name: String,
    time: Duration,
    failure: Option<String>,
}

/// A timed run of a set of cases.
struct SuiteRun {
    wall: Duration,
    samples: Vec<Sample>,
    stats: Stats,
}

pub fn main(opts: &Options) -> Result<ExitCode> {
    let files = case_format::discover(std::slice::from_ref(&opts.cases))?;
    // Known failures fail here as in `cargo test`; they are timed like any
    // case but do not make the benchmark fail.
    let expectations = Expectations::for_host(&opts.root, HOST)?;
    let known: HashSet<&str> = files
        .iter()
        .filter(|f| expectations.lookup(&f.path, f.cell.as_deref()).is_some())
        .map(|f| f.name.as_str())
        .collect();
    let exe = std::env::current_exe().context("cannot find the harness binary to start per-case processes")?;
    let threads = std::thread::available_parallelism().map_or(1, NonZero::get);
    println!("{}", machine());
    println!("load average at start: {}", load_average());
    println!(
        "wasmtime {}, wac-graph {}; {} cases in {}, run on {threads} threads\n",
        lockfile::wasmtime_version(),
        lockfile::wac_graph_version(),
        files.len(),
        opts.cases.display()
    );

    // Outside the suite timings: the guests (built when their sources
    // changed) and the one engine every suite below shares.
    let setup = Suite::new(&opts.root)?;
    setup.guests()?;
    let started = Instant::now();
    let runtime = Arc::new(Runtime::new(&Default::default(), None)?);
    let engine_time = started.elapsed();

    clear(setup.cache().dir())?;
    let cold = run_suite(&opts.root, &runtime, &files, threads)?;
    let warm_suite = Suite::with_runtime(&opts.root, Arc::clone(&runtime))?;
    let warm = run_suite_on(&warm_suite, &files, threads)?;
    // The same on the old clock: every host sleep waited for in real time.
    let old_clock =
        run_suite_on(&Suite::with_runtime(&opts.root, Arc::clone(&runtime))?.with_clock(Clock::Real), &files, threads)?;
    let warm_process = time_process(&exe, &opts.cases)?;

    // The per-case figures run the cases with the host's sleep set to zero,
    // so what is left is the harness's own cost; `warm_suite` already holds
    // every chain they need (they differ from the originals in data only).
    let scratch = Scratch::new()?;
    let variants = zero_delay_copies(&files, &scratch.0)?;
    for case in &variants {
        let _ = warm_suite.run_case(case);
    }
    let repeated: Vec<&CaseFile> = variants.iter().flat_map(|c| std::iter::repeat_n(c, opts.repeat)).collect();
    let one_more = run_sequentially(&warm_suite, &repeated);
    let per_process = variants
        .iter()
        .map(|case| time_case(&exe, case).map(|(time, ok)| sample(&case.name, time, ok)))
        .collect::<Result<Vec<_>>>()?;
    // The same comparison on the cases as they are, host sleeps included.
    let real_in_process = run_sequentially(&warm_suite, &files.iter().collect::<Vec<_>>());
    let real_per_process = files
        .iter()
        .map(|case| time_case(&exe, case).map(|(time, ok)| sample(&case.name, time, ok)))
        .collect::<Result<Vec<_>>>()?;

    // How the cost per case grows with the number of cases.
    let scales = scale::SIZES
        .iter()
        .map(|&n| scale::measure(&warm_suite, &scratch.0, n, threads))
        .collect::<Result<Vec<_>>>()?;

    let one_more_median = median(&one_more);
    let process_median = median(&per_process);
    let per_case_ratio = ratio(process_median, one_more_median);
    let real_ratio = ratio(median(&real_per_process), median(&real_in_process));
    let mut out = String::new();
    let mut line = |what: &str, measured: String, target: &str| {
        let _ = writeln!(out, "{what:<48} {measured:>12}   {target}");
    };
    line("engine and linker set-up", ms(engine_time), "");
    line("cold suite (empty cache)", secs(cold.wall), "");
    line("warm suite (nothing changed)", secs(warm.wall), &target_s(warm.wall, WARM_SUITE_TARGET));
    line("warm suite on the old clock (real sleeps)", secs(old_clock.wall), "");
    line(
        "warm suite as a new process (`harness run`)",
        secs(warm_process.0),
        &target_s(warm_process.0, WARM_SUITE_TARGET),
    );
    line(
        &format!("one more case on a compiled chain (median of {})", one_more.len()),
        ms(one_more_median),
        &target_ms(one_more_median, ONE_MORE_CASE_TARGET),
    );
    line(&format!("one case per new process (median of {})", per_process.len()), ms(process_median), "");
    line(
        "per-case cost, process per case / in-process",
        format!("{per_case_ratio:.0}x"),
        &format!("target >= {RATIO_TARGET:.0}x: {}", verdict(per_case_ratio >= RATIO_TARGET)),
    );
    line(
        "the same with the cases' host sleeps included",
        format!("{real_ratio:.1}x"),
        &format!("({} vs {} per case, medians)", ms(median(&real_per_process)), ms(median(&real_in_process))),
    );
    print!("\n{out}");
    print!("{}", scale::report(&scales));
    println!("\ncache, cold run: {}", describe(&cold.stats));
    println!("cache, warm run: {}", describe(&warm.stats));
    println!("slowest cases, warm: {}", slowest(&warm.samples));
    println!("slowest cases, warm, old clock: {}", slowest(&old_clock.samples));
    println!("load average at end: {}", load_average());

    let failed: Vec<String> = [&cold.samples, &warm.samples, &old_clock.samples, &real_in_process, &real_per_process]
        .into_iter()
        .flatten()
        .filter(|s| !known.contains(s.name.as_str()))
        .filter_map(|s| s.failure.as_ref().map(|f| format!("{}: {}", s.name, first_line(f))))
        .chain(scales.iter().flat_map(|s| s.failures.iter().cloned()))
        .collect();
    if !known.is_empty() {
        println!("{} known failure(s) of {HOST} ran and failed as listed under expectations/", known.len());
    }
    // Which copies fail says whether the per-case figures are worth
    // trusting: a copy may rely on its folder (a `.wat` beside it) or on the
    // order its delay fixed.
    let variant_failures: Vec<&Sample> = one_more
        .iter()
        .chain(&per_process)
        .filter(|s| s.failure.is_some() && !known.contains(s.name.as_str()))
        .collect();
    if !variant_failures.is_empty() {
        let mut names: Vec<&str> = variant_failures.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        println!(
            "note: {} zero-delay run(s) of {} case(s) failed; their times are included above: {}",
            variant_failures.len(),
            names.len(),
            names.join(", ")
        );
    }
    if !warm_process.1 {
        println!("warning: `harness run {}` failed", opts.cases.display());
    }
    if failed.is_empty() && warm_process.1 {
        return Ok(ExitCode::SUCCESS);
    }
    println!("\nfailing cases (the figures above include them; fix them first):");
    for f in failed.iter().take(20) {
        println!("  {f}");
    }
    Ok(ExitCode::FAILURE)
}

fn run_suite(root: &Path, runtime: &Arc<Runtime>, files: &[CaseFile], threads: usize) -> Result<SuiteRun> {
    let suite = Suite::with_runtime(root, Arc::clone(runtime))?;
    run_suite_on(&suite, files, threads)
}

/// Every case once, on `threads` workers taking the next case in turn, as
/// libtest does. `suite` is fresh, so its counters are this run's.
fn run_suite_on(suite: &Suite, files: &[CaseFile], threads: usize) -> Result<SuiteRun> {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let mut samples: Vec<Sample> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    while let Some(file) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        mine.push(timed(suite, file));
                    }
                    mine
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
    });
    let wall = started.elapsed();
    samples.sort_by(|a, b| a.name.cmp(&b.name));
    let stats = suite.cache().counters.snapshot();
    Ok(SuiteRun { wall, samples, stats })
}

fn run_sequentially(suite: &Suite, files: &[&CaseFile]) -> Vec<Sample> {
    files.iter().map(|f| timed(suite, f)).collect()
}

fn timed(suite: &Suite, file: &CaseFile) -> Sample {
    let started = Instant::now();
    let run = suite.run_case(file);
    let failure = (run.outcome != Outcome::Pass).then_some(run.message);
    Sample { name: file.name.clone(), time: started.elapsed(), failure }
}

fn sample(name: &str, time: Duration, ok: bool) -> Sample {
    Sample { name: name.to_owned(), time, failure: (!ok).then(|| "the process exited with failure".into()) }
}

/// Wall time of `harness run PATH` in a new process, and whether it passed.
fn time_process(exe: &Path, path: &Path) -> Result<(Duration, bool)> {
    time_command(exe, &[path.as_os_str()])
}

/// `time_process` for one case; a matrix cell is picked by its name.
fn time_case(exe: &Path, case: &CaseFile) -> Result<(Duration, bool)> {
    let Some(label) = &case.cell else { return time_process(exe, &case.path) };
    let stem = case.path.file_stem().unwrap_or_default().to_string_lossy();
    let exact = format!("{stem}/{label}");
    time_command(exe, &[case.path.as_os_str(), "--".as_ref(), "--exact".as_ref(), exact.as_ref()])
}

fn time_command(exe: &Path, args: &[&std::ffi::OsStr]) -> Result<(Duration, bool)> {
    let started = Instant::now();
    let status = Command::new(exe)
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    Ok((started.elapsed(), status.success()))
}

fn clear(cache_dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(cache_dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(anyhow::Error::new(e).context(format!("cannot clear the cache {}", cache_dir.display())))
        }
        _ => Ok(()),
    }
}

fn median(samples: &[Sample]) -> Duration {
    let mut times: Vec<Duration> = samples.iter().map(|s| s.time).collect();
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn ratio(slow: Duration, fast: Duration) -> f64 {
    slow.as_secs_f64() / fast.as_secs_f64().max(1e-9)
}

/// The three slowest cases: what bounds a suite's wall time.
fn slowest(samples: &[Sample]) -> String {
    let mut by_time: Vec<&Sample> = samples.iter().collect();
    by_time.sort_by_key(|s| std::cmp::Reverse(s.time));
    by_time.iter().take(3).map(|s| format!("{} ({})", s.name, ms(s.time))).collect::<Vec<_>>().join(", ")
}

fn describe(stats: &Stats) -> String {
    let ratio = stats.hit_ratio().map_or_else(|| "n/a".into(), |r| format!("{:.0}%", r * 100.0));
    let mut text = format!(
        "{} lookups: {} compiled, {} loaded from disk, {} from memory; hit ratio {ratio}",
        stats.lookups(),
        stats.compiled,
        stats.disk_hits,
        stats.memory_hits
    );
    if stats.compiled > 0 {
        let _ = write!(text, "; compiling took {} per chain", ms(stats.compile_time / stats.compiled as u32));
    }
    if stats.disk_hits > 0 {
        let _ = write!(text, "; loading took {} per chain", ms(stats.load_time / stats.disk_hits as u32));
    }
    if stats.rejected > 0 {
        let _ = write!(text, "; {} unusable entries rebuilt", stats.rejected);
    }
    text
}

fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty() && !l.starts_with("case:")).unwrap_or(text)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn target_s(measured: Duration, target: Duration) -> String {
    format!("target <= {} s: {}", target.as_secs_f64(), verdict(measured <= target))
}

fn target_ms(measured: Duration, target: Duration) -> String {
    format!("target <= {} ms: {}", target.as_millis(), verdict(measured <= target))
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// CPU count and model, for the figures to be read against.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("machine: {cpus} CPUs ({model}), {} {}", std::env::consts::OS, std::env::consts::ARCH)
}

/// Other work on the machine skews everything; say how much there was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
