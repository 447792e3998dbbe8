//! The bodies of the fuzz targets in `fuzz/`, here so that the inputs that
//! once crashed them (`fuzz/regressions/<target>/`) are replayed by `cargo
//! test` on stable, without cargo-fuzz (`tests/fuzz_regressions.rs`), and
//! so the fuzz workspace builds this crate alone, without any runtime.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use toml::Spanned;

use crate::{Case, Source};

static KNOWN_GUESTS: LazyLock<BTreeSet<String>> =
    LazyLock::new(|| ["guest-async", "guest-sync", "guest-streams"].map(String::from).into());

/// A `transcript-file` is served from memory: one name is missing, any
/// other reads as a small transcript with blank lines and non-ASCII text.
fn sidecar(path: &Path) -> std::io::Result<String> {
    if path.ends_with("missing.transcript") {
        return Err(std::io::ErrorKind::NotFound.into());
    }
    Ok("baz.foo enter 1\n\n  \nitems <- [\"é\"]\nbaz.foo exit 1".to_string())
}

/// `load_case`: arbitrary bytes as a case file's text, through the same
/// parse and validation as `Case::load`; a matrix file's first cells are
/// expanded and loaded too. Any input may be rejected with an error; none
/// may panic.
pub fn load_case(data: &[u8]) {
    // `Case::load` reads files as UTF-8 and rejects anything else first.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = Source::new(PathBuf::from("cases/fuzz.toml"), text.to_string());
    let labels = crate::matrix::labels(text).unwrap_or_default();
    let cells = labels.iter().take(4).filter_map(|label| crate::matrix::expand(&source, label).ok());
    for source in std::iter::once(source.clone()).chain(cells) {
        let Ok(loaded) = Case::from_source(source, &KNOWN_GUESTS, &sidecar) else { continue };
        // Locations are computed for messages after loading too; in a cell
        // they are mapped back into the matrix file.
        if let Some(call) = &loaded.case.call {
            let _ = loaded.source.at(&call.function.span());
            for arg in &call.args {
                for inner in 0..=arg.get_ref().len() {
                    let _ = loaded.source.at_inner(&arg.span(), inner);
                }
            }
        }
    }
}

/// `locate`: arbitrary TOML whose string values are located at every offset
/// (and one past the end), the way failure messages point into a WAVE value
/// with an offset into the decoded text. No offset may panic.
pub fn locate(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(values) = toml::from_str::<BTreeMap<String, Spanned<String>>>(text) else { return };
    let source = Source::new(PathBuf::from("fuzz.toml"), text.to_string());
    for value in values.values() {
        for inner in 0..=value.get_ref().len() + 1 {
            let _ = source.at_inner(&value.span(), inner);
        }
    }
}
