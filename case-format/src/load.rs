//! Loading a case file: parse, validate, read its sidecar transcript.
//!
//! Everything here is checked before anything is built or run, and every
//! error names `path:line:col` so the author knows where to look. Checks that
//! need a compiled component (WAVE values against the function's types)
//! happen on the host, and point back here through the spans.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::local::{self, Link};
use crate::trap::TrapKind;
use crate::types::Case;
use crate::{http, script};

/// A parsed case plus what is needed to point at places in its file.
#[derive(Debug)]
pub struct Loaded {
    pub case: Case,
    pub source: Source,
    /// The expected transcript, from the case or its sidecar file, each
    /// event with the `path:line` it was written at.
    pub transcript: Option<Vec<Event>>,
    /// The chain, each entry resolved to a guest or a case-local component.
    pub chain: Vec<Link>,
}

/// One expected transcript event and where it is written.
#[derive(Debug)]
pub struct Event {
    pub text: String,
    pub at: String,
}

/// A case file's path and text, to turn byte spans into `path:line:col`.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    /// `path:line:col` (1-based) of a byte offset.
    pub fn at(&self, span: &Range<usize>) -> String {
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{col}", self.path.display())
    }

    /// Location of an offset inside a TOML string value, e.g. a WAVE parse
    /// error at `inner` bytes into `'"hello'`. `inner` counts bytes of the
    /// value, after TOML's escapes are decoded, so the escapes before it are
    /// walked to find the place in the file.
    pub fn at_inner(&self, value: &Range<usize>, inner: usize) -> String {
        let start = value.start + raw_offset(&self.text[value.clone()], inner);
        self.at(&(start..start))
    }
}

