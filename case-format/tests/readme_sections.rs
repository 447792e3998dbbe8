//! The README's generated sections must be what the code gives today: the
//! scripted guest's steps (`case_format::script::STEPS`) and the trap kinds
//! with their rules (`case_format::trap`). Regenerate with
//! `README_BLESS=1 cargo test -p case-format --test readme_sections`.

use std::path::Path;

use case_format::{readme, script, trap};

#[test]
fn readme_lists_every_scripted_step() {
    check_section(script::STEPS_BEGIN, script::STEPS_END, &script::steps_table(), "table of scripted steps");
}

#[test]
fn readme_lists_every_trap_kind() {
    check_section(trap::TRAPS_BEGIN, trap::TRAPS_END, &trap::kinds_table(), "table of trap kinds");
}

/// The README's section between `begin` and `end` must be `section`; with
/// `README_BLESS=1` (never on CI) it is rewritten instead.
fn check_section(begin: &str, end: &str, section: &str, what: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let wanted = readme::splice(&text, begin, end, section).unwrap_or_else(|e| panic!("{e:#}"));
    if wanted == text {
        return;
    }
    let bless = std::env::var_os("README_BLESS").is_some_and(|v| v == "1");
    assert!(
        bless && std::env::var_os("CI").is_none(),
        "README.md's {what} is stale; regenerate it with\n    \
         README_BLESS=1 cargo test -p case-format --test readme_sections\nand commit README.md"
    );
    std::fs::write(&path, wanted).unwrap();
}
