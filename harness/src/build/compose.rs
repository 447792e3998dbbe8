//! Compose a chain of guests into one component with wac-graph.
//! The root comes first; each component's imports are plugged with the next
//! one's exports, and whatever is left (the last guest's imports, WASI) stays
//! an import of the result, for the host to provide.

use anyhow::{Context, Result, bail};
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions};

/// A named component to compose; the name only appears in error messages.
pub struct Part<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Compose `chain` (root first) into a single component.
pub fn compose(chain: &[Part<'_>]) -> Result<Vec<u8>> {
    let Some((last, outer)) = chain.split_last() else {
        bail!("cannot compose an empty chain");
    };
    let mut inner = last.bytes.to_vec();
    let mut inner_name = last.name.to_string();
    // Fold from the innermost outwards: plug the composed tail into the next.
    for socket in outer.iter().rev() {
        inner = plug(socket, &inner, &inner_name)
            .with_context(|| format!("cannot plug `{inner_name}` into `{}`", socket.name))?;
        inner_name = format!("{} → {inner_name}", socket.name);
    }
    Ok(inner)
}

fn plug(socket: &Part<'_>, plug: &[u8], plug_name: &str) -> Result<Vec<u8>> {
    let mut graph = CompositionGraph::new();
    let s = Package::from_bytes("chain:socket", None, socket.bytes.to_vec(), graph.types_mut())
        .with_context(|| format!("`{}` is not a valid component", socket.name))?;
    let p = Package::from_bytes("chain:plug", None, plug.to_vec(), graph.types_mut())
        .with_context(|| format!("`{plug_name}` is not a valid component"))?;
    let s = graph.register_package(s)?;
    let p = graph.register_package(p)?;
    wac_graph::plug(&mut graph, vec![p], s).map_err(|e| match e {
        wac_graph::PlugError::NoPlugHappened => anyhow::anyhow!(
            "none of `{plug_name}`'s exports matches an import of `{}`; \
             the chain's imports and exports do not fit",
            socket.name
        ),
        other => anyhow::Error::new(other),
    })?;
    graph.encode(EncodeOptions::default()).context("cannot encode the composition")
}
