//! The presets that implement a chain's imports, configured by data from
//! the case file. Cases never carry Rust code, so a second host (jco on
//! Node) implements the same presets from the same data.

use std::time::Duration;

use case_format as case;
use wasmtime::StoreContextMut;
use wasmtime::component::types::ComponentFunc;
use wasmtime::component::{Accessor, Linker, Type, Val};

use super::Ctx;

/// Runtime state of the host presets: their parameters and what they saw.
pub struct Presets {
    baz: case::BazPreset,
    baz_enters: u32,
    baz_exits: u32,
    /// Preset and guest-recorded events in the order they happened.
    pub events: Vec<String>,
}

impl Presets {
    pub fn new(host: &case::Host) -> Presets {
        Presets { baz: host.baz.clone(), baz_enters: 0, baz_exits: 0, events: Vec::new() }
    }
}

/// Define the presets in `linker`; presets a chain does not import are
/// simply unused.
pub fn add_to_linker(linker: &mut Linker<Ctx>) -> wasmtime::Result<()> {
    linker
        .root()
        .instance("local:local/baz")?
        .func_new_concurrent("foo", |acc, ty, params, results| Box::pin(baz_foo(acc, ty, params, results)))?;
    // Guests report their observations into the transcript, verbatim.
    linker.root().instance("local:local/transcript")?.func_wrap(
        "record",
        |mut store: StoreContextMut<'_, Ctx>, (event,): (String,)| {
            store.data_mut().limits.hold(event_bytes(&event))?;
            store.data_mut().presets.events.push(event);
            Ok(())
        },
    )?;
    Ok(())
}

/// What keeping one transcript event costs the host: the `String` itself
/// and its bytes, so that a flood of empty events is charged too.
pub fn event_bytes(event: &str) -> usize {
    size_of::<String>() + event.len()
}

/// `local:local/baz#foo`. Events count enters and exits separately (`enter
/// 1, enter 2, exit 1, ...`): the n-th exit is numbered n whichever call it
/// belongs to, so calls whose sleeps end together give one transcript.
async fn baz_foo(acc: &Accessor<Ctx>, ty: ComponentFunc, params: &[Val], results: &mut [Val]) -> wasmtime::Result<()> {
    // A guest may import `foo` with any type; only `func(s: string) ->
    // string` is this preset, and anything else fails the case, not the host.
    let returns_string = matches!(ty.results().collect::<Vec<_>>()[..], [Type::String]);
    let ([Val::String(s)], [_], true) = (params, &*results, returns_string) else {
        wasmtime::bail!(
            "baz.foo preset: the guest imports `local:local/baz#foo` as a function of {} parameter(s) and {} \
             result(s); the preset is `foo: func(s: string) -> string`",
            params.len(),
            results.len()
        );
    };
    let delay = acc.with(|mut a| {
        let ctx = a.data_mut();
        let p = &mut ctx.presets;
        p.baz_enters += 1;
        let event = format!("baz.foo enter {}", p.baz_enters);
        ctx.limits.hold(event_bytes(&event))?;
        ctx.presets.events.push(event);
        wasmtime::Result::<_>::Ok(Duration::from_millis(ctx.presets.baz.delay_ms))
    })?;
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
        let ctx = a.data_mut();
        ctx.presets.baz_exits += 1;
        let event = format!("baz.foo exit {}", ctx.presets.baz_exits);
        ctx.limits.hold(event_bytes(&event))?;
        ctx.presets.events.push(event);
        wasmtime::Result::<_>::Ok(())
    })?;
    results[0] = Val::String(format!("{s} - exited host"));
    Ok(())
}
