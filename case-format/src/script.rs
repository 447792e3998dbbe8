//! Scripts for the scripted guest (`guests/guest-scripted`): each chain
//! position that runs it gets a named list of steps from the case's
//! `[scripts]` table. A step is one line of words; `'quoted text'` is one
//! word. The steps are checked here, before anything runs, so a typo fails
//! its case naming `file:line:col`; the guest reads the same words.
//!
//! The harness passes the guest a bundle: the name of the script to run on
//! the first line, then every script (`:name`, then its steps, one a line),
//! so a script can hand another one to the next component of the chain.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use toml::Spanned;

use crate::load::Source;
use crate::steps::usage_word;
pub use crate::steps::{Arg, GATED, STEPS, STEPS_BEGIN, STEPS_END, steps_table};

/// The words of a step: `'quoted text'` is one word, without its quotes.
/// `Err` names the problem (an unclosed quote).
pub fn words(step: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = step.trim_start();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let Some(end) = quoted.find('\'') else { return Err("unclosed `'`".into()) };
            out.push(quoted[..end].to_string());
            rest = quoted[end + 1..].trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    Ok(out)
}

/// Check every script of a case: known steps with the right arguments,
/// handles some script defines, scripts named by calls that exist, and gated
/// steps only when the case turns their feature on.
pub fn validate(scripts: &BTreeMap<String, Vec<Spanned<String>>>, enabled: &[&str], src: &Source) -> Result<()> {
    for step in scripts.values().flatten() {
        let op = step.get_ref().split_whitespace().next().unwrap_or_default();
        if let Some((_, feature)) = GATED.iter().find(|(gated, _)| *gated == op)
            && !enabled.contains(feature)
        {
            bail!(
                "{}: `{}` needs `[config] {feature} = true`, and `guest-scripted-more` in the chain (which needs \
                 both more-async-builtins and async-stackful)",
                src.at(&step.span()),
                step.get_ref()
            );
        }
    }
    // Handles belong to the instance, not to a task (one handle table per
    // component instance), so a script may use a handle another script of
    // the case defines; a name no script defines is a typo.
    // `input` is what a `run-with-stream`/`run-with-future` callee calls the
    // end it was given.
    let mut defined = BTreeSet::from(["input".to_string()]);
    for step in scripts.values().flatten() {
        if let Ok(words) = words(step.get_ref()) {
            let kinds =
                STEPS.iter().find(|(op, _, _)| Some(*op) == words.first().map(String::as_str)).map(|(_, k, _)| *k);
            for (word, kind) in words.iter().skip(1).zip(kinds.unwrap_or_default()) {
                if matches!(kind, Arg::Define) {
                    defined.insert(word.clone());
                }
            }
        }
    }
    for (name, steps) in scripts {
        if name.is_empty() || name.contains(char::is_whitespace) || name.starts_with(':') {
            bail!("{}: script name `{name}` must be one word", src.path.display());
        }
        for step in steps {
            check_step(step, scripts, &mut defined.clone())
                .map_err(|e| anyhow::anyhow!("{}: {e}", src.at(&step.span())))?;
        }
    }
    Ok(())
}

