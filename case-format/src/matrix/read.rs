//! Reading a file's `[matrix]`: its parameters, in the file's order, and
//! its cells, each checked so that it makes a readable, unique test name.

use std::ops::Range;

use anyhow::{Result, anyhow, bail};
use toml_edit::{Document, Item, TableLike, Value};

use super::{CHAIN, Cell, MAX_CELLS, Matrix};
use crate::load::Source;

pub(super) fn read(src: &Source, root: &dyn TableLike) -> Result<Option<Matrix>> {
    let Some(item) = root.get("matrix") else { return Ok(None) };
    let at = |span: Option<Range<usize>>| span.map_or_else(|| src.path.display().to_string(), |s| src.at(&s));
    let key_at = |t: &dyn TableLike, k: &str| at(t.key(k).and_then(toml_edit::Key::span));
    let table = item.as_table_like().ok_or_else(|| anyhow!("{}: `matrix` must be a table", key_at(root, "matrix")))?;
    let (params, cells, integers) = match (table.get("cross"), table.get("cells")) {
        (Some(cross), None) => {
            let cross = cross.as_table_like().ok_or_else(|| {
                anyhow!("{}: `matrix.cross` is a table of parameter = [values]", key_at(table, "cross"))
            })?;
            let mut params = Vec::new();
            let mut lists = Vec::new();
            let mut integers = Vec::new();
            for (name, values) in cross.iter() {
                let span = cross.key(name).and_then(toml_edit::Key::span).unwrap_or_default();
                check_param(name).map_err(|why| anyhow!("{}: {why}", at(Some(span.clone()))))?;
                let list = values
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| anyhow!("{}: `{name}` needs a non-empty list of values", at(Some(span.clone()))))?;
                let mut seen = Vec::new();
                for v in list {
                    let text = value_text(v).map_err(|why| anyhow!("{}: {why}", at(v.span())))?;
                    if seen.contains(&text) {
                        bail!("{}: `{text}` is listed twice for `{name}`", at(v.span()));
                    }
                    seen.push(text);
                }
                params.push((name.to_string(), span));
                lists.push(seen);
                integers.push(list.iter().all(Value::is_integer));
            }
            let total = lists.iter().try_fold(1usize, |n, l| n.checked_mul(l.len())).unwrap_or(usize::MAX);
            if params.is_empty() || total > MAX_CELLS {
                bail!("{}: `matrix.cross` must make 1 to {MAX_CELLS} cells, not {total}", key_at(table, "cross"));
            }
            let names: Vec<String> = params.iter().map(|(n, _)| n.clone()).collect();
            (params, product(&names, &lists), integers)
        }
        (None, Some(cells)) => read_cells(src, table, cells)?,
        _ => bail!("{}: `[matrix]` needs one of `cross` and `cells`", key_at(root, "matrix")),
    };
    if let Some((key, _)) = table.iter().find(|(k, _)| !["cross", "cells"].contains(k)) {
        bail!("{}: unknown key `{key}` in `[matrix]`; it has `cross` or `cells`", key_at(table, key));
    }
    let listed = table.contains_key("cells");
    Ok(Some(Matrix { params, cells, listed, integers }))
}

type Params = Vec<(String, Range<usize>)>;

/// `cells = [{ a = "x", b = "y" }, ...]` (or `[[matrix.cells]]`): every cell
/// names the same parameters, and no two cells are the same. A cell's
/// `expect` table, which is no parameter, replaces template values for it.
fn read_cells(src: &Source, matrix: &dyn TableLike, item: &Item) -> Result<(Params, Vec<Cell>, Vec<bool>)> {
    let at = |span: Option<Range<usize>>| span.map_or_else(|| src.path.display().to_string(), |s| src.at(&s));
    let whole = at(matrix.key("cells").and_then(toml_edit::Key::span));
    let tables: Vec<&dyn TableLike> = match (item.as_array(), item.as_array_of_tables()) {
        (Some(a), _) => a.iter().map(|v| v.as_inline_table().map(|t| t as &dyn TableLike)).collect::<Option<_>>(),
        (_, Some(a)) => Some(a.iter().map(|t| t as &dyn TableLike).collect()),
        _ => None,
    }
    .ok_or_else(|| anyhow!("{whole}: `matrix.cells` is a list of tables of parameter = value"))?;
    if tables.is_empty() || tables.len() > MAX_CELLS {
        bail!("{whole}: `matrix.cells` must list 1 to {MAX_CELLS} cells");
    }
    let first = tables[0];
    let params: Params = first
        .iter()
        .filter(|(k, _)| *k != EXPECT)
        .map(|(k, _)| (k.to_string(), first.key(k).and_then(toml_edit::Key::span).unwrap_or_default()))
        .collect();
    for (name, span) in &params {
        check_param(name).map_err(|why| anyhow!("{}: {why}", at(Some(span.clone()))))?;
    }
    let mut cells: Vec<Cell> = Vec::new();
    for &table in &tables {
        let mut values = Vec::new();
        for (name, _) in &params {
            let value = table.get(name).and_then(Item::as_value).ok_or_else(|| {
                let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
                anyhow!("{whole}: a cell lacks `{name}`; every cell gives {}", names.join(", "))
            })?;
            values.push((name.clone(), value_text(value).map_err(|why| anyhow!("{}: {why}", at(value.span())))?));
        }
        let extra = table.iter().find(|(k, _)| *k != EXPECT && !params.iter().any(|(n, _)| n == k));
        if let Some((extra, _)) = extra {
            bail!(
                "{}: `{extra}` is not a parameter of the first cell",
                at(table.key(extra).and_then(toml_edit::Key::span))
            );
        }
        let cell = Cell { values, overrides: overrides(table, &at)? };
        if cells.iter().any(|c| c.values == cell.values) {
            bail!("{whole}: the cell `{}` is listed twice", cell.label());
        }
        cells.push(cell);
    }
    let integer =
        |name: &str| tables.iter().all(|t| t.get(name).and_then(Item::as_value).is_some_and(Value::is_integer));
    let integers = params.iter().map(|(name, _)| integer(name)).collect();
    Ok((params, cells, integers))
}

