//! What a run used: the resolved versions and sources of the crates under
//! test, the toolchain, the project's commit and the host. Reports record it
//! so that comparing two runs shows what moved between them, including a
//! crate swapped for a fork or a local checkout with `[patch]`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::build::lockfile::{HOST_LOCK, Lock};

/// The host this harness runs cases on; also the expectations file's name.
pub const HOST: &str = "wasmtime";

/// Crates whose versions a report records wherever a lock file has them:
/// the ones that move with wasmtime, wit-bindgen and wasm-tools.
const TRACKED: &[&str] = &[
    "wasmtime",
    "wasmtime-wasi",
    "wit-bindgen",
    "wit-bindgen-core",
    "wit-bindgen-rust",
    "wac-graph",
    "wac-types",
    "wasm-wave",
    "wasmparser",
    "wasm-encoder",
    "wasmprinter",
    "wasm-metadata",
    "wit-parser",
    "wit-component",
    "wasm-compose",
    "wast",
    "wat",
];

/// The packages of this workspace: they have no source in Cargo.lock, and
/// one depends on another (harness on case-format) without being a patch.
const WORKSPACE_MEMBERS: &[&str] = &["case-format", "harness"];

/// The sources Cargo.lock uses for crates.io.
const CRATES_IO: &[&str] =
    &["registry+https://github.com/rust-lang/crates.io-index", "sparse+https://index.crates.io/"];

/// One resolved crate in a lock file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Crate {
    pub name: String,
    pub version: String,
    /// `crates.io`, `path` (a local checkout), or Cargo.lock's source string
    /// for anything else (`git+https://...#<commit>`, another registry).
    pub source: String,
    /// Not the crates.io release: replaced with `[patch]`, or depended on by
    /// path or git.
    pub patched: bool,
    /// The lock file it was resolved in: `Cargo.lock` (the harness) or
    /// `guests/Cargo.lock` (the guests, a separate workspace).
    pub lock: String,
}

/// Everything about a run's setup that a report records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// The host the cases ran on.
    pub host: String,
    /// `git rev-parse HEAD` of the project, or `unknown` outside git.
    pub commit: String,
    /// Whether tracked files had uncommitted changes; `null` outside git.
    pub dirty: Option<bool>,
    /// `rustc -V` of the compiler that built the harness.
    pub rustc: String,
    /// Whether any crate in `crates` is patched.
    pub patched: bool,
    pub crates: Vec<Crate>,
}

impl Environment {
    /// The setup of this process, for the project at `root`.
    pub fn current(root: &Path) -> Result<Environment> {
        let mut crates = locked_crates(HOST_LOCK, "Cargo.lock").context("reading the Cargo.lock built in")?;
        // The guests are built at run time, so their lock file is read now.
        let guest_lock_path = root.join("guests").join("Cargo.lock");
        let guest_lock = std::fs::read_to_string(&guest_lock_path)
            .with_context(|| format!("cannot read {}", guest_lock_path.display()))?;
        crates.extend(
            locked_crates(&guest_lock, "guests/Cargo.lock")
                .with_context(|| format!("reading {}", guest_lock_path.display()))?,
        );
        let (commit, dirty) = git_state(root);
        Ok(Environment {
            host: HOST.to_string(),
            commit,
            dirty,
            rustc: env!("RUSTC_VERSION").to_string(),
            patched: crates.iter().any(|c| c.patched),
            crates,
        })
    }
}

/// The tracked crates in a Cargo.lock, plus every crate that does not come
/// from crates.io, so a patched dependency shows even when it is not one of
/// the tracked names (e.g. `cranelift-codegen` from a wasmtime fork).
pub fn locked_crates(lock_text: &str, lock_name: &str) -> Result<Vec<Crate>> {
    let lock = Lock::parse(lock_text)?;
    // A package without a source is either a workspace member or a path
    // dependency; only the latter is something other packages depend on.
    let depended_on: BTreeSet<&str> =
        lock.packages.iter().flat_map(|p| &p.dependencies).filter_map(|d| d.split_whitespace().next()).collect();
    let mut crates: Vec<Crate> = lock
        .packages
        .iter()
        .filter_map(|p| {
            let (source, patched) = match p.source.as_deref() {
                None if !depended_on.contains(p.name.as_str()) => return None,
                None if lock_name == "Cargo.lock" && WORKSPACE_MEMBERS.contains(&p.name.as_str()) => return None,
                None => ("path".to_string(), true),
                Some(s) if CRATES_IO.contains(&s) => ("crates.io".to_string(), false),
                Some(s) => (s.to_string(), true),
            };
            (patched || TRACKED.contains(&p.name.as_str())).then(|| Crate {
                name: p.name.clone(),
                version: p.version.clone(),
                source,
                patched,
                lock: lock_name.to_string(),
            })
        })
        .collect();
    crates.sort();
    Ok(crates)
}

/// The project's commit and whether tracked files differ from it.
fn git_state(root: &Path) -> (String, Option<bool>) {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "HEAD"]) {
        Some(commit) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).map(|s| !s.is_empty());
            (commit, dirty)
        }
        None => ("unknown".to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "harness"
version = "0.1.0"
dependencies = ["case-format", "wasmtime", "wasmparser 0.254.2", "wasmparser 0.263.0", "cranelift-codegen", "anyhow"]

[[package]]
name = "case-format"
version = "0.1.0"

[[package]]
name = "wasmtime"
version = "49.0.0"
dependencies = ["cranelift-codegen"]

[[package]]
name = "cranelift-codegen"
version = "0.136.0"
source = "git+https://github.com/someone/wasmtime?branch=fix#0123abcd"

[[package]]
name = "wasmparser"
version = "0.254.2"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasmparser"
version = "0.263.0"
source = "sparse+https://index.crates.io/"

[[package]]
name = "anyhow"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn records_tracked_and_patched_crates_but_not_members() {
        let crates = locked_crates(LOCK, "Cargo.lock").unwrap();
        let seen: Vec<_> =
            crates.iter().map(|c| (c.name.as_str(), c.version.as_str(), c.source.as_str(), c.patched)).collect();
        assert_eq!(
            seen,
            [
                ("cranelift-codegen", "0.136.0", "git+https://github.com/someone/wasmtime?branch=fix#0123abcd", true),
                ("wasmparser", "0.254.2", "crates.io", false),
                ("wasmparser", "0.263.0", "crates.io", false),
                ("wasmtime", "49.0.0", "path", true),
            ]
        );
        assert!(crates.iter().all(|c| c.lock == "Cargo.lock"));
    }

    #[test]
    fn the_built_in_lock_has_wasmtime_from_its_pinned_release() {
        let crates = locked_crates(HOST_LOCK, "Cargo.lock").unwrap();
        let wasmtime = crates.iter().find(|c| c.name == "wasmtime").expect("wasmtime in Cargo.lock");
        assert_eq!(wasmtime.version, crate::build::lockfile::wasmtime_version());
    }

    #[test]
    fn the_workspace_members_are_the_ones_in_cargo_toml() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let manifest: toml::Table = toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
        let mut names: Vec<String> = manifest["workspace"]["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|dir| {
                let text = std::fs::read_to_string(root.join(dir.as_str().unwrap()).join("Cargo.toml")).unwrap();
                toml::from_str::<toml::Table>(&text).unwrap()["package"]["name"].as_str().unwrap().to_string()
            })
            .collect();
        names.sort();
        assert_eq!(names, WORKSPACE_MEMBERS);
    }

    #[test]
    fn a_broken_lock_is_an_error() {
        assert!(locked_crates("[[package]]\nname = 3", "Cargo.lock").is_err());
    }
}
