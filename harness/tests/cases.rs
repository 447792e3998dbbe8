//! `cargo test`: one libtest-mimic test per case file under `cases/`.

fn main() -> std::process::ExitCode {
    let cases = harness::suite::project_root().join("cases");
    harness::cli::run_suite(&[cases], libtest_mimic::Arguments::from_args())
}
