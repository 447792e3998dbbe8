//! The checks a case file must pass once it parses: everything that needs
//! no component (WAVE syntax, names, keys that go together), each error
//! naming `path:line:col`. Types are checked against the compiled component
//! on the host.

use anyhow::{Result, bail};
use toml::Spanned;

use crate::load::{Source, excerpt};
use crate::trap::TrapKind;
use crate::types::Case;
use crate::{http, script};

/// An expected trap must name a kind of `TrapKind`.
fn known_trap_kind(trap: Option<&Spanned<String>>, src: &Source) -> Result<()> {
    match trap {
        Some(trap) if TrapKind::from_name(trap.get_ref()).is_none() => bail!(
            "{}: unknown trap kind `{}`; known kinds: {}",
            src.at(&trap.span()),
            trap.get_ref(),
            TrapKind::names().join(", ")
        ),
        _ => Ok(()),
    }
}

impl Case {
    pub(crate) fn validate(&self, src: &Source) -> Result<()> {
        // Each entry is resolved to a guest or a case-local component by
        // `local::resolve`, which reports unknown names.
        if self.chain.is_empty() {
            bail!("{}: `chain` is empty; name at least one guest", src.path.display());
        }
        http::validate(self, src)?;
        script::validate(&self.scripts, &self.config.enabled(), src)?;
        if let Some(reenter) = &self.host.scripted.reenter
            && !["run", "run-sync"].contains(&reenter.get_ref().as_str())
        {
            bail!("{}: `reenter` is `run` or `run-sync`, the root export to call back", src.at(&reenter.span()));
        }
        if let Some(pair) = &self.host.scripted.blocked_until
            && let (a, b) = pair.get_ref()
            && (!self.scripts.contains_key(a) || !self.scripts.contains_key(b) || a == b)
        {
            bail!("{}: `blocked-until` names two different scripts of [scripts]", src.at(&pair.span()));
        }
        if let Some(until) = &self.host.scripted.until
            && !self.scripts.contains_key(until.get_ref())
        {
            bail!(
                "{}: `until` names no script in [scripts]; it is the script whose `run` call ends the case",
                src.at(&until.span())
            );
        }
        if let Some(call) = &self.call
            && let Some(name) = &call.script
        {
            if !self.scripts.contains_key(name.get_ref()) {
                let known: Vec<&str> = self.scripts.keys().map(String::as_str).collect();
                bail!(
                    "{}: no script named `{}` in [scripts]; scripts: {}",
                    src.at(&name.span()),
                    name.get_ref(),
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                );
            }
            if let Some(first) = call.args.first() {
                bail!(
                    "{}: `args` and `script` both given; the script bundle is the only argument",
                    src.at(&first.span())
                );
            }
        }
        if let Some(call) = &self.call
            && !(1..=crate::types::MAX_CONCURRENT).contains(call.concurrent.get_ref())
        {
            bail!(
                "{}: `concurrent` must be between 1 and {}",
                src.at(&call.concurrent.span()),
                crate::types::MAX_CONCURRENT
            );
        }
        if let Some(call) = &self.call
            && call.stream_args.len() + call.future_args.len() > 0
            && *call.concurrent.get_ref() > 1
        {
            bail!(
                "{}: `concurrent` > 1 with stream or future arguments: each stream can be read only once",
                src.at(&call.concurrent.span())
            );
        }
        for (name, stream) in self.call.iter().flat_map(|c| &c.stream_args) {
            if let Some(i) = stream.chunks.iter().position(Vec::is_empty) {
                // A chunk has no span of its own: point at the item nearest it.
                let near = stream.chunks[..i].iter().rev().flatten().next();
                let near = near.or_else(|| stream.chunks[i..].iter().flatten().next());
                bail!(
                    "{}: chunk #{} of `stream-args.{name}.chunks` is empty; a write of no items would complete a \
                     read with room for items without any (the spec requires at least one), so leave it out",
                    near.map_or_else(|| src.path.display().to_string(), |v| src.at(&v.span())),
                    i + 1
                );
            }
        }
        for (name, stream) in self.call.iter().flat_map(|c| &c.stream_args) {
            if stream.pending && stream.drop_with_last {
                bail!(
                    "{}: `stream-args.{name}` has both `pending` (the host never drops its end) and \
                     `drop-with-last` (it drops it with the last items)",
                    src.path.display()
                );
            }
            // Each unit becomes a value in host memory: a count is no licence
            // for four billion of them.
            let total: u64 = stream.units.iter().map(|&n| u64::from(n)).sum();
            if stream.units.contains(&0) || total > MAX_UNITS {
                bail!(
                    "{}: `stream-args.{name}.units` must be counts of 1 or more, {MAX_UNITS} in all at most",
                    src.path.display()
                );
            }
        }
        for (name, future) in self.call.iter().flat_map(|c| &c.future_args) {
            if future.value.is_some() == future.pending {
                bail!(
                    "{}: `future-args.{name}` needs exactly one of `value` (what the host resolves it with) and \
                     `pending = true` (the host never resolves it)",
                    future.value.as_ref().map_or_else(|| src.path.display().to_string(), |v| src.at(&v.span()))
                );
            }
        }
        // WAVE syntax is checked now; types once the component is compiled.
        let calls = self.call.iter();
        let plain = calls.clone().flat_map(|c| &c.args);
        let chunks = calls.clone().flat_map(|c| c.stream_args.values().flat_map(|s| s.chunks.iter().flatten()));
        let futures = calls.flat_map(|c| c.future_args.values().filter_map(|f| f.value.as_ref()));
        let waves = plain.chain(&self.expect.result).chain(&self.expect.again_result).chain(chunks).chain(futures);
        for value in waves {
            if let Err(e) = wasm_wave::untyped::UntypedValue::parse(value.get_ref()) {
                let inner = e.span().start;
                bail!("{}: invalid WAVE `{}`: {e}", src.at_inner(&value.span(), inner), excerpt(value.get_ref()));
            }
        }
        self.validate_again(src)?;
        if let (Some(_), Some(trap)) = (&self.expect.result, &self.expect.trap) {
            bail!("{}: `expect` has both `result` and `trap`; a call either returns or traps", src.at(&trap.span()));
        }
        if let Some(limit) = &self.expect.limit {
            if self.expect.result.is_some() || self.expect.trap.is_some() {
                bail!(
                    "{}: `expect` has `limit` and `result` or `trap`; a case either runs into a limit or ends",
                    src.at(&limit.span())
                );
            }
            if !crate::types::LIMIT_KEYS.contains(&limit.get_ref().as_str()) {
                bail!(
                    "{}: unknown limit `{}`; known limits: {}",
                    src.at(&limit.span()),
                    limit.get_ref(),
                    crate::types::LIMIT_KEYS.join(", ")
                );
            }
        }
        known_trap_kind(self.expect.trap.as_ref(), src)
    }

