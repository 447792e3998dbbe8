//! Records what the harness is built with, so failures and reports say which
//! wasmtime and which toolchain produced them (the wasmtime version resolved
//! in Cargo.lock, rustc's version), and so cached compositions are keyed by
//! the composition tool that made them. (The other locked crates are read by
//! `versions.rs`, which includes Cargo.lock itself.)

use std::collections::BTreeSet;
use std::process::Command;

fn main() {
    let lock_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock");
    println!("cargo:rerun-if-changed={lock_path}");
    let lock = std::fs::read_to_string(lock_path).unwrap_or_default();
    let packages = parse_lock(&lock);
    let version = |name: &str| {
        packages.iter().find(|p| p.name == name).map_or_else(|| "unknown".into(), |p| p.version.clone())
    };
    println!("cargo:rustc-env=WASMTIME_VERSION={}", version("wasmtime"));

    // The compiler cargo uses for this build (RUSTC), not whatever is on PATH.
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let rustc_version = Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=RUSTC_VERSION={rustc_version}");
    println!("cargo:rustc-env=WAC_GRAPH_VERSION={}", version("wac-graph"));
    // Composed bytes depend on wac-graph and on everything it pulls in (the
    // wasm encoder, indexmap's ordering, ...), so the cache key takes the
    // whole resolved dependency closure, not just wac-graph's own version.
    println!("cargo:rustc-env=COMPOSE_TOOL={}", closure(&packages, "wac-graph").join(","));
}

struct Package {
    name: String,
    version: String,
    /// As written in the lock: `name` alone when only one version of it is
    /// locked, `name version` otherwise.
    dependencies: Vec<String>,
}

/// The `[[package]]` entries of a Cargo.lock (format version 3 or 4).
fn parse_lock(lock: &str) -> Vec<Package> {
    let field = |block: &str, key: &str| {
        let prefix = format!("\n{key} = \"");
        block.find(&prefix).map(|i| {
            let rest = &block[i + prefix.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_string()
        })
    };
    lock.split("[[package]]")
        .skip(1)
        .filter_map(|block| {
            let block = format!("\n{block}");
            let dependencies = block
                .find("\ndependencies = [")
                .map(|i| {
                    let list = &block[i..];
                    let list = &list[..list.find(']').unwrap_or(list.len())];
                    list.lines().skip(1).map(|l| l.trim().trim_end_matches(',').trim_matches('"').to_string()).collect()
                })
                .unwrap_or_default();
            Some(Package { name: field(&block, "name")?, version: field(&block, "version")?, dependencies })
        })
        .collect()
}

/// `name version` of `root` and of every package it depends on, directly or
/// not, sorted.
fn closure(packages: &[Package], root: &str) -> Vec<String> {
    let find = |spec: &str| {
        let mut words = spec.split(' ');
        let name = words.next().unwrap_or_default();
        let version = words.next();
        packages.iter().find(|p| p.name == name && version.is_none_or(|v| p.version == v))
    };
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&Package> = find(root).into_iter().collect();
    while let Some(p) = todo.pop() {
        if seen.insert(format!("{} {}", p.name, p.version)) {
            todo.extend(p.dependencies.iter().filter_map(|d| find(d)));
        }
    }
    if seen.is_empty() {
        seen.insert(format!("{root} unknown"));
    }
    seen.into_iter().collect()
}
