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
