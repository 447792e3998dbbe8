//! Chain entries that are not guests: components in the text format that
//! belong to one case, either a `.wat` file in the case's own folder
//! (`"./bad-return.wat"`) or a named entry of its `[components]` table. They
//! exist for misuse that neither a Rust guest nor the scripted guest can
//! express (a `task.return` of the wrong type, more flat parameters than fit
//! in registers). Names and paths are resolved, and files read, when the case
//! loads, so a mistake fails the case at `path:line:col` before anything is
//! built; the host compiles the text when the case runs.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::load::Source;
use crate::types::Case;

/// One chain entry, resolved.
#[derive(Debug, Clone)]
pub enum Link {
    /// A guest built from `guests/`, by name.
    Guest(String),
    /// A component in the text format that belongs to the case.
    Wat(LocalWat),
}

/// A case-local component's text and where it is written.
#[derive(Debug, Clone)]
pub struct LocalWat {
    /// The chain entry as written: `./bad-return.wat`, or `bad` for
    /// `[components] bad`.
    pub name: String,
    /// The file the text is in: the `.wat` file, or the case file itself.
    pub path: PathBuf,
    /// The text. An inline component's is preceded by the case file's text
    /// up to it, blanked with its line breaks kept, so the positions in a
    /// parse error are those in the case file.
    pub text: String,
    /// Written in `[components]` rather than in a file of its own.
    pub inline: bool,
}

impl Link {
    /// The entry as the case names it, for messages.
    pub fn name(&self) -> &str {
        match self {
            Link::Guest(name) => name,
            Link::Wat(wat) => &wat.name,
        }
    }
}

/// Resolve every chain entry: a `[components]` name first, then a `.wat`
/// path, then a guest. An inline component may not take a guest's name, so
/// that `chain = ["guest-async"]` always means the guest whatever the case
/// defines further down.
pub(crate) fn resolve(
    case: &Case,
    src: &Source,
    known_guests: &BTreeSet<String>,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Vec<Link>> {
    let used: BTreeSet<&str> = case.chain.iter().map(|e| e.get_ref().as_str()).collect();
    for (name, text) in &case.components {
        let at = src.at(&text.span());
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            bail!("{at}: component name `{name}` in [components]: use letters, digits, `-` and `_` only");
        }
        if known_guests.contains(name) {
            bail!("{at}: component `{name}` in [components] has the name of a guest; rename it");
        }
        if !used.contains(name.as_str()) {
            bail!("{at}: component `{name}` in [components] is not named in `chain`");
        }
    }
    let mut links = Vec::new();
    for entry in &case.chain {
        let name = entry.get_ref();
        let at = src.at(&entry.span());
        if let Some(text) = case.components.get(name) {
            let text = inline_text(src, text);
            links.push(Link::Wat(LocalWat { name: name.clone(), path: src.path.clone(), text, inline: true }));
        } else if looks_like_path(name) {
            let path = local_path(name).with_context(|| format!("{at}: chain entry `{name}`"))?;
            let path = src.path.parent().unwrap_or(Path::new("")).join(path);
            let text = read(&path).with_context(|| format!("{at}: cannot read component file {}", path.display()))?;
            links.push(Link::Wat(LocalWat { name: name.clone(), path, text, inline: false }));
        } else if known_guests.contains(name) {
            links.push(Link::Guest(name.clone()));
        } else {
            let components: Vec<&str> = case.components.keys().map(String::as_str).collect();
            bail!(
                "{at}: unknown guest `{name}` in chain; known guests: {}; components of this case: {} \
                 (a `.wat` file in the case's folder is named by its path, e.g. `./{name}.wat`)",
                known_guests.iter().cloned().collect::<Vec<_>>().join(", "),
                if components.is_empty() { "none".to_string() } else { components.join(", ") },
            );
        }
    }
    Ok(links)
}

/// Guest and component names never contain a slash or end in `.wat`.
fn looks_like_path(entry: &str) -> bool {
    entry.ends_with(".wat") || entry.contains('/') || entry.contains('\\')
}

/// A `.wat` path relative to the case's folder, staying inside it: the case
/// folder is the unit that is copied and reviewed, and a path leaving it
/// would make a case depend on files no one looks at with it.
fn local_path(entry: &str) -> Result<PathBuf> {
    if entry.contains('\\') {
        bail!("write paths with `/`");
    }
    let path = Path::new(entry);
    if path.is_absolute() || entry.starts_with('/') {
        bail!("an absolute path; name a `.wat` file relative to the case's folder");
    }
    if let Some(c) = path.components().find(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        let c = c.as_os_str().to_string_lossy();
        bail!("`{c}` leaves the case's folder; a component file must be in it or below it");
    }
    if !entry.ends_with(".wat") || path.file_stem().is_none_or(|s| s.is_empty() || s == ".wat") {
        bail!("a component file's name ends in `.wat`");
    }
    // Without `./`, so messages show the path once, as the file system has it.
    Ok(path.components().filter(|c| matches!(c, Component::Normal(_))).collect())
}

/// The inline text laid out at its place in the case file (see
/// `LocalWat::text`). That works when the value stands in the file as
/// written, which is always so for `'''` literal strings; a basic string
/// with escapes is taken as it is, and its positions count from its start.
fn inline_text(src: &Source, value: &toml::Spanned<String>) -> String {
    let raw = src.text.get(value.span()).unwrap_or("");
    match raw.find(value.get_ref().as_str()) {
        Some(offset) if !value.get_ref().is_empty() => {
            let start = value.span().start + offset;
            let blank: String = src.text[..start].chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
            blank + value.get_ref()
        }
        _ => value.get_ref().clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_in_the_case_folder() {
        assert_eq!(local_path("./bad.wat").unwrap(), Path::new("bad.wat"));
        assert_eq!(local_path("wat/bad.wat").unwrap(), Path::new("wat/bad.wat"));
        for (entry, why) in [
            ("../bad.wat", "`..` leaves"),
            ("a/../../bad.wat", "`..` leaves"),
            ("/tmp/bad.wat", "absolute"),
            ("a\\bad.wat", "with `/`"),
            ("./bad.wasm", "ends in `.wat`"),
            ("./.wat", "ends in `.wat`"),
        ] {
            let e = local_path(entry).unwrap_err().to_string();
            assert!(e.contains(why), "{entry}: {e}");
        }
    }

    #[test]
    fn inline_text_keeps_the_case_files_positions() {
        let text = "a = 1\n[components]\nx = '''\n(component\n  oops)'''\n".to_string();
        let start = text.find("'''").unwrap();
        let value = toml::Spanned::new(start..text.len() - 1, "(component\n  oops)".to_string());
        let src = Source::new("c.toml".into(), text.clone());
        let laid_out = inline_text(&src, &value);
        assert_eq!(laid_out.lines().nth(4), Some("  oops)"));
        assert_eq!(laid_out.len(), text.len() - 4);
    }
}
