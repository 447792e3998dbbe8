//! Matrices: one case file that stands for several tests. Its `[matrix]`
//! names parameters and their values (`cross`: every combination; `cells`:
//! the combinations one by one), and its strings use them as `${name}`
//! placeholders. Each cell is expanded here, at load time, into the text of
//! an ordinary case, which is then parsed and validated like a hand-written
//! one; the expanded text keeps a map back to the matrix file, so every
//! error names the place in that file (a placeholder's own position for
//! what it produced) and the cell's parameters.

use std::ops::Range;
use std::sync::Arc;

use anyhow::{Result, anyhow, bail};
use toml_edit::{Document, Item, Value};

use crate::load::{Source, raw_offset};

mod placeholder;
mod read;

use placeholder::{Count, Piece};
use read::read;

/// Most cells one matrix may expand into: a typo in a cross product must not
/// make a suite of millions.
pub const MAX_CELLS: usize = 100_000;

/// The count a repeat placeholder may use to mean "once per chain entry".
const CHAIN: &str = "chain";

/// One test of a matrix: a value per parameter, in the parameters' order.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub values: Vec<(String, String)>,
}

impl Cell {
    /// The last part of the test's name: `root=async,next=sync`.
    pub fn label(&self) -> String {
        self.values.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
    }
}

/// A file's `[matrix]`: its parameters (and where each is named) and cells.
struct Matrix {
    params: Vec<(String, Range<usize>)>,
    cells: Vec<Cell>,
}

/// The labels of a file's cells, for listing, or `None` when it has no
/// `[matrix]` or one that does not read: then the file is listed as one
/// test, whose loading says what is wrong. Only the matrix is read here.
pub fn labels(text: &str) -> Option<Vec<String>> {
    if !text.contains("matrix") {
        return None;
    }
    let doc = Document::parse(text).ok()?;
    let src = Source::new("".into(), String::new());
    let matrix = read(&src, doc.as_table()).ok()??;
    Some(matrix.cells.iter().map(Cell::label).collect())
}

/// Why a matrix file cannot be loaded as one case: what is wrong with its
/// `[matrix]` (else it would have been listed cell by cell).
pub fn whole_file_error(src: &Source) -> anyhow::Error {
    let read = Document::parse(src.text.as_str()).map_err(anyhow::Error::from).and_then(|d| read(src, d.as_table()));
    match read {
        Err(e) => e,
        Ok(_) => anyhow!(
            "{}: a matrix file stands for one test per cell; run a cell by its name (`<file's name>/<cell>`)",
            src.path.display()
        ),
    }
}

/// Where the expanded text of a cell came from.
#[derive(Debug)]
pub struct Expansion {
    /// The matrix file's own text.
    pub original: String,
    /// The cell's label, `root=async,next=sync`.
    pub label: String,
    /// In order of `at`: text from `at` on is the original's from `from` on
    /// (`exact`), or what the placeholder at `from` produced.
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    at: usize,
    from: usize,
    exact: bool,
}

impl Expansion {
    /// The offset in the matrix file that produced `offset` of the cell's text.
    pub fn original_offset(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|s| s.at <= offset).saturating_sub(1);
        match self.segments.get(i) {
            Some(s) if s.exact => (s.from + offset - s.at).min(self.original.len()),
            Some(s) => s.from,
            None => offset.min(self.original.len()),
        }
    }
}

/// The text of the cell `label` of the matrix file in `src`, as a source
/// whose positions point back into the file.
pub fn expand(src: &Source, label: &str) -> Result<Source> {
    let doc = Document::parse(src.text.as_str()).map_err(|e| {
        let at = e.span().map_or_else(|| src.path.display().to_string(), |s| src.at(&s));
        anyhow!("{at}: {}", e.message().trim_end())
    })?;
    let root = doc.as_table();
    let matrix =
        read(src, root)?.ok_or_else(|| anyhow!("{}: no `[matrix]`, so no cell `{label}`", src.path.display()))?;
    let cell = matrix.cells.iter().find(|c| c.label() == label).ok_or_else(|| {
        anyhow!("{}: the matrix has no cell `{label}` (it has {} cells)", src.path.display(), matrix.cells.len())
    })?;
    let chain_len = root.get(CHAIN).and_then(Item::as_array).map(toml_edit::Array::len);
    let mut strings = Vec::new();
    root.iter().filter(|(k, _)| *k != "matrix").for_each(|(_, item)| collect(item, &mut strings));
    let in_cell = |at: usize| format!("{} ({label})", src.at(&(at..at)));
    let mut used = vec![false; matrix.params.len()];
    let mut edits = Vec::new();
    for value in strings {
        let (Value::String(s), Some(span)) = (value, value.span()) else { continue };
        let raw = &src.text[span.clone()];
        let place = |inner: usize| span.start + raw_offset(raw, inner);
        let pieces =
            placeholder::parse(s.value()).map_err(|(inner, why)| anyhow!("{}: {why}", in_cell(place(inner))))?;
        if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
            continue;
        }
        let quote = Quote::of(raw);
        let mut parts = vec![(raw[..raw_offset(raw, 0)].to_string(), span.start, true)];
        for piece in pieces {
            let (range, text) = match piece {
                Piece::Text(r) => {
                    let (a, b) = (raw_offset(raw, r.start), raw_offset(raw, r.end));
                    parts.push((raw[a..b].to_string(), span.start + a, true));
                    continue;
                }
                Piece::Dollar(r) => (r, "$".to_string()),
                Piece::Param(name, r) => {
                    let i = param_index(&matrix, &name).map_err(|why| anyhow!("{}: {why}", in_cell(place(r.start))))?;
                    used[i] = true;
                    (r, cell.values[i].1.clone())
                }
                Piece::Repeat(text, count, r) => {
                    let n = match count {
                        Count::Number(n) => n,
                        Count::Chain => chain_len.ok_or_else(|| {
                            anyhow!(
                                "{}: `* chain` counts the entries of `chain`, and there is no `chain` list",
                                in_cell(place(r.start))
                            )
                        })?,
                        Count::Param(name) => {
                            let i = param_index(&matrix, &name)
                                .map_err(|why| anyhow!("{}: {why}", in_cell(place(r.start))))?;
                            used[i] = true;
                            cell.values[i].1.parse().map_err(|_| {
                                anyhow!(
                                    "{}: `{name}` is `{}` here, not a count",
                                    in_cell(place(r.start)),
                                    cell.values[i].1
                                )
                            })?
                        }
                    };
                    if n.saturating_mul(text.len()) > placeholder::MAX_REPEAT_BYTES {
                        bail!(
                            "{}: the repeated text would pass {} bytes",
                            in_cell(place(r.start)),
                            placeholder::MAX_REPEAT_BYTES
                        );
                    }
                    (r, text.repeat(n))
                }
            };
            let encoded = quote.encode(&text).map_err(|why| anyhow!("{}: {why}", in_cell(place(range.start))))?;
            parts.push((encoded, place(range.start), false));
        }
        let close = raw_offset(raw, s.value().len());
        parts.push((raw[close..].to_string(), span.start + close, true));
        edits.push((span, parts));
    }
    if let Some(i) = used.iter().position(|u| !u) {
        let (name, span) = &matrix.params[i];
        bail!("{}: parameter `{name}` is used by no `${{{name}}}` placeholder", src.at(span));
    }
    Ok(splice(src, label, edits))
}

