//! Suite: the stages wired together for a set of case files, one
//! libtest-mimic trial per case. It shares the expensive work between
//! cases: guests are built once, each unique chain is composed and compiled
//! once (one lock per chain, so parallel tests that
//! need the same chain wait for one compile instead of repeating it), and
//! compiled chains are kept on disk for later runs and other processes
//! (`cache`).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use anyhow::{Context as _, Result};
use case_format::{Case, CaseFile, Features, Link};
use libtest_mimic::{Failed, Trial};
use wasmtime::component::InstancePre;

use crate::build::cache::DiskCache;
use crate::build::compose;
use crate::build::guests::{GuestDirs, Guests};
use crate::build::local;
use crate::check::{self, render};
use crate::exec;
use crate::host::{Ctx, Runtime};
use crate::results::judge::{CaseRun, Judge};
use crate::results::{Outcome, bless};

mod jco;

pub use jco::{Host, hosts_from};

/// A case that could not be run or compared; there is nothing to bless.
fn broken(ctx: &render::Context<'_>, error: &anyhow::Error, observed: Option<&exec::Observed>) -> CaseRun {
    let (stdout, stderr) = observed.map_or(("", ""), |o| (o.stdout.as_str(), o.stderr.as_str()));
    CaseRun {
        outcome: Outcome::Fail,
        message: render::failure(ctx, &render::render(error), stdout, stderr, None),
        summary: render::one_line(&format!("{error:#}")),
        bless: None,
        features: Vec::new(),
    }
}

/// A composed, compiled chain ready to instantiate.
pub struct Chain {
    pub path: PathBuf,
    pub pre: InstancePre<Ctx>,
}

type Shared<T> = OnceLock<Result<Arc<T>, String>>;

pub struct Suite {
    guest_dirs: GuestDirs,
    known_guests: BTreeSet<String>,
    composed_dir: PathBuf,
    cache: DiskCache,
    guests: Shared<Guests>,
    /// One engine per combination of flagged features cases turn on.
    runtimes: Mutex<HashMap<Features, Arc<Shared<Runtime>>>>,
    chains: Mutex<HashMap<ChainKey, Arc<Shared<Chain>>>>,
    /// Features every `.wast` script gets on top of its own header's
    /// (`harness run --wast-config`).
    pub wast_config: Features,
    /// Every case on this clock instead of its own (the benchmark's old-clock run).
    clock: Option<case_format::Clock>,
    jco: crate::build::jco::JcoTools,
    /// Each composed chain's jco module, transpiled at most once per process.
    jco_modules: Mutex<HashMap<PathBuf, Arc<Shared<PathBuf>>>>,
    scratch: PathBuf,
}

/// A chain within a run: the engine's features and each entry's identity.
type ChainKey = (Features, Vec<PartKey>);

/// What identifies a chain entry within a run: a guest by its name (its
/// bytes are fixed for the run), a case's own component by its compiled
/// bytes' digest, since two cases may give different text one local name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum PartKey {
    Guest(String),
    Local([u8; 32]),
}

/// The project's folders. cargo and nextest say at run time where this
/// crate's manifest is, which differs from where it was built when nextest
/// runs an archive on another machine (`--workspace-remap`); otherwise (the
/// binary started by hand) it is where this crate was built.
pub fn project_root() -> PathBuf {
    let runtime = std::env::var_os("CARGO_MANIFEST_DIR")
        .filter(|_| std::env::var_os("CARGO_PKG_NAME").is_some_and(|n| n == env!("CARGO_PKG_NAME")));
    let manifest_dir = runtime.map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir.parent().map_or_else(|| manifest_dir.clone(), Path::to_owned)
}

