//! Resource limits for one case's store, and which one a guest ran into.
//!
//! wasmtime's own `StoreLimits` denies growth silently (`memory.grow` returns
//! -1, and a Rust guest then aborts with an ordinary `unreachable` trap), so
//! a guest that ran out of memory would look like one with a bug. This
//! limiter remembers the first limit it enforced, so the case is reported as
//! "memory limit reached" instead.

use std::fmt;

use wasmtime::ResourceLimiter;

use crate::case::Limits;

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
        }
    }

    /// wasmtime reports the count limits (instances, memories, tables) as an
    /// instantiation error whose text is its only distinguishing mark
    /// ("resource limit exceeded: instance count too high at 11").
    pub fn from_count_error(error: &wasmtime::Error, limits: &Limits) -> Option<Reached> {
        let text = error.chain().map(|c| c.to_string()).find(|t| t.contains("resource limit exceeded"))?;
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
            reached: None,
        }
    }

    fn record(&mut self, reached: Reached) {
        self.reached.get_or_insert(reached);
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
    fn first_limit_reached_is_kept() {
        let mut l = Limiter::new(&Limits { memory_bytes: 1 << 16, table_elements: 10, ..Limits::default() });
        assert!(!l.table_growing(0, 11, None).unwrap());
        assert!(!l.memory_growing(0, 2 << 16, None).unwrap());
        assert_eq!(l.reached, Some(Reached::TableElements { limit: 10, requested: 11 }));
        assert_eq!(l.reached.unwrap().line(), "table limit reached (limits.table-elements = 10)");
    }
}
