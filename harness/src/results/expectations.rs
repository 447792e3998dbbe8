//! Known failures per host, kept outside the cases (in the style of
//! wasi-testsuite's expectation files) so that a case states what the
//! Component Model requires and a host's file states where that host falls
//! short. `expectations/wasmtime.toml`:
//!
//! ```toml
//! [known-failures]
//! "round-trip/single/async" = "why it fails, with a link to the issue"
//! ```
//!
//! Names are case names relative to a case folder (`cases/` for the default
//! file). Entries are matched to cases by file (and, for a matrix, cell),
//! so running a sub-folder or a single case file still applies them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use toml_edit::{Document, Item, TableLike};

use case_format::Source;
use case_format::discover::CASE_EXTENSIONS;

/// The section that lists known failures; the only key of the file.
const KNOWN_FAILURES: &str = "known-failures";

/// One known failure.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The case name as written in the file.
    pub name: String,
    /// Why the case fails on this host.
    pub reason: String,
    /// `file:line` of the entry, to say which line to delete once it passes.
    pub at: String,
}

/// A host's known failures, by case file.
#[derive(Debug, Default)]
pub struct Expectations {
    by_case: HashMap<(PathBuf, Option<String>), Entry>,
}

impl Expectations {
    /// The default file for `host` in the project at `root`, which must exist
    /// (it may list nothing); its names are relative to `root/cases`.
    pub fn for_host(root: &Path, host: &str) -> Result<Expectations> {
        let file = root.join("expectations").join(format!("{host}.toml"));
        Expectations::load(&file, &root.join("cases"))
    }

    /// Read `file`, whose names are relative to `cases_root`. A name with no
    /// case file is an error naming `file:line`.
    pub fn load(file: &Path, cases_root: &Path) -> Result<Expectations> {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read expectations file {}", file.display()))?;
        let source = Source::new(file.to_owned(), text);
        let doc = Document::parse(source.text.as_str()).map_err(|e| {
            let at = e.span().map_or_else(|| file.display().to_string(), |s| source.at(&s));
            anyhow!("{at}: {}", e.message().trim_end())
        })?;
        let at_key = |table: &dyn TableLike, key: &str| {
            table.key(key).and_then(toml_edit::Key::span).map_or_else(|| file.display().to_string(), |s| source.at(&s))
        };
        let root = doc.as_table();
        if let Some((key, _)) = root.iter().find(|(k, _)| *k != KNOWN_FAILURES) {
            bail!("{}: unknown key `{key}`; an expectations file has only `[{KNOWN_FAILURES}]`", at_key(root, key));
        }
        let mut by_case = HashMap::new();
        let Some(section) = root.get(KNOWN_FAILURES) else {
            return Ok(Expectations { by_case });
        };
        let entries = section.as_table_like().ok_or_else(|| {
            anyhow!("{}: `{KNOWN_FAILURES}` must be a table of case name = reason", at_key(root, KNOWN_FAILURES))
        })?;
        for (name, value) in entries.iter() {
            let at = at_key(entries, name);
            let reason = match value {
                Item::Value(v) => v.as_str().map(str::trim).filter(|r| !r.is_empty()),
                _ => None,
            }
            .ok_or_else(|| anyhow!("{at}: the entry for `{name}` needs a reason: a non-empty string"))?;
            let case = case_file(cases_root, name)
                .map_err(|tried| anyhow!("{at}: unknown case `{name}`: there is no {}", tried.join(" or ")))?;
            // `path:line`, without the column: the whole line is what goes.
            let line = at.rsplit_once(':').map_or(at.as_str(), |(line, _col)| line);
            by_case.insert(case, Entry { name: name.to_string(), reason: reason.to_string(), at: line.to_string() });
        }
        Ok(Expectations { by_case })
    }

    /// The entry for the case in `case_file` (its `cell`, for a matrix),
    /// if it is a known failure.
    pub fn lookup(&self, case_file: &Path, cell: Option<&str>) -> Option<&Entry> {
        if self.by_case.is_empty() {
            return None;
        }
        self.by_case.get(&(case_file.canonicalize().ok()?, cell.map(str::to_string)))
    }
}

