//! Stage 2: the case schema, and loading a case file into it.
//!
//! A case file is TOML; everything here is checked before anything is built
//! or run, and every error names `path:line:col` so the author knows where to
//! look. Checks that need a compiled component (WAVE values against the
//! function's types) happen in `run`, and point back here through the spans.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

pub mod http;

/// One scenario: which guests to compose, what to call, what must happen.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Case {
    /// One sentence saying what the scenario checks and why it matters.
    pub description: String,
    /// Guest names, root (the component that is called) first. Each guest's
    /// imports are satisfied by the next one's exports; the last guest's
    /// imports by the host.
    #[schemars(with = "Vec<String>", length(min = 1))]
    pub chain: Vec<Spanned<String>>,
    /// The export to call and its arguments. A case has either `call` or
    /// `http`.
    pub call: Option<Call>,
    /// Instead of `call`: an HTTP request to the chain's
    /// `wasi:http/handler@0.3.0` export (see `case::http`).
    #[schemars(with = "Option<http::HttpRequest>")]
    pub http: Option<Spanned<http::HttpRequest>>,
    /// What must be observed.
    pub expect: Expect,
    /// Parameters of the host presets that implement the chain's imports.
    #[serde(default)]
    pub host: Host,
    /// Resource limits for this case.
    #[serde(default)]
    pub limits: Limits,
}

/// The call the host makes into the root of the chain.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Call {
    /// `interface#function` (e.g. `local:local/baz#foo`), or a bare name for
    /// a function exported at the top level of the component.
    #[schemars(with = "String")]
    pub function: Spanned<String>,
    /// One WAVE value per parameter, in order (e.g. `'"hello"'` for a string).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub args: Vec<Spanned<String>>,
    /// How many identical calls to start at once into one instance. Each one
    /// must meet `expect`.
    #[serde(default = "one")]
    #[schemars(with = "u32", range(min = 1))]
    pub concurrent: Spanned<u32>,
    /// `stream<T>` parameters, by parameter name: what the host writes. They
    /// are not listed in `args`.
    #[serde(default)]
    pub stream_args: BTreeMap<String, StreamArg>,
    /// `future<T>` parameters, by parameter name: what the host resolves them
    /// with. They are not listed in `args`.
    #[serde(default)]
    pub future_args: BTreeMap<String, FutureArg>,
}

/// A stream the host writes into a `stream<T>` parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StreamArg {
    /// Chunks of WAVE items (`[['"a"', '"b"'], ['"c"']]`). Each chunk is
    /// offered as one write, cut to the reader's capacity; after the last
    /// one the host drops its write end.
    #[schemars(with = "Vec<Vec<String>>")]
    pub chunks: Vec<Vec<Spanned<String>>>,
}

/// A future the host resolves for a `future<T>` parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FutureArg {
    /// The WAVE value delivered when the guest reads the future.
    #[schemars(with = "String")]
    pub value: Spanned<String>,
}

/// The expected outcome. Exactly one of `result` and `trap` may be given;
/// neither means the function returns nothing.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Expect {
    /// The function's result as WAVE text, compared after normalising both
    /// sides through the result type (so `"a"` and `"\u{61}"` are equal).
    #[schemars(with = "Option<String>")]
    pub result: Option<Spanned<String>>,
    /// The kind of trap the call must end in: a `wasmtime::Trap` variant in
    /// kebab-case (e.g. `cannot-block-sync-task`), matched by kind, never by
    /// message text.
    #[serde(default)]
    #[schemars(schema_with = "trap_kind_schema")]
    pub trap: Option<Spanned<String>>,
    /// The transcript: the ordered events observed while the case ran, one
    /// string per event (see the README's "Transcripts"). Omitted (and no
    /// `transcript-file`): not checked.
    #[schemars(with = "Option<Vec<String>>")]
    pub transcript: Option<Vec<Spanned<String>>>,
    /// The transcript in a sidecar file next to the case, one event per line,
    /// for long transcripts. Mutually exclusive with `transcript`.
    #[schemars(with = "Option<String>")]
    pub transcript_file: Option<Spanned<String>>,
}

/// Host preset parameters, one table per preset.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Host {
    /// The demo's `local:local/baz#foo` import.
    #[serde(default)]
    pub baz: BazPreset,
}

/// `local:local/baz#foo`: appends ` - entered host`, sleeps without blocking
/// the thread, appends ` - exited host`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BazPreset {
    /// How long the host sleeps inside each call, in milliseconds.
    #[serde(default = "ten")]
    pub delay_ms: u64,
}

impl Default for BazPreset {
    fn default() -> Self {
        BazPreset { delay_ms: ten() }
    }
}

