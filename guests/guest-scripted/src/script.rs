//! Reading the bundle the harness passes as the `script` argument:
//!
//! ```text
//! main                 the script to run
//! :main                then every script of the case: its name,
//! call-async run callee as s1
//! wait ws
//! :callee              and its steps, one per line
//! return 'done'
//! ```
//!
//! The harness has already checked every step (the case-format crate), so
//! a malformed one here is a harness bug: it is recorded and the guest traps.

/// A step split into words; `'quoted text'` is one word, without quotes.
pub fn words(step: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = step.trim_start();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let end = quoted.find('\'').unwrap_or(quoted.len());
            out.push(quoted[..end].to_string());
            rest = quoted.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// The bundle: which script to run, and all of them.
pub struct Bundle {
    pub text: String,
    pub run: String,
}

impl Bundle {
    pub fn parse(text: String) -> Bundle {
        let run = text.lines().next().unwrap_or_default().trim().to_string();
        Bundle { text, run }
    }

    /// The steps of the script to run.
    pub fn steps(&self) -> Vec<String> {
        let header = format!(":{}", self.run);
        self.text
            .lines()
            .skip_while(|l| *l != header)
            .skip(1)
            .take_while(|l| !l.starts_with(':'))
            .map(str::to_string)
            .collect()
    }

    /// The same bundle, telling the receiver to run `script`.
    pub fn for_script(&self, script: &str) -> String {
        let rest = self.text.split_once('\n').map_or("", |(_, rest)| rest);
        format!("{script}\n{rest}")
    }
}
