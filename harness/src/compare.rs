//! Stage 6: compare what the host observed with what the case expects.
//! Both sides are rendered as lines of text (one per call outcome, then the
//! host events) and a mismatch is shown as a line diff plus the first line
//! that differs.

use std::fmt::Write;

use anyhow::{Result, bail};
use similar::{Algorithm, ChangeTag, TextDiff};
use wasmtime::Trap;
use wasmtime::component::Val;

use crate::case::Loaded;
use crate::run::{Observed, Outcome, parse_wave};

/// Every trap kind a case may expect: `wasmtime::Trap` variants in kebab-case.
pub fn trap_kinds() -> Vec<String> {
    (0..=u8::MAX).filter_map(Trap::from_u8).map(|t| kebab(&format!("{t:?}"))).collect()
}

pub(crate) fn kebab(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The kind of trap behind an error, if it is one.
pub fn trap_kind(error: &wasmtime::Error) -> Option<String> {
    error.downcast_ref::<Trap>().map(|t| kebab(&format!("{t:?}")))
}

/// `Ok(())` when the observation meets the expectation; otherwise the
/// failure text. An `Err` is a problem with the case (bad expected WAVE).
pub fn check(loaded: &Loaded, observed: &Observed) -> Result<Result<(), String>> {
    let expected = expected_lines(loaded, observed)?;
    let actual = actual_lines(loaded, observed);
    if expected == actual {
        return Ok(Ok(()));
    }
    let mut msg = diff(&loaded.source.path.display().to_string(), &expected, &actual);
    if let Outcome::Failed { error, .. } = &observed.outcome {
        let _ = write!(msg, "\nerror:\n{}\n", crate::report::render_wasmtime(error));
    }
    Ok(Err(msg))
}

fn expected_lines(loaded: &Loaded, observed: &Observed) -> Result<String> {
    let expect = &loaded.case.expect;
    let calls = loaded.case.call.as_ref().map_or(1, |c| *c.concurrent.get_ref());
    let one = match (&expect.result, &expect.trap, &observed.result_type) {
        (_, Some(trap), _) => format!("trap {}", trap.get_ref()),
        (Some(text), None, Some(ty)) => format!("returned {}", wave(&parse_wave(loaded, text, ty)?)),
        (Some(text), None, None) => match &observed.outcome {
            // The type is unknown because the call never got that far.
            Outcome::Returned(_) => bail!(
                "{}: the function returns nothing, but the case expects a result",
                loaded.source.at(&text.span())
            ),
            _ => format!("returned {}", text.get_ref()),
        },
        (None, None, _) => "returned".to_string(),
    };
    let mut out = String::new();
    for _ in 0..calls {
        out.push_str(&one);
        out.push('\n');
    }
    if let Some(events) = &expect.host_events {
        events_section(&mut out, events.get_ref());
    }
    Ok(out)
}

fn actual_lines(loaded: &Loaded, observed: &Observed) -> String {
    let mut out = String::new();
    match &observed.outcome {
        Outcome::Returned(results) => {
            for r in results {
                match r {
                    Some(v) => writeln!(out, "returned {}", wave(v)),
                    None => writeln!(out, "returned"),
                }
                .unwrap();
            }
        }
        Outcome::Failed { during, error } => match trap_kind(error) {
            Some(kind) => writeln!(out, "trap {kind}").unwrap(),
            None => writeln!(out, "error during {during}: {}", first_line(error)).unwrap(),
        },
        Outcome::TimedOut(limit) => {
            writeln!(out, "timed out after {} ms (limits.timeout-ms)", limit.as_millis()).unwrap()
        }
    }
    if loaded.case.expect.host_events.is_some() {
        events_section(&mut out, &observed.events);
    }
    out
}

fn events_section(out: &mut String, events: &[String]) {
    out.push_str("-- host events --\n");
    for e in events {
        out.push_str(e);
        out.push('\n');
    }
}

fn wave(v: &Val) -> String {
    wasm_wave::to_string(v).unwrap_or_else(|e| format!("<unprintable value {v:?}: {e}>"))
}

fn first_line(error: &wasmtime::Error) -> String {
    error.to_string().lines().next().unwrap_or_default().to_string()
}

/// A line diff (Patience) with a header naming the file to edit, preceded by
/// the first line that differs.
pub fn diff(file: &str, expected: &str, actual: &str) -> String {
    let diff = TextDiff::configure().algorithm(Algorithm::Patience).diff_lines(expected, actual);
    let mut out = String::new();
    let first = diff.iter_all_changes().find(|c| c.tag() != ChangeTag::Equal);
    if let Some(c) = first {
        let line = c.old_index().or(c.new_index()).map_or(0, |i| i + 1);
        let what = match c.tag() {
            ChangeTag::Delete => "expected",
            _ => "got",
        };
        let _ = writeln!(out, "first difference at line {line} of the comparison: {what} `{}`", c.value().trim_end());
    }
    let _ = write!(
        out,
        "{}",
        diff.unified_diff().context_radius(3).header(&format!("expected ({file})"), "actual")
    );
    out
}
