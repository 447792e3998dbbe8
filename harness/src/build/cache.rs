//! The on-disk cache of composed and compiled chains, `target/cache/`.
//!
//! Compiling a composed chain with Cranelift takes 0.3 s of CPU for a pair
//! of guests here; loading the precompiled result takes about a millisecond. nextest runs every test in
//! its own process, and every `cargo test` starts from nothing, so without
//! this cache each of them would compile each chain again.
//!
//! An entry is `<key>.wasm` (the composed component, so the inspectable copy
//! under `target/composed/` can be rewritten without composing),
//! `<key>.cwasm` (`Component::serialize`) and `<key>.sum` (the digest of
//! both, checked before either is used). The key is a SHA-256 of
//! everything those bytes depend on: the guests' bytes in chain order, the
//! composition tool (the locked wac-graph dependency closure and this
//! harness's composition code), the wasmtime version and the engine's
//! compilation settings. Change any of them and the key changes; nothing else
//! changes it. Stale entries are never read again; delete the folder to
//! reclaim the space.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

pub use super::hasher::StableHasher;
use anyhow::{Context as _, Result};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::{compose, lockfile};

/// Bump when the layout or meaning of an entry changes.
const FORMAT: &str = "cm-async-harness chain cache 1";

/// The harness's own part of composition (package names, plug order).
const COMPOSE_SOURCE: &str = include_str!("compose.rs");

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
    /// Whether a cache problem was already reported.
    warned: AtomicBool,
}

impl DiskCache {
    pub fn new(dir: PathBuf) -> DiskCache {
        DiskCache { dir, counters: Counters::default(), warned: AtomicBool::new(false) }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a chain (root first) compiled by `engine`.
    pub fn key(engine: &Engine, parts: &[compose::Part<'_>]) -> String {
        let mut h = StableHasher::new();
        // Composed bytes depend on wac-graph and on everything it pulls in
        // (the wasm encoder, indexmap's ordering, ...), so the key takes the
        // whole locked dependency closure, not just wac-graph's own version.
        let tool = lockfile::Lock::host().closure("wac-graph").join(",");
        for text in [FORMAT, &tool, COMPOSE_SOURCE, lockfile::wasmtime_version()] {
            h.field(text.as_bytes());
        }
        std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut h);
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
    pub fn get_or_build(&self, engine: &Engine, parts: &[compose::Part<'_>], copy_to: &Path) -> Result<Component> {
        let key = Self::key(engine, parts);
        let wasm = self.dir.join(format!("{key}.wasm"));
        let cwasm = self.dir.join(format!("{key}.cwasm"));
        if let Some(Ok(component)) = self.load(engine, &wasm, &cwasm, copy_to) {
            return Ok(component);
        }
        // A cache that cannot be used (read-only, full) is warned about once
        // and skipped: the chain is compiled in memory all the same.
        let lock = self.lock(&key).map_err(|e| self.warn_once(&e)).ok();
        // Another process may have built it while this one waited.
        match lock.as_ref().and_then(|_| self.load(engine, &wasm, &cwasm, copy_to)) {
            Some(Ok(component)) => return Ok(component),
            // Whatever is wrong with it, building again either repairs the
            // entry or reports the problem with its context.
            Some(Err(_)) => {
                self.counters.rejected.fetch_add(1, Relaxed);
            }
            None => {}
        }
        let started = Instant::now();
        let composed = compose::compose(parts)?;
        self.keep_copy(copy_to, &composed);
        let component = Component::new(engine, &composed)
            .map_err(anyhow::Error::from)
            .context("wasmtime rejected the composed component")
            .with_context(|| format!("composed chain: {}", copy_to.display()))?;
        if lock.is_some() {
            let stored = component.serialize().map_err(anyhow::Error::from).and_then(|serialized| {
                // The .cwasm goes last: a present .cwasm means its .wasm and
                // the digest of both are complete.
                write_atomically(&wasm, &composed)?;
                write_atomically(&wasm.with_extension("sum"), digest(&composed, &serialized).as_bytes())?;
                write_atomically(&cwasm, &serialized)
            });
            if let Err(e) = stored {
                self.warn_once(&e);
            }
        }
        self.counters.compile_nanos.fetch_add(started.elapsed().as_nanos() as u64, Relaxed);
        self.counters.compiled.fetch_add(1, Relaxed);
        Ok(component)
    }

    /// The file lock of `key`, held while its entry is built.
    fn lock(&self, key: &str) -> Result<File> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create the cache folder {}", self.dir.display()))?;
        let lock_path = self.dir.join(format!("{key}.lock"));
        let lock = File::create(&lock_path).with_context(|| format!("cannot create {}", lock_path.display()))?;
        lock.lock().with_context(|| format!("cannot lock {}", lock_path.display()))?;
        Ok(lock)
    }

    /// The inspect copy under `target/composed/`; for people only, so a
    /// failure to write it is a warning.
    fn keep_copy(&self, copy_to: &Path, composed: &[u8]) {
        let dir = copy_to.parent().filter(|d| !d.as_os_str().is_empty());
        let made = dir
            .map_or(Ok(()), |d| std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display())));
        if let Err(e) = made.and_then(|()| write_if_changed(copy_to, composed)) {
            self.warn_once(&e);
        }
    }

