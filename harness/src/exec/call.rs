//! The call into the root of the chain: find the export, build its
//! arguments from the case, start the calls, read returned streams and
//! futures to their ends.

use anyhow::{Context, Result, bail};
use case_format::{Call, Loaded};
use wasmtime::component::{Func, Instance, Type, Val};
use wasmtime::{AsContextMut, Store};

use super::Outcome;
use crate::host::Ctx;
use crate::host::tables::type_name;
use crate::host::things;
use crate::host::transmit::{self, HandleLog, Log};

/// Find the function, make its arguments and call it; the result type is
/// returned with the outcome, to read the expected WAVE against.
pub(super) async fn call(
    store: &mut Store<Ctx>,
    instance: &Instance,
    loaded: &Loaded,
    c: &Call,
    handles: &mut Vec<Log>,
) -> Result<(Outcome, Option<Type>)> {
    let func = lookup(instance, store, loaded, c)?;
    let ty = func.ty(&*store);
    let result_type = ty.results().next();
    let params = args(loaded, c, store, ty.params().map(|(n, t)| (n.to_string(), t)).collect(), handles)?;
    let count = *c.concurrent.get_ref();
    let outcome = start(store, func, params, result_type.clone(), count, handles).await?;
    // The host is done with the things it lent and the things it got back;
    // a store that trapped can drop nothing.
    if let Outcome::Returned(results) = &outcome {
        let lent = std::mem::take(&mut store.data_mut().presets.things.lent);
        let returned = results.iter().flatten().filter_map(|v| match v {
            Val::Resource(r) if r.owned() => Some(*r),
            _ => None,
        });
        for thing in lent.into_iter().chain(returned.collect::<Vec<_>>()) {
            things::drop_held(&mut *store, thing)?;
        }
    }
    Ok((outcome, result_type))
}

