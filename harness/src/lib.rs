//! A conformance harness for WebAssembly Component Model async.
//!
//! The pipeline, one module per stage:
//! `discover` → `case` → `guests` → `compose` → `run` (with the `host`
//! presets and `transmit`, the host's ends of streams and futures) →
//! `compare` → `report`. `suite` wires them and shares work
//! between cases; `cli` is the command line. `limits` is the store's
//! resource limiter; `schema` the case files' JSON Schema.

pub mod case;
pub mod cli;
pub mod compare;
pub mod compose;
pub mod discover;
pub mod guests;
pub mod host;
pub mod limits;
pub mod report;
pub mod run;
pub mod schema;
pub mod suite;
pub mod transmit;

/// The wasmtime version resolved in Cargo.lock.
pub const WASMTIME_VERSION: &str = env!("WASMTIME_VERSION");
