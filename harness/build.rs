//! Records the resolved versions of the crates under test, from Cargo.lock,
//! so failures and reports say which wasmtime produced them.

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
}
