//! The `harness` command line: the seed demo's flow (build guests, compose,
//! round-trip) plus `run`, which runs case files like `cargo test` does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use toml::Spanned;
use wasmtime::component::Val;

use crate::case::{BazPreset, Call, Case, Expect, Host, Limits, Loaded, Source};
use crate::expectations::Expectations;
use crate::results::{Judge, Report};
use crate::suite::{Suite, project_root};
use crate::versions::Environment;
use crate::{bench, bless, compare, compose, discover, guests, regressions, report, run, versions};

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

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    /// Tables to paste into a pull request.
    Markdown,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { paths, report, expectations, runner_args } => {
            let args = std::iter::once("harness run".to_string()).chain(runner_args);
            let options = RunOptions { report, expectations };
            return run_suite_with(&paths, libtest_mimic::Arguments::from_iter(args), &options);
        }
        Command::Compare { old, new, format } => compare_reports(&old, &new, format),
        Command::Guests { out } => write_guests(&out),
        Command::Compose { root, next, out } => compose_files(&root, &next, &out),
        Command::RoundTrip { wasm, input, expected, delay_ms, concurrent } => {
            round_trip(&wasm, &input, &expected, delay_ms, concurrent)
        }
        Command::Bench { cases, repeat } => {
            let cases = cases.unwrap_or_else(|| project_root().join("cases"));
            bench::main(&bench::Options { root: project_root(), cases, repeat })
        }
        Command::Schema => {
            print!("{}", crate::schema::case_schema());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", report::render(&e));
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
        let bless = bless::requested()?;
        let files = discover::discover(&paths)?;
        let expectations = match &options.expectations {
            None => Expectations::for_host(&root, versions::HOST)?,
            Some(file) => {
                let [folder] = &paths[..] else {
                    bail!("--expectations names cases relative to a case folder: give exactly one folder");
                };
                if !folder.is_dir() {
                    bail!("--expectations names cases relative to a case folder, and {} is not one", folder.display());
                }
                Expectations::load(file, folder)?
            }
        };
        let judge = Arc::new(Judge::new(expectations, bless, &root));
        let suite = Arc::new(Suite::new(&root)?);
        Ok((suite.trials(files.clone(), &judge), files, judge))
    };
    let (trials, files, judge) = match setup() {
        Ok(setup) => setup,
        Err(e) => {
            eprintln!("error: {}", report::render(&e));
            return ExitCode::FAILURE;
        }
    };
    let mut code = libtest_mimic::run(&args, trials).exit_code();
    if args.list {
        return code;
    }
    let cases = judge.results(&files);
    print!("{}", judge.epilogue(&cases));
    if let Some(path) = &options.report {
        let written = Environment::current(&root).and_then(|env| Report::new(env, cases).write(path));
        match written {
            Ok(()) => println!("report written to {}", path.display()),
            Err(e) => {
                eprintln!("error: {}", report::render(&e.context("cannot write the report")));
                code = ExitCode::FAILURE;
            }
        }
    }
    code
}

/// `harness compare`: prints the changes; exit 1 when something regressed.
fn compare_reports(old: &Path, new: &Path, format: Format) -> Result<ExitCode> {
    let (old_report, new_report) = (Report::read(old)?, Report::read(new)?);
    let changes = regressions::changes(&old_report, &new_report);
    let (o, n) = (old.display().to_string(), new.display().to_string());
    match format {
        Format::Text => print!("{}", changes.text(&o, &n)),
        Format::Markdown => print!("{}", changes.markdown(&o, &n)),
    }
    Ok(if changes.regressions.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn write_guests(out: &Path) -> Result<ExitCode> {
    let suite = Suite::new(&project_root())?;
    let guests = suite.guests()?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, guest) in &guests.components {
        let path = out.join(format!("{name}.wasm"));
        std::fs::write(&path, &guest.bytes).with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn compose_files(root: &Path, next: &[PathBuf], out: &Path) -> Result<ExitCode> {
    let paths: Vec<&Path> = std::iter::once(root).chain(next.iter().map(PathBuf::as_path)).collect();
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let bytes = paths.iter().map(|p| guests::read_component(p)).collect::<Result<Vec<_>>>()?;
    let parts: Vec<_> =
        names.iter().zip(&bytes).map(|(name, bytes)| compose::Part { name, bytes }).collect();
    let composed = compose::compose(&parts)?;
    std::fs::write(out, composed).with_context(|| format!("cannot write {}", out.display()))?;
    println!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// The seed's `round-trip` command, expressed as an in-memory case.
fn round_trip(wasm: &Path, input: &str, expected: &str, delay_ms: u64, concurrent: u32) -> Result<ExitCode> {
    let wave = |s: &str| wasm_wave::to_string(&Val::String(s.into())).map_err(anyhow::Error::from);
    let unspanned = |s: String| Spanned::new(0..0, s);
    let loaded = Loaded {
        case: Case {
            description: "command-line round trip".into(),
            chain: Vec::new(),
            call: Some(Call {
                function: unspanned("local:local/baz#foo".into()),
                args: vec![unspanned(wave(input)?)],
                concurrent: Spanned::new(0..0, concurrent.max(1)),
                stream_args: Default::default(),
                future_args: Default::default(),
            }),
            http: None,
            expect: Expect {
                result: Some(unspanned(wave(expected)?)),
                trap: None,
                transcript: None,
                transcript_file: None,
            },
            host: Host { baz: BazPreset { delay_ms } },
            limits: Limits::default(),
        },
        source: Source { path: PathBuf::from("<command line>"), text: String::new() },
        transcript: None,
    };
    let runtime = run::Runtime::new()?;
    let pre = runtime.prepare(&guests::read_component(wasm)?)?;
    let observed = run::run(&pre, &loaded)?;
    match compare::check(&loaded, &observed)? {
        Ok(()) => {
            let ms = observed.call_time.as_secs_f64() * 1000.0;
            println!("success! ({concurrent} call(s) in {ms:.1} ms, host events: {})", observed.events.join(", "));
            Ok(ExitCode::SUCCESS)
        }
        Err(body) => {
            let ctx = report::Context { case_file: wasm, chain: &[], composed: None };
            println!("{}", report::failure(&ctx, &body, &observed.stdout, &observed.stderr));
            Ok(ExitCode::FAILURE)
        }
    }
}
