//! How a case's failure reads: what was run and what the case was for, then
//! the divergence or the error, then what the guests printed, then how to
//! accept the new behaviour if it is right.

use std::fmt::Write;
use std::path::Path;

use crate::build::lockfile;

/// What a failing case ran, for the header of its failure message.
#[derive(Debug)]
pub struct Context<'a> {
    pub case_file: &'a Path,
    /// The cell's label, for one cell of a matrix file.
    pub cell: Option<&'a str>,
    /// The case's `description`: the rule it checks.
    pub description: Option<&'a str>,
    pub chain: &'a [String],
    pub composed: Option<&'a Path>,
}

impl<'a> Context<'a> {
    pub fn new(case_file: &'a Path) -> Context<'a> {
        Context { case_file, cell: None, description: None, chain: &[], composed: None }
    }
}

/// The whole failure message. `bless` is the command that would rewrite
/// the case to expect what was observed, when there is such a command.
pub fn failure(ctx: &Context<'_>, body: &str, stdout: &str, stderr: &str, bless: Option<&str>) -> String {
    let mut out = String::new();
    let _ = match ctx.cell {
        Some(label) => writeln!(out, "case:     {} (cell {label})", ctx.case_file.display()),
        None => writeln!(out, "case:     {}", ctx.case_file.display()),
    };
    if let Some(description) = ctx.description {
        let _ = writeln!(out, "checks:   {}", description.trim());
    }
    if !ctx.chain.is_empty() {
        let _ = writeln!(out, "chain:    {} → host", ctx.chain.join(" → "));
    }
    if let Some(p) = ctx.composed {
        let _ = writeln!(out, "composed: {}", p.display());
    }
    let _ = writeln!(out, "wasmtime: {}", lockfile::wasmtime_version());
    out.push('\n');
    out.push_str(body.trim_end());
    out.push('\n');
    for (name, text) in [("stdout", stdout), ("stderr", stderr)] {
        if !text.is_empty() {
            let _ = write!(out, "\n-- guest {name} --\n{}\n", text.trim_end());
        }
    }
    if let Some(command) = bless {
        let _ = write!(out, "\nif the new behaviour is right, accept it with:\n    {command}\n");
    }
    out
}

/// The command that blesses one case file, or one cell of a matrix file
/// (picked by its name, which is relative to the file's folder).
pub fn bless_command(case_file: &Path, cell: Option<&str>) -> String {
    let command = format!("cargo run -- run --bless {}", case_file.display());
    match cell {
        Some(label) => {
            let stem = case_file.file_stem().unwrap_or_default().to_string_lossy();
            format!("{command} -- --exact '{stem}/{label}'")
        }
        None => command,
    }
}

/// An error with its whole cause chain, like anyhow's `{:?}` but without the
/// backtrace that `RUST_BACKTRACE=1` would add to every failing case.
pub fn render(error: &anyhow::Error) -> String {
    error_chain(error.chain().map(ToString::to_string))
}

/// The same for wasmtime's own error type.
pub fn render_wasmtime(error: &wasmtime::Error) -> String {
    error_chain(error.chain().map(ToString::to_string))
}

fn error_chain(mut chain: impl Iterator<Item = String>) -> String {
    let mut out = chain.next().unwrap_or_default();
    for (i, cause) in chain.enumerate() {
        if i == 0 {
            out.push_str("\n\nCaused by:");
        }
        let _ = write!(out, "\n    {i}: {cause}");
    }
    out
}

/// At most one line of reasonable length.
pub fn one_line(text: &str) -> String {
    const MAX: usize = 300;
    let line = text.lines().next().unwrap_or_default().trim();
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}
