//! The case format of the Component Model async conformance harness: what a
//! case file says (`types`, `http`), how it is found (`discover`) and loaded
//! with `path:line:col` errors (`load`), the trap kinds it may expect
//! (`trap`), its JSON Schema (`schema`), the fuzz targets' bodies
//! (`fuzzing`) and which anchor scenarios the cases cover (`coverage`).
//!
//! Nothing here knows a runtime: a host reads the same cases, and maps its
//! own traps onto `TrapKind` in a table of its own.

pub mod coverage;
pub mod discover;
pub mod fuzzing;
pub mod http;
pub mod load;
pub mod local;
pub mod readme;
pub mod schema;
pub mod script;
pub mod sidecar;
pub mod trap;
pub mod types;
mod validate;

pub use discover::{CaseFile, discover, is_wast};
pub use load::{Event, Loaded, Source};
pub use local::{Link, LocalWat};
pub use trap::TrapKind;
pub use types::{
    BazPreset, Call, Case, EndsMode, Expect, Features, FutureArg, Host, Limits, ReenterInto, ScriptedPreset, StreamArg,
};
