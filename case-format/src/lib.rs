//! The case format of the Component Model async conformance harness: what a
//! case file says (`types`, `http`), how it is found (`discover`) and loaded
//! with `path:line:col` errors (`load`), the trap kinds it may expect
//! (`trap`), its JSON Schema (`schema`) and the fuzz targets' bodies
//! (`fuzzing`).
//!
//! Nothing here knows a runtime: a host reads the same cases, and maps its
//! own traps onto `TrapKind` in a table of its own.

pub mod discover;
pub mod fuzzing;
pub mod http;
pub mod load;
pub mod schema;
pub mod sidecar;
pub mod trap;
pub mod types;

pub use discover::{CaseFile, discover};
pub use load::{Event, Loaded, Source};
pub use trap::TrapKind;
pub use types::{BazPreset, Call, Case, Expect, FutureArg, Host, Limits, StreamArg};
