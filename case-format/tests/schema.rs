//! The committed JSON Schema (`schema/case.schema.json`) must be what the
//! case types generate, and every case file must point at it.

use std::path::{Path, PathBuf};

use case_format::schema;
use walkdir::WalkDir;

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

#[test]
fn committed_schema_is_up_to_date() {
    let path = project_root().join(schema::PATH);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == schema::case_schema(),
        "{} is stale: run `cargo run -- schema > {}` and commit it",
        schema::PATH,
        schema::PATH
    );
}

/// Every case file (and every self-test fixture) starts with a `#:schema`
/// line whose path, taken from the file's folder, is the committed schema.
#[test]
fn every_case_file_has_the_schema_header() {
    let root = project_root();
    let schema_file = root.join(schema::PATH).canonicalize().unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    for dir in ["cases", "harness/tests/fixtures"] {
        for entry in WalkDir::new(root.join(dir)).sort_by_file_name() {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            checked += 1;
            let rel = path.strip_prefix(&root).unwrap();
            let depth = rel.components().count() - 1;
            let want = format!("#:schema {}{}", "../".repeat(depth), schema::PATH);
            let text = std::fs::read_to_string(path).unwrap();
            let first = text.lines().next().unwrap_or_default();
            let points_at = first
                .strip_prefix("#:schema ")
                .and_then(|p| Path::new(path.parent().unwrap()).join(p).canonicalize().ok());
            if points_at.as_ref() != Some(&schema_file) {
                problems.push(format!("{}: first line must be `{want}`, is `{first}`", rel.display()));
            }
        }
    }
    assert!(checked > 0, "no case files found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
