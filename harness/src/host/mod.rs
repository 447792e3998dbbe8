//! Host: wasmtime and what it offers a chain. The engine and linker
//! (`Runtime`), the store data of one case (`Ctx`), the presets that
//! implement the chain's imports from case data (`presets`), the host's ends
//! of streams and futures (`transmit`), wasi:http (`http`), the resource
//! limits (`limits`), and the tables that turn wasmtime's traps, errors and
//! types into the case format's words (`tables`).

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context as _, Result};
use case_format as case;
use wasmtime::component::{Component, InstancePre, Linker, ResourceTable};
use wasmtime::{Config, Engine};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

pub mod clock;
mod collect;
pub mod http;
pub mod jco;
pub mod limits;
pub mod presets;
pub mod tables;
pub mod things;
pub mod transmit;

use limits::Limiter;
use presets::Presets;

/// How often the epoch advances; the granularity of in-wasm time limits.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The engine and the linker with every host preset, shared by all cases.
pub struct Runtime {
    pub engine: Engine,
    linker: Linker<Ctx>,
}

impl Runtime {
    /// An engine with the Component Model, its async support, and the
    /// flagged features a case turned on; with `compile_cache`, wasmtime
    /// keeps what it compiles in that folder.
    pub fn new(features: &case::Features, compile_cache: Option<&std::path::Path>) -> Result<Runtime> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.wasm_component_model_async(true);
        config.wasm_component_model_more_async_builtins(features.more_async_builtins);
        config.wasm_component_model_async_stackful(features.async_stackful);
        config.wasm_component_model_error_context(features.error_context);
        config.wasm_component_model_threading(features.threading);
        config.epoch_interruption(true);
        // wasmtime's own compile cache, for what the chain cache does not
        // hold: the modules and components of `.wast` scripts, which
        // wasmtime-wast compiles itself on every run. A cache that cannot be
        // set up only costs time, as for the chain cache.
        if let Some(dir) = compile_cache {
            let mut cache = wasmtime::CacheConfig::new();
            cache.with_directory(dir);
            match wasmtime::Cache::new(cache) {
                Ok(cache) => _ = config.cache(Some(cache)),
                Err(e) => eprintln!("warning: no compile cache in {}: {e:#}; compiling every time", dir.display()),
            }
        }
        let engine = Engine::new(&config).map_err(anyhow::Error::from)?;
        start_epoch_ticker(&engine);
        let mut linker = Linker::new(&engine);
        add_to_linker(&mut linker).map_err(anyhow::Error::from)?;
        Ok(Runtime { engine, linker })
    }

    /// Compile a (composed) component and resolve its imports, without the
    /// chain cache (the command line's `round-trip`).
    pub fn prepare(&self, bytes: &[u8]) -> Result<InstancePre<Ctx>> {
        let component = Component::new(&self.engine, bytes)
            .map_err(anyhow::Error::from)
            .context("wasmtime rejected the component")?;
        self.link(&component)
    }

    /// Resolve a compiled component's imports against the host presets.
    pub fn link(&self, component: &Component) -> Result<InstancePre<Ctx>> {
        self.linker
            .instantiate_pre(component)
            .map_err(anyhow::Error::from)
            .context("the host cannot satisfy the chain's imports")
    }
}

/// One ticker thread per engine; store deadlines count its ticks.
fn start_epoch_ticker(engine: &Engine) {
    static STARTED: OnceLock<()> = OnceLock::new();
    let engine = engine.clone();
    STARTED.get_or_init(move || {
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        });
    });
}

/// Store data for one case.
pub struct Ctx {
    wasi: WasiCtx,
    table: ResourceTable,
    pub limits: Limiter,
    pub presets: Presets,
    /// What the presets sleep on.
    pub clock: clock::Clock,
    /// The chain's root instance, once instantiated: the presets that call
    /// back into the chain (`[host.scripted] reenter`) call its exports.
    pub root: Option<wasmtime::component::Instance>,
    /// A second instance of the chain, for `reenter-into = "second-instance"`.
    pub second: Option<wasmtime::component::Instance>,
    pub stdout: MemoryOutputPipe,
    pub stderr: MemoryOutputPipe,
    /// wasi:http@0.3.0 state, for `[http]` cases.
    http: WasiHttpCtx,
    pub http_hooks: http::Hooks,
}

/// Captured guest output is cut off beyond this; it is for diagnosis only.
const CAPTURE_BYTES: usize = 1 << 20;

impl Ctx {
    pub fn new(host: &case::Host, limits: Limiter) -> Ctx {
        let stdout = MemoryOutputPipe::new(CAPTURE_BYTES);
        let stderr = MemoryOutputPipe::new(CAPTURE_BYTES);
        // Nothing is inherited: no preopened dirs, env, args, stdin or network.
        let wasi = WasiCtx::builder()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        Ctx {
            wasi,
            table: ResourceTable::new(),
            limits,
            presets: Presets::new(host),
            clock: clock::Clock::new(host.clock),
            root: None,
            second: None,
            stdout,
            stderr,
            http: WasiHttpCtx::new(),
            http_hooks: http::Hooks,
        }
    }

    /// Add an event to the transcript, charged to `limits.host-bytes` like
    /// everything else the host keeps for the guests: every event, from a
    /// guest's `record` or a preset, goes through here.
    pub fn record(&mut self, event: String) -> wasmtime::Result<()> {
        self.limits.hold(event_bytes(&event))?;
        self.presets.events.push(event);
        Ok(())
    }
}

/// What keeping one transcript event costs the host: the `String` itself
/// and its bytes, so that a flood of empty events is charged too.
fn event_bytes(event: &str) -> usize {
    size_of::<String>() + event.len()
}

impl WasiView for Ctx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for Ctx {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.http_hooks }
    }
}

/// Define every preset (and WASI p2, p3 and wasi:http@0.3.0) in `linker`.
/// Presets a chain does not import are simply unused.
fn add_to_linker(linker: &mut Linker<Ctx>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_async(linker)?;
    // Guests built with the wasip3 crate import WASI 0.3 next to Rust std's 0.2.
    wasmtime_wasi::p3::add_to_linker(linker)?;
    wasmtime_wasi_http::p3::add_to_linker(linker)?;
    presets::add_to_linker(linker)
}
