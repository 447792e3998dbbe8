//! The case schema: what a case file may say. Every type here is read from
//! TOML by serde (`deny_unknown_fields`, kebab-case keys), and its doc
//! comments are the JSON Schema's descriptions (`schema.rs`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::http;
use crate::trap::TrapKind;

/// One scenario: which guests to compose, what to call, what must happen.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Case {
    /// One sentence saying what the scenario checks and why it matters.
    pub description: String,
    /// Components, root (the component that is called) first. Each one's
    /// imports are satisfied by the next one's exports; the last one's imports
    /// by the host. An entry is a guest's name, a name in `[components]`, or
    /// the path of a `.wat` file relative to the case's folder (e.g.
    /// `./bad-return.wat`; no `..`).
    #[schemars(with = "Vec<String>", length(min = 1))]
    pub chain: Vec<Spanned<String>>,
    /// The export to call and its arguments. A case has either `call` or
    /// `http`.
    pub call: Option<Call>,
    /// Instead of `call`: an HTTP request to the chain's
    /// `wasi:http/handler@0.3.0` export (see `case::http`).
    #[schemars(with = "Option<http::HttpRequest>")]
    pub http: Option<Spanned<http::HttpRequest>>,
    /// What must be observed.
    pub expect: Expect,
    /// Parameters of the host presets that implement the chain's imports.
    #[serde(default)]
    pub host: Host,
    /// Resource limits for this case.
    #[serde(default)]
    pub limits: Limits,
    /// Runtime features behind flags that this case needs, e.g.
    /// `more-async-builtins`. Each combination gets an engine of its own;
    /// the report records what a case turned on.
    #[serde(default)]
    pub config: Features,
    /// Scripts for the scripted guest, by name: each a list of steps (see
    /// the README's "The scripted guest"). `call.script` names the one the
    /// root runs; a script's calls name the ones the next component runs.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    pub scripts: BTreeMap<String, Vec<Spanned<String>>>,
    /// Components written in the text format (WAT) inside the case, by name,
    /// for misuse no guest can express; `chain` names them. A name may not
    /// be a guest's, and each must be used in `chain`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub components: BTreeMap<String, Spanned<String>>,
}

/// Most calls `call.concurrent` may start at once (the schema says the same).
pub const MAX_CONCURRENT: u32 = 100;

/// The call the host makes into the root of the chain.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Call {
    /// `interface#function` (e.g. `local:local/baz#foo`), or a bare name for
    /// a function exported at the top level of the component.
    #[schemars(with = "String")]
    pub function: Spanned<String>,
    /// One WAVE value per parameter, in order (e.g. `'"hello"'` for a string).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub args: Vec<Spanned<String>>,
    /// Instead of `args`, for the scripted guest: the name of the script in
    /// `[scripts]` the root runs. The host passes the script bundle as the
    /// function's one string argument.
    #[schemars(with = "Option<String>")]
    pub script: Option<Spanned<String>>,
    /// How many identical calls to start at once into one instance (at most
    /// 100). Each one must meet `expect`.
    #[serde(default = "one")]
    #[schemars(with = "u32", range(min = 1, max = 100))]
    pub concurrent: Spanned<u32>,
    /// After the call ends, however it ends, the host calls the same
    /// function once more with the same arguments on the same instance, and
    /// checks that second call against `expect.again-trap` or
    /// `expect.again-result`: e.g. that a trapped instance stays poisoned.
    #[serde(default)]
    pub again: bool,
    /// `stream<T>` parameters, by parameter name: what the host writes. They
    /// are not listed in `args`.
    #[serde(default)]
    pub stream_args: BTreeMap<String, StreamArg>,
    /// `future<T>` parameters, by parameter name: what the host resolves them
    /// with. They are not listed in `args`.
    #[serde(default)]
    pub future_args: BTreeMap<String, FutureArg>,
}

/// A stream the host writes into a `stream<T>` parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StreamArg {
    /// Chunks of WAVE items (`[['"a"', '"b"'], ['"c"']]`). Each chunk is
    /// offered as one write, cut to the reader's capacity; after the last
    /// one the host drops its write end.
    #[schemars(with = "Vec<Vec<String>>")]
    pub chunks: Vec<Vec<Spanned<String>>>,
    /// After the last chunk the host keeps its write end open and writes
    /// nothing more: a read then waits until the reader cancels it.
    #[serde(default)]
    pub hold: bool,
}

