//! The commands besides `run`: `compare`, `page`, and the seed demo's `guests`,
//! `compose` and `round-trip`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use case_format::{BazPreset, Call, Case, Clock, Expect, Host, Limits, Loaded, Source};
use toml::Spanned;
use wasmtime::component::Val;

use crate::build::{compose, guests};
use crate::check::{self, render};
use crate::exec;
use crate::host::Runtime;
use crate::results::{Report, compare, page};
use crate::suite::{Suite, project_root};

/// `harness compare`: prints the changes; exit 1 when something regressed.
pub fn compare_reports(old: &Path, new: &Path, markdown: bool) -> Result<ExitCode> {
    let (old_report, new_report) = (Report::read(old)?, Report::read(new)?);
    let changes = compare::changes(&old_report, &new_report);
    let (o, n) = (old.display().to_string(), new.display().to_string());
    if markdown {
        print!("{}", changes.markdown(&o, &n));
    } else {
        print!("{}", changes.text(&o, &n));
    }
    Ok(if changes.failed() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `harness page`: one column per report, in the order given.
pub fn write_page(reports: &[PathBuf], out: &Path) -> Result<ExitCode> {
    let runs = reports.iter().map(|p| page::Run::read(p)).collect::<Result<Vec<_>>>()?;
    let index = page::write(&runs, &project_root(), out)?;
    println!("{}", index.display());
    Ok(ExitCode::SUCCESS)
}

pub fn write_guests(out: &Path) -> Result<ExitCode> {
    let suite = Suite::new(&project_root())?;
    let guests = suite.guests()?;
    if let Some((_, why)) = guests.broken.iter().next() {
        anyhow::bail!("{why}");
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, guest) in &guests.components {
        let path = out.join(format!("{name}.wasm"));
        std::fs::write(&path, &guest.bytes).with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn compose_files(root: &Path, next: &[PathBuf], out: &Path) -> Result<ExitCode> {
    let paths: Vec<&Path> = std::iter::once(root).chain(next.iter().map(PathBuf::as_path)).collect();
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let bytes = paths.iter().map(|p| guests::read_component(p)).collect::<Result<Vec<_>>>()?;
    let parts: Vec<_> = names.iter().zip(&bytes).map(|(name, bytes)| compose::Part { name, bytes }).collect();
    let composed = compose::compose(&parts)?;
    std::fs::write(out, composed).with_context(|| format!("cannot write {}", out.display()))?;
    println!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// The seed's `round-trip` command, expressed as an in-memory case.
pub fn round_trip(wasm: &Path, input: &str, expected: &str, delay_ms: u64, concurrent: u32) -> Result<ExitCode> {
    let wave = |s: &str| wasm_wave::to_string(&Val::String(s.into())).map_err(anyhow::Error::from);
    let unspanned = |s: String| Spanned::new(0..0, s);
    let loaded = Loaded {
        case: Case {
            description: "command-line round trip".into(),
            chain: Vec::new(),
            call: Some(Call {
                function: unspanned("local:local/baz#foo".into()),
                args: vec![unspanned(wave(input)?)],
                script: None,
                again: false,
                concurrent: Spanned::new(0..0, concurrent.max(1)),
                stream_args: Default::default(),
                future_args: Default::default(),
                resource_args: Default::default(),
            }),
            http: None,
            expect: Expect {
                result: Some(unspanned(wave(expected)?)),
                trap: None,
                again_trap: None,
                again_result: None,
                limit: None,
                transcript: None,
                transcript_file: None,
                store_empty: false,
            },
            // The seed printed the real time the calls took; it still does.
            host: Host { baz: BazPreset { delay_ms }, scripted: Default::default(), clock: Clock::Real },
            limits: Limits::default(),
            scripts: Default::default(),
            config: Default::default(),
            components: Default::default(),
            matrix: None,
        },
        source: Source::new(PathBuf::from("<command line>"), String::new()),
        transcript: None,
        chain: Vec::new(),
    };
    let runtime = Runtime::new(&Default::default(), None)?;
    let pre = runtime.prepare(&guests::read_component(wasm)?)?;
    let observed = exec::run(&pre, &loaded)?;
    let comparison = check::compare(&loaded, &observed)?;
    if comparison.passed() {
        let ms = observed.call_time.as_secs_f64() * 1000.0;
        println!("success! ({concurrent} call(s) in {ms:.1} ms, host events: {})", observed.events.join(", "));
        return Ok(ExitCode::SUCCESS);
    }
    let body = check::explain(&loaded, &observed, &comparison);
    let ctx = render::Context::new(wasm);
    println!("{}", render::failure(&ctx, &body, &observed.stdout, &observed.stderr, None));
    Ok(ExitCode::FAILURE)
}
