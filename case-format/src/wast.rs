//! What a `.wast` script's opening `;;` comments say: the first is its
//! description (what a TOML case says in `description`), and a
//! `;; config: NAME ...` line turns on runtime features beyond the ones every
//! script gets, named as in a TOML case's `[config]` table.

use std::path::Path;

use anyhow::{Result, bail};

use crate::Features;

/// A script's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WastHeader {
    /// The first `;;` line, trimmed; `None` when the file does not start
    /// with one or it is empty.
    pub description: Option<String>,
    /// The features to run the script with.
    pub config: Features,
}

/// The features every script gets. Threading stays off unless a script asks
/// for it, so a script written for the features it names keeps meaning the
/// same when another one needs threading.
pub fn default_config() -> Features {
    Features { more_async_builtins: true, async_stackful: true, error_context: true, threading: false }
}

/// Features named in `list` (as in `;; config:`, separated by spaces or
/// commas), turned on in `into`; the error names the unknown one. `harness
/// run --wast-config` uses it for scripts that cannot carry a header line
/// (another repository's).
pub fn turn_on_names(into: &mut Features, list: &str) -> Result<(), String> {
    let names: Vec<&str> = list.split([' ', '\t', ',']).filter(|n| !n.is_empty()).collect();
    if names.is_empty() {
        return Err(format!("no feature named; known: {}", Features::NAMES.join(", ")));
    }
    for name in names {
        if !into.turn_on(name) {
            return Err(format!("unknown feature `{name}`; known: {}", Features::NAMES.join(", ")));
        }
    }
    Ok(())
}

/// Read the header of the script at `path` (named in errors) from `text`.
/// Only the comment lines before the first other line count, so the switch
/// is seen before any component is.
pub fn header(path: &Path, text: &str) -> Result<WastHeader> {
    let mut config = default_config();
    let mut description = None;
    for (index, line) in text.lines().enumerate() {
        let Some(comment) = line.trim_start().strip_prefix(";;") else { break };
        let comment = comment.trim();
        if index == 0 {
            description = Some(comment.to_string()).filter(|d| !d.is_empty());
        }
        let Some(names) = comment.strip_prefix("config:") else { continue };
        if let Err(e) = turn_on_names(&mut config, names) {
            bail!("{}:{}: `;; config:`: {e}", path.display(), index + 1);
        }
    }
    Ok(WastHeader { description, config })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<WastHeader> {
        header(Path::new("cases/x.wast"), text)
    }

    #[test]
    fn without_a_config_line_a_script_gets_the_defaults() {
        let h = parse(";; checks a rule\n(component)\n").unwrap();
        assert_eq!(h.description.as_deref(), Some("checks a rule"));
        assert_eq!(h.config, default_config());
        assert!(!h.config.threading);
    }

    #[test]
    fn a_config_line_adds_features_to_the_defaults() {
        let h = parse(";; checks a rule\n;; config: threading\n(component)\n").unwrap();
        assert!(h.config.threading && h.config.async_stackful && h.config.more_async_builtins);
        assert_eq!(h.config.enabled(), Features::NAMES);
    }

    #[test]
    fn only_the_opening_comments_count() {
        let h = parse(";; checks\n(component)\n;; config: threading\n").unwrap();
        assert!(!h.config.threading);
        assert_eq!(parse("(component)\n;; x\n").unwrap().description, None);
    }

    #[test]
    fn an_unknown_or_missing_name_is_an_error_naming_the_line() {
        let e = parse(";; checks\n;; config: threads\n").unwrap_err().to_string();
        assert!(e.starts_with("cases/x.wast:2: `;; config:`: unknown feature `threads`"), "{e}");
        assert!(e.contains("threading"), "{e}");
        let e = parse(";; checks\n;; config:\n").unwrap_err().to_string();
        assert!(e.starts_with("cases/x.wast:2: `;; config:`: no feature named"), "{e}");
    }
}
