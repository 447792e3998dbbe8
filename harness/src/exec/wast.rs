//! Run one `.wast` script, the component-model repository's test format,
//! with `wasmtime-wast`: the runner wasmtime's own suite uses, so a script
//! means here what it means upstream. Each file is one test; the first
//! directive that fails ends it, and the error names that directive as
//! `path:line:col`.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Once, mpsc};
use std::time::Duration;

use anyhow::anyhow;
use wasmtime::{Engine, Trap};
use wasmtime_wast::{Async, WastContext};

use crate::host::EPOCH_TICK;

/// How long a script may run, as for TOML cases without `limits.timeout-ms`.
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Why a script did not pass.
#[derive(Debug)]
pub struct Failure {
    /// Set when the script ran out of time rather than failing a directive.
    pub timed_out: Option<Duration>,
    /// What failed, starting with `path:line:col` of the directive when
    /// wasmtime-wast says which one it was.
    pub error: anyhow::Error,
}

/// Run every directive of the script at `path` on `engine`, which must have
/// the component model, its async features and epoch interruption on.
pub fn run(engine: &Engine, path: &Path, limit: Duration) -> Result<(), Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure {
        timed_out: None,
        error: anyhow::Error::new(e).context(format!("cannot read {}", path.display())),
    })?;
    let name = path.display().to_string();
    let (tx, rx) = mpsc::channel();
    let engine = engine.clone();
    let (script, label) = (text.clone(), name.clone());
    // A thread of its own, so that a script wasmtime never finishes (a hang
    // outside wasm, where epochs do not reach) still ends the test on time;
    // such a thread is left behind, which is why the limit is generous.
    quiet_script_panics();
    std::thread::Builder::new()
        .name(format!("{THREAD_PREFIX}{name}"))
        .spawn(move || {
            let ran = std::panic::catch_unwind(AssertUnwindSafe(|| {
                // Epochs also bound each component's store: wasm that spins
                // without yielding traps with `Trap::Interrupt`.
                let ticks = limit.as_millis().div_ceil(EPOCH_TICK.as_millis()) as u64 + 1;
                // `Async::Yes` as in wasmtime's own `tests/wast.rs`: calls into
                // async-lifted exports need the async API.
                let mut cx = WastContext::new(&engine, Async::Yes, move |store| {
                    store.set_epoch_deadline(ticks);
                    store.epoch_deadline_trap();
                });
                cx.run_wast(&label, script.as_bytes())
            }));
            let ran = ran.map_err(|panic| (panic, PANIC_AT.with(|at| at.borrow_mut().take())));
            let _ = tx.send(ran);
        })
        .map_err(|e| Failure { timed_out: None, error: anyhow::Error::new(e).context("cannot start a thread") })?;
    // Epochs should end a spinning script first; the margin covers
    // compiling the script's components before its last directive starts.
    match rx.recv_timeout(limit * 2) {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(error))) => {
            let interrupted = error.downcast_ref::<Trap>() == Some(&Trap::Interrupt)
                || error.chain().any(|e| e.downcast_ref::<Trap>() == Some(&Trap::Interrupt));
            let located = located(&error, &name, &text);
            if interrupted {
                let error = located.context(format!("timed out after {} ms (the .wast time limit)", limit.as_millis()));
                return Err(Failure { timed_out: Some(limit), error });
            }
            Err(Failure { timed_out: None, error: located })
        }
        Ok(Err((panic, at))) => {
            let at = at.map(|at| format!(" (at {at})")).unwrap_or_default();
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic without a message");
            Err(Failure {
                timed_out: None,
                error: anyhow!("{name}: wasmtime panicked while running the script: {what}{at}"),
            })
        }
        Err(_) => Err(Failure {
            timed_out: Some(limit * 2),
            error: anyhow!("{name}: the script did not finish within {} ms", (limit * 2).as_millis()),
        }),
    }
}

/// Names the threads scripts run on, so the panic hook knows them.
const THREAD_PREFIX: &str = "wast ";

thread_local! {
    /// Where the last panic on this script thread happened, for its report.
    static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A panic inside wasmtime while a script runs is that script's failure,
/// reported with its message and place like any other; the default hook
/// would also print a backtrace into the middle of the test output. Other
/// threads keep the hook they had.
fn quiet_script_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let script = std::thread::current().name().is_some_and(|n| n.starts_with(THREAD_PREFIX));
            if script {
                PANIC_AT.with(|at| *at.borrow_mut() = info.location().map(ToString::to_string));
            } else {
                previous(info);
            }
        }));
    });
}

