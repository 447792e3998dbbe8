use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::{Case, discover};

const PAIRS: &str = r#"description = "${root} over ${next}"
chain = ["guest-${root}", "guest-${next}"]

[matrix.cross]
root = ["async", "sync"]
next = ["sync", "wait"]

[call]
function = "local:local/baz#foo"
args = ['"hi"']

[expect]
result = '"hi${" +" * chain}"'
"#;

fn guests() -> BTreeSet<String> {
    ["guest-async", "guest-sync", "guest-wait"].iter().map(ToString::to_string).collect()
}

/// A folder holding `x.toml` with `text`, and that file's path.
fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// The error loading cell `label`, after the file's path.
fn error(text: &str, label: &str) -> String {
    let (_dir, path) = file(text);
    let e = Case::load(&path, Some(label), &guests()).unwrap_err().to_string();
    e.strip_prefix(&path.display().to_string()).map(str::to_string).unwrap_or(e)
}

#[test]
fn a_cross_product_is_one_test_per_cell_named_in_parameter_order() {
    let (dir, path) = file(PAIRS);
    let names: Vec<_> = discover(&[dir.path().to_owned()]).unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        ["x/root=async,next=sync", "x/root=async,next=wait", "x/root=sync,next=sync", "x/root=sync,next=wait"]
    );
    let loaded = Case::load(&path, Some("root=sync,next=wait"), &guests()).unwrap();
    assert_eq!(loaded.case.chain_names(), ["guest-sync", "guest-wait"]);
    assert_eq!(loaded.case.description, "sync over wait");
    assert_eq!(loaded.case.expect.result.unwrap().get_ref(), r#""hi + +""#);
    // A single file given as the root is expanded too, named after itself.
    let one: Vec<_> = discover(&[path]).unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(one[0], "x/root=async,next=sync");
}

#[test]
fn errors_point_into_the_matrix_file_and_name_the_cell() {
    // The WAVE comes from the template: its own place in the file.
    let bad_wave = PAIRS.replace(r#"args = ['"hi"']"#, r#"args = ['"hi']"#);
    let e = error(&bad_wave, "root=async,next=wait");
    assert!(e.starts_with(":10:10 (root=async,next=wait): invalid WAVE"), "{e}");
    // A guest name made by a placeholder: the chain entry's place.
    let text = PAIRS.replace(r#"next = ["sync", "wait"]"#, r#"next = ["sync", "nope"]"#);
    let e = error(&text, "root=async,next=nope");
    assert!(e.starts_with(":2:27 (root=async,next=nope): unknown guest `guest-nope`"), "{e}");
}

#[test]
fn unknown_and_unused_parameters_are_errors() {
    let e = error(&PAIRS.replace("${root} over", "${roots} over"), "root=async,next=sync");
    assert!(e.starts_with(":1:16 (root=async,next=sync): unknown parameter `roots`"), "{e}");
    let unused = PAIRS.replace("\"guest-${root}\"", "\"guest-async\"").replace("${root} over", "over");
    let e = error(&unused, "root=async,next=sync");
    assert_eq!(e, ":5:1: parameter `root` is used by no `${root}` placeholder");
}

#[test]
fn values_are_written_as_their_string_needs() {
    let text = PAIRS
        .replace(r#"description = "${root} over ${next}""#, "description = 'a ${v} b ${root}${next}'")
        .replace("[matrix.cross]", "[matrix.cross]\nv = [\"x\"]");
    assert_eq!(
        Case::load(&file(&text).1, Some("v=x,root=async,next=sync"), &guests()).unwrap().case.description,
        "a x b asyncsync"
    );
    // A basic string escapes what it must: a repeated `\"` is a quote. The
    // WAVE error is in what the placeholder made, so it points there.
    let basic = PAIRS.replace(r#"'"hi${" +" * chain}"'"#, r#""\"hi${\"\\\"\" * 2}\"""#);
    let e = error(&basic, "root=async,next=sync");
    assert!(e.starts_with(":13:15 (root=async,next=sync): invalid WAVE `\"hi\"\"\"`"), "{e}");
    // A multi-line literal string has no escapes, so it cannot hold `'''`.
    let literal = PAIRS.replace(r#"'"hi${" +" * chain}"'"#, "'''\"hi${\"'\" * 3}\"'''");
    let e = error(&literal, "root=async,next=sync");
    assert!(e.starts_with(":13:16 (root=async,next=sync): the value \"'''\" cannot stand"), "{e}");
}

#[test]
fn cells_list_combinations_one_by_one() {
    let text = PAIRS.replace(
        "[matrix.cross]\nroot = [\"async\", \"sync\"]\nnext = [\"sync\", \"wait\"]",
        "[matrix]\ncells = [{ root = \"sync\", next = \"wait\" }, { next = \"sync\", root = \"async\" }]",
    );
    let (dir, _path) = file(&text);
    let names: Vec<_> = discover(&[dir.path().to_owned()]).unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(names, ["x/root=async,next=sync", "x/root=sync,next=wait"]);
    let missing = text.replace("{ next = \"sync\", root = \"async\" }", "{ next = \"sync\" }");
    assert!(error(&missing, "root=sync,next=wait").contains("a cell lacks `root`"));
    let twice = text.replace("{ next = \"sync\", root = \"async\" }", "{ root = \"sync\", next = \"wait\" }");
    assert!(error(&twice, "root=sync,next=wait").contains("the cell `root=sync,next=wait` is listed twice"));
}

#[test]
fn a_broken_matrix_is_one_test_that_says_what_is_wrong() {
    let text = PAIRS.replace("next = [\"sync\", \"wait\"]", "next = [\"sync\", \"a b\"]");
    let (dir, path) = file(&text);
    let found = discover(&[dir.path().to_owned()]).unwrap();
    assert_eq!((found.len(), found[0].name.as_str(), found[0].cell.is_none()), (1, "x", true));
    let e = Case::load(&path, None, &guests()).unwrap_err().to_string();
    assert!(e.contains(":6:17: the value `a b` is part of the test name"), "{e}");
    let e = Case::load(&file(PAIRS).1, None, &guests()).unwrap_err().to_string();
    assert!(e.contains("a matrix file stands for one test per cell"), "{e}");
}

#[test]
fn dollars_and_text_without_placeholders_stay_as_written() {
    let text = PAIRS.replace("${root} over ${next}", "$$5 or $6: ${root} over ${next}");
    let loaded = Case::load(&file(&text).1, Some("root=async,next=sync"), &guests()).unwrap();
    assert_eq!(loaded.case.description, "$5 or $6: async over sync");
    assert_eq!(loaded.case.call.unwrap().args[0].get_ref(), "\"hi\"");
}
