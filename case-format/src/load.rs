//! Loading a case file: parse, validate, read its sidecar transcript.
//!
//! Everything here is checked before anything is built or run, and every
//! error names `path:line:col` so the author knows where to look. Checks that
//! need a compiled component (WAVE values against the function's types)
//! happen on the host, and point back here through the spans.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use toml::Spanned;

use crate::local::{self, Link};
use crate::matrix::{self, Expansion};
use crate::script;
use crate::types::Case;

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
    /// For one cell of a matrix file: `text` is the cell's expanded text,
    /// and this maps its offsets back to the file's.
    pub cell: Option<Arc<Expansion>>,
}

impl Source {
    pub fn new(path: PathBuf, text: String) -> Source {
        Source { path, text, cell: None }
    }

    /// `path:line:col` (1-based) of a byte offset; in a matrix cell, the
    /// place in the matrix file and the cell, `path:line:col (a=x,b=y)`.
    pub fn at(&self, span: &Range<usize>) -> String {
        if let Some(cell) = &self.cell {
            let (line, col) = line_col(&cell.original, cell.original_offset(span.start));
            return format!("{}:{line}:{col} ({})", self.path.display(), cell.label);
        }
        let (line, col) = line_col(&self.text, span.start);
        format!("{}:{line}:{col}", self.path.display())
    }

    /// The cell's label when this is one cell of a matrix file.
    pub fn cell_label(&self) -> Option<&str> {
        self.cell.as_deref().map(|c| c.label.as_str())
    }

    /// `at` for many spans in one pass over the text when they are in order
    /// (a transcript of 40,000 events would otherwise be quadratic).
    pub fn at_each(&self, spans: &[Range<usize>]) -> Vec<String> {
        if self.cell.is_some() {
            return spans.iter().map(|s| self.at(s)).collect();
        }
        let (mut pos, mut line, mut line_start) = (0, 1, 0);
        let mut out = Vec::with_capacity(spans.len());
        for span in spans {
            let start = span.start.min(self.text.len());
            if start < pos || !self.text.is_char_boundary(start) {
                out.push(self.at(span));
                continue;
            }
            for (i, _) in self.text[pos..start].match_indices('\n') {
                line += 1;
                line_start = pos + i + 1;
            }
            pos = start;
            let col = self.text[line_start..start].chars().count() + 1;
            out.push(format!("{}:{line}:{col}", self.path.display()));
        }
        out
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

/// 1-based line and column (in chars) of a byte offset of `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Where byte `inner` of a TOML string's value is in its source text `raw`
/// (quotes included), at most the closing quote. Literal strings hold the
/// value verbatim; basic strings are walked escape by escape, since `\t` is
/// two bytes in the file and one in the value, `\u00e9` six and two. Always
/// a char boundary of `raw`: slicing the text there must not panic.
pub(crate) fn raw_offset(raw: &str, inner: usize) -> usize {
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

/// A value as quoted in a message: whole when short, else its first 80
/// chars and its length, so a bad 4 MB list does not make a 4 MB message.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
        None => text.to_string(),
    }
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
    /// Parse and validate a case file, or with `cell`, that cell of a
    /// matrix file. `known_guests` is the list of guest names the chain may
    /// use; it may also name `.wat` files next to the case and its
    /// `[components]` (`local`).
    pub fn load(path: &Path, cell: Option<&str>, known_guests: &BTreeSet<String>) -> Result<Loaded> {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            bail!("{}: a symbolic link; a case file must be a regular file in the cases folder", path.display());
        }
        let bytes = std::fs::read(path).with_context(|| format!("cannot read case file {}", path.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let before = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let at = Source::new(path.to_owned(), before).at(&(valid..valid));
            anyhow::anyhow!("{at}: the case file is not valid UTF-8 here")
        })?;
        // A byte order mark is no part of the TOML (editors on Windows add it).
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        let source = Source::new(path.to_owned(), text);
        let source = match cell {
            Some(label) => matrix::expand(&source, label)?,
            None => source,
        };
        Case::from_source(source, known_guests, &|p| crate::sidecar::read(path, p))
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
        Case::from_source(Source::new(path.to_owned(), text), known_guests, read_sidecar)
    }

