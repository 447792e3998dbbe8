//! Resource limits for one case's store, and which one a guest ran into.
//!
//! wasmtime's own `StoreLimits` denies growth silently (`memory.grow` returns
//! -1, and a Rust guest then aborts with an ordinary `unreachable` trap), so
//! a guest that ran out of memory would look like one with a bug. This
//! limiter remembers the first limit it enforced, so the case is reported as
//! "memory limit reached" instead.

use std::fmt;

use wasmtime::ResourceLimiter;
use wasmtime::component::Val;

use case_format::Limits;

/// The first limit a guest ran into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reached {
    /// The store's linear memories, together, would have exceeded
    /// `memory-bytes`: `requested` is the total they would have reached.
    Memory { limit: u64, requested: u64 },
    /// A table would have grown beyond `table-elements`.
    TableElements { limit: u64, requested: u64 },
    /// Instantiation would have created more core instances, memories or
    /// tables than allowed. `key` is the case's `limits` key.
    Count { key: &'static str, limit: u64 },
    /// What the host keeps for the transcript (items read from the guests'
    /// streams and futures, events they record) would have exceeded
    /// `host-bytes`.
    HostBytes { limit: u64, requested: u64 },
}

impl Reached {
    /// The outcome line: which limit, with the case key that changes it.
    pub fn line(&self) -> String {
        match self {
            Reached::Memory { limit, .. } => format!("memory limit reached (limits.memory-bytes = {limit})"),
            Reached::TableElements { limit, .. } => {
                format!("table limit reached (limits.table-elements = {limit})")
            }
            Reached::Count { key, limit } => format!("{key} limit reached (limits.{key} = {limit})"),
            Reached::HostBytes { limit, .. } => format!("host-bytes limit reached (limits.host-bytes = {limit})"),
        }
    }

    /// wasmtime reports the count limits (instances, memories, tables) as an
    /// instantiation error whose text is its only distinguishing mark
    /// ("resource limit exceeded: instance count too high at 11").
    pub fn from_count_error(error: &wasmtime::Error, limits: &Limits) -> Option<Reached> {
        let text = error.chain().map(ToString::to_string).find(|t| t.contains("resource limit exceeded"))?;
        let (key, limit) = if text.contains("instance count") {
            ("instances", limits.instances)
        } else if text.contains("memory count") {
            ("memories", limits.memories)
        } else if text.contains("table count") {
            ("tables", limits.tables)
        } else {
            return None;
        };
        Some(Reached::Count { key, limit })
    }
}

impl fmt::Display for Reached {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reached::Memory { limit, requested } => write!(
                f,
                "the guests' linear memories would have grown to {requested} bytes in total, \
                 beyond limits.memory-bytes = {limit}; the growth was denied"
            ),
            Reached::TableElements { limit, requested } => write!(
                f,
                "a table would have grown to {requested} elements, beyond \
                 limits.table-elements = {limit}; the growth was denied"
            ),
            Reached::Count { key, limit } => {
                write!(f, "instantiation needed more {key} than limits.{key} = {limit}")
            }
            Reached::HostBytes { limit, requested } => write!(
                f,
                "what the guests sent the host to keep would have reached {requested} bytes, \
                 beyond limits.host-bytes = {limit}; the host stopped taking it"
            ),
        }
    }
}

/// The store's limiter: enforces a case's `[limits]` and records the first
/// one reached.
pub struct Limiter {
    memory_bytes: u64,
    table_elements: u64,
    instances: usize,
    memories: usize,
    tables: usize,
    /// Bytes of linear memory the store's memories hold together. A growth
    /// allowed here that wasmtime then fails to perform (the host is out of
    /// memory) still counts: that errs on the side of stopping the guest.
    memory_used: u64,
    host_bytes: u64,
    host_used: u64,
    pub reached: Option<Reached>,
}

impl Limiter {
    pub fn new(limits: &Limits) -> Limiter {
        Limiter {
            memory_bytes: limits.memory_bytes,
            table_elements: limits.table_elements,
            instances: to_usize(limits.instances),
            memories: to_usize(limits.memories),
            tables: to_usize(limits.tables),
            memory_used: 0,
            host_bytes: limits.host_bytes,
            host_used: 0,
            reached: None,
        }
    }

    fn record(&mut self, reached: Reached) {
        self.reached.get_or_insert(reached);
    }

    /// Bytes the host may still keep under `host-bytes`.
    pub fn host_remaining(&self) -> u64 {
        self.host_bytes.saturating_sub(self.host_used)
    }

    /// Account for `bytes` more that the host keeps on the guests' behalf.
    /// Guest memory is limited, but a guest can send the same memory over
    /// and over: without this a stream that never ends would grow the host
    /// until the timeout, and could take the whole process down first.
    pub fn hold(&mut self, bytes: usize) -> wasmtime::Result<()> {
        let requested = self.host_used.saturating_add(bytes as u64);
        if requested > self.host_bytes {
            self.record(Reached::HostBytes { limit: self.host_bytes, requested });
            wasmtime::bail!("the host refused to keep {bytes} more bytes");
        }
        self.host_used = requested;
        Ok(())
    }
}

