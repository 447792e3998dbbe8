//! What the integration tests that run the `harness` binary share.

use std::process::Output;

/// A finished process's exit status and both streams, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
