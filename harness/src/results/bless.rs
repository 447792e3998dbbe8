//! Bless: with `harness run --bless` (or `HARNESS_BLESS=1`, for `cargo
//! test`), a case whose expectation differs from what
//! the host observed is rewritten in place to expect the observation. Only
//! the values that differ are replaced, through `toml_edit`, so the file's
//! comments, key order and layout stay as they were. Blessing never happens
//! on CI, for a case that could not run (a problem in the case file), for a
//! timeout, or for calls that disagree with each other: none of those has
//! one observation that could become the expectation.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use case_format::Loaded;
use toml_edit::{Array, DocumentMut, Item, TableLike, Value};
use wasmtime::component::Val;

use crate::check::{Comparison, Part};
use crate::exec::{Observed, Outcome, parse_wave};
use crate::host::transmit;

mod cell;

/// The environment variable that turns blessing on.
pub const VAR: &str = "HARNESS_BLESS";

/// Whether this run should bless: `flag` (`--bless`) or the environment.
/// Asking for it on CI (`CI` set, as every CI service does) is an error: CI
/// must check the expectations, never rewrite them.
pub fn requested(flag: bool) -> Result<bool> {
    let from_env = std::env::var(VAR).is_ok_and(|v| turns_on(&v));
    if (flag || from_env) && std::env::var_os("CI").is_some() {
        let how = if flag { "--bless was given".to_string() } else { format!("{VAR} is set") };
        bail!("{how}, and CI is set: refusing to rewrite case files on CI; bless on a developer machine");
    }
    Ok(flag || from_env)
}

/// Whether a value of `HARNESS_BLESS` asks for bless: `1`, `true`, `yes`
/// or `on` (any case); `false`, `0`, empty or anything else does not.
fn turns_on(value: &str) -> bool {
    ["1", "true", "yes", "on"].iter().any(|on| value.trim().eq_ignore_ascii_case(on))
}

/// The edits that make a case expect what was observed.
#[derive(Debug, Clone, PartialEq)]
pub struct Rewrite {
    pub path: PathBuf,
    pub changes: Vec<Change>,
    /// For a matrix cell: its index in `matrix.cells`, whose `expect` is
    /// rewritten instead of the file's `[expect]`.
    pub cell: Option<usize>,
}

/// One expected value to replace. A new kind of expectation is one more
/// variant here and its branch in `rewrite_text` (a value in the case file)
/// or in `Rewrite::apply` (e.g. a stream transcript in a sidecar file).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// `expect.result` becomes this WAVE text, or goes (`None`).
    Result(Option<String>),
    /// `expect.trap` becomes this trap kind, or goes (`None`).
    Trap(Option<String>),
    /// `expect.transcript` becomes this list.
    Transcript(Vec<String>),
    /// The sidecar transcript file (`expect.transcript-file`) becomes these
    /// lines.
    TranscriptFile(PathBuf, Vec<String>),
}

impl Change {
    /// The key it rewrites, for messages.
    pub fn key(&self) -> &'static str {
        match self {
            Change::Result(_) => "expect.result",
            Change::Trap(_) => "expect.trap",
            Change::Transcript(_) => "expect.transcript",
            Change::TranscriptFile(..) => "expect.transcript-file",
        }
    }
}

