//! `coverage/anchors.toml` must list every scenario of the coverage survey,
//! map only to case files that exist, and be what the README's coverage
//! table is generated from.

use std::path::{Path, PathBuf};

use case_format::coverage::{self, BLESS_COMMAND, Coverage};

/// The survey (shared/anchors/coverage.md) numbers this many scenarios. It is
/// pinned here, not only in the file, so dropping the last entries together
/// with `survey.scenarios` still fails.
const SURVEY_SCENARIOS: u32 = 211;

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

fn load() -> Coverage {
    Coverage::load(&project_root()).unwrap_or_else(|e| panic!("{} does not validate:\n{e:#}", coverage::PATH))
}

#[test]
fn coverage_file_validates() {
    load();
}

#[test]
fn every_survey_id_is_listed_once_in_order() {
    let coverage = load();
    assert_eq!(
        *coverage.survey.scenarios.get_ref(),
        SURVEY_SCENARIOS,
        "{}: `survey.scenarios` must be {SURVEY_SCENARIOS}, the survey's count",
        coverage::PATH
    );
    let ids: Vec<u32> = coverage.scenarios.iter().map(|s| *s.id.get_ref()).collect();
    assert_eq!(
        ids,
        (1..=SURVEY_SCENARIOS).collect::<Vec<_>>(),
        "{}: ids must run 1..={SURVEY_SCENARIOS}",
        coverage::PATH
    );
}

#[test]
fn readme_coverage_table_is_current() {
    let section = load().render();
    let path = project_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let wanted = coverage::splice_readme(&readme, &section).unwrap_or_else(|e| panic!("{e:#}"));
    if wanted == readme {
        return;
    }
    // Same rule as the harness's bless: CI checks, it never rewrites.
    let bless = std::env::var_os("COVERAGE_BLESS").is_some_and(|v| v == "1");
    assert!(
        bless && std::env::var_os("CI").is_none(),
        "README.md's coverage table is not what {} gives; regenerate it with\n    {BLESS_COMMAND}\nand commit README.md{}",
        coverage::PATH,
        if bless { " (COVERAGE_BLESS is refused when CI is set)" } else { "" }
    );
    std::fs::write(&path, wanted).unwrap();
    eprintln!("rewrote the coverage table in {}", path.display());
}
