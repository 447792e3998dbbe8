//! The guest components. Each folder under `guests/` with a
//! `Cargo.toml` is a guest named after the folder. They are built together by
//! one nested `cargo build --target wasm32-wasip2` with its own target dir,
//! and only when their sources changed since the last build. A
//! `guests/NAME.wat` file is a guest too, a component in the text format.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use walkdir::WalkDir;

use super::cache::StableHasher;

const TARGET: &str = "wasm32-wasip2";

/// Where the guests live and where their build goes.
#[derive(Debug, Clone)]
pub struct GuestDirs {
    /// The guest workspace (`guests/`).
    pub src: PathBuf,
    /// WIT the guests are generated from (`wit/`), part of their inputs.
    pub wit: PathBuf,
    /// Nested cargo's target dir; kept apart from the host's so the outer
    /// cargo's lock is never waited on.
    pub target: PathBuf,
}

/// Built guest components by name.
#[derive(Debug)]
pub struct Guests {
    pub components: BTreeMap<String, Guest>,
    /// Guests that failed to build, and why: only the cases that use one
    /// fail, each with its error once.
    pub broken: BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct Guest {
    pub bytes: Vec<u8>,
}

impl GuestDirs {
    /// Guest names, from the folder layout alone (no build).
    pub fn names(&self) -> Result<BTreeSet<String>> {
        let mut names = BTreeSet::new();
        let entries =
            std::fs::read_dir(&self.src).with_context(|| format!("cannot list guests in {}", self.src.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.join("Cargo.toml").is_file() {
                names.insert(path.file_name().unwrap().to_string_lossy().into_owned());
            } else if let Some(name) = wat_name(&path) {
                names.insert(name);
            }
        }
        Ok(names)
    }

    /// Build (if needed) and load every guest.
    pub fn build(&self) -> Result<Guests> {
        let names = self.names()?;
        let out_dir = self.target.join(TARGET).join("release");
        let output = |name: &str| out_dir.join(format!("{}.wasm", name.replace('-', "_")));
        let wat_file = |name: &str| self.src.join(format!("{name}.wat"));
        let stamp_path = self.target.join("sources.stamp");
        let stamp = self.sources_hash()?;
        let fresh = std::fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp)
            && names.iter().all(|n| output(n).is_file() || wat_file(n).is_file());
        let mut broken = BTreeMap::new();
        if !fresh && names.iter().any(|n| !wat_file(n).is_file()) {
            let (built, failure) = self.cargo_build()?;
            match failure {
                // Only the guests cargo produced no component for are broken;
                // the stamp is not written, so the next run builds again.
                Some(why) => {
                    for name in names.iter().filter(|n| !built.contains(&n.replace('-', "_")) && !wat_file(n).is_file())
                    {
                        broken.insert(name.clone(), format!("guest `{name}` did not build: {why}"));
                    }
                }
                None => std::fs::write(&stamp_path, &stamp)
                    .with_context(|| format!("cannot write {}", stamp_path.display()))?,
            }
        }
        let mut components = BTreeMap::new();
        for name in names {
            let source = wat_file(&name);
            if broken.contains_key(&name) {
                continue;
            }
            if source.is_file() {
                match wat::parse_file(&source) {
                    Ok(bytes) => {
                        components.insert(name, Guest { bytes });
                    }
                    Err(e) => {
                        let why = format!("guest `{name}`: {} is not valid WAT: {e}", source.display());
                        broken.insert(name, why);
                    }
                }
                continue;
            }
            let path = output(&name);
            let bytes = std::fs::read(&path).with_context(|| {
                format!("guest `{name}` built, but its component {} cannot be read", path.display())
            })?;
            components.insert(name, Guest { bytes });
        }
        Ok(Guests { components, broken })
    }

    /// A hash of every guest and WIT source file (names relative to their
    /// folder, and contents), so a rebuild happens exactly when one of them
    /// changed, wherever the checkout lives.
    fn sources_hash(&self) -> Result<String> {
        let mut hasher = StableHasher::new();
        // A new toolchain must rebuild too.
        toolchain_id()?.hash(&mut hasher);
        for (folder, root) in [("guests", &self.src), ("wit", &self.wit)] {
            folder.hash(&mut hasher);
            let files = WalkDir::new(root).sort_by_file_name().into_iter().filter_entry(|e| e.file_name() != "target");
            for entry in files {
                let entry = entry.with_context(|| format!("cannot walk {}", root.display()))?;
                if entry.file_type().is_file() {
                    entry.path().strip_prefix(root).unwrap_or(entry.path()).hash(&mut hasher);
                    std::fs::read(entry.path())?.hash(&mut hasher);
                }
            }
        }
        Ok(format!("{}\n", hasher.hex()))
    }

