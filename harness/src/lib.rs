//! A conformance harness for WebAssembly Component Model async.
//!
//! The pipeline, one module per stage:
//! `discover` → `case` → `guests` → `compose` → `run` (with the `host`
//! presets) → `compare` → `report`. `suite` wires them and shares work
//! between cases, through `cache` across runs; `bench` measures that; `cli`
//! is the command line.

pub mod bench;
pub mod cache;
pub mod case;
pub mod cli;
pub mod compare;
pub mod compose;
pub mod discover;
pub mod guests;
pub mod host;
pub mod report;
pub mod run;
pub mod suite;

/// The wasmtime version resolved in Cargo.lock.
pub const WASMTIME_VERSION: &str = env!("WASMTIME_VERSION");
