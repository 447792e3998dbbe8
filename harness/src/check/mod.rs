//! Check: what the host observed against what the case expects. Both sides
//! become lines of text (one per call outcome, then the transcript events),
//! each expected line remembering where the case wrote it. The first line
//! where they part is computed once (`Divergence`), as data, and the failure
//! message, the report's summary and bless all read it from there.

use std::fmt::Write;

use anyhow::Result;
use case_format::Loaded;
use similar::{Algorithm, TextDiff};

use crate::exec::{Observed, Outcome};

mod outcome;
pub mod render;
mod window;

use outcome::{outcome_actual, outcome_expected};

/// The line that heads the transcript part of a comparison.
const TRANSCRIPT_HEADER: &str = "-- transcript --";

/// Which part of the comparison a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// How the call(s) ended: `returned ...`, `trap ...`, a time-out.
    Outcome,
    /// The transcript: the header, then one line per event.
    Transcript,
}

/// One expected line and where the case wrote it (`path:line:col`), when
/// it was written anywhere.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub text: String,
    pub at: Option<String>,
    pub part: Part,
}

/// The first line where expectation and observation part.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// 1-based line of the comparison.
    pub line: usize,
    pub part: Part,
    /// The expected line; `None` when the observation goes on beyond it.
    pub expected: Option<String>,
    /// The observed line; `None` when the observation ended before it.
    pub actual: Option<String>,
    /// Where the expected line is written.
    pub at: Option<String>,
    /// For a transcript line: its 1-based event number.
    pub event: Option<usize>,
}

impl Divergence {
    /// `expected `a`, got `b``, or what is missing or unexpected; long
    /// lines as a window around where they differ (`window`).
    pub fn what(&self) -> String {
        let cut = |line: &str| window::around(&escape_breaks(line), 0);
        match (&self.expected, &self.actual) {
            (Some(e), Some(a)) => match window::pair(&escape_breaks(e), &escape_breaks(a)) {
                (e, a, None) => format!("expected `{e}`, got `{a}`"),
                (e, a, Some(note)) => format!("expected `{e}`, got `{a}` ({note})"),
            },
            (Some(e), None) => format!("missing `{}`", cut(e)),
            (None, Some(a)) => format!("unexpected `{}`", cut(a)),
            (None, None) => "no difference".to_string(),
        }
    }
}

/// Both sides of a case's check, and where they part.
#[derive(Debug)]
pub struct Comparison {
    pub expected: Vec<Expected>,
    pub actual: Vec<String>,
    pub divergence: Option<Divergence>,
}

impl Comparison {
    pub fn passed(&self) -> bool {
        self.divergence.is_none()
    }

    /// Whether the lines of `part` differ, wherever the first divergence is.
    pub fn differs_in(&self, part: Part) -> bool {
        let expected = self.expected.iter().filter(|e| e.part == part).map(|e| &e.text);
        let actual_part = self.actual_parts();
        let actual = self.actual.iter().zip(actual_part).filter(|(_, p)| *p == part).map(|(a, _)| a);
        expected.ne(actual)
    }

    /// The observed transcript events (without the header).
    pub fn actual_transcript(&self) -> Vec<String> {
        let parts = self.actual_parts();
        self.actual.iter().zip(parts).filter(|(_, p)| *p == Part::Transcript).skip(1).map(|(a, _)| a.clone()).collect()
    }

    /// Which part each actual line is in: everything from the transcript
    /// header on is the transcript.
    fn actual_parts(&self) -> Vec<Part> {
        let header = self.actual.iter().position(|a| a == TRANSCRIPT_HEADER).unwrap_or(self.actual.len());
        (0..self.actual.len()).map(|i| if i < header { Part::Outcome } else { Part::Transcript }).collect()
    }

