//! The host side of a case: named presets that implement the chain's
//! imports, configured by data from the case file, and the store data they
//! record into. Cases never carry Rust code, so a second host (jco on Node)
//! could implement the same presets from the same data.

use std::time::Duration;

use anyhow::Result;
use wasmtime::StoreContextMut;
use wasmtime::component::{Accessor, Linker, ResourceTable, Val};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::case;
use crate::limits::Limiter;

/// Store data for one case.
pub struct Ctx {
    wasi: WasiCtx,
    table: ResourceTable,
    pub limits: Limiter,
    pub presets: Presets,
    pub stdout: MemoryOutputPipe,
    pub stderr: MemoryOutputPipe,
    /// wasi:http@0.3.0 state, for `[http]` cases.
    http: WasiHttpCtx,
    pub http_hooks: crate::http::Hooks,
}

/// Runtime state of the host presets: their parameters and what they saw.
pub struct Presets {
    baz: case::BazPreset,
    baz_enters: u32,
    baz_exits: u32,
    /// Preset and guest-recorded events in the order they happened.
    pub events: Vec<String>,
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
            presets: Presets { baz: host.baz.clone(), baz_enters: 0, baz_exits: 0, events: Vec::new() },
            stdout,
            stderr,
            http: WasiHttpCtx::new(),
            http_hooks: crate::http::Hooks,
        }
    }
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
pub fn add_to_linker(linker: &mut Linker<Ctx>) -> Result<()> {
    wasmtime_wasi::p2::add_to_linker_async(linker)?;
    // Guests built with the wasip3 crate import WASI 0.3 next to Rust std's 0.2.
    wasmtime_wasi::p3::add_to_linker(linker)?;
    wasmtime_wasi_http::p3::add_to_linker(linker)?;
    linker.root().instance("local:local/baz")?.func_new_concurrent("foo", |acc, _ty, params, results| {
        Box::pin(baz_foo(acc, params, results))
    })?;
    // Guests report their observations into the transcript, verbatim.
    linker.root().instance("local:local/transcript")?.func_wrap(
        "record",
        |mut store: StoreContextMut<'_, Ctx>, (event,): (String,)| {
            store.data_mut().limits.hold(event.len())?;
            store.data_mut().presets.events.push(event);
            Ok(())
        },
    )?;
    Ok(())
}

/// `local:local/baz#foo`. Events count enters and exits separately (`enter
/// 1, enter 2, exit 1, ...`): the n-th exit is numbered n whichever call it
/// belongs to, so calls whose sleeps end together give one transcript.
async fn baz_foo(acc: &Accessor<Ctx>, params: &[Val], results: &mut [Val]) -> wasmtime::Result<()> {
    let [Val::String(s)] = params else {
        wasmtime::bail!("baz.foo preset: expected one string argument, got {params:?}");
    };
    let delay = acc.with(|mut a| {
        let p = &mut a.data_mut().presets;
        p.baz_enters += 1;
        p.events.push(format!("baz.foo enter {}", p.baz_enters));
        Duration::from_millis(p.baz.delay_ms)
    });
    let s = format!("{s} - entered host");
    // An async sleep: the thread goes back to the event loop meanwhile. A
    // zero delay still yields once, but skips the timer, which rounds every
    // sleep up to its next 1 ms tick.
    if delay.is_zero() {
        tokio::task::yield_now().await;
    } else {
        tokio::time::sleep(delay).await;
    }
    acc.with(|mut a| {
        let p = &mut a.data_mut().presets;
        p.baz_exits += 1;
        p.events.push(format!("baz.foo exit {}", p.baz_exits));
    });
    results[0] = Val::String(format!("{s} - exited host"));
    Ok(())
}
