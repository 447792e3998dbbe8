//! Matrices: one case file that stands for several tests. Its `[matrix]`
//! names parameters and their values (`cross`: every combination; `cells`:
//! the combinations one by one), and its strings use them as `${name}`
//! placeholders. Each cell is expanded here, at load time, into the text of
//! an ordinary case, which is then parsed and validated like a hand-written
//! one; the expanded text keeps a map back to the matrix file, so every
//! error names the place in that file (a placeholder's own position for
//! what it produced) and the cell's parameters.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Result, anyhow, bail};
use toml_edit::{Document, Item, Value};

use crate::load::{Source, raw_offset};

mod placeholder;
mod read;

use placeholder::{Count, Piece};
use read::{cut_reads, read, text_of};

/// Most cells one matrix may expand into: a typo in a cross product must not
/// make a suite of millions.
pub const MAX_CELLS: usize = 100_000;

/// The count a repeat placeholder may use to mean "once per chain entry".
const CHAIN: &str = "chain";

/// One test of a matrix: a value per parameter, in the parameters' order.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub values: Vec<(String, String)>,
    /// Its own `expect` values (listed cells only): each key and the place
    /// of its value, which replaces the template's for this cell.
    pub overrides: Vec<(String, Range<usize>)>,
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
    /// `cells`, not `cross`: each cell is written on its own.
    listed: bool,
    /// Per parameter: every value is written as a TOML integer, so that a
    /// string that is only its placeholder (`"${delay}"`) becomes the integer.
    integers: Vec<bool>,
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
    /// The matrix file's own text, shared by its cells.
    pub original: Arc<str>,
    /// The cell's label, `root=async,next=sync`.
    pub label: String,
    /// Its index in `matrix.cells`, when the matrix lists its cells one by
    /// one (so that bless can write this cell's own expectations there).
    pub listed: Option<usize>,
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

/// What every cell of one matrix file shares, worked out once per process
/// for each text of the file: a matrix of 10,000 cells must not parse its
/// file 10,000 times.
struct Prepared {
    text: Arc<str>,
    matrix: Matrix,
    index: HashMap<String, usize>,
    chain_len: Option<usize>,
    /// Each string value outside `[matrix]`: its span, its length once
    /// decoded, and its pieces (or where and why they do not parse).
    strings: Vec<(Range<usize>, usize, Pieces)>,
    /// The template's `expect.result`, `.trap` and `.transcript` values' places.
    expect: Vec<(String, Range<usize>)>,
    /// The text of `[matrix]`, left out of every cell's text: a cell needs
    /// none of it, and a large matrix would be parsed again for each cell.
    matrix_text: Vec<Range<usize>>,
}

/// A string's pieces, or the offset in it of a bad placeholder and why.
type Pieces = Result<Vec<Piece>, (usize, String)>;

fn prepared(src: &Source) -> Result<Arc<Prepared>> {
    static MEMO: OnceLock<Mutex<HashMap<PathBuf, Arc<Prepared>>>> = OnceLock::new();
    let memo = MEMO.get_or_init(Mutex::default);
    if let Some(p) = memo.lock().unwrap().get(&src.path).filter(|p| *p.text == *src.text) {
        return Ok(Arc::clone(p));
    }
    let doc = Document::parse(src.text.as_str()).map_err(|e| {
        let at = e.span().map_or_else(|| src.path.display().to_string(), |s| src.at(&s));
        anyhow!("{at}: {}", e.message().trim_end())
    })?;
    let root = doc.as_table();
    let matrix = read(src, root)?.ok_or_else(|| anyhow!("{}: no `[matrix]`", src.path.display()))?;
    let index = matrix.cells.iter().enumerate().map(|(i, c)| (c.label(), i)).collect();
    let mut values = Vec::new();
    root.iter().filter(|(k, _)| *k != "matrix").for_each(|(_, item)| collect(item, &mut values));
    let strings = values
        .into_iter()
        .filter_map(|v| match (v, v.span()) {
            (Value::String(s), Some(span)) => Some((span, s.value().len(), placeholder::parse(s.value()))),
            _ => None,
        })
        .collect();
    let chain_len = root.get(CHAIN).and_then(Item::as_array).map(toml_edit::Array::len);
    let mut matrix_text = Vec::new();
    if let Some((key, item)) = root.get_key_value("matrix") {
        text_of(key.span(), item, &mut matrix_text);
    }
    // An implicit table's span is its name in a header, inside the header's.
    matrix_text.sort_by_key(|r| r.start);
    matrix_text.dedup_by(|next, kept| {
        let overlaps = next.start <= kept.end;
        kept.end = kept.end.max(if overlaps { next.end } else { kept.end });
        overlaps
    });
    // A layout this does not foresee keeps its matrix text, which only costs time.
    if !cut_reads(&src.text, &matrix_text) {
        matrix_text.clear();
    }
    let template = root.get("expect").and_then(Item::as_table_like);
    let expect =
        read::OVERRIDABLE.iter().filter_map(|k| Some((k.to_string(), template?.get(k)?.as_value()?.span()?))).collect();
    let text = src.text.as_str().into();
    let prepared = Arc::new(Prepared { text, matrix, index, chain_len, strings, expect, matrix_text });
    memo.lock().unwrap().insert(src.path.clone(), Arc::clone(&prepared));
    Ok(prepared)
}

