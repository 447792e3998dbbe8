//! The outcome part of a comparison: how the call(s) ended, as lines, on
//! both sides.

use std::time::Duration;

use anyhow::{Result, bail};
use case_format::Loaded;
use wasmtime::component::Type;

use super::{Expected, Part, render};
use crate::exec::{Observed, Outcome, parse_wave};
use crate::host::limits::Reached;
use crate::host::transmit;

pub(super) fn outcome_expected(loaded: &Loaded, observed: &Observed) -> Result<Vec<Expected>> {
    let expect = &loaded.case.expect;
    let at = |span| Some(loaded.source.at(&span));
    // A trap or a limit ends the store, and with it every concurrent call:
    // it is one line however many calls were started.
    let calls = match (&expect.trap, &expect.limit) {
        (None, None) => loaded.case.call.as_ref().map_or(1, |c| *c.concurrent.get_ref()),
        _ => 1,
    };
    if let Some(limit) = &expect.limit {
        return Ok(vec![Expected {
            text: limit_line(limit.get_ref(), loaded),
            at: at(limit.span()),
            part: Part::Outcome,
        }]);
    }
    let (text, at) = match (&expect.result, &expect.trap, &observed.result_type) {
        (_, Some(trap), _) => (format!("trap {}", trap.get_ref()), at(trap.span())),
        (Some(text), None, Some(ty)) => {
            (format!("returned {}", transmit::wave(&parse_wave(loaded, text, ty)?)), at(text.span()))
        }
        (Some(text), None, None) => match &observed.outcome {
            // The type is unknown because the call never got that far.
            Outcome::Returned(_) | Outcome::ReturnedHandles(_) => {
                bail!("{}: the function returns nothing, but the case expects a result", loaded.source.at(&text.span()))
            }
            _ => (format!("returned {}", text.get_ref()), at(text.span())),
        },
        // Streams and futures cannot be written in WAVE; what they carry is
        // checked through the transcript.
        (None, None, Some(ty)) if transmit::has_no_wave(ty) => (format!("returned {}", shape(ty)), None),
        (None, None, _) => ("returned".to_string(), None),
    };
    let one = Expected { text, at, part: Part::Outcome };
    let mut lines = vec![one; calls as usize];
    if let Some(trap) = &expect.again_trap {
        lines.push(Expected {
            text: format!("again: trap {}", trap.get_ref()),
            at: Some(loaded.source.at(&trap.span())),
            part: Part::Outcome,
        });
    }
    if let Some(text) = &expect.again_result {
        let shown = match &observed.result_type {
            Some(ty) => transmit::wave(&parse_wave(loaded, text, ty)?),
            None => text.get_ref().clone(),
        };
        lines.push(Expected {
            text: format!("again: returned {shown}"),
            at: Some(loaded.source.at(&text.span())),
            part: Part::Outcome,
        });
    }
    if expect.store_empty {
        lines.push(Expected { text: STORE_EMPTY.into(), at: None, part: Part::Outcome });
    }
    Ok(lines)
}

/// The outcome line of running into the limit `key` (`expect.limit`): the
/// line a case that reaches it shows.
fn limit_line(key: &str, loaded: &Loaded) -> String {
    let limits = &loaded.case.limits;
    let reached = match key {
        "timeout-ms" => return timed_out_line(Duration::from_millis(limits.timeout_ms)),
        "memory-bytes" => Reached::Memory { limit: limits.memory_bytes, requested: 0 },
        "table-elements" => Reached::TableElements { limit: limits.table_elements, requested: 0 },
        "instances" => Reached::Count { key: "instances", limit: limits.instances },
        "memories" => Reached::Count { key: "memories", limit: limits.memories },
        "tables" => Reached::Count { key: "tables", limit: limits.tables },
        "host-bytes" => Reached::HostBytes { limit: limits.host_bytes, requested: 0 },
        other => return format!("limit {other}"),
    };
    reached.line()
}

fn timed_out_line(limit: Duration) -> String {
    format!("timed out after {} ms (limits.timeout-ms)", limit.as_millis())
}

/// How a result type with handles is shown: `stream`, `(stream, future)`.
fn shape(ty: &Type) -> String {
    match ty {
        Type::Stream(_) => "stream".into(),
        Type::Future(_) => "future".into(),
        Type::Own(_) => "own".into(),
        Type::Tuple(t) => format!("({})", t.types().map(|t| shape(&t)).collect::<Vec<_>>().join(", ")),
        _ => "_".into(),
    }
}

pub(super) fn outcome_actual(observed: &Observed) -> Vec<String> {
    let mut lines = outcome_lines(&observed.outcome);
    if let Some(again) = &observed.again {
        lines.extend(outcome_lines(again).into_iter().map(|l| format!("again: {l}")));
    }
    match observed.store_left {
        Some(0) => lines.push(STORE_EMPTY.into()),
        Some(n) => lines.push(format!("store holds {n} item(s)")),
        None => {}
    }
    lines
}

/// The outcome line of `expect.store-empty`.
const STORE_EMPTY: &str = "store empty";

fn outcome_lines(outcome: &Outcome) -> Vec<String> {
    match outcome {
        Outcome::Returned(results) => results
            .iter()
            .map(|r| match r {
                Some(v) => format!("returned {}", transmit::render_result(v)),
                None => "returned".to_string(),
            })
            .collect(),
        Outcome::ReturnedHandles(shapes) => shapes.iter().map(|s| format!("returned {s}")).collect(),
        Outcome::Trapped { kind, .. } => vec![format!("trap {kind}")],
        Outcome::Failed { during, error } => vec![format!("error during {during}: {}", render::cause_line(error))],
        Outcome::TimedOut(limit) => vec![timed_out_line(*limit)],
        Outcome::LimitReached { reached, .. } => vec![reached.line()],
    }
}
