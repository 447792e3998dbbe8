//! The host's ends of streams and futures: producers for `stream`/`future`
//! parameters (fed from the case) and consumers for every stream and future
//! in a result (read to the end). Each handle keeps its own log; logs are
//! merged per handle so transcripts do not depend on chunking (see the
//! README's "Transcripts").

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use anyhow::Result;
use wasmtime::component::{
    ComponentType, Destination, FutureProducer, FutureReader, Lift, Lower, StreamProducer, StreamReader, StreamResult,
    Type, Val, VecBuffer,
};
use wasmtime::{AsContextMut, StoreContextMut};

use super::Ctx;

pub use super::collect::collect;

/// What crossed one handle, in the direction it flows.
pub struct HandleLog {
    /// The parameter name, or `result` (`result.0`, ... inside a tuple).
    pub name: String,
    /// `<-` host to guest (a parameter), `->` guest to host (a result).
    arrow: &'static str,
    pub(super) is_stream: bool,
    pub(super) items: Vec<Val>,
    /// How the handle ended, once it has.
    pub(super) end: Option<String>,
}

pub type Log = Arc<Mutex<HandleLog>>;

impl HandleLog {
    pub fn new(name: String, to_guest: bool, is_stream: bool) -> Log {
        let arrow = if to_guest { "<-" } else { "->" };
        Arc::new(Mutex::new(HandleLog { name, arrow, is_stream, items: Vec::new(), end: None }))
    }

    /// Transcript lines: all items that crossed (one line for a stream, the
    /// value for a future), then how the handle ended.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let (name, arrow) = (&self.name, self.arrow);
        if self.is_stream && self.items.iter().all(|v| *v == unit()) && !self.items.is_empty() {
            out.push(format!("{name} {arrow} {} item(s)", self.items.len()));
        } else if self.is_stream && !self.items.is_empty() {
            out.push(format!("{name} {arrow} {}", wave(&Val::List(self.items.clone()))));
        }
        if !self.is_stream {
            for v in &self.items {
                out.push(format!("{name} {arrow} {}", wave(v)));
            }
        }
        if let Some(end) = &self.end {
            out.push(format!("{name} {arrow} {end}"));
        }
        out
    }
}

pub fn wave(v: &Val) -> String {
    wasm_wave::to_string(v).unwrap_or_else(|e| format!("<unprintable value {v:?}: {e}>"))
}

/// Payload types the host can put into, or take out of, streams and futures.
pub trait Payload: ComponentType + Lift + Lower + Send + Sync + Unpin + Sized + 'static {
    fn from_val(v: Val) -> Option<Self>;
    fn to_val(&self) -> Val;
}

macro_rules! payload {
    ($($t:ty => $variant:ident),*) => {$(
        impl Payload for $t {
            fn from_val(v: Val) -> Option<Self> {
                match v { Val::$variant(x) => Some(x), _ => None }
            }
            fn to_val(&self) -> Val { Val::$variant(self.clone()) }
        }
    )*};
}
payload!(String => String, u8 => U8, u32 => U32, u64 => U64, bool => Bool);

/// An item of a payload-less `stream`, which has no `Val` of its own.
pub fn unit() -> Val {
    Val::Tuple(Vec::new())
}

impl Payload for () {
    fn from_val(v: Val) -> Option<Self> {
        (v == unit()).then_some(())
    }
    fn to_val(&self) -> Val {
        unit()
    }
}

/// Run `$body` with `$T` bound to the Rust type of a payload `Type`.
macro_rules! with_payload {
    ($ty:expr, $T:ident => $body:expr) => {
        match $ty {
            None => {
                type $T = ();
                $body
            }
            Some(Type::String) => {
                type $T = String;
                $body
            }
            Some(Type::U8) => {
                type $T = u8;
                $body
            }
            Some(Type::U32) => {
                type $T = u32;
                $body
            }
            Some(Type::U64) => {
                type $T = u64;
                $body
            }
            Some(Type::Bool) => {
                type $T = bool;
                $body
            }
            other => anyhow::bail!(
                "the host cannot carry {} payloads yet (supported: string, u8, u32, u64, bool, none)",
                other.map_or("payload-less", |t| super::tables::type_name(&t))
            ),
        }
    };
}
pub(super) use with_payload;

/// A stream parameter: the case's chunks, offered one at a time and cut to
/// the reader's capacity; a zero-length read is answered "ready" without
/// giving anything away. With `pending`, the end is kept open after the
/// chunks and a read waits for ever; with `drop_with_last`, the end is
/// dropped with the last items.
struct Chunks<T> {
    chunks: VecDeque<Vec<T>>,
    pending: bool,
    drop_with_last: bool,
    log: Log,
}

impl<T: Payload> StreamProducer<Ctx> for Chunks<T> {
    type Item = T;
    type Buffer = VecBuffer<T>;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        mut store: StoreContextMut<'a, Ctx>,
        mut dst: Destination<'a, T, VecBuffer<T>>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        let capacity = dst.remaining(store.as_context_mut()).unwrap_or(usize::MAX);
        if me.pending && me.chunks.is_empty() {
            // Nothing will ever wake this. A cancel ends it at once, as the
            // spec's SharedStreamImpl.cancel does (CANCELLED, nothing copied).
            if !finish {
                return Poll::Pending;
            }
            return Poll::Ready(cancelled(store, &me.log).map(|()| StreamResult::Cancelled));
        }
        let Some(front) = me.chunks.front_mut() else {
            me.log.lock().unwrap().end = Some("end".into());
            return Poll::Ready(Ok(StreamResult::Dropped));
        };
        if capacity == 0 {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        let batch: Vec<T> = front.drain(..capacity.min(front.len())).collect();
        if front.is_empty() {
            me.chunks.pop_front();
        }
        let mut log = me.log.lock().unwrap();
        log.items.extend(batch.iter().map(Payload::to_val));
        dst.set_buffer(batch.into());
        if me.drop_with_last && me.chunks.is_empty() {
            // The writer's drop reaches the read before its event is taken,
            // so it ends as DROPPED with the count (SharedStreamImpl.drop).
            log.end = Some("end".into());
            return Poll::Ready(Ok(StreamResult::Dropped));
        }
        // Otherwise the drop comes with the next read, not with the last items: a
        // read that copies items completes as COMPLETED (SharedStreamImpl
        // .read), and only a read after the writer's drop is DROPPED.
        Poll::Ready(Ok(StreamResult::Completed))
    }
}

