//! Stage 6: compare what the host observed with what the case expects.
//! Both sides are rendered as lines of text (one per call outcome, then the
//! host events) and a mismatch is shown as a line diff plus the first line
//! that differs.

use std::fmt::Write;

use anyhow::{Result, bail};
use similar::{Algorithm, ChangeTag, TextDiff};
use wasmtime::Trap;
use wasmtime::component::{Type, Val};

use crate::case::Loaded;
use crate::run::{Observed, Outcome, parse_wave};
use crate::transmit;

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
    let mut expected = outcome_expected(loaded, observed)?;
    let mut actual = outcome_actual(observed);
    let mut first_event = None;
    if let Some(events) = &loaded.transcript {
        let got = transcript(observed);
        first_event = events.iter().zip(got.iter().map(Some).chain(std::iter::repeat(None))).enumerate().find_map(
            |(i, (want, got))| (got != Some(&want.text)).then(|| {
                let got = got.map_or("nothing (the transcript ended)".to_string(), |g| format!("`{g}`"));
                format!("first divergent event: #{} at {}: expected `{}`, got {got}", i + 1, want.at, want.text)
            }),
        );
        if first_event.is_none() && got.len() > events.len() {
            first_event = Some(format!(
                "first divergent event: #{}: an event beyond the expected ones: `{}`",
                events.len() + 1,
                got[events.len()]
            ));
        }
        expected.push_str("-- transcript --\n");
        actual.push_str("-- transcript --\n");
        for e in events {
            expected.push_str(&e.text);
            expected.push('\n');
        }
        for e in &got {
            actual.push_str(e);
            actual.push('\n');
        }
    }
    if expected == actual {
        return Ok(Ok(()));
    }
    let mut msg = String::new();
    if let Some(first) = first_event {
        msg.push_str(&first);
        msg.push('\n');
    }
    msg.push_str(&diff(&loaded.source.path.display().to_string(), &expected, &actual));
    match &observed.outcome {
        Outcome::Failed { error, during } => {
            let _ = write!(msg, "\nerror during {during}:\n{}\n", crate::report::render_wasmtime(error));
        }
        Outcome::LimitReached { reached, error } => {
            let _ = write!(msg, "\n{reached}, then:\n{}\n", crate::report::render_wasmtime(error));
        }
        _ => {}
    }
    Ok(Err(msg))
}

/// The observed transcript: preset and guest events in the order they
/// happened, then each stream and future (parameters, then results) with
/// everything that crossed it merged into one line and how it ended.
pub fn transcript(observed: &Observed) -> Vec<String> {
    let mut out = observed.events.clone();
    for log in &observed.handles {
        out.extend(log.lock().unwrap().lines());
    }
    out
}

fn outcome_expected(loaded: &Loaded, observed: &Observed) -> Result<String> {
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
        // Streams and futures cannot be written in WAVE; what they carry is
        // checked through the transcript.
        (None, None, Some(ty)) if transmit::has_handles(ty) => format!("returned {}", shape(ty)),
        (None, None, _) => "returned".to_string(),
    };
    let mut out = String::new();
    for _ in 0..calls {
        out.push_str(&one);
        out.push('\n');
    }
    Ok(out)
}

/// How a result type with handles is shown: `stream`, `(stream, future)`.
fn shape(ty: &Type) -> String {
    match ty {
        Type::Stream(_) => "stream".into(),
        Type::Future(_) => "future".into(),
        Type::Tuple(t) => format!("({})", t.types().map(|t| shape(&t)).collect::<Vec<_>>().join(", ")),
        _ => "_".into(),
    }
}

fn outcome_actual(observed: &Observed) -> String {
    let mut out = String::new();
    match &observed.outcome {
        Outcome::Returned(results) => {
            for r in results {
                match r {
                    Some(v) => writeln!(out, "returned {}", transmit::render_result(v)),
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
        Outcome::LimitReached { reached, .. } => writeln!(out, "{}", reached.line()).unwrap(),
    }
    out
}

fn wave(v: &Val) -> String {
    transmit::wave(v)
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
