//! The cases `bench` times for the per-case figures: copies with the host's
//! sleeps taken out, in a scratch folder of their own.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use case_format::CaseFile;

/// Copies of the cases with `host.baz.delay-ms = 0`. Concurrent cases lose
/// their expected transcript (the order of their events is what the delay
/// is there to fix); sidecar transcripts are referred to where they are.
/// `.wast` scripts are used as they are. A matrix file is copied once, in
/// its own key order (its cells' names follow it), for all its cells.
pub(super) fn zero_delay_copies(files: &[CaseFile], dir: &Path) -> Result<Vec<CaseFile>> {
    let mut written = HashSet::new();
    files
        .iter()
        .map(|file| {
            // A script has no host sleeps to take out; it runs as it is.
            if file.is_wast() {
                return Ok(file.clone());
            }
            let stem = match &file.cell {
                Some(label) => file.name.strip_suffix(&format!("/{label}")).unwrap_or(&file.name),
                None => &file.name,
            };
            let path = dir.join(format!("{stem}.toml"));
            if written.insert(path.clone()) {
                let text = std::fs::read_to_string(&file.path)
                    .with_context(|| format!("cannot read case file {}", file.path.display()))?;
                let copy = zero_delay(&text, file.path.parent().unwrap_or(Path::new("")))
                    .with_context(|| format!("{} is not a case `harness run` can read", file.path.display()))?;
                std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
                std::fs::write(&path, copy).with_context(|| format!("cannot write {}", path.display()))?;
            }
            Ok(CaseFile { name: file.name.clone(), path, cell: file.cell.clone() })
        })
        .collect()
}

/// A case file's text with the `baz` preset's sleep set to zero; `dir` is
/// the case's folder, where its sidecar transcript stays.
fn zero_delay(text: &str, dir: &Path) -> Result<String> {
    let mut case: toml_edit::DocumentMut = text.parse()?;
    case["host"].or_insert(toml_edit::table())["baz"].or_insert(toml_edit::table())["delay-ms"] = toml_edit::value(0);
    let concurrent =
        case.get("call").and_then(|c| c.get("concurrent")).and_then(toml_edit::Item::as_integer).is_some_and(|n| n > 1);
    if let Some(expect) = case.get_mut("expect").and_then(|e| e.as_table_like_mut()) {
        if concurrent {
            expect.remove("transcript");
        }
        if let Some(sidecar) = expect.get("transcript-file").and_then(toml_edit::Item::as_str) {
            let absolute = dir.join(sidecar).display().to_string();
            expect.insert("transcript-file", toml_edit::value(absolute));
        }
    }
    Ok(case.to_string())
}

/// A temporary folder of our own, removed when done.
pub(super) struct Scratch(pub(super) PathBuf);

impl Scratch {
    pub(super) fn new() -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("harness-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