/// The error with its outermost message, which names the directive by line
/// only (`failed directive on FILE:LINE`), replaced by `FILE:LINE:COL: ...`
/// and the directive's first line. That prefix is the one place
/// wasmtime-wast says which directive failed, so it is read here; any other
/// error (a parse error already says `path:line:col`) is kept as it is.
fn located(error: &wasmtime::Error, name: &str, text: &str) -> anyhow::Error {
    let mut chain: Vec<String> = error.chain().map(|e| without_backtraces(&e.to_string())).collect();
    let line = chain.first().and_then(|outer| directive_line(outer, name));
    let head = match line {
        Some(line) => {
            chain.remove(0);
            let source = text.lines().nth(line as usize - 1).unwrap_or_default();
            let start = directive_start(source);
            let col = source[..start].chars().count() + 1;
            let shown = source[start..].trim_end();
            format!("{name}:{line}:{col}: directive failed: `{shown}`")
        }
        None => chain.remove(0),
    };
    // Innermost cause first, so that `{:#}` and the rendered chain read
    // from the directive down to the root cause.
    let mut out: Option<anyhow::Error> = None;
    for cause in chain.into_iter().rev() {
        out = Some(match out {
            None => anyhow::Error::msg(cause),
            Some(inner) => inner.context(cause),
        });
    }
    match out {
        None => anyhow::Error::msg(head),
        Some(inner) => inner.context(head),
    }
}

/// `text` without the `Stack backtrace:` blocks that wasmtime-wast copies
/// into its messages from `{:?}` of an error (`assert_trap`'s "expected ...,
/// got ..."), when `RUST_BACKTRACE` is set: they show the runner's frames,
/// not the script's.
fn without_backtraces(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_backtrace = false;
    for line in text.lines() {
        if line.trim() == "Stack backtrace:" {
            in_backtrace = true;
            continue;
        }
        if in_backtrace && line.starts_with(char::is_whitespace) {
            continue;
        }
        in_backtrace = false;
        out.push(line);
    }
    // Keep what separated the message from the backtrace out of the end.
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// The line in `failed directive on NAME:LINE` (running a directive) or
/// `failure processing directive on line LINE` (encoding its module).
fn directive_line(outer: &str, name: &str) -> Option<u32> {
    let line = outer
        .strip_prefix("failed directive on ")
        .and_then(|rest| rest.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix(':'))
        .or_else(|| outer.strip_prefix("failure processing directive on line "))?;
    line.trim().parse().ok().filter(|l| *l > 0)
}

/// The byte offset where the directive on `line` starts: the first `(` that
/// opens a directive keyword, or the first thing on the line.
fn directive_start(line: &str) -> usize {
    const KEYWORDS: [&str; 6] = ["assert_", "invoke", "component", "module", "register", "thread"];
    line.match_indices('(')
        .find(|(i, _)| KEYWORDS.iter().any(|k| line[i + 1..].trim_start().starts_with(k)))
        .map(|(i, _)| i)
        .or_else(|| line.find(|c: char| !c.is_whitespace()))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_found_by_line() {
        assert_eq!(directive_line("failed directive on cases/a.wast:12", "cases/a.wast"), Some(12));
        assert_eq!(directive_line("failure processing directive on line 3", "x"), Some(3));
        assert_eq!(directive_line("failed directive on other.wast:12", "cases/a.wast"), None);
        assert_eq!(directive_line("expected `(`", "cases/a.wast"), None);
    }

    #[test]
    fn the_directive_starts_at_its_paren() {
        assert_eq!(directive_start("(assert_return (invoke \"f\") (u32.const 1))"), 0);
        assert_eq!(directive_start("  (assert_trap (invoke \"f\") \"x\")"), 2);
        assert_eq!(directive_start(";; (x) (invoke \"f\")"), 7);
        assert_eq!(directive_start("    foo"), 4);
    }

    #[test]
    fn backtraces_are_left_out() {
        let text = "expected 'x', got 'wasm trap: y\nStack backtrace:\n   0: f\n             at a.rs:1:2\n'";
        assert_eq!(without_backtraces(text), "expected 'x', got 'wasm trap: y\n'");
        assert_eq!(without_backtraces("a\n\nStack backtrace:\n   0: f"), "a");
    }

    #[test]
    fn columns_count_characters() {
        let text = "(component)\n;; é (invoke \"f\")\n";
        let error = wasmtime::Error::msg("no").context("failed directive on x.wast:2");
        assert!(format!("{:#}", located(&error, "x.wast", text)).starts_with("x.wast:2:6: "));
    }

    #[test]
    fn the_outer_message_becomes_a_location() {
        let text = "(component)\n\n  (assert_return (invoke \"f\") (u32.const 1))\n";
        let error = wasmtime::Error::msg("expected 1, got 2").context("failed directive on x.wast:3");
        let shown = format!("{:#}", located(&error, "x.wast", text));
        assert_eq!(
            shown,
            "x.wast:3:3: directive failed: `(assert_return (invoke \"f\") (u32.const 1))`: expected 1, got 2"
        );
    }
}
