//! The `[host]` table: parameters of the host presets a case's chain
//! imports, and the clock their sleeps run on.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// Host preset parameters, one table per preset.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Host {
    /// The demo's `local:local/baz#foo` import (and a world-level `foo`).
    #[serde(default)]
    pub baz: BazPreset,
    /// `local:local/scripted`, for the last scripted guest of a chain.
    #[serde(default)]
    pub scripted: ScriptedPreset,
    /// The clock the presets' sleeps (`delay-ms`) run on.
    #[serde(default)]
    pub clock: Clock,
}

/// `virtual` (the default): a sleep ends as soon as nothing else can run,
/// so delays cost no wall time and sleeps end in the order of their
/// deadlines; while the chain keeps working, the clock still runs at least
/// as fast as real time. `real`: the presets wait for real. Either way the
/// time limit (`limits.timeout-ms`) is wall-clock time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Clock {
    #[default]
    Virtual,
    Real,
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
    /// are given: `drop` it at once (default), `read` it to its end
    /// (recording what arrived) before returning, or `read-once`: take one
    /// write's items, then drop it.
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
    /// Take the items of one write, then drop the end (a stream's writer
    /// sees DROPPED with their count).
    ReadOnce,
}

/// Which instance `reenter` calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReenterInto {
    #[default]
    Root,
    SecondInstance,
}

/// `local:local/baz#foo`, and the world-level import `foo`: appends ` -
/// entered host`, sleeps without blocking the thread, appends ` - exited
/// host`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BazPreset {
    /// How long the host sleeps inside each call, in milliseconds.
    #[serde(default = "ten")]
    pub delay_ms: u64,
}

impl Default for BazPreset {
    fn default() -> Self {
        BazPreset { delay_ms: 10 }
    }
}

fn ten() -> u64 {
    10
}
