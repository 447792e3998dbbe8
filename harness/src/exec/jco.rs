//! Run one case on jco: the case's call in the driver's terms (`Request`),
//! the driver run, and its response back as the same `Observed` wasmtime's
//! run gives, so `check` compares both hosts with one code path. The WIT
//! types come from the chain wasmtime compiled (the same bytes jco
//! transpiled): arguments are parsed from WAVE against them, results read
//! back against them.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use case_format::Loaded;
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{Component, Type, Val};

use super::{Observed, Outcome, parse_wave};
use crate::build::jco::JcoTools;
use crate::host::jco::{self as host, BazParams, Ended, Param, Request, ScriptedParams, Shape, values};
use crate::host::transmit;

/// Run the case on the transpiled `module`; `component` is the same chain
/// compiled by wasmtime, read only for its types.
pub fn run(
    tools: &JcoTools,
    module: &Path,
    component: &Component,
    loaded: &Loaded,
    scratch: &Path,
) -> Result<Observed> {
    let case = &loaded.case;
    if let Some(spec) = &case.http {
        return run_http(tools, module, loaded, spec.get_ref(), scratch);
    }
    let Some(call) = &case.call else {
        bail!("{}: the case has neither `[call]` nor `[http]`", loaded.source.path.display());
    };
    let name = call.function.get_ref();
    let func = func_type(component, name).with_context(|| {
        format!("{}: the chain exports no function `{name}`", loaded.source.at(&call.function.span()))
    })?;
    let result_type = func.results().next();
    let mut request = Request {
        module: module.to_owned(),
        iface: name.split_once('#').map(|(i, _)| i.to_string()),
        func: name.rsplit('#').next().unwrap_or(name).to_string(),
        args: Vec::new(),
        params: Vec::new(),
        concurrent: *call.concurrent.get_ref(),
        again: call.again,
        baz: BazParams { delay_ms: case.host.baz.delay_ms },
        scripted: ScriptedParams {
            delay_ms: case.host.scripted.delay_ms,
            reenter: case.host.scripted.reenter.as_ref().map(|r| r.get_ref().clone()),
        },
        timeout_ms: case.limits.timeout_ms,
        real_clock: case.host.clock == case_format::Clock::Real,
        result_is_result: matches!(result_type, Some(Type::Result(_))),
        result_shape: result_type.as_ref().filter(|t| transmit::has_handles(t)).map(shape),
        http: None,
    };
    let mut payloads = Vec::new();
    let mut script = loaded.case.script_bundle();
    let mut waves = call.args.iter();
    for (pname, ty) in func.params() {
        let param = match &ty {
            Type::Stream(st) => {
                let arg = call.stream_args.get(pname).with_context(|| format!("no [call.stream-args.{pname}]"))?;
                let payload = st.ty().context("a payload-less stream parameter")?;
                let chunks = arg
                    .chunks
                    .iter()
                    .map(|c| c.iter().map(|w| values::to_js(&parse_wave(loaded, w, &payload)?)).collect())
                    .collect::<Result<_>>()?;
                payloads.push((pname.to_string(), Some(payload)));
                Param::Stream { name: pname.to_string(), chunks, pending: arg.pending }
            }
            Type::Future(ft) => {
                let arg = call.future_args.get(pname).with_context(|| format!("no [call.future-args.{pname}]"))?;
                let payload = ft.ty().context("a payload-less future parameter")?;
                let value = arg.value.as_ref().map(|v| values::to_js(&parse_wave(loaded, v, &payload)?)).transpose()?;
                payloads.push((pname.to_string(), Some(payload)));
                Param::Future { name: pname.to_string(), value, pending: arg.pending }
            }
            _ => {
                let val = match script.take() {
                    Some(bundle) => Val::String(bundle),
                    None => parse_wave(loaded, waves.next().context("fewer arguments than parameters")?, &ty)?,
                };
                request.args.push(values::to_js(&val)?);
                Param::Plain
            }
        };
        request.params.push(param);
    }
    if let Some(ty) = &result_type {
        result_payloads("result", ty, &mut payloads);
    }
    let started = Instant::now();
    let run = host::run(tools, &request, scratch)?;
    let call_time = started.elapsed();
    let limit = Duration::from_millis(case.limits.timeout_ms);
    let Some(response) = run.response else {
        return Ok(observed(
            Outcome::TimedOut(limit),
            None,
            result_type,
            Vec::new(),
            Vec::new(),
            run.stdout,
            run.stderr,
        ));
    };
    let handles = response
        .handles
        .iter()
        .map(|h| {
            // The host-ends preset's ends carry bytes and strings.
            let preset = match h.name.split_once('(') {
                Some(("stream-of", _)) => Some(Type::U8),
                Some(("future-of", _)) => Some(Type::String),
                _ => None,
            };
            let payload = payloads.iter().find(|(n, _)| *n == h.name).and_then(|(_, t)| t.clone()).or(preset);
            host::handle_log(h, payload.as_ref())
        })
        .collect::<Result<Vec<_>>>()?;
    let mut stderr = run.stderr;
    // Where jco threw, after what the guests printed: the summary line keeps
    // only the message.
    for (label, ended) in [("the call", Some(&response.outcome)), ("the second call", response.again.as_ref())] {
        if let Some(Ended::Error { error: host::JsError { stack: Some(stack), .. }, .. }) = ended {
            stderr.push_str(&format!("\n[jco host] where {label}'s error was thrown:\n{stack}\n"));
        }
    }
    let outcome = outcome_of(response.outcome, result_type.as_ref(), limit)?;
    let again = response.again.map(|a| outcome_of(a, result_type.as_ref(), limit)).transpose()?;
    let mut o = observed(outcome, again, result_type, response.events, handles, run.stdout, stderr);
    o.call_time = call_time;
    Ok(o)
}