    /// `call.again` and the second call's expectation go together.
    fn validate_again(&self, src: &Source) -> Result<()> {
        let expect = &self.expect;
        let again = self.call.as_ref().filter(|c| c.again);
        let given = expect.again_trap.as_ref().or(expect.again_result.as_ref());
        match (again, given) {
            (None, Some(key)) => {
                bail!("{}: `again-trap`/`again-result` need `[call] again = true`", src.at(&key.span()))
            }
            (Some(call), _)
                if *call.concurrent.get_ref() > 1 || !call.stream_args.is_empty() || !call.future_args.is_empty() =>
            {
                bail!(
                    "{}: `again` calls once more with the same arguments: it needs `concurrent = 1` and no stream or future arguments",
                    src.at(&call.function.span())
                )
            }
            (Some(call), None) => bail!(
                "{}: `again = true` needs `expect.again-trap` or `expect.again-result`: what the second call must do",
                src.at(&call.function.span())
            ),
            _ => {}
        }
        if let (Some(_), Some(trap)) = (&expect.again_result, &expect.again_trap) {
            bail!("{}: give `again-result` or `again-trap`, not both", src.at(&trap.span()));
        }
        known_trap_kind(expect.again_trap.as_ref(), src)
    }
}

/// Items of payload-less streams a case may have the host write, in all.
const MAX_UNITS: u64 = 1 << 20;
