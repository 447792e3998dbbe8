//! Stage 5: run a case on wasmtime. One `Engine` and `Linker` per process, a
//! fresh `Store` per case, the time limit enforced both inside wasm (epoch
//! interruption) and around the host's event loop.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use wasmtime::component::{Component, Func, Instance, InstancePre, Linker, Type, Val};
use wasmtime::{AsContextMut, Config, Engine, Store, Trap};

use crate::case::{Call, Loaded};
use crate::host::{self, Ctx};
use crate::limits::{Limiter, Reached};
use crate::transmit::{self, HandleLog, Log};

/// How often the epoch advances; the granularity of in-wasm time limits.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The engine and the linker with every host preset, shared by all cases.
pub struct Runtime {
    pub engine: Engine,
    linker: Linker<Ctx>,
}

impl Runtime {
    pub fn new() -> Result<Runtime> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.wasm_component_model_async(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config).map_err(anyhow::Error::from)?;
        start_epoch_ticker(&engine);
        let mut linker = Linker::new(&engine);
        host::add_to_linker(&mut linker).map_err(anyhow::Error::from)?;
        Ok(Runtime { engine, linker })
    }

    /// Compile a (composed) component and resolve its imports against the
    /// host presets, once, for every case that uses it. Not cached: the suite
    /// goes through `cache::DiskCache` and then `link`.
    pub fn prepare(&self, bytes: &[u8]) -> Result<InstancePre<Ctx>> {
        self.link(&self.compile(bytes)?)
    }

    pub fn compile(&self, bytes: &[u8]) -> Result<Component> {
        Component::new(&self.engine, bytes)
            .map_err(anyhow::Error::from)
            .context("wasmtime rejected the composed component")
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

/// How the call (or calls) ended.
pub enum Outcome {
    /// Every call returned; one optional result value per call.
    Returned(Vec<Option<Val>>),
    /// Instantiation or a call failed: a trap or another host error.
    Failed { during: &'static str, error: wasmtime::Error },
    /// The case's time limit passed.
    TimedOut(Duration),
    /// A guest ran into one of the case's `[limits]` and then failed; the
    /// error is how it failed (often a trap from a denied allocation).
    LimitReached { reached: Reached, error: wasmtime::Error },
}

/// Everything the host observed while running a case.
pub struct Observed {
    pub outcome: Outcome,
    /// The function's result type, to read the expected WAVE against.
    pub result_type: Option<Type>,
    /// Host preset and guest-recorded events in order.
    pub events: Vec<String>,
    /// What crossed each stream and future: parameters, then results.
    pub handles: Vec<Log>,
    pub stdout: String,
    pub stderr: String,
    /// Time spent in the calls (not instantiation).
    pub call_time: Duration,
}

/// Instantiate and call. An `Err` is a problem with the case itself (no such
/// function, arguments that do not fit its type), not a guest outcome.
pub fn run(pre: &InstancePre<Ctx>, loaded: &Loaded) -> Result<Observed> {
    let case = &loaded.case;
    let limit = Duration::from_millis(case.limits.timeout_ms);
    let mut store = Store::new(pre.engine(), Ctx::new(&case.host, Limiter::new(&case.limits)));
    store.limiter(|ctx| &mut ctx.limits);
    // Enough ticks for the whole limit; the tokio timeout below normally
    // fires first, this catches wasm that never yields to the host.
    store.set_epoch_deadline(limit.as_millis().div_ceil(EPOCH_TICK.as_millis()) as u64 + 1);
    store.epoch_deadline_trap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("cannot start a tokio runtime")?;
    let mut call_time = Duration::ZERO;
    let mut handles = Vec::new();
    let (outcome, result_type) = rt.block_on(async {
        let work = async {
            let instance = match pre.instantiate_async(&mut store).await {
                Ok(i) => i,
                Err(error) => return Ok((Outcome::Failed { during: "instantiation", error }, None)),
            };
            let started = Instant::now();
            let (outcome, result_type) = match (&case.http, &case.call) {
                (Some(request), _) => (crate::http::exchange(&mut store, &instance, loaded, request).await?, None),
                (None, Some(c)) => {
                    let func = lookup(&instance, &mut store, loaded, c)?;
                    let ty = func.ty(&store);
                    let result_type = ty.results().next();
                    let params = args(loaded, c, &mut store, ty.params().map(|(n, t)| (n.to_string(), t)).collect(), &mut handles)?;
                    let count = *c.concurrent.get_ref();
                    let outcome = call(&mut store, func, params, result_type.clone(), count, &mut handles).await?;
                    (outcome, result_type)
                }
                (None, None) => bail!("{}: the case has neither `[call]` nor `[http]`", loaded.source.path.display()),
            };
            call_time = started.elapsed();
            Ok::<_, anyhow::Error>((outcome, result_type))
        };
        match tokio::time::timeout(limit, work).await {
            Ok(r) => r,
            Err(_) => Ok((Outcome::TimedOut(limit), None)),
        }
    })?;
    let ctx = store.into_data();
    let outcome = match (outcome, ctx.limits.reached.clone()) {
        (Outcome::Failed { error, .. }, _) if error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) => {
            Outcome::TimedOut(limit)
        }
        // A failure after a denied growth is put down to the limit: with
        // less memory than it needs, a guest fails however it happens to.
        // A guest that copes with the denial and returns is judged as usual.
        (Outcome::Failed { error, .. }, Some(reached)) => Outcome::LimitReached { reached, error },
        (Outcome::Failed { error, during }, None) => match Reached::from_count_error(&error, &case.limits) {
            Some(reached) => Outcome::LimitReached { reached, error },
            None => Outcome::Failed { error, during },
        },
        (other, _) => other,
    };
    Ok(Observed {
        outcome,
        result_type,
        events: ctx.presets.events,
        handles,
        stdout: String::from_utf8_lossy(&ctx.stdout.contents()).into_owned(),
        stderr: String::from_utf8_lossy(&ctx.stderr.contents()).into_owned(),
        call_time,
    })
}

/// Start `count` identical calls at once and wait for all of them, then
/// read every stream and future they returned to its end. `Err` is a host
/// limitation (a payload type the host cannot carry), not a guest outcome.
async fn call(
    store: &mut Store<Ctx>,
    func: Func,
    params: Vec<Val>,
    result_type: Option<Type>,
    count: u32,
    handles: &mut Vec<Log>,
) -> Result<Outcome> {
    let results = usize::from(result_type.is_some());
    let run = store
        .run_concurrent(async |acc| {
            let calls = (0..count).map(|_| {
                let params = params.clone();
                async move {
                    let mut out = vec![Val::Bool(false); results];
                    func.call_concurrent(acc, &params, &mut out).await.map(|()| out)
                }
            });
            let all = futures::future::join_all(calls).await;
            // Returned streams and futures are read after every call has
            // returned: what their writers do after returning is part of
            // the case.
            let mut logs = Vec::new();
            let mut waits = Vec::new();
            if let Some(ty) = &result_type {
                for value in all.iter().flatten().flat_map(|vals| vals.first()) {
                    let started = acc.with(|mut a| transmit::collect(a.as_context_mut(), "result", value, ty, &mut logs))?;
                    waits.extend(started);
                }
            }
            for wait in waits {
                let _ = wait.await;
            }
            Ok::<_, anyhow::Error>((all, logs))
        })
        .await;
    let (all, logs) = match run {
        Ok(r) => r?,
        Err(error) => return Ok(Outcome::Failed { during: "the call", error }),
    };
    handles.extend(logs);
    let mut returned = Vec::new();
    for call in all {
        match call {
            Ok(vals) => returned.push(vals.into_iter().next()),
            Err(error) => return Ok(Outcome::Failed { during: "the call", error }),
        }
    }
    Ok(Outcome::Returned(returned))
}

/// Find `interface#function` (or a top-level `function`) among the exports.
fn lookup(instance: &Instance, store: &mut Store<Ctx>, loaded: &Loaded, call: &Call) -> Result<Func> {
    let name = &call.function;
    let found = match name.get_ref().split_once('#') {
        Some((iface, f)) => instance
            .get_export_index(&mut *store, None, iface)
            .and_then(|i| instance.get_export_index(&mut *store, Some(&i), f))
            .and_then(|f| instance.get_func(&mut *store, f)),
        None => instance.get_func(&mut *store, name.get_ref().as_str()),
    };
    found.with_context(|| {
        format!("{}: the chain exports no function `{}`", loaded.source.at(&name.span()), name.get_ref())
    })
}

/// Build the call's arguments: WAVE values for plain parameters, host-made
/// streams and futures (logged into `handles`) for the others.
fn args(
    loaded: &Loaded,
    call: &Call,
    store: &mut Store<Ctx>,
    params: Vec<(String, Type)>,
    handles: &mut Vec<Log>,
) -> Result<Vec<Val>> {
    let at = loaded.source.at(&call.function.span());
    let function = call.function.get_ref();
    let plain = params.iter().filter(|(_, t)| !matches!(t, Type::Stream(_) | Type::Future(_))).count();
    if call.args.len() != plain {
        bail!(
            "{at}: `{function}` takes {plain} plain argument(s) (streams and futures go in \
             [call.stream-args] / [call.future-args]), the case gives {}",
            call.args.len()
        );
    }
    let mut waves = call.args.iter();
    let mut vals = Vec::new();
    for (name, ty) in &params {
        let val = match ty {
            Type::Stream(st) => {
                let arg = call.stream_args.get(name).with_context(|| {
                    format!("{at}: parameter `{name}` is a stream; say what the host writes in [call.stream-args.{name}]")
                })?;
                let payload = payload_type(&at, name, st.ty())?;
                let chunks = arg
                    .chunks
                    .iter()
                    .map(|c| c.iter().map(|w| parse_wave(loaded, w, &payload)).collect::<Result<Vec<_>>>())
                    .collect::<Result<Vec<_>>>()?;
                let log = HandleLog::new(name.clone(), true, true);
                handles.push(log.clone());
                transmit::stream_arg(store, Some(payload), chunks, log)?
            }
            Type::Future(ft) => {
                let arg = call.future_args.get(name).with_context(|| {
                    format!("{at}: parameter `{name}` is a future; give its value in [call.future-args.{name}]")
                })?;
                let payload = payload_type(&at, name, ft.ty())?;
                let value = parse_wave(loaded, &arg.value, &payload)?;
                let log = HandleLog::new(name.clone(), true, false);
                handles.push(log.clone());
                transmit::future_arg(store, Some(payload), value, log)?
            }
            _ => parse_wave(loaded, waves.next().expect("counted above"), ty)?,
        };
        vals.push(val);
    }
    let streams = call.stream_args.keys().map(|n| ("stream-args", n));
    let futures = call.future_args.keys().map(|n| ("future-args", n));
    for (kind, name) in streams.chain(futures) {
        {
            if !params.iter().any(|(n, _)| n == name) {
                bail!("{at}: [call.{kind}.{name}] names no parameter of `{function}`");
            }
        }
    }
    Ok(vals)
}

fn payload_type(at: &str, name: &str, ty: Option<Type>) -> Result<Type> {
    ty.with_context(|| format!("{at}: parameter `{name}` has no payload; the host cannot feed payload-less streams or futures"))
}

/// Parse one WAVE value against `ty`, with the error pointing into the file.
pub fn parse_wave(loaded: &Loaded, text: &toml::Spanned<String>, ty: &Type) -> Result<Val> {
    wasm_wave::from_str::<Val>(ty, text.get_ref()).map_err(|e| {
        anyhow::anyhow!(
            "{}: WAVE `{}` does not fit type {}: {e}",
            loaded.source.at_inner(&text.span(), e.span().start),
            text.get_ref(),
            type_name(ty)
        )
    })
}

/// A short, readable name of a component type for error messages.
pub fn type_name(ty: &Type) -> String {
    let s = format!("{ty:?}");
    s.split('(').next().unwrap_or(&s).to_lowercase()
}