    /// A line diff (Patience) with a header naming the file to edit. Line
    /// breaks inside a line are shown escaped (`\n`), so one event holding
    /// `a\nb` never reads as two. Only the lines up to `DIFF_CONTEXT` past
    /// the first divergence are diffed, and at most `MAX_DIFF_LINES` lines
    /// are shown: a runaway case must not print megabytes.
    pub fn diff(&self, file: &str) -> String {
        let upto = self.divergence.as_ref().map_or(0, |d| d.line) + DIFF_CONTEXT;
        let expected: Vec<&str> = self.expected.iter().map(|e| e.text.as_str()).collect();
        let actual: Vec<&str> = self.actual.iter().map(String::as_str).collect();
        // A long line is cut around where it differs from the other side's
        // line at the same index (or to its start), so that lines equal on
        // both sides stay equal and a 64 KiB value shows as a few lines.
        let cut = |lines: &[&str], other: &[&str]| {
            let more = lines.len().saturating_sub(upto);
            let mut text = String::new();
            for (i, line) in lines.iter().take(upto).enumerate() {
                let line = escape_breaks(line);
                let at = other.get(i).map_or(0, |o| window::first_difference(&line, &escape_breaks(o)));
                text.push_str(&window::around(&line, at));
                text.push('\n');
            }
            if more > 0 {
                text.push_str(&format!("... {more} more line(s) not compared here\n"));
            }
            text
        };
        let (expected, actual) = (cut(&expected, &actual), cut(&actual, &expected));
        let diff = TextDiff::configure().algorithm(Algorithm::Patience).diff_lines(&expected, &actual);
        let text = diff.unified_diff().context_radius(3).header(&format!("expected ({file})"), "actual").to_string();
        let total = text.lines().count();
        if total <= MAX_DIFF_LINES {
            return text;
        }
        let mut shown: String = text.lines().take(MAX_DIFF_LINES).map(|l| format!("{l}\n")).collect();
        shown.push_str(&format!("... {} more line(s) of the diff not shown\n", total - MAX_DIFF_LINES));
        shown
    }
}

/// Lines of the comparison diffed past the first divergence.
const DIFF_CONTEXT: usize = 200;
/// Lines of a diff shown at most.
const MAX_DIFF_LINES: usize = 400;

/// A line with its line breaks escaped, so it shows as one line.
pub fn escape_breaks(line: &str) -> String {
    line.replace('\n', "\\n").replace('\r', "\\r")
}

/// Line up the two sides and find where they part. `Err` is a problem with
/// the case (an expected WAVE value that does not fit the result type).
pub fn compare(loaded: &Loaded, observed: &Observed) -> Result<Comparison> {
    let mut expected = outcome_expected(loaded, observed)?;
    let mut actual = outcome_actual(observed);
    if let Some(events) = &loaded.transcript {
        let header = |at| Expected { text: TRANSCRIPT_HEADER.into(), at, part: Part::Transcript };
        expected.push(header(None));
        expected.extend(events.iter().map(|e| Expected {
            text: e.text.clone(),
            at: Some(e.at.clone()),
            part: Part::Transcript,
        }));
        actual.push(TRANSCRIPT_HEADER.into());
        actual.extend(observed.transcript());
    }
    let divergence = first_divergence(&expected, &actual);
    Ok(Comparison { expected, actual, divergence })
}

/// The one place the first divergence is computed: the first line where the
/// sides differ, lined up index by index (so two swapped events show as
/// "expected the one, got the other"), or the first line one side lacks.
fn first_divergence(expected: &[Expected], actual: &[String]) -> Option<Divergence> {
    let line = (0..expected.len().max(actual.len())).find(|&i| expected.get(i).map(|e| &e.text) != actual.get(i))?;
    let want = expected.get(line);
    let header = expected.iter().position(|e| e.part == Part::Transcript);
    let part = match header {
        Some(h) if line >= h => Part::Transcript,
        _ => Part::Outcome,
    };
    Some(Divergence {
        line: line + 1,
        part,
        expected: want.map(|e| e.text.clone()),
        actual: actual.get(line).cloned(),
        at: want.and_then(|e| e.at.clone()),
        event: header.filter(|&h| line > h).map(|h| line - h),
    })
}

/// One line for the report about a case whose check failed: the time-out,
/// or the first divergence.
pub fn summary(observed: &Observed, comparison: &Comparison) -> String {
    if let Outcome::TimedOut(limit) = &observed.outcome {
        return format!("timed out after {} ms", limit.as_millis());
    }
    render::one_line(&comparison.divergence.as_ref().map_or_else(String::new, Divergence::what))
}

