//! The host's reading end of every stream and future in a result: each is
//! read to its end into its own log, within `limits.host-bytes`.

use std::pin::Pin;
use std::task::{Context, Poll};

use anyhow::Result;
use tokio::sync::oneshot;
use wasmtime::component::{
    FutureConsumer, FutureReader, Source, StreamConsumer, StreamReader, StreamResult, Type, Val,
};
use wasmtime::{AsContextMut, StoreContextMut};

use super::Ctx;
use super::limits::val_bytes;
use super::transmit::{HandleLog, Log, Payload, with_payload};

/// Reads a stream or future result to its end, then signals `done`. With
/// `once`, a stream's reader drops its end with the first items it takes.
struct Collect<T> {
    log: Log,
    once: bool,
    done: Option<oneshot::Sender<()>>,
    _payload: std::marker::PhantomData<fn() -> T>,
}

impl<T> Collect<T> {
    fn new(log: Log, once: bool, done: oneshot::Sender<()>) -> Self {
        Collect { log, once, done: Some(done), _payload: std::marker::PhantomData }
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
        let took = !vals.is_empty();
        let mut log = self.log.lock().unwrap();
        log.items.extend(vals);
        if self.once && took {
            // The writer learns of the drop with the items it gave: its
            // write ends as DROPPED with their count (SharedStreamImpl.drop).
            log.end = Some("dropped after one read".into());
            return Poll::Ready(Ok(StreamResult::Dropped));
        }
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

/// Start reading every stream and future inside `value` (a result), in
/// order, each into its own log. Returns receivers that fire when each
/// handle is finished. With `once`, each stream's reader drops its end once
/// it has taken the items of one write.
pub fn collect(
    store: StoreContextMut<'_, Ctx>,
    name: &str,
    value: &Val,
    ty: &Type,
    once: bool,
    logs: &mut Vec<Log>,
) -> Result<Vec<oneshot::Receiver<()>>> {
    let mut waits = Vec::new();
    collect_into(store, name, value, ty, once, logs, &mut waits)?;
    Ok(waits)
}

fn collect_into(
    mut store: StoreContextMut<'_, Ctx>,
    name: &str,
    value: &Val,
    ty: &Type,
    once: bool,
    logs: &mut Vec<Log>,
    waits: &mut Vec<oneshot::Receiver<()>>,
) -> Result<()> {
    match (value, ty) {
        (Val::Stream(any), Type::Stream(st)) => {
            let (log, tx) = track(name, true, logs, waits);
            with_payload!(st.ty(), T => {
                let reader = StreamReader::<T>::try_from_stream_any(any.clone())?;
                reader.pipe(&mut store, Collect::<T>::new(log, once, tx))?;
            });
        }
        (Val::Future(any), Type::Future(ft)) => {
            let (log, tx) = track(name, false, logs, waits);
            with_payload!(ft.ty(), T => {
                let reader = FutureReader::<T>::try_from_future_any(any.clone())?;
                reader.pipe(&mut store, Collect::<T>::new(log, false, tx))?;
            });
        }
        (Val::Tuple(vals), Type::Tuple(tt)) => {
            for (i, (v, t)) in vals.iter().zip(tt.types()).enumerate() {
                collect_into(store.as_context_mut(), &format!("{name}.{i}"), v, &t, once, logs, waits)?;
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
