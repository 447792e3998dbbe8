//! The presets that implement a chain's imports, configured by data from
//! the case file. Cases never carry Rust code, so a second host (jco on
//! Node) implements the same presets from the same data.

use std::sync::Arc;
use std::time::Duration;

use case_format as case;
use wasmtime::component::types::ComponentFunc;
use wasmtime::component::{Accessor, Linker, Type, Val};
use wasmtime::{AsContextMut, StoreContextMut};

use tokio::sync::Notify;

use super::Ctx;
use super::transmit;

/// Runtime state of the host presets: their parameters and what they saw.
pub struct Presets {
    baz: case::BazPreset,
    scripted: case::ScriptedPreset,
    baz_enters: u32,
    baz_exits: u32,
    /// What `ends = "read"` read, shown like the call's streams and futures.
    pub handles: Vec<transmit::Log>,
    /// Told when `run(B)` of `blocked-until = [A, B]` returns.
    pub opened: Arc<Notify>,
    /// Told when `run` is called with the `until` script.
    pub until: Arc<Notify>,
    pub things: super::things::Things,
    /// Preset and guest-recorded events in the order they happened.
    pub events: Vec<String>,
}

impl Presets {
    pub fn new(host: &case::Host) -> Presets {
        Presets {
            baz: host.baz.clone(),
            scripted: host.scripted.clone(),
            baz_enters: 0,
            baz_exits: 0,
            handles: Vec::new(),
            opened: Arc::new(Notify::new()),
            until: Arc::new(Notify::new()),
            things: Default::default(),
            events: Vec::new(),
        }
    }
}

impl Presets {
    /// Whether the case waits for a `run(until)` call after it returned.
    pub fn scripted_until(&self) -> bool {
        self.scripted.until.is_some()
    }
}

/// Define the presets in `linker`; presets a chain does not import are
/// simply unused.
pub fn add_to_linker(linker: &mut Linker<Ctx>) -> wasmtime::Result<()> {
    linker.root().instance("local:local/baz")?.func_new_concurrent("foo", |acc, ty, params, results| {
        Box::pin(baz_foo(acc, "baz.foo", ty, params, results))
    })?;
    // The same preset as a world-level import, for components whose world
    // imports a bare `foo` rather than an interface.
    linker
        .root()
        .func_new_concurrent("foo", |acc, ty, params, results| Box::pin(baz_foo(acc, "foo", ty, params, results)))?;
    let mut root = linker.root();
    let mut scripted = root.instance("local:local/scripted")?;
    for name in ["run", "run-lifted-sync"] {
        scripted.func_new_concurrent(name, |acc, _ty, params, results| Box::pin(scripted_run(acc, params, results)))?;
    }
    scripted.func_wrap("run-sync", |mut store: StoreContextMut<'_, Ctx>, (bundle,): (String,)| {
        let name = script_name(&bundle);
        store.data_mut().record(format!("host: run-sync({name}) enter"))?;
        store.data_mut().record(format!("host: run-sync({name}) exit"))?;
        Ok((name,))
    })?;
    for name in ["run-with-stream", "run-with-future"] {
        scripted.func_new_concurrent(name, move |acc, ty, params, results| {
            Box::pin(scripted_with_end(acc, ty, name, params, results))
        })?;
    }
    let mut ends = linker.root();
    let mut ends = ends.instance("local:local/host-ends")?;
    for name in ["stream-of", "future-of"] {
        ends.func_new_concurrent(name, move |acc, _ty, params, results| {
            Box::pin(host_end(acc, name, params, results))
        })?;
    }
    // `local:local/many#foo`: every argument back, ` - host` after `a`.
    linker.root().instance("local:local/many")?.func_new_concurrent("foo", |_acc, _ty, params, results| {
        Box::pin(async move {
            let mut values = params.to_vec();
            match values.first_mut() {
                Some(Val::String(a)) => a.push_str(" - host"),
                _ => wasmtime::bail!("many.foo preset: expected a string first, got {params:?}"),
            }
            results[0] = Val::Tuple(values);
            Ok(())
        })
    })?;
    // guest-scripted-more's stackful export, imported too: the same preset.
    linker
        .root()
        .instance("local:local/scripted-stackful")?
        .func_new_concurrent("run", |acc, _ty, params, results| Box::pin(scripted_run(acc, params, results)))?;
    // Guests report their observations into the transcript, verbatim.
    linker
        .root()
        .instance("local:local/transcript")?
        .func_wrap("record", |mut store: StoreContextMut<'_, Ctx>, (event,): (String,)| {
            store.data_mut().record(event)
        })?;
    super::things::add_to_linker(linker)
}