fn param_index(matrix: &Matrix, name: &str) -> Result<usize, String> {
    matrix.params.iter().position(|(n, _)| n == name).ok_or_else(|| {
        let names: Vec<&str> = matrix.params.iter().map(|(n, _)| n.as_str()).collect();
        format!("unknown parameter `{name}` (parameters: {}; write `$$` for a `$`)", names.join(", "))
    })
}

type Edit = (Range<usize>, Vec<(String, usize, bool)>);

/// The file's text with each edited string replaced, and the map back.
fn splice(src: &Source, label: &str, mut edits: Vec<Edit>) -> Source {
    edits.sort_by_key(|(span, _)| span.start);
    let mut text = String::with_capacity(src.text.len());
    let mut segments = Vec::new();
    let mut cursor = 0;
    for (span, parts) in edits {
        segments.push(Segment { at: text.len(), from: cursor, exact: true });
        text.push_str(&src.text[cursor..span.start]);
        for (part, from, exact) in parts {
            segments.push(Segment { at: text.len(), from, exact });
            text.push_str(&part);
        }
        cursor = span.end;
    }
    segments.push(Segment { at: text.len(), from: cursor, exact: true });
    text.push_str(&src.text[cursor..]);
    let expansion = Expansion { original: src.text.clone(), label: label.to_string(), segments };
    Source { path: src.path.clone(), text, cell: Some(Arc::new(expansion)) }
}

/// Every string value below `item`.
fn collect<'a>(item: &'a Item, out: &mut Vec<&'a Value>) {
    match item {
        Item::Value(v) => collect_value(v, out),
        Item::Table(t) => t.iter().for_each(|(_, i)| collect(i, out)),
        Item::ArrayOfTables(a) => a.iter().flat_map(|t| t.iter()).for_each(|(_, i)| collect(i, out)),
        Item::None => {}
    }
}

fn collect_value<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::String(_) => out.push(value),
        Value::Array(a) => a.iter().for_each(|v| collect_value(v, out)),
        Value::InlineTable(t) => t.iter().for_each(|(_, v)| collect_value(v, out)),
        _ => {}
    }
}

/// The kind of TOML string a placeholder stands in, which says how its
/// value must be written there.
enum Quote {
    Basic,
    Literal,
    MultiLiteral,
}

impl Quote {
    fn of(raw: &str) -> Quote {
        match raw {
            r if r.starts_with("'''") => Quote::MultiLiteral,
            r if r.starts_with('\'') => Quote::Literal,
            _ => Quote::Basic,
        }
    }

    /// `value` as it must be written in this kind of string; a literal
    /// string has no escapes, so what it cannot hold is an error.
    fn encode(&self, value: &str) -> Result<String, String> {
        let cannot = match self {
            Quote::Basic => false,
            Quote::Literal => value.contains('\'') || value.chars().any(|c| c.is_control() && c != '\t'),
            Quote::MultiLiteral => value.contains("'''"),
        };
        if cannot {
            return Err(format!("the value {value:?} cannot stand in this literal string; write it with \"...\""));
        }
        if !matches!(self, Quote::Basic) {
            return Ok(value.to_string());
        }
        Ok(value
            .chars()
            .map(|c| match c {
                '"' => "\\\"".to_string(),
                '\\' => "\\\\".to_string(),
                '\n' => "\\n".to_string(),
                c if c.is_control() => format!("\\u{:04X}", c as u32),
                c => c.to_string(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;