/// The body of a failure: the first divergence, the diff, and the error
/// behind an unexpected outcome.
pub fn explain(loaded: &Loaded, observed: &Observed, comparison: &Comparison) -> String {
    let mut msg = String::new();
    if let Some(d) = &comparison.divergence {
        let _ = writeln!(msg, "first difference at line {} of the comparison: {}", d.line, d.what());
        match (&d.at, d.event) {
            (Some(at), Some(n)) => drop(writeln!(msg, "  expected at {at} (transcript event #{n})")),
            (Some(at), None) => drop(writeln!(msg, "  expected at {at}")),
            (None, _) => {}
        }
    }
    msg.push_str(&comparison.diff(&loaded.source.path.display().to_string()));
    match &observed.outcome {
        Outcome::Failed { error, during } | Outcome::Trapped { error, during, .. } => {
            let _ = write!(msg, "\nerror during {during}:\n{}\n", render::render_wasmtime(error));
        }
        Outcome::LimitReached { reached, error } => {
            let _ = write!(msg, "\n{reached}, then:\n{}\n", render::render_wasmtime(error));
        }
        _ => {}
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> (Vec<Expected>, Vec<String>) {
        let expected = texts.iter().map(|t| Expected { text: t.to_string(), at: None, part: Part::Outcome }).collect();
        (expected, texts.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn swapped_events_show_both_sides() {
        let (mut expected, mut actual) = lines(&["returned \"a\"", TRANSCRIPT_HEADER, "enter 1", "enter 2", "exit 1"]);
        for e in &mut expected[1..] {
            e.part = Part::Transcript;
        }
        expected[3].at = Some("x.toml:9:3".into());
        actual.swap(3, 4);
        let d = first_divergence(&expected, &actual).unwrap();
        assert_eq!((d.line, d.part, d.event), (4, Part::Transcript, Some(2)));
        assert_eq!(d.what(), "expected `enter 2`, got `exit 1`");
        assert_eq!(d.at.as_deref(), Some("x.toml:9:3"));
    }

    /// Events are compared as a list: one event `a\nb` is not the two
    /// events `a`, `b`, either way round, and the diff shows it escaped.
    #[test]
    fn an_event_with_a_line_break_is_not_two_events() {
        let transcript = |events: &[&str]| {
            let mut all = vec![TRANSCRIPT_HEADER.to_string()];
            all.extend(events.iter().map(ToString::to_string));
            all
        };
        for (want, got) in [(&["a", "b"][..], &["a\nb"][..]), (&["a\nb"][..], &["a", "b"][..])] {
            let expected: Vec<_> =
                transcript(want).into_iter().map(|text| Expected { text, at: None, part: Part::Transcript }).collect();
            let actual = transcript(got);
            let divergence = first_divergence(&expected, &actual);
            assert!(divergence.is_some(), "{want:?} matched {got:?}");
            let comparison = Comparison { expected, actual, divergence };
            assert!(comparison.differs_in(Part::Transcript));
            let diff = comparison.diff("x.toml");
            assert!(diff.contains("a\\nb\n"), "{diff}");
            assert!(comparison.divergence.unwrap().what().contains("a\\nb"));
        }
    }

    /// A comparison of a million lines shows a diff of a few hundred.
    #[test]
    fn a_huge_diff_is_cut() {
        let (expected, _) = lines(&["returned"]);
        let expected = vec![expected[0].clone(); 1_000_000];
        let actual = vec!["trap unreachable".to_string(); 1_000_000];
        let divergence = first_divergence(&expected, &actual);
        let diff = Comparison { expected, actual, divergence }.diff("x.toml");
        assert!(diff.lines().count() <= MAX_DIFF_LINES + 1, "{} lines", diff.lines().count());
        assert!(diff.contains("more line(s)"), "{diff}");
    }

    #[test]
    fn a_line_only_one_side_has() {
        let (expected, mut actual) = lines(&["returned"]);
        actual.push("returned".into());
        assert_eq!(first_divergence(&expected, &actual).unwrap().what(), "unexpected `returned`");
        let (expected, _) = lines(&["returned", "returned"]);
        let d = first_divergence(&expected, &["returned".to_string()]).unwrap();
        assert_eq!((d.line, d.what()), (2, "missing `returned`".to_string()));
        let (expected, actual) = lines(&["trap unreachable"]);
        assert_eq!(first_divergence(&expected, &actual), None);
    }
}
