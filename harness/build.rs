//! Records what the harness is built with, so failures and reports say which
//! wasmtime and which toolchain produced them: the wasmtime version resolved
//! in Cargo.lock and rustc's version. (The other locked crates are read by
//! `versions.rs`, which includes Cargo.lock itself.)

use std::process::Command;

fn main() {
    let lock_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock");
    println!("cargo:rerun-if-changed={lock_path}");
    let lock = std::fs::read_to_string(lock_path).unwrap_or_default();
    let version = |name: &str| {
        let header = format!("name = \"{name}\"\nversion = \"");
        lock.find(&header)
            .map(|i| {
                let rest = &lock[i + header.len()..];
                rest[..rest.find('"').unwrap_or(0)].to_string()
            })
            .unwrap_or_else(|| "unknown".into())
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
}
