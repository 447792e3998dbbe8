//! A conformance harness for WebAssembly Component Model async.
//!
//! The pipeline, one folder per stage, each depending only on those after it:
//! `cli` → `suite` → `results` → `check` → `exec` → `host` → `build`, all on
//! the `case-format` crate (the case files, no runtime). `tests/layout.rs`
//! keeps it that way.

pub mod build;
pub mod check;
pub mod cli;
pub mod exec;
pub mod host;
pub mod results;
pub mod suite;