    pub(crate) fn from_source(
        source: Source,
        known_guests: &BTreeSet<String>,
        read_sidecar: &dyn Fn(&Path) -> std::io::Result<String>,
    ) -> Result<Loaded> {
        let case: Case = toml::from_str(&source.text).map_err(|e| {
            let at = e.span().map_or_else(|| source.path.display().to_string(), |s| source.at(&s));
            anyhow::anyhow!("{at}: {}", e.message().trim_end())
        })?;
        if case.matrix.is_some() && source.cell.is_none() {
            return Err(matrix::whole_file_error(&source));
        }
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
            let spans: Vec<_> = events.iter().map(Spanned::span).collect();
            let ats = src.at_each(&spans);
            let events = events.iter().zip(ats).map(|(e, at)| Event { text: e.get_ref().clone(), at }).collect();
            return Ok(Some(events));
        }
        let Some(file) = &expect.transcript_file else { return Ok(None) };
        let path = crate::sidecar::resolve(&src.path, file.get_ref())
            .map_err(|why| anyhow::anyhow!("{}: {why}", src.at(&file.span())))?;
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
        (Source::new("x.toml".into(), text), start..start + value.len())
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
    fn a_long_value_is_quoted_in_part() {
        assert_eq!(excerpt("[1, 2]"), "[1, 2]");
        let long = format!("[{}]", "1, ".repeat(1_000_000));
        let short = excerpt(&long);
        assert!(short.len() < 120 && short.ends_with("… (3000002 bytes)"), "{short}");
    }

    #[test]
    fn at_each_agrees_with_at() {
        let src = Source::new("x.toml".into(), "a = 1\nbé = [\"x\",\n  \"y\"]\n\nz".into());
        let spans: Vec<_> = [0, 3, 6, 13, 20, 9, 24, 99].iter().map(|&o| o..o).collect();
        let one_by_one: Vec<_> = spans.iter().map(|s| src.at(s)).collect();
        assert_eq!(src.at_each(&spans), one_by_one);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_case_file_is_found_and_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("outside.txt"), "description = 1").unwrap();
        std::fs::create_dir(dir.path().join("cases")).unwrap();
        let link = dir.path().join("cases/link.toml");
        std::os::unix::fs::symlink(dir.path().join("outside.txt"), &link).unwrap();
        let found = crate::discover(&[dir.path().join("cases")]).unwrap();
        assert_eq!(found.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["link"]);
        let e = Case::load(&link, None, &BTreeSet::new()).unwrap_err().to_string();
        assert!(
            e.ends_with("link.toml: a symbolic link; a case file must be a regular file in the cases folder"),
            "{e}"
        );
    }

    #[test]
    fn a_symlinked_folder_is_listed_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::fs::write(dir.path().join("outside/x.toml"), "description = 1").unwrap();
        std::fs::create_dir(dir.path().join("cases")).unwrap();
        let link = dir.path().join("cases/linked");
        std::os::unix::fs::symlink(dir.path().join("outside"), &link).unwrap();
        let found = crate::discover(&[dir.path().join("cases")]).unwrap();
        assert_eq!(found.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["linked"]);
        let e = Case::load(&link, None, &BTreeSet::new()).unwrap_err().to_string();
        assert!(e.contains("a symbolic link"), "{e}");
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.toml");
        std::fs::write(&path, b"description = \"d\"\nchain = [\"g\xff\"]\n").unwrap();
        let e = Case::load(&path, None, &BTreeSet::new()).unwrap_err().to_string();
        assert!(e.ends_with("x.toml:2:12: the case file is not valid UTF-8 here"), "{e}");
    }

    #[test]
    fn at_inner_skips_a_line_ending_backslash() {
        let (src, span) = source("\"\"\"\nab\\\n   cd\"\"\"");
        assert_eq!(src.at_inner(&span, 2), "x.toml:3:4");
    }
}
