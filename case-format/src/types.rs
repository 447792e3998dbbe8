//! The case schema: what a case file may say. Every type here is read from
//! TOML by serde (`deny_unknown_fields`, kebab-case keys), and its doc
//! comments are the JSON Schema's descriptions (`schema.rs`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::http;
pub use crate::presets::{BazPreset, Clock, Host, ScriptedPreset};
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
    /// Makes this file a matrix: one test per cell, each the file with its
    /// `${name}` placeholders replaced by the cell's values (see the
    /// README's "Matrices").
    pub matrix: Option<Matrix>,
}

/// The parameters of a matrix file: give `cross` or `cells`. Each test is
/// named `<file>/<name>=<value>,...`, in the parameters' order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Matrix {
    /// One test for every combination of these parameters' values (the
    /// first parameter varies slowest). A value is a string or an integer
    /// of letters, digits, `.`, `_`, `+` and `-`: it is part of the name. A
    /// parameter of integers, used as a whole string (`"${delay}"`), is
    /// an integer there.
    pub cross: Option<BTreeMap<String, Vec<MatrixValue>>>,
    /// Instead of `cross`: the tests one by one, each a table giving every
    /// parameter (the same ones, in the first cell's order) a value.
    pub cells: Option<Vec<MatrixCell>>,
}

/// One cell of `matrix.cells`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct MatrixCell {
    /// This cell's own expectations, written as they are (no placeholders):
    /// each replaces the template's `[expect]` value of that key, which
    /// must be there. Bless writes a cell's new expectations here.
    pub expect: Option<CellExpect>,
    /// The parameters' values.
    #[serde(flatten)]
    pub values: BTreeMap<String, MatrixValue>,
}

/// What a cell's `expect` may replace.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CellExpect {
    pub result: Option<String>,
    pub trap: Option<String>,
    pub transcript: Option<Vec<String>>,
}

/// A matrix parameter's value.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum MatrixValue {
    Text(String),
    Integer(i64),
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
    /// `own<thing>` and `borrow<thing>` parameters of the `things` preset's
    /// resource, by parameter name: the host makes a thing of this name and
    /// passes it. A lent (borrowed) thing stays the host's, which drops it
    /// once the calls have returned. They are not listed in `args`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub resource_args: BTreeMap<String, Spanned<String>>,
}

/// A stream the host writes into a `stream<T>` parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StreamArg {
    /// Chunks of WAVE items (`[['"a"', '"b"'], ['"c"']]`). Each chunk is
    /// offered as one write, cut to the reader's capacity; after the last
    /// one the host drops its write end.
    #[serde(default)]
    #[schemars(with = "Vec<Vec<String>>")]
    pub chunks: Vec<Vec<Spanned<String>>>,
    /// For a payload-less `stream`, instead of `chunks`: how many items each
    /// write offers (`[3, 2]`).
    #[serde(default)]
    pub units: Vec<u32>,
    /// After the chunks (if any) the host neither writes nor drops its end:
    /// a read then stays pending until the guest cancels it or drops.
    #[serde(default)]
    pub pending: bool,
    /// The host drops its end in the same step as it writes the last
    /// items, so the read that takes them ends as DROPPED with their count
    /// rather than COMPLETED. Not with `pending`.
    #[serde(default)]
    pub drop_with_last: bool,
}

/// A future the host resolves for a `future<T>` parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FutureArg {
    /// The WAVE value delivered when the guest reads the future.
    #[schemars(with = "Option<String>")]
    pub value: Option<Spanned<String>>,
    /// Instead of `value`: the host never resolves the future, so a read
    /// stays pending until the guest cancels it or drops the future.
    #[serde(default)]
    pub pending: bool,
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
    /// Once the calls have returned, the host holds nothing for them any
    /// more: no task, subtask, waitable, waitable set, stream or future end
    /// or error context is left in the store (wasmtime: its concurrent-state
    /// table is empty). A leak fails as the outcome line `store holds N
    /// item(s)` where `store empty` was expected.
    #[serde(default)]
    pub store_empty: bool,
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

    /// Every feature's case-file name, in `enabled`'s order.
    pub const NAMES: [&'static str; 4] = ["more-async-builtins", "async-stackful", "error-context", "threading"];

    /// Turn on the feature with this case-file name; `false` when no feature
    /// has the name.
    pub fn turn_on(&mut self, name: &str) -> bool {
        let flag = match name {
            "more-async-builtins" => &mut self.more_async_builtins,
            "async-stackful" => &mut self.async_stackful,
            "error-context" => &mut self.error_context,
            "threading" => &mut self.threading,
            _ => return false,
        };
        *flag = true;
        true
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