/// The text of the cell `label` of the matrix file in `src`, as a source
/// whose positions point back into the file.
pub fn expand(src: &Source, label: &str) -> Result<Source> {
    let prepared = prepared(src)?;
    let matrix = &prepared.matrix;
    let index = *prepared.index.get(label).ok_or_else(|| {
        anyhow!("{}: the matrix has no cell `{label}` (it has {} cells)", src.path.display(), matrix.cells.len())
    })?;
    let cell = &matrix.cells[index];
    let in_cell = |at: usize| format!("{} ({label})", src.at(&(at..at)));
    let mut used = vec![false; matrix.params.len()];
    let mut edits = Vec::new();
    // The cell's own expectations replace the template's values, as written.
    let mut replaced = Vec::new();
    for (key, value) in &cell.overrides {
        let Some((_, template)) = prepared.expect.iter().find(|(k, _)| k == key) else {
            bail!(
                "{}: this cell's `expect.{key}` replaces the template's, and `[expect]` has no `{key}`",
                in_cell(value.start)
            );
        };
        replaced.push(template.clone());
        edits.push((template.clone(), vec![(src.text[value.clone()].to_string(), value.start, true)]));
    }
    for (span, decoded_len, pieces) in &prepared.strings {
        if replaced.iter().any(|r| r.start <= span.start && span.end <= r.end) {
            continue;
        }
        let raw = &src.text[span.clone()];
        let place = |inner: usize| span.start + raw_offset(raw, inner);
        let pieces = pieces.as_ref().map_err(|(inner, why)| anyhow!("{}: {why}", in_cell(place(*inner))))?;
        if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
            continue;
        }
        if let [Piece::Param(name, r)] = &pieces[..]
            && r.len() == *decoded_len
            && let Ok(i) = param_index(matrix, name)
            && matrix.integers[i]
        {
            used[i] = true;
            edits.push((span.clone(), vec![(cell.values[i].1.clone(), place(r.start), false)]));
            continue;
        }
        let quote = Quote::of(raw);
        let mut parts = vec![(raw[..raw_offset(raw, 0)].to_string(), span.start, true)];
        for piece in pieces {
            let (start, text) = match piece {
                Piece::Text(r) => {
                    let (a, b) = (raw_offset(raw, r.start), raw_offset(raw, r.end));
                    parts.push((raw[a..b].to_string(), span.start + a, true));
                    continue;
                }
                Piece::Dollar(r) => (r.start, "$".to_string()),
                Piece::Param(name, r) => {
                    let i = param_index(matrix, name).map_err(|why| anyhow!("{}: {why}", in_cell(place(r.start))))?;
                    used[i] = true;
                    (r.start, cell.values[i].1.clone())
                }
                Piece::Repeat(text, count, r) => {
                    let at = in_cell(place(r.start));
                    let n = match count {
                        Count::Number(n) => *n,
                        Count::Chain => prepared.chain_len.ok_or_else(|| {
                            anyhow!("{at}: `* chain` counts the entries of `chain`, and there is no `chain` list")
                        })?,
                        Count::Param(name) => {
                            let i = param_index(matrix, name).map_err(|why| anyhow!("{at}: {why}"))?;
                            used[i] = true;
                            let value = &cell.values[i].1;
                            value.parse().map_err(|_| anyhow!("{at}: `{name}` is `{value}` here, not a count"))?
                        }
                    };
                    if n.saturating_mul(text.len()) > placeholder::MAX_REPEAT_BYTES {
                        bail!("{at}: the repeated text would pass {} bytes", placeholder::MAX_REPEAT_BYTES);
                    }
                    (r.start, text.repeat(n))
                }
            };
            let encoded = quote.encode(&text).map_err(|why| anyhow!("{}: {why}", in_cell(place(start))))?;
            parts.push((encoded, place(start), false));
        }
        let close = raw_offset(raw, *decoded_len);
        parts.push((raw[close..].to_string(), span.start + close, true));
        edits.push((span.clone(), parts));
    }
    if let Some(i) = used.iter().position(|u| !u) {
        let (name, span) = &matrix.params[i];
        bail!("{}: parameter `{name}` is used by no `${{{name}}}` placeholder", src.at(span));
    }
    edits.extend(prepared.matrix_text.iter().map(|r| (r.clone(), Vec::new())));
    let listed = matrix.listed.then_some(index);
    Ok(splice(src, &prepared.text, label, listed, edits))
}

fn param_index(matrix: &Matrix, name: &str) -> Result<usize, String> {
    matrix.params.iter().position(|(n, _)| n == name).ok_or_else(|| {
        let names: Vec<&str> = matrix.params.iter().map(|(n, _)| n.as_str()).collect();
        format!("unknown parameter `{name}` (parameters: {}; write `$$` for a `$`)", names.join(", "))
    })
}

type Edit = (Range<usize>, Vec<(String, usize, bool)>);

/// The file's text with each edited string replaced, and the map back.
fn splice(src: &Source, original: &Arc<str>, label: &str, listed: Option<usize>, mut edits: Vec<Edit>) -> Source {
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
    let expansion = Expansion { original: Arc::clone(original), label: label.to_string(), listed, segments };
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
