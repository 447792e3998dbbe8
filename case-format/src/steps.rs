//! The scripted guest's steps: every operation a script may use, with its
//! arguments and what it does (the README's table is generated from here).
//! `script.rs` checks scripts against it.

/// What a step's words after the operation must be.
#[derive(Clone, Copy)]
pub enum Arg {
    /// A handle name the step defines (`set-new ws`, `... as s1`).
    Define,
    /// A handle name defined by an earlier step of the same script.
    Use,
    /// A word of text (quote it to include spaces).
    Text,
    /// A script of the case, or any text for `foo` (checked per step).
    Target,
    /// A function: `run`, `run-sync`, `run-lifted-sync` or `foo`.
    Function,
    /// An unsigned 32-bit number.
    Number,
    /// The word `as`.
    As,
}

/// Steps on built-ins a runtime may keep behind a flag, with the flag.
pub const GATED: &[(&str, &str)] = &[
    ("cancel-async", "more-async-builtins"),
    ("stream-write-sync", "more-async-builtins"),
    ("stream-read-sync", "more-async-builtins"),
    ("stream-cancel-read-async", "more-async-builtins"),
    ("stream-cancel-write-async", "more-async-builtins"),
    ("call-async-stackful", "async-stackful"),
    ("call-sync-stackful", "async-stackful"),
];