    /// Say once per process that the cache (or an inspect copy) cannot be
    /// written; the run goes on without it.
    fn warn_once(&self, error: &anyhow::Error) {
        if !self.warned.swap(true, Relaxed) {
            eprintln!("warning: {error:#}; running without the chain cache where it cannot be written");
        }
    }

    /// A stored entry; `None` when there is none, an error when it does not
    /// load.
    fn load(&self, engine: &Engine, wasm: &Path, cwasm: &Path, copy_to: &Path) -> Option<Result<Component>> {
        if !cwasm.is_file() {
            return None;
        }
        let started = Instant::now();
        // An entry is used only if both files are what was stored under this
        // key: a swapped or corrupt file is rebuilt, never run, and never
        // copied over the inspect copy.
        let loaded = (|| -> Result<Component> {
            let composed = std::fs::read(wasm).with_context(|| format!("cannot read {}", wasm.display()))?;
            let serialized = std::fs::read(cwasm).with_context(|| format!("cannot read {}", cwasm.display()))?;
            let sum = wasm.with_extension("sum");
            let stored = std::fs::read_to_string(&sum).with_context(|| format!("cannot read {}", sum.display()))?;
            anyhow::ensure!(stored == digest(&composed, &serialized), "{} does not match its entry", sum.display());
            // SAFETY: `deserialize` trusts the bytes to be wasmtime's own
            // output. Only this module writes here, from
            // `Component::serialize` on an engine whose compatibility hash is
            // part of the key, and the digest just checked that these are
            // the bytes it wrote; wasmtime also checks the version and engine
            // settings recorded in them.
            #[allow(unsafe_code)]
            let component = unsafe { Component::deserialize(engine, &serialized) }.map_err(anyhow::Error::from)?;
            self.keep_copy(copy_to, &composed);
            Ok(component)
        })();
        if loaded.is_ok() {
            self.counters.load_nanos.fetch_add(started.elapsed().as_nanos() as u64, Relaxed);
            self.counters.disk_hits.fetch_add(1, Relaxed);
        }
        Some(loaded)
    }
}

