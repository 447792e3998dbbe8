//! The one Cargo.lock reader. The harness's own lock is built into the
//! binary, so it describes the crates actually linked (reading the file at
//! run time could describe another build); the guests' lock is read when
//! they are built.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use anyhow::{Context, Result};
use serde::Deserialize;

/// Cargo.lock as it was when this binary was built.
pub const HOST_LOCK: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"));

static HOST: LazyLock<Lock> = LazyLock::new(|| Lock::parse(HOST_LOCK).expect("the built-in Cargo.lock parses"));

/// The `[[package]]` entries of a Cargo.lock (format version 3 or 4).
#[derive(Debug, Deserialize)]
pub struct Lock {
    #[serde(default, rename = "package")]
    pub packages: Vec<Package>,
}

#[derive(Debug, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// `None` for workspace members and path dependencies.
    pub source: Option<String>,
    /// As written in the lock: `name` alone when only one version of it is
    /// locked, `name version` otherwise.
    #[serde(default)]
    pub dependencies: Vec<String>,
}

impl Lock {
    pub fn parse(text: &str) -> Result<Lock> {
        toml::from_str(text).context("not a Cargo.lock")
    }

    /// The lock this binary was built with.
    pub fn host() -> &'static Lock {
        &HOST
    }

    /// The version of `name` (the first one locked, if there are several).
    pub fn version(&self, name: &str) -> Option<&str> {
        self.packages.iter().find(|p| p.name == name).map(|p| p.version.as_str())
    }

    /// `name version` of `root` and of every package it depends on, directly
    /// or not, sorted.
    pub fn closure(&self, root: &str) -> Vec<String> {
        let find = |spec: &str| {
            let mut words = spec.split(' ');
            let name = words.next().unwrap_or_default();
            let version = words.next();
            self.packages.iter().find(|p| p.name == name && version.is_none_or(|v| p.version == v))
        };
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&Package> = find(root).into_iter().collect();
        while let Some(p) = todo.pop() {
            if seen.insert(format!("{} {}", p.name, p.version)) {
                todo.extend(p.dependencies.iter().filter_map(|d| find(d)));
            }
        }
        seen.into_iter().collect()
    }
}

/// The wasmtime version resolved in the built-in Cargo.lock.
pub fn wasmtime_version() -> &'static str {
    Lock::host().version("wasmtime").unwrap_or("unknown")
}

/// The wac-graph version resolved in the built-in Cargo.lock.
pub fn wac_graph_version() -> &'static str {
    Lock::host().version("wac-graph").unwrap_or("unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "a"
version = "1.0.0"
dependencies = ["b", "c 2.0.0"]

[[package]]
name = "b"
version = "1.0.0"
dependencies = ["c 1.0.0"]

[[package]]
name = "c"
version = "1.0.0"

[[package]]
name = "c"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn closure_follows_versioned_dependencies() {
        let lock = Lock::parse(LOCK).unwrap();
        assert_eq!(lock.closure("a"), ["a 1.0.0", "b 1.0.0", "c 1.0.0", "c 2.0.0"]);
        assert_eq!(lock.closure("b"), ["b 1.0.0", "c 1.0.0"]);
        assert!(lock.closure("nope").is_empty());
    }

    #[test]
    fn the_built_in_lock_names_the_pinned_crates() {
        assert!(wasmtime_version().starts_with("48."), "{}", wasmtime_version());
        assert_eq!(wac_graph_version(), "0.12.0");
        assert!(Lock::host().closure("wac-graph").iter().any(|p| p.starts_with("wasm-encoder ")));
    }
}