/// The key of a cell's own expectations.
const EXPECT: &str = "expect";

/// What a cell's expectations may replace in the template's `[expect]`.
pub(super) const OVERRIDABLE: [&str; 3] = ["result", "trap", "transcript"];

/// A cell's `expect = { result = ..., ... }`: each key and its value's place.
fn overrides(cell: &dyn TableLike, at: &dyn Fn(Option<Range<usize>>) -> String) -> Result<Vec<(String, Range<usize>)>> {
    let Some(item) = cell.get(EXPECT) else { return Ok(Vec::new()) };
    let here = at(cell.key(EXPECT).and_then(toml_edit::Key::span));
    let table = item.as_table_like().ok_or_else(|| anyhow!("{here}: a cell's `expect` is a table"))?;
    let mut out = Vec::new();
    for (key, value) in table.iter() {
        let key_at = at(table.key(key).and_then(toml_edit::Key::span));
        if !OVERRIDABLE.contains(&key) {
            bail!("{key_at}: a cell's `expect` may give {}, not `{key}`", OVERRIDABLE.join(", "));
        }
        let span = value.as_value().and_then(Value::span).ok_or_else(|| anyhow!("{key_at}: `{key}` needs a value"))?;
        out.push((key.to_string(), span));
    }
    Ok(out)
}

/// A parameter name: lower-case words, so that test names stay readable.
fn check_param(name: &str) -> Result<(), String> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        return Err(format!("parameter `{name}`: a name is lower-case letters, digits and `-`"));
    }
    if name == CHAIN {
        return Err(format!("`{CHAIN}` is not a parameter name: `${{\"text\" * {CHAIN}}}` counts the chain's entries"));
    }
    Ok(())
}

/// A value as it appears in the test name and the placeholders: a string
/// or an integer, of characters that need no quoting in a test filter.
fn value_text(value: &Value) -> Result<String, String> {
    let text = match value {
        Value::String(s) => s.value().clone(),
        Value::Integer(i) => i.value().to_string(),
        _ => return Err("a parameter value is a string or an integer".into()),
    };
    let ok = !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c));
    if !ok {
        return Err(format!(
            "the value `{text}` is part of the test name: use letters, digits, `.`, `_`, `+` and `-` (write other \
             text in the template and pick it with a parameter)"
        ));
    }
    Ok(text)
}

fn product(names: &[String], lists: &[Vec<String>]) -> Vec<Cell> {
    let mut cells = vec![Cell { values: Vec::new(), overrides: Vec::new() }];
    for (name, list) in names.iter().zip(lists) {
        cells = cells
            .into_iter()
            .flat_map(|c| {
                list.iter().map(move |v| {
                    let mut values = c.values.clone();
                    values.push((name.clone(), v.clone()));
                    Cell { values, overrides: Vec::new() }
                })
            })
            .collect();
    }
    cells
}

/// The ranges of text that hold `item` (the value of `key`): an inline
/// value with its key, or each table's header and key-values.
pub(super) fn text_of(key: Option<Range<usize>>, item: &Item, out: &mut Vec<Range<usize>>) {
    let join = |a: Option<Range<usize>>, b: Option<Range<usize>>| match (a, b) {
        (Some(a), Some(b)) => Some(a.start.min(b.start)..a.end.max(b.end)),
        (a, b) => a.or(b),
    };
    match item {
        Item::Value(v) => out.extend(join(key, v.span())),
        Item::Table(t) => {
            let mut own = t.span();
            for (k, sub) in t {
                match sub {
                    Item::Value(v) => own = join(own, join(t.key(k).and_then(toml_edit::Key::span), v.span())),
                    _ => text_of(None, sub, out),
                }
            }
            out.extend(own);
        }
        Item::ArrayOfTables(a) => a.iter().for_each(|t| text_of(None, &Item::Table(t.clone()), out)),
        Item::None => {}
    }
}

/// Whether `text` without `cut` (in order, apart) still reads as TOML, with
/// no `matrix` left.
pub(super) fn cut_reads(text: &str, cut: &[Range<usize>]) -> bool {
    let mut left = String::with_capacity(text.len());
    let mut cursor = 0;
    for r in cut.iter().cloned() {
        if r.start < cursor || r.end > text.len() {
            return false;
        }
        left.push_str(&text[cursor..r.start]);
        cursor = r.end;
    }
    left.push_str(&text[cursor..]);
    Document::parse(left.as_str()).is_ok_and(|d| !d.as_table().contains_key("matrix"))
}
