//! Records which compiler built the harness, so failures and reports say
//! which toolchain produced them. (What the harness links is read from the
//! Cargo.lock built into it: `src/build/lockfile.rs`.)

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC");
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
