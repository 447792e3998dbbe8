//! Exec: run one case on a compiled chain. A fresh `Store` per case, the
//! call (or calls, or the HTTP exchange), the time limit enforced both
//! inside wasm (epoch interruption) and around the host's event loop.
//! Returns what happened as data (`Observed`); judging it is `check`'s job.
//! `.wast` scripts judge themselves, directive by directive (`wast`).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use case_format::{Loaded, TrapKind};
use wasmtime::component::{InstancePre, Type, Val};
use wasmtime::{Store, Trap};

use crate::host::limits::{Limiter, Reached};
use crate::host::tables::error_trap_kind;
use crate::host::transmit::Log;
use crate::host::{Ctx, EPOCH_TICK, http};

mod call;
pub mod jco;
pub mod wast;

pub use call::parse_wave;

/// How the call (or calls) ended.
pub enum Outcome {
    /// Every call returned; one optional result value per call.
    Returned(Vec<Option<Val>>),
    /// Every call returned a value holding streams or futures, shown by its
    /// shape (`stream`, `(stream, future)`): a host that cannot hand back a
    /// `Val` for a handle (jco) says only that. What crossed them is in the
    /// transcript.
    ReturnedHandles(Vec<String>),
    /// Instantiation or a call trapped for a rule a case can expect.
    Trapped { kind: TrapKind, during: &'static str, error: wasmtime::Error },
    /// Instantiation or a call failed otherwise: a host error, or a trap no
    /// case can expect (see `host::tables`).
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
    /// With `call.again`: how the second call ended.
    pub again: Option<Outcome>,
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
    /// With `expect.store-empty`, once the calls returned: how many items
    /// of concurrent state the store still held.
    pub store_left: Option<usize>,
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

    let clock = store.data().clock.clone();
    let on_park = clock.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .on_thread_park(move || on_park.on_park())
        .build()
        .context("cannot start a tokio runtime")?;
    let mut call_time = Duration::ZERO;
    let mut again = None;
    let mut handles = Vec::new();
    let mut store_left = None;
    let (outcome, result_type) = rt.block_on(async {
        let work = async {
            let instance = match pre.instantiate_async(&mut store).await {
                Ok(i) => i,
                Err(error) => return Ok((Outcome::Failed { during: "instantiation", error }, None)),
            };
            store.data_mut().root = Some(instance);
            if case.host.scripted.reenter_into == case_format::ReenterInto::SecondInstance {
                match pre.instantiate_async(&mut store).await {
                    Ok(i) => store.data_mut().second = Some(i),
                    Err(error) => return Ok((Outcome::Failed { during: "instantiation", error }, None)),
                }
            }
            let started = Instant::now();
            let (outcome, result_type) = match (&case.http, &case.call) {
                (Some(request), _) => match http::exchange(&mut store, &instance, loaded, request).await? {
                    Ok(()) => (Outcome::Returned(vec![None]), None),
                    Err(error) => (Outcome::Failed { during: "the HTTP exchange", error }, None),
                },
                (None, Some(c)) => {
                    let first = call::call(&mut store, &instance, loaded, c, &mut handles).await?;
                    if c.again {
                        let (second, _) = call::call(&mut store, &instance, loaded, c, &mut handles).await?;
                        again = Some(classify(second));
                    }
                    first
                }
                (None, None) => bail!("{}: the case has neither `[call]` nor `[http]`", loaded.source.path.display()),
            };
            call_time = started.elapsed();
            let mut outcome = outcome;
            if case.expect.store_empty && matches!(outcome, Outcome::Returned(_)) {
                // Work after return (a task that returned early, its
                // subtasks) runs only inside the event loop: run it until
                // the case has settled, then count what is left.
                if let Err(error) = store.run_concurrent(async |_| clock.settled().await).await {
                    outcome = Outcome::Failed { during: "the work after the calls returned", error };
                } else {
                    // Wasmtime's own leak check (hidden from its docs,
                    // public): every task, waitable and end lives in this
                    // one table.
                    store_left = Some(store.concurrent_state_table_size());
                }
            }
            Ok::<_, anyhow::Error>((outcome, result_type))
        };
        // The limit is tokio's timer, on real time: the virtual clock only
        // ends the presets' sleeps early (`host::clock`).
        match tokio::time::timeout(limit, clock.drive(work)).await {
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
            None => classify(Outcome::Failed { error, during }),
        },
        (other, _) => other,
    };
    Ok(Observed {
        outcome,
        again,
        result_type,
        events: ctx.presets.events,
        handles: handles.into_iter().chain(ctx.presets.handles).collect(),
        stdout: String::from_utf8_lossy(&ctx.stdout.contents()).into_owned(),
        stderr: String::from_utf8_lossy(&ctx.stderr.contents()).into_owned(),
        call_time,
        store_left,
    })
}

impl Observed {
    /// The observed transcript: preset and guest events in the order they
    /// happened, then each stream and future (parameters, then results) with
    /// everything that crossed it merged into one line and how it ended.
    pub fn transcript(&self) -> Vec<String> {
        let mut out = self.events.clone();
        for log in &self.handles {
            out.extend(log.lock().unwrap().lines());
        }
        out
    }
}

/// A failure whose error is a trap a case can expect (a trap code, or a rule
/// error wasmtime reports as a message) becomes `Trapped`.
fn classify(outcome: Outcome) -> Outcome {
    match outcome {
        Outcome::Failed { error, during } => match error_trap_kind(&error) {
            Some(kind) => Outcome::Trapped { kind, during, error },
            None => Outcome::Failed { error, during },
        },
        other => other,
    }
}
