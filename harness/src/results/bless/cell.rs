//! Bless for one cell of a matrix file. What a cell expects is the
//! template's `[expect]`, shared by every cell, unless the cell has its own
//! `expect` in `matrix.cells`: bless writes the new values there, so no
//! other cell changes. A cell of `matrix.cross` has no place of its own, so
//! it is refused, and so is a change a cell cannot state (dropping a key).

use anyhow::{Context, Result, anyhow};
use case_format::Loaded;
use toml_edit::{DocumentMut, InlineTable, Item, TableLike, Value};

use super::{Change, Rewrite};

/// `rewrite`, aimed at the cell's own `expect`, or why it cannot be.
pub(super) fn rewrite(loaded: &Loaded, mut rewrite: Rewrite, label: &str) -> Result<Rewrite, String> {
    let file = loaded.source.path.display();
    let Some(index) = loaded.source.cell.as_ref().and_then(|c| c.listed) else {
        return Err(format!(
            "this is the cell `{label}` of a `matrix.cross`; what differs ({}) is written once in {file} for every \
             cell, so bless will not rewrite it for one: edit the template by hand, or list the cells in \
             `matrix.cells`, where a cell can have an `expect` of its own",
            rewrite.keys()
        ));
    };
    let expect = &loaded.case.expect;
    for change in &rewrite.changes {
        let (key, in_template) = match change {
            Change::Result(Some(_)) => ("result", expect.result.is_some()),
            Change::Trap(Some(_)) => ("trap", expect.trap.is_some()),
            Change::Transcript(_) => ("transcript", loaded.transcript.is_some() && expect.transcript_file.is_none()),
            Change::Result(None) | Change::Trap(None) | Change::TranscriptFile(..) => ("", false),
        };
        if key.is_empty() {
            return Err(format!(
                "this is the cell `{label}` of a matrix, and bless would have to drop or move {}, which a cell's \
                 `expect` cannot do (it only replaces the template's values): edit {file} by hand",
                change.key()
            ));
        }
        if !in_template {
            return Err(format!(
                "this is the cell `{label}` of a matrix; a cell's `expect.{key}` replaces the template's, and \
                 `[expect]` in {file} has no `{key}`: edit it by hand"
            ));
        }
    }
    rewrite.cell = Some(index);
    Ok(rewrite)
}

/// The `expect` table of `matrix.cells[index]`, made when the cell has none.
pub(super) fn expect_of(doc: &mut DocumentMut, index: usize) -> Result<&mut dyn TableLike> {
    let cells = doc.get_mut("matrix").and_then(|m| m.get_mut("cells")).context("the file has no `matrix.cells`")?;
    let cell: &mut dyn TableLike = match cells {
        Item::Value(Value::Array(list)) => {
            let cell = list
                .get_mut(index)
                .and_then(Value::as_inline_table_mut)
                .ok_or_else(|| anyhow!("`matrix.cells` has no cell #{}", index + 1))?;
            if !cell.contains_key("expect") {
                // The space before the closing brace would come before the comma.
                if let Some((_, last)) = cell.iter_mut().last() {
                    last.decor_mut().set_suffix("");
                }
                cell.insert("expect", Value::InlineTable(InlineTable::new()));
            }
            cell
        }
        Item::ArrayOfTables(tables) => {
            let cell = tables.get_mut(index).ok_or_else(|| anyhow!("`matrix.cells` has no cell #{}", index + 1))?;
            if !cell.contains_key("expect") {
                cell.insert("expect", Item::Value(Value::InlineTable(InlineTable::new())));
            }
            cell
        }
        _ => return Err(anyhow!("`matrix.cells` is not a list of tables")),
    };
    cell.get_mut("expect").and_then(Item::as_table_like_mut).context("the cell's `expect` is not a table")
}
