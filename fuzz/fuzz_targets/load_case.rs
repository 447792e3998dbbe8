//! Arbitrary bytes as a case file's text, through the same parse and
//! validation as `Case::load`. Any input may be rejected with an error; none
//! may panic, hang or crash.

#![no_main]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;

use harness::case::Case;
use libfuzzer_sys::fuzz_target;

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

fuzz_target!(|data: &[u8]| {
    // `Case::load` reads files as UTF-8 and rejects anything else first.
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(loaded) = Case::parse(Path::new("cases/fuzz.toml"), text.to_string(), &KNOWN_GUESTS, &sidecar) {
        // Locations are computed for messages after loading too, and WAVE
        // errors point inside a value (at any offset up to its length).
        if let Some(call) = &loaded.case.call {
            let _ = loaded.source.at(&call.function.span());
            for arg in &call.args {
                let _ = loaded.source.at_inner(&arg.span(), arg.get_ref().len());
            }
        }
    }
});
