//! Cli: the `harness` command line. `run` runs case files like `cargo test`
//! does; `compare` reads two reports, `page` any number; the seed demo's flow (build guests,
//! compose, round-trip); `bench` and `schema`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Result, bail};
use case_format::Features;
use clap::{Parser, Subcommand, ValueEnum};

use crate::check::render;
use crate::results::environment::Environment;
use crate::results::expectations::Expectations;
use crate::results::judge::Judge;
use crate::results::{Report, bless};
use crate::suite::{Host, Suite, hosts_from, project_root};

mod bench;
mod commands;

#[derive(Parser)]
#[command(name = "harness", about = "Component Model async conformance harness")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run case files or folders (default: the project's cases/), one test
    /// per case. Options after `--` go to the test runner (e.g. `-- --exact
    /// round-trip/async`, `-- --list`, `-- --test-threads 1`).
    Run {
        paths: Vec<PathBuf>,
        /// Write a JSON report of every case's outcome, duration and failure
        /// summary, and the versions in use, to FILE (see the README).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Known failures to apply instead of expectations/wasmtime.toml; its
        /// case names are relative to the one case folder given (default
        /// cases/).
        #[arg(long, value_name = "FILE")]
        expectations: Option<PathBuf>,
        /// Rewrite the expectations of cases that differ to what was
        /// observed (as `HARNESS_BLESS=1` does); refused when `CI` is set.
        #[arg(long)]
        bless: bool,
        /// Where the cases run: wasmtime (default), jco (Node), or all (each
        /// case once per host, the test name ending in `@host`). Default:
        /// `HARNESS_HOST`, else wasmtime.
        #[arg(long, value_name = "HOST")]
        host: Option<String>,
        /// Turn these features on for every `.wast` file, on top of the
        /// ones it asks for (names as in `;; config:`, e.g. `threading`):
        /// for scripts from elsewhere, which have no such line.
        #[arg(long, value_name = "NAMES", value_parser = parse_wast_config)]
        wast_config: Option<Features>,
        #[arg(last = true)]
        runner_args: Vec<String>,
    },
    /// Compare two reports written by `run --report`: regressions first,
    /// then fixes, new and removed cases, changed failures and version
    /// changes. Exits 1 when there is a regression.
    Compare {
        old: PathBuf,
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write a static results page, DIR/index.html, from one or more
    /// reports: the cases by topic × one column per report, with totals,
    /// a pass-rate chart, a filter and each failure's diff. Opens from
    /// file://; runs nothing.
    Page {
        #[arg(required = true, value_name = "REPORT.json")]
        reports: Vec<PathBuf>,
        #[arg(short, long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Build every guest and write it as DIR/<name>.wasm.
    Guests {
        #[arg(long)]
        out: PathBuf,
    },
    /// Compose a chain, root first: ROOT's imports come from the first NEXT's
    /// exports, and so on.
    Compose {
        root: PathBuf,
        #[arg(required = true)]
        next: Vec<PathBuf>,
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Call `local:local/baz#foo` with INPUT on the host preset and check the
    /// result is EXPECTED: prints `success!`, or the diff and exits 1.
    RoundTrip {
        wasm: PathBuf,
        input: String,
        expected: String,
        /// The host's sleep per call, in milliseconds.
        #[arg(long, default_value_t = 10)]
        delay_ms: u64,
        /// Calls to start at once into one instance.
        #[arg(long, default_value_t = 1)]
        concurrent: u32,
    },
    /// Measure the suite: cold and warm run times, the cost of one more case
    /// on a compiled chain, the cache hit ratio, and the per-case cost against
    /// a new process per case. Clears target/cache/ for the cold run.
    Bench {
        /// Case folder to measure (default: the project's cases/).
        #[arg(long)]
        cases: Option<PathBuf>,
        /// Runs of each case for the one-more-case median.
        #[arg(long, default_value_t = 20)]
        repeat: usize,
    },
    /// Print the JSON Schema of case files, generated from the case types:
    /// `cargo run -- schema > schema/case.schema.json`.
    Schema,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    /// Tables to paste into a pull request.
    Markdown,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { paths, report, expectations, bless, host, wast_config, runner_args } => {
            let args = std::iter::once("harness run".to_string()).chain(runner_args);
            let wast_config = wast_config.unwrap_or_default();
            let options = RunOptions { report, expectations, bless, require_match: true, wast_config, host };
            return run_suite_with(&paths, libtest_mimic::Arguments::from_iter(args), &options);
        }
        Command::Compare { old, new, format } => commands::compare_reports(&old, &new, format == Format::Markdown),
        Command::Page { reports, out } => commands::write_page(&reports, &out),
        Command::Guests { out } => commands::write_guests(&out),
        Command::Compose { root, next, out } => commands::compose_files(&root, &next, &out),
        Command::RoundTrip { wasm, input, expected, delay_ms, concurrent } => {
            commands::round_trip(&wasm, &input, &expected, delay_ms, concurrent)
        }
        Command::Bench { cases, repeat } => {
            let cases = cases.unwrap_or_else(|| project_root().join("cases"));
            bench::main(&bench::Options { root: project_root(), cases, repeat })
        }
        Command::Schema => {
            print!("{}", case_format::schema::case_schema());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", render::render(&e));
            ExitCode::FAILURE
        }
    }
}

/// What `run` does besides running the tests.
#[derive(Debug, Default)]
pub struct RunOptions {
    /// Where to write the JSON report.
    pub report: Option<PathBuf>,
    /// An expectations file to use instead of the host's default one.
    pub expectations: Option<PathBuf>,
    /// `--bless`.
    pub bless: bool,
    /// Fail the run when name filters leave no case to run (`harness run`;
    /// not `cargo test`, whose filters also pick tests in other binaries).
    pub require_match: bool,
    /// `--wast-config`.
    pub wast_config: Features,
    /// `wasmtime`, `jco` or `all`; `None`: `HARNESS_HOST`, else wasmtime.
    pub host: Option<String>,
}

fn parse_wast_config(list: &str) -> Result<Features, String> {
    let mut features = Features::default();
    case_format::wast::turn_on_names(&mut features, list)?;
    Ok(features)
}

/// Discover the cases under `paths` and run them as libtest-mimic tests,
/// with the host's default expectations and no report.
pub fn run_suite(paths: &[PathBuf], args: libtest_mimic::Arguments) -> ExitCode {
    run_suite_with(paths, args, &RunOptions::default())
}

/// Run the cases under `paths` (default: the project's `cases/`).
pub fn run_suite_with(paths: &[PathBuf], args: libtest_mimic::Arguments, options: &RunOptions) -> ExitCode {
    let root = project_root();
    let paths = if paths.is_empty() { vec![root.join("cases")] } else { paths.to_vec() };
    let setup = || -> Result<_> {
        if args.test_threads == Some(0) {
            bail!("--test-threads 0 would run nothing and wait forever; give at least 1");
        }
        let bless = bless::requested(options.bless)?;
        let files = case_format::discover(&paths)?;
        let host = options.host.clone().or_else(|| std::env::var("HARNESS_HOST").ok());
        let hosts = hosts_from(host.as_deref().unwrap_or("wasmtime"))?;
        if hosts.len() > 1 && options.report.is_some() {
            bail!("--report describes one host's run: give --host wasmtime or --host jco");
        }
        if hosts.contains(&Host::Jco) && (bless || options.expectations.is_some()) {
            bail!("--bless and --expectations work on the wasmtime host only");
        }
        let mut suite = Suite::new(&root)?;
        suite.wast_config = options.wast_config.clone();
        let suite = Arc::new(suite);
        let mut trials = Vec::new();
        let mut judges = Vec::new();
        for &host in &hosts {
            let expectations = match &options.expectations {
                None => Expectations::for_host(&root, host.name())?,
                Some(file) => {
                    let [folder] = &paths[..] else {
                        bail!("--expectations names cases relative to a case folder: give exactly one folder");
                    };
                    if !folder.is_dir() {
                        bail!(
                            "--expectations names cases relative to a case folder, and {} is not one",
                            folder.display()
                        );
                    }
                    Expectations::load(file, folder)?
                }
            };
            let judge = Arc::new(Judge::new(expectations, bless, &root));
            trials.extend(suite.trials_on(host, files.clone(), &judge, hosts.len() > 1));
            judges.push((host, judge));
        }
        Ok((trials, files, judges))
    };
    let (trials, files, judges) = match setup() {
        Ok(setup) => setup,
        Err(e) => {
            eprintln!("error: {}", render::render(&e));
            return ExitCode::FAILURE;
        }
    };
    let conclusion = libtest_mimic::run(&args, trials);
    let mut code = conclusion.exit_code();
    if args.list {
        return code;
    }
    if options.require_match && conclusion.num_passed + conclusion.num_failed == 0 {
        eprintln!(
            "error: no case ran: the filters ({}) match none of the {} case(s) found",
            filters(&args),
            files.len()
        );
        code = ExitCode::FAILURE;
    }
    let mut cases = Vec::new();
    for (host, judge) in &judges {
        let results = judge.results(&files);
        let epilogue = judge.epilogue(&results);
        if judges.len() > 1 && !epilogue.is_empty() {
            println!("-- {} --", host.name());
        }
        print!("{epilogue}");
        cases = results;
    }
    if let Some(path) = &options.report {
        let host = judges.first().map_or(Host::Wasmtime, |(h, _)| *h);
        let written = Environment::current(&root).and_then(|env| {
            let env = Environment { host: host.name().to_string(), ..env };
            Report::new(env, cases).write(path)
        });
        match written {
            Ok(()) => println!("report written to {}", path.display()),
            Err(e) => {
                eprintln!("error: {}", render::render(&e.context("cannot write the report")));
                code = ExitCode::FAILURE;
            }
        }
    }
    code
}

/// The runner's name filters, for a message.
fn filters(args: &libtest_mimic::Arguments) -> String {
    let mut all: Vec<String> = args.filter.iter().map(|f| format!("`{f}`")).collect();
    all.extend(args.skip.iter().map(|s| format!("--skip `{s}`")));
    if all.is_empty() { "none given".to_string() } else { all.join(", ") }
}