/// What to rewrite so that `loaded` expects `observed`, for a case whose
/// comparison failed; `Err` says why it cannot be blessed.
pub fn proposal(loaded: &Loaded, observed: &Observed, comparison: &Comparison) -> Result<Rewrite, String> {
    let expect = &loaded.case.expect;
    let mut changes = Vec::new();
    if let Some(limit) = &expect.limit {
        return Err(format!("the case expects to reach limits.{}; bless does not rewrite that", limit.get_ref()));
    }
    match &observed.outcome {
        Outcome::TimedOut(_) => return Err("the case timed out: a hang is a bug to fix, not an expectation".into()),
        Outcome::LimitReached { reached, .. } => {
            return Err(format!("{}: raise the limit or fix the guest; it is not an expectation", reached.line()));
        }
        Outcome::Failed { during, .. } => {
            return Err(format!("{during} failed with an error that is not a trap, so there is no outcome to expect"));
        }
        Outcome::Trapped { kind, .. } => {
            if expect.trap_kind() != Some(*kind) {
                changes.push(Change::Trap(Some(kind.name().to_string())));
            }
            if expect.result.is_some() {
                changes.push(Change::Result(None));
            }
        }
        // Streams and futures have no WAVE text; what they carried is in the
        // transcript.
        Outcome::Returned(_) if observed.result_type.as_ref().is_some_and(transmit::has_no_wave) => {}
        Outcome::ReturnedHandles(_) => {}
        Outcome::Returned(results) => {
            let waves = results.iter().map(|r| r.as_ref().map(wave).transpose()).collect::<Result<Vec<_>, _>>()?;
            let Some(first) = waves.first() else {
                return Err("no call was made".into());
            };
            if waves.iter().any(|w| w != first) {
                return Err(format!("the {} calls returned different results: {waves:?}", waves.len()));
            }
            let expected = match (&expect.result, &observed.result_type) {
                (Some(text), Some(ty)) => {
                    Some(parse_wave(loaded, text, ty).map_err(|e| e.to_string()).and_then(|v| wave(&v))?)
                }
                (Some(text), None) => Some(text.get_ref().clone()),
                (None, _) => None,
            };
            if expected != *first {
                changes.push(Change::Result(first.clone()));
            }
            if expect.trap.is_some() {
                changes.push(Change::Trap(None));
            }
        }
    }
    if observed.store_left.is_some_and(|n| n > 0) {
        return Err("the store was left holding state: a leak is a bug to fix, not an expectation".into());
    }
    if loaded.transcript.is_some() && comparison.differs_in(Part::Transcript) {
        let got = comparison.actual_transcript();
        match &expect.transcript_file {
            Some(file) => {
                let path = case_format::sidecar::resolve(&loaded.source.path, file.get_ref())?;
                changes.push(Change::TranscriptFile(path, got));
            }
            None => changes.push(Change::Transcript(got)),
        }
    }
    if changes.is_empty() {
        return Err("the difference is in nothing bless can rewrite".into());
    }
    let rewrite = Rewrite { path: loaded.source.path.clone(), changes, cell: None };
    match loaded.source.cell_label() {
        Some(label) => cell::rewrite(loaded, rewrite, label),
        None => Ok(rewrite),
    }
}

fn wave(v: &Val) -> Result<String, String> {
    wasm_wave::to_string(v).map_err(|e| format!("the result {v:?} has no WAVE text: {e}"))
}

impl Rewrite {
    /// Rewrite the case file (and its sidecar transcript) in place. Every
    /// new text is worked out and checked before anything is written, and
    /// each file is replaced atomically, so a refusal or a kill midway
    /// leaves every file whole.
    pub fn apply(&self) -> Result<()> {
        let mut writes = Vec::new();
        for change in &self.changes {
            if let Change::TranscriptFile(path, lines) = change {
                case_format::sidecar::check_file(&self.path, path)
                    .with_context(|| format!("refusing to write the transcript file {}", path.display()))?;
                if let Some(bad) = lines.iter().find(|l| l.contains(['\n', '\r']) || l.trim().is_empty()) {
                    bail!(
                        "cannot write {}: the event {bad:?} is blank or has a line break, so it cannot be one line \
                         of a transcript file; use `expect.transcript` instead",
                        path.display()
                    );
                }
                writes.push((path.clone(), lines.iter().map(|l| format!("{l}\n")).collect::<String>()));
            }
        }
        let text = std::fs::read_to_string(&self.path)
            .with_context(|| format!("cannot read {} to bless it", self.path.display()))?;
        let new = rewrite_in(&text, &self.changes, self.cell)
            .with_context(|| format!("cannot bless {}", self.path.display()))?;
        toml::from_str::<case_format::Case>(new.trim_start_matches('\u{feff}'))
            .with_context(|| format!("cannot bless {}: the rewritten case would not load", self.path.display()))?;
        if new != text {
            writes.push((self.path.clone(), new));
        }
        for (path, text) in writes {
            crate::build::cache::write_atomically(&path, text.as_bytes())?;
        }
        Ok(())
    }