/// Roughly what a value costs the host to keep: its own size plus what it
/// owns on the heap.
pub fn val_bytes(v: &Val) -> usize {
    let own = size_of::<Val>();
    let boxed = |b: &Option<Box<Val>>| b.as_deref().map_or(0, val_bytes);
    own + match v {
        Val::String(s) | Val::Enum(s) => s.len(),
        Val::List(vs) | Val::Tuple(vs) | Val::FixedLengthList(vs) => vs.iter().map(val_bytes).sum(),
        Val::Map(kvs) => kvs.iter().map(|(k, v)| val_bytes(k) + val_bytes(v)).sum(),
        Val::Record(fields) => fields.iter().map(|(k, v)| k.len() + val_bytes(v)).sum(),
        Val::Variant(name, payload) => name.len() + boxed(payload),
        Val::Option(payload) => boxed(payload),
        Val::Result(Ok(payload) | Err(payload)) => boxed(payload),
        Val::Flags(names) => names.iter().map(String::len).sum(),
        _ => 0,
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl ResourceLimiter for Limiter {
    /// Called for a memory's initial size too (`current` = 0), so
    /// `memory_used` covers every memory of every instance in the store.
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        if maximum.is_some_and(|max| desired > max) {
            // The memory's own declared maximum: wasm semantics, not ours.
            return Ok(false);
        }
        let growth = desired.saturating_sub(current) as u64;
        let requested = self.memory_used.saturating_add(growth);
        if requested > self.memory_bytes {
            self.record(Reached::Memory { limit: self.memory_bytes, requested });
            return Ok(false);
        }
        self.memory_used = requested;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        if maximum.is_some_and(|max| desired > max) {
            return Ok(false);
        }
        if desired as u64 > self.table_elements {
            self.record(Reached::TableElements { limit: self.table_elements, requested: desired as u64 });
            return Ok(false);
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn memories(&self) -> usize {
        self.memories
    }

    fn tables(&self) -> usize {
        self.tables
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(memory_bytes: u64) -> Limits {
        Limits { memory_bytes, ..Limits::default() }
    }

    #[test]
    fn memory_is_counted_across_memories() {
        let mut l = Limiter::new(&limits(3 << 16));
        assert!(l.memory_growing(0, 2 << 16, None).unwrap());
        // A second memory of 2 pages would make 4 in the store.
        assert!(!l.memory_growing(0, 2 << 16, None).unwrap());
        assert_eq!(l.reached, Some(Reached::Memory { limit: 3 << 16, requested: 4 << 16 }));
        assert!(l.memory_growing(0, 1 << 16, None).unwrap());
    }

    #[test]
    fn growth_counts_only_the_difference() {
        let mut l = Limiter::new(&limits(4 << 16));
        assert!(l.memory_growing(0, 2 << 16, None).unwrap());
        assert!(l.memory_growing(2 << 16, 4 << 16, None).unwrap());
        assert!(!l.memory_growing(4 << 16, 5 << 16, None).unwrap());
        assert_eq!(l.reached, Some(Reached::Memory { limit: 4 << 16, requested: 5 << 16 }));
    }

    #[test]
    fn declared_maximum_is_not_a_harness_limit() {
        let mut l = Limiter::new(&limits(u64::MAX));
        assert!(!l.memory_growing(1 << 16, 3 << 16, Some(2 << 16)).unwrap());
        assert_eq!(l.reached, None);
    }

    #[test]
    fn host_bytes_are_counted_until_the_limit() {
        let mut l = Limiter::new(&Limits { host_bytes: 100, ..Limits::default() });
        l.hold(60).unwrap();
        let e = l.hold(41).unwrap_err();
        assert_eq!(l.reached, Some(Reached::HostBytes { limit: 100, requested: 101 }));
        assert_eq!(e.to_string(), "the host refused to keep 41 more bytes");
        l.hold(40).unwrap();
    }

    #[test]
    fn val_bytes_counts_what_a_value_owns() {
        let unit = size_of::<Val>();
        assert_eq!(val_bytes(&Val::U8(1)), unit);
        assert_eq!(val_bytes(&Val::String("abc".into())), unit + 3);
        let list = Val::List(vec![Val::String("ab".into()), Val::U8(0)]);
        assert_eq!(val_bytes(&list), 3 * unit + 2);
    }

    #[test]
    fn first_limit_reached_is_kept() {
        let mut l = Limiter::new(&Limits { memory_bytes: 1 << 16, table_elements: 10, ..Limits::default() });
        assert!(!l.table_growing(0, 11, None).unwrap());
        assert!(!l.memory_growing(0, 2 << 16, None).unwrap());
        assert_eq!(l.reached, Some(Reached::TableElements { limit: 10, requested: 11 }));
        assert_eq!(l.reached.unwrap().line(), "table limit reached (limits.table-elements = 10)");
    }
}