impl<T> Drop for Chunks<T> {
    fn drop(&mut self) {
        let left: usize = self.chunks.iter().map(Vec::len).sum();
        let mut log = self.log.lock().unwrap();
        if log.end.is_none() {
            // Everything was taken: the host was done, whoever dropped first.
            log.end = Some(match (left, self.pending) {
                (0, false) => "end".into(),
                _ => format!("reader dropped, {left} item(s) not taken"),
            });
        }
    }
}

/// A future parameter: resolves with the case's value when read, or never
/// (`value` is `None` from the start: `future-args.NAME.pending`).
struct Value<T> {
    value: Option<T>,
    pending: bool,
    log: Log,
}

impl<T: Payload> FutureProducer<Ctx> for Value<T> {
    type Item = T;

    fn poll_produce(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        store: StoreContextMut<Ctx>,
        finish: bool,
    ) -> Poll<wasmtime::Result<Option<T>>> {
        let me = self.get_mut();
        if me.pending {
            // Nothing will ever wake this. A cancel ends it at once (`None`
            // with `finish`), as SharedFutureImpl.cancel does in the spec.
            if !finish {
                return Poll::Pending;
            }
            return Poll::Ready(cancelled(store, &me.log).map(|()| None));
        }
        let value = me.value.take();
        if let Some(v) = &value {
            me.log.lock().unwrap().items.push(v.to_val());
        }
        Poll::Ready(Ok(value))
    }
}

/// The host's end saw the guest cancel a read it held pending: an event in
/// the transcript, in order with the guest's own.
fn cancelled(mut store: StoreContextMut<'_, Ctx>, log: &Log) -> wasmtime::Result<()> {
    let name = log.lock().unwrap().name.clone();
    store.data_mut().record(format!("host: {name} read cancelled"))
}

impl<T> Drop for Value<T> {
    fn drop(&mut self) {
        let mut log = self.log.lock().unwrap();
        if self.pending {
            log.end = Some("reader dropped, never resolved".into());
        } else if log.items.is_empty() {
            log.end = Some("never read".into());
        }
    }
}

/// A host-made stream carrying `chunks` (WAVE already parsed) to the guest.
pub fn stream_arg(
    mut store: impl AsContextMut<Data = Ctx>,
    payload: Option<Type>,
    (chunks, pending, drop_with_last): (Vec<Vec<Val>>, bool, bool),
    log: Log,
) -> Result<Val> {
    with_payload!(payload, T => {
        let chunks = chunks
            .into_iter()
            .map(|c| c.into_iter().map(|v| T::from_val(v).expect("parsed against the payload type")).collect())
            .collect();
        let reader = StreamReader::new(store.as_context_mut(), Chunks::<T> { chunks, pending, drop_with_last, log })?;
        Ok(Val::Stream(reader.try_into_stream_any(store.as_context_mut())?))
    })
}

/// A host-made future resolving to `value` when the guest reads it, or
/// never when there is none.
pub fn future_arg(
    mut store: impl AsContextMut<Data = Ctx>,
    payload: Option<Type>,
    value: Option<Val>,
    log: Log,
) -> Result<Val> {
    with_payload!(payload, T => {
        let pending = value.is_none();
        let value = value.map(|v| T::from_val(v).expect("parsed against the payload type"));
        let reader = FutureReader::new(store.as_context_mut(), Value::<T> { value, pending, log })?;
        Ok(Val::Future(reader.try_into_future_any(store.as_context_mut())?))
    })
}

/// Whether a type carries a stream or future the host has to drive.
pub fn has_handles(ty: &Type) -> bool {
    match ty {
        Type::Stream(_) | Type::Future(_) => true,
        Type::Tuple(t) => t.types().any(|t| has_handles(&t)),
        _ => false,
    }
}

/// Whether a result has no WAVE text: it carries streams or futures, or is
/// an owned resource. Such a result shows by its shape (`render_result`).
pub fn has_no_wave(ty: &Type) -> bool {
    has_handles(ty) || matches!(ty, Type::Own(_))
}

/// A result value with its handles shown as `stream` / `future`: WAVE has no
/// syntax for handles, and which handle it is carries no information.
pub fn render_result(v: &Val) -> String {
    match v {
        Val::Stream(_) => "stream".into(),
        Val::Future(_) => "future".into(),
        // Which thing it was shows in the transcript (`thing NAME dropped`).
        Val::Resource(r) if r.owned() => "own".into(),
        Val::Tuple(vals) if vals.iter().any(|v| matches!(v, Val::Stream(_) | Val::Future(_) | Val::Tuple(_))) => {
            format!("({})", vals.iter().map(render_result).collect::<Vec<_>>().join(", "))
        }
        other => wave(other),
    }
}