    /// Build the Rust guests with `--keep-going`: the lib names cargo
    /// produced a component for, and cargo's errors when a guest failed.
    fn cargo_build(&self) -> Result<(BTreeSet<String>, Option<String>)> {
        ensure_target()?;
        eprintln!("building guests in {} (target {TARGET}) ...", self.src.display());
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.arg("build")
            .arg("--release")
            .arg("--keep-going")
            .arg("--message-format=json-render-diagnostics")
            .arg("--target")
            .arg(TARGET)
            .arg("--manifest-path")
            .arg(self.src.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &self.target);
        // Flags meant for the host build must not reach the wasm build.
        for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "CARGO_BUILD_TARGET"] {
            cmd.env_remove(var);
        }
        let out = cmd.output().context("cannot run cargo to build the guests")?;
        let built = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact")
            .filter(|m| m["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "cdylib")))
            .filter_map(|m| m["target"]["name"].as_str().map(|n| n.replace('-', "_")))
            .collect();
        let failure = (!out.status.success())
            .then(|| format!("building the guests failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr)));
        Ok((built, failure))
    }
}

/// Identifies the toolchain the nested cargo will use, by the file name of
/// its compiler driver library (`librustc_driver-<hash>.so`; the hash
/// differs between every two compiler builds, and is the same for one build
/// installed on two machines, so CI runners can reuse guests built
/// elsewhere). Every test process checks this under nextest, and spawning
/// `rustc -V` (through the rustup proxy, then loading the driver) cost
/// 20–30 ms per process on an idle 2-core machine and over 100 ms on a busy
/// one. When run by cargo (or nextest) through rustup, `RUSTUP_HOME` and
/// `RUSTUP_TOOLCHAIN` name the toolchain, so finding it needs no process.
fn toolchain_id() -> Result<String> {
    let env = |name| std::env::var_os(name);
    if let (Some(home), Some(toolchain), None) = (env("RUSTUP_HOME"), env("RUSTUP_TOOLCHAIN"), env("RUSTC"))
        && let Some(id) = driver_name(&Path::new(&home).join("toolchains").join(toolchain))
    {
        return Ok(id);
    }
    if let Some(id) = driver_name(&sysroot()?) {
        return Ok(id);
    }
    // Not a usual layout: the version is the best identity left.
    let version = Command::new("rustc").arg("-V").output().context("cannot run rustc")?;
    Ok(String::from_utf8_lossy(&version.stdout).into_owned())
}

/// `lib/` on Unix, `bin/` on Windows.
fn driver_name(sysroot: &Path) -> Option<String> {
    let mut names: Vec<String> = ["lib", "bin"]
        .iter()
        .filter_map(|dir| std::fs::read_dir(sysroot.join(dir)).ok())
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.contains("rustc_driver-"))
        .collect();
    names.sort();
    (!names.is_empty()).then(|| names.join(" "))
}

fn sysroot() -> Result<PathBuf> {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .context("cannot run rustc to find the sysroot; is Rust installed and on PATH?")?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Install the wasm32-wasip2 standard library through rustup when missing.
fn ensure_target() -> Result<()> {
    if sysroot()?.join("lib/rustlib").join(TARGET).is_dir() {
        return Ok(());
    }
    eprintln!("the {TARGET} target is missing; installing it with `rustup target add {TARGET}`");
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .context("cannot run rustup; install the target by hand: rustup target add wasm32-wasip2")?;
    if !status.success() {
        bail!("`rustup target add {TARGET}` failed ({status})");
    }
    Ok(())
}

impl Guests {
    pub fn get(&self, name: &str) -> Result<&Guest> {
        if let Some(why) = self.broken.get(name) {
            bail!("{why}");
        }
        self.components.get(name).with_context(|| {
            let known: Vec<_> = self.components.keys().cloned().collect();
            format!("unknown guest `{name}`; known guests: {}", known.join(", "))
        })
    }
}

/// `guests/NAME.wat` is a guest written as a component in the text format,
/// for what Rust guests cannot express (a start function that traps).
/// Compiling one takes microseconds, so it is done on every load.
fn wat_name(path: &Path) -> Option<String> {
    let is_wat = path.extension().is_some_and(|e| e == "wat") && path.is_file();
    is_wat.then(|| path.file_stem().unwrap().to_string_lossy().into_owned())
}

/// Path helpers for callers that only have a guest's file.
pub fn read_component(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read component {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A broken guest fails only the cases that use it.
    #[test]
    fn a_broken_guest_breaks_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("guests");
        std::fs::create_dir(&src).unwrap();
        std::fs::write(src.join("good.wat"), "(component)").unwrap();
        std::fs::write(src.join("bad.wat"), "(component (oops))").unwrap();
        std::fs::create_dir(dir.path().join("wit")).unwrap();
        let dirs = GuestDirs { src, wit: dir.path().join("wit"), target: dir.path().join("target") };
        let guests = dirs.build().unwrap();
        assert!(guests.get("good").is_ok());
        let e = guests.get("bad").unwrap_err().to_string();
        assert!(e.contains("guest `bad`") && e.contains("is not valid WAT"), "{e}");
    }
}
