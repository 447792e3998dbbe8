//! The on-disk cache of composed and compiled chains, `target/cache/`.
//!
//! Compiling a composed chain with Cranelift takes 0.1–0.3 s; loading the
//! precompiled result takes under a millisecond. nextest runs every test in
//! its own process, and every `cargo test` starts from nothing, so without
//! this cache each of them would compile each chain again.
//!
//! An entry is `<key>.wasm` (the composed component, so the inspectable copy
//! under `target/composed/` can be rewritten without composing) and
//! `<key>.cwasm` (`Component::serialize`). The key is a SHA-256 of
//! everything those bytes depend on: the guests' bytes in chain order, the
//! composition tool (the locked wac-graph dependency closure and this
//! harness's composition code), the wasmtime version and the engine's
//! compilation settings. Change any of them and the key changes; nothing else
//! changes it. Stale entries are never read again; delete the folder to
//! reclaim the space.

use std::fs::File;
use std::hash::Hasher;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use sha2::{Digest as _, Sha256};
use wasmtime::component::Component;

use crate::compose;
use crate::run::Runtime;

/// Bump when the layout or meaning of an entry changes.
const FORMAT: &str = "cm-async-harness chain cache 1";

/// The harness's own part of composition (package names, plug order).
const COMPOSE_SOURCE: &str = include_str!("compose.rs");

/// A SHA-256 that std's `Hash` impls can feed, for inputs that are only
/// available as `impl Hash` (the engine's compatibility hash). Unlike
/// `DefaultHasher`, its output does not depend on the Rust version.
#[derive(Default)]
pub struct StableHasher(Sha256);

impl StableHasher {
    pub fn new() -> StableHasher {
        StableHasher::default()
    }

    /// Length-prefixed, so consecutive fields cannot run into each other.
    pub fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    pub fn hex(self) -> String {
        self.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// `Hasher` requires it; nothing here reads a 64-bit digest.
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().unwrap())
    }
}

/// What the cache did, for the benchmark's hit ratio. Counted per process.
#[derive(Default)]
pub struct Counters {
    memory_hits: AtomicU64,
    disk_hits: AtomicU64,
    compiled: AtomicU64,
    rejected: AtomicU64,
    load_nanos: AtomicU64,
    compile_nanos: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Chain lookups answered by this process's memory (built earlier in the run).
    pub memory_hits: u64,
    /// Chains loaded from `target/cache/`.
    pub disk_hits: u64,
    /// Chains composed and compiled.
    pub compiled: u64,
    /// Entries that existed but did not load (then compiled and overwritten).
    pub rejected: u64,
    /// Total time spent loading entries from disk.
    pub load_time: Duration,
    /// Total time spent composing, compiling and storing.
    pub compile_time: Duration,
}

impl Stats {
    pub fn lookups(&self) -> u64 {
        self.memory_hits + self.disk_hits + self.compiled
    }

    /// Hits (memory or disk) over lookups; `None` before any lookup.
    pub fn hit_ratio(&self) -> Option<f64> {
        let lookups = self.lookups();
        (lookups > 0).then(|| (self.memory_hits + self.disk_hits) as f64 / lookups as f64)
    }
}

impl Counters {
    pub fn memory_hit(&self) {
        self.memory_hits.fetch_add(1, Relaxed);
    }

    pub fn snapshot(&self) -> Stats {
        Stats {
            memory_hits: self.memory_hits.load(Relaxed),
            disk_hits: self.disk_hits.load(Relaxed),
            compiled: self.compiled.load(Relaxed),
            rejected: self.rejected.load(Relaxed),
            load_time: Duration::from_nanos(self.load_nanos.load(Relaxed)),
            compile_time: Duration::from_nanos(self.compile_nanos.load(Relaxed)),
        }
    }
}

pub struct DiskCache {
    dir: PathBuf,
    pub counters: Counters,
}

