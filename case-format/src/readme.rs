//! Sections of the README that are generated from what the code knows (the
//! coverage table, the scripted guest's steps), so they cannot go stale: a
//! test compares each with what its generator gives.

use anyhow::{Result, bail};

/// `readme` with the text between the `begin` and `end` marker lines
/// replaced by `section`. Both markers must be there, once each, in order.
pub fn splice(readme: &str, begin: &str, end: &str, section: &str) -> Result<String> {
    let (Some(start), Some(stop)) = (readme.find(begin), readme.find(end)) else {
        bail!("README.md lacks the `{begin}` and `{end}` lines around a generated section");
    };
    if readme.matches(begin).count() != 1 || readme.matches(end).count() != 1 || stop < start {
        bail!("README.md must have `{begin}` once, followed by `{end}` once");
    }
    let inner = start + begin.len();
    Ok(format!("{}\n{section}{}", &readme[..inner], &readme[stop..]))
}
