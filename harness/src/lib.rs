//! A conformance harness for WebAssembly Component Model async.
//!
//! The pipeline, one module per stage:
//! `discover` → `case` → `guests` → `compose` → `run` (with the `host`
//! presets, `transmit` for the host's ends of streams and futures, and
//! `http` for `[http]` cases) → `compare` → `report`, then `results` (the
//! host's `expectations`, `bless`, the JSON report with the `versions` in
//! use). `suite` wires them and shares work between cases, through `cache`
//! across runs; `bench` measures that; `cli` is the command line, and
//! `regressions` compares two reports. `limits` is the store's
//! resource limiter; `schema` the case files' JSON Schema.

pub mod bench;
pub mod bless;
pub mod cache;
pub mod case;
pub mod cli;
pub mod compare;
pub mod compose;
pub mod discover;
pub mod expectations;
pub mod fuzzing;
pub mod guests;
pub mod host;
pub mod http;
pub mod limits;
pub mod regressions;
pub mod report;
pub mod results;
pub mod run;
pub mod schema;
pub mod suite;
pub mod transmit;
pub mod versions;

/// The wasmtime version resolved in Cargo.lock.
pub const WASMTIME_VERSION: &str = env!("WASMTIME_VERSION");
