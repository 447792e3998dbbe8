//! A case's own components in the text format (`case_format::local`),
//! compiled when the case runs: `wat` takes microseconds for these, so there
//! is nothing to cache but the chain they end up in, which the disk cache
//! keys on their bytes like any guest's.

use anyhow::{Result, anyhow};
use case_format::LocalWat;
use sha2::{Digest as _, Sha256};

/// Longest part of a component's name kept in the inspect copy's file name.
const LABEL_CHARS: usize = 32;

/// A compiled case-local component.
pub struct Compiled {
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`: what identifies it in the chain map, since two
    /// cases may give one local name to different text.
    pub digest: [u8; 32],
    /// A short, file-name-safe label for `target/composed/`: the name the
    /// case gives it and the start of its digest (`bad-return-1f2e3d4c5b6a`).
    pub label: String,
}

/// Compile `wat`; a syntax error names the file and the line and column
/// (the case file's own, for an inline component).
pub fn compile(wat: &LocalWat) -> Result<Compiled> {
    let bytes = wat::Parser::new().parse_str(Some(&wat.path), &wat.text).map_err(|e| {
        let place = if wat.inline {
            format!("[components] {} in {}", wat.name, wat.path.display())
        } else {
            wat.path.display().to_string()
        };
        anyhow!("component `{}` ({place}) is not valid WAT: {e}", wat.name)
    })?;
    let digest: [u8; 32] = Sha256::digest(&bytes).into();
    Ok(Compiled { label: label(&wat.name, &digest), bytes, digest })
}

/// Only `[A-Za-z0-9_-]` of the name, without `./` and `.wat`, cut to
/// `LABEL_CHARS`, then 12 hex digits of the digest, so a label is bounded,
/// safe in any file system and tells two texts of one name apart.
fn label(name: &str, digest: &[u8; 32]) -> String {
    let stem = name.strip_suffix(".wat").unwrap_or(name).trim_start_matches("./");
    let mut safe: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' })
        .take(LABEL_CHARS)
        .collect();
    if safe.is_empty() {
        safe.push_str("wat");
    }
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{safe}-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(name: &str, text: &str) -> LocalWat {
        LocalWat { name: name.into(), path: "cases/x/y.wat".into(), text: text.into(), inline: false }
    }

    #[test]
    fn one_name_with_two_texts_gets_two_digests_and_labels() {
        let a = compile(&local("./same.wat", "(component)")).unwrap();
        let b = compile(&local("./same.wat", "(component (core module))")).unwrap();
        assert_ne!(a.digest, b.digest);
        assert_ne!(a.label, b.label);
        assert!(a.label.starts_with("same-") && a.label.len() == "same-".len() + 12, "{}", a.label);
    }

    #[test]
    fn labels_are_bounded_and_file_name_safe() {
        let long = format!("./sub/{}.wat", "x".repeat(200));
        let label = label(&long, &[0xab; 32]);
        assert_eq!(label.len(), LABEL_CHARS + 13);
        assert!(label.starts_with("sub-xxx") && label.ends_with("-abababababab"), "{label}");
    }

    #[test]
    fn a_syntax_error_names_the_file_and_line() {
        let e = compile(&local("./bad.wat", "(component\n  (core module oops))")).err().unwrap().to_string();
        assert!(e.contains("component `./bad.wat` (cases/x/y.wat) is not valid WAT"), "{e}");
        assert!(e.contains("cases/x/y.wat:2:"), "{e}");
    }
}