/// `local:local/baz#foo`. Events count enters and exits separately (`enter
/// 1, enter 2, exit 1, ...`): the n-th exit is numbered n whichever call it
/// belongs to, so calls whose sleeps end together give one transcript.
/// `label` is the import's name in events and errors: `baz.foo` for the
/// interface's function, `foo` for the world-level one.
async fn baz_foo(
    acc: &Accessor<Ctx>,
    label: &'static str,
    ty: ComponentFunc,
    params: &[Val],
    results: &mut [Val],
) -> wasmtime::Result<()> {
    // A guest may import `foo` with any type; only `func(s: string) ->
    // string` is this preset, and anything else fails the case, not the host.
    let returns_string = matches!(ty.results().collect::<Vec<_>>()[..], [Type::String]);
    let ([Val::String(s)], [_], true) = (params, &*results, returns_string) else {
        wasmtime::bail!(
            "{label} preset: the guest imports `{}` as a function of {} parameter(s) and {} result(s); the \
             preset is `foo: func(s: string) -> string`",
            if label == "foo" { "foo" } else { "local:local/baz#foo" },
            params.len(),
            results.len()
        );
    };
    let (delay, clock) = acc.with(|mut a| {
        let ctx = a.data_mut();
        let p = &mut ctx.presets;
        p.baz_enters += 1;
        let event = format!("{label} enter {}", p.baz_enters);
        ctx.record(event)?;
        wasmtime::Result::<_>::Ok((Duration::from_millis(ctx.presets.baz.delay_ms), ctx.clock.clone()))
    })?;
    let s = format!("{s} - entered host");
    // An async sleep: the thread goes back to the event loop meanwhile.
    clock.sleep(delay).await;
    acc.with(|mut a| {
        let ctx = a.data_mut();
        ctx.presets.baz_exits += 1;
        ctx.record(format!("{label} exit {}", ctx.presets.baz_exits))
    })?;
    results[0] = Val::String(format!("{s} - exited host"));
    Ok(())
}

/// The script a bundle asks for: its first line.
fn script_name(bundle: &str) -> String {
    bundle.lines().next().unwrap_or_default().to_string()
}

/// `local:local/scripted#run` for the last scripted guest of a chain.
async fn scripted_run(acc: &Accessor<Ctx>, params: &[Val], results: &mut [Val]) -> wasmtime::Result<()> {
    let [Val::String(bundle)] = params else {
        wasmtime::bail!("scripted.run preset: expected one string argument, got {params:?}");
    };
    let name = script_name(bundle);
    let (delay, reenter, clock) = acc.with(|mut a| {
        a.data_mut().record(format!("host: run({name}) enter"))?;
        let ctx = a.data_mut();
        let p = &ctx.presets.scripted;
        let reenter = p.reenter.as_ref().map(|r| r.get_ref().clone());
        wasmtime::Result::<_>::Ok((Duration::from_millis(p.delay_ms), reenter, ctx.clock.clone()))
    })?;
    let until = acc.with(|mut a| {
        let presets = &a.data_mut().presets;
        presets.scripted.until.as_ref().is_some_and(|u| *u.get_ref() == name).then(|| presets.until.clone())
    });
    if let Some(until) = until {
        // The case ends here: this call never returns, so nothing the guest
        // does after it can race the end. A permit is kept if the harness
        // is not waiting yet.
        until.notify_one();
        std::future::pending::<()>().await;
    }
    let result = match reenter {
        Some(export) => {
            // Zero means at once, before returning to the caller: no yield.
            if !delay.is_zero() {
                clock.sleep(delay).await;
            }
            acc.with(|mut a| {
                let whose = if a.data_mut().second.is_some() { "a second instance's" } else { "the root's" };
                a.data_mut().record(format!("host: run({name}) calls {whose} {export}"))
            })?;
            call_root(acc, &export, bundle).await?
        }
        None => {
            clock.sleep(delay).await;
            name.clone()
        }
    };
    let (blocked, opens, opened) = acc.with(|mut a| {
        let p = &a.data_mut().presets;
        let (x, y) = p.scripted.blocked_until.as_ref().map(|g| g.get_ref().clone()).unwrap_or_default();
        (x == name, y == name, p.opened.clone())
    });
    if blocked {
        // A permit is kept if run(B) already returned.
        opened.notified().await;
    }
    acc.with(|mut a| a.data_mut().record(format!("host: run({name}) exit")))?;
    if opens {
        opened.notify_one();
    }
    results[0] = Val::String(result);
    Ok(())
}