fn check_step(
    step: &Spanned<String>,
    scripts: &BTreeMap<String, Vec<Spanned<String>>>,
    defined: &mut BTreeSet<String>,
) -> Result<(), String> {
    let text = step.get_ref();
    if text.contains(['\n', '\r']) {
        return Err(format!("step `{text}` spans lines; one step is one line"));
    }
    let words = words(text).map_err(|e| format!("step `{text}`: {e}"))?;
    let Some((op, args)) = words.split_first() else { return Err("empty step".into()) };
    let Some((_, kinds, _)) = STEPS.iter().find(|(name, _, _)| name == op) else {
        let known: Vec<&str> = STEPS.iter().map(|(n, _, _)| *n).collect();
        return Err(format!("unknown step `{op}`; known steps: {}", known.join(", ")));
    };
    let usage = || {
        let (_, kinds, _) = STEPS.iter().find(|(name, _, _)| name == op).expect("found above");
        let shown: Vec<&str> = std::iter::once(op.as_str()).chain(kinds.iter().map(|k| usage_word(*k))).collect();
        format!("`{}`", shown.join(" "))
    };
    if op == "repeat" {
        let [times, inner @ ..] = args else { return Err(format!("`{text}`: expected `repeat N STEP...`")) };
        if times.parse::<u32>().is_err() {
            return Err(format!("`{text}`: `{times}` is not a number"));
        }
        let inner: Vec<String> =
            inner.iter().map(|w| if w.contains(' ') { format!("'{w}'") } else { w.clone() }).collect();
        let inner = Spanned::new(step.span(), inner.join(" "));
        let first = inner.get_ref().split(' ').next().unwrap_or_default();
        let defines = STEPS.iter().any(|(op, kinds, _)| *op == first && kinds.iter().any(|k| matches!(k, Arg::Define)));
        check_step(&inner, scripts, defined)?;
        if defines
            || ["repeat", "callback-wait", "callback-yield", "callback-code", "callback-poll-until", "exit"]
                .contains(&inner.get_ref().split(' ').next().unwrap_or_default())
        {
            return Err(format!(
                "`{text}`: `repeat` takes a step that defines no handle and does not hand control back"
            ));
        }
        return Ok(());
    }
    let text_rest = matches!(kinds, [Arg::Text]) && op == "record";
    if !text_rest && args.len() != kinds.len() || text_rest && args.is_empty() {
        return Err(format!("`{text}`: expected {}", usage()));
    }
    let function = args.first().map(String::as_str);
    for (arg, kind) in args.iter().zip(kinds.iter()) {
        match kind {
            Arg::Define => {
                defined.insert(arg.clone());
            }
            Arg::Use if !defined.contains(arg) => {
                return Err(format!(
                    "`{text}`: no script defines a handle named `{arg}` (with `set-new {arg}` or `... as {arg}`)"
                ));
            }
            Arg::Function if !["run", "run-sync", "run-lifted-sync", "foo"].contains(&arg.as_str()) => {
                return Err(format!("`{text}`: `{arg}` is not a function; use run, run-sync, run-lifted-sync or foo"));
            }
            Arg::Function if op == "call-async" && arg == "run-sync" => {
                return Err(format!("`{text}`: `run-sync` is not an async function, so it cannot be lowered async"));
            }
            Arg::Target if function != Some("foo") && !scripts.contains_key(arg) => {
                let known: Vec<&str> = scripts.keys().map(String::as_str).collect();
                return Err(format!("`{text}`: no script named `{arg}`; scripts: {}", known.join(", ")));
            }
            Arg::Number if arg.parse::<u32>().is_err() => {
                return Err(format!("`{text}`: `{arg}` is not a number"));
            }
            Arg::As if arg != "as" => return Err(format!("`{text}`: expected {}", usage())),
            _ => {}
        }
    }
    Ok(())
}

/// The bundle that tells the guest to run `script`.
pub fn bundle(scripts: &BTreeMap<String, Vec<Spanned<String>>>, script: &str) -> String {
    let mut out = format!("{script}\n");
    for (name, steps) in scripts {
        out.push_str(&format!(":{name}\n"));
        for step in steps {
            out.push_str(step.get_ref());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(steps: &[&str]) -> Result<(), String> {
        let text = format!("main = [{}]\n", steps.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "));
        let scripts: BTreeMap<String, Vec<Spanned<String>>> = toml::from_str(&text).unwrap();
        let src = Source::new("x.toml".into(), text);
        validate(&scripts, &["more-async-builtins", "async-stackful"], &src).map_err(|e| e.to_string())
    }

    #[test]
    fn good_steps_pass() {
        check(&[
            "set-new ws",
            "call-async run main as s1",
            "join s1 ws",
            "wait ws",
            "record 'two words'",
            "record three loose words",
            "call-sync foo 'any text'",
            "context 7",
            "return done",
        ])
        .unwrap();
    }

    #[test]
    fn bad_steps_name_their_place() {
        let e = check(&["set-new ws", "wiat ws"]).unwrap_err();
        assert!(e.starts_with("x.toml:1:23: unknown step `wiat`; known steps: record, "), "{e}");
        let e = check(&["wait ws"]).unwrap_err();
        assert!(e.contains("no script defines a handle named `ws`"), "{e}");
        let e = check(&["call-async run nowhere as s"]).unwrap_err();
        assert!(e.contains("no script named `nowhere`; scripts: main"), "{e}");
        let e = check(&["call-async run-sync main as s"]).unwrap_err();
        assert!(e.contains("cannot be lowered async"), "{e}");
        let e = check(&["return 'a"]).unwrap_err();
        assert!(e.contains("unclosed"), "{e}");
        let e = check(&["context x"]).unwrap_err();
        assert!(e.contains("`x` is not a number"), "{e}");
        let e = check(&["repeat 2 set-new ws"]).unwrap_err();
        assert!(e.contains("`repeat` takes a step that defines no handle"), "{e}");
        let e = check(&["call-async run main s1"]).unwrap_err();
        assert!(e.contains("expected `call-async run|run-sync|run-lifted-sync|foo SCRIPT|TEXT as NAME`"), "{e}");
    }

    #[test]
    fn bundle_names_the_script_then_lists_all() {
        let mut scripts = BTreeMap::new();
        scripts.insert("a".to_string(), vec![Spanned::new(0..0, "return x".to_string())]);
        scripts.insert("b".to_string(), vec![Spanned::new(0..0, "exit".to_string())]);
        assert_eq!(bundle(&scripts, "b"), "b\n:a\nreturn x\n:b\nexit\n");
    }
}
