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

#[test]
fn a_cells_text_leaves_the_matrix_out_in_every_layout() {
    let layouts = [
        PAIRS.to_string(),
        PAIRS.replace("[matrix.cross]\n", "[matrix]\ncross.").replace("\nnext = ", "\ncross.next = "),
        PAIRS.replace(
            "[matrix.cross]\nroot = [\"async\", \"sync\"]\nnext = [\"sync\", \"wait\"]",
            "[matrix]\ncells = [{ root = \"sync\", next = \"wait\" }]",
        ),
        PAIRS.replace(
            "[matrix.cross]\nroot = [\"async\", \"sync\"]\nnext = [\"sync\", \"wait\"]",
            "[[matrix.cells]]\nroot = \"sync\"\nnext = \"wait\"\n# a comment\n",
        ),
        PAIRS.replace(
            "[matrix.cross]\nroot = [\"async\", \"sync\"]\nnext = [\"sync\", \"wait\"]",
            "[limits]\n[matrix]\ncross = { root = [\"sync\"], next = [\"wait\"] }",
        ),
    ];
    for text in layouts {
        let (_dir, path) = file(&text);
        let loaded = Case::load(&path, Some("root=sync,next=wait"), &guests());
        let loaded = loaded.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
        assert_eq!(loaded.case.chain_names(), ["guest-sync", "guest-wait"], "{text}");
        assert!(
            !loaded.source.text.contains("cross") && !loaded.source.text.contains("cells"),
            "{}",
            loaded.source.text
        );
    }
}

#[test]
fn no_prefix_of_a_matrix_file_panics() {
    // What the fuzz target does, on every cut of a real matrix: a
    // placeholder or a cell cut short must be an error, never a panic.
    for text in [
        PAIRS.to_string(),
        PAIRS.replace("[matrix.cross]\n", "[matrix]\ncross.").replace("\nnext = ", "\ncross.next = "),
    ] {
        for end in 0..=text.len() {
            crate::fuzzing::load_case(&text.as_bytes()[..end]);
        }
    }
}

#[test]
fn a_listed_cell_may_give_its_own_expectations() {
    let cells = "[matrix]\ncells = [\n  { root = \"sync\", next = \"wait\", expect = { result = '\"own\"' } },\n  \
                 { root = \"async\", next = \"sync\" },\n]";
    let text = PAIRS.replace("[matrix.cross]\nroot = [\"async\", \"sync\"]\nnext = [\"sync\", \"wait\"]", cells);
    let (dir, path) = file(&text);
    let names: Vec<_> = discover(&[dir.path().to_owned()]).unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(names, ["x/root=async,next=sync", "x/root=sync,next=wait"]);
    let own = Case::load(&path, Some("root=sync,next=wait"), &guests()).unwrap();
    assert_eq!(own.case.expect.result.as_ref().unwrap().get_ref(), "\"own\"");
    assert_eq!(
        own.source.at(&own.case.expect.result.unwrap().span()),
        format!("{}:6:55 (root=sync,next=wait)", path.display())
    );
    assert_eq!(own.source.cell.as_ref().unwrap().listed, Some(0));
    let template = Case::load(&path, Some("root=async,next=sync"), &guests()).unwrap();
    assert_eq!(template.case.expect.result.unwrap().get_ref(), "\"hi + +\"");
    let no_trap = text.replace("expect = { result", "expect = { trap");
    let e = error(&no_trap, "root=sync,next=wait");
    assert!(e.starts_with(":6:53 (root=sync,next=wait): this cell's `expect.trap` replaces the template's"), "{e}");
    let unknown = text.replace("expect = { result", "expect = { limit");
    assert!(
        error(&unknown, "root=sync,next=wait")
            .contains("a cell's `expect` may give result, trap, transcript, not `limit`")
    );
}

#[test]
fn an_integer_parameter_alone_in_a_string_is_that_integer() {
    let text = PAIRS.replace("next = [\"sync\", \"wait\"]", "next = [\"sync\", \"wait\"]\ndelay = [0, 250]")
        + "\n[host.baz]\ndelay-ms = \"${delay}\"\n";
    let text = text.replace("${root} over ${next}", "${root} over ${next} after ${delay} ms");
    let loaded = Case::load(&file(&text).1, Some("root=sync,next=wait,delay=250"), &guests()).unwrap();
    assert_eq!((loaded.case.host.baz.delay_ms, loaded.case.description.as_str()), (250, "sync over wait after 250 ms"));
    // Written as strings, the same values stay text, so an integer key refuses them.
    let quoted = text.replace("delay = [0, 250]", "delay = [\"0\", \"250\"]");
    let e = error(&quoted, "root=sync,next=wait,delay=250");
    assert!(e.starts_with(":17:12 (root=sync,next=wait,delay=250): invalid type: string \"250\""), "{e}");
}

#[test]
fn escapes_before_a_placeholder_keep_their_text_and_places() {
    let text = PAIRS.replace(r#"description = "${root} over ${next}""#, r#"description = "\u00e9\t${root}\\${next}""#);
    let loaded = Case::load(&file(&text).1, Some("root=sync,next=wait"), &guests()).unwrap();
    assert_eq!(loaded.case.description, "é\tsync\\wait");
    // A WAVE error after an escape and a placeholder is placed in the file.
    let wave = PAIRS.replace(r#"result = '"hi${" +" * chain}"'"#, r#"result = "\"\u00e9${next}\" x""#);
    let e = error(&wave, "root=sync,next=wait");
    assert!(e.starts_with(":13:29 (root=sync,next=wait): invalid WAVE"), "{e}");
}
