//! The host's ends of streams and futures: producers for `stream`/`future`
//! parameters (fed from the case) and consumers for every stream and future
//! in a result (read to the end). Each handle keeps its own log; logs are
//! merged per handle so transcripts do not depend on chunking (see the
//! README's "Transcripts").

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use anyhow::{Result, bail};
use tokio::sync::oneshot;
use wasmtime::component::{
    ComponentType, Destination, FutureConsumer, FutureProducer, FutureReader, Lift, Lower, Source, StreamConsumer,
    StreamProducer, StreamReader, StreamResult, Type, Val, VecBuffer,
};
use wasmtime::{AsContextMut, Store, StoreContextMut};

use super::Ctx;
use super::limits::val_bytes;
use super::tables::type_name;

/// What crossed one handle, in the direction it flows.
pub struct HandleLog {
    /// The parameter name, or `result` (`result.0`, ... inside a tuple).
    pub name: String,
    /// `<-` host to guest (a parameter), `->` guest to host (a result).
    arrow: &'static str,
    is_stream: bool,
    items: Vec<Val>,
    /// How the handle ended, once it has.
    end: Option<String>,
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
        if self.is_stream && !self.items.is_empty() {
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

/// Run `$body` with `$T` bound to the Rust type of a payload `Type`.
macro_rules! with_payload {
    ($ty:expr, $T:ident => $body:expr) => {
        match $ty {
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
            other => bail!(
                "the host cannot carry {} payloads yet (supported: string, u8, u32, u64, bool)",
                other.map_or("payload-less", |t| type_name(&t))
            ),
        }
    };
}

/// A stream parameter: the case's chunks, offered one at a time and cut to the reader's capacity; a
/// zero-length read is answered "ready" without giving anything away. With `hold` the write end
/// stays open after the last chunk, never woken: a read waits until the reader cancels it.
struct Chunks<T> {
    chunks: VecDeque<Vec<T>>,
    hold: bool,
    log: Log,
}

impl<T: Payload> StreamProducer<Ctx> for Chunks<T> {
    type Item = T;
    type Buffer = VecBuffer<T>;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        store: StoreContextMut<'a, Ctx>,
        mut dst: Destination<'a, T, VecBuffer<T>>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        let capacity = dst.remaining(store).unwrap_or(usize::MAX);
        if me.hold && me.chunks.is_empty() {
            // Only the reader's cancel (`finish`) ends the wait, with nothing copied.
            return if finish { Poll::Ready(Ok(StreamResult::Cancelled)) } else { Poll::Pending };
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
        if me.chunks.is_empty() && !me.hold {
            log.end = Some("end".into());
            return Poll::Ready(Ok(StreamResult::Dropped));
        }
        Poll::Ready(Ok(StreamResult::Completed))
    }
}

impl<T> Drop for Chunks<T> {
    fn drop(&mut self) {
        let left: usize = self.chunks.iter().map(Vec::len).sum();
        let mut log = self.log.lock().unwrap();
        if log.end.is_none() {
            log.end = Some(format!("reader dropped, {left} item(s) not taken"));
        }
    }
}

/// A future parameter: resolves with the case's value when read (never without one).
struct Value<T> {
    value: Option<T>,
    log: Log,
}

impl<T: Payload> FutureProducer<Ctx> for Value<T> {
    type Item = T;

    fn poll_produce(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: StoreContextMut<Ctx>,
        finish: bool,
    ) -> Poll<wasmtime::Result<Option<T>>> {
        let me = self.get_mut();
        if me.value.is_none() && !finish {
            return Poll::Pending;
        }
        let value = me.value.take();
        if let Some(v) = &value {
            me.log.lock().unwrap().items.push(v.to_val());
        }
        Poll::Ready(Ok(value))
    }
}

impl<T> Drop for Value<T> {
    fn drop(&mut self) {
        let mut log = self.log.lock().unwrap();
        if log.items.is_empty() {
            log.end = Some("never read".into());
        }
    }
}

/// Reads a stream or future result to its end, then signals `done`.
struct Collect<T> {
    log: Log,
    done: Option<oneshot::Sender<()>>,
    _payload: std::marker::PhantomData<fn() -> T>,
}

impl<T> Collect<T> {
    fn new(log: Log, done: oneshot::Sender<()>) -> Self {
        Collect { log, done: Some(done), _payload: std::marker::PhantomData }
    }
}

impl<T: Payload> StreamConsumer<Ctx> for Collect<T> {
    type Item = T;

    fn poll_consume(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        mut store: StoreContextMut<Ctx>,
        mut source: Source<'_, T>,
        _finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        // Take no more items than the host may still keep (each becomes at
        // least a `Val`), plus one to notice the limit: a write of millions
        // of items is never read into host memory first.
        let budget = store.data().limits.host_remaining() / size_of::<Val>() as u64;
        let take = source.remaining(&mut store).min(usize::try_from(budget).unwrap_or(usize::MAX).saturating_add(1));
        let mut buf: Vec<T> = Vec::with_capacity(take);
        source.read(&mut store, &mut buf)?;
        // Items grow into `Val`s (a byte into some 40): account for that
        // before converting, the heap they own after.
        let own = buf.len() * size_of::<Val>();
        store.data_mut().limits.hold(own)?;
        let vals: Vec<Val> = buf.iter().map(Payload::to_val).collect();
        store.data_mut().limits.hold(vals.iter().map(val_bytes).sum::<usize>() - own)?;
        self.log.lock().unwrap().items.extend(vals);
        Poll::Ready(Ok(StreamResult::Completed))
    }
}

impl<T: Payload> FutureConsumer<Ctx> for Collect<T> {
    type Item = T;

    fn poll_consume(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        mut store: StoreContextMut<Ctx>,
        mut source: Source<'_, T>,
        _finish: bool,
    ) -> Poll<wasmtime::Result<()>> {
        let mut value: Option<T> = None;
        source.read(&mut store, &mut value)?;
        let value = value.map(|v| v.to_val());
        if let Some(v) = &value {
            store.data_mut().limits.hold(val_bytes(v))?;
        }
        let mut log = self.log.lock().unwrap();
        match value {
            Some(v) => log.items.push(v),
            None => log.end = Some("no value".into()),
        }
        Poll::Ready(Ok(()))
    }
}

impl<T> Drop for Collect<T> {
    fn drop(&mut self) {
        let mut log = self.log.lock().unwrap();
        // Wasmtime drops a stream's consumer when the writer is gone.
        if log.is_stream && log.end.is_none() {
            log.end = Some("end".into());
        }
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
    }
}

/// A host-made stream carrying `chunks` (WAVE already parsed) to the guest.
pub fn stream_arg(
    store: &mut Store<Ctx>,
    payload: Option<Type>,
    chunks: Vec<Vec<Val>>,
    hold: bool,
    log: Log,
) -> Result<Val> {
    with_payload!(payload, T => {
        let chunks = chunks
            .into_iter()
            .map(|c| c.into_iter().map(|v| T::from_val(v).expect("parsed against the payload type")).collect())
            .collect();
        let reader = StreamReader::new(&mut *store, Chunks::<T> { chunks, hold, log })?;
        Ok(Val::Stream(reader.try_into_stream_any(&mut *store)?))
    })
}

/// A host-made future resolving to `value` when the guest reads it (never without one).
pub fn future_arg(store: &mut Store<Ctx>, payload: Option<Type>, value: Option<Val>, log: Log) -> Result<Val> {
    with_payload!(payload, T => {
        let value = value.map(|v| T::from_val(v).expect("parsed against the payload type"));
        let reader = FutureReader::new(&mut *store, Value::<T> { value, log })?;
        Ok(Val::Future(reader.try_into_future_any(&mut *store)?))
    })
}

/// Start reading every stream and future inside `value` (a result), in
/// order, each into its own log. Returns receivers that fire when each
/// handle is finished.
pub fn collect(
    store: StoreContextMut<'_, Ctx>,
    name: &str,
    value: &Val,
    ty: &Type,
    logs: &mut Vec<Log>,
) -> Result<Vec<oneshot::Receiver<()>>> {
    let mut waits = Vec::new();
    collect_into(store, name, value, ty, logs, &mut waits)?;
    Ok(waits)
}

fn collect_into(
    mut store: StoreContextMut<'_, Ctx>,
    name: &str,
    value: &Val,
    ty: &Type,
    logs: &mut Vec<Log>,
    waits: &mut Vec<oneshot::Receiver<()>>,
) -> Result<()> {
    match (value, ty) {
        (Val::Stream(any), Type::Stream(st)) => {
            let (log, tx) = track(name, true, logs, waits);
            with_payload!(st.ty(), T => {
                let reader = StreamReader::<T>::try_from_stream_any(any.clone())?;
                reader.pipe(&mut store, Collect::<T>::new(log, tx))?;
            });
        }
        (Val::Future(any), Type::Future(ft)) => {
            let (log, tx) = track(name, false, logs, waits);
            with_payload!(ft.ty(), T => {
                let reader = FutureReader::<T>::try_from_future_any(any.clone())?;
                reader.pipe(&mut store, Collect::<T>::new(log, tx))?;
            });
        }
        (Val::Tuple(vals), Type::Tuple(tt)) => {
            for (i, (v, t)) in vals.iter().zip(tt.types()).enumerate() {
                collect_into(store.as_context_mut(), &format!("{name}.{i}"), v, &t, logs, waits)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A log for a result handle, and the signal its reader sends when done.
fn track(
    name: &str,
    is_stream: bool,
    logs: &mut Vec<Log>,
    waits: &mut Vec<oneshot::Receiver<()>>,
) -> (Log, oneshot::Sender<()>) {
    let log = HandleLog::new(name.to_string(), false, is_stream);
    logs.push(log.clone());
    let (tx, rx) = oneshot::channel();
    waits.push(rx);
    (log, tx)
}

/// Whether a type carries a stream or future the host has to drive.
pub fn has_handles(ty: &Type) -> bool {
    match ty {
        Type::Stream(_) | Type::Future(_) => true,
        Type::Tuple(t) => t.types().any(|t| has_handles(&t)),
        _ => false,
    }
}

/// A result value with its handles shown as `stream` / `future`: WAVE has no
/// syntax for handles, and which handle it is carries no information.
pub fn render_result(v: &Val) -> String {
    match v {
        Val::Stream(_) => "stream".into(),
        Val::Future(_) => "future".into(),
        Val::Tuple(vals) if vals.iter().any(|v| matches!(v, Val::Stream(_) | Val::Future(_) | Val::Tuple(_))) => {
            format!("({})", vals.iter().map(render_result).collect::<Vec<_>>().join(", "))
        }
        other => wave(other),
    }
}
