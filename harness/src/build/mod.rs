//! Build: from guest names to a compiled chain. The guests are built once
//! (`guests`), a chain is composed into one component (`compose`), and the
//! compiled result is kept on disk across runs (`cache`). `lockfile` says
//! what the harness itself was built with. A case's own components in the
//! text format are compiled when it runs (`local`).

pub mod cache;
pub mod compose;
pub mod guests;
pub mod local;
pub mod lockfile;
