//! The README's "Writing your first case", run as written. Every fenced
//! block of that section carries a marker in an HTML comment just above it:
//!
//! - `<!-- walkthrough: sh -->`: shell commands, run with `sh`; they must succeed
//!   (`sh fails`: the last one must fail, as a deliberately broken case does);
//! - `<!-- walkthrough: output -->`: what the shell block before it prints
//!   (stdout and stderr together); a shell block without one must print nothing;
//! - `<!-- walkthrough: file PATH -->`: a file the reader saves at PATH.
//!
//! The blocks run in order in a scratch folder, never in the project's
//! `cases/`. A command that does not fit the README's output, an unmarked
//! block, or a walkthrough that no longer fails and blesses a case fails
//! the test, so the walkthrough cannot drift from what the harness does.
// Linux only: the walkthrough's `sed -i` is GNU sed's (the README gives
// macOS readers their spelling).
#![cfg(target_os = "linux")]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const SECTION: &str = "### Writing your first case";

#[derive(Debug)]
enum Step {
    Sh { script: String, fails: bool, output: Option<String>, line: usize },
    File { path: String, text: String },
}

/// The section's steps, from its marked blocks.
fn steps(readme: &str) -> Vec<Step> {
    let start = readme.find(SECTION).unwrap_or_else(|| panic!("README.md has no `{SECTION}` section"));
    let first_line = readme[..start].lines().count() + 1;
    let mut steps = Vec::new();
    let mut marker: Option<String> = None;
    let mut lines = readme[start..].lines().enumerate().skip(1);
    while let Some((i, line)) = lines.next() {
        let at = first_line + i;
        if line.starts_with("## ") || line.starts_with("### ") {
            break;
        }
        if let Some(m) = line.strip_prefix("<!-- walkthrough: ").and_then(|m| m.strip_suffix(" -->")) {
            assert!(marker.is_none(), "README.md:{at}: a second marker before the first one's block");
            marker = Some(m.to_string());
            continue;
        }
        if !line.starts_with("```") {
            continue;
        }
        let kind = marker.take().unwrap_or_else(|| panic!("README.md:{at}: a block without a walkthrough marker"));
        let mut body = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        match kind.as_str() {
            "sh" | "sh fails" => {
                steps.push(Step::Sh { script: body, fails: kind == "sh fails", output: None, line: at });
            }
            "output" => match steps.last_mut() {
                Some(Step::Sh { output: output @ None, .. }) => *output = Some(body),
                _ => panic!("README.md:{at}: an output block must follow a shell block, one each"),
            },
            _ => match kind.strip_prefix("file ") {
                Some(path) => steps.push(Step::File { path: path.to_string(), text: body }),
                None => panic!("README.md:{at}: unknown walkthrough marker `{kind}`"),
            },
        }
    }
    assert!(marker.is_none(), "README.md: a walkthrough marker with no block after it");
    steps
}

/// What may differ between the reader's run and this one: the clone's
/// path (shown as `…`), times, and blank lines around the output.
fn normalise(text: &str, root: &str) -> String {
    let lines: Vec<String> = text
        .replace(root, "…")
        .lines()
        .map(|l| match l.find("finished in ") {
            Some(i) => format!("{}finished in <time>", &l[..i]),
            None => l.trim_end().to_string(),
        })
        .collect();
    lines.join("\n").trim_matches('\n').to_string()
}

/// `cargo` for the walkthrough's commands: `cargo run -q -- ARGS` runs the
/// harness binary this test was built with. A nested cargo inside `cargo
/// test` would contend for the build; any other cargo command is refused,
/// since its real output could not be reproduced here.
const CARGO_SHIM: &str = r#"#!/bin/sh
if [ "$1" = run ] && [ "$2" = -q ] && [ "$3" = -- ]; then
  shift 3
  exec "$WALKTHROUGH_HARNESS" "$@"
fi
echo "walkthrough.rs: only \`cargo run -q -- ...\` can be checked, not: cargo $*" >&2
exit 127
"#;

#[test]
fn the_readme_walkthrough_runs_as_written() {
    let project = harness::suite::project_root();
    let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
    let steps = steps(&readme);
    let scripts = || {
        steps.iter().filter_map(|s| if let Step::Sh { script, fails, .. } = s { Some((script, *fails)) } else { None })
    };
    assert!(scripts().any(|(_, fails)| fails), "the walkthrough shows no failing run");
    assert!(scripts().any(|(s, _)| s.contains("--bless")), "the walkthrough blesses no case");

    let scratch = tempfile::tempdir().unwrap();
    let (bin, work) = (scratch.path().join("bin"), scratch.path().join("clone"));
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let shim = bin.join("cargo");
    std::fs::write(&shim, CARGO_SHIM).unwrap();
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let root = project.to_str().unwrap();

    for step in &steps {
        let (script, fails, expected, line) = match step {
            Step::File { path, text } => {
                let file = work.join(path);
                assert!(
                    !Path::new(path).is_absolute() && !path.split('/').any(|c| c == ".."),
                    "{path} leaves the scratch folder"
                );
                std::fs::write(&file, text)
                    .unwrap_or_else(|e| panic!("cannot write {path} (is its folder made first?): {e}"));
                continue;
            }
            Step::Sh { script, fails, output, line } => (script, *fails, output.as_deref().unwrap_or(""), *line),
        };
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("exec 2>&1\n{script}"))
            .current_dir(&work)
            .env("PATH", &path)
            .env("WALKTHROUGH_HARNESS", env!("CARGO_BIN_EXE_harness"))
            .env_remove("CI")
            .env_remove("HARNESS_BLESS")
            .output()
            .expect("cannot run sh");
        let printed = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            !out.status.success(),
            fails,
            "README.md:{line}: `{}` exited with {}; it printed:\n{printed}",
            script.trim(),
            out.status
        );
        assert_eq!(
            normalise(&printed, root),
            normalise(expected, root),
            "README.md:{line}: `{}` printed something other than the README shows",
            script.trim()
        );
    }
}

#[test]
fn an_unmarked_block_or_a_stray_output_is_refused() {
    let unmarked = format!("{SECTION}\n\n```sh\nls\n```\n");
    assert!(std::panic::catch_unwind(|| steps(&unmarked)).is_err());
    let stray = format!("{SECTION}\n\n<!-- walkthrough: output -->\n```\nx\n```\n");
    assert!(std::panic::catch_unwind(|| steps(&stray)).is_err());
    let good = format!("{SECTION}\n\n<!-- walkthrough: sh -->\n```sh\nls\n```\n## Next\n```sh\nnot ours\n```\n");
    assert_eq!(steps(&good).len(), 1);
}