impl Suite {
    pub fn new(root: &Path) -> Result<Suite> {
        let target = root.join("target");
        let guest_dirs = GuestDirs { src: root.join("guests"), wit: root.join("wit"), target: target.join("guests") };
        let known_guests = guest_dirs.names()?;
        crate::build::sweep_temporaries(&target.join("cache"));
        Ok(Suite {
            guest_dirs,
            known_guests,
            composed_dir: target.join("composed"),
            cache: DiskCache::new(target.join("cache")),
            guests: OnceLock::new(),
            runtimes: Mutex::new(HashMap::new()),
            chains: Mutex::new(HashMap::new()),
            wast_config: Features::default(),
            clock: None,
            jco: crate::build::jco::JcoTools::new(root),
            jco_modules: Mutex::new(HashMap::new()),
            scratch: target.join("jco-runs"),
        })
    }

    /// Run every case on `clock`, whatever its `[host] clock` says.
    pub fn with_clock(mut self, clock: case_format::Clock) -> Suite {
        self.clock = Some(clock);
        self
    }

    /// A suite that uses an existing runtime instead of starting its own, so
    /// one process can measure several runs on one engine (the benchmark).
    pub fn with_runtime(root: &Path, runtime: Arc<Runtime>) -> Result<Suite> {
        let suite = Suite::new(root)?;
        let slot = Arc::new(OnceLock::new());
        let _ = slot.set(Ok(runtime));
        suite.runtimes.lock().unwrap().insert(Features::default(), slot);
        Ok(suite)
    }

    /// One test per case file. Nothing is built until a test runs; `judge`
    /// settles each result and records its outcome.
    pub fn trials(self: &Arc<Self>, files: Vec<CaseFile>, judge: &Arc<Judge>) -> Vec<Trial> {
        self.trials_on(Host::Wasmtime, files, judge, false)
    }

    /// The same on `host`; with `named`, each test's name ends in `@host`
    /// (both hosts in one run).
    pub fn trials_on(
        self: &Arc<Self>,
        host: Host,
        files: Vec<CaseFile>,
        judge: &Arc<Judge>,
        named: bool,
    ) -> Vec<Trial> {
        files
            .into_iter()
            .map(|file| {
                let suite = Arc::clone(self);
                let judge = Arc::clone(judge);
                let name = if named { format!("{}@{}", file.name, host.name()) } else { file.name.clone() };
                Trial::test(name, move || {
                    let started = Instant::now();
                    let run = suite.run_case_on(host, &file);
                    judge.settle(&file, run, started.elapsed()).map_err(Failed::from)
                })
            })
            .collect()
    }

    /// Load, compose, run and compare one case (or matrix cell).
    pub fn run_case(&self, file: &CaseFile) -> CaseRun {
        self.run_case_on(Host::Wasmtime, file)
    }

    pub fn run_case_on(&self, host: Host, file: &CaseFile) -> CaseRun {
        let mut features = Vec::new();
        let mut run =
            self.try_case(host, &file.path, file.cell.as_deref(), &mut features).unwrap_or_else(|broken| *broken);
        run.features = features;
        run
    }

