//! Find case files. Nothing is built here, and only a file that mentions
//! a matrix is parsed (its cells are its tests), so `--list` and nextest's
//! one-process-per-test runs stay cheap.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use walkdir::WalkDir;

/// The extensions of case files: this crate's TOML scenarios, and `.wast`
/// scripts in the component-model repository's test format.
pub const CASE_EXTENSIONS: [&str; 2] = ["toml", "wast"];

/// A case file and the test name derived from it; for a matrix file, one
/// of its cells.
#[derive(Debug, Clone)]
pub struct CaseFile {
    /// `/`-separated path relative to the folder searched, without its
    /// extension (e.g. `round-trip/async-over-sync`); for a matrix cell,
    /// followed by `/` and the cell's label (`round-trip/pairs/root=async,next=sync`).
    pub name: String,
    pub path: PathBuf,
    /// The cell's label, for one cell of a matrix file.
    pub cell: Option<String>,
}

impl CaseFile {
    /// A `.wast` script rather than a TOML scenario.
    pub fn is_wast(&self) -> bool {
        is_wast(&self.path)
    }
}

/// Whether `path` names a `.wast` script.
pub fn is_wast(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "wast")
}

/// Every `*.toml` and `*.wast` below each root (a folder, or a single case
/// file), sorted by name. Finding none is an error: a suite that runs nothing
/// must not pass. A `.toml` and a `.wast` with one name are two files with
/// one test name, which is an error like any other such pair.
pub fn discover(roots: &[PathBuf]) -> Result<Vec<CaseFile>> {
    let mut found = Vec::new();
    for root in roots {
        if root.is_file() {
            push(&mut found, name_of(root, root.parent().unwrap_or(Path::new(""))), root);
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
            // A symlinked folder is not followed (a case never reads outside
            // the cases), but listed, so that it fails by name too.
            let linked_folder = entry.path_is_symlink() && path.is_dir();
            if linked_folder || file && path.extension().is_some_and(|e| CASE_EXTENSIONS.iter().any(|x| e == *x)) {
                push(&mut found, name_of(path, root), path);
            }
        }
    }
    if found.is_empty() {
        let roots: Vec<_> = roots.iter().map(|r| r.display().to_string()).collect();
        bail!("no case files (*.toml, *.wast) found in {}", roots.join(", "));
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(w) = found.windows(2).find(|w| w[0].name == w[1].name) {
        bail!("two case files have the test name `{}`: {} and {}", w[0].name, w[0].path.display(), w[1].path.display());
    }
    Ok(found)
}

/// A case file, or each cell of a matrix file. Only files that mention a
/// matrix are read, so listing stays cheap.
fn push(found: &mut Vec<CaseFile>, name: String, path: &Path) {
    let regular = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    let text = if regular && !is_wast(path) { std::fs::read_to_string(path).ok() } else { None };
    match text.as_deref().and_then(crate::matrix::labels) {
        Some(labels) => found.extend(labels.into_iter().map(|label| CaseFile {
            name: format!("{name}/{label}"),
            path: path.to_owned(),
            cell: Some(label),
        })),
        None => found.push(CaseFile { name, path: path.to_owned(), cell: None }),
    }
}

fn name_of(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path).with_extension("");
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, rel: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "").unwrap();
    }

    #[test]
    fn wast_scripts_are_cases_named_like_toml_ones() {
        let dir = tempfile::tempdir().unwrap();
        for rel in ["b.toml", "wast/a.wast", "wast/notes.md", "a.wat"] {
            touch(dir.path(), rel);
        }
        let found = discover(&[dir.path().to_owned()]).unwrap();
        let names: Vec<_> = found.iter().map(|f| (f.name.as_str(), f.is_wast())).collect();
        assert_eq!(names, [("b", false), ("wast/a", true)]);
    }

    #[test]
    fn a_toml_and_a_wast_with_one_name_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "x/same.toml");
        touch(dir.path(), "x/same.wast");
        let e = discover(&[dir.path().to_owned()]).unwrap_err().to_string();
        assert!(e.starts_with("two case files have the test name `x/same`"), "{e}");
    }

    #[test]
    fn finding_nothing_names_both_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let e = discover(&[dir.path().to_owned()]).unwrap_err().to_string();
        assert!(e.starts_with("no case files (*.toml, *.wast) found in"), "{e}");
    }
}
