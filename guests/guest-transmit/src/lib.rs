//! Runs guest↔guest stream and future scenarios against an imported
//! `streams` (another component in the chain) and records what it observes.
//!
//! Concurrent branches never record directly: each returns its log and the
//! logs are recorded after both finish, in a fixed order, so the transcript
//! does not depend on how the two tasks were interleaved.

wit_bindgen::generate!({ path: "../../wit", world: "transmit-caller" });

use std::future::{Future, IntoFuture};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use futures::join;
use local::local::streams;
use local::local::transcript::record;
use wit_bindgen::{FutureWriteCancel, StreamResult, yield_async};

struct Scenario;

/// Poll once without waiting: is the operation still in flight?
fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

fn result_text(result: StreamResult) -> String {
    match result {
        StreamResult::Complete(n) => format!("complete {n}"),
        StreamResult::Dropped => "dropped".into(),
        StreamResult::Cancelled => "cancelled".into(),
    }
}

fn record_all(who: &str, lines: &[String]) {
    for line in lines {
        record(&format!("{who}: {line}"));
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl exports::local::local::scenario::Guest for Scenario {
    async fn run(name: String) {
        match name.as_str() {
            "stream-write-read" => stream_write_read().await,
            "stream-cancel-write" => stream_cancel_write().await,
            "stream-cancel-read" => stream_cancel_read().await,
            "future-cancel-write" => future_cancel_write().await,
            "future-cancel-read" => future_cancel_read().await,
            "reader-dropped-mid-write" => reader_dropped_mid_write().await,
            "writer-dropped-mid-read" => writer_dropped_mid_read().await,
            "zero-length" => zero_length().await,
            "unit-stream" => unit_stream().await,
            "work-after-return" => work_after_return().await,
            other => panic!("unknown scenario `{other}`"),
        }
    }
}

/// Writes in two chunks; the callee takes every item until the end. How the
/// items are grouped into reads is not asserted: a pending read may gather
/// several writes, and a write may be taken in part (the spec allows both),
/// so the writer uses `write_all` and the reader reports the items in order.
async fn stream_write_read() {
    let (mut tx, rx) = wit_stream::new::<String>();
    let writer = async move {
        let mut log = Vec::new();
        for chunk in [strings(&["a"]), strings(&["b", "c"])] {
            let text = format!("{chunk:?}");
            let left = tx.write_all(chunk).await;
            log.push(format!("write_all {text}: {} item(s) left", left.len()));
        }
        drop(tx);
        log
    };
    let (taken, writes) = join!(streams::take(rx, 100), writer);
    record_all("caller", &writes);
    record(&format!("callee: took {taken:?} before the end"));
}

/// A write with no reader yet is cancelled; its item comes back to the
/// writer and must never reach the reader.
async fn stream_cancel_write() {
    let (mut tx, rx) = wit_stream::new::<String>();
    {
        let mut write = pin!(tx.write(strings(&["b"])));
        let pending = poll_once(write.as_mut()).is_pending();
        record(&format!("caller: write [\"b\"] pending: {pending}"));
        let (r, buf) = write.as_mut().cancel();
        record(&format!("caller: cancel-write: {}, {} item(s) returned", result_text(r), buf.remaining()));
    }
    let writer = async move {
        let (r, _) = tx.write(strings(&["c"])).await;
        vec![format!("write [\"c\"]: {}", result_text(r))]
    };
    let (reads, writes) = join!(streams::drain(rx, 4), writer);
    record_all("caller", &writes);
    record_all("callee", &reads);
}

/// A read of a stream the callee has not written yet is cancelled; the
/// items written later arrive in full on the next reads.
async fn stream_cancel_read() {
    let (go_tx, go_rx) = wit_future::new::<String>(|| "go writer dropped".into());
    let mut rx = streams::after(go_rx).await;
    {
        let mut read = pin!(rx.read(Vec::with_capacity(4)));
        let pending = poll_once(read.as_mut()).is_pending();
        record(&format!("caller: read pending: {pending}"));
        let (r, got) = read.as_mut().cancel();
        record(&format!("caller: cancel-read: {}, {got:?}", result_text(r)));
    }
    let written = go_tx.write("x".into()).await.is_ok();
    record(&format!("caller: wrote go \"x\": {written}"));
    let items = rx.collect().await;
    record(&format!("caller: read to end: {items:?}"));
}

/// A future write with no reader yet is cancelled; the value comes back, and
/// the reader only ever sees the second write.
async fn future_cancel_write() {
    let (tx, rx) = wit_future::new::<String>(|| "default".into());
    let tx = {
        let mut write = pin!(tx.write("x".into()));
        let pending = poll_once(write.as_mut()).is_pending();
        record(&format!("caller: write \"x\" pending: {pending}"));
        match write.as_mut().cancel() {
            FutureWriteCancel::Cancelled(value, tx) => {
                record(&format!("caller: cancel-write: cancelled, {value:?} returned"));
                tx
            }
            FutureWriteCancel::AlreadySent => panic!("cancel-write: already sent"),
            FutureWriteCancel::Dropped(v) => panic!("cancel-write: reader dropped, {v:?} returned"),
        }
    };
    let writer = async move { tx.write("y".into()).await.is_ok() };
    let (greeting, written) = join!(streams::greet(rx), writer);
    record(&format!("caller: write \"y\": {}", if written { "ok" } else { "failed" }));
    record(&format!("callee: greet returned {greeting:?}"));
}

/// A future read that cannot complete yet is cancelled; the reader is
/// handed back and a later read gets the value.
async fn future_cancel_read() {
    let (go_tx, go_rx) = wit_future::new::<String>(|| "go writer dropped".into());
    let relayed = streams::relay(go_rx).await;
    let reader = {
        let mut read = pin!(relayed.into_future());
        let pending = poll_once(read.as_mut()).is_pending();
        record(&format!("caller: read pending: {pending}"));
        match read.as_mut().cancel() {
            Err(reader) => {
                record("caller: cancel-read: cancelled, reader returned");
                reader
            }
            Ok(v) => panic!("cancel-read: value already there: {v:?}"),
        }
    };
    let _ = go_tx.write("z".into()).await;
    record(&format!("caller: read after cancel: {:?}", reader.await));
}

/// The callee takes one item and drops its read end while a second write is
/// waiting: that write ends as dropped and delivers nothing.
async fn reader_dropped_mid_write() {
    let (mut tx, rx) = wit_stream::new::<String>();
    let writer = async move {
        let mut log = Vec::new();
        let (r, _) = tx.write(strings(&["a"])).await;
        log.push(format!("write [\"a\"]: {}", result_text(r)));
        let (r, left) = tx.write(strings(&["b"])).await;
        log.push(format!("write [\"b\"]: {}, {} item(s) returned", result_text(r), left.remaining()));
        log
    };
    let (taken, writes) = join!(streams::take(rx, 1), writer);
    record_all("caller", &writes);
    record(&format!("callee: took {taken:?}"));
}

/// The caller drops its write end while the callee's read is waiting.
async fn writer_dropped_mid_read() {
    let (tx, rx) = wit_stream::new::<String>();
    let writer = async move {
        yield_async().await;
        drop(tx);
    };
    let (reads, ()) = join!(streams::drain(rx, 4), writer);
    record_all("callee", &reads);
}

/// A zero-length write, and zero-length reads before each read.
async fn zero_length() {
    let (mut tx, rx) = wit_stream::new::<String>();
    let writer = async move {
        let mut log = Vec::new();
        let (r, _) = tx.write(Vec::new()).await;
        log.push(format!("write []: {}", result_text(r)));
        let (r, _) = tx.write(strings(&["a"])).await;
        log.push(format!("write [\"a\"]: {}", result_text(r)));
        log
    };
    let (reads, writes) = join!(streams::drain(rx, 0), writer);
    record_all("caller", &writes);
    record_all("callee", &reads);
}

/// A payload-less stream of 42 units, written in growing chunks. Only the
/// total and the end are asserted: reads may gather several writes.
async fn unit_stream() {
    let mut rx = streams::units(42).await;
    let mut total = 0;
    let end = loop {
        let (r, got) = rx.read(Vec::with_capacity(64)).await;
        match r {
            StreamResult::Complete(_) => total += got.len(),
            other => break result_text(other),
        }
    };
    record(&format!("caller: {total} unit(s), then {end}"));
}

/// The callee returns before its spawned task finishes; the caller sees the
/// return first and the task's result later.
async fn work_after_return() {
    let done = streams::work_after_return(5).await;
    record("caller: work-after-return returned");
    record(&format!("caller: background work resolved with {}", done.await));
}

export!(Scenario);
