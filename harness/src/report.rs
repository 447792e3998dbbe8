//! Stage 7: how a case's failure is presented: what was run and where to
//! look first, then the diff or error, then what the guests printed.

use std::fmt::Write;
use std::path::Path;

/// What a failing case ran, for the header of its failure message.
pub struct Context<'a> {
    pub case_file: &'a Path,
    pub chain: &'a [String],
    pub composed: Option<&'a Path>,
}

pub fn failure(ctx: &Context<'_>, body: &str, stdout: &str, stderr: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "case:     {}", ctx.case_file.display());
    if !ctx.chain.is_empty() {
        let _ = writeln!(out, "chain:    {} → host", ctx.chain.join(" → "));
    }
    if let Some(p) = ctx.composed {
        let _ = writeln!(out, "composed: {}", p.display());
    }
    let _ = writeln!(out, "wasmtime: {}", crate::WASMTIME_VERSION);
    out.push('\n');
    out.push_str(body.trim_end());
    out.push('\n');
    for (name, text) in [("stdout", stdout), ("stderr", stderr)] {
        if !text.is_empty() {
            let _ = write!(out, "\n-- guest {name} --\n{}\n", text.trim_end());
        }
    }
    out
}

/// An error with its whole cause chain, like anyhow's `{:?}` but without the
/// backtrace that `RUST_BACKTRACE=1` would add to every failing case.
pub fn render(error: &anyhow::Error) -> String {
    chain_text(error.chain().map(|c| c.to_string()))
}

/// The same for wasmtime's own error type.
pub fn render_wasmtime(error: &wasmtime::Error) -> String {
    chain_text(error.chain().map(|c| c.to_string()))
}

fn chain_text(mut chain: impl Iterator<Item = String>) -> String {
    let mut out = chain.next().unwrap_or_default();
    for (i, cause) in chain.enumerate() {
        if i == 0 {
            out.push_str("\n\nCaused by:");
        }
        let _ = write!(out, "\n    {i}: {cause}");
    }
    out
}
