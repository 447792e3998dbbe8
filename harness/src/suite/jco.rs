//! Which host a case runs on, and the jco host's share of the suite: each
//! composed chain transpiled once per process (and cached on disk by
//! `build::jco`), each case run in a scratch folder of its own.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Result, bail};
use case_format::{Link, Loaded};

use super::{Chain, Suite, shared};
use crate::exec::{self, Observed};

/// Why no `.wast` script runs on jco: the scripts are read by wasmtime's
/// wast runner, which drives wasmtime's own engine.
pub const WAST_ON_JCO: &str = "a .wast script runs on wasmtime's wast runner only (wasmtime-wast drives wasmtime's \
                               engine); the jco host has no .wast runner";

/// A host the suite can run cases on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    Wasmtime,
    Jco,
}

impl Host {
    pub fn name(self) -> &'static str {
        match self {
            Host::Wasmtime => "wasmtime",
            Host::Jco => "jco",
        }
    }
}

/// The hosts `wasmtime`, `jco` or `all` name (`--host`, `HARNESS_HOST`).
pub fn hosts_from(text: &str) -> Result<Vec<Host>> {
    Ok(match text {
        "wasmtime" => vec![Host::Wasmtime],
        "jco" => vec![Host::Jco],
        "all" => vec![Host::Wasmtime, Host::Jco],
        other => bail!("unknown host `{other}`: give wasmtime, jco or all"),
    })
}

/// The chain as the jco host runs it: `guest-scripted` built without the
/// `cancellable` built-ins, which component-model PR #716 removed and jco
/// 1.35 rejects at transpile (a script using a cancellable step fails there
/// with that reason). Every other entry as the case gives it.
pub fn links(chain: &[Link]) -> Vec<Link> {
    chain
        .iter()
        .map(|link| match link {
            Link::Guest(name) if name == "guest-scripted" => Link::Guest("guest-scripted-no-cancellable".into()),
            other => other.clone(),
        })
        .collect()
}

impl Suite {
    /// Run a loaded case on jco: the chain wasmtime composed (and compiled,
    /// for its types), transpiled, then the driver.
    pub(super) fn run_on_jco(
        &self,
        chain: &Chain,
        loaded: &Loaded,
        path: &Path,
        cell: Option<&str>,
    ) -> Result<Observed> {
        let slot = Arc::clone(self.jco_modules.lock().unwrap().entry(chain.path.clone()).or_default());
        let module = shared(&slot, || self.jco.transpile(&chain.path))?;
        // A folder per case (and cell), so parallel tests never share files.
        let mut hasher = crate::build::cache::StableHasher::new();
        hasher.field(path.to_string_lossy().as_bytes());
        hasher.field(cell.unwrap_or_default().as_bytes());
        let scratch = self.scratch.join(&hasher.hex()[..16]);
        exec::jco::run(&self.jco, &module, chain.pre.component(), loaded, &scratch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jco_runs_the_scripted_guest_without_cancellable() {
        let chain = vec![Link::Guest("guest-scripted".into()), Link::Guest("guest-scripted-more".into())];
        let names: Vec<String> = links(&chain).iter().map(|l| l.name().to_string()).collect();
        assert_eq!(names, ["guest-scripted-no-cancellable", "guest-scripted-more"]);
    }

    #[test]
    fn host_names_parse() {
        assert_eq!(hosts_from("all").unwrap(), vec![Host::Wasmtime, Host::Jco]);
        assert_eq!(hosts_from("jco").unwrap(), vec![Host::Jco]);
        assert!(hosts_from("node").unwrap_err().to_string().contains("wasmtime, jco or all"));
    }
}