/// An `[http]` case: the exchange through the driver, its response as the
/// transcript events wasmtime's exchange would record.
fn run_http(
    tools: &JcoTools,
    module: &Path,
    loaded: &Loaded,
    spec: &case_format::http::HttpRequest,
    scratch: &Path,
) -> Result<Observed> {
    let case = &loaded.case;
    let request = Request {
        module: module.to_owned(),
        iface: Some("wasi:http/handler@0.3.0".into()),
        func: "handle".into(),
        args: Vec::new(),
        params: Vec::new(),
        concurrent: 1,
        again: false,
        baz: BazParams { delay_ms: case.host.baz.delay_ms },
        scripted: ScriptedParams { delay_ms: case.host.scripted.delay_ms, reenter: None },
        timeout_ms: case.limits.timeout_ms,
        real_clock: case.host.clock == case_format::Clock::Real,
        result_is_result: false,
        result_shape: None,
        http: Some(host::http::params(spec)?),
    };
    let run = host::run(tools, &request, scratch)?;
    let limit = Duration::from_millis(case.limits.timeout_ms);
    let Some(mut response) = run.response else {
        return Ok(observed(Outcome::TimedOut(limit), None, None, Vec::new(), Vec::new(), run.stdout, run.stderr));
    };
    let outcome = match response.outcome {
        Ended::Http { http } => {
            response.events.extend(host::http::events(&http, case.limits.host_bytes)?);
            Outcome::Returned(vec![None])
        }
        other => outcome_of(other, None, limit)?,
    };
    Ok(observed(outcome, None, None, response.events, Vec::new(), run.stdout, run.stderr))
}

fn observed(
    outcome: Outcome,
    again: Option<Outcome>,
    result_type: Option<Type>,
    events: Vec<String>,
    handles: Vec<transmit::Log>,
    stdout: String,
    stderr: String,
) -> Observed {
    // jco offers no count of the concurrent state a store holds (`expect.store-empty`).
    Observed {
        outcome,
        again,
        result_type,
        events,
        handles,
        stdout,
        stderr,
        call_time: Duration::ZERO,
        store_left: None,
    }
}

/// The driver's account of a call as an `Outcome`: values read back against
/// the result type, errors through jco's trap table.
fn outcome_of(ended: Ended, ty: Option<&Type>, limit: Duration) -> Result<Outcome> {
    Ok(match ended {
        Ended::TimedOut { .. } => Outcome::TimedOut(limit),
        Ended::Http { .. } => bail!("the jco driver answered a call with an HTTP response"),
        Ended::Error { error, during } => {
            let during = if during == "instantiation" { "instantiation" } else { "the call" };
            let text = format!("{}: {}", error.name, error.message);
            let shown = wasmtime::Error::msg(text.clone());
            match host::tables::error_trap_kind(&text) {
                Some(kind) => Outcome::Trapped { kind, during, error: shown },
                None => Outcome::Failed { during, error: shown },
            }
        }
        Ended::Returned { returned } => match ty {
            Some(t) if transmit::has_no_wave(t) => Outcome::ReturnedHandles(vec![shape_text(t); returned.len()]),
            Some(t) => Outcome::Returned(
                returned
                    .iter()
                    .map(|v| values::from_js(v, t).map(Some))
                    .collect::<Result<_>>()
                    .context("jco's result")?,
            ),
            None => Outcome::Returned(returned.iter().map(|_| None).collect()),
        },
    })
}

/// The type of `iface#func` (or a top-level `func`) among the exports.
fn func_type(component: &Component, name: &str) -> Option<ComponentFunc> {
    let engine = component.engine();
    let ty = component.component_type();
    let item = match name.split_once('#') {
        Some((iface, f)) => match ty.get_export(engine, iface)?.ty {
            ComponentItem::ComponentInstance(i) => i.get_export(engine, f)?.ty,
            _ => return None,
        },
        None => ty.get_export(engine, name)?.ty,
    };
    match item {
        ComponentItem::ComponentFunc(f) => Some(f),
        _ => None,
    }
}

fn shape(ty: &Type) -> Shape {
    match ty {
        Type::Stream(_) => Shape::Stream,
        Type::Future(_) => Shape::Future,
        Type::Tuple(t) => Shape::Tuple { items: t.types().map(|t| shape(&t)).collect() },
        _ => Shape::Plain,
    }
}

/// A result with handles as `check` shows one: `stream`, `(stream, future)`.
fn shape_text(ty: &Type) -> String {
    match ty {
        Type::Stream(_) => "stream".into(),
        Type::Future(_) => "future".into(),
        Type::Own(_) => "own".into(),
        Type::Tuple(t) => format!("({})", t.types().map(|t| shape_text(&t)).collect::<Vec<_>>().join(", ")),
        _ => "_".into(),
    }
}

/// The element type of each returned stream and future, by log name.
fn result_payloads(name: &str, ty: &Type, out: &mut Vec<(String, Option<Type>)>) {
    match ty {
        Type::Stream(s) => out.push((name.to_string(), s.ty())),
        Type::Future(f) => out.push((name.to_string(), f.ty())),
        Type::Tuple(t) => {
            for (i, t) in t.types().enumerate() {
                result_payloads(&format!("{name}.{i}"), &t, out);
            }
        }
        _ => {}
    }
}
