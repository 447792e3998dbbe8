//! Every input a fuzz target once crashed on, kept in
//! `fuzz/regressions/<target>/`, runs through that target's body again, on
//! stable, in `cargo test`.

use case_format::fuzzing;

#[test]
fn crash_inputs_no_longer_crash() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
    let mut replayed = 0;
    for target in std::fs::read_dir(&root).unwrap() {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        let body: fn(&[u8]) = match name.as_str() {
            "load_case" => fuzzing::load_case,
            "locate" => fuzzing::locate,
            other => panic!("fuzz/regressions/{other}: no fuzz target of that name"),
        };
        for input in std::fs::read_dir(&target).unwrap() {
            let input = input.unwrap().path();
            eprintln!("replaying {}", input.display());
            body(&std::fs::read(&input).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no inputs under {}", root.display());
}