/// Every step: its operation, its arguments, and what it does.
pub const STEPS: &[(&str, &[Arg], &str)] = {
    use Arg::*;
    &[
        ("record", &[Text], "record `<script>: TEXT` in the transcript"),
        ("repeat", &[Number], "take STEP N times (a step that defines no handle and does not hand control back)"),
        (
            "call-async",
            &[Function, Target, As, Define],
            "async-lower a call of `run SCRIPT` or `run-lifted-sync SCRIPT` (the next scripted guest) or `foo TEXT` (the baz import); records the state it returns, and the result if RETURNED",
        ),
        (
            "call-sync",
            &[Function, Target],
            "sync-lower a call of `run`, `run-sync` or `run-lifted-sync SCRIPT`, or `foo TEXT`; records the result",
        ),
        (
            "call-async-with-stream",
            &[Target, Use, As, Define],
            "async-lower `run-with-stream SCRIPT`, passing the readable end READABLE (the callee calls it `input`)",
        ),
        ("call-sync-with-stream", &[Target, Use], "sync-lower `run-with-stream SCRIPT`, passing a readable end"),
        (
            "call-async-with-future",
            &[Target, Use, As, Define],
            "async-lower `run-with-future SCRIPT`, passing the readable end of a future (the callee calls it `input`)",
        ),
        ("call-sync-with-future", &[Target, Use], "sync-lower `run-with-future SCRIPT`, passing a readable end"),
        ("stream-new", &[Define, Define], "stream.new for `stream<u8>`: names the READABLE and WRITABLE ends"),
        (
            "stream-from-host",
            &[Text, Define],
            "sync-lower `host-ends#stream-of TEXT`: names the stream<u8> end it returns",
        ),
        (
            "future-from-host",
            &[Text, Define],
            "sync-lower `host-ends#future-of TEXT`: names the future<string> end it returns",
        ),
        (
            "stream-write",
            &[Use, Text],
            "stream.write (async) of TEXT's bytes; records the copy result: BLOCKED, or COMPLETED/DROPPED/CANCELLED with the count",
        ),
        (
            "stream-read",
            &[Use, Number],
            "stream.read (async) of up to N bytes; records the copy result and the bytes read",
        ),
        ("stream-write-await", &[Use, Text], "`stream-write`; if BLOCKED, waits for its event; records the result"),
        ("stream-read-await", &[Use, Number], "`stream-read`; if BLOCKED, waits for its event; records the result"),
        ("stream-cancel-read", &[Use], "stream.cancel-read (sync); records the copy result and any bytes read"),
        ("stream-cancel-write", &[Use], "stream.cancel-write (sync); records the copy result"),
        ("stream-drop-readable", &[Use], "stream.drop-readable"),
        ("stream-drop-writable", &[Use], "stream.drop-writable"),
        ("future-new", &[Define, Define], "future.new for `future<string>`: names the READABLE and WRITABLE ends"),
        ("future-write", &[Use, Text], "future.write (async) of TEXT; records the copy result"),
        ("future-read", &[Use], "future.read (async); records the copy result and the value"),
        ("future-write-await", &[Use, Text], "`future-write`; if BLOCKED, waits for its event; records the result"),
        ("future-read-await", &[Use], "`future-read`; if BLOCKED, waits for its event; records the result"),
        ("future-cancel-read", &[Use], "future.cancel-read (sync); records the copy result"),
        ("future-cancel-write", &[Use], "future.cancel-write (sync); records the copy result"),
        ("future-drop-readable", &[Use], "future.drop-readable"),
        ("future-drop-writable", &[Use], "future.drop-writable"),
        ("set-new", &[Define], "waitable-set.new"),
        (
            "call-async-stackful",
            &[Target, As, Define],
            "async-lower `scripted-stackful#run SCRIPT`: the next guest-scripted-more, lifted stackful (gated: async-stackful)",
        ),
        ("call-sync-stackful", &[Target], "sync-lower `scripted-stackful#run SCRIPT` (gated: async-stackful)"),
        (
            "cancel-async",
            &[Use],
            "subtask.cancel (async): records BLOCKED, or the state if it resolved at once (gated: more-async-builtins)",
        ),
        (
            "stream-write-sync",
            &[Use, Text],
            "stream.write (sync) on an end this instance made; records the copy result (gated: more-async-builtins)",
        ),
        (
            "stream-read-sync",
            &[Use, Number],
            "stream.read (sync) on an end this instance made; records the copy result and bytes (gated: more-async-builtins)",
        ),
        (
            "stream-cancel-read-async",
            &[Use],
            "stream.cancel-read (async) on an end this instance made (gated: more-async-builtins)",
        ),
        (
            "stream-cancel-write-async",
            &[Use],
            "stream.cancel-write (async) on an end this instance made (gated: more-async-builtins)",
        ),
        ("join", &[Use, Use], "waitable.join(WAITABLE, SET)"),
        ("unjoin", &[Use], "waitable.join(WAITABLE, 0): take it out of its set"),
        ("set-drop", &[Use], "waitable-set.drop"),
        ("wait", &[Use], "waitable-set.wait; records the event"),
        ("wait-cancellable", &[Use], "waitable-set.wait, cancellable; records the event"),
        ("poll", &[Use], "waitable-set.poll; records the event (NONE when nothing is ready)"),
        ("poll-cancellable", &[Use], "waitable-set.poll, cancellable; records the event"),
        ("poll-until", &[Use], "poll; while NONE, thread.yield and poll again; records only the event"),
        ("callback-poll-until", &[Use], "poll; while NONE, YIELD and poll in the next callback; records the event"),
        ("cancel", &[Use], "subtask.cancel (sync); records the state it returns"),
        ("subtask-drop", &[Use], "subtask.drop"),
        ("yield", &[], "thread.yield; records whether it was cancelled (0 or 1)"),
        ("yield-cancellable", &[], "thread.yield, cancellable; records whether it was cancelled"),
        ("yield-until-cancelled", &[], "thread.yield, cancellable, until it reports a cancel; records 1"),
        ("backpressure-inc", &[], "backpressure.inc"),
        ("backpressure-dec", &[], "backpressure.dec"),
        ("return", &[Text], "task.return(TEXT) in `run`; the result of `run-sync`"),
        ("task-cancel", &[], "task.cancel"),
        ("context", &[Number], "context.set(N) then context.get; records what it read"),
        ("context-initial", &[], "records context.get as it was when the task started"),
        ("trap", &[], "execute `unreachable`"),
        ("callback-wait", &[Use], "return WAIT with SET from the callback; the next callback records the event"),
        ("callback-yield", &[], "return YIELD from the callback; the next callback records the event"),
        ("callback-code", &[Number], "return the raw code N from the callback"),
        ("exit", &[], "end the script (return EXIT from the callback)"),
    ]
};

/// The README's table of steps (between `STEPS_BEGIN` and `STEPS_END`).
pub fn steps_table() -> String {
    let mut out = String::from("| step | what it does |\n|---|---|\n");
    for (op, kinds, what) in STEPS {
        let mut usage = vec![*op];
        usage.extend(kinds.iter().map(|k| usage_word(*k)));
        if *op == "repeat" {
            usage.push("STEP...");
        }
        let usage = usage.join(" ").replace('|', "\\|");
        out.push_str(&format!("| `{usage}` | {} |\n", what.replace('|', "\\|")));
    }
    out
}

pub const STEPS_BEGIN: &str = "<!-- steps:begin -->";
pub const STEPS_END: &str = "<!-- steps:end -->";

pub(crate) fn usage_word(kind: Arg) -> &'static str {
    match kind {
        Arg::Define => "NAME",
        Arg::Use => "HANDLE",
        Arg::Text => "TEXT",
        Arg::Target => "SCRIPT|TEXT",
        Arg::Function => "run|run-sync|run-lifted-sync|foo",
        Arg::Number => "N",
        Arg::As => "as",
    }
}