/// The digest an entry's `.sum` holds: of the composed and the compiled bytes.
fn digest(composed: &[u8], serialized: &[u8]) -> String {
    let mut h = StableHasher::new();
    h.field(composed);
    h.field(serialized);
    h.hex()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest components that compile differently; wasmtime accepts
    /// WAT text, and a chain of one is not composed.
    const EMPTY: &[u8] = b"(component)";
    const WITH_CORE: &[u8] = b"(component (core module))";

    fn component_engine() -> Engine {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        Engine::new(&config).unwrap()
    }

    fn part(bytes: &[u8]) -> compose::Part<'_> {
        compose::Part { name: "test", bytes }
    }

    #[test]
    fn key_follows_every_guest_in_order() {
        let engine = Engine::default();
        let key = |parts: &[&[u8]]| DiskCache::key(&engine, &parts.iter().map(|b| part(b)).collect::<Vec<_>>());
        assert_eq!(key(&[EMPTY, WITH_CORE]), key(&[EMPTY, WITH_CORE]));
        assert_ne!(key(&[EMPTY, WITH_CORE]), key(&[WITH_CORE, EMPTY]));
        assert_ne!(key(&[EMPTY, WITH_CORE]), key(&[EMPTY]));
        // Length prefixes keep a byte moving between guests from colliding.
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
    }

    #[test]
    fn stored_entries_load_and_broken_ones_are_rebuilt() {
        let engine = component_engine();
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let copy = dir.join("copy.wasm");
        let parts = [part(WITH_CORE)];
        let stats = |cache: &DiskCache| cache.counters.snapshot();

        let first = DiskCache::new(dir.to_owned());
        first.get_or_build(&engine, &parts, &copy).unwrap();
        assert_eq!((stats(&first).compiled, stats(&first).disk_hits), (1, 0));
        assert_eq!(std::fs::read(&copy).unwrap(), WITH_CORE);

        // A later run (a new process) loads it.
        let second = DiskCache::new(dir.to_owned());
        second.get_or_build(&engine, &parts, &copy).unwrap();
        assert_eq!((stats(&second).compiled, stats(&second).disk_hits), (0, 1));

        // A truncated entry is a miss: rebuilt and overwritten.
        let cwasm = dir.join(format!("{}.cwasm", DiskCache::key(&engine, &parts)));
        let len = std::fs::metadata(&cwasm).unwrap().len();
        File::options().write(true).open(&cwasm).unwrap().set_len(len / 2).unwrap();
        let third = DiskCache::new(dir.to_owned());
        third.get_or_build(&engine, &parts, &copy).unwrap();
        assert_eq!((stats(&third).rejected, stats(&third).compiled), (1, 1));
        assert_eq!(std::fs::metadata(&cwasm).unwrap().len(), len);
    }

    /// An entry whose compiled file was swapped for another entry's, or whose
    /// composed file is corrupt, is rebuilt: never run, never copied.
    #[test]
    fn swapped_or_corrupt_entries_are_rebuilt() {
        let engine = component_engine();
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let (one, two) = ([part(WITH_CORE)], [part(EMPTY)]);
        let copy = dir.join("copy.wasm");
        let cache = DiskCache::new(dir.to_owned());
        cache.get_or_build(&engine, &one, &copy).unwrap();
        cache.get_or_build(&engine, &two, &copy).unwrap();
        let file =
            |parts: &[compose::Part<'_>], ext: &str| dir.join(format!("{}.{ext}", DiskCache::key(&engine, parts)));
        std::fs::copy(file(&two, "cwasm"), file(&one, "cwasm")).unwrap();
        std::fs::write(file(&two, "wasm"), b"garbage").unwrap();
        let again = DiskCache::new(dir.to_owned());
        again.get_or_build(&engine, &one, &copy).unwrap();
        again.get_or_build(&engine, &two, &copy).unwrap();
        assert_eq!((again.counters.snapshot().rejected, again.counters.snapshot().disk_hits), (2, 0));
        assert_eq!(std::fs::read(&copy).unwrap(), EMPTY, "the inspect copy is the rebuilt chain");
    }

    /// A cache folder that cannot be created (its parent is a file; as root,
    /// permissions would not stop the writes) compiles in memory.
    #[test]
    fn an_unusable_cache_compiles_without_it() {
        let engine = component_engine();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), "").unwrap();
        let cache = DiskCache::new(dir.path().join("file/cache"));
        let copy = dir.path().join("file/composed/copy.wasm");
        for _ in 0..2 {
            cache.get_or_build(&engine, &[part(WITH_CORE)], &copy).unwrap();
        }
        assert_eq!(cache.counters.snapshot().compiled, 2);
        assert!(cache.warned.load(Relaxed));
    }

    #[test]
    fn concurrent_misses_compile_once() {
        let engine = component_engine();
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        // Separate caches stand for separate processes: each opens the lock
        // file itself, as another process would.
        let caches: Vec<DiskCache> = (0..4).map(|_| DiskCache::new(dir.to_owned())).collect();
        std::thread::scope(|s| {
            for (i, cache) in caches.iter().enumerate() {
                let (engine, copy) = (&engine, dir.join(format!("copy-{i}.wasm")));
                s.spawn(move || cache.get_or_build(engine, &[part(WITH_CORE)], &copy).unwrap());
            }
        });
        let compiled: u64 = caches.iter().map(|c| c.counters.snapshot().compiled).sum();
        let loaded: u64 = caches.iter().map(|c| c.counters.snapshot().disk_hits).sum();
        assert_eq!((compiled, loaded), (1, 3));
    }
}