    /// The files it rewrites and their keys, e.g. `expect.result,
    /// expect.transcript-file (cases/x.transcript)`.
    pub fn keys_and_files(&self) -> String {
        let shown = |c: &Change| match (c, self.cell) {
            (Change::TranscriptFile(path, _), _) => format!("{} ({})", c.key(), path.display()),
            (_, Some(i)) => format!("matrix.cells[{i}].{}", c.key()),
            _ => c.key().to_string(),
        };
        self.changes.iter().map(shown).collect::<Vec<_>>().join(", ")
    }

    /// The keys it rewrites, e.g. `expect.result, expect.transcript`.
    pub fn keys(&self) -> String {
        self.changes.iter().map(Change::key).collect::<Vec<_>>().join(", ")
    }
}

/// Apply `changes` to a case file's text, keeping everything else as it is.
pub fn rewrite_text(text: &str, changes: &[Change]) -> Result<String> {
    rewrite_in(text, changes, None)
}

/// `rewrite_text` into the `expect` of `matrix.cells[cell]` when given.
fn rewrite_in(text: &str, changes: &[Change], cell: Option<usize>) -> Result<String> {
    // toml_edit keeps neither a byte order mark nor CRLF line ends: put them
    // back, so a rewrite changes only the values.
    let (bom, text) = text.strip_prefix('\u{feff}').map_or(("", text), |rest| ("\u{feff}", rest));
    let crlf = text.contains("\r\n");
    let mut doc: DocumentMut = text.parse().context("the case file is not valid TOML")?;
    let expect = match cell {
        Some(index) => cell::expect_of(&mut doc, index)?,
        None => doc
            .get_mut("expect")
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| anyhow!("the case file has no `[expect]` table"))?,
    };
    for change in changes {
        match change {
            Change::Result(Some(wave)) => set(expect, "result", Value::from(wave.as_str())),
            Change::Trap(Some(kind)) => set(expect, "trap", Value::from(kind.as_str())),
            Change::Result(None) => drop(expect.remove("result")),
            Change::Trap(None) => drop(expect.remove("trap")),
            Change::Transcript(events) => set(expect, "transcript", Value::Array(one_per_line(events))),
            // Written by `Rewrite::apply`; the case file itself is unchanged.
            Change::TranscriptFile(..) => {}
        }
    }
    let out = doc.to_string();
    let out = if crlf { out.replace("\r\n", "\n").replace('\n', "\r\n") } else { out };
    Ok(format!("{bom}{out}"))
}

/// Replace a value, keeping the whitespace and comment around it, or add it.
fn set(table: &mut dyn TableLike, key: &str, mut new: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            *new.decor_mut() = old.decor().clone();
            *old = new;
        }
        None => drop(table.insert(key, Item::Value(new))),
    }
}

