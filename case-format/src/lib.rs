//! The case format of the Component Model async conformance harness: what a
//! case file says (`types`, `http`), how it is found (`discover`) and loaded
//! with `path:line:col` errors (`load`), the trap kinds it may expect
//! (`trap`), its JSON Schema (`schema`), the fuzz targets' bodies
//! (`fuzzing`), what a `.wast` script's header asks for (`wast`) and which anchor scenarios the cases cover (`coverage`).
//!
//! Nothing here knows a runtime: a host reads the same cases, and maps its
//! own traps onto `TrapKind` in a table of its own.

pub mod coverage;
pub mod discover;
pub mod fuzzing;
pub mod http;
pub mod load;
pub mod local;
pub mod matrix;
pub mod presets;
pub mod readme;
pub mod schema;
pub mod script;
pub mod sidecar;
pub mod steps;
pub mod trap;
pub mod types;
mod validate;
pub mod wast;

pub use discover::{CaseFile, discover, is_wast};
pub use load::{Event, Loaded, Source};
pub use local::{Link, LocalWat};
pub use presets::{EndsMode, ReenterInto};
pub use trap::TrapKind;
pub use types::{BazPreset, Call, Case, Clock, Expect, Features, FutureArg, Host, Limits, ScriptedPreset, StreamArg};
pub use wast::WastHeader;
