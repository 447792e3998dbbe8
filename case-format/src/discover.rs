//! Find case files. Nothing is parsed or built here, so `--list`
//! and nextest's one-process-per-test runs stay cheap.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use walkdir::WalkDir;

/// A case file and the test name derived from it.
#[derive(Debug, Clone)]
pub struct CaseFile {
    /// `/`-separated path relative to the folder searched, without `.toml`
    /// (e.g. `round-trip/async-over-sync`).
    pub name: String,
    pub path: PathBuf,
}

/// Every `*.toml` below each root (a folder, or a single case file), sorted by
/// name. Finding none is an error: a suite that runs nothing must not pass.
pub fn discover(roots: &[PathBuf]) -> Result<Vec<CaseFile>> {
    let mut found = Vec::new();
    for root in roots {
        if root.is_file() {
            found.push(CaseFile { name: name_of(root, root.parent().unwrap_or(Path::new(""))), path: root.clone() });
            continue;
        }
        if !root.is_dir() {
            bail!("case path {} does not exist", root.display());
        }
        for entry in WalkDir::new(root).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot walk {}", root.display()))?;
            let path = entry.path();
            // A symlinked case file is listed too, so that loading it fails
            // its test by name instead of it being skipped unseen.
            let file = entry.file_type().is_file() || entry.path_is_symlink();
            if file && path.extension().is_some_and(|e| e == "toml") {
                found.push(CaseFile { name: name_of(path, root), path: path.to_owned() });
            }
        }
    }
    if found.is_empty() {
        let roots: Vec<_> = roots.iter().map(|r| r.display().to_string()).collect();
        bail!("no case files (*.toml) found in {}", roots.join(", "));
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(w) = found.windows(2).find(|w| w[0].name == w[1].name) {
        bail!("two case files have the test name `{}`: {} and {}", w[0].name, w[0].path.display(), w[1].path.display());
    }
    Ok(found)
}

fn name_of(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path).with_extension("");
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}
