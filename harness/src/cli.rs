//! The `harness` command line: the seed demo's flow (build guests, compose,
//! round-trip) plus `run`, which runs case files like `cargo test` does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use toml::Spanned;
use wasmtime::component::Val;

use crate::case::{BazPreset, Call, Case, Expect, Host, Limits, Loaded, Source};
use crate::suite::{Suite, project_root};
use crate::{compare, compose, discover, guests, report, run};

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
        #[arg(last = true)]
        runner_args: Vec<String>,
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
    /// Print the JSON Schema of case files, generated from the case types:
    /// `cargo run -- schema > schema/case.schema.json`.
    Schema,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { paths, runner_args } => {
            let paths = if paths.is_empty() { vec![project_root().join("cases")] } else { paths };
            let args = std::iter::once("harness run".to_string()).chain(runner_args);
            return run_suite(&paths, libtest_mimic::Arguments::from_iter(args));
        }
        Command::Guests { out } => write_guests(&out),
        Command::Compose { root, next, out } => compose_files(&root, &next, &out),
        Command::RoundTrip { wasm, input, expected, delay_ms, concurrent } => {
            round_trip(&wasm, &input, &expected, delay_ms, concurrent)
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

/// Discover the cases under `paths` and run them as libtest-mimic tests.
pub fn run_suite(paths: &[PathBuf], args: libtest_mimic::Arguments) -> ExitCode {
    let setup = || -> Result<_> {
        let files = discover::discover(paths)?;
        let suite = Arc::new(Suite::new(&project_root())?);
        Ok(suite.trials(files))
    };
    match setup() {
        Ok(trials) => libtest_mimic::run(&args, trials).exit_code(),
        Err(e) => {
            eprintln!("error: {}", report::render(&e));
            ExitCode::FAILURE
        }
    }
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
            call: Call {
                function: unspanned("local:local/baz#foo".into()),
                args: vec![unspanned(wave(input)?)],
                concurrent: Spanned::new(0..0, concurrent.max(1)),
                stream_args: Default::default(),
                future_args: Default::default(),
            },
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