/// A future the host resolves for a `future<T>` parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FutureArg {
    /// The WAVE value delivered when the guest reads the future. Omitted:
    /// the host never resolves it, so a read waits until the reader cancels
    /// it.
    #[schemars(with = "Option<String>")]
    pub value: Option<Spanned<String>>,
}

/// The expected outcome. At most one of `result`, `trap` and `limit` may be
/// given; none means the function returns nothing.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Expect {
    /// The function's result as WAVE text, compared after normalising both
    /// sides through the result type (so `"a"` and `"\u{61}"` are equal).
    #[schemars(with = "Option<String>")]
    pub result: Option<Spanned<String>>,
    /// The kind of trap the call must end in, named after the rule that
    /// traps (e.g. `cannot-block-sync-task`; the list is `TrapKind` in the
    /// case-format crate), matched by kind, never by message text. With
    /// `concurrent` > 1 it is expected once: the first trap ends the store,
    /// and with it every call.
    #[serde(default)]
    #[schemars(schema_with = "trap_kind_schema")]
    pub trap: Option<Spanned<String>>,
    /// With `call.again`: the kind of trap the second call must end in.
    #[serde(default)]
    #[schemars(schema_with = "trap_kind_schema")]
    pub again_trap: Option<Spanned<String>>,
    /// With `call.again`: the second call's result as WAVE text.
    #[schemars(with = "Option<String>")]
    pub again_result: Option<Spanned<String>>,
    /// Instead of `result` or `trap`: the limit the case must run into,
    /// by its `[limits]` key (`timeout-ms`, `memory-bytes`, `host-bytes`,
    /// ...), to prove that a deadlock or a runaway guest is caught. With
    /// `concurrent` > 1 it is expected once: it ends the whole store.
    #[serde(default)]
    #[schemars(schema_with = "limit_key_schema")]
    pub limit: Option<Spanned<String>>,
    /// The transcript: the ordered events observed while the case ran, one
    /// string per event (see the README's "Transcripts"). Omitted (and no
    /// `transcript-file`): not checked.
    #[schemars(with = "Option<Vec<String>>")]
    pub transcript: Option<Vec<Spanned<String>>>,
    /// The transcript in a sidecar file next to the case, one event per line,
    /// for long transcripts. Mutually exclusive with `transcript`. A path
    /// relative to the case's folder, without `..`, to a regular file that
    /// is not a `.toml`.
    #[schemars(with = "Option<String>")]
    pub transcript_file: Option<Spanned<String>>,
}

impl Expect {
    /// The expected trap's kind; `load` has checked that the name is one.
    pub fn trap_kind(&self) -> Option<TrapKind> {
        self.trap.as_ref().and_then(|t| TrapKind::from_name(t.get_ref()))
    }
}

/// Component Model features that runtimes keep behind flags (wasmtime 48:
/// `Config::wasm_component_model_*`). All off unless a case turns them on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Features {
    /// Async `subtask.cancel`, sync stream and future reads and writes, async
    /// stream and future cancels (the scripted guest's gated steps need
    /// `guest-scripted-more`).
    #[serde(default)]
    pub more_async_builtins: bool,
    /// Async lifts without a callback (stackful).
    #[serde(default)]
    pub async_stackful: bool,
    /// `error-context` values and built-ins.
    #[serde(default)]
    pub error_context: bool,
    /// Threads (`thread.*` beyond `yield`, context slot 1).
    #[serde(default)]
    pub threading: bool,
}

impl Features {
    /// The features turned on, by their case-file names.
    pub fn enabled(&self) -> Vec<&'static str> {
        let all = [
            (self.more_async_builtins, "more-async-builtins"),
            (self.async_stackful, "async-stackful"),
            (self.error_context, "error-context"),
            (self.threading, "threading"),
        ];
        all.into_iter().filter(|(on, _)| *on).map(|(_, name)| name).collect()
    }
}

/// Host preset parameters, one table per preset.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Host {
    /// The demo's `local:local/baz#foo` import.
    #[serde(default)]
    pub baz: BazPreset,
    /// `local:local/scripted`, for the last scripted guest of a chain.
    #[serde(default)]
    pub scripted: ScriptedPreset,
}