impl DiskCache {
    pub fn new(dir: PathBuf) -> DiskCache {
        DiskCache { dir, counters: Counters::default() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a chain (root first) compiled by `runtime`'s engine.
    pub fn key(runtime: &Runtime, parts: &[compose::Part<'_>]) -> String {
        let mut h = StableHasher::new();
        for text in [FORMAT, env!("COMPOSE_TOOL"), COMPOSE_SOURCE, crate::WASMTIME_VERSION] {
            h.field(text.as_bytes());
        }
        std::hash::Hash::hash(&runtime.engine.precompile_compatibility_hash(), &mut h);
        h.field(&(parts.len() as u64).to_le_bytes());
        for part in parts {
            h.field(part.bytes);
        }
        h.hex()
    }

    /// The compiled chain from disk, or composed, compiled and stored.
    /// Either way the composed component is also copied to `copy_to`, for
    /// people to inspect (before compiling, so it is there when wasmtime
    /// rejects it). Concurrent processes that miss on the same key take turns
    /// through a file lock, so the chain is compiled once and the others load
    /// it.
    pub fn get_or_build(&self, runtime: &Runtime, parts: &[compose::Part<'_>], copy_to: &Path) -> Result<Component> {
        let key = Self::key(runtime, parts);
        let wasm = self.dir.join(format!("{key}.wasm"));
        let cwasm = self.dir.join(format!("{key}.cwasm"));
        if let Some(component) = self.load(runtime, &wasm, &cwasm, copy_to) {
            return Ok(component);
        }
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create the cache folder {}", self.dir.display()))?;
        let lock_path = self.dir.join(format!("{key}.lock"));
        let lock = File::create(&lock_path).with_context(|| format!("cannot create {}", lock_path.display()))?;
        lock.lock().with_context(|| format!("cannot lock {}", lock_path.display()))?;
        // Another process may have built it while this one waited.
        if let Some(component) = self.load(runtime, &wasm, &cwasm, copy_to) {
            return Ok(component);
        }
        let started = Instant::now();
        let composed = compose::compose(parts)?;
        write_if_changed(copy_to, &composed)?;
        let component =
            runtime.compile(&composed).with_context(|| format!("composed chain: {}", copy_to.display()))?;
        let serialized = component
            .serialize()
            .map_err(anyhow::Error::from)
            .context("wasmtime cannot serialize the compiled chain")?;
        // The .cwasm goes last: a present .cwasm means its .wasm is complete.
        write_atomically(&wasm, &composed)?;
        write_atomically(&cwasm, &serialized)?;
        self.counters.compile_nanos.fetch_add(started.elapsed().as_nanos() as u64, Relaxed);
        self.counters.compiled.fetch_add(1, Relaxed);
        Ok(component)
    }

    /// A stored entry, or `None` (missing or unusable: either way, rebuild).
    fn load(&self, runtime: &Runtime, wasm: &Path, cwasm: &Path, copy_to: &Path) -> Option<Component> {
        if !cwasm.is_file() {
            return None;
        }
        let started = Instant::now();
        // SAFETY: `deserialize_file` trusts the file to be wasmtime's own
        // output and to stay unchanged while mapped. Only this module writes
        // here, from `Component::serialize` on an engine whose compatibility
        // hash is part of the file name, and always to a temporary file
        // renamed into place, so a mapped file is never modified (a rewrite
        // replaces the directory entry, not the contents). wasmtime also
        // checks the version and engine settings recorded in the file; a
        // truncated or foreign file fails to load and is rebuilt.
        let component = unsafe { Component::deserialize_file(&runtime.engine, cwasm) };
        let loaded = component.map_err(anyhow::Error::from).and_then(|component| {
            let composed = std::fs::read(wasm).with_context(|| format!("cannot read {}", wasm.display()))?;
            write_if_changed(copy_to, &composed)?;
            Ok(component)
        });
        match loaded {
            Ok(component) => {
                self.counters.load_nanos.fetch_add(started.elapsed().as_nanos() as u64, Relaxed);
                self.counters.disk_hits.fetch_add(1, Relaxed);
                Some(component)
            }
            // Whatever went wrong, building again either repairs the entry
            // or reports the problem with its context.
            Err(_) => {
                self.counters.rejected.fetch_add(1, Relaxed);
                None
            }
        }
    }
}

/// Write through a temporary file in the same folder and rename it into
/// place, so readers (other test processes) see the old file or the whole new
/// one, never a partial write.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("a cache path has a parent folder")?;
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{}.{}-{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id(),
        NEXT.fetch_add(1, Relaxed)
    ));
    let write = || -> std::io::Result<()> {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
    })
}

/// Write `bytes` to `path` unless it already holds exactly them, so the
/// inspectable copies keep their timestamps across warm runs.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    write_atomically(path, bytes)
}