    /// `Err` is a case that could not be run or compared (boxed: a failure
    /// message is large, a pass is not).
    fn try_case(
        &self,
        host: Host,
        path: &Path,
        cell: Option<&str>,
        features: &mut Vec<String>,
    ) -> Result<CaseRun, Box<CaseRun>> {
        let mut ctx = render::Context { cell, ..render::Context::new(path) };
        let fail = |ctx: &render::Context<'_>, e: anyhow::Error| Box::new(broken(ctx, &e, None));
        if case_format::is_wast(path) && host == Host::Jco {
            return Err(fail(&ctx, anyhow::anyhow!("{}", jco::WAST_ON_JCO)));
        }
        if case_format::is_wast(path) {
            return Ok(self.wast_case(path, features));
        }
        let mut loaded = Case::load(path, cell, &self.known_guests).map_err(|e| fail(&ctx, e))?;
        if let Some(clock) = self.clock {
            loaded.case.host.clock = clock;
        }
        let names = loaded.case.chain_names();
        *features = loaded.case.config.enabled().into_iter().map(String::from).collect();
        ctx.description = Some(&loaded.case.description);
        ctx.chain = &names;
        let links = match host {
            Host::Wasmtime => loaded.chain.clone(),
            Host::Jco => jco::links(&loaded.chain),
        };
        let chain = self.chain(&loaded.case.config, &links).map_err(|e| fail(&ctx, e))?;
        ctx.composed = Some(&chain.path);
        let versions = if host == Host::Jco { self.jco.versions() } else { String::new() };
        if host == Host::Jco {
            ctx.host = Some(&versions);
        }
        let observed = match host {
            Host::Wasmtime => exec::run(&chain.pre, &loaded),
            Host::Jco => self.run_on_jco(&chain, &loaded, path, cell),
        }
        .map_err(|e| fail(&ctx, e))?;
        let comparison = check::compare(&loaded, &observed).map_err(|e| Box::new(broken(&ctx, &e, Some(&observed))))?;
        if comparison.passed() {
            return Ok(CaseRun::pass());
        }
        let proposal = match host {
            Host::Wasmtime => bless::proposal(&loaded, &observed, &comparison),
            // A case states what the spec requires; a second host's
            // behaviour is no more a reference than wasmtime's, and bless
            // takes only one, the default host's.
            Host::Jco => Err("bless takes what wasmtime observed; run it with --host wasmtime".into()),
        };
        let command = proposal.is_ok().then(|| render::bless_command(path, cell));
        let body = check::explain(&loaded, &observed, &comparison);
        Ok(CaseRun {
            outcome: match observed.outcome {
                exec::Outcome::TimedOut(_) => Outcome::TimedOut,
                _ => Outcome::Fail,
            },
            message: render::failure(&ctx, &body, &observed.stdout, &observed.stderr, command.as_deref()),
            summary: check::summary(&observed, &comparison),
            bless: Some(proposal),
            features: Vec::new(),
        })
    }

    /// Run a `.wast` script. It passes when every directive did; there is
    /// nothing to bless, since a script states its expectations in wat.
    fn wast_case(&self, path: &Path, enabled: &mut Vec<String>) -> CaseRun {
        let ctx = render::Context::new(path);
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => return broken(&ctx, &anyhow::Error::new(e).context(format!("reading {}", path.display())), None),
        };
        let header = match case_format::wast::header(path, &text) {
            Ok(header) => header,
            Err(e) => return broken(&ctx, &e, None),
        };
        let ctx = render::Context { description: header.description.as_deref(), ..ctx };
        let mut features = header.config;
        for name in self.wast_config.enabled() {
            features.turn_on(name);
        }
        *enabled = features.enabled().into_iter().map(String::from).collect();
        let ran = self
            .runtime(&features)
            .map_err(|error| exec::wast::Failure { timed_out: None, error })
            .and_then(|runtime| exec::wast::run(&runtime.engine, path, exec::wast::TIME_LIMIT));
        let Err(failure) = ran else { return CaseRun::pass() };
        let mut run = broken(&ctx, &failure.error, None);
        if failure.timed_out.is_some() {
            run.outcome = Outcome::TimedOut;
        }
        run.bless = Some(Err("a .wast script states its expectations in wat; edit the script".into()));
        run
    }

    /// The guests' names, which a chain may use.
    pub fn known_guests(&self) -> &BTreeSet<String> {
        &self.known_guests
    }

    pub fn guests(&self) -> Result<Arc<Guests>> {
        shared(&self.guests, || self.guest_dirs.build())
    }

    /// The engine for a set of features, made at most once per process.
    pub fn runtime(&self, features: &Features) -> Result<Arc<Runtime>> {
        let slot = Arc::clone(self.runtimes.lock().unwrap().entry(features.clone()).or_default());
        shared(&slot, || Runtime::new(features, Some(&self.cache.dir().join("wasmtime"))))
    }

    /// The on-disk cache and what it did so far in this process.
    pub fn cache(&self) -> &DiskCache {
        &self.cache
    }

    /// The composed and compiled chain, built at most once per process and
    /// loaded from the disk cache when an earlier run built it. A case's own
    /// components are compiled here, for every case that names them: that
    /// takes microseconds, and a syntax error then fails only that case.
    pub fn chain(&self, features: &Features, links: &[Link]) -> Result<Arc<Chain>> {
        let locals = links
            .iter()
            .map(|link| match link {
                Link::Guest(_) => Ok(None),
                Link::Wat(wat) => local::compile(wat).map(Some),
            })
            .collect::<Result<Vec<_>>>()?;
        let key = links
            .iter()
            .zip(&locals)
            .map(|(link, compiled)| match compiled {
                Some(c) => PartKey::Local(c.digest),
                None => PartKey::Guest(link.name().to_string()),
            })
            .collect();
        let slot = Arc::clone(self.chains.lock().unwrap().entry((features.clone(), key)).or_default());
        let mut first = false;
        let chain = shared(&slot, || {
            first = true;
            // A chain of case-local components alone needs no guest build.
            let guests = if locals.iter().all(Option::is_some) { None } else { Some(self.guests()?) };
            let mut parts = Vec::new();
            let mut labels = Vec::new();
            for (link, compiled) in links.iter().zip(&locals) {
                let (bytes, label) = match compiled {
                    Some(c) => (c.bytes.as_slice(), c.label.as_str()),
                    None => {
                        let guests = guests.as_ref().context("the guests were not built")?;
                        (guests.get(link.name())?.bytes.as_slice(), link.name())
                    }
                };
                parts.push(compose::Part { name: link.name(), bytes });
                labels.push(label);
            }
            let runtime = self.runtime(features)?;
            let path = self.composed_dir.join(inspect_name(&labels));
            let component = self.cache.get_or_build(&runtime.engine, &parts, &path)?;
            let pre = runtime.link(&component).with_context(|| format!("composed chain: {}", path.display()))?;
            Ok(Chain { path, pre })
        });
        if !first {
            self.cache.counters.memory_hit();
        }
        chain
    }
}