/// `local:local/scripted#run` and `#run-sync` on the host: records `host:
/// run(SCRIPT) enter`, sleeps (`run` only) without blocking the thread,
/// records `host: run(SCRIPT) exit`, and returns the name of the script it
/// was asked to run. A cancelled call records no exit.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScriptedPreset {
    /// How long `run` sleeps, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    /// Instead of returning the script's name, `run` calls back into the
    /// chain: the root's export of this name (`run` or `run-sync`) with the
    /// same script, after the sleep (or at once, before returning to the
    /// caller, with `delay-ms = 0`), and returns its result. This is how a
    /// case re-enters a component instance through the host.
    #[schemars(with = "Option<String>")]
    pub reenter: Option<Spanned<String>>,
    /// With `reenter`: `second-instance` calls the export on a second
    /// instance of the chain, made for the case before the call and in no
    /// call's way, instead of the root (default `root`).
    #[serde(default)]
    pub reenter_into: ReenterInto,
    /// The case ends only once `run` has been called with this script (a
    /// script of the case), however long after the root's call returned: a
    /// guest ends its work after return with `call-sync run SCRIPT`, so the
    /// work is seen. That call records `host: run(SCRIPT) enter` and never
    /// returns. A guest that never makes it runs into `limits.timeout-ms`.
    #[schemars(with = "Option<String>")]
    pub until: Option<Spanned<String>>,
    /// What `run-with-stream` and `run-with-future` do with the end they
    /// are given: `drop` it at once (default), or `read` it to its end
    /// (recording what arrived) before returning.
    #[serde(default)]
    pub ends: EndsMode,
    /// `[A, B]`: `run(A)` returns only after `run(B)` has returned, so a
    /// guest blocked on A is unblocked by another host call.
    #[schemars(with = "Option<(String, String)>")]
    pub blocked_until: Option<Spanned<(String, String)>>,
}

/// What the `scripted` preset does with a readable end it is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EndsMode {
    #[default]
    Drop,
    Read,
}

/// Which instance `reenter` calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReenterInto {
    #[default]
    Root,
    SecondInstance,
}

/// `local:local/baz#foo`: appends ` - entered host`, sleeps without blocking
/// the thread, appends ` - exited host`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BazPreset {
    /// How long the host sleeps inside each call, in milliseconds.
    #[serde(default = "ten")]
    pub delay_ms: u64,
}

impl Default for BazPreset {
    fn default() -> Self {
        BazPreset { delay_ms: ten() }
    }
}

/// Per-case limits; a case that exceeds one fails as "... limit reached" (or
/// "timed out"), the others go on, and the host process is unaffected.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Limits {
    /// Wall-clock limit for instantiating and running the case, in
    /// milliseconds. Enforced both while wasm runs (epoch interruption) and
    /// while the host waits (a stuck event loop is the typical async bug).
    #[serde(default = "ten_seconds")]
    pub timeout_ms: u64,
    /// Linear memory all the chain's instances may hold together, in bytes
    /// (initial sizes included). A `memory.grow` beyond it fails (returns -1
    /// to the guest), and a case that then fails is reported as "memory
    /// limit reached".
    #[serde(default = "sixty_four_mib")]
    pub memory_bytes: u64,
    /// Elements any one table may grow to.
    #[serde(default = "ten_thousand")]
    pub table_elements: u64,
    /// Core instances the store may create. A chain of three Rust guests
    /// needs between 11 and 20.
    #[serde(default = "hundred")]
    pub instances: u64,
    /// Linear memories the store may create.
    #[serde(default = "hundred")]
    pub memories: u64,
    /// Tables the store may create.
    #[serde(default = "hundred")]
    pub tables: u64,
    /// Bytes the host may keep on the guests' behalf for the transcript:
    /// items it reads from their streams and futures, events they record.
    #[serde(default = "sixty_four_mib")]
    pub host_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout_ms: ten_seconds(),
            memory_bytes: sixty_four_mib(),
            table_elements: ten_thousand(),
            instances: hundred(),
            memories: hundred(),
            tables: hundred(),
            host_bytes: sixty_four_mib(),
        }
    }
}

/// The `[limits]` keys a case may expect to reach (`expect.limit`).
pub const LIMIT_KEYS: &[&str] =
    &["timeout-ms", "memory-bytes", "table-elements", "instances", "memories", "tables", "host-bytes"];

/// The limit keys as an enum, so editors can complete them.
fn limit_key_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": LIMIT_KEYS })
}

/// The trap kinds as an enum, so editors can complete them.
fn trap_kind_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": TrapKind::names() })
}

fn one() -> Spanned<u32> {
    Spanned::new(0..0, 1)
}
fn ten() -> u64 {
    10
}
fn ten_seconds() -> u64 {
    10_000
}
fn sixty_four_mib() -> u64 {
    64 << 20
}
fn ten_thousand() -> u64 {
    10_000
}
fn hundred() -> u64 {
    100
}