/// `run-with-stream` and `run-with-future` for the last scripted guest of a
/// chain. By default the host takes nothing from the end it is given and
/// drops it at once, so the writer sees its copy end as DROPPED; with `ends
/// = "read"` it reads the end to its end first and records what arrived
/// (`run-with-stream(S) input -> [...]`, then `... -> end`, listed after the
/// events).
async fn scripted_with_end(
    acc: &Accessor<Ctx>,
    ty: ComponentFunc,
    function: &str,
    params: &[Val],
    results: &mut [Val],
) -> wasmtime::Result<()> {
    let [Val::String(bundle), end] = params else {
        wasmtime::bail!("scripted.{function} preset: expected a string and an end, got {params:?}");
    };
    let name = script_name(bundle);
    let ends = acc.with(|mut a| a.data_mut().presets.scripted.ends);
    if ends != case::EndsMode::Drop {
        let end_ty = ty.params().nth(1).map(|(_, t)| t).ok_or_else(|| wasmtime::format_err!("no end parameter"))?;
        let label = format!("{function}({name}) input");
        let mut logs = Vec::new();
        let waits = acc
            .with(|mut a| {
                let once = ends == case::EndsMode::ReadOnce;
                transmit::collect(a.as_context_mut(), &label, end, &end_ty, once, &mut logs)
            })
            .map_err(|e| wasmtime::format_err!("scripted.{function} preset: cannot read the end: {e:#}"))?;
        for wait in waits {
            let _ = wait.await;
        }
        // With the parameters' and results' logs, after the events: when the
        // host finishes reading is its own business (Concurrency.md Determinism).
        acc.with(|mut a| a.data_mut().presets.handles.extend(logs));
        results[0] = Val::String(name);
        return Ok(());
    }
    acc.with(|mut a| -> wasmtime::Result<()> {
        match end.clone() {
            Val::Stream(mut s) => s.close(&mut a)?,
            Val::Future(mut f) => f.close(&mut a)?,
            other => wasmtime::bail!("scripted.{function} preset: expected a stream or future, got {other:?}"),
        }
        a.data_mut().record(format!("host: {function}({name}) dropped its end"))
    })?;
    results[0] = Val::String(name);
    Ok(())
}

/// `local:local/host-ends`: a readable end the host made, carrying TEXT (a
/// stream of its bytes, then the end; a future resolved with it). What
/// crossed it is listed after the events, like a call's streams
/// (`stream-of(TEXT) <- [...]`).
async fn host_end(acc: &Accessor<Ctx>, function: &str, params: &[Val], results: &mut [Val]) -> wasmtime::Result<()> {
    let [Val::String(text)] = params else {
        wasmtime::bail!("host-ends.{function} preset: expected one string argument, got {params:?}");
    };
    let stream = function == "stream-of";
    let log = transmit::HandleLog::new(format!("{function}({text})"), true, stream);
    let end = acc
        .with(|mut a| {
            a.data_mut().presets.handles.push(log.clone());
            if stream {
                // No chunk at all for "": an empty write would complete a read.
                let chunks = if text.is_empty() { vec![] } else { vec![text.bytes().map(Val::U8).collect()] };
                transmit::stream_arg(&mut a, Some(Type::U8), (chunks, false, false), log)
            } else {
                transmit::future_arg(&mut a, Some(Type::String), Some(Val::String(text.clone())), log)
            }
        })
        .map_err(|e| wasmtime::format_err!("host-ends.{function} preset: {e:#}"))?;
    results[0] = end;
    Ok(())
}

/// Call `local:local/scripted#<export>` with `bundle` on the chain's root, or
/// on its second instance when the case made one.
async fn call_root(acc: &Accessor<Ctx>, export: &str, bundle: &str) -> wasmtime::Result<String> {
    let func = acc.with(|mut a| -> wasmtime::Result<_> {
        let ctx = a.data_mut();
        let root =
            ctx.second.or(ctx.root).ok_or_else(|| wasmtime::format_err!("reenter: the chain is not instantiated"))?;
        let iface = root
            .get_export_index(&mut a, None, "local:local/scripted")
            .ok_or_else(|| wasmtime::format_err!("reenter: the chain's root does not export local:local/scripted"))?;
        let index = root
            .get_export_index(&mut a, Some(&iface), export)
            .ok_or_else(|| wasmtime::format_err!("reenter: the root exports no `{export}`"))?;
        root.get_func(&mut a, index).ok_or_else(|| wasmtime::format_err!("reenter: `{export}` is not a function"))
    })?;
    let mut out = [Val::Bool(false)];
    func.call_concurrent(acc, &[Val::String(bundle.to_string())], &mut out).await?;
    match out {
        [Val::String(s)] => Ok(s),
        other => wasmtime::bail!("reenter: `{export}` returned {other:?}, not a string"),
    }
}