/// Longest file name of an inspect copy, in bytes: with the temporary
/// suffix of an atomic write it stays below the usual 255-byte limit.
const MAX_INSPECT_NAME: usize = 180;

/// The inspect copy's file name, `<guest>+<guest>.wasm`; a chain too long
/// for one file name keeps its start and ends in a hash of all the names,
/// so every chain the composer accepts can run.
fn inspect_name(names: &[&str]) -> String {
    let joined = names.join("+");
    if joined.len() + ".wasm".len() <= MAX_INSPECT_NAME {
        return format!("{joined}.wasm");
    }
    let mut hasher = crate::build::cache::StableHasher::new();
    names.iter().for_each(|n| hasher.field(n.as_bytes()));
    let hash = &hasher.hex()[..16];
    let mut keep = MAX_INSPECT_NAME - "+...-.wasm".len() - hash.len();
    while !joined.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{}+...-{hash}.wasm", &joined[..keep])
}

/// Initialise once; every caller gets the value or the same error, rendered
/// with its causes.
fn shared<T>(slot: &Shared<T>, init: impl FnOnce() -> Result<T>) -> Result<Arc<T>> {
    slot.get_or_init(|| init().map(Arc::new).map_err(|e| render::render(&e))).clone().map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }

    #[test]
    fn long_chains_get_short_distinct_file_names() {
        assert_eq!(inspect_name(&["guest-async", "guest-sync"]), "guest-async+guest-sync.wasm");
        let long: Vec<String> = (0..30).map(|i| format!("guest-async-sync-import-{i}")).collect();
        let name = inspect_name(&refs(&long));
        assert!(name.len() <= MAX_INSPECT_NAME && name.starts_with("guest-async-sync-import-0+"), "{name}");
        let mut other = long.clone();
        other.swap(28, 29);
        assert_ne!(inspect_name(&refs(&other)), name);
        let wide: Vec<String> = (0..60).map(|_| "é".repeat(7)).collect();
        assert!(inspect_name(&refs(&wide)).len() <= MAX_INSPECT_NAME);
    }
}