/// Start `count` identical calls at once and wait for all of them, then
/// read every stream and future they returned to its end. `Err` is a host
/// limitation (a payload type the host cannot carry), not a guest outcome.
async fn start(
    store: &mut Store<Ctx>,
    func: Func,
    params: Vec<Val>,
    result_type: Option<Type>,
    count: u32,
    handles: &mut Vec<Log>,
) -> Result<Outcome> {
    let results = usize::from(result_type.is_some());
    // One call whose result carries no stream or future: wasmtime's own
    // `call_async`, whose event loop reports a store that can no longer make
    // progress as a deadlock trap. `run_concurrent` cannot tell, since the
    // future it is given might still wake on its own, so a deadlock there
    // runs into the time limit.
    let until = store.data().presets.scripted_until().then(|| store.data().presets.until.clone());
    if count == 1 && !result_type.as_ref().is_some_and(transmit::has_handles) && until.is_none() {
        let mut out = vec![Val::Bool(false); results];
        return Ok(match func.call_async(&mut *store, &params, &mut out).await {
            Ok(()) => Outcome::Returned(vec![out.into_iter().next()]),
            Err(error) => Outcome::Failed { during: "the call", error },
        });
    }
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
                    let started =
                        acc.with(|mut a| transmit::collect(a.as_context_mut(), "result", value, ty, false, &mut logs))?;
                    waits.extend(started);
                }
            }
            for wait in waits {
                let _ = wait.await;
            }
            // Work after return ends with the `until` call (README: Host presets).
            if let Some(until) = &until {
                until.notified().await;
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
    let is_end = |t: &Type| matches!(t, Type::Stream(_) | Type::Future(_) | Type::Own(_) | Type::Borrow(_));
    // The script goes in the first parameter; `run-with-stream` and
    // `run-with-future` take an end after it, fed from the case as usual.
    let mut script = loaded.case.script_bundle();
    if script.is_some()
        && !matches!(params.split_first(), Some(((_, Type::String), rest)) if rest.iter().all(|(_, t)| is_end(t)))
    {
        bail!(
            "{at}: `call.script` needs a function taking one string, then only streams and futures (the scripted \
             guest's `run`, `run-sync`, `run-with-stream`, `run-with-future`)"
        );
    }
    let plain = params.iter().filter(|(_, t)| !is_end(t)).count() - usize::from(script.is_some());
    if call.args.len() != plain {
        bail!(
            "{at}: `{function}` takes {plain} plain argument(s) (streams and futures go in \
             [call.stream-args] / [call.future-args], resources in [call.resource-args]), the case gives {}",
            call.args.len()
        );
    }
    let mut waves = call.args.iter();
    let mut vals = Vec::new();
    for (name, ty) in &params {
        if let Some(bundle) = script.take() {
            vals.push(Val::String(bundle));
            continue;
        }
        let val = match ty {
            Type::Stream(st) => {
                let arg = call.stream_args.get(name).with_context(|| {
                    format!(
                        "{at}: parameter `{name}` is a stream; say what the host writes in [call.stream-args.{name}]"
                    )
                })?;
                // A payload-less stream carries no values, only how many.
                let chunks = match (st.ty(), arg.units.is_empty()) {
                    (Some(payload), true) => arg
                        .chunks
                        .iter()
                        .map(|c| c.iter().map(|w| parse_wave(loaded, w, &payload)).collect::<Result<Vec<_>>>())
                        .collect::<Result<Vec<_>>>()?,
                    (None, _) if arg.chunks.is_empty() => {
                        arg.units.iter().map(|&n| vec![transmit::unit(); n as usize]).collect()
                    }
                    (Some(_), false) => bail!("{at}: `stream-args.{name}.units` is for a payload-less `stream`"),
                    (None, _) => bail!("{at}: `{name}` is a payload-less `stream`: give `units`, not `chunks`"),
                };
                let log = HandleLog::new(name.clone(), true, true);
                handles.push(log.clone());
                transmit::stream_arg(&mut *store, st.ty(), (chunks, arg.pending, arg.drop_with_last), log)?
            }
            Type::Future(ft) => {
                let arg = call.future_args.get(name).with_context(|| {
                    format!("{at}: parameter `{name}` is a future; give its value (or `pending = true`) in [call.future-args.{name}]")
                })?;
                let payload = payload_type(&at, name, ft.ty())?;
                let value = arg.value.as_ref().map(|v| parse_wave(loaded, v, &payload)).transpose()?;
                let log = HandleLog::new(name.clone(), true, false);
                handles.push(log.clone());
                transmit::future_arg(&mut *store, Some(payload), value, log)?
            }
            Type::Own(_) | Type::Borrow(_) => {
                let thing = call.resource_args.get(name).with_context(|| {
                    format!("{at}: parameter `{name}` is a resource; name the host's thing in [call.resource-args]")
                })?;
                Val::Resource(things::argument(&mut *store, thing.get_ref(), matches!(ty, Type::Borrow(_)))?)
            }
            _ => parse_wave(loaded, waves.next().expect("counted above"), ty)?,
        };
        vals.push(val);
    }
    let streams = call.stream_args.keys().map(|n| ("stream-args", n));
    let futures = call.future_args.keys().map(|n| ("future-args", n));
    let resources = call.resource_args.keys().map(|n| ("resource-args", n));
    for (kind, name) in streams.chain(futures).chain(resources) {
        {
            if !params.iter().any(|(n, _)| n == name) {
                bail!("{at}: [call.{kind}.{name}] names no parameter of `{function}`");
            }
        }
    }
    Ok(vals)
}

fn payload_type(at: &str, name: &str, ty: Option<Type>) -> Result<Type> {
    ty.with_context(|| format!("{at}: parameter `{name}` has no payload; the host cannot feed a payload-less future"))
}

/// Parse one WAVE value against `ty`, with the error pointing into the file.
pub fn parse_wave(loaded: &Loaded, text: &toml::Spanned<String>, ty: &Type) -> Result<Val> {
    wasm_wave::from_str::<Val>(ty, text.get_ref()).map_err(|e| {
        anyhow::anyhow!(
            "{}: WAVE `{}` does not fit type {}: {e}",
            loaded.source.at_inner(&text.span(), e.span().start),
            case_format::load::excerpt(text.get_ref()),
            type_name(ty)
        )
    })
}