/// A list written one item per line, so later changes diff line by line.
fn one_per_line(items: &[String]) -> Array {
    let mut array = Array::new();
    if items.is_empty() {
        return array;
    }
    for item in items {
        array.push_formatted(Value::from(item.as_str()).decorated("\n  ", ""));
    }
    array.set_trailing_comma(true);
    array.set_trailing("\n");
    array
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = r#"# A case with comments everywhere.
description = "d"
chain = ["guest-sync"]

[call]
function = "local:local/baz#foo"
args = ['"hi"']

[expect]
# the result comment
result = '"wrong"'   # trailing comment
transcript = ["a", "b"]  # events comment
# closing comment
"#;

    #[test]
    fn rewrites_only_the_changed_values_and_keeps_comments() {
        let out = rewrite_text(
            CASE,
            &[Change::Result(Some("\"hi - entered host\"".into())), Change::Transcript(vec!["x".into(), "y".into()])],
        )
        .unwrap();
        assert_eq!(
            out,
            CASE.replace(r#"'"wrong"'"#, r#"'"hi - entered host"'"#)
                .replace(r#"["a", "b"]"#, "[\n  \"x\",\n  \"y\",\n]")
        );
    }

    #[test]
    fn keeps_crlf_line_ends_and_a_byte_order_mark() {
        let crlf = format!("\u{feff}{}", CASE.replace('\n', "\r\n"));
        let changes = [Change::Result(Some("\"x\"".into())), Change::Transcript(vec!["e".into()])];
        let out = rewrite_text(&crlf, &changes).unwrap();
        assert!(out.starts_with('\u{feff}'), "{out:?}");
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        assert_eq!(out.replace("\r\n", "\n"), format!("\u{feff}{}", rewrite_text(CASE, &changes).unwrap()));
    }

    #[test]
    fn switches_between_result_and_trap() {
        let out = rewrite_text(CASE, &[Change::Trap(Some("unreachable".into())), Change::Result(None)]).unwrap();
        assert!(out.contains("trap = \"unreachable\"\n"), "{out}");
        assert!(!out.contains("result ="), "{out}");
        assert!(out.contains("# A case with comments everywhere.") && out.contains("# closing comment"), "{out}");
        let back = rewrite_text(&out, &[Change::Result(Some("\"x\"".into())), Change::Trap(None)]).unwrap();
        assert!(back.contains("result = '\"x\"'") && !back.contains("trap"), "{back}");
    }

    /// A rewrite whose sidecar is refused writes nothing at all, not even
    /// the case file's own change.
    #[test]
    fn a_refused_sidecar_stops_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("cases/self.toml");
        std::fs::create_dir_all(case.parent().unwrap()).unwrap();
        std::fs::write(&case, CASE).unwrap();
        let outside = dir.path().join("victim.txt");
        std::fs::write(&outside, "precious\n").unwrap();
        for target in [case.clone(), case.parent().unwrap().join("../victim.txt"), "/etc/passwd".into()] {
            let rewrite = Rewrite {
                path: case.clone(),
                changes: vec![
                    Change::Result(Some("\"new\"".into())),
                    Change::TranscriptFile(target.clone(), vec!["x".into()]),
                ],
                cell: None,
            };
            let e = format!("{:#}", rewrite.apply().unwrap_err());
            assert!(e.contains("refusing to write the transcript file"), "{}: {e}", target.display());
            assert_eq!(std::fs::read_to_string(&case).unwrap(), CASE);
            assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious\n");
        }
        // A sidecar inside the folder is written, with the case file.
        let sidecar = case.parent().unwrap().join("self.transcript");
        std::fs::write(&sidecar, "old\n").unwrap();
        let rewrite = Rewrite {
            path: case.clone(),
            changes: vec![
                Change::Result(Some("\"new\"".into())),
                Change::TranscriptFile(sidecar.clone(), vec!["x".into()]),
            ],
            cell: None,
        };
        rewrite.apply().unwrap();
        assert_eq!(std::fs::read_to_string(&sidecar).unwrap(), "x\n");
        assert!(std::fs::read_to_string(&case).unwrap().contains("result = '\"new\"'"));
        // An event that cannot be one line of the sidecar is refused.
        let bad = Rewrite {
            path: case.clone(),
            changes: vec![Change::TranscriptFile(sidecar.clone(), vec!["a\nb".into()])],
            cell: None,
        };
        assert!(format!("{:#}", bad.apply().unwrap_err()).contains("line break"));
        assert_eq!(std::fs::read_to_string(&sidecar).unwrap(), "x\n");
        // No temporary file is left behind.
        let left: Vec<_> = std::fs::read_dir(case.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }

    #[test]
    fn only_a_yes_turns_bless_on() {
        assert!(turns_on("1") && turns_on("true") && turns_on("YES") && turns_on("on"));
        assert!(!turns_on("false") && !turns_on("0") && !turns_on("") && !turns_on("no") && !turns_on("off"));
    }

    #[test]
    fn a_case_without_expect_is_an_error() {
        let e = rewrite_text("description = \"d\"\n", &[Change::Trap(None)]).unwrap_err();
        assert!(e.to_string().contains("no `[expect]`"), "{e}");
    }
}
