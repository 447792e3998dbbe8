//! Unit tests of the coverage file: parsing, validation, rendering.

use super::*;

const HEAD: &str = r#"[survey]
document = "coverage.md"
measured-at = "abc"
scenarios = 2

[[repo]]
name = "wasmtime"
url = "https://example.com"
commit = "0"

[[topic]]
id = "T1"
name = "Streams"
"#;

fn scenario(id: u32, rest: &str) -> String {
    format!(
        "\n[[scenario]]\nid = {id}\ntopic = \"T1\"\ntitle = \"t\"\nrepo = \"wasmtime\"\nanchor = \"a.rs::t\"\n{rest}\n"
    )
}

fn parse(text: &str) -> Result<Coverage> {
    let src = Source::new(PATH.into(), text.to_string());
    Coverage::parse(&src, &|p| p == "cases/a.toml" || p == "cases/b.wast")
}

fn error(text: &str) -> String {
    format!("{:#}", parse(text).expect_err("must not validate"))
}

#[test]
fn a_valid_file_renders_its_counts() {
    let text = format!(
        "{HEAD}{}{}",
        scenario(1, "status = \"covered\"\ncases = [\"cases/a.toml\"]"),
        scenario(2, "status = \"missing\"\nadd = \"script+flag\"")
    );
    let coverage = parse(&text).unwrap();
    let table = coverage.render();
    assert!(table.starts_with("2 anchor scenarios: 1 covered, 0 partial, 1 missing, 0 not applicable."));
    assert!(table.contains("| T1 Streams | 2 | 1 | 0 | 1 | 0 |\n"), "{table}");
}

#[test]
fn a_wast_script_is_a_case_file_and_other_files_are_not() {
    let wast = format!(
        "{HEAD}{}{}",
        scenario(1, "status = \"covered\"\ncases = [\"cases/b.wast\"]"),
        scenario(2, "status = \"missing\"\nadd = \"data\"")
    );
    parse(&wast).unwrap();
    let wat = wast.replace("cases/b.wast", "cases/b.wat");
    assert!(error(&wat).contains("`cases/b.wat` is not a case file"), "{}", error(&wat));
}

#[test]
fn a_case_file_that_does_not_exist_is_named_with_its_place() {
    let text = format!(
        "{HEAD}{}{}",
        scenario(1, "status = \"partial\"\nadd = \"data\"\ncases = [\"cases/gone.toml\"]"),
        scenario(2, "status = \"missing\"\nadd = \"data\"")
    );
    assert_eq!(error(&text), "coverage/anchors.toml:23:10: case file `cases/gone.toml` does not exist");
}

#[test]
fn a_matrix_cell_is_named_after_its_file() {
    let text = format!(
        "{HEAD}{}{}",
        scenario(1, "status = \"partial\"\nadd = \"data\"\ncases = [\"cases/m.toml#a=1\"]"),
        scenario(2, "status = \"missing\"\nadd = \"data\"")
    );
    assert_eq!(error(&text), "coverage/anchors.toml:23:10: matrix cell `cases/m.toml#a=1` does not exist");
    let not_toml = text.replace("cases/m.toml#a=1", "cases/m#a=1");
    assert!(error(&not_toml).contains("or `cases/....toml#CELL` for a matrix cell"));
}

#[test]
fn ids_must_run_from_one_to_the_survey_count() {
    let text = format!("{HEAD}{}", scenario(1, "status = \"missing\"\nadd = \"data\""));
    let e = error(&text);
    assert!(e.contains("coverage/anchors.toml:4:13: the survey numbers 2 scenarios but the file has 1"), "{e}");
    assert!(e.contains("no scenario with id 2"), "{e}");

    let text = format!(
        "{HEAD}{}{}",
        scenario(1, "status = \"missing\"\nadd = \"data\""),
        scenario(1, "status = \"missing\"\nadd = \"data\"")
    );
    let e = error(&text);
    assert!(e.contains("scenario id 1 is already used at coverage/anchors.toml:16:6"), "{e}");
}

#[test]
fn each_status_requires_its_fields() {
    let e = error(&format!(
        "{HEAD}{}{}",
        scenario(1, "status = \"covered\""),
        scenario(2, "status = \"not-applicable\"\ncases = [\"cases/a.toml\"]")
    ));
    assert!(e.contains("a covered scenario needs `cases`"), "{e}");
    assert!(e.contains("`not-applicable` needs a `reason`"), "{e}");
    assert!(e.contains("a not-applicable scenario lists no cases"), "{e}");

    let e = error(&format!(
        "{HEAD}{}{}",
        scenario(1, "status = \"missing\""),
        scenario(2, "status = \"covered\"\ncases = [\"cases/a.toml\"]\nadd = \"data\"\nreason = \"out-of-scope\"")
    ));
    assert!(e.contains("a missing scenario needs `add`"), "{e}");
    assert!(e.contains("`add` is only for partial and missing scenarios, not covered"), "{e}");
    assert!(e.contains("`reason` is only for `not-applicable` scenarios"), "{e}");
}

#[test]
fn unknown_keys_and_values_are_errors_with_a_place() {
    let e = error(&format!("{HEAD}{}", scenario(1, "status = \"missing\"\nadd = \"data\"\ncover = 1")));
    assert!(e.starts_with("coverage/anchors.toml:23:1: unknown field `cover`"), "{e}");
    let e = error(&format!("{HEAD}{}", scenario(1, "status = \"done\"")));
    assert!(e.starts_with("coverage/anchors.toml:21:10: unknown variant `done`"), "{e}");
    let e = error(&format!("{HEAD}{}", scenario(1, "status = \"missing\"\nadd = \"magic\"")));
    assert!(e.contains("unknown `add` kind `magic`"), "{e}");
}

#[test]
fn splice_replaces_only_the_section() {
    let readme = format!("a\n{BEGIN}\nold\n{END}\nb\n");
    assert_eq!(splice_readme(&readme, "new\n").unwrap(), format!("a\n{BEGIN}\nnew\n{END}\nb\n"));
    assert!(splice_readme("no markers", "x").is_err());
}