/// The case a name stands for: `<name>.toml` or `<name>.wast` (discovery
/// refuses both at once), or the cell `<label>` of the matrix file
/// `<file>.toml` for `<file>/<label>`. `Err` lists what was tried.
fn case_file(cases_root: &Path, name: &str) -> Result<(PathBuf, Option<String>), Vec<String>> {
    let candidates = CASE_EXTENSIONS.map(|ext| cases_root.join(format!("{name}.{ext}")));
    if let Some(found) = candidates.iter().find_map(|c| c.canonicalize().ok()) {
        // A matrix file is no test of its own: an entry for it would match nothing.
        let labels = std::fs::read_to_string(&found).ok().and_then(|t| case_format::matrix::labels(&t));
        if let Some(first) = labels.as_ref().and_then(|l| l.first()) {
            return Err(vec![format!(
                "test of that name: {} is a matrix, whose tests are its cells, e.g. `{name}/{first}`",
                found.display()
            )]);
        }
        return Ok((found, None));
    }
    let mut tried: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
    if let Some((file, label)) = name.rsplit_once('/') {
        let matrix = cases_root.join(format!("{file}.toml"));
        let labels = std::fs::read_to_string(&matrix).ok().and_then(|t| case_format::matrix::labels(&t));
        if labels.is_some_and(|l| l.iter().any(|l| l == label))
            && let Ok(found) = matrix.canonicalize()
        {
            return Ok((found, Some(label.to_string())));
        }
        tried.push(format!("cell `{label}` of the matrix {}", matrix.display()));
    }
    Err(tried)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A case folder with two case files and an expectations file, in a
    /// temp dir that goes when the returned guard does.
    fn setup(expectations: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let cases = dir.path().join("cases");
        std::fs::create_dir_all(cases.join("sub")).unwrap();
        std::fs::write(cases.join("a.toml"), "").unwrap();
        std::fs::write(cases.join("sub/b.toml"), "").unwrap();
        std::fs::write(cases.join("sub/c.wast"), "").unwrap();
        let file = dir.path().join("host.toml");
        std::fs::write(&file, expectations).unwrap();
        (dir, file, cases)
    }

    /// The error loading `text` gives, after the file name it starts with;
    /// the cases folder's path reads as `CASES`.
    fn error(text: &str) -> String {
        let (_dir, file, cases) = setup(text);
        let e = Expectations::load(&file, &cases).unwrap_err().to_string();
        let file = file.display().to_string();
        assert!(e.starts_with(&file), "error does not name the file: {e}");
        e[file.len()..].replace(&cases.display().to_string(), "CASES")
    }

    #[test]
    fn entries_match_case_files_and_remember_their_line() {
        let (_dir, file, cases) =
            setup("# known failures\n[known-failures]\na = \"reason a\"\n\n\"sub/b\" = \"reason b\"\n");
        let exp = Expectations::load(&file, &cases).unwrap();
        let b = exp.lookup(&cases.join("sub/../sub/b.toml"), None).expect("sub/b is listed");
        assert_eq!((b.name.as_str(), b.reason.as_str()), ("sub/b", "reason b"));
        assert_eq!(b.at, format!("{}:5", file.display()));
        assert_eq!(exp.lookup(&cases.join("a.toml"), None).unwrap().at, format!("{}:3", file.display()));
        assert!(exp.lookup(&file, None).is_none());
        assert!(exp.lookup(&cases.join("sub/c.wast"), None).is_none());
    }

    #[test]
    fn wast_scripts_are_found_by_name_too() {
        let (_dir, file, cases) = setup("[known-failures]\n\"sub/c\" = \"reason c\"\n");
        let exp = Expectations::load(&file, &cases).unwrap();
        assert_eq!(exp.lookup(&cases.join("sub/c.wast"), None).unwrap().reason, "reason c");
    }

    #[test]
    fn an_empty_file_lists_nothing() {
        let (_dir, file, cases) = setup("# nothing fails\n");
        assert!(Expectations::load(&file, &cases).unwrap().lookup(&cases.join("a.toml"), None).is_none());
    }

    #[test]
    fn bad_entries_name_their_line() {
        assert_eq!(
            error("[known-failures]\na = \"r\"\nnope = \"r\"\n"),
            ":3:1: unknown case `nope`: there is no CASES/nope.toml or CASES/nope.wast"
        );
        let (_dir, file, cases) = setup("[known-failures]\n\"m\" = \"r\"\n");
        std::fs::write(cases.join("m.toml"), "[matrix.cross]\nx = [1, 2]\n").unwrap();
        let e = Expectations::load(&file, &cases).unwrap_err().to_string();
        assert!(e.ends_with("m.toml is a matrix, whose tests are its cells, e.g. `m/x=1`"), "{e}");
        assert_eq!(
            error("[known-failures]\n\"sub/b/x=1\" = \"r\"\n"),
            ":2:1: unknown case `sub/b/x=1`: there is no CASES/sub/b/x=1.toml or CASES/sub/b/x=1.wast or \
             cell `x=1` of the matrix CASES/sub/b.toml"
        );
        assert_eq!(
            error("[known-failures]\n\na = \"  \"\n"),
            ":3:1: the entry for `a` needs a reason: a non-empty string"
        );
        assert!(error("[known-failure]\na = \"r\"\n").starts_with(":1:2: unknown key `known-failure`"));
        assert!(error("[known-failures]\na = \n").starts_with(":2:"));
    }
}
