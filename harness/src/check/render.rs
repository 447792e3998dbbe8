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
    /// The host and its versions, when it is not wasmtime (`jco: ...`).
    pub host: Option<&'a str>,
}

impl<'a> Context<'a> {
    pub fn new(case_file: &'a Path) -> Context<'a> {
        Context { case_file, cell: None, description: None, chain: &[], composed: None, host: None }
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
    match ctx.host {
        Some(host) => drop(writeln!(out, "host:     {host}")),
        None => drop(writeln!(out, "wasmtime: {}", lockfile::wasmtime_version())),
    }
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

/// At most one line of reasonable length. An error wasmtime wrapped in a
/// backtrace would show only its header, so it shows its causes instead.
pub fn one_line(text: &str) -> String {
    const MAX: usize = 300;
    let condensed;
    let line = if text.contains(BACKTRACE_HEADER) {
        condensed = without_backtrace(text);
        condensed.as_str()
    } else {
        text.lines().next().unwrap_or_default().trim()
    };
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

/// A wasmtime error's causes on one line, outermost first, without the
/// backtrace wasmtime wraps a guest's failure in: `error while executing at
/// wasm backtrace:` alone says nothing about what went wrong.
pub fn cause_line(error: &wasmtime::Error) -> String {
    // The backtrace is a context of its own: it renders to nothing here.
    let causes = error.chain().map(|e| without_backtrace(&e.to_string())).filter(|m| !m.is_empty());
    causes.collect::<Vec<_>>().join(": ")
}

const BACKTRACE_HEADER: &str = "error while executing at wasm backtrace:";

/// `text` (an error rendered with its chain, perhaps quoted inside another
/// message) on one line, without backtrace frames, wasmtime's note on
/// `WASMTIME_BACKTRACE_DETAILS` and `Caused by:` headings.
fn without_backtrace(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim().replace(BACKTRACE_HEADER, "");
        let (number, rest) = line.split_once(": ").unwrap_or(("", &line));
        let numbered = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit());
        let frame = line.split_once(':').is_some_and(|(n, r)| n.parse::<u32>().is_ok() && r.trim().starts_with("0x"));
        let noise = frame
            || line.starts_with("at ")
            || line.starts_with("note: using the `WASMTIME_BACKTRACE_DETAILS")
            || line == "Caused by:";
        let piece = if numbered { rest.trim() } else { line.trim() };
        if noise || piece.is_empty() {
            continue;
        }
        // No separator inside quotes the header was cut out of: `got '...'`.
        if !(out.is_empty() || out.ends_with('\'') || piece == "'") {
            out.push_str(": ");
        }
        out.push_str(piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wasmtime-wast quotes an error with its backtrace inside its own message.
    #[test]
    fn a_quoted_backtrace_shows_its_cause() {
        let text = "x.wast:35:1: directive failed: expected 'cannot drop', got 'error while executing at wasm \
                    backtrace:\n    0:     0xb2 - M!<wasm function 4>\nnote: using the \
                    `WASMTIME_BACKTRACE_DETAILS=1` environment variable may show more debugging information\n\n\
                    Caused by:\n    resource has children\n\n'";
        assert_eq!(
            one_line(text),
            "x.wast:35:1: directive failed: expected 'cannot drop', got 'resource has children'"
        );
    }

    #[test]
    fn a_host_error_under_a_backtrace_shows_its_chain() {
        let error = wasmtime::Error::msg("resource has children").context("cannot drop the set");
        let error = error.context(BACKTRACE_HEADER.to_string() + "\n    0:     0x1 - M!f");
        assert_eq!(cause_line(&error), "cannot drop the set: resource has children");
    }
}
