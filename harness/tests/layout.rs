//! The layout the README promises: the harness's top-level modules form a
//! pipeline whose dependencies point one way, and no source file grows past
//! what a reader takes in at once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// The stages, each allowed to use only those after it.
const ORDER: &[&str] = &["cli", "suite", "results", "check", "exec", "host", "build"];

/// Longest source file allowed, in lines.
const MAX_LINES: usize = 400;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect()
}

/// The top-level modules a file names through `crate::`, including inside
/// `use crate::{a, b::c}` groups.
fn crate_references(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(item.trim()));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            out.insert(ident(item.trim()));
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

#[test]
fn dependencies_point_down_the_pipeline() {
    let src = root().join("harness/src");
    let mut problems = Vec::new();
    let mut checked = 0;
    for (rank, module) in ORDER.iter().enumerate() {
        let dir = src.join(module);
        assert!(dir.join("mod.rs").is_file(), "{} has no mod.rs", dir.display());
        for file in rust_files(&dir) {
            checked += 1;
            let text = std::fs::read_to_string(&file).unwrap();
            for used in crate_references(&text) {
                match ORDER.iter().position(|m| *m == used) {
                    Some(r) if r > rank => {}
                    Some(r) if r == rank => problems.push(format!(
                        "{}: names its own stage as `crate::{used}`; use `super::` paths inside a stage",
                        file.display()
                    )),
                    Some(_) => problems.push(format!(
                        "{}: `{module}` uses `crate::{used}`, which comes before it in the pipeline {ORDER:?}",
                        file.display()
                    )),
                    None => problems.push(format!("{}: `crate::{used}` is not a stage of {ORDER:?}", file.display())),
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} files checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_top_level_module_is_a_stage() {
    let src = root().join("harness/src");
    let mut found: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut stages: Vec<String> = ORDER.iter().map(ToString::to_string).collect();
    stages.sort();
    assert_eq!(found, stages, "folders under harness/src must be exactly the stages");
}

#[test]
fn no_source_file_is_too_long() {
    let mut long = Vec::new();
    for dir in ["harness/src", "harness/tests", "case-format/src", "case-format/tests"] {
        for file in rust_files(&root().join(dir)) {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            if lines > MAX_LINES {
                long.push(format!("{}: {lines} lines", file.display()));
            }
        }
    }
    assert!(long.is_empty(), "files over {MAX_LINES} lines; split them:\n{}", long.join("\n"));
}

#[test]
fn references_in_use_groups_are_found() {
    let refs = crate_references("use crate::{a::b, c, d::{e, f}};\nlet x = crate::g::h();");
    assert_eq!(refs, ["a", "c", "d", "g"].map(String::from).into());
}