/// Where byte `inner` of a TOML string's value is in its source text `raw`
/// (quotes included), at most the closing quote. Literal strings hold the
/// value verbatim; basic strings are walked escape by escape, since `\t` is
/// two bytes in the file and one in the value, `\u00e9` six and two. Always
/// a char boundary of `raw`: slicing the text there must not panic.
fn raw_offset(raw: &str, inner: usize) -> usize {
    let quote = ["\"\"\"", "'''", "\"", "'"].into_iter().find(|q| raw.starts_with(q)).unwrap_or("");
    let basic = quote.starts_with('"');
    let closed = raw.len() >= 2 * quote.len() && raw.ends_with(quote);
    let end = if closed { raw.len() - quote.len() } else { raw.len() };
    let mut pos = quote.len();
    // A multi-line string drops a newline right after its opening quotes.
    if quote.len() == 3 {
        pos += ["\r\n", "\n"].into_iter().find(|nl| raw[pos..].starts_with(nl)).map_or(0, str::len);
    }
    let mut produced = 0;
    while pos < end {
        let rest = &raw[pos..end];
        let c = rest.chars().next().expect("pos < end");
        let escape = if basic && c == '\\' { rest[1..].chars().next() } else { None };
        // A backslash ending a line joins it to the next non-blank text and
        // stands for nothing, so it is skipped even at the offset itself.
        if escape.is_some_and(char::is_whitespace) {
            let after = &rest[1..];
            pos += 1 + after.len() - after.trim_start().len();
            continue;
        }
        if produced >= inner {
            break;
        }
        let (raw_len, value_len) = match escape {
            None if basic && c == '\\' => (1, 0),
            None => (c.len_utf8(), c.len_utf8()),
            Some('u') => (6, hex_char(rest, 4)),
            Some('U') => (10, hex_char(rest, 8)),
            Some('x') => (4, hex_char(rest, 2)),
            Some(e) => (1 + e.len_utf8(), 1),
        };
        produced += value_len;
        pos += raw_len.min(rest.len());
    }
    let mut pos = pos.min(end);
    while !raw.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

/// The UTF-8 length of the char an escape like `\u00e9` stands for: `digits`
/// hex digits after the backslash and letter (1 if they are not valid, so a
/// walk over text TOML rejected still moves on).
fn hex_char(escape: &str, digits: usize) -> usize {
    escape
        .get(2..2 + digits)
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .and_then(char::from_u32)
        .map_or(1, char::len_utf8)
}

impl Case {
    /// Parse and validate a case file. `known_guests` is the list of guest
    /// names the chain may use; it may also name `.wat` files next to the
    /// case and its `[components]` (`local`).
    pub fn load(path: &Path, known_guests: &BTreeSet<String>) -> Result<Loaded> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read case file {}", path.display()))?;
        Case::parse(path, text, known_guests, &|p| std::fs::read_to_string(p))
    }

    /// `load` for a case file's text: `path` is only for messages and to
    /// find a `transcript-file` and `.wat` components, which are read through
    /// `read_sidecar` (so the fuzzer runs without a filesystem).
    pub fn parse(
        path: &Path,
        text: String,
        known_guests: &BTreeSet<String>,
        read_sidecar: &dyn Fn(&Path) -> std::io::Result<String>,
    ) -> Result<Loaded> {
        let source = Source { path: path.to_owned(), text };
        let case: Case = toml::from_str(&source.text).map_err(|e| {
            let at = e.span().map_or_else(|| source.path.display().to_string(), |s| source.at(&s));
            anyhow::anyhow!("{at}: {}", e.message().trim_end())
        })?;
        case.validate(&source)?;
        let chain = local::resolve(&case, &source, known_guests, read_sidecar)?;
        let transcript = case.expected_transcript(&source, read_sidecar)?;
        Ok(Loaded { case, source, transcript, chain })
    }

    fn expected_transcript(
        &self,
        src: &Source,
        read_sidecar: &dyn Fn(&Path) -> std::io::Result<String>,
    ) -> Result<Option<Vec<Event>>> {
        let expect = &self.expect;
        if let (Some(_), Some(file)) = (&expect.transcript, &expect.transcript_file) {
            bail!("{}: `transcript` and `transcript-file` both given; keep one", src.at(&file.span()));
        }
        if let Some(events) = &expect.transcript {
            let events = events.iter().map(|e| Event { text: e.get_ref().clone(), at: src.at(&e.span()) }).collect();
            return Ok(Some(events));
        }
        let Some(file) = &expect.transcript_file else { return Ok(None) };
        let path = src.path.parent().unwrap_or(Path::new("")).join(file.get_ref());
        let text = read_sidecar(&path)
            .with_context(|| format!("{}: cannot read transcript file {}", src.at(&file.span()), path.display()))?;
        let events = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| Event { text: l.to_string(), at: format!("{}:{}", path.display(), i + 1) })
            .collect();
        Ok(Some(events))
    }

    fn validate(&self, src: &Source) -> Result<()> {
        if self.chain.is_empty() {
            bail!("{}: `chain` is empty; name at least one guest", src.path.display());
        }
        http::validate(self, src)?;
        script::validate(&self.scripts, self.config.more_async_builtins, src)?;
        if let Some(reenter) = &self.host.scripted.reenter
            && !["run", "run-sync"].contains(&reenter.get_ref().as_str())
        {
            bail!("{}: `reenter` is `run` or `run-sync`, the root export to call back", src.at(&reenter.span()));
        }
        if let Some(call) = &self.call
            && let Some(name) = &call.script
        {
            if !self.scripts.contains_key(name.get_ref()) {
                let known: Vec<&str> = self.scripts.keys().map(String::as_str).collect();
                bail!(
                    "{}: no script named `{}` in [scripts]; scripts: {}",
                    src.at(&name.span()),
                    name.get_ref(),
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                );
            }
            if let Some(first) = call.args.first() {
                bail!(
                    "{}: `args` and `script` both given; the script bundle is the only argument",
                    src.at(&first.span())
                );
            }
        }
        if let Some(call) = &self.call
            && *call.concurrent.get_ref() == 0
        {
            bail!("{}: `concurrent` must be at least 1", src.at(&call.concurrent.span()));
        }
        if let Some(call) = &self.call
            && call.stream_args.len() + call.future_args.len() > 0
            && *call.concurrent.get_ref() > 1
        {
            bail!(
                "{}: `concurrent` > 1 with stream or future arguments: each stream can be read only once",
                src.at(&call.concurrent.span())
            );
        }
        // WAVE syntax is checked now; types once the component is compiled.
        let calls = self.call.iter();
        let plain = calls.clone().flat_map(|c| &c.args);
        let chunks = calls.clone().flat_map(|c| c.stream_args.values().flat_map(|s| s.chunks.iter().flatten()));
        let futures = calls.flat_map(|c| c.future_args.values().map(|f| &f.value));
        let waves = plain.chain(&self.expect.result).chain(chunks).chain(futures);
        for value in waves {
            if let Err(e) = wasm_wave::untyped::UntypedValue::parse(value.get_ref()) {
                let inner = e.span().start;
                bail!("{}: invalid WAVE `{}`: {e}", src.at_inner(&value.span(), inner), value.get_ref());
            }
        }
        if let (Some(_), Some(trap)) = (&self.expect.result, &self.expect.trap) {
            bail!("{}: `expect` has both `result` and `trap`; a call either returns or traps", src.at(&trap.span()));
        }
        if let Some(trap) = &self.expect.trap
            && TrapKind::from_name(trap.get_ref()).is_none()
        {
            bail!(
                "{}: unknown trap kind `{}`; known kinds: {}",
                src.at(&trap.span()),
                trap.get_ref(),
                TrapKind::names().join(", ")
            );
        }
        Ok(())
    }

    /// The argument the host passes for `call.script`: the bundle telling
    /// the root which script to run.
    pub fn script_bundle(&self) -> Option<String> {
        let name = self.call.as_ref()?.script.as_ref()?;
        Some(script::bundle(&self.scripts, name.get_ref()))
    }

    /// The chain as plain names.
    pub fn chain_names(&self) -> Vec<String> {
        self.chain.iter().map(|g| g.get_ref().clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source whose only string value is the TOML text `value`, and its span.
    fn source(value: &str) -> (Source, Range<usize>) {
        let text = format!("args = [{value}]\n");
        let start = "args = [".len();
        (Source { path: "x.toml".into(), text }, start..start + value.len())
    }

    #[test]
    fn at_inner_walks_escapes_before_the_offset() {
        // `\t` is one byte of the value and two of the file; the offset of
        // `é` (1) and of what follows it (3) must land on chars of the file.
        let (src, span) = source(r#""\té!""#);
        assert_eq!(src.at_inner(&span, 1), "x.toml:1:12");
        assert_eq!(src.at_inner(&span, 3), "x.toml:1:13");
        let (src, span) = source(r#""\u00e9x""#);
        assert_eq!(src.at_inner(&span, 2), "x.toml:1:16");
    }

    #[test]
    fn at_inner_is_verbatim_in_literal_strings() {
        let (src, span) = source(r#"'"\té'"#);
        assert_eq!(src.at_inner(&span, 3), "x.toml:1:13");
        // Past the value: its closing quote.
        assert_eq!(src.at_inner(&span, 99), "x.toml:1:14");
    }

    #[test]
    fn at_inner_skips_a_line_ending_backslash() {
        let (src, span) = source("\"\"\"\nab\\\n   cd\"\"\"");
        assert_eq!(src.at_inner(&span, 2), "x.toml:3:4");
    }
}