/// Per-case limits; a case that exceeds one fails as "... limit reached" (or
/// "timed out"), the others go on, and the host process is unaffected.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Limits {
    /// Wall-clock limit for instantiating and running the case, in
    /// milliseconds. Enforced both while wasm runs (epoch interruption) and
    /// while the host waits (a stuck event loop is the typical async bug).
    #[serde(default = "ten_seconds")]
    pub timeout_ms: u64,
    /// Linear memory all the chain's instances may hold together, in bytes
    /// (initial sizes included). A `memory.grow` beyond it fails (returns -1
    /// to the guest), and a case that then fails is reported as "memory
    /// limit reached".
    #[serde(default = "sixty_four_mib")]
    pub memory_bytes: u64,
    /// Elements any one table may grow to.
    #[serde(default = "ten_thousand")]
    pub table_elements: u64,
    /// Core instances the store may create. A chain of three Rust guests
    /// needs between 11 and 20.
    #[serde(default = "hundred")]
    pub instances: u64,
    /// Linear memories the store may create.
    #[serde(default = "hundred")]
    pub memories: u64,
    /// Tables the store may create.
    #[serde(default = "hundred")]
    pub tables: u64,
    /// Bytes the host may keep on the guests' behalf for the transcript:
    /// items it reads from their streams and futures, events they record.
    #[serde(default = "sixty_four_mib")]
    pub host_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout_ms: ten_seconds(),
            memory_bytes: sixty_four_mib(),
            table_elements: ten_thousand(),
            instances: hundred(),
            memories: hundred(),
            tables: hundred(),
            host_bytes: sixty_four_mib(),
        }
    }
}

/// The trap kinds as an enum, so editors can complete them.
fn trap_kind_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": crate::compare::trap_kinds() })
}

fn one() -> Spanned<u32> {
    Spanned::new(0..0, 1)
}
fn ten() -> u64 {
    10
}
fn ten_seconds() -> u64 {
    10_000
}
fn sixty_four_mib() -> u64 {
    64 << 20
}
fn ten_thousand() -> u64 {
    10_000
}
fn hundred() -> u64 {
    100
}

/// A parsed case plus what is needed to point at places in its file.
#[derive(Debug)]
pub struct Loaded {
    pub case: Case,
    pub source: Source,
    /// The expected transcript, from the case or its sidecar file, each
    /// event with the `path:line` it was written at.
    pub transcript: Option<Vec<Event>>,
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
    /// names the chain may use.
    pub fn load(path: &Path, known_guests: &BTreeSet<String>) -> Result<Loaded> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read case file {}", path.display()))?;
        Case::parse(path, text, known_guests, &|p| std::fs::read_to_string(p))
    }

    /// `load` for a case file's text: `path` is only for messages and to
    /// find a `transcript-file`, which is read through `read_sidecar` (so the
    /// fuzzer runs without a filesystem).
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
        case.validate(&source, known_guests)?;
        let transcript = case.expected_transcript(&source, read_sidecar)?;
        Ok(Loaded { case, source, transcript })
    }

    fn expected_transcript(
        &self,
        src: &Source,
        read_sidecar: &dyn Fn(&Path) -> std::io::Result<String>,
    ) -> Result<Option<Vec<Event>>> {
        let expect = &self.expect;
        if let (Some(_), Some(file)) = (&expect.transcript, &expect.transcript_file) {
            bail!(
                "{}: `transcript` and `transcript-file` both given; keep one",
                src.at(&file.span())
            );
        }
        if let Some(events) = &expect.transcript {
            let events = events
                .iter()
                .map(|e| Event { text: e.get_ref().clone(), at: src.at(&e.span()) })
                .collect();
            return Ok(Some(events));
        }
        let Some(file) = &expect.transcript_file else { return Ok(None) };
        let path = src.path.parent().unwrap_or(Path::new("")).join(file.get_ref());
        let text = read_sidecar(&path).with_context(|| {
            format!("{}: cannot read transcript file {}", src.at(&file.span()), path.display())
        })?;
        let events = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| Event { text: l.to_string(), at: format!("{}:{}", path.display(), i + 1) })
            .collect();
        Ok(Some(events))
    }

    fn validate(&self, src: &Source, known_guests: &BTreeSet<String>) -> Result<()> {
        if self.chain.is_empty() {
            bail!("{}: `chain` is empty; name at least one guest", src.path.display());
        }
        for guest in &self.chain {
            if !known_guests.contains(guest.get_ref()) {
                bail!(
                    "{}: unknown guest `{}` in chain; known guests: {}",
                    src.at(&guest.span()),
                    guest.get_ref(),
                    known_guests.iter().cloned().collect::<Vec<_>>().join(", ")
                );
            }
        }
        http::validate(self, src)?;
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
            bail!(
                "{}: `expect` has both `result` and `trap`; a call either returns or traps",
                src.at(&trap.span())
            );
        }
        if let Some(trap) = &self.expect.trap {
            let kinds = crate::compare::trap_kinds();
            if !kinds.contains(trap.get_ref()) {
                bail!(
                    "{}: unknown trap kind `{}`; known kinds: {}",
                    src.at(&trap.span()),
                    trap.get_ref(),
                    kinds.join(", ")
                );
            }
        }
        Ok(())
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
